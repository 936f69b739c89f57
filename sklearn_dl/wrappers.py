"""``KerasClassifier`` and ``KerasRegressor``: any Keras model as an estimator.

The parameter conventions follow scikeras, so a scikeras user changes only the
import: ``model=`` takes a Keras model or a builder callable; parameters named
``model__<key>`` (or plain extra keyword arguments) go to the builder,
``optimizer__<key>`` to the optimizer, ``fit__<key>`` to ``Model.fit`` and so
on (see :data:`sklearn_dl._core.routing.ROUTING_PREFIXES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from numbers import Integral
from types import MappingProxyType
from typing import Any

from sklearn_dl._compat import HasMethods, Interval, Options
from sklearn_dl._core.builders import WRAPPER_KEYWORDS, build_model
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
from sklearn_dl._core.routing import has_routing_prefix
from sklearn_dl._core.scikeras_compat import ClassifierCompat, RegressorCompat
from sklearn_dl._core.targets import ClassLabels, NumericTargets
from sklearn_dl._core.wrapper_targets import WrapperTargets
from sklearn_dl.utils.transformers import ClassifierLabelEncoder, RegressorTargetEncoder


class _ModelWrapper:
    """The ``model=`` parameter and scikeras-style keyword routing.

    Extra keyword arguments given to ``__init__`` are parameters like the
    declared ones: ``__init__`` keeps them unchanged in one private dict
    (scikit-learn's rule is that ``__init__`` sets no public attribute but
    its signature's), and :meth:`get_params`, :meth:`set_params` and so
    ``clone`` and ``GridSearchCV`` treat them as ordinary parameters.
    """

    # Read-only and empty for a subclass whose __init__ does not call ours;
    # set_params replaces it, never changes it in place.
    _kwargs: Mapping[str, Any] = MappingProxyType({})

    def _extra_params(self) -> dict[str, Any]:
        """Parameters given as extra keyword arguments (routed or bare)."""
        return dict(self._kwargs)

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
        params.update(self._kwargs)
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
        extra = {
            name: params.pop(name)
            for name in list(params)
            if has_routing_prefix(name)
            or name in self._kwargs
            or name in WRAPPER_KEYWORDS
        }
        if extra:
            # A new dict: a shallow copy of the estimator keeps its own values.
            self._kwargs = {**self._kwargs, **extra}
        return super().set_params(**params) if params else self

    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        # Which builder and which arguments: sklearn_dl/_core/builders.py.
        return build_model(self, self._extra_params(), meta, compile_kwargs)

    def _model_as_given(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        """The model for ``initialize``: a model instance is used, not copied."""
        return build_model(
            self, self._extra_params(), meta, compile_kwargs, copy_instance=False
        )


#: The wrappers' own parameters, and the shared ones they word their own way.
WRAPPER_PARAMETERS = parameter_set(
    Parameter(
        "model",
        (callable, None),
        "keras.Model or callable",
        "The network, or a function returning it (compiled or not). A "
        "function receives the routed ``model__*`` parameters (and plain "
        "extra keyword arguments) and, when its signature names them, "
        "``meta`` (what the data says: ``n_features_in_``, ``X_shape_``, "
        "``X_dtype_``, ``n_outputs_``, ``target_type_`` and, for a "
        "classifier, ``classes_`` and ``n_classes_``), ``compile_kwargs`` and "
        "``params``. A classifier's network needs one output per class (or "
        "one sigmoid output for binary targets), a regressor's one output per "
        "target column. A model instance is copied before training, so its "
        "weights are a starting point, never modified.",
    ),
    CORE_PARAMETERS["optimizer"].reworded(
        "Used when the model is not compiled: a name, a class or an "
        "instance. A fresh one is built for every fit, configured by the "
        "``optimizer__*`` parameters (e.g. ``optimizer__learning_rate=0.01``)."
    ),
    Parameter(
        "metrics",
        (list, tuple, dict, str, callable, None),
        "str, metric, list or dict",
        "Metrics reported per epoch in ``history_`` (under Keras's full "
        'names, e.g. ``"mean_absolute_error"`` for ``"mae"``): one metric '
        "(a name, class or instance), a list, or a dict keyed by model "
        "output. ``metrics__<key>`` configures every metric given as a class, "
        "``metrics__<index or output>__<key>`` one entry.",
    ),
    Parameter(
        "batch_size",
        (Interval(Integral, 1, None, closed="left"), Options(Integral, {-1}), None),
        "int",
        "Rows per gradient step; None means Keras's default, 32, and -1 every "
        "row in one batch.",
    ),
    Parameter(
        "callbacks",
        (list, tuple, dict, callable, HasMethods(["set_model"]), None),
        "callback, list or dict",
        "Keras callbacks: one, a list, or a dict keyed by name; classes "
        "(configured by ``callbacks__*``, or one entry by "
        "``callbacks__<name or index>__<key>``; digit keys are positional "
        "arguments) or instances (copied for each fit).",
    ),
    Parameter(
        "**kwargs",
        (),
        "dict",
        "Routed parameters (``model__hidden``, ``optimizer__learning_rate``, "
        "``fit__validation_data``, ``predict__batch_size`` ...), plain "
        "keyword arguments for the model builder, and scikeras's "
        "``build_fn`` (the deprecated name of ``model``, with a "
        "``FutureWarning``) and ``validation_batch_size``. They are "
        "parameters like the others: ``get_params``, ``set_params`` and "
        "``clone`` see them.",
    ),
)

_PER_OUTPUT_LOSS = (str, callable, list, tuple, dict, None)

#: The wrappers' losses: also a list or dict, one per model output.
WRAPPER_CLASSIFIER_PARAMETERS = parameter_set(
    replace(
        CLASSIFIER_PARAMETERS["loss"],
        constraint=_PER_OUTPUT_LOSS,
        type="str, loss class, instance, callable, list or dict",
        doc=CLASSIFIER_PARAMETERS["loss"].doc
        + " A list or dict gives one loss per model output.",
    ),
)
WRAPPER_REGRESSOR_PARAMETERS = parameter_set(
    replace(
        REGRESSOR_PARAMETERS["loss"],
        constraint=_PER_OUTPUT_LOSS,
        type="str, loss class, instance, callable, list or dict",
        doc=REGRESSOR_PARAMETERS["loss"].doc
        + " A list or dict gives one loss per model output.",
    ),
)


@compose_parameters(
    CORE_PARAMETERS,
    CLASSIFIER_PARAMETERS,
    WRAPPER_PARAMETERS,
    WRAPPER_CLASSIFIER_PARAMETERS,
)
class KerasClassifier(_ModelWrapper, ClassifierCompat, BaseKerasClassifier):
    """A Keras model as a scikit-learn classifier.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch values of the loss and metrics (``loss``, ``val_loss``,
        ...), accumulated over warm-started fits.
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        The class labels (a list, one array per column, for 2-D targets:
        multilabel or multi-output).
    n_classes_ : int or list of int
        Number of classes (per column for 2-D targets).
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
    y_ndim_ : int
        Dimensions of the training labels.
    target_type_ : str
        ``"binary"``, ``"multiclass"``, ``"multilabel-indicator"`` or
        ``"multiclass-multioutput"``.
    n_outputs_ : int
        Number of target columns.
    n_outputs_expected_ : int
        Number of model outputs the targets are fed to.
    current_epoch : int
        Epochs trained so far.
    target_encoder_ : ClassifierLabelEncoder or transformer
        The fitted ``target_encoder``: maps labels to the network's targets
        and back (not set for 2-D labels with the default hook).
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

    _targets = WrapperTargets(
        ClassLabels(), classifier=True, default_encoder=ClassifierLabelEncoder
    )

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
        metrics: Any = None,
        batch_size: int | None = None,
        verbose: int | str = 0,
        callbacks: Any = None,
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
        self._kwargs = kwargs

    @property
    def target_encoder(self) -> Any:
        """The transformer between the labels and the network (a hook).

        By default a :class:`~sklearn_dl.utils.transformers.ClassifierLabelEncoder`
        for ``loss``: it is fitted as ``target_encoder_``, and the labels are
        fed in the encoding the network's output layer and loss need (one
        0/1 column for one sigmoid unit, codes for a sparse loss, one-hot
        rows otherwise; per column for 2-D targets). Override it in a
        subclass to return another transformer (e.g. a subclass of
        ``ClassifierLabelEncoder``): every fit that builds a new model
        clones and fits it on ``y``, copies its ``get_metadata()`` onto the
        estimator (``classes_``, ``n_classes_``, ``n_outputs_expected_``
        ...), trains on its ``transform(y)``, and ``predict`` /
        ``predict_proba`` return its ``inverse_transform(outputs)`` /
        ``inverse_transform(outputs, return_proba=True)``.

        Returns
        -------
        transformer
            ``ClassifierLabelEncoder(loss=self.loss)``.
        """
        return ClassifierLabelEncoder(loss=self.loss)


@compose_parameters(
    CORE_PARAMETERS,
    REGRESSOR_PARAMETERS,
    WRAPPER_PARAMETERS,
    WRAPPER_REGRESSOR_PARAMETERS,
)
class KerasRegressor(_ModelWrapper, RegressorCompat, BaseKerasRegressor):
    """A Keras model as a scikit-learn regressor.

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
    y_ndim_ : int
        Dimensions of the training targets.
    target_encoder_ : RegressorTargetEncoder or transformer
        The fitted ``target_encoder``.
    target_type_ : str
        ``"continuous"`` (1-D y) or ``"continuous-multioutput"`` (2-D y).
    n_outputs_ : int
        Number of target columns.
    n_outputs_expected_ : int
        Number of model outputs (1).
    current_epoch : int
        Epochs trained so far.

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

    _targets = WrapperTargets(
        NumericTargets(), classifier=False, default_encoder=RegressorTargetEncoder
    )

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
        metrics: Any = None,
        batch_size: int | None = None,
        verbose: int | str = 0,
        callbacks: Any = None,
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
        self._kwargs = kwargs

    @property
    def target_encoder(self) -> Any:
        """The transformer between the targets and the network (a hook).

        By default a :class:`~sklearn_dl.utils.transformers.RegressorTargetEncoder`,
        fitted as ``target_encoder_`` (targets pass unchanged). Override it in
        a subclass to return another transformer: every fit that builds a
        new model clones and fits it on ``y``, copies its
        ``get_metadata()`` onto the estimator, trains on its
        ``transform(y)``, and ``predict`` returns its
        ``inverse_transform(outputs)``.

        Returns
        -------
        transformer
            ``RegressorTargetEncoder()``.
        """
        return RegressorTargetEncoder()


__all__ = ["KerasClassifier", "KerasRegressor"]
