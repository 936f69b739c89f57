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
from sklearn_dl._core.parameters import (
    CLASSIFIER_PARAMETERS,
    CORE_PARAMETERS,
    REGRESSOR_PARAMETERS,
    Parameter,
    compose_parameters,
    parameter_set,
)
from sklearn_dl._core.regressor import BaseKerasRegressor
from sklearn_dl.networks._common import (
    NETWORK_PARAMETERS,
    NetworkMixin,
    check_layer_sizes,
    max_norm_constraint,
    output_layer,
)

#: The dense networks' own parameter.
DENSE_PARAMETERS = parameter_set(
    Parameter(
        "hidden_layer_sizes",
        ("array-like", Interval(Integral, 1, None, closed="left")),
        "tuple of int",
        "Units of each hidden layer; its length is the number of hidden "
        "layers. ``(32, 32)`` is the book's ``number_of_layers=2, "
        "neurons_per_layer=32``.",
    ),
)


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
        layers.append(output_layer(meta, self.loss, self.output_initializer))
        return keras.Sequential(layers, name=type(self).__name__)


@compose_parameters(
    CORE_PARAMETERS, CLASSIFIER_PARAMETERS, NETWORK_PARAMETERS, DENSE_PARAMETERS
)
class DenseClassifier(_DenseNetwork, BaseKerasClassifier):
    """A fully-connected network classifier (the book's dense MNIST network).

    ``Dense`` hidden layers (``hidden_layer_sizes``), each followed by
    ``Dropout(dropout)`` when ``dropout > 0`` and constrained by
    ``MaxNorm(max_norm)`` when set, then a softmax layer with one unit per
    class (one sigmoid unit for binary targets). Samples of any shape are
    flattened first, so ``(n, 28, 28)`` images work as they are.

    Parameters
    ----------

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

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64,),
        *,
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
        self.hidden_layer_sizes = hidden_layer_sizes
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
    CORE_PARAMETERS, REGRESSOR_PARAMETERS, NETWORK_PARAMETERS, DENSE_PARAMETERS
)
class DenseRegressor(_DenseNetwork, BaseKerasRegressor):
    """A fully-connected network regressor.

    ``Dense`` hidden layers (``hidden_layer_sizes``), each followed by
    ``Dropout(dropout)`` when ``dropout > 0`` and constrained by
    ``MaxNorm(max_norm)`` when set, then a linear layer with one unit per
    target column. Samples of any shape are flattened first.

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

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64,),
        *,
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
        self.hidden_layer_sizes = hidden_layer_sizes
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
