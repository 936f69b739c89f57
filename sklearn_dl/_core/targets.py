"""Target encodings between scikit-learn's label space and a network's outputs.

Pure NumPy: a classifier's labels (any kind scikit-learn accepts) become
integer codes, one-hot rows or a 0/1 column depending on the network's output
layer and loss; outputs are decoded back to the original labels.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target

#: How a classifier's targets are fed to the network.
Encoding = Literal["binary", "sparse", "onehot"]


def choose_classifier_encoding(n_units: int, n_classes: int, loss: object) -> Encoding:
    """Pick the target encoding that fits a network's output layer and loss.

    Parameters
    ----------
    n_units : int
        Size of the network's last output axis.
    n_classes : int
        Number of classes in the training targets.
    loss : object
        The compiled loss (a name, a Keras loss object or a function).

    Returns
    -------
    {"binary", "sparse", "onehot"}
        ``"binary"`` for one sigmoid unit (binary problems only), ``"sparse"``
        for integer codes when the loss is a sparse categorical loss,
        ``"onehot"`` otherwise.

    Raises
    ------
    ValueError
        If the output layer's size does not match the number of classes.
    """
    if n_units == 1:
        if n_classes != 2:
            raise ValueError(
                f"The network has 1 output unit, which only fits binary targets, "
                f"but the target has {n_classes} classes. Give the output layer "
                f"{n_classes} units (softmax)."
            )
        return "binary"
    if n_units != n_classes:
        raise ValueError(
            f"The network has {n_units} output units but the target has "
            f"{n_classes} classes; the output layer needs {n_classes} units "
            "(or 1 sigmoid unit for binary targets)."
        )
    return "sparse" if "sparse" in _loss_name(loss) else "onehot"


def _loss_name(loss: object) -> str:
    """Return a lower-case name for a loss given as a string, object or function."""
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    return str(name or type(loss).__name__).lower()


class ClassifierTargets:
    """Encode class labels for a network and decode its outputs.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted unique labels seen in :meth:`fit`.
    target_type_ : str
        scikit-learn's :func:`~sklearn.utils.multiclass.type_of_target`.
    """

    def fit(self, y: np.ndarray) -> ClassifierTargets:
        """Learn the classes of ``y``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : ClassifierTargets
            The fitted encoder.
        """
        check_classification_targets(y)
        self.target_type_ = type_of_target(y, input_name="y")
        if self.target_type_ not in ("binary", "multiclass"):
            raise ValueError(
                f"Only binary and multiclass targets are supported; got "
                f"{self.target_type_!r} targets."
            )
        self.classes_ = np.unique(y)
        return self

    def codes(self, y: np.ndarray) -> np.ndarray:
        """Map labels to integer codes ``0 .. n_classes - 1``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Labels, each one of :attr:`classes_`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Integer codes (int64).

        Raises
        ------
        ValueError
            If ``y`` holds a label not seen in :meth:`fit`.
        """
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        unseen = self.classes_[codes] != y
        if np.any(unseen):
            raise ValueError(
                f"y contains labels not seen in the first fit: "
                f"{np.unique(np.asarray(y)[unseen]).tolist()}; "
                f"known classes are {self.classes_.tolist()}."
            )
        return codes.astype(np.int64)

    def encode(self, y: np.ndarray, encoding: Encoding) -> np.ndarray:
        """Encode labels in the form the network's loss expects.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Labels, each one of :attr:`classes_`.
        encoding : {"binary", "sparse", "onehot"}
            See :func:`choose_classifier_encoding`.

        Returns
        -------
        ndarray
            ``(n, 1)`` float32 0/1 for "binary", ``(n,)`` int64 codes for
            "sparse", ``(n, n_classes)`` float32 one-hot rows for "onehot".
        """
        codes = self.codes(y)
        if encoding == "binary":
            return codes.astype(np.float32).reshape(-1, 1)
        if encoding == "sparse":
            return codes
        onehot = np.zeros((len(codes), len(self.classes_)), dtype=np.float32)
        onehot[np.arange(len(codes)), codes] = 1.0
        return onehot

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """Turn network outputs into class probabilities.

        Parameters
        ----------
        outputs : ndarray of shape (n_samples, n_units)
            The network's outputs: one sigmoid unit or one unit per class.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities as float64, columns in the order of :attr:`classes_`.
        """
        outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
        if outputs.shape[1] == 1:
            return np.hstack([1.0 - outputs, outputs])
        sums = outputs.sum(axis=1, keepdims=True)
        if np.all(np.abs(sums - 1.0) < 1e-4):
            # A float32 softmax sums to 1 only up to float32 rounding, which
            # scikit-learn's log_loss (and calibration) warns about in float64.
            outputs = outputs / sums
        return outputs

    def decode(self, probabilities: np.ndarray) -> np.ndarray:
        """Return the most probable label of each row.

        Parameters
        ----------
        probabilities : ndarray of shape (n_samples, n_classes)
            Output of :meth:`probabilities`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from :attr:`classes_`.
        """
        return self.classes_[np.argmax(probabilities, axis=1)]
