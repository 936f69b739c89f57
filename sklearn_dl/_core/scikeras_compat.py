"""scikeras's estimator API on top of the core: what its users' code calls.

:class:`ScikerasCompat` is mixed into the wrappers (``KerasClassifier``,
``KerasRegressor``, ``BaseWrapper``). It declares what the core lets an
estimator declare and adds scikeras's public methods, without changing the
core's transactional fit:

- ``initialize(X, y)``: a pre-trained or pre-built model ready to predict
  without fitting (inside a :class:`~sklearn_dl._core.transaction.FitTransaction`,
  like a fit); ``current_epoch``;
- subclasses with their own ``__init__`` (parent parameters stay
  parameters);
- fit-time overrides: ``fit(X, y, epochs=3, batch_size=8, ...)``,
  ``fit__epochs``, ``fit__class_weight`` ... (the core's
  ``_fit_overrides``), ``validation_batch_size``; ``fit__callbacks`` with
  nested routed keys (``fit__callbacks__0__0=Schedule``);
- predict-time arguments: ``predict(X, batch_size=8, callbacks=...)`` and
  ``predict__callbacks``; ``batch_size=-1`` means every row;
- ``history_`` keyed by Keras's full metric names (``mean_absolute_error``
  for ``"mae"``);
- several inputs (``X`` as a dict, list, ``NamedArrays`` or grouped
  DataFrame) and the ``feature_encoder`` hook.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._backend.devices import device_scope
from sklearn_dl._backend.keras import import_keras
from sklearn_dl._core.builders import wrapper_param_names
from sklearn_dl._core.keras_names import full_metric_name
from sklearn_dl._core.keras_objects import make_callbacks
from sklearn_dl._core.multi_io import is_multi
from sklearn_dl._core.plan import make_plan
from sklearn_dl._core.predicting import check_finite_outputs, predict_in_fixed_batches
from sklearn_dl._core.routing import route_params, unknown_parameter_error
from sklearn_dl._core.streaming import is_streamed
from sklearn_dl._core.transaction import FitTransaction
from sklearn_dl._core.wrapper_targets import (
    decode_custom,
    encode_features,
    multi_labels,
    multi_probabilities,
    multi_regression,
    validate_inputs,
)

#: Managed ``Model.fit`` arguments a fit call (or ``fit__*``) may override.
FIT_OVERRIDES = frozenset(
    {"batch_size", "verbose", "validation_split", "shuffle", "class_weight"}
)

#: Arguments ``predict`` (or ``predict__*``) accepts.
PREDICT_ARGUMENTS = frozenset({"batch_size", "callbacks", "verbose"})


def _partial_fit_params(fit_params: dict[str, Any]) -> dict[str, Any]:
    """``partial_fit``'s per-call ``Model.fit`` arguments, checked.

    Raises
    ------
    TypeError
        For ``epochs`` or ``initial_epoch``: ``partial_fit`` always trains
        one epoch, from the current one.
    """
    for name in ("epochs", "initial_epoch"):
        if name in fit_params:
            raise TypeError(
                f"Invalid argument {name!r} to partial_fit: partial_fit always "
                "trains for one epoch, from the current one; use fit(X, y, "
                "epochs=...) to train for several."
            )
    return dict(fit_params)


class ScikerasCompat:
    """scikeras's wrapper API (mixed into the wrappers; not used directly)."""

    _fit_overrides = FIT_OVERRIDES

    # ------------------------------------------------------------ parameters
    @classmethod
    def _get_param_names(cls) -> list[str]:
        """Parameter names: this class's and its parents' ``__init__`` ones.

        Returns
        -------
        list of str
            Sorted names (see
            :func:`~sklearn_dl._core.builders.wrapper_param_names`).
        """
        return wrapper_param_names(cls)

    @property
    def feature_encoder(self) -> Any:
        """A transformer applied to X before the network sees it (a hook).

        Override in a subclass to return a scikit-learn transformer (e.g. one
        turning a DataFrame into a dict of arrays for a model with several
        inputs). Every fit that builds a new model clones and fits it on
        the training X (``feature_encoder_``); it transforms X in fit and
        predict.

        Returns
        -------
        transformer or None
            None (the default): X is used as given.
        """
        return None

    @property
    def current_epoch(self) -> int:
        """Epochs trained so far (over warm starts and ``partial_fit``).

        Returns
        -------
        int
            ``len(history_["loss"])``, 0 before the first fit.
        """
        history = self.__dict__.get("history_") or {}
        return len(history.get("loss", []))

    # ------------------------------------------------------------ initialize
    def initialize(self, X: Any, y: Any = None) -> ScikerasCompat:
        """Build the model without training it (e.g. a pre-trained model).

        The data sets the meta (features, classes, outputs) exactly as a fit
        would; ``model=`` given as a Keras model is used as it is, not
        copied, so ``model_`` is that object and predictions are its own.
        Like a fit, it either completes or leaves the estimator as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples like the training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets: the classes of a classifier, the target columns of a
            regressor. Optional for a regressor whose ``model`` is a Keras
            model (one target column per output unit is assumed).

        Returns
        -------
        self : object
            The estimator, ready to predict.
        """
        if y is None:
            y = self._placeholder_targets(X)
        self._validate_params()
        plan = make_plan(self, fit_params={}, warm=False, epochs=self.epochs)
        transaction = FitTransaction(self, keeps_model=False)
        try:
            input_dtype = getattr(X, "dtype", None)
            X, y = self._validate_training_data(X, y, reset=True)
            with device_scope(plan.device):
                self.X_dtype_ = np.dtype(input_dtype or X.dtype)
                self._targets.learn(self, y, None)
                self._initialize_model(
                    X[:1], None, transaction, build=self._model_as_given
                )
                self.history_ = {}
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()
        self._prediction_setup = (plan.predict_batch_size, plan.device)
        self._prediction_turns = threading.Lock()
        return self

    def _placeholder_targets(self, X: Any) -> np.ndarray:
        """Targets for ``initialize(X)`` of a regressor wrapping a model."""
        keras = import_keras()
        if is_classifier(self) or not isinstance(self.model, keras.Model):
            raise ValueError(
                f"{type(self).__name__}.initialize needs y (the classes or "
                "target columns) unless it is a regressor wrapping a Keras "
                "model."
            )
        units = int(self.model.outputs[0].shape[-1])
        return np.zeros(len(X)) if units == 1 else np.zeros((len(X), units))

    # ------------------------------------------------------------------- fit
    def fit(
        self, X: Any, y: Any = None, sample_weight: Any = None, **fit_params: Any
    ) -> ScikerasCompat:
        """Build (or, with ``warm_start``, keep) the network and train it.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), dict, list, LazyArray or \
dataset
            Training samples (a dict or list of arrays for a model with
            several inputs); a :class:`~sklearn_dl.LazyArray` (streamed); or
            a ``keras.utils.PyDataset``, a ``tf.data.Dataset`` or a generator
            function yielding ``(X, y)`` batches, with ``y=None``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets (a dict or list of arrays for several outputs); required
            unless X is a dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights (scikit-learn's meaning: an integer weight
            repeats the sample).
        **fit_params : dict
            Arguments for Keras's ``Model.fit`` for this call only: they
            override the parameters (``epochs``, ``batch_size``,
            ``verbose``, ``validation_split``, ``shuffle``,
            ``class_weight``) and the routed ``fit__*`` ones; ``callbacks``
            are added to the parameter's.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        fit_params = dict(fit_params)
        epochs = fit_params.pop("epochs", None)
        if epochs is None:
            routed = route_params(self.get_params(deep=False), "fit")
            epochs = routed.get("epochs", self.epochs)
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            fit_params=fit_params,
            warm=self.warm_start,
            epochs=int(epochs),
        )

    def partial_fit(
        self, X: Any, y: Any = None, sample_weight: Any = None, **fit_params: Any
    ) -> ScikerasCompat:
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), dict or list
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        **fit_params : dict
            ``Model.fit`` arguments for this call only, as for :meth:`fit`
            (``batch_size``, ``callbacks``, ...), except ``epochs`` and
            ``initial_epoch``.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            fit_params=_partial_fit_params(fit_params),
            warm=True,
            epochs=1,
        )

    def _routed(self, prefix: str) -> dict[str, Any]:
        """Routed parameters; ``fit__epochs`` is read by :meth:`fit`."""
        routed = super()._routed(prefix)
        if prefix == "fit":
            routed.pop("epochs", None)
            nested = {
                key[len("callbacks__") :]: routed.pop(key)
                for key in list(routed)
                if key.startswith("callbacks__")
            }
            if nested:  # fit__callbacks__0__0=Schedule: built like callbacks__
                routed["callbacks"] = make_callbacks(
                    routed.get("callbacks"), nested, prefix="fit__callbacks"
                )
        return routed

    def _fit_kwargs(self, fit_params: dict[str, Any]) -> dict[str, Any]:
        """``Model.fit`` arguments; one callback becomes a list."""
        fit_params = dict(fit_params)
        callbacks = fit_params.get("callbacks")
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            fit_params["callbacks"] = [callbacks]
        validation_batch_size = self.__dict__.get("_kwargs", {}).get(
            "validation_batch_size"
        )
        if validation_batch_size is not None:
            fit_params.setdefault("validation_batch_size", validation_batch_size)
        return super()._fit_kwargs(fit_params)

    def _meta(self) -> dict[str, Any]:
        """The core's meta, plus scikeras's keys and several inputs' and outputs'.

        ``y_ndim_``, the fitted ``target_encoder_`` and ``feature_encoder_``
        (when there is one) and whatever a custom target encoder's
        ``get_metadata()`` gave.
        """
        meta = super()._meta()
        state = self.__dict__
        names = (
            "y_ndim_",
            "target_encoder_",
            "feature_encoder_",
            "X_shapes_",
            "input_names_",
            "output_names_",
            "output_columns_",
        )
        for name in names:
            if name in state:
                meta[name] = state[name]
        if "output_columns_" in state:
            meta["n_outputs_expected_"] = len(self.output_columns_)
        if self._custom_targets():
            metadata = getattr(self.target_encoder_, "get_metadata", dict)()
            meta.update({name: state[name] for name in metadata if name in state})
        return meta

    def _custom_targets(self) -> bool:
        """Whether a custom ``target_encoder`` encodes and decodes the targets."""
        check = getattr(self._targets, "uses_custom_encoder", None)
        return bool(check is not None and check(self))

    def _history_key(self, name: str) -> str:
        """scikeras's ``history_`` keys: full metric names."""
        return full_metric_name(name)

    # --------------------------------------------------------------- predict
    def _validate_X(self, X: Any) -> Any:
        """Validate X at predict time (encoded; several inputs allowed)."""
        X = encode_features(self, X, reset=False)
        if is_multi(X) or "X_shapes_" in self.__dict__:
            return validate_inputs(self, X, reset=False)
        return super()._validate_X(X)

    def _predict_batch_size(self) -> int:
        """Rows per predict call from ``predict__batch_size`` (-1: all rows)."""
        routed = super()._routed("predict")
        for key in routed:
            if key not in PREDICT_ARGUMENTS:
                raise unknown_parameter_error(
                    f"predict__{key}", PREDICT_ARGUMENTS, "predict"
                )
        return int(routed.get("batch_size", 256))

    def _predict_outputs(self, X: Any, **kwargs: Any) -> Any:
        """Network outputs for X, with this call's predict arguments.

        ``batch_size`` (-1: all rows), ``callbacks`` and ``verbose``
        override ``predict__*``; without them the core's fast path runs.
        """
        for key in kwargs:
            if key not in PREDICT_ARGUMENTS:
                raise unknown_parameter_error(key, PREDICT_ARGUMENTS, "predict")
        if is_streamed(X):  # a LazyArray: the core streams it in order
            if kwargs:
                raise ValueError(
                    f"Predict arguments {sorted(kwargs)} are not supported for "
                    "a LazyArray, which is predicted in the fit's batch size."
                )
            return super()._predict_outputs(X)
        check_is_fitted(self)
        X = self._validate_X(X)
        callbacks = kwargs.get("callbacks")
        if callbacks is None and "predict__callbacks" in getattr(self, "_kwargs", {}):
            callbacks = super()._routed("predict").get("callbacks")
        if "batch_size" not in kwargs and callbacks is None:
            return self._network_outputs(X)
        setup = self.__dict__.get("_prediction_setup")
        if setup is None:
            self._network_outputs(X[:1])  # resolves the setup once
            setup = self._prediction_setup
        batch_size = int(kwargs.get("batch_size", setup[0]))
        made = make_callbacks(callbacks, {})
        for callback in made:
            callback.set_model(self._model)
            callback.on_predict_begin()
        with device_scope(setup[1]):
            outputs = predict_in_fixed_batches(
                self._model, X, batch_size, self._model_turns(), made
            )
        for callback in made:
            callback.on_predict_end()
        return check_finite_outputs(outputs, type(self).__name__)


class ClassifierCompat(ScikerasCompat):
    """scikeras's classifier API: ``predict(X, **kwargs)`` and ``predict_proba``."""

    def partial_fit(
        self,
        X: Any,
        y: Any = None,
        classes: Any = None,
        sample_weight: Any = None,
        **fit_params: Any,
    ) -> ClassifierCompat:
        """Train for one more epoch, building the network on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), dict or list
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Labels.
        classes : array-like of shape (n_classes,), default=None
            All labels that will ever appear; needed on the first call when
            this batch does not hold every class.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        **fit_params : dict
            ``Model.fit`` arguments for this call only, as for ``fit``
            (``batch_size``, ``callbacks``, ...), except ``epochs`` and
            ``initial_epoch``.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            fit_params=_partial_fit_params(fit_params),
            warm=True,
            epochs=1,
            classes=classes,
        )

    def predict_proba(self, X: Any, **kwargs: Any) -> Any:
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), dict or list
            Samples, shaped like the training samples.
        **kwargs : dict
            ``batch_size`` (-1: all rows), ``callbacks``, ``verbose``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or list of ndarray
            Probabilities, columns in the order of ``classes_``; for 2-D
            targets a list with one such array per target column (as
            scikit-learn's multi-output classifiers return).
        """
        outputs = self._predict_outputs(X, **kwargs)
        if self._custom_targets():
            return decode_custom(self, outputs, return_proba=True)
        if isinstance(self.classes_, list):
            return multi_probabilities(self, outputs)
        return self.target_encoder_.probabilities(outputs)

    def predict(self, X: Any, **kwargs: Any) -> np.ndarray:
        """Predicted labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), dict or list
            Samples, shaped like the training samples.
        **kwargs : dict
            ``batch_size`` (-1: all rows), ``callbacks``, ``verbose``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Labels from ``classes_`` (one column per target column for 2-D
            targets).
        """
        if self._custom_targets():
            return decode_custom(self, self._predict_outputs(X, **kwargs))
        probabilities = self.predict_proba(X, **kwargs)
        if isinstance(self.classes_, list):
            return multi_labels(self, probabilities)
        return self.target_encoder_.decode(probabilities)


class RegressorCompat(ScikerasCompat):
    """scikeras's regressor API: ``predict(X, **kwargs)``."""

    def predict(self, X: Any, **kwargs: Any) -> np.ndarray:
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), dict or list
            Samples, shaped like the training samples.
        **kwargs : dict
            ``batch_size`` (-1: all rows), ``callbacks``, ``verbose``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions (float64), 1-D when the training targets were 1-D.
        """
        outputs = self._predict_outputs(X, **kwargs)
        if self._custom_targets():
            return decode_custom(self, outputs)
        if isinstance(outputs, list) or "output_columns_" in self.__dict__:
            return multi_regression(self, outputs)
        outputs = np.asarray(outputs, dtype=np.float64)
        outputs = outputs.reshape(len(outputs), self.n_outputs_)
        return outputs.ravel() if self.target_type_ == "continuous" else outputs


__all__ = ["ClassifierCompat", "RegressorCompat", "ScikerasCompat"]
