"""Grid and randomized search: scikit-learn's, importable from sklearn_dl."""

from __future__ import annotations

from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import RandomizedSearchCV as SklearnRandomizedSearchCV

from sklearn_dl.model_selection._docs import derived_docstring
from sklearn_dl.model_selection._fused import FusedSearch

#: What both searches add to scikit-learn's docstring: the fused fits.
_FUSED_NOTES = """
        On Keras's JAX backend, over a
        :class:`~sklearn_dl.networks.DenseClassifier`,
        :class:`~sklearn_dl.networks.DenseRegressor`,
        :class:`~sklearn_dl.KerasClassifier` or
        :class:`~sklearn_dl.KerasRegressor` (a model builder, scikeras's
        way), the (candidate, fold) fits whose prepared networks share an
        architecture, compile settings up to a float learning rate, epochs
        and batch size train together as one vectorized program (at most 64
        fits a group), each fit's network that of the same fit run alone up
        to float rounding; fits that cannot be fused (other backends,
        pipelines, fit parameters, ``n_jobs``, Keras callbacks,
        ``validation_split``, ``class_weight``, a ``random_state`` that is
        not an int, a subclassed or eagerly run Keras model, ...) run as
        scikit-learn runs them. The fitted attributes ``fused_group_`` (per
        candidate, -1 for sequential fits) and ``fused_reason_`` (why, ``""``
        when fused) say which; on JAX, a search over such a network that
        cannot fuse also warns (``UserWarning``) with the reasons. With
        ``verbose > 0`` each fused group is printed (its size, architecture
        and epochs; each epoch with ``verbose > 1``), and
        :func:`sklearn_dl.progress.fit_with_progress` shows its epochs.
"""


class GridSearchCV(FusedSearch, SklearnGridSearchCV):
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
        """
        + _FUSED_NOTES,
    )


class RandomizedSearchCV(FusedSearch, SklearnRandomizedSearchCV):
    __doc__ = derived_docstring(
        SklearnRandomizedSearchCV,
        "Randomized search on hyper parameters of a network.",
        """
        scikit-learn's :class:`~sklearn.model_selection.RandomizedSearchCV`,
        with the same arguments, attributes, results, metadata routing,
        ``n_jobs`` and joblib backends (Dask included).
        """
        + _FUSED_NOTES,
    )


__all__ = ["GridSearchCV", "RandomizedSearchCV"]
