"""``KerasClassifier`` and ``KerasRegressor``: any Keras model as an estimator.

The parameter conventions follow scikeras, so a scikeras user changes only the
import: ``model=`` takes a Keras model or a builder callable; parameters named
``model__<key>`` (or plain extra keyword arguments) go to the builder,
``optimizer__<key>`` to the optimizer, ``fit__<key>`` to ``Model.fit`` and so
on (see :data:`sklearn_dl._core.routing.ROUTING_PREFIXES`).
"""

from __future__ import annotations

import copy
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._core.classifier import BaseKerasClassifier
from sklearn_dl._core.keras_objects import fresh_keras_objects
from sklearn_dl._core.regressor import BaseKerasRegressor
from sklearn_dl._core.routing import (
    accepted_names,
    has_routing_prefix,
    route_params,
    unknown_parameter_error,
)

# Builder arguments filled in by the estimator when the signature asks.
_BUILDER_EXTRAS = ("meta", "compile_kwargs", "params")


class _ModelWrapper:
    """The ``model=`` parameter and scikeras-style keyword routing.

    Extra keyword arguments given to ``__init__`` are stored unchanged as
    attributes and reported by :meth:`get_params`, so ``clone``,
    ``GridSearchCV`` and ``set_params`` treat them as ordinary parameters.
    """

    def _extra_params(self) -> dict[str, Any]:
        """Parameters given as extra keyword arguments (routed or bare)."""
        declared = set(self._get_param_names())
        return {
            name: value
            for name, value in vars(self).items()
            if name not in declared
            and not name.startswith("_")
            and not name.endswith("_")
        }

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Get parameters, including routed ones such as ``model__units``.

        Parameters
        ----------
        deep : bool, default=True
            Also return parameters of nested estimators.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params: Any) -> _ModelWrapper:
        """Set parameters, including routed ones such as ``optimizer__learning_rate``.

        Parameters
        ----------
        **params : dict
            Parameter names and values; a name with a routing prefix
            (``model__``, ``optimizer__``, ``fit__`` ...) is always accepted.

        Returns
        -------
        self : object
            The estimator.
        """
        extra = self._extra_params()
        for name in list(params):
            if has_routing_prefix(name) or name in extra:
                setattr(self, name, params.pop(name))
        return super().set_params(**params) if params else self

    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        keras = import_keras()
        model = self.model
        if model is None:
            raise ValueError(
                "`model` must be a keras.Model or a callable returning one; got None."
            )
        if isinstance(model, keras.Model):
            # Train a copy: the user's model (and its weights) stay untouched.
            return copy.deepcopy(model)
        if not callable(model):
            raise TypeError(
                "`model` must be a keras.Model or a callable returning one; got "
                f"{type(model).__name__}."
            )
        extra = self._extra_params()
        bare = {name: value for name, value in extra.items() if "__" not in name}
        # Copies: a Keras object given as a builder argument is never trained.
        kwargs = fresh_keras_objects({**bare, **route_params(extra, "model")})
        names, takes_var_keyword = accepted_names(model)
        for key in kwargs:
            if key not in names and not takes_var_keyword:
                shown = key if key in bare else f"model__{key}"
                raise unknown_parameter_error(
                    shown, names - set(_BUILDER_EXTRAS), "the model builder"
                )
        available = {
            "meta": meta,
            "compile_kwargs": compile_kwargs,
            "params": self.get_params(),
        }
        for name in _BUILDER_EXTRAS:
            if name in names:
                kwargs[name] = available[name]
        return model(**kwargs)


_WRAPPER_CONSTRAINTS = {"model": [callable, None]}


class KerasClassifier(_ModelWrapper, BaseKerasClassifier):
    """A Keras model as a scikit-learn classifier.

    Parameters
    ----------
    model : keras.Model or callable, default=None
        The network, or a function returning it (compiled or not). A function
        receives the routed ``model__*`` parameters (and plain extra keyword
        arguments) and, when its signature names them, ``meta`` (what the
        data says: ``n_features_in_``, ``X_shape_``, ``X_dtype_``,
        ``n_outputs_``, ``target_type_``, ``classes_``, ``n_classes_``),
        ``compile_kwargs`` and ``params``. A model instance is copied before
        training, so its weights are a starting point, never modified.
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network instead
        of building a new one.
    device : {"auto", "cpu"}, int, str or None, default=None
        Where to train and predict. None or "auto": each process takes its
        own GPU (round-robin over the visible GPUs, so parallel search
        workers spread out) when there are GPUs, else the backend's
        default; "cpu"; a GPU index or "gpu:<index>".
    mixed_precision : bool, default=False
        Build the network under Keras's "mixed_float16" policy (float16
        computations, float32 weights): faster on recent GPUs.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout; an int makes
        fits repeatable. NumPy's and Python's global generators are left as
        they were.
    optimizer : str, optimizer class or instance, default="rmsprop"
        Used when the model is not compiled; ``optimizer__*`` parameters
        configure it (e.g. ``optimizer__learning_rate``).
    loss : str, loss class, instance or callable, default=None
        None chooses binary cross-entropy for one sigmoid output and sparse
        categorical cross-entropy for one output per class.
    metrics : list, default=None
        Metrics to compute during training (names, classes or instances).
    batch_size : int, default=None
        Rows per gradient step (Keras's default, 32, when None).
    verbose : {0, 1, 2, "auto"}, default=0
        Keras's training output.
    callbacks : list or dict, default=None
        Keras callbacks, as classes (configured with ``callbacks__*``) or
        instances (copied for each fit).
    validation_split : float, default=0.0
        Fraction of the training rows (the last ones) held out for
        validation metrics (``val_loss`` ... in ``history_``).
    shuffle : bool, default=True
        Shuffle the training rows before each epoch.
    run_eagerly : bool, default=False
        Run Keras's train step eagerly (for debugging).
    epochs : int, default=1
        Epochs per ``fit``.
    class_weight : dict or "balanced", default=None
        Weights of the classes, keyed by label.
    **kwargs : dict
        Routed parameters (``model__units``, ``optimizer__learning_rate``,
        ``fit__validation_data``, ``predict__batch_size`` ...) and plain
        keyword arguments for the model builder.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch values of the loss and metrics (``loss``, ``val_loss``,
        ...), accumulated over warm-started fits.
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

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_dl import KerasClassifier
    >>> def build(meta, hidden=16):
    ...     return keras.Sequential([
    ...         keras.Input((meta["n_features_in_"],)),
    ...         keras.layers.Dense(hidden, activation="relu"),
    ...         keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ...     ])
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KerasClassifier(build, model__hidden=8, epochs=2, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **BaseKerasClassifier._parameter_constraints,
        **_WRAPPER_CONSTRAINTS,
    }

    def __init__(
        self,
        model: Any = None,
        *,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
        random_state: Any = None,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: list | None = None,
        batch_size: int | None = None,
        verbose: int | str = 0,
        callbacks: list | dict | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        epochs: int = 1,
        class_weight: dict | str | None = None,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.epochs = epochs
        self.class_weight = class_weight
        vars(self).update(kwargs)


class KerasRegressor(_ModelWrapper, BaseKerasRegressor):
    """A Keras model as a scikit-learn regressor.

    Parameters
    ----------
    model : keras.Model or callable, default=None
        The network, or a function returning it (compiled or not); see
        :class:`KerasClassifier`. Its output layer needs one unit per target
        column (linear activation for unbounded targets).
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
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout.
    optimizer : str, optimizer class or instance, default="rmsprop"
        Used when the model is not compiled; ``optimizer__*`` configures it.
    loss : str, loss class, instance or callable, default=None
        None means mean squared error.
    metrics : list, default=None
        Metrics to compute during training.
    batch_size : int, default=None
        Rows per gradient step (32 when None).
    verbose : {0, 1, 2, "auto"}, default=0
        Keras's training output.
    callbacks : list or dict, default=None
        Keras callbacks (classes or instances).
    validation_split : float, default=0.0
        Fraction of the training rows held out for validation metrics.
    shuffle : bool, default=True
        Shuffle the training rows before each epoch.
    run_eagerly : bool, default=False
        Run Keras's train step eagerly.
    epochs : int, default=1
        Epochs per ``fit``.
    **kwargs : dict
        Routed parameters and plain keyword arguments for the builder.

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

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_dl import KerasRegressor
    >>> def build(meta):
    ...     return keras.Sequential([
    ...         keras.Input((meta["n_features_in_"],)),
    ...         keras.layers.Dense(meta["n_outputs_"]),
    ...     ])
    >>> X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    >>> reg = KerasRegressor(build, epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **BaseKerasRegressor._parameter_constraints,
        **_WRAPPER_CONSTRAINTS,
    }

    def __init__(
        self,
        model: Any = None,
        *,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
        random_state: Any = None,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: list | None = None,
        batch_size: int | None = None,
        verbose: int | str = 0,
        callbacks: list | dict | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        epochs: int = 1,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.epochs = epochs
        vars(self).update(kwargs)


__all__ = ["KerasClassifier", "KerasRegressor"]
