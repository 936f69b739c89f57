"""Transfer learning: fine-tune a pretrained Keras model as an estimator.

:class:`FineTunedClassifier` and :class:`FineTunedRegressor` take a
pretrained Keras model (a ``keras.Model`` or the path of a ``.keras`` file),
put a new head on it, and train in up to two phases, as in Keras's transfer
learning guide:

1. **head** (``epochs``, ``learning_rate``): the layers chosen by ``freeze``
   are frozen and only the rest (at least the new head) learns;
2. **fine-tuning** (``fine_tune_epochs``, ``fine_tune_learning_rate``): the
   frozen layers are unfrozen and the whole network trains on, with a fresh
   optimizer at a lower learning rate.

The pretrained model is copied for every fit (``keras.models.clone_model``
plus its weights, or loaded again from its file) and never changed, so
clones in a search never share or alter it. The base model runs in
inference mode (``training=False``): its ``BatchNormalization`` statistics
and ``Dropout`` stay as pretrained, in both phases, which is what the Keras
guide recommends for fine-tuning.
"""

from __future__ import annotations

import os
from numbers import Integral, Real
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._compat import HasMethods, Interval, StrOptions
from sklearn_dl._core.classifier import BaseKerasClassifier
from sklearn_dl._core.parameters import (
    CLASSIFIER_PARAMETERS,
    CORE_PARAMETERS,
    REGRESSOR_PARAMETERS,
    Parameter,
    compose_parameters,
    parameter_set,
)
from sklearn_dl._core.regressor import BaseKerasRegressor
from sklearn_dl._core.transaction import FitTransaction
from sklearn_dl.networks._common import (
    NETWORK_PARAMETERS,
    NetworkMixin,
    check_layer_sizes,
    max_norm_constraint,
    output_layer,
)

__all__ = ["FineTunedClassifier", "FineTunedRegressor"]

#: Name of the copied pretrained model inside the estimator's model.
BASE_NAME = "base_model"

#: The fine-tuning networks' own parameters, and the shared ones they word
#: their own way (they train in two phases: the text says which one).
FINETUNE_PARAMETERS = parameter_set(
    Parameter(
        "base_model",
        (HasMethods(["get_layer"]), str, os.PathLike),
        "keras.Model, str or os.PathLike",
        "The pretrained model, or the path of its ``.keras`` file (loaded for "
        "every fit). An unbuilt model (e.g. a ``Sequential`` without an "
        "``Input``) is built for the training samples' shape. Required.",
    ),
    Parameter(
        "feature_layer",
        (Integral, str, None),
        "int, str or None",
        "The layer of the base model whose output feeds the head: an index "
        "into ``base_model.layers`` or a name. None means the base model's "
        "output (a ``keras.applications`` model with ``include_top=False, "
        'pooling="avg"``); -2 drops a trained model\'s own output layer.',
    ),
    Parameter(
        "head_layer_sizes",
        ("array-like", Interval(Integral, 1, None, closed="left")),
        "tuple of int",
        "Units of the head's hidden ``Dense`` layers (none by default: the "
        "output layer right on the features).",
    ),
    Parameter(
        "freeze",
        (
            StrOptions({"all"}),
            Interval(Integral, 0, None, closed="left"),
            list,
            tuple,
            None,
        ),
        '"all", int, list of str or None',
        "Base layers frozen in the head phase: all of them, the first "
        "``freeze`` (input layer not counted), those named, or none.",
    ),
    Parameter(
        "fine_tune_epochs",
        (Interval(Integral, 0, None, closed="left"),),
        "int",
        "Epochs of the fine-tuning phase (0: no second phase).",
    ),
    Parameter(
        "fine_tune_learning_rate",
        (Interval(Real, 0, None, closed="neither"),),
        "float",
        "Learning rate of the fine-tuning phase (much lower than the head's).",
    ),
    NETWORK_PARAMETERS["activation"].reworded(
        "Activation of the head's hidden layers."
    ),
    NETWORK_PARAMETERS["dropout"].reworded(
        "Dropout rate after each hidden head layer."
    ),
    NETWORK_PARAMETERS["max_norm"].reworded(
        "``MaxNorm`` constraint on the head's hidden layers; None for none."
    ),
    CORE_PARAMETERS["optimizer"].reworded(
        "The optimizer; a fresh one is built for each phase."
    ),
    NETWORK_PARAMETERS["learning_rate"].reworded(
        "Learning rate of the head phase; None keeps the optimizer's own Keras default."
    ),
    CORE_PARAMETERS["epochs"].reworded("Epochs of the head phase."),
    NETWORK_PARAMETERS["early_stopping"].reworded(
        "Keras's ``EarlyStopping`` (best weights restored), in each phase."
    ),
    CORE_PARAMETERS["callbacks"].reworded(
        "More Keras callbacks (copied for each phase)."
    ),
    CORE_PARAMETERS["random_state"].reworded(
        "Seeds the head's initialisation, shuffling and dropout."
    ),
    CORE_PARAMETERS["warm_start"].reworded(
        "When True, ``fit`` continues training (the base frozen again for "
        "the head phase)."
    ),
)


def copy_base_model(base_model: Any) -> Any:
    """A fresh copy of a pretrained model: loaded from its file, or cloned.

    Parameters
    ----------
    base_model : keras.Model, str or os.PathLike
        The model, or the path of a ``.keras`` file.

    Returns
    -------
    keras.Model
        A new model with the same architecture and weights; ``base_model``
        itself is not touched.
    """
    keras = import_keras()
    if isinstance(base_model, (str, os.PathLike)):
        return keras.saving.load_model(os.fspath(base_model), compile=False)
    copy = keras.models.clone_model(base_model)
    if base_model.built and base_model.weights:
        copy.set_weights(base_model.get_weights())
    return copy


def _base_layers(base: Any) -> list[Any]:
    """The layers of a base model that ``freeze`` counts (no InputLayer)."""
    keras = import_keras()
    return [
        layer for layer in base.layers if not isinstance(layer, keras.layers.InputLayer)
    ]


class _FineTunedNetwork(NetworkMixin):
    """Builds the base + head model and runs the two training phases."""

    # The phases change ``trainable`` flags and recompile: never pooled.
    _reuses_compiled_models = False

    # ------------------------------------------------------------- building
    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        keras = import_keras()
        sample_shape = tuple(meta["X_shape_"][1:])
        base = copy_base_model(self.base_model)
        if not base.built:
            base.build((None, *sample_shape))
        expected = tuple(base.inputs[0].shape[1:])
        if len(expected) != len(sample_shape) or any(
            e is not None and e != s
            for e, s in zip(expected, sample_shape, strict=True)
        ):
            raise ValueError(
                f"The base model takes samples of shape {expected}; X has "
                f"samples of shape {sample_shape}."
            )
        if self.feature_layer is None:
            features_output = base.outputs[0]
        elif isinstance(self.feature_layer, str):
            features_output = base.get_layer(self.feature_layer).output
        else:
            features_output = base.layers[self.feature_layer].output
        features = keras.Model(base.inputs, features_output, name=BASE_NAME)
        self._apply_freeze(features, phase="head")
        inputs = keras.Input(sample_shape)
        x = features(inputs, training=False)
        if len(x.shape) > 2:
            x = keras.layers.Flatten(name="head_flatten")(x)
        sizes = check_layer_sizes(self.head_layer_sizes, "head_layer_sizes")
        for index, units in enumerate(sizes):
            x = keras.layers.Dense(
                units,
                activation=self.activation,
                kernel_constraint=max_norm_constraint(self.max_norm),
                name=f"head_dense_{index}",
            )(x)
            if self.dropout:
                x = keras.layers.Dropout(self.dropout, name=f"head_dropout_{index}")(x)
        out = output_layer(meta, self.loss, self.output_initializer)
        out = type(out).from_config({**out.get_config(), "name": "head_output"})
        return keras.Model(inputs, out(x), name=type(self).__name__)

    def _apply_freeze(self, features: Any, phase: str) -> None:
        """Set the base layers' ``trainable`` flags for a phase."""
        layers = _base_layers(features)
        if phase == "fine_tune" or self.freeze is None:
            frozen = set()
        elif isinstance(self.freeze, str):  # "all"
            frozen = {layer.name for layer in layers}
        elif isinstance(self.freeze, Integral):
            if self.freeze > len(layers):
                raise ValueError(
                    f"freeze={self.freeze} but the base model has only "
                    f"{len(layers)} layers."
                )
            frozen = {layer.name for layer in layers[: self.freeze]}
        else:
            frozen = set(self.freeze)
            unknown = frozen - {layer.name for layer in layers}
            if unknown:
                raise ValueError(
                    f"freeze names layers the base model does not have: "
                    f"{sorted(unknown)}; its layers are "
                    f"{[layer.name for layer in layers]}."
                )
        for layer in layers:
            layer.trainable = layer.name not in frozen

    # ------------------------------------------------------------- training
    def _routed(self, prefix: str) -> dict[str, Any]:
        """Routed arguments; in the fine-tuning phase, its learning rate."""
        routed = super()._routed(prefix)
        if prefix == "optimizer" and self.__dict__.get("_phase") == "fine_tune":
            routed["learning_rate"] = self.fine_tune_learning_rate
        return routed

    def _enter_phase(self, phase: str) -> None:
        """Freeze or unfreeze the base, then compile with a fresh optimizer."""
        self._phase = phase
        model = self._model
        self._apply_freeze(model.get_layer(BASE_NAME), phase=phase)
        compile_kwargs = self._compile_kwargs()
        if self.loss is None:
            n_units = int(model.outputs[0].shape[-1])
            compile_kwargs["loss"] = self._targets.default_loss(self, n_units)
        model.compile(**compile_kwargs)

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> Any:
        """Train the head, then (``fine_tune_epochs > 0``) fine-tune everything.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples, shaped as the base model's input.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights (both phases).
        **fit_params : dict
            Extra arguments for Keras's ``Model.fit`` (both phases).

        Returns
        -------
        self : object
            The fitted estimator; ``history_`` holds the epochs of both
            phases, the first ``n_head_epochs_`` of them the head phase.
        """
        warm = self.warm_start and self.__sklearn_is_fitted__()
        # Both phases are one fit: a failure in either leaves things as before.
        transaction = FitTransaction(self, keeps_model=warm)
        try:
            self._phase = "head"
            if warm:
                self._enter_phase("head")
            self._fit(
                X,
                y,
                sample_weight=sample_weight,
                fit_params=fit_params,
                warm=self.warm_start,
                epochs=self.epochs,
            )
            self.n_head_epochs_ = len(self.history_.get("loss", []))
            if self.fine_tune_epochs:
                self._enter_phase("fine_tune")
                self._fit(
                    X,
                    y,
                    sample_weight=sample_weight,
                    fit_params=fit_params,
                    warm=True,
                    epochs=self.fine_tune_epochs,
                )
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()
        return self


_DOC = """A pretrained Keras model with a new head, fine-tuned as a {kind}.

    ``fit`` copies ``base_model`` (never changing it), takes the output of
    its ``feature_layer``, adds ``Dense`` head layers
    (``head_layer_sizes``) and {output}. It trains the head for ``epochs``
    at ``learning_rate`` with the ``freeze`` layers of the base frozen;
    then, when ``fine_tune_epochs > 0``, unfreezes them and trains the
    whole network for ``fine_tune_epochs`` with a fresh optimizer at
    ``fine_tune_learning_rate``. Every one of these is a parameter, so
    ``GridSearchCV`` can tune the head and the phases.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network; ``model_.get_layer("base_model")`` is the copy
        of the pretrained model.
    history_ : dict of list
        Per-epoch loss and metrics of both phases.
    n_head_epochs_ : int
        How many entries of ``history_`` belong to the head phase.
    n_features_in_ : int
        Size of the second axis of X.
{extra_attributes}
    See Also
    --------
    NetworkFeatures : A trained network's layer as features, no fine-tuning.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from sklearn_dl.networks import {name}
    >>> inputs = keras.Input((4,))
    >>> hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    >>> pretrained = keras.Model(inputs, keras.layers.Dense(3)(hidden))
    >>> net = {name}(pretrained, feature_layer="hidden", epochs=1,
    ...              fine_tune_epochs=1, random_state=0)
    >>> X = np.random.RandomState(0).normal(size=(20, 4))
    >>> net.fit(X, {example_y}).n_head_epochs_
    1
"""


@compose_parameters(
    CORE_PARAMETERS, CLASSIFIER_PARAMETERS, NETWORK_PARAMETERS, FINETUNE_PARAMETERS
)
class FineTunedClassifier(_FineTunedNetwork, BaseKerasClassifier):
    __doc__ = _DOC.format(
        kind="classifier",
        output="a softmax output layer (one sigmoid unit for binary targets)",
        default_loss=(
            "binary cross-entropy for binary targets and sparse categorical "
            "cross-entropy otherwise"
        ),
        extra_attributes=(
            "    classes_ : ndarray of shape (n_classes,)\n        The class labels.\n"
        ),
        name="FineTunedClassifier",
        example_y="X[:, 0] > 0",
    )

    def __init__(
        self,
        base_model: Any = None,
        *,
        feature_layer: int | str | None = None,
        head_layer_sizes: tuple[int, ...] = (),
        freeze: Any = "all",
        fine_tune_epochs: int = 0,
        fine_tune_learning_rate: float = 1e-5,
        activation: str = "relu",
        dropout: float = 0.0,
        max_norm: float | None = None,
        output_initializer: Any = "glorot_uniform",
        optimizer: Any = "adam",
        learning_rate: float = 0.001,
        loss: Any = None,
        metrics: list | None = None,
        epochs: int = 10,
        batch_size: int = 32,
        validation_split: float = 0.0,
        early_stopping: bool = False,
        monitor: str = "val_loss",
        patience: int = 10,
        callbacks: list | dict | None = None,
        verbose: int | str = 0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        random_state: Any = None,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
        class_weight: dict | str | None = None,
    ) -> None:
        self.base_model = base_model
        self.feature_layer = feature_layer
        self.head_layer_sizes = head_layer_sizes
        self.freeze = freeze
        self.fine_tune_epochs = fine_tune_epochs
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.activation = activation
        self.dropout = dropout
        self.max_norm = max_norm
        self.output_initializer = output_initializer
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.patience = patience
        self.callbacks = callbacks
        self.verbose = verbose
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision
        self.class_weight = class_weight


@compose_parameters(
    CORE_PARAMETERS, REGRESSOR_PARAMETERS, NETWORK_PARAMETERS, FINETUNE_PARAMETERS
)
class FineTunedRegressor(_FineTunedNetwork, BaseKerasRegressor):
    __doc__ = _DOC.format(
        kind="regressor",
        output="a linear output layer with one unit per target column",
        default_loss="the mean squared error",
        extra_attributes="",
        name="FineTunedRegressor",
        example_y="X[:, 0]",
    )

    def __init__(
        self,
        base_model: Any = None,
        *,
        feature_layer: int | str | None = None,
        head_layer_sizes: tuple[int, ...] = (),
        freeze: Any = "all",
        fine_tune_epochs: int = 0,
        fine_tune_learning_rate: float = 1e-5,
        activation: str = "relu",
        dropout: float = 0.0,
        max_norm: float | None = None,
        output_initializer: Any = "glorot_uniform",
        optimizer: Any = "adam",
        learning_rate: float = 0.001,
        loss: Any = None,
        metrics: list | None = None,
        epochs: int = 10,
        batch_size: int = 32,
        validation_split: float = 0.0,
        early_stopping: bool = False,
        monitor: str = "val_loss",
        patience: int = 10,
        callbacks: list | dict | None = None,
        verbose: int | str = 0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        random_state: Any = None,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
    ) -> None:
        self.base_model = base_model
        self.feature_layer = feature_layer
        self.head_layer_sizes = head_layer_sizes
        self.freeze = freeze
        self.fine_tune_epochs = fine_tune_epochs
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.activation = activation
        self.dropout = dropout
        self.max_norm = max_norm
        self.output_initializer = output_initializer
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.patience = patience
        self.callbacks = callbacks
        self.verbose = verbose
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision
