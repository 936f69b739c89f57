"""Targets: between scikit-learn's label space and a network's outputs.

Two pieces, both without Keras:

- :class:`ClassifierTargets` encodes a classifier's labels (any kind
  scikit-learn accepts) as integer codes, one-hot rows or a 0/1 column,
  depending on the network's output layer and loss, and decodes outputs back;
- the target adapters (:class:`TargetAdapter`: :class:`ClassLabels`,
  :class:`NumericTargets`, and the sequence and token adapters of the
  recurrent networks and the text generator) are the strategies an
  estimator declares as ``_targets``: how its targets are validated,
  learned, encoded for training, and checked against the network.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Literal

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import validate_data

from sklearn_dl._core.keras_names import loss_name

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
    """Return the names a loss goes by, for recognising its kind.

    The loss's full name (:func:`~sklearn_dl._core.keras_names.loss_name`)
    and, for a loss object, the name it was given (``name="my_loss"``), so a
    renamed ``SparseCategoricalCrossentropy`` is still recognised as sparse
    and a loss named ``"sparse_..."`` by its author too.
    """
    if loss is None:
        return ""
    given = getattr(loss, "name", None) if not isinstance(loss, str) else None
    names = [loss_name(loss, strict=False), given if isinstance(given, str) else ""]
    return " ".join(name for name in names if name)


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


def require_targets(estimator: Any, y: Any) -> None:
    """Refuse ``y=None`` for array data (only datasets carry their own targets).

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator being fitted, for the message.
    y : object
        What ``fit`` got as ``y``.

    Raises
    ------
    ValueError
        If ``y`` is None.
    """
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the "
            "target y is None. (y=None is for datasets and generators that "
            "yield (X, y) batches.)"
        )


def output_units(model: Any, sample: Any) -> int:
    """Size of the last axis of a single-output model's output.

    Parameters
    ----------
    model : keras.Model
        A model with one output.
    sample : ndarray
        One input row, used to build a model that has no Input layer.

    Returns
    -------
    int
        The number of output units.
    """
    outputs = getattr(model, "outputs", None) if model.built else None
    if not outputs:
        outputs = model(sample)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if len(outputs) != 1:
        raise ValueError(
            f"The model has {len(outputs)} outputs; sklearn_dl estimators "
            "train models with exactly one output."
        )
    return int(outputs[0].shape[-1])


class TargetAdapter(ABC):
    """How one kind of target is validated, learned, fed to a network and checked.

    An estimator declares its adapter as the class attribute ``_targets``;
    the core calls it and never asks subclasses to override its internals.
    Adapters are stateless: what they learn is set on the estimator as
    fitted attributes (``classes_``, ``n_outputs_`` ...), so it is saved,
    cloned and pickled with the estimator.
    """

    #: Whether samples are arrays whose shape the core records and checks.
    samples_are_arrays = True

    @abstractmethod
    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        """Validate X and y together.

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The estimator (``validate_data`` records feature counts on it).
        X, y : array-like
            Training samples and targets.
        reset : bool
            Whether this is a new fit (learn the feature count and names).

        Returns
        -------
        tuple
            The validated ``(X, y)``.
        """

    @abstractmethod
    def learn(self, estimator: Any, y: np.ndarray, classes: Any = None) -> None:
        """Learn the target space from ``y`` and set it on ``estimator``.

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The estimator being fitted.
        y : ndarray
            Validated targets.
        classes : array-like, default=None
            Every class that will appear (classifiers' ``partial_fit``).
        """

    @abstractmethod
    def default_loss(self, estimator: Any, n_units: int | None) -> Any:
        """The loss used when the ``loss`` parameter is None.

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The fitted estimator.
        n_units : int or None
            The network's output size (None before the model is built).

        Returns
        -------
        object
            A Keras loss.
        """

    @abstractmethod
    def check_outputs(self, estimator: Any, n_units: int, loss: Any) -> None:
        """Check the network's output size against the targets.

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The estimator being fitted (an encoding choice may be set on it).
        n_units : int
            The network's output size.
        loss : object
            The compiled loss.
        """

    @abstractmethod
    def encode(self, estimator: Any, y: np.ndarray) -> Any:
        """Targets in the form the network trains on.

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The fitted estimator.
        y : ndarray
            Validated targets.

        Returns
        -------
        ndarray
            The encoded targets.
        """

    def output_units(self, estimator: Any, model: Any, sample: Any) -> Any:
        """The network's output size, as :meth:`check_outputs` reads it.

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The estimator being fitted.
        model : keras.Model
            The model just built.
        sample : ndarray
            One training sample (builds a model without an Input layer).

        Returns
        -------
        int
            The size of the last axis of the model's single output.
        """
        return output_units(model, sample)

    def class_weight(
        self, estimator: Any, y: np.ndarray, wanted: Any = None
    ) -> dict[int, float] | None:
        """Keras class weights keyed by encoded class (classifiers only).

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The fitted estimator.
        y : ndarray
            Validated targets.
        wanted : dict or "balanced", default=None
            This fit's class weights when a fit call overrides the
            ``class_weight`` parameter.

        Returns
        -------
        dict or None
            None: no class weights.
        """
        if wanted is not None:
            raise ValueError(
                f"{type(estimator).__name__} has no classes to weigh; "
                "class_weight applies to classifiers."
            )
        return None


class ClassLabels(TargetAdapter):
    """Labels of any kind scikit-learn accepts, for one output layer."""

    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        require_targets(estimator, y)
        return validate_data(
            estimator,
            X,
            y,
            reset=reset,
            allow_nd=True,
            dtype=np.float32,
            ensure_all_finite=True,
        )

    def learn(self, estimator: Any, y: np.ndarray, classes: Any = None) -> None:
        label_space = y if classes is None else np.asarray(classes)
        encoder = ClassifierTargets().fit(label_space)
        encoder.codes(y)  # labels outside `classes` fail here
        if len(encoder.classes_) < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: y holds "
                f"only {encoder.classes_.tolist()} (after leaving out zero-weight "
                "samples)."
            )
        estimator.target_encoder_ = encoder
        estimator.classes_ = encoder.classes_
        estimator.n_classes_ = len(encoder.classes_)
        estimator.target_type_ = encoder.target_type_
        estimator.y_dtype_ = y.dtype
        estimator.n_outputs_ = 1
        estimator.n_outputs_expected_ = 1

    def default_loss(self, estimator: Any, n_units: int | None) -> str:
        if n_units == 1 or (n_units is None and estimator.n_classes_ == 2):
            return "binary_crossentropy"
        return "sparse_categorical_crossentropy"

    def check_outputs(self, estimator: Any, n_units: int, loss: Any) -> None:
        estimator.output_encoding_ = choose_classifier_encoding(
            n_units, estimator.n_classes_, loss
        )

    def encode(self, estimator: Any, y: np.ndarray) -> np.ndarray:
        return estimator.target_encoder_.encode(y, estimator.output_encoding_)

    def class_weight(
        self, estimator: Any, y: np.ndarray, wanted: Any = None
    ) -> dict[int, float] | None:
        if wanted is None:
            wanted = estimator.class_weight
        if wanted is None:
            return None
        classes = estimator.classes_.tolist()
        if wanted == "balanced":
            present = np.unique(y)
            weights = compute_class_weight("balanced", classes=present, y=y)
            by_label = dict(zip(present.tolist(), weights, strict=True))
        else:
            unknown = set(wanted) - set(classes)
            if unknown:
                raise ValueError(
                    f"class_weight names labels {sorted(unknown, key=str)} that are "
                    f"not among the classes {classes}."
                )
            by_label = wanted
        return {
            code: float(by_label.get(label, 1.0)) for code, label in enumerate(classes)
        }


class NumericTargets(TargetAdapter):
    """One or several numeric targets: ``(n,)`` or ``(n, n_outputs)``."""

    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        require_targets(estimator, y)
        return validate_data(
            estimator,
            X,
            y,
            reset=reset,
            allow_nd=True,
            dtype=np.float32,
            ensure_all_finite=True,
            multi_output=True,
            y_numeric=True,
        )

    def learn(self, estimator: Any, y: np.ndarray, classes: Any = None) -> None:
        estimator.target_type_ = (
            "continuous" if y.ndim == 1 else "continuous-multioutput"
        )
        estimator.y_dtype_ = y.dtype
        estimator.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        estimator.n_outputs_expected_ = 1

    def default_loss(self, estimator: Any, n_units: int | None) -> str:
        return "mse"

    def check_outputs(self, estimator: Any, n_units: int, loss: Any) -> None:
        if n_units != estimator.n_outputs_:
            raise ValueError(
                f"The network has {n_units} output units but y has "
                f"{estimator.n_outputs_} target column(s)."
            )

    def encode(self, estimator: Any, y: np.ndarray) -> np.ndarray:
        n_outputs, kind = estimator.n_outputs_, estimator.target_type_
        if (y.ndim == 1) != (kind == "continuous") or (
            y.ndim == 2 and y.shape[1] != n_outputs
        ):
            raise ValueError(
                f"y has shape {y.shape}, but the estimator was fitted on "
                f"{n_outputs} target column(s) ({kind})."
            )
        return np.asarray(y, dtype=np.float32).reshape(len(y), -1)
