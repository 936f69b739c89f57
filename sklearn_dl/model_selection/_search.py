"""Grid and randomized search: scikit-learn's, importable from sklearn_dl."""

from __future__ import annotations

from typing import Any

from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import RandomizedSearchCV as SklearnRandomizedSearchCV

from sklearn_dl.model_selection._datasets import refuse_datasets
from sklearn_dl.model_selection._docs import derived_docstring
from sklearn_dl.model_selection._fused import FusedSearch


class _ArraySearch:
    """Left of a scikit-learn search: ``fit`` refuses datasets clearly."""

    def fit(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Run fit with all sets of parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or LazyArray
            Training samples; a :class:`~sklearn_dl.LazyArray` for data
            that does not fit in memory (a dataset or a generator cannot be
            split into folds and is refused).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets.
        **params : dict
            Parameters routed to the estimator's ``fit``, the scorer and the
            splitter, as scikit-learn's search routes them.

        Returns
        -------
        self : object
            The fitted search.
        """
        refuse_datasets(X, self)
        return super().fit(X, y, **params)


class GridSearchCV(FusedSearch, _ArraySearch, SklearnGridSearchCV):
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

        On Keras's JAX backend, over a
        :class:`~sklearn_dl.networks.DenseClassifier` or
        :class:`~sklearn_dl.networks.DenseRegressor`, the (candidate, fold)
        fits whose networks differ at most by ``learning_rate`` train
        together as one vectorized program (at most 64 fits a group), each
        fit's network that of the same fit run alone up to float rounding;
        fits that cannot be fused (other backends, pipelines, fit
        parameters, ``n_jobs``, callbacks, ``validation_split``,
        ``class_weight``, a ``random_state`` that is not an int, ...) run as
        scikit-learn runs them. The fitted attributes ``fused_group_`` (per
        candidate, -1 for sequential fits) and ``fused_reason_`` (why, ``""``
        when fused) say which; on JAX, a search over a dense network that
        cannot fuse also warns (``UserWarning``) with the reasons.
        """,
    )


class RandomizedSearchCV(FusedSearch, _ArraySearch, SklearnRandomizedSearchCV):
    __doc__ = derived_docstring(
        SklearnRandomizedSearchCV,
        "Randomized search on hyper parameters of a network.",
        """
        scikit-learn's :class:`~sklearn.model_selection.RandomizedSearchCV`,
        with the same arguments, attributes, results, metadata routing,
        ``n_jobs`` and joblib backends (Dask included).

        On Keras's JAX backend, over a
        :class:`~sklearn_dl.networks.DenseClassifier` or
        :class:`~sklearn_dl.networks.DenseRegressor`, the (candidate, fold)
        fits whose networks differ at most by ``learning_rate`` train
        together as one vectorized program (at most 64 fits a group), each
        fit's network that of the same fit run alone up to float rounding;
        fits that cannot be fused (other backends, pipelines, fit
        parameters, ``n_jobs``, callbacks, ``validation_split``,
        ``class_weight``, a ``random_state`` that is not an int, ...) run as
        scikit-learn runs them. The fitted attributes ``fused_group_`` (per
        candidate, -1 for sequential fits) and ``fused_reason_`` (why, ``""``
        when fused) say which; on JAX, a search over a dense network that
        cannot fuse also warns (``UserWarning``) with the reasons.
        """,
    )


__all__ = ["GridSearchCV", "RandomizedSearchCV"]
