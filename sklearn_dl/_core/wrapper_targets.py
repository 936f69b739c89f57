"""The wrappers' targets: several inputs and outputs, and scikeras's checks.

:class:`WrapperTargets` is the :class:`~sklearn_dl._core.targets.TargetAdapter`
of ``KerasClassifier`` and ``KerasRegressor``. For one input and one output
it defers to the core's adapter (:class:`~sklearn_dl._core.targets.ClassLabels`
or :class:`~sklearn_dl._core.targets.NumericTargets`); otherwise:

- inputs: ``X`` as a dict, list, :class:`~sklearn_dl._core.multi_io.NamedArrays`
  or a DataFrame with grouped columns, after the optional ``feature_encoder``;
- outputs, in scikit-learn's multi-output formats so ``score`` and the
  model-selection tools work unchanged: a classifier takes a 2-D ``y``, a
  multilabel indicator matrix (one sigmoid output with a unit per label, or
  one output per label) or one label column per model output
  (multi-output multiclass), with ``classes_`` and ``n_classes_`` as lists;
  a regressor with several model outputs takes a 2-D ``y`` whose columns
  are split over the outputs in order; both also take ``y`` as a dict keyed
  by the model's output names (or a list in output order).

The ``target_encoder`` hook: the wrappers' default encoders
(:class:`~sklearn_dl.utils.transformers.ClassifierLabelEncoder`,
:class:`~sklearn_dl.utils.transformers.RegressorTargetEncoder`) are fitted
as ``target_encoder_`` and the encoding the network needs is chosen from its
output layer and loss, as above; any other encoder a subclass's hook returns
(a subclass of the defaults, a pipeline) is used as scikeras uses it: fitted
on ``y``, its ``get_metadata()`` copied onto the estimator, ``transform``
feeding the network and ``inverse_transform`` decoding its outputs.

Every fit also checks what scikeras checks: a ``loss=`` that contradicts the
loss the builder compiled with, and a model input that cannot take X's
samples (images given to an input sized from ``n_features_in_``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from sklearn_dl._core.multi_io import (
    NamedArrays,
    as_model_input,
    as_named_arrays,
    is_multi,
    validate_named_arrays,
)
from sklearn_dl._core.targets import (
    ClassifierTargets,
    TargetAdapter,
    choose_classifier_encoding,
    output_units,
    require_targets,
)
from sklearn_dl._core.wrapper_checks import (
    check_input_shape,
    check_loss_contradiction,
    check_some_loss,
)

#: Fitted attributes that describe several inputs or outputs.
MULTI_ATTRIBUTES = (
    "input_names_",
    "X_shapes_",
    "output_names_",
    "output_columns_",
    "output_keys_",
    "target_encoders_",
    "output_encodings_",
    "output_layout_",
)


def encode_features(estimator: Any, X: Any, reset: bool) -> Any:
    """X through the estimator's ``feature_encoder`` (fitted when ``reset``).

    Parameters
    ----------
    estimator : object
        The wrapper; its ``feature_encoder`` is None or a transformer.
    X : object
        X as given.
    reset : bool
        Whether a new fit starts (clone and fit the encoder).

    Returns
    -------
    object
        The encoded X (X itself without an encoder).
    """
    encoder = getattr(estimator, "feature_encoder", None)
    if encoder is None:
        return X
    if reset:
        fresh = clone(encoder) if hasattr(encoder, "get_params") else encoder
        estimator.feature_encoder_ = fresh.fit(X)
    return estimator.feature_encoder_.transform(X)


def validate_inputs(estimator: Any, X: Any, reset: bool) -> Any:
    """Validate several inputs (a NamedArrays) or one array.

    Parameters
    ----------
    estimator : object
        The wrapper.
    X : object
        Encoded X.
    reset : bool
        Whether a new fit starts (learn the inputs' names and shapes).

    Returns
    -------
    ndarray or NamedArrays
        The validated inputs.
    """
    if not is_multi(X):
        X = validate_data(estimator, X, reset=reset, allow_nd=True, dtype=np.float32)
        if reset:
            estimator.X_shape_ = X.shape
        return X
    X = validate_named_arrays(as_named_arrays(X))
    shapes = {name: tuple(value.shape[1:]) for name, value in X.items()}
    if reset:
        estimator.input_names_ = X.keys()
        estimator.X_shapes_ = shapes
        estimator.X_shape_ = X.shape
        estimator.n_features_in_ = int(sum(np.prod(shape) for shape in shapes.values()))
        estimator.__dict__.pop("feature_names_in_", None)
        return X
    known = estimator.__dict__.get("X_shapes_")
    if X.keyed and sorted(shapes) == sorted(estimator.__dict__.get("input_names_", [])):
        # Fed in the fit's order, whatever order the dict was written in.
        X = NamedArrays({name: X[name] for name in estimator.input_names_})
        shapes = {name: shapes[name] for name in estimator.input_names_}
    if shapes != known:
        raise ValueError(
            f"X has inputs {shapes}, but {type(estimator).__name__} was fitted "
            f"on inputs {known}."
        )
    return X


def stack_outputs(estimator: Any, y: Any, reset: bool) -> np.ndarray:
    """Several outputs' targets as one 2-D array of columns.

    Parameters
    ----------
    estimator : object
        The wrapper (``output_names_`` and ``output_columns_`` are learnt).
    y : dict, list or NamedArrays
        One array per model output.
    reset : bool
        Whether a new fit starts.

    Returns
    -------
    ndarray of shape (n_samples, n_columns)
        The columns side by side.
    """
    arrays = as_named_arrays(y)
    columns, widths = [], {}
    for name, value in arrays.items():
        value = np.asarray(value)
        value = value.reshape(len(value), -1)
        widths[name] = value.shape[1]
        columns.append(value)
    if reset:
        estimator.output_names_ = arrays.keys() if arrays.keyed else None
        estimator.output_columns_ = widths
    if len({column.dtype for column in columns}) == 1:
        return np.hstack(columns)
    return np.hstack([column.astype(object) for column in columns])


def has_several_targets(estimator: Any) -> bool:
    """Whether a fitted wrapper's targets are handled per output.

    Parameters
    ----------
    estimator : object
        The wrapper.

    Returns
    -------
    bool
        True for per-column classes, or several regression columns.
    """
    state = estimator.__dict__
    if isinstance(state.get("classes_"), list):
        return True
    return "output_columns_" in state or (
        state.get("target_type_") == "continuous-multioutput"
        and not hasattr(estimator, "classes_")
    )


class WrapperTargets(TargetAdapter):
    """The wrappers' targets: one output as the core's adapter, or several.

    Parameters
    ----------
    single : TargetAdapter
        The core's adapter for one input and one output.
    classifier : bool
        Whether the targets are labels.
    default_encoder : type, default=None
        The class of the wrapper's default ``target_encoder``: an encoder of
        exactly this class keeps the built-in encoding; any other is a
        custom encoder.
    """

    def __init__(
        self, single: TargetAdapter, classifier: bool, default_encoder: Any = None
    ) -> None:
        self.single = single
        self.classifier = classifier
        self.default_encoder = default_encoder

    # --------------------------------------------------- target encoder
    def _hooked_encoder(self, estimator: Any) -> Any:
        """The custom encoder the estimator's hook returns, or None."""
        encoder = getattr(estimator, "target_encoder", None)
        if encoder is None or self.default_encoder is None:
            return None
        return None if type(encoder) is self.default_encoder else encoder

    def uses_custom_encoder(self, estimator: Any) -> bool:
        """Whether a fitted estimator's targets go through a custom encoder.

        Parameters
        ----------
        estimator : object
            The wrapper.

        Returns
        -------
        bool
            True when ``target_encoder_`` is not the default encoder.
        """
        encoder = estimator.__dict__.get("target_encoder_")
        return (
            encoder is not None
            and self.default_encoder is not None
            and type(encoder) is not self.default_encoder
            and type(encoder) is not ClassifierTargets
        )

    def _validate_custom(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        """X and y for a custom encoder: y stays as the encoder takes it."""
        require_targets(estimator, y)
        X = validate_inputs(estimator, X, reset)
        if not is_multi(y):
            y = check_array(
                y,
                ensure_2d=False,
                dtype=None if self.classifier else "numeric",
                ensure_all_finite=not self.classifier,
                input_name="y",
            )
        check_consistent_length(X, y)
        return X, y

    def _learn_custom(self, estimator: Any, encoder: Any, y: Any, classes: Any) -> None:
        """Fit a custom encoder and take its metadata, as scikeras does."""
        fresh = clone(encoder) if hasattr(encoder, "get_params") else encoder
        if classes is not None and "categories" in getattr(fresh, "get_params", dict)():
            fresh.set_params(categories=[np.asarray(classes)])
        estimator.target_encoder_ = fresh.fit(y)
        if self.classifier:
            estimator.classes_ = None
            estimator.n_classes_ = None
        estimator.target_type_ = type_of_target(y, input_name="y")
        estimator.y_dtype_ = getattr(y, "dtype", None)
        estimator.y_ndim_ = getattr(y, "ndim", None)
        estimator.n_outputs_ = 1 if getattr(y, "ndim", 1) == 1 else y.shape[1]
        estimator.n_outputs_expected_ = None
        for name, value in getattr(fresh, "get_metadata", dict)().items():
            setattr(estimator, name, value)

    # ------------------------------------------------------------- data
    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        X = encode_features(estimator, X, reset)
        if reset:
            for name in MULTI_ATTRIBUTES:
                estimator.__dict__.pop(name, None)
        custom = (
            self._hooked_encoder(estimator)
            if reset
            else self.uses_custom_encoder(estimator)
        )
        if custom is not None and custom is not False:
            return self._validate_custom(estimator, X, y, reset)
        if is_multi(y):
            y = stack_outputs(estimator, y, reset)
        shape = getattr(y, "shape", None)  # not np.shape: y may refuse NumPy
        two_d_labels = (
            self.classifier and shape is not None and len(shape) == 2 and shape[1] > 1
        )
        if two_d_labels and not reset and not has_several_targets(estimator):
            raise ValueError(
                f"y has shape {tuple(shape)}, but {type(estimator).__name__} was "
                "fitted on one column of labels."
            )
        if not is_multi(X) and not two_d_labels:
            return self.single.validate(estimator, X, y, reset)
        X = validate_inputs(estimator, X, reset)
        if self.classifier:
            y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=True)
            if y.ndim == 2 and y.shape[1] == 1:
                y = column_or_1d(y)
        else:
            y = check_array(y, ensure_2d=False, dtype="numeric", ensure_all_finite=True)
        check_consistent_length(X, y)
        return X, y

    def learn(self, estimator: Any, y: np.ndarray, classes: Any = None) -> None:
        custom = self._hooked_encoder(estimator)
        if custom is not None:
            self._learn_custom(estimator, custom, y, classes)
            return
        estimator.y_ndim_ = y.ndim
        if not (self.classifier and y.ndim == 2):
            default = getattr(estimator, "target_encoder", None)
            given = getattr(default, "categories", "auto")
            if classes is None and not isinstance(given, str):
                classes = given[0]  # the default encoder naming every class
            self.single.learn(estimator, y, classes)
            if default is not None:
                self._fit_default(estimator, default, y)
            return
        target_type = type_of_target(y, input_name="y")
        if target_type not in ("multilabel-indicator", "multiclass-multioutput"):
            raise ValueError(
                "A 2-D y for a classifier must be a multilabel indicator matrix "
                f"or one label column per output; got {target_type!r} targets."
            )
        encoders = []
        for index in range(y.shape[1]):
            if target_type == "multilabel-indicator":
                space = np.array([0, 1], dtype=y.dtype)
            elif classes is not None:
                space = np.asarray(classes[index])
            else:
                space = y[:, index]
            encoder = ClassifierTargets().fit(space)
            encoder.codes(y[:, index])
            encoders.append(encoder)
        estimator.target_encoders_ = encoders
        estimator.classes_ = [encoder.classes_ for encoder in encoders]
        estimator.n_classes_ = [len(labels) for labels in estimator.classes_]
        estimator.target_type_ = target_type
        estimator.y_dtype_ = y.dtype
        estimator.n_outputs_ = y.shape[1]
        estimator.n_outputs_expected_ = (
            1 if target_type == "multilabel-indicator" else y.shape[1]
        )
        estimator.__dict__.pop("target_encoder_", None)

    def _fit_default(self, estimator: Any, default: Any, y: np.ndarray) -> None:
        """Fit the default encoder on what the built-in encoding learnt.

        Fitted on the classes (a classifier) or one row (a regressor): its
        metadata is the estimator's, without reading every label again.
        """
        fresh = clone(default)
        if self.classifier:
            fresh.set_params(categories=[estimator.classes_])
            estimator.target_encoder_ = fresh.fit(estimator.classes_)
        else:
            estimator.target_encoder_ = fresh.fit(y[:1])

    # ------------------------------------------------------------ model
    def output_units(self, estimator: Any, model: Any, sample: Any) -> Any:
        check_input_shape(model, sample, type(estimator).__name__)
        if self.uses_custom_encoder(estimator):
            if model.built and getattr(model, "outputs", None):
                units = [int(output.shape[-1]) for output in model.outputs]
            else:
                units = [output_units(model, as_model_input(sample))]
            return units[0] if len(units) == 1 else units
        if not has_several_targets(estimator):
            return output_units(model, as_model_input(sample))
        if model.built and getattr(model, "outputs", None):
            units = [int(output.shape[-1]) for output in model.outputs]
        else:  # no Input layer: one call on a sample builds it
            units = [output_units(model, as_model_input(sample))]
        names = list(getattr(model, "output_names", []) or [])
        self._plan_outputs(estimator, units, names)
        return (
            units[0] if estimator.output_layout_ in ("single", "multilabel") else units
        )

    def _plan_outputs(self, estimator: Any, units: list[int], names: list) -> None:
        """How the target columns map onto the model's outputs."""
        n_columns = estimator.n_outputs_
        estimator.output_keys_ = None
        if self.classifier:
            if len(units) == 1 and estimator.target_type_ == "multilabel-indicator":
                if units[0] != n_columns:
                    raise ValueError(
                        f"The network's output has {units[0]} units but y has "
                        f"{n_columns} labels."
                    )
                estimator.output_layout_ = "multilabel"
                return
            if len(units) != n_columns:
                raise ValueError(
                    f"The network has {len(units)} outputs but y has {n_columns} "
                    "label columns; give the model one output per column."
                )
            estimator.output_layout_ = "per_output"
            estimator.output_keys_ = names or None  # a dict loss's keys
            return
        columns = estimator.__dict__.get("output_columns_") or {}
        given = estimator.__dict__.get("output_names_")
        by_name = given is not None and sorted(given) == sorted(names)
        widths = (
            [columns[name] for name in names] if by_name else list(columns.values())
        )
        if len(units) == 1:
            if units[0] != n_columns:
                raise ValueError(
                    f"The network has {units[0]} output units but y has "
                    f"{n_columns} target column(s)."
                )
            estimator.output_layout_ = "single"
            return
        if widths and len(widths) == len(units):
            if widths != units:
                raise ValueError(
                    f"The outputs of the network have {units} units but y gives "
                    f"them {widths} columns."
                )
        elif sum(units) != n_columns:
            raise ValueError(
                f"The network's {len(units)} outputs have {sum(units)} units in "
                f"all but y has {n_columns} target columns."
            )
        estimator.output_layout_ = "per_output"
        estimator.output_keys_ = names if by_name else None

    def default_loss(self, estimator: Any, n_units: Any) -> Any:
        if self.uses_custom_encoder(estimator):
            return self._custom_default_loss(estimator, n_units)
        if not isinstance(n_units, list):
            if isinstance(estimator.__dict__.get("n_classes_"), list):
                return "binary_crossentropy"  # before the model is built
            return self.single.default_loss(estimator, n_units)
        if not self.classifier:
            return ["mse"] * len(n_units)
        if estimator.output_layout_ == "multilabel":
            return "binary_crossentropy"
        return [
            "binary_crossentropy" if unit == 1 else "sparse_categorical_crossentropy"
            for unit in n_units
        ]

    def _custom_default_loss(self, estimator: Any, n_units: Any) -> Any:
        """A custom encoder's default loss: the built-in one where it is clear."""
        if not self.classifier:
            return ["mse"] * len(n_units) if isinstance(n_units, list) else "mse"
        n_classes = estimator.__dict__.get("n_classes_")
        if isinstance(n_classes, int) and not isinstance(n_units, list):
            return self.single.default_loss(estimator, n_units)
        if n_units is None:  # before the model is built: a builder may compile
            return None
        raise ValueError(
            f"{type(estimator).__name__} has no default loss for the targets of "
            f"{type(estimator.target_encoder_).__name__}: give `loss=` or "
            "compile the model in its builder."
        )

    def check_outputs(self, estimator: Any, n_units: Any, loss: Any) -> None:
        check_some_loss(estimator, loss)
        check_loss_contradiction(estimator, loss)
        if self.uses_custom_encoder(estimator):
            expected = estimator.__dict__.get("n_outputs_expected_")
            n_outputs = len(n_units) if isinstance(n_units, list) else 1
            if expected and expected != n_outputs:
                raise ValueError(
                    f"{type(estimator.target_encoder_).__name__} expects the "
                    f"model to have {expected} output(s) (n_outputs_expected_), "
                    f"but it has {n_outputs}."
                )
            return
        layout = estimator.__dict__.get("output_layout_", "single")
        if not has_several_targets(estimator):
            estimator.__dict__.pop("output_layout_", None)
            self.single.check_outputs(estimator, n_units, loss)
            return
        if not self.classifier or layout == "multilabel":
            estimator.output_encodings_ = None
            if not self.classifier and layout == "single":
                self.single.check_outputs(estimator, n_units, loss)
            return
        losses = loss if isinstance(loss, (list, tuple)) else [loss] * len(n_units)
        if isinstance(loss, dict):
            names = estimator.__dict__.get("output_keys_") or []
            losses = [loss.get(name) for name in names]
        if isinstance(loss, (list, tuple)) and len(losses) != len(n_units):
            raise ValueError(
                f"The network has {len(n_units)} outputs but the loss gives "
                f"{len(losses)} ({loss!r}); give one loss per output."
            )
        estimator.output_encodings_ = [
            choose_classifier_encoding(unit, n_classes, each)
            for unit, n_classes, each in zip(
                n_units, estimator.n_classes_, losses, strict=True
            )
        ]

    def encode(self, estimator: Any, y: np.ndarray) -> Any:
        if self.uses_custom_encoder(estimator):
            return _network_targets(estimator.target_encoder_.transform(y))
        layout = estimator.__dict__.get("output_layout_")
        if layout is None:
            return self.single.encode(estimator, y)
        if y.ndim != 2 or y.shape[1] != estimator.n_outputs_:
            raise ValueError(
                f"y has shape {y.shape}, but the estimator was fitted on "
                f"{estimator.n_outputs_} target columns."
            )
        if layout == "single":
            return np.asarray(y, dtype=np.float32)
        if self.classifier:
            if layout == "multilabel":
                return np.asarray(y, dtype=np.float32)
            return [
                encoder.encode(y[:, index], encoding)
                for index, (encoder, encoding) in enumerate(
                    zip(
                        estimator.target_encoders_,
                        estimator.output_encodings_,
                        strict=True,
                    )
                )
            ]
        parts, start = [], 0
        for width in output_widths(estimator):
            parts.append(np.asarray(y[:, start : start + width], dtype=np.float32))
            start += width
        keys = estimator.output_keys_
        if keys is not None:
            given = list(estimator.output_names_)
            return {name: parts[given.index(name)] for name in keys}
        return parts

    def class_weight(
        self, estimator: Any, y: np.ndarray, wanted: Any = None
    ) -> dict[int, float] | None:
        if self.uses_custom_encoder(estimator):
            if wanted is None:
                wanted = getattr(estimator, "class_weight", None)
            if wanted is not None:
                raise ValueError(
                    "class_weight needs the built-in label encoding; with a "
                    "custom target_encoder give sample_weight instead (e.g. "
                    "sklearn.utils.class_weight.compute_sample_weight)."
                )
            return None
        if not has_several_targets(estimator):
            return self.single.class_weight(estimator, y, wanted)
        if wanted is None:
            wanted = getattr(estimator, "class_weight", None)
        if wanted is not None:
            raise ValueError(
                "class_weight applies to one output; with several outputs give "
                "sample_weight instead."
            )
        return None


def _network_targets(encoded: Any) -> Any:
    """A custom encoder's output as Keras takes it (floats as float32)."""
    if isinstance(encoded, dict):
        return {name: _network_targets(value) for name, value in encoded.items()}
    if isinstance(encoded, (list, tuple)):
        return [_network_targets(value) for value in encoded]
    encoded = np.asarray(encoded)
    if encoded.dtype.kind == "f":
        return encoded.astype(np.float32, copy=False)
    return encoded


def decode_custom(estimator: Any, outputs: Any, **kwargs: Any) -> Any:
    """Network outputs through a custom encoder's ``inverse_transform``.

    Parameters
    ----------
    estimator : object
        The fitted wrapper.
    outputs : ndarray or list of ndarray
        The network's outputs.
    **kwargs : dict
        ``return_proba=True`` for ``predict_proba``.

    Returns
    -------
    object
        What the encoder returns.
    """
    return estimator.target_encoder_.inverse_transform(outputs, **kwargs)


def output_widths(estimator: Any) -> list[int]:
    """Units of each of a fitted wrapper's model outputs, in the model's order.

    Parameters
    ----------
    estimator : object
        The fitted wrapper.

    Returns
    -------
    list of int
        One entry per model output.
    """
    return [int(output.shape[-1]) for output in estimator._model.outputs]


def multi_probabilities(estimator: Any, outputs: Any) -> list[np.ndarray]:
    """``predict_proba``'s list for several label columns (one array each).

    Parameters
    ----------
    estimator : object
        The fitted classifier.
    outputs : ndarray or list of ndarray
        The network's outputs.

    Returns
    -------
    list of ndarray
        ``(n_samples, n_classes)`` probabilities per column.
    """
    if estimator.output_layout_ == "multilabel":
        outputs = np.asarray(outputs, dtype=np.float64)
        return [
            np.column_stack([1.0 - outputs[:, index], outputs[:, index]])
            for index in range(outputs.shape[1])
        ]
    return [
        encoder.probabilities(part)
        for encoder, part in zip(estimator.target_encoders_, outputs, strict=True)
    ]


def multi_labels(estimator: Any, probabilities: list[np.ndarray]) -> np.ndarray:
    """``(n_samples, n_outputs)`` labels from ``predict_proba``'s list.

    Parameters
    ----------
    estimator : object
        The fitted classifier.
    probabilities : list of ndarray
        Output of :func:`multi_probabilities`.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs)
        The labels.
    """
    return np.column_stack(
        [
            encoder.decode(part)
            for encoder, part in zip(
                estimator.target_encoders_, probabilities, strict=True
            )
        ]
    )


def multi_regression(estimator: Any, outputs: Any) -> np.ndarray:
    """``(n_samples, n_outputs)`` predictions from several model outputs.

    Parameters
    ----------
    estimator : object
        The fitted regressor.
    outputs : ndarray or list of ndarray
        The network's outputs.

    Returns
    -------
    ndarray of shape (n_samples, n_columns)
        Predictions in y's column order.
    """
    if isinstance(outputs, list):
        keys = estimator.__dict__.get("output_keys_")
        if keys is not None:  # model order -> y's column order
            given = list(estimator.output_names_)
            outputs = [outputs[keys.index(name)] for name in given]
        outputs = np.hstack(
            [np.asarray(part).reshape(len(part), -1) for part in outputs]
        )
    return np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)


__all__ = [
    "WrapperTargets",
    "decode_custom",
    "encode_features",
    "multi_labels",
    "multi_probabilities",
    "multi_regression",
    "validate_inputs",
]
