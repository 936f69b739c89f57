"""The ``sklearn-dl`` command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sklearn_dl import __version__
from sklearn_dl._backend_info import configured_backend


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sklearn-dl`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with one sub-command per job.
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-dl",
        description="Deep networks as scikit-learn estimators (Keras 3).",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sklearn-dl {__version__} (Keras backend: {configured_backend()})",
    )
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sklearn-dl`` command.

    Parameters
    ----------
    argv : sequence of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.handler(args)
