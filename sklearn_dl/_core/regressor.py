"""Regressor behaviour of the estimator core: one or several numeric targets."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import validate_data

from sklearn_dl._core.estimator import BaseKerasEstimator


class BaseKerasRegressor(RegressorMixin, BaseKerasEstimator):
    """Core of every sklearn_dl regressor (not used directly).

    1-D targets give 1-D predictions; 2-D targets ``(n, n_outputs)`` need a
    network with ``n_outputs`` output units and give 2-D predictions.
    ``score`` is R².
    """

    def _validate_targets(self, X: Any, y: Any, reset: bool) -> tuple[Any, Any]:
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            allow_nd=True,
            dtype=np.float32,
            ensure_all_finite=True,
            multi_output=True,
            y_numeric=True,
        )
        return X, y

    def _fit_targets(self, y: np.ndarray, classes: Any = None) -> None:
        self.target_type_ = "continuous" if y.ndim == 1 else "continuous-multioutput"
        self.y_dtype_ = y.dtype
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self.n_outputs_expected_ = 1

    def _default_loss(self, n_units: int | None) -> str:
        return "mse"

    def _check_outputs(self, n_units: int, loss: Any) -> None:
        if n_units != self.n_outputs_:
            raise ValueError(
                f"The network has {n_units} output units but y has "
                f"{self.n_outputs_} target column(s)."
            )

    def _encode_targets(self, y: np.ndarray) -> np.ndarray:
        if (y.ndim == 1) != (self.target_type_ == "continuous") or (
            y.ndim == 2 and y.shape[1] != self.n_outputs_
        ):
            raise ValueError(
                f"y has shape {y.shape}, but the estimator was fitted on "
                f"{self.n_outputs_} target column(s) ({self.target_type_})."
            )
        return np.asarray(y, dtype=np.float32).reshape(len(y), -1)

    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> BaseKerasRegressor:
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
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
