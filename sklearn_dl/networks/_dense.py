"""Fully-connected networks: ``DenseClassifier`` and ``DenseRegressor``.

The book's dense MNIST networks (part 2 and part 3, §1-2): any number of
``Dense`` hidden layers, each optionally followed by ``Dropout`` and with an
optional ``MaxNorm`` kernel constraint, then the output layer. n-D samples
(images) are flattened by the network's first layer.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._compat import Interval
from sklearn_dl._core.classifier import BaseKerasClassifier
from sklearn_dl._core.regressor import BaseKerasRegressor
from sklearn_dl.networks._common import (
    NETWORK_CONSTRAINTS,
    NetworkMixin,
    check_layer_sizes,
    max_norm_constraint,
    output_layer,
)

_DENSE_CONSTRAINTS = {
    **NETWORK_CONSTRAINTS,
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
}


class _DenseNetwork(NetworkMixin):
    """Builds the dense network from the estimator's parameters."""

    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        keras = import_keras()
        sizes = check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        sample_shape = tuple(meta["X_shape_"][1:])
        layers = [keras.Input(sample_shape)]
        if len(sample_shape) > 1:
            layers.append(keras.layers.Flatten())
        for units in sizes:
            layers.append(
                keras.layers.Dense(
                    units,
                    activation=self.activation,
                    kernel_constraint=max_norm_constraint(self.max_norm),
                )
            )
            if self.dropout:
                layers.append(keras.layers.Dropout(self.dropout))
        layers.append(output_layer(meta, self.loss))
        return keras.Sequential(layers, name=type(self).__name__)


class DenseClassifier(_DenseNetwork, BaseKerasClassifier):
    """A fully-connected network classifier (the book's dense MNIST network).

    ``Dense`` hidden layers (``hidden_layer_sizes``), each followed by
    ``Dropout(dropout)`` when ``dropout > 0`` and constrained by
    ``MaxNorm(max_norm)`` when set, then a softmax layer with one unit per
    class (one sigmoid unit for binary targets). Samples of any shape are
    flattened first, so ``(n, 28, 28)`` images work as they are.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64,)
        Units of each hidden layer; its length is the number of hidden
        layers. ``(32, 32)`` is the book's ``number_of_layers=2,
        neurons_per_layer=32``.
    activation : str or callable, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer (0 adds no ``Dropout`` layer).
    max_norm : float, default=None
        ``MaxNorm`` constraint on the hidden layers' kernels (the book uses
        3); None for no constraint.
    optimizer : str, optimizer class or instance, default="adam"
        The optimizer; a fresh one is built for every fit.
    learning_rate : float, default=0.001
        The optimizer's learning rate (it also overrides the rate of an
        optimizer given as an instance).
    loss : str, loss class, instance or callable, default=None
        None chooses binary cross-entropy for binary targets and sparse
        categorical cross-entropy otherwise.
    metrics : list, default=None
        Metrics reported in ``history_`` (e.g. ``["accuracy"]``).
    epochs : int, default=10
        Epochs per ``fit``.
    batch_size : int, default=32
        Rows per gradient step.
    validation_split : float, default=0.0
        Fraction of the training rows (the last ones) held out for validation
        metrics (``val_loss`` ... in ``history_``).
    early_stopping : bool, default=False
        Stop when ``monitor`` has not improved for ``patience`` epochs and
        restore the best weights (Keras's ``EarlyStopping``). Monitoring a
        ``val_*`` quantity needs ``validation_split`` or ``validation_data``.
    monitor : str, default="val_loss"
        Quantity watched by early stopping.
    patience : int, default=10
        Epochs without improvement before early stopping stops.
    callbacks : list or dict, default=None
        More Keras callbacks (classes or instances, copied for each fit).
    verbose : {0, 1, 2, "auto"}, default=0
        Keras's training output.
    shuffle : bool, default=True
        Shuffle the training rows before each epoch.
    run_eagerly : bool, default=False
        Run Keras's train step eagerly (for debugging).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout; an int makes fits
        repeatable.
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network.
    device : {"auto", "cpu"}, int, str or None, default=None
        Where to train and predict. None or "auto": each process takes its
        own GPU (round-robin over the visible GPUs, so parallel search
        workers spread out) when there are GPUs, else the backend's
        default; "cpu"; a GPU index or "gpu:<index>".
    mixed_precision : bool, default=False
        Build the network under Keras's "mixed_float16" policy (float16
        computations, float32 weights): faster on recent GPUs.
    class_weight : dict or "balanced", default=None
        Weights of the classes, keyed by label.

    Attributes
    ----------
    model_ : keras.Model
        The trained network (``model_.count_params()``, ``model_.summary()``).
    history_ : dict of list
        Per-epoch loss and metrics (``loss``, ``val_loss`` ...).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Size of the second axis of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X has them.
    X_shape_ : tuple
        Shape of the training X.
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
    DenseRegressor : The same network for numeric targets.
    ConvClassifier : A convolutional network for images.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl.networks import DenseClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DenseClassifier(hidden_layer_sizes=(32, 32), dropout=0.2,
    ...                       max_norm=3, epochs=2, random_state=0)
    >>> clf.fit(X / 16, y).predict(X[:3] / 16).shape
    (3,)
    >>> clf.model_.count_params()
    3466
    """

    _parameter_constraints: dict = {
        **BaseKerasClassifier._parameter_constraints,
        **_DENSE_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64,),
        *,
        activation: str = "relu",
        dropout: float = 0.0,
        max_norm: float | None = None,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.max_norm = max_norm
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


class DenseRegressor(_DenseNetwork, BaseKerasRegressor):
    """A fully-connected network regressor.

    ``Dense`` hidden layers (``hidden_layer_sizes``), each followed by
    ``Dropout(dropout)`` when ``dropout > 0`` and constrained by
    ``MaxNorm(max_norm)`` when set, then a linear layer with one unit per
    target column. Samples of any shape are flattened first.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64,)
        Units of each hidden layer; its length is the number of hidden layers.
    activation : str or callable, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer (0 adds no ``Dropout`` layer).
    max_norm : float, default=None
        ``MaxNorm`` constraint on the hidden layers' kernels; None for none.
    optimizer : str, optimizer class or instance, default="adam"
        The optimizer; a fresh one is built for every fit.
    learning_rate : float, default=0.001
        The optimizer's learning rate (it also overrides the rate of an
        optimizer given as an instance).
    loss : str, loss class, instance or callable, default=None
        None means mean squared error.
    metrics : list, default=None
        Metrics reported in ``history_`` (e.g. ``["mae"]``).
    epochs : int, default=10
        Epochs per ``fit``.
    batch_size : int, default=32
        Rows per gradient step.
    validation_split : float, default=0.0
        Fraction of the training rows (the last ones) held out for validation
        metrics.
    early_stopping : bool, default=False
        Stop when ``monitor`` has not improved for ``patience`` epochs and
        restore the best weights. Monitoring a ``val_*`` quantity needs
        ``validation_split`` or ``validation_data``.
    monitor : str, default="val_loss"
        Quantity watched by early stopping.
    patience : int, default=10
        Epochs without improvement before early stopping stops.
    callbacks : list or dict, default=None
        More Keras callbacks (classes or instances, copied for each fit).
    verbose : {0, 1, 2, "auto"}, default=0
        Keras's training output.
    shuffle : bool, default=True
        Shuffle the training rows before each epoch.
    run_eagerly : bool, default=False
        Run Keras's train step eagerly (for debugging).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout.
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network.
    device : {"auto", "cpu"}, int, str or None, default=None
        Where to train and predict. None or "auto": each process takes its
        own GPU (round-robin over the visible GPUs, so parallel search
        workers spread out) when there are GPUs, else the backend's
        default; "cpu"; a GPU index or "gpu:<index>".
    mixed_precision : bool, default=False
        Build the network under Keras's "mixed_float16" policy (float16
        computations, float32 weights): faster on recent GPUs.

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
        Shape of the training X.
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
    DenseClassifier : The same network for class labels.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_dl.networks import DenseRegressor
    >>> X, y = make_regression(n_samples=100, n_features=4, random_state=0)
    >>> reg = DenseRegressor(hidden_layer_sizes=(16,), learning_rate=0.01,
    ...                      epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **BaseKerasRegressor._parameter_constraints,
        **_DENSE_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64,),
        *,
        activation: str = "relu",
        dropout: float = 0.0,
        max_norm: float | None = None,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.max_norm = max_norm
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
