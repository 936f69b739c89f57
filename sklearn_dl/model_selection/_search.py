"""Grid and randomized search: scikit-learn's, importable from sklearn_dl."""

from __future__ import annotations

from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import RandomizedSearchCV as SklearnRandomizedSearchCV

from sklearn_dl.model_selection._docs import derived_docstring


class GridSearchCV(SklearnGridSearchCV):
    __doc__ = derived_docstring(
        SklearnGridSearchCV,
        "Exhaustive search over specified parameter values for a network.",
        """
        scikit-learn's :class:`~sklearn.model_selection.GridSearchCV`, with
        the same arguments, attributes, results, metadata routing, ``n_jobs``
        and joblib backends (Dask included). sklearn_dl networks reuse the
        compiled model of an earlier fit of the same architecture, so the
        (candidate, fold) fits of one architecture trace Keras's functions
        once per process (per worker with ``n_jobs``).
        """,
    )


class RandomizedSearchCV(SklearnRandomizedSearchCV):
    __doc__ = derived_docstring(
        SklearnRandomizedSearchCV,
        "Randomized search on hyper parameters of a network.",
        """
        scikit-learn's :class:`~sklearn.model_selection.RandomizedSearchCV`,
        with the same arguments, attributes, results, metadata routing,
        ``n_jobs`` and joblib backends (Dask included).
        """,
    )


__all__ = ["GridSearchCV", "RandomizedSearchCV"]
