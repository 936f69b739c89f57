"""Transformers on a :class:`~sklearn_dl.LazyArray`: applied per batch, when read.

A transformer in front of a network in a ``Pipeline`` gets the LazyArray
the pipeline was given. Rather than reading it, a transformer that treats
every row on its own returns the LazyArray with its ``transform`` appended
to the array's chain (:meth:`LazyArray.map`); the network then reads
transformed batches. :class:`PixelScaler` and :class:`ImageReshaper` do this
themselves; :class:`PerBatchTransformer` does it for any stateless
scikit-learn transformer (``FunctionTransformer``, ``Normalizer``, ...).
A transformer that learns from all rows (``StandardScaler``) cannot be
applied per batch without a pass over the data, and is refused.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils import Tags, get_tags

from sklearn_dl._core.lazy_array import LazyArray

#: Rows a stateless transformer is fitted on when given a LazyArray.
FIT_SAMPLE_ROWS = 256

__all__ = ["PerBatchTransformer"]


class BatchTransform:
    """A fitted transformer's ``transform`` as a picklable per-batch function.

    Parameters
    ----------
    transformer : object
        A fitted transformer; a copy is kept, so refitting the original
        never changes a LazyArray already made.
    """

    def __init__(self, transformer: Any) -> None:
        self.transformer = copy.deepcopy(transformer)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        """Transform one batch.

        Parameters
        ----------
        batch : ndarray
            Rows read from the LazyArray.

        Returns
        -------
        ndarray
            The transformed rows.
        """
        return self.transformer.transform(batch)


def fit_sample(X: Any) -> Any:
    """What a stateless transformer is fitted on: X, or a LazyArray's first rows.

    Parameters
    ----------
    X : array-like or LazyArray
        The data given to ``fit``.

    Returns
    -------
    array-like
        ``X`` itself, or up to :data:`FIT_SAMPLE_ROWS` rows read from it.
    """
    if isinstance(X, LazyArray):
        return X[:FIT_SAMPLE_ROWS].read()
    return X


def lazily(transformer: Any, X: LazyArray) -> LazyArray:
    """``X`` with ``transformer``'s ``transform`` applied to each batch read.

    Parameters
    ----------
    transformer : object
        A fitted transformer that treats each row on its own.
    X : LazyArray
        The data to transform.

    Returns
    -------
    LazyArray
        The same rows, transformed when read.
    """
    return X.map(BatchTransform(transformer))


class PerBatchTransformer(TransformerMixin, BaseEstimator):
    """Apply a stateless transformer batch by batch to a LazyArray.

    In a ``Pipeline`` in front of a network, ``transform`` of a
    :class:`~sklearn_dl.LazyArray` returns another LazyArray that applies
    the wrapped transformer to each batch when it is read, so the data is
    never read whole; arrays are transformed at once, as the wrapped
    transformer would.

    Parameters
    ----------
    transformer : estimator
        A stateless transformer (its ``requires_fit`` tag is False:
        ``FunctionTransformer``, ``Normalizer``, ``Binarizer``,
        :class:`~sklearn_dl.preprocessing.PixelScaler`). It is cloned, never
        changed.

    Attributes
    ----------
    transformer_ : estimator
        The fitted clone (fitted on the first rows of a LazyArray).
    n_features_in_ : int
        Number of features seen in ``fit``, when the transformer records it.

    See Also
    --------
    sklearn_dl.LazyArray.map : The per-batch transform chain this builds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn_dl import LazyArray
    >>> from sklearn_dl.preprocessing import PerBatchTransformer
    >>> X = LazyArray(np.arange(6.0).reshape(3, 2))
    >>> lazy = PerBatchTransformer(FunctionTransformer(np.sqrt)).fit_transform(X)
    >>> type(lazy).__name__, lazy.read()[2].tolist()
    ('LazyArray', [2.0, 2.23606797749979])
    """

    def __init__(self, transformer: Any) -> None:
        self.transformer = transformer

    def fit(self, X: ArrayLike, y: Any = None) -> PerBatchTransformer:
        """Fit a clone of the transformer (on a LazyArray's first rows).

        Parameters
        ----------
        X : array-like or LazyArray of shape (n_samples, ...)
            Samples.
        y : None
            Ignored.

        Returns
        -------
        self : PerBatchTransformer
            The fitted wrapper.
        """
        self.transformer_ = self._fitted_clone(X)
        if hasattr(self.transformer_, "n_features_in_"):
            self.n_features_in_ = self.transformer_.n_features_in_
        return self

    def _check_stateless(self) -> None:
        if not hasattr(self.transformer, "transform"):
            raise TypeError(
                f"PerBatchTransformer wraps a transformer; "
                f"{type(self.transformer).__name__} has no transform method."
            )
        if get_tags(self.transformer).requires_fit:
            raise ValueError(
                f"{type(self.transformer).__name__} learns from all the rows it "
                "is fitted on, so it cannot be applied batch by batch; "
                "PerBatchTransformer takes stateless transformers (requires_fit "
                "tag False), such as FunctionTransformer or Normalizer."
            )

    def _fitted_clone(self, X: Any) -> Any:
        self._check_stateless()
        return clone(self.transformer).fit(fit_sample(X))

    def transform(self, X: ArrayLike) -> Any:
        """Transform X: lazily for a LazyArray, at once for arrays.

        Parameters
        ----------
        X : array-like or LazyArray of shape (n_samples, ...)
            Samples.

        Returns
        -------
        LazyArray or ndarray
            A LazyArray transforming its batches when read, or the
            transformed array.
        """
        # Stateless: an unfitted wrapper transforms with a clone fitted on X.
        fitted = self.__dict__.get("transformer_")
        if fitted is None:
            fitted = self._fitted_clone(X)
        if isinstance(X, LazyArray):
            return lazily(fitted, X)
        return fitted.transform(X)

    def __sklearn_tags__(self) -> Tags:
        """Tags of the wrapped transformer, stateless.

        Returns
        -------
        sklearn.utils.Tags
            The tags.
        """
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags = copy.deepcopy(get_tags(self.transformer).input_tags)
        return tags
