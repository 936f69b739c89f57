"""Classifier behaviour of the estimator core: labels in, labels out."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin

from sklearn_dl._compat import StrOptions
from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.targets import ClassLabels


class BaseKerasClassifier(ClassifierMixin, BaseKerasEstimator):
    """Core of every sklearn_dl classifier (not used directly).

    Labels of any kind scikit-learn accepts (ints, strings, bools,
    non-contiguous values) are encoded for the network's output layer: one
    sigmoid unit (binary) or one unit per class, with integer or one-hot
    targets depending on the loss.
    """

    _targets = ClassLabels()

    _parameter_constraints: dict = {
        **BaseKerasEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def partial_fit(
        self, X: Any, y: Any = None, classes: Any = None, sample_weight: Any = None
    ) -> BaseKerasClassifier:
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), LazyArray or dataset
            Training samples, a :class:`~sklearn_dl.LazyArray`, or a dataset
            or generator function yielding ``(X, y)`` batches (``y=None``).
        y : array-like of shape (n_samples,), \
default=None
            Labels; required unless X is a dataset.
        classes : array-like of shape (n_classes,), default=None
            All labels that will ever appear; needed on the first call when
            this batch does not hold every class.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            fit_params={},
            warm=True,
            epochs=1,
            classes=classes,
        )

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples, shaped like the training samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        outputs = self._predict_outputs(X)  # checks fitted before any attribute
        return self.target_encoder_.probabilities(outputs)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples, shaped like the training samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        probabilities = self.predict_proba(X)
        return self.target_encoder_.decode(probabilities)
