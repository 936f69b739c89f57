"""Classifier behaviour of the estimator core: labels in, labels out."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import validate_data

from sklearn_dl._compat import StrOptions
from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.targets import ClassifierTargets, choose_classifier_encoding


class BaseKerasClassifier(ClassifierMixin, BaseKerasEstimator):
    """Core of every sklearn_dl classifier (not used directly).

    Labels of any kind scikit-learn accepts (ints, strings, bools,
    non-contiguous values) are encoded for the network's output layer: one
    sigmoid unit (binary) or one unit per class, with integer or one-hot
    targets depending on the loss.
    """

    _parameter_constraints: dict = {
        **BaseKerasEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _validate_targets(self, X: Any, y: Any, reset: bool) -> tuple[Any, Any]:
        return validate_data(
            self,
            X,
            y,
            reset=reset,
            allow_nd=True,
            dtype=np.float32,
            ensure_all_finite=True,
        )

    def _fit_targets(self, y: np.ndarray, classes: Any = None) -> None:
        label_space = y if classes is None else np.asarray(classes)
        self.target_encoder_ = ClassifierTargets().fit(label_space)
        self.target_encoder_.codes(y)  # labels outside `classes` fail here
        self.classes_ = self.target_encoder_.classes_
        self.n_classes_ = len(self.classes_)
        if self.n_classes_ < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: y holds "
                f"only {self.classes_.tolist()} (after leaving out zero-weight "
                "samples)."
            )
        self.target_type_ = self.target_encoder_.target_type_
        self.y_dtype_ = y.dtype
        self.n_outputs_ = 1
        self.n_outputs_expected_ = 1

    def _default_loss(self, n_units: int | None) -> str:
        if n_units == 1 or (n_units is None and self.n_classes_ == 2):
            return "binary_crossentropy"
        return "sparse_categorical_crossentropy"

    def _check_outputs(self, n_units: int, loss: Any) -> None:
        self.output_encoding_ = choose_classifier_encoding(
            n_units, self.n_classes_, loss
        )

    def _encode_targets(self, y: np.ndarray) -> np.ndarray:
        return self.target_encoder_.encode(y, self.output_encoding_)

    def _keras_class_weight(self, y: np.ndarray) -> dict[int, float] | None:
        if self.class_weight is None:
            return None
        if self.class_weight == "balanced":
            present = np.unique(y)
            weights = compute_class_weight("balanced", classes=present, y=y)
            by_label = dict(zip(present.tolist(), weights, strict=True))
        else:
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names labels {sorted(unknown, key=str)} that are "
                    f"not among the classes {self.classes_.tolist()}."
                )
            by_label = self.class_weight
        return {
            code: float(by_label.get(label, 1.0))
            for code, label in enumerate(self.classes_.tolist())
        }

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> BaseKerasClassifier:
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples.
        y : array-like of shape (n_samples,)
            Labels.
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
