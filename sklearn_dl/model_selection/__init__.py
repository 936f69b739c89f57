"""Hyper-parameter searches for networks: scikit-learn's, made for training runs.

The four searches take the same arguments, set the same attributes and give
the same results as scikit-learn's, so changing the import is all it takes::

    from sklearn_dl.model_selection import GridSearchCV

:class:`HalvingGridSearchCV` and :class:`HalvingRandomSearchCV` with
``resource="epochs"`` over a sklearn_dl network continue each surviving
candidate's training from the previous rung instead of training it again
from the first epoch (see :mod:`sklearn_dl.model_selection._halving`). They
need no ``enable_halving_search_cv`` import. Importing this package imports
no Keras.
"""

from sklearn_dl.model_selection._halving import (
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
)
from sklearn_dl.model_selection._search import GridSearchCV, RandomizedSearchCV

__all__ = [
    "GridSearchCV",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "RandomizedSearchCV",
]
