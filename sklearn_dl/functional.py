"""The book's Functional-API models as builders, and freezing layers.

The Functional API (book part 3, section 6) builds a model by calling layers
on tensors, ``Model(inputs, outputs)``, so one layer can feed two others
(branches merged with ``Add``), a layer (or a whole model) can sit in two
models at once, sharing its weights, and layers can be frozen with
``trainable = False``.

Every builder here takes ``meta`` first, so it can be given as is to
:class:`~sklearn_dl.KerasClassifier` or :class:`~sklearn_dl.KerasRegressor`
(``model=digit_detector``); its other parameters are routed as
``model__<name>`` and can be grid-searched. Without ``meta`` they build
plain Keras models.

- :func:`digit_detector`: the book's "is this an MNIST digit?" network,
  784 → 1000 → 500 → 1 sigmoid (Figure B3-96).
- :func:`shared_layer_models`: two models sharing their hidden layers
  (Figure B3-94); training either changes both. :func:`shared_layer_model`
  builds one of them for an estimator.
- :func:`branching_model`: two convolution branches fed by the same layer
  and merged with ``Add`` (Figure B3-99).
- :func:`freeze_layers`, :func:`unfreeze_layers`: an uncompiled copy of a
  (pre-trained) model with some layers frozen or thawed, ready to be passed
  as ``model=`` so that the estimator compiles it with its own optimizer and
  learning rate: the book's "set ``trainable`` and compile again" (part 2,
  "Using Pre-Trained Models").

Keras is imported only when a model is built.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from numbers import Integral
from typing import Any

from sklearn_dl._backend.keras import import_keras

__all__ = [
    "branching_model",
    "digit_detector",
    "freeze_layers",
    "shared_layer_model",
    "shared_layer_models",
    "unfreeze_layers",
]

#: Name of the sub-model holding the layers that :func:`shared_layer_models` shares.
SHARED_LAYERS_NAME = "shared_layers"


def _n_features(meta: dict[str, Any] | None, n_features: int | None) -> int:
    """Input size: from ``meta`` (an estimator's data) or given."""
    if meta is not None and "n_features_in_" in meta:
        return int(meta["n_features_in_"])
    if n_features is None:
        raise ValueError("Give n_features (or meta from an estimator).")
    return int(n_features)


def _output_layer(
    meta: dict[str, Any] | None, n_outputs: int, activation: str | None
) -> Any:
    """The last layer: chosen from ``meta`` when an estimator builds the model."""
    keras = import_keras()
    if meta is not None and "n_classes_" in meta:
        if meta["n_classes_"] == 2:
            return keras.layers.Dense(1, activation="sigmoid", name="output")
        return keras.layers.Dense(
            meta["n_classes_"], activation="softmax", name="output"
        )
    if meta is not None and "n_outputs_" in meta:
        return keras.layers.Dense(meta["n_outputs_"], name="output")
    return keras.layers.Dense(n_outputs, activation=activation, name="output")


def _sizes(units: Any, name: str) -> tuple[int, ...]:
    """Positive layer sizes as a tuple, at least one."""
    if isinstance(units, Integral) and not isinstance(units, bool):
        units = (units,)
    if (
        not isinstance(units, Sequence)
        or isinstance(units, str)
        or not units
        or not all(
            isinstance(size, Integral) and not isinstance(size, bool) and size > 0
            for size in units
        )
    ):
        raise ValueError(f"{name} must be positive ints, one per layer; got {units!r}.")
    return tuple(int(size) for size in units)


def digit_detector(
    meta: dict[str, Any] | None = None,
    *,
    n_features: int = 784,
    hidden_units: Sequence[int] = (1000, 500),
    activation: str = "relu",
) -> Any:
    """The book's digit detector: Dense layers, then one sigmoid unit.

    Listings B3-80 to B3-82: ``Input(784)`` → ``Dense(1000, relu)`` →
    ``Dense(500, relu)`` → ``Dense(1, sigmoid)``, built with the Functional
    API. The output is the probability that the input is a digit image.

    Parameters
    ----------
    meta : dict, default=None
        What an estimator knows about the data; ``n_features_in_`` then
        replaces ``n_features``.
    n_features : int, default=784
        Input size (a flattened 28x28 image).
    hidden_units : sequence of int, default=(1000, 500)
        Units of the hidden layers, named ``dense_1``, ``dense_2`` ...
    activation : str, default="relu"
        Activation of the hidden layers.

    Returns
    -------
    keras.Model
        An uncompiled Functional model with one sigmoid output.

    Examples
    --------
    >>> from sklearn_dl.functional import digit_detector
    >>> model = digit_detector(n_features=64, hidden_units=(32, 16))
    >>> [layer.name for layer in model.layers]
    ['input', 'dense_1', 'dense_2', 'output']
    """
    keras = import_keras()
    inputs = keras.Input(shape=(_n_features(meta, n_features),), name="input")
    hidden = inputs
    for position, units in enumerate(_sizes(hidden_units, "hidden_units"), start=1):
        hidden = keras.layers.Dense(
            units, activation=activation, name=f"dense_{position}"
        )(hidden)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(hidden)
    return keras.Model(inputs, outputs, name="digit_detector")


def shared_layer_models(
    n_features: int = 10,
    *,
    hidden_units: Sequence[int] = (100, 200),
    recurrent_units: int = 5,
    n_outputs: int = 1,
    output_activation: str | None = None,
    shared: Any = None,
    meta: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """Two models that share their hidden layers (the book's Figure B3-94).

    The hidden ``Dense`` layers form one sub-model, ``shared_layers``, used
    as a layer by both models: the first puts a ``Dense`` output on it, the
    second reads its output as a sequence with a ``SimpleRNN`` first. The
    layers are not copied: training either model changes the predictions
    of both.

    Parameters
    ----------
    n_features : int, default=10
        Input size (ignored when ``shared`` or ``meta`` gives it).
    hidden_units : sequence of int, default=(100, 200)
        Units of the shared ``Dense`` (ReLU) layers.
    recurrent_units : int, default=5
        Units of the second model's ``SimpleRNN``.
    n_outputs : int, default=1
        Output units of each model.
    output_activation : str, default=None
        Activation of the outputs (None: linear).
    shared : keras.Model, default=None
        Layers to share instead of new ones, for example the trained
        ``model_.get_layer("shared_layers")`` of an estimator (pre-training).
        Used as it is, not copied.
    meta : dict, default=None
        An estimator's meta data; it then chooses the input size and the
        output layers (see :func:`shared_layer_model`).

    Returns
    -------
    first : keras.Model
        Input → shared layers → ``Dense`` output.
    second : keras.Model
        Input → shared layers → ``SimpleRNN`` → ``Dense`` output.

    Examples
    --------
    >>> from sklearn_dl.functional import shared_layer_models
    >>> first, second = shared_layer_models(4, hidden_units=(8, 6))
    >>> first.get_layer("shared_layers") is second.get_layer("shared_layers")
    True
    """
    keras = import_keras()
    if shared is None:
        shared_inputs = keras.Input(
            shape=(_n_features(meta, n_features),), name="shared_input"
        )
        hidden = shared_inputs
        for units in _sizes(hidden_units, "hidden_units"):
            hidden = keras.layers.Dense(units, activation="relu")(hidden)
        shared = keras.Model(shared_inputs, hidden, name=SHARED_LAYERS_NAME)
    elif not isinstance(shared, keras.Model):
        raise TypeError(f"shared must be a keras.Model; got {type(shared).__name__}.")
    input_shape = tuple(shared.inputs[0].shape[1:])
    width = int(shared.outputs[0].shape[-1])

    first_inputs = keras.Input(shape=input_shape, name="input")
    first_outputs = _output_layer(meta, n_outputs, output_activation)(
        shared(first_inputs)
    )
    first = keras.Model(first_inputs, first_outputs, name="first")

    second_inputs = keras.Input(shape=input_shape, name="input")
    sequence = keras.layers.Reshape((width, 1), name="as_sequence")(
        shared(second_inputs)
    )
    recurrent = keras.layers.SimpleRNN(int(recurrent_units), name="recurrent")(sequence)
    second_outputs = _output_layer(meta, n_outputs, output_activation)(recurrent)
    second = keras.Model(second_inputs, second_outputs, name="second")
    return first, second


def shared_layer_model(
    meta: dict[str, Any],
    *,
    which: str = "first",
    hidden_units: Sequence[int] = (100, 200),
    recurrent_units: int = 5,
    shared: Any = None,
) -> Any:
    """One model of :func:`shared_layer_models`, as an estimator's builder.

    An estimator trains its own model: two estimators never share layers
    (scikit-learn clones estimators, copying their parameters). Share
    *trained* layers by pre-training: fit one estimator, then give its
    ``model_.get_layer("shared_layers")`` as ``model__shared`` to another
    (copied, so the first estimator is left untouched), optionally frozen
    with :func:`freeze_layers`.

    Parameters
    ----------
    meta : dict
        The estimator's meta data (input size; classes or outputs).
    which : {"first", "second"}, default="first"
        ``"first"``: a ``Dense`` output on the shared layers; ``"second"``:
        a ``SimpleRNN`` and then the output.
    hidden_units : sequence of int, default=(100, 200)
        Units of the shared layers (when ``shared`` is None).
    recurrent_units : int, default=5
        Units of the second model's ``SimpleRNN``.
    shared : keras.Model, default=None
        Pre-trained shared layers to start from (copied).

    Returns
    -------
    keras.Model
        The uncompiled model.
    """
    if which not in ("first", "second"):
        raise ValueError(f"which must be 'first' or 'second'; got {which!r}.")
    first, second = shared_layer_models(
        hidden_units=hidden_units,
        recurrent_units=recurrent_units,
        shared=None if shared is None else copy.deepcopy(shared),
        meta=meta,
    )
    return first if which == "first" else second


def branching_model(
    meta: dict[str, Any] | None = None,
    *,
    n_features: int | None = None,
    hidden_units: Sequence[int] = (64, 32),
    filters: int = 8,
    kernel_sizes: tuple[int, int] = (3, 5),
    n_outputs: int = 1,
    output_activation: str | None = None,
) -> Any:
    """Two branches from one layer, merged with ``Add`` (the book's Figure B3-99).

    Input → ``dense_1`` → ``dense_2``; the output of ``dense_2``, read as a
    sequence, feeds two 1-D convolutions (``convo_1``, ``convo_2``) with
    different kernel sizes and ``"same"`` padding, so their outputs have the
    same shape and can be added; the sum is flattened into the output layer.

    Parameters
    ----------
    meta : dict, default=None
        An estimator's meta data: input size, and the output layer (one
        sigmoid unit for two classes, softmax for more, linear units for
        regression).
    n_features : int, default=None
        Input size, when there is no ``meta``.
    hidden_units : sequence of int, default=(64, 32)
        Units of the ``Dense`` (ReLU) layers before the branches.
    filters : int, default=8
        Filters of each convolution.
    kernel_sizes : tuple of int, default=(3, 5)
        Kernel size of each branch.
    n_outputs : int, default=1
        Output units without ``meta``.
    output_activation : str, default=None
        Output activation without ``meta`` (None: linear).

    Returns
    -------
    keras.Model
        The uncompiled model; its ``add`` layer has two inbound branches.

    Examples
    --------
    >>> from sklearn_dl.functional import branching_model
    >>> model = branching_model(n_features=6, hidden_units=(8, 4), filters=2)
    >>> [tensor.shape for tensor in model.get_layer("add").input]
    [(None, 4, 2), (None, 4, 2)]
    """
    keras = import_keras()
    inputs = keras.Input(shape=(_n_features(meta, n_features),), name="input")
    hidden = inputs
    for position, units in enumerate(_sizes(hidden_units, "hidden_units"), start=1):
        hidden = keras.layers.Dense(units, activation="relu", name=f"dense_{position}")(
            hidden
        )
    sequence = keras.layers.Reshape((int(hidden.shape[-1]), 1), name="as_sequence")(
        hidden
    )
    branches = [
        keras.layers.Conv1D(
            filters, size, padding="same", activation="relu", name=f"convo_{index}"
        )(sequence)
        for index, size in enumerate(_sizes(kernel_sizes, "kernel_sizes"), start=1)
    ]
    merged = keras.layers.Add(name="add")(branches)
    flat = keras.layers.Flatten(name="flatten")(merged)
    outputs = _output_layer(meta, n_outputs, output_activation)(flat)
    return keras.Model(inputs, outputs, name="branching")


# ----------------------------------------------------------------- freezing
def _layer_positions(model: Any, layers: Any) -> list[int]:
    """Positions in ``model.layers`` of layers given by name or index."""
    if isinstance(layers, (str, Integral)) and not isinstance(layers, bool):
        layers = [layers]
    if not isinstance(layers, Sequence) and not hasattr(layers, "__iter__"):
        raise TypeError(
            f"layers must be a name, an index or a list of them; got {layers!r}."
        )
    names = [layer.name for layer in model.layers]
    positions = []
    for layer in layers:
        if isinstance(layer, str):
            if layer not in names:
                raise ValueError(
                    f"The model has no layer named {layer!r}; its layers are {names}."
                )
            positions.append(names.index(layer))
        elif isinstance(layer, Integral) and not isinstance(layer, bool):
            if not -len(names) <= layer < len(names):
                raise ValueError(
                    f"Layer index {layer} is out of range: the model has "
                    f"{len(names)} layers ({names})."
                )
            positions.append(int(layer) % len(names))
        else:
            raise TypeError(
                f"layers must be names (str) or indices (int); got {layer!r}."
            )
    return positions


def _uncompiled_copy(model: Any) -> Any:
    """A new model with the same architecture, weights and flags, not compiled."""
    keras = import_keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    try:
        config = model.get_config()
        twin = type(model).from_config(config)
    except (NotImplementedError, TypeError, ValueError) as error:
        raise TypeError(
            f"Cannot copy {type(model).__name__}: freezing returns a copy rebuilt "
            "from the model's config, which needs a Sequential or Functional "
            "model (or a subclass with get_config/from_config)."
        ) from error
    twin.set_weights(model.get_weights())  # the config holds the trainable flags
    return twin


def freeze_layers(model: Any, layers: Any, *, trainable: bool = False) -> Any:
    """A copy of a model with some layers frozen (or thawed), ready to train.

    The copy has the model's architecture and weights but is not compiled,
    so an estimator given it as ``model=`` compiles it with its own
    ``optimizer``, ``optimizer__learning_rate`` and loss. That is what the
    book asks for ("set ``trainable`` and compile again"): in Keras 3 a
    change of ``trainable`` only takes effect when the model is compiled
    again (a compiled model keeps training the layers that were trainable
    when its train function was first built). The model itself is left
    unchanged.

    Parameters
    ----------
    model : keras.Model
        A (pre-trained) Sequential or Functional model, for example an
        estimator's ``model_``.
    layers : str, int or sequence of str or int
        Layers by name or by index into ``model.layers`` (a Functional
        model's ``layers[0]`` is its ``Input``; a Sequential model lists no
        ``Input``). A nested model (such as ``"shared_layers"``) counts as
        one layer: all its layers change.
    trainable : bool, default=False
        The new flag: False freezes, True thaws.

    Returns
    -------
    keras.Model
        The uncompiled copy.

    Raises
    ------
    ValueError
        If a name or index names no layer.
    TypeError
        If ``model`` is not a Keras model that can be rebuilt from its config.

    See Also
    --------
    unfreeze_layers : Thaw layers (all by default).

    Examples
    --------
    >>> from sklearn_dl.functional import digit_detector, freeze_layers
    >>> model = digit_detector(n_features=64, hidden_units=(32, 16))
    >>> frozen = freeze_layers(model, ["dense_1", "dense_2"])
    >>> [layer.name for layer in frozen.layers if layer.trainable]
    ['input', 'output']
    """
    twin = _uncompiled_copy(model)
    for position in _layer_positions(twin, layers):
        twin.layers[position].trainable = bool(trainable)
    return twin


def unfreeze_layers(model: Any, layers: Any = None) -> Any:
    """A copy of a model with layers made trainable again, ready to fine-tune.

    Like :func:`freeze_layers` with ``trainable=True``. Pass the copy as an
    estimator's ``model=`` with a small ``optimizer__learning_rate`` to
    fine-tune the whole network (the book's advice for pre-trained models).

    Parameters
    ----------
    model : keras.Model
        The model, for example an estimator's trained ``model_``.
    layers : str, int or sequence of str or int, default=None
        Layers by name or index; None thaws every layer.

    Returns
    -------
    keras.Model
        The uncompiled copy.

    See Also
    --------
    freeze_layers : Freeze layers.

    Examples
    --------
    >>> from sklearn_dl.functional import digit_detector, freeze_layers, unfreeze_layers
    >>> frozen = freeze_layers(digit_detector(n_features=8, hidden_units=(4,)), 1)
    >>> all(layer.trainable for layer in unfreeze_layers(frozen).layers)
    True
    """
    if layers is None:
        layers = list(range(len(model.layers)))
    return freeze_layers(model, layers, trainable=True)
