"""``BaseWrapper``: any Keras model as a generic scikit-learn estimator.

Neither a classifier nor a regressor: targets reach the network as the
``target_encoder`` makes them (unchanged by default) and predictions come
back through its ``inverse_transform``. It is scikeras's ``BaseWrapper``,
for models whose outputs are of mixed kinds (a class and a measurement) or
that need encoders of their own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_consistent_length

from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.multi_io import (
    NamedArrays,
    as_model_input,
    as_named_arrays,
    is_multi,
    validate_named_arrays,
)
from sklearn_dl._core.parameters import (
    CORE_PARAMETERS,
    compose_parameters,
    parameter_set,
)
from sklearn_dl._core.scikeras_compat import ScikerasCompat
from sklearn_dl._core.targets import TargetAdapter, output_units
from sklearn_dl._core.wrapper_checks import (
    check_loss_contradiction,
    check_some_loss,
)
from sklearn_dl._core.wrapper_targets import encode_features, validate_inputs
from sklearn_dl.wrappers import WRAPPER_PARAMETERS, _ModelWrapper


class IdentityEncoder(TransformerMixin, BaseEstimator):
    """The default ``target_encoder``: targets pass unchanged, both ways.

    Unlike ``FunctionTransformer()`` it takes a dict or list of arrays (the
    targets of a model with several outputs) as they are.
    """

    def fit(self, y: Any, X: Any = None) -> IdentityEncoder:
        """Nothing to learn.

        Parameters
        ----------
        y : object
            Targets.
        X : None
            Unused.

        Returns
        -------
        self : IdentityEncoder
            The encoder.
        """
        return self

    def transform(self, y: Any) -> Any:
        """Return ``y`` unchanged.

        Parameters
        ----------
        y : object
            Targets.

        Returns
        -------
        object
            ``y``.
        """
        return y

    def inverse_transform(self, y: Any) -> Any:
        """Return ``y`` unchanged.

        Parameters
        ----------
        y : object
            Network outputs.

        Returns
        -------
        object
            ``y``.
        """
        return y


class EncodedTargets(TargetAdapter):
    """``BaseWrapper``'s targets: whatever its ``target_encoder`` makes of ``y``.

    Any number of model outputs; no default loss (the targets' kind is not
    known), and no check of the outputs beyond the loss's consistency.
    """

    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        X = encode_features(estimator, X, reset)
        X = validate_inputs(estimator, X, reset)
        if reset:
            encoder = estimator.target_encoder
            fresh = clone(encoder) if hasattr(encoder, "get_params") else encoder
            estimator.target_encoder_ = fresh.fit(y)
        y = estimator.target_encoder_.transform(y)
        if is_multi(y):
            y = validate_named_arrays(as_named_arrays(y))
        else:
            y = check_array(y, ensure_2d=False, dtype="numeric", ensure_all_finite=True)
        check_consistent_length(X, y)
        return X, y

    def learn(self, estimator: Any, y: Any, classes: Any = None) -> None:
        if isinstance(y, NamedArrays):
            estimator.__dict__.pop("y_ndim_", None)  # several arrays: no one ndim
            estimator.target_type_ = "multioutput"
            estimator.n_outputs_ = len(y.keys())
            estimator.n_outputs_expected_ = estimator.n_outputs_
        else:
            estimator.target_type_ = type_of_target(y, input_name="y")
            estimator.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
            estimator.n_outputs_expected_ = 1
            estimator.y_ndim_ = y.ndim
        estimator.y_dtype_ = y.dtype

    def output_units(self, estimator: Any, model: Any, sample: Any) -> Any:
        if model.built and getattr(model, "outputs", None):
            return [int(output.shape[-1]) for output in model.outputs]
        return [output_units(model, as_model_input(sample))]

    def default_loss(self, estimator: Any, n_units: Any) -> Any:
        if n_units is None:  # before the model is built: a builder may compile
            return None
        raise ValueError(
            "BaseWrapper has no default loss: give `loss=` or compile the "
            "model in its builder."
        )

    def check_outputs(self, estimator: Any, n_units: Any, loss: Any) -> None:
        check_some_loss(estimator, loss)
        check_loss_contradiction(estimator, loss)

    def encode(self, estimator: Any, y: Any) -> Any:
        if isinstance(y, NamedArrays):
            return y.as_model_input()
        y = np.asarray(y)
        if y.dtype.kind == "f":
            y = y.astype(np.float32, copy=False)
        return y.reshape(len(y), -1) if y.ndim == 1 else y


#: How BaseWrapper words the loss: there is no default.
BASE_WRAPPER_PARAMETERS = parameter_set(
    CORE_PARAMETERS["loss"].reworded(
        "Needed when the model is not compiled (there is no default: the "
        "targets' kind is unknown); a list or dict gives one per output.",
        type="str, loss class, instance, callable, list or dict",
    ),
)


@compose_parameters(CORE_PARAMETERS, WRAPPER_PARAMETERS, BASE_WRAPPER_PARAMETERS)
class BaseWrapper(_ModelWrapper, ScikerasCompat, BaseKerasEstimator):
    """A Keras model as a generic scikit-learn estimator (scikeras's ``BaseWrapper``).

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch loss and metrics.
    current_epoch : int
        Epochs trained so far.
    feature_encoder_ : transformer
        The fitted ``feature_encoder`` (when the hook returns one).
    target_encoder_ : transformer
        The fitted ``target_encoder``.
    n_features_in_ : int
        Features of X (summed over the inputs of a model with several).
    X_shape_ : tuple
        Shape of the training X.
    X_dtype_ : numpy.dtype
        dtype of the training X.
    y_dtype_ : numpy.dtype
        dtype of the encoded targets.
    y_ndim_ : int
        Dimensions of the encoded targets (not set for several arrays).
    n_outputs_ : int
        Number of target arrays (several for a dict or list ``y``) or columns.
    target_type_ : str
        scikit-learn's ``type_of_target`` of the encoded targets, or
        ``"multioutput"`` for several arrays.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from sklearn_dl import BaseWrapper
    >>> def build(meta):
    ...     inputs = keras.Input(meta["X_shape_"][1:])
    ...     return keras.Model(inputs, keras.layers.Dense(2)(inputs))
    >>> X = np.random.default_rng(0).normal(size=(20, 3))
    >>> est = BaseWrapper(build, loss="mse", random_state=0).fit(X, X[:, :2])
    >>> est.predict(X).shape
    (20, 2)
    """

    _targets = EncodedTargets()
    _parameter_constraints: dict = {
        "loss": [str, callable, list, tuple, dict, None],
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

    # -------------------------------------------------------------- hooks
    @property
    def target_encoder(self) -> Any:
        """A transformer between the targets and the network (a hook).

        Override to return a scikit-learn transformer: it is cloned and
        fitted on ``y`` by every fit that builds a new model
        (``target_encoder_``), ``transform`` encodes ``y`` for the network
        and ``inverse_transform`` decodes the network's outputs in
        ``predict``.

        Returns
        -------
        transformer
            By default an :class:`IdentityEncoder`.
        """
        return IdentityEncoder()

    @staticmethod
    def scorer(y_true: Any, y_pred: Any, **kwargs: Any) -> float:
        """The score ``score`` reports (override in a subclass).

        Parameters
        ----------
        y_true : array-like
            True targets.
        y_pred : array-like
            Predictions.
        **kwargs : dict
            ``sample_weight`` and such.

        Returns
        -------
        float
            The score.
        """
        raise NotImplementedError(
            "BaseWrapper has no score: subclass it and define a `scorer` static "
            "method (KerasClassifier and KerasRegressor have theirs)."
        )

    # ------------------------------------------------------------ predict
    def predict(self, X: Any, **kwargs: Any) -> Any:
        """The network's outputs, decoded by ``target_encoder_``.

        Parameters
        ----------
        X : array-like, dict or list
            Samples, like the training X.
        **kwargs : dict
            ``batch_size`` (-1: all rows), ``callbacks``, ``verbose``.

        Returns
        -------
        ndarray, or dict of ndarray
            The outputs (a dict keyed by output name for a model with
            several), through ``target_encoder_.inverse_transform``.
        """
        outputs = self._predict_outputs(X, **kwargs)
        if isinstance(outputs, list):
            names = list(self._model.output_names)
            outputs = dict(zip(names, outputs, strict=True))
        elif outputs.ndim == 2 and outputs.shape[1] == 1 and self.n_outputs_ == 1:
            if self.target_type_ != "continuous-multioutput":
                outputs = outputs.ravel()
        return self.target_encoder_.inverse_transform(outputs)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """``scorer(y, predict(X))`` (define ``scorer`` in a subclass).

        Parameters
        ----------
        X : array-like
            Samples.
        y : array-like
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the scorer when given.

        Returns
        -------
        float
            The score.
        """
        extra = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.scorer(y, self.predict(X), **extra)


__all__ = ["BaseWrapper", "IdentityEncoder"]
