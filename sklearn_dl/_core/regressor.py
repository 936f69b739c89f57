"""Regressor behaviour of the estimator core: one or several numeric targets."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin

from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.targets import NumericTargets


class BaseKerasRegressor(RegressorMixin, BaseKerasEstimator):
    """Core of every sklearn_dl regressor (not used directly).

    1-D targets give 1-D predictions; 2-D targets ``(n, n_outputs)`` need a
    network with ``n_outputs`` output units and give 2-D predictions.
    ``score`` is R².
    """

    _targets = NumericTargets()

    def partial_fit(
        self, X: Any, y: Any = None, sample_weight: Any = None
    ) -> BaseKerasRegressor:
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), LazyArray or dataset
            Training samples, a :class:`~sklearn_dl.LazyArray`, or a dataset
            or generator function yielding ``(X, y)`` batches (``y=None``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets; required unless X is a dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._fit(
            X, y, sample_weight=sample_weight, fit_params={}, warm=True, epochs=1
        )

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples, shaped like the training samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions (float64), 1-D when the training targets were 1-D.
        """
        outputs = np.asarray(self._predict_outputs(X), dtype=np.float64)
        outputs = outputs.reshape(len(outputs), self.n_outputs_)
        return outputs.ravel() if self.target_type_ == "continuous" else outputs

    def __sklearn_tags__(self):
        """Estimator tags: also multi-output targets.

        Returns
        -------
        sklearn.utils.Tags
            The tags.
        """
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
