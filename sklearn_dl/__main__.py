"""``python -m sklearn_dl`` runs the ``sklearn-dl`` command."""

import sys

from sklearn_dl.cli import main

if __name__ == "__main__":
    sys.exit(main())
