"""Convolutional networks for images: ``ConvClassifier`` and ``ConvRegressor``.

The network is a stack of convolution *blocks* followed by a dense head:

- a block is one or more ``Conv2D`` layers, then ``Dropout`` (when
  ``dropout > 0``), then 2-D pooling (when ``pooling`` is set); striding, when
  set, happens in the block's last convolution (the book's way of replacing
  pooling);
- with ``batch_normalization`` each convolution has no activation and is
  followed by ``BatchNormalization`` and the activation (the book's order);
- the head is ``Flatten``, the ``Dense`` layers of ``dense_layer_sizes`` and
  the output layer.

The input shape comes from the data (see :func:`network_image_shape`): native
``(n, height, width, channels)`` images, ``(n, height, width)`` images (a
channel axis is added), or flat rows reshaped to ``image_shape`` inside the
network. The book's seven MNIST networks are available by name through
``architecture``.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from numbers import Integral, Real
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._compat import Interval, StrOptions
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
from sklearn_dl.networks._architectures import (
    ARCHITECTURE_PARAMS,
    CONV_ARCHITECTURES,
    conv_architecture_params,
)
from sklearn_dl.networks._common import (
    NETWORK_PARAMETERS,
    NetworkMixin,
    check_layer_sizes,
    max_norm_constraint,
    output_layer,
)

_POSITIVE_INT = Interval(Integral, 1, None, closed="left")

#: The convolutional networks' parameters, and the shared ones they word
#: their own way.
CONV_PARAMETERS = parameter_set(
    Parameter(
        "architecture",
        (StrOptions(set(CONV_ARCHITECTURES)), None),
        "str",
        'One of the book\'s MNIST networks by name: "simple", "bigger", '
        '"pooling", "striding", "striding_batchnorm", "vgg_pooling" or '
        '"vgg_striding" (see :func:`conv_architecture_params`). It sets '
        "``filters``, ``kernel_size``, ``strides``, ``pooling``, "
        "``batch_normalization``, ``dropout``, ``max_norm`` and "
        "``dense_layer_sizes``, and those parameters are then ignored. None "
        "builds the network from them.",
    ),
    Parameter(
        "filters",
        ("array-like", _POSITIVE_INT),
        "int or tuple",
        "One entry per convolution block: an int (one ``Conv2D`` with that "
        "many filters) or a tuple of ints (several convolutions in the "
        "block). ``((32, 32), (16, 16))`` is two blocks of two convolutions.",
    ),
    Parameter(
        "kernel_size",
        ("array-like", _POSITIVE_INT),
        "int or tuple",
        "Side of the square kernels: an int for every convolution, or one "
        "entry per block (an int, or a tuple with one per convolution of the "
        "block).",
    ),
    Parameter(
        "strides",
        ("array-like", _POSITIVE_INT),
        "int or tuple of int",
        "Stride of each block's last convolution (others use 1): an int for "
        "every block or one per block. 2 halves the image, like pooling.",
    ),
    Parameter(
        "padding",
        (StrOptions({"same", "valid"}),),
        '{"same", "valid"}',
        "Padding of the convolutions and the pooling layers.",
    ),
    Parameter(
        "pooling",
        (StrOptions({"max", "average"}), None),
        '{"max", "average"}',
        "Pooling at the end of each block; None for none.",
    ),
    Parameter(
        "pool_size",
        (_POSITIVE_INT,),
        "int",
        "Side of the pooling window (and its stride).",
    ),
    Parameter(
        "batch_normalization",
        ("boolean",),
        "bool",
        "Follow each convolution (then without activation) by "
        "``BatchNormalization`` and the activation.",
    ),
    NETWORK_PARAMETERS["activation"].reworded(
        "Activation of the convolutions and the dense head."
    ),
    NETWORK_PARAMETERS["dropout"].reworded(
        "Dropout rate at the end of each block, before pooling."
    ),
    NETWORK_PARAMETERS["max_norm"].reworded(
        "``MaxNorm`` constraint on each convolution filter; None for none."
    ),
    Parameter(
        "dense_layer_sizes",
        ("array-like", _POSITIVE_INT),
        "tuple of int",
        "Units of the dense layers between ``Flatten`` and the output layer.",
    ),
    Parameter(
        "data_format",
        (StrOptions({"channels_last", "channels_first"}),),
        '{"channels_last", "channels_first"}',
        "Where the channel axis of the images is.",
    ),
    Parameter(
        "image_shape",
        ("array-like", StrOptions({"square"}), None),
        '"square" or tuple of int',
        "``(height, width)`` or ``(height, width, channels)``, in this order "
        "whatever ``data_format`` is (as for ``ImageReshaper``): each sample "
        "is reshaped to that image inside the network, so flat rows ``(n, "
        'height * width)`` work; "square" infers a square one-channel image '
        "from the sample's size (784 values: 28 x 28). None: samples of shape "
        "``(height, width, channels)`` (channels first with ``data_format="
        '"channels_first"``) are used as they are, ``(height, width)`` get '
        "one channel, and rows of ``F`` features are read as one-pixel-high "
        "images ``1 x F``.",
    ),
    Parameter(
        "augment_rotation",
        (Interval(Real, 0, 180, closed="both"),),
        "float",
        "Largest random rotation, in degrees, applied to training images.",
    ),
    Parameter(
        "augment_shift",
        (Interval(Real, 0, 1, closed="both"),),
        "float",
        "Largest random shift, as a fraction of the height and width.",
    ),
    Parameter(
        "augment_flip",
        (
            StrOptions({"horizontal", "vertical", "horizontal_and_vertical"}),
            None,
        ),
        '{"horizontal", "vertical", "horizontal_and_vertical"}',
        "Random flips of training images (not for digits). Augmentation "
        "layers are active in training only; predictions see the images "
        "unchanged.",
    ),
)


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def network_image_shape(
    sample_shape: tuple[int, ...],
    image_shape: Sequence[int] | str | None,
    data_format: str,
) -> tuple[int, int, int]:
    """The shape of one image inside the network, from one sample's shape.

    Parameters
    ----------
    sample_shape : tuple of int
        Shape of one sample of X (X's shape without its first axis).
    image_shape : None, "square" or sequence of int
        ``(height, width)`` or ``(height, width, channels)``, always in this
        order (as :class:`~sklearn_dl.preprocessing.ImageReshaper` takes it);
        ``"square"`` infers a square one-channel image from the sample's
        size. Each sample, whatever its shape, is reshaped to the image in C
        order, so its number of values must match.
    data_format : {"channels_last", "channels_first"}
        Where the channel axis is.

    Returns
    -------
    tuple of int
        ``(height, width, channels)`` for channels_last, ``(channels,
        height, width)`` for channels_first. Without ``image_shape``: 3-D
        samples are used as they are, 2-D samples ``(height, width)`` get one
        channel, and 1-D samples (rows of ``F`` features) are read as
        one-pixel-high images ``1 x F`` with one channel.

    Raises
    ------
    ValueError
        If the samples do not fit ``image_shape``, or have more than 3 axes.
    """
    channels_last = data_format == "channels_last"

    def layout(height: int, width: int, channels: int = 1) -> tuple[int, int, int]:
        return (height, width, channels) if channels_last else (channels, height, width)

    sample_shape = tuple(int(size) for size in sample_shape)
    n_values = prod(sample_shape)
    if isinstance(image_shape, str) and image_shape == "square":
        side = round(n_values**0.5)
        if side * side != n_values:
            raise ValueError(
                f"X has samples of shape {sample_shape} ({n_values} values each), "
                'which is not a square number: image_shape="square" cannot infer '
                "the image; give image_shape=(height, width)."
            )
        return layout(side, side)
    if image_shape is not None:
        shape = tuple(image_shape) if isinstance(image_shape, Sequence) else ()
        if len(shape) not in (2, 3) or not all(
            _is_int(size) and size > 0 for size in shape
        ):
            raise ValueError(
                'image_shape must be "square", (height, width) or (height, width, '
                f"channels) with positive ints; got {image_shape!r}."
            )
        if prod(shape) != n_values:
            raise ValueError(
                f"X has samples of shape {sample_shape} ({n_values} values each), "
                f"which cannot be reshaped to image_shape={shape!r} "
                f"({prod(shape)} values)."
            )
        return layout(*(int(size) for size in shape))
    if len(sample_shape) == 1:
        return layout(1, sample_shape[0])
    if len(sample_shape) == 2:
        return layout(*sample_shape)
    if len(sample_shape) == 3:
        return sample_shape
    raise ValueError(
        f"X has samples of shape {sample_shape}; a convolutional network takes "
        "images (n, height, width, channels), (n, height, width), or flat rows "
        "(n, n_pixels) together with image_shape."
    )


def conv_blocks(
    filters: Any, kernel_size: Any, strides: Any
) -> list[list[tuple[int, int, int]]]:
    """Spell out the convolutions of each block.

    Parameters
    ----------
    filters : int or sequence
        One entry per block: an int (a block of one convolution) or a
        sequence of ints (the filters of each convolution of the block).
    kernel_size : int or sequence
        An int for every convolution, or one entry per block: an int for
        every convolution of the block or a sequence with one per
        convolution.
    strides : int or sequence of int
        Stride of each block's last convolution (the others use 1): an int
        for every block or one int per block.

    Returns
    -------
    list of list of (filters, kernel_size, stride)
        One list per block, one triple per convolution.

    Raises
    ------
    ValueError
        If the entries are not positive ints or their counts do not match.
    """
    filters = (filters,) if _is_int(filters) else filters
    blocks = [(entry,) if _is_int(entry) else entry for entry in filters]
    if not blocks or not all(
        isinstance(block, Sequence)
        and block
        and all(_is_int(size) and size > 0 for size in block)
        for block in blocks
    ):
        raise ValueError(
            "filters must be an int or a non-empty tuple with one entry per block, "
            "each a positive int or a tuple of positive ints (one per "
            f"convolution); got {filters!r}."
        )
    kernels = _per_block(kernel_size, len(blocks), "kernel_size")
    block_strides = _per_block(strides, len(blocks), "strides")
    spelled = []
    for index, block in enumerate(blocks):
        kernel = kernels[index]
        if _is_int(kernel):
            kernel = (kernel,) * len(block)
        if (
            not isinstance(kernel, Sequence)
            or len(kernel) != len(block)
            or not all(_is_int(size) and size > 0 for size in kernel)
        ):
            raise ValueError(
                f"kernel_size entry {kernels[index]!r} of block {index} must be a "
                f"positive int or {len(block)} positive ints, one per convolution "
                f"of the block (filters {tuple(block)})."
            )
        stride = block_strides[index]
        if not (_is_int(stride) and stride > 0):
            raise ValueError(
                f"strides must hold one positive int per block; got {strides!r}."
            )
        spelled.append(
            [
                (int(size), int(kernel[position]), 1)
                if position < len(block) - 1
                else (int(size), int(kernel[position]), int(stride))
                for position, size in enumerate(block)
            ]
        )
    return spelled


def _per_block(value: Any, n_blocks: int, name: str) -> list[Any]:
    """An int for every block, or exactly one entry per block."""
    if _is_int(value):
        return [value] * n_blocks
    if not isinstance(value, Sequence) or len(value) != n_blocks:
        raise ValueError(
            f"{name} must be an int or hold one entry per block ({n_blocks}); "
            f"got {value!r}."
        )
    return list(value)


class _ConvNetwork(NetworkMixin):
    """Builds the convolutional network from the estimator's parameters."""

    def _block_params(self) -> dict[str, Any]:
        """The block parameters: the named architecture's, or the estimator's."""
        if self.architecture is not None:
            return conv_architecture_params(self.architecture)
        return {name: getattr(self, name) for name in ARCHITECTURE_PARAMS}

    def _augmentation_layers(self) -> list[Any]:
        """Random image changes, applied by Keras in training only."""
        keras = import_keras()
        layers = []
        if self.augment_rotation:
            layers.append(
                keras.layers.RandomRotation(
                    self.augment_rotation / 360.0,
                    fill_mode="nearest",
                    data_format=self.data_format,
                )
            )
        if self.augment_shift:
            layers.append(
                keras.layers.RandomTranslation(
                    self.augment_shift,
                    self.augment_shift,
                    fill_mode="nearest",
                    data_format=self.data_format,
                )
            )
        if self.augment_flip is not None:
            layers.append(
                keras.layers.RandomFlip(self.augment_flip, data_format=self.data_format)
            )
        return layers

    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        keras = import_keras()
        params = self._block_params()
        blocks = conv_blocks(
            params["filters"], params["kernel_size"], params["strides"]
        )
        dense_sizes = check_layer_sizes(
            params["dense_layer_sizes"], "dense_layer_sizes"
        )
        sample_shape = tuple(meta["X_shape_"][1:])
        image = network_image_shape(sample_shape, self.image_shape, self.data_format)
        channel_axis = -1 if self.data_format == "channels_last" else 1
        batch_normalization = params["batch_normalization"]

        layers = [keras.Input(sample_shape)]
        if image != sample_shape:
            layers.append(keras.layers.Reshape(image))
        layers.extend(self._augmentation_layers())
        for block in blocks:
            for n_filters, kernel, stride in block:
                layers.append(
                    keras.layers.Conv2D(
                        n_filters,
                        kernel,
                        strides=stride,
                        padding=self.padding,
                        data_format=self.data_format,
                        activation=None if batch_normalization else self.activation,
                        # The book's MaxNorm(3): Keras's default axis=0 (#18).
                        kernel_constraint=max_norm_constraint(params["max_norm"]),
                    )
                )
                if batch_normalization:
                    layers.append(keras.layers.BatchNormalization(axis=channel_axis))
                    layers.append(keras.layers.Activation(self.activation))
            if params["dropout"]:
                layers.append(keras.layers.Dropout(params["dropout"]))
            if params["pooling"] is not None:
                pooling = {
                    "max": keras.layers.MaxPooling2D,
                    "average": keras.layers.AveragePooling2D,
                }[params["pooling"]]
                layers.append(
                    pooling(
                        self.pool_size,
                        padding=self.padding,
                        data_format=self.data_format,
                    )
                )
        layers.append(keras.layers.Flatten(data_format=self.data_format))
        for units in dense_sizes:
            layers.append(keras.layers.Dense(units, activation=self.activation))
        layers.append(output_layer(meta, self.loss, self.output_initializer))
        return keras.Sequential(layers, name=type(self).__name__)


@compose_parameters(
    CORE_PARAMETERS, CLASSIFIER_PARAMETERS, NETWORK_PARAMETERS, CONV_PARAMETERS
)
class ConvClassifier(_ConvNetwork, BaseKerasClassifier):
    """A convolutional network classifier for images.

    Convolution blocks, a dense head and a softmax output layer (one
    sigmoid unit for binary targets). The book's MNIST networks are
    available by name (``architecture="pooling"`` ...).

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network (``model_.count_params()``, ``model_.summary()``).
    history_ : dict of list
        Per-epoch loss and metrics.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Size of the second axis of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X has them.
    X_shape_ : tuple
        Shape of the training X; predictions need samples of the same shape.
    X_dtype_ : numpy.dtype
        dtype of the training X as given.
    y_dtype_ : numpy.dtype
        dtype of the training labels.
    target_type_ : str
        ``"binary"`` or ``"multiclass"``.
    n_outputs_ : int
        Number of target columns (1).
    n_outputs_expected_ : int
        Number of model outputs (1).
    target_encoder_ : object
        Maps labels to the network's targets and back.
    output_encoding_ : {"binary", "sparse", "onehot"}
        How targets are fed to the network.

    See Also
    --------
    ConvRegressor : The same network for numeric targets.
    DenseClassifier : A fully-connected network.
    conv_architecture_params : The block parameters of the book's networks.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl.networks import ConvClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = ConvClassifier(filters=(8,), kernel_size=3, pooling="max",
    ...                      image_shape=(8, 8), epochs=2, random_state=0)
    >>> clf.fit(X / 16, y).predict(X[:3] / 16).shape
    (3,)
    >>> clf.model_.count_params()
    1370
    """

    def __init__(
        self,
        architecture: str | None = None,
        *,
        filters: Any = (32,),
        kernel_size: Any = 5,
        strides: Any = 1,
        padding: str = "same",
        pooling: str | None = None,
        pool_size: int = 2,
        batch_normalization: bool = False,
        activation: str = "relu",
        dropout: float = 0.0,
        max_norm: float | None = None,
        output_initializer: Any = "glorot_uniform",
        dense_layer_sizes: tuple[int, ...] = (),
        data_format: str = "channels_last",
        image_shape: tuple[int, ...] | str | None = None,
        augment_rotation: float = 0.0,
        augment_shift: float = 0.0,
        augment_flip: str | None = None,
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
        self.architecture = architecture
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pooling = pooling
        self.pool_size = pool_size
        self.batch_normalization = batch_normalization
        self.activation = activation
        self.dropout = dropout
        self.max_norm = max_norm
        self.output_initializer = output_initializer
        self.dense_layer_sizes = dense_layer_sizes
        self.data_format = data_format
        self.image_shape = image_shape
        self.augment_rotation = augment_rotation
        self.augment_shift = augment_shift
        self.augment_flip = augment_flip
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
    CORE_PARAMETERS, REGRESSOR_PARAMETERS, NETWORK_PARAMETERS, CONV_PARAMETERS
)
class ConvRegressor(_ConvNetwork, BaseKerasRegressor):
    """A convolutional network regressor for images.

    Convolution blocks, a dense head and a linear output layer with one unit
    per target column.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch loss and metrics.
    n_features_in_ : int
        Size of the second axis of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X has them.
    X_shape_ : tuple
        Shape of the training X; predictions need samples of the same shape.
    X_dtype_ : numpy.dtype
        dtype of the training X as given.
    y_dtype_ : numpy.dtype
        dtype of the training targets.
    target_type_ : str
        ``"continuous"`` (1-D y) or ``"continuous-multioutput"`` (2-D y).
    n_outputs_ : int
        Number of target columns.
    n_outputs_expected_ : int
        Number of model outputs (1).

    See Also
    --------
    ConvClassifier : The same network for class labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.networks import ConvRegressor
    >>> rng = np.random.default_rng(0)
    >>> images = rng.uniform(size=(40, 8, 8, 1)).astype("float32")
    >>> brightness = images.mean(axis=(1, 2, 3))
    >>> reg = ConvRegressor(filters=(4,), kernel_size=3, epochs=2,
    ...                     random_state=0).fit(images, brightness)
    >>> reg.predict(images[:2]).shape
    (2,)
    """

    def __init__(
        self,
        architecture: str | None = None,
        *,
        filters: Any = (32,),
        kernel_size: Any = 5,
        strides: Any = 1,
        padding: str = "same",
        pooling: str | None = None,
        pool_size: int = 2,
        batch_normalization: bool = False,
        activation: str = "relu",
        dropout: float = 0.0,
        max_norm: float | None = None,
        output_initializer: Any = "glorot_uniform",
        dense_layer_sizes: tuple[int, ...] = (),
        data_format: str = "channels_last",
        image_shape: tuple[int, ...] | str | None = None,
        augment_rotation: float = 0.0,
        augment_shift: float = 0.0,
        augment_flip: str | None = None,
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
        self.architecture = architecture
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pooling = pooling
        self.pool_size = pool_size
        self.batch_normalization = batch_normalization
        self.activation = activation
        self.dropout = dropout
        self.max_norm = max_norm
        self.output_initializer = output_initializer
        self.dense_layer_sizes = dense_layer_sizes
        self.data_format = data_format
        self.image_shape = image_shape
        self.augment_rotation = augment_rotation
        self.augment_shift = augment_shift
        self.augment_flip = augment_flip
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
