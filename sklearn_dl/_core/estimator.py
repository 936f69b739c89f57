"""The estimator core shared by every network in sklearn_dl.

:class:`BaseKerasEstimator` implements scikit-learn's estimator protocol once:
parameter validation, data validation and meta-data, target encoding hooks,
seeding, build → compile → fit, ``warm_start`` / ``partial_fit``, ``history_``
and a fast predict path. A network family only says how to build its Keras
model (:meth:`BaseKerasEstimator._build_keras_model`).
"""

from __future__ import annotations

import threading
from abc import ABCMeta, abstractmethod
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_dl._backend.devices import device_scope, variable_device
from sklearn_dl._backend.keras import dtype_policy_scope, import_keras
from sklearn_dl._backend.runtime import first_traces
from sklearn_dl._backend.steps import several_steps, steps_per_call
from sklearn_dl._core.divergence import check_finite_model
from sklearn_dl._core.feeders import ArrayFeeder, StatefulFeeder, whole_batches
from sklearn_dl._core.keras_objects import (
    make_callbacks,
    make_loss,
    make_metrics,
    make_optimizer,
)
from sklearn_dl._core.metadata_requests import NetworkMetadataRequests  # issue #18
from sklearn_dl._core.model_pool import (
    POOL,
    architecture_key,
    is_shared,
    lend,
    loan_key,
    mark_shared,
    model_reuse_enabled,
    remember_optimizer_start,
    transplant,
)
from sklearn_dl._core.parameters import CORE_PARAMETERS, constraints_of
from sklearn_dl._core.plan import (
    DEFAULT_PREDICT_BATCH_SIZE,
    FitPlan,
    make_plan,
    resolve_placement,
)
from sklearn_dl._core.predicting import (
    check_finite_outputs,
    is_stateful,
    predict_in_fixed_batches,
)
from sklearn_dl._core.routing import ROUTING_PREFIXES, accepted_names, route_params
from sklearn_dl._core.sample_weight import (
    apply_sample_weight,
    check_sample_weight,
)
from sklearn_dl._core.seeding import seed_model
from sklearn_dl._core.sklearn_callbacks import (  # sklearn.callback (issue #18)
    SklearnCallbackSupport,
    sklearn_callback_bridges,
    with_callbacks,
)
from sklearn_dl._core.streaming import (  # out-of-core data (issue #16)
    fit_streamed,
    is_streamed,
    predict_streamed,
)
from sklearn_dl._core.targets import TargetAdapter, output_units
from sklearn_dl._core.transaction import FitTransaction

# Model.fit arguments the estimator sets itself, with the parameter to use.
_MANAGED_FIT_ARGUMENTS = {
    "x": "X in fit(X, y)",
    "y": "y in fit(X, y)",
    "sample_weight": "sample_weight in fit(X, y, sample_weight)",
    "batch_size": "the `batch_size` parameter",
    "epochs": "the `epochs` parameter",
    "verbose": "the `verbose` parameter",
    "validation_split": "the `validation_split` parameter",
    "shuffle": "the `shuffle` parameter",
    "class_weight": "the `class_weight` parameter",
    "initial_epoch": "warm_start / partial_fit (epochs continue automatically)",
}


class BaseKerasEstimator(
    SklearnCallbackSupport,  # issue #18
    NetworkMetadataRequests,  # issue #18
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Core of every sklearn_dl network (not used directly).

    Subclasses define ``__init__`` with their parameters (at least
    ``optimizer``, ``loss``, ``metrics``, ``batch_size``, ``epochs``,
    ``verbose``, ``callbacks``, ``validation_split``, ``shuffle``,
    ``random_state`` and ``warm_start``) and implement
    :meth:`_build_keras_model`. They declare, rather than override: what
    their targets are (the class attribute ``_targets``, a
    :class:`~sklearn_dl._core.targets.TargetAdapter`) and, where training
    data needs a special form, how it is fed (``_feeder``, see
    :mod:`sklearn_dl._core.feeders`).
    """

    #: How targets are validated, learned, encoded and checked.
    _targets: TargetAdapter
    #: Whether fits may take compiled models from the pool (and give theirs).
    _reuses_compiled_models: bool = True
    #: How training data is fed to a model without stateful layers.
    _feeder: type = ArrayFeeder
    #: Managed ``Model.fit`` arguments a fit call (or ``fit__*``) may override.
    _fit_overrides: frozenset = frozenset()

    # Declared once, with their docs, in sklearn_dl._core.parameters.
    _parameter_constraints: dict = constraints_of(CORE_PARAMETERS)

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        """Return the Keras model to train (compiled or not).

        Parameters
        ----------
        meta : dict
            What the data says about the model (see :meth:`_meta`).
        compile_kwargs : dict
            Fresh ``optimizer``, ``loss`` and ``metrics`` for ``compile``.

        Returns
        -------
        keras.Model
            The model.
        """

    # ------------------------------------------------------------ parameters
    def _routed(self, prefix: str) -> dict[str, Any]:
        """The ``<prefix>__*`` parameters, prefix removed (a new dict)."""
        return route_params(self.get_params(deep=False), prefix)

    def _compile_kwargs(self) -> dict[str, Any]:
        """Fresh compile arguments built from the parameters."""
        loss = self.loss
        if loss is None:
            loss = self._targets.default_loss(self, None)
        compile_kwargs = {
            "optimizer": make_optimizer(self.optimizer, self._routed("optimizer")),
            "loss": make_loss(loss, self._routed("loss")),
            "metrics": make_metrics(self.metrics, self._routed("metrics")),
        }
        if self.run_eagerly:
            compile_kwargs["run_eagerly"] = True
        extra = self._routed("compile")
        valid, _ = accepted_names(import_keras().Model.compile)
        _reject_unknown(extra, valid - {"self"}, "compile", "Model.compile")
        return {**compile_kwargs, **extra}

    def _fit_kwargs(self, fit_params: dict[str, Any]) -> dict[str, Any]:
        """Keras ``fit`` arguments from ``fit__*`` and fit-time parameters."""
        extra = {**self._routed("fit"), **fit_params}
        for key in extra:
            if key in _MANAGED_FIT_ARGUMENTS and key not in self._fit_overrides:
                raise ValueError(
                    f"Model.fit argument {key!r} is set by the estimator; use "
                    f"{_MANAGED_FIT_ARGUMENTS[key]} instead."
                )
        valid, _ = accepted_names(import_keras().Model.fit)
        _reject_unknown(extra, valid - {"self"}, "fit", "Model.fit")
        return extra

    def _history_key(self, name: str) -> str:
        """The ``history_`` key of one of Keras's ``History`` keys (unchanged)."""
        return name

    def _make_callbacks(self) -> list[Any]:
        """Fresh Keras callbacks for one fit, from ``callbacks`` and ``callbacks__*``.

        Networks with callbacks of their own (early stopping) extend the list.
        """
        return make_callbacks(self.callbacks, self._routed("callbacks"))

    def _predict_batch_size(self) -> int:
        """Rows per call on the predict path."""
        routed = self._routed("predict")
        _reject_unknown(routed, {"batch_size"}, "predict", "predict")
        return int(routed.get("batch_size", DEFAULT_PREDICT_BATCH_SIZE))

    # ------------------------------------------------------------------ data
    def _validate_training_data(self, X: Any, y: Any, reset: bool) -> tuple:
        """Validate X and y; with ``reset`` learn X's sample shape."""
        X, y = self._targets.validate(self, X, y, reset)
        if self._targets.samples_are_arrays:
            self._check_sample_shape(X, reset=reset)
        return X, y

    def _validate_X(self, X: Any) -> np.ndarray:
        """Validate X at predict time: features and sample shape as in fit."""
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=np.float32)
        self._check_sample_shape(X, reset=False)
        return X

    def _check_sample_shape(self, X: np.ndarray, reset: bool) -> None:
        """Record (``reset``) or check the shape of one sample of X."""
        if reset:
            self.X_shape_ = X.shape
        elif X.shape[1:] != tuple(self.X_shape_[1:]):
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but "
                f"{type(self).__name__} was fitted on samples of shape "
                f"{tuple(self.X_shape_[1:])}."
            )

    def _meta(self) -> dict[str, Any]:
        """What a model builder may want to know about the data.

        Returns
        -------
        dict
            Fitted attributes describing X and y (``n_features_in_``,
            ``X_shape_``, ``X_dtype_``, ``n_outputs_``, ``target_type_``, and
            for classifiers ``classes_`` and ``n_classes_``).
        """
        names = (
            "n_features_in_",
            "feature_names_in_",
            "X_shape_",
            "X_dtype_",
            "y_dtype_",
            "target_type_",
            "n_outputs_",
            "n_outputs_expected_",
            "classes_",
            "n_classes_",
        )
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    # ------------------------------------------------------------------- fit
    def fit(
        self, X: Any, y: Any = None, sample_weight: Any = None, **fit_params: Any
    ) -> BaseKerasEstimator:
        """Build (or, with ``warm_start``, keep) the network and train it.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), LazyArray or dataset
            Training samples: rows of features, or n-D samples (images
            ``(n, H, W, C)``, sequences ``(n, T, F)``); a
            :class:`~sklearn_dl.LazyArray` (streamed, never read whole); or
            a ``keras.utils.PyDataset``, a ``tf.data.Dataset`` or a
            generator function yielding ``(X, y)`` batches, with ``y=None``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets; required unless X is a dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights. An integer weight is equivalent to
            repeating the sample; zero-weight samples are left out.
        **fit_params : dict
            Extra arguments for Keras's ``Model.fit`` (e.g.
            ``validation_data``); ``callbacks`` given here are added to
            those of the ``callbacks`` parameter (copied, like those, so
            concurrent fits never share one).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            fit_params=fit_params,
            warm=self.warm_start,
            epochs=self.epochs,
        )

    @with_callbacks  # sklearn.callback teardown, even when fit raises (issue #18)
    def _fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any,
        fit_params: dict[str, Any],
        warm: bool,
        epochs: int,
        classes: Any = None,
    ) -> BaseKerasEstimator:
        """Shared body of :meth:`fit` and ``partial_fit``: one transactional fit.

        The plan is resolved first (every routed argument checked before
        any Keras work); then the model is built or kept, trained, and
        checked. Whatever raises on the way (``KeyboardInterrupt`` too)
        leaves the estimator exactly as it was (see
        :class:`~sklearn_dl._core.transaction.FitTransaction`).
        """
        from sklearn_dl._core.callbacks import NonFiniteLossGuard  # imports Keras

        if is_streamed(X):  # LazyArray, dataset, generator (issue #16)
            return fit_streamed(
                self,
                X,
                y,
                sample_weight=sample_weight,
                fit_params=fit_params,
                warm=warm,
                epochs=epochs,
                classes=classes,
            )
        for several_steps_allowed in (True, False):
            prepared = self._prepare_fit(
                X,
                y,
                sample_weight=sample_weight,
                fit_params=fit_params,
                warm=warm,
                epochs=epochs,
                classes=classes,
            )
            transaction, plan = prepared.transaction, prepared.plan
            try:
                arguments = dict(prepared.arguments)
                with device_scope(plan.device):
                    guard = NonFiniteLossGuard()
                    arguments["callbacks"] = [guard, *self._bind_callbacks(arguments)]
                    arguments["callbacks"] += sklearn_callback_bridges(
                        self,
                        prepared.X,
                        prepared.y,
                        prepared.weights,
                        plan.epochs,
                        plan.initial_epoch,
                    )
                    steps = (
                        self._steps_per_call(plan, arguments)
                        if several_steps_allowed
                        else 1
                    )
                    with first_traces(), several_steps(self._model, steps):
                        history = self._model.fit(**arguments)
                    if guard.failure is not None and steps == 1:
                        raise guard.error(type(self).__name__)
            except BaseException:
                transaction.rollback()
                raise
            if guard.failure is None:
                return self._finish_fit(prepared, history.history)
            # The guard saw the loss only at the end of a call of several
            # steps: the fit is run again, one step per call, so the error
            # names the batch where the loss diverged, as always.
            transaction.rollback()
        raise AssertionError("unreachable: a one-step fit returns or raises")

    def _prepare_fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any,
        fit_params: dict[str, Any],
        warm: bool,
        epochs: int,
        classes: Any = None,
    ) -> PreparedFit:
        """Everything of a fit before training: plan, data, model, arguments.

        The model is built (or kept), compiled and seeded and the
        ``Model.fit`` arguments are assembled exactly as the sequential fit
        uses them; a search that trains several prepared fits together
        (:mod:`sklearn_dl.model_selection`) then finishes each with
        :meth:`_finish_fit`. What raises here rolls the estimator back.
        """
        self._validate_params()
        plan = make_plan(self, fit_params=fit_params, warm=warm, epochs=epochs)
        transaction = FitTransaction(self, keeps_model=not plan.reset)
        try:
            input_dtype = getattr(X, "dtype", None)
            X, y = self._validate_training_data(X, y, reset=plan.reset)
            weights = check_sample_weight(sample_weight, X.shape[0])
            X, y, weights = apply_sample_weight(X, y, weights)
            fit_kwargs = dict(plan.fit_kwargs)
            with device_scope(plan.device):
                if plan.reset:
                    self.X_dtype_ = np.dtype(input_dtype or X.dtype)
                    self._targets.learn(self, y, classes)
                    self._initialize_model(X[:1], plan.seed, transaction)
                    self.history_ = {}
                else:
                    self._update_optimizer()
                if "validation_data" in fit_kwargs:
                    fit_kwargs["validation_data"] = self._encode_validation_data(
                        fit_kwargs["validation_data"]
                    )
                class_weight = (
                    self._targets.class_weight(self, y, fit_kwargs.pop("class_weight"))
                    if "class_weight" in fit_kwargs
                    else self._targets.class_weight(self, y)
                )
                arguments = {
                    "x": X,
                    "y": self._targets.encode(self, y),
                    "sample_weight": weights,
                    "batch_size": self.batch_size,
                    "epochs": plan.final_epoch,
                    "initial_epoch": plan.initial_epoch,
                    "verbose": self.verbose,
                    "callbacks": list(plan.callbacks),
                    "validation_split": self.validation_split,
                    "shuffle": self.shuffle,
                    "class_weight": class_weight,
                    **fit_kwargs,
                }
                arguments = whole_batches(arguments, X.shape[0])
                arguments = self._feeder_for(plan).fit_arguments(arguments)
        except BaseException:
            transaction.rollback()
            raise
        return PreparedFit(plan, transaction, X, y, weights, arguments)

    def _finish_fit(
        self, prepared: PreparedFit, history: dict[str, list]
    ) -> BaseKerasEstimator:
        """Check the trained model, record its history and commit the fit.

        ``history`` is Keras's ``History.history`` of the training (epoch
        logs by name). A model with non-finite weights or outputs rolls the
        estimator back and raises, as the sequential fit does.
        """
        plan, transaction = prepared.plan, prepared.transaction
        try:
            with device_scope(plan.device):
                check_finite_model(
                    self._model,
                    prepared.X,
                    batch_size=plan.predict_batch_size,
                    epoch=plan.final_epoch,
                    estimator_name=type(self).__name__,
                )
            for name, values in history.items():
                key = self._history_key(name)
                self.history_.setdefault(key, []).extend(float(v) for v in values)
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()
        self._prediction_setup = (plan.predict_batch_size, plan.device)
        self._prediction_turns = threading.Lock()
        return self

    def _steps_per_call(self, plan: FitPlan, arguments: dict[str, Any]) -> int:
        """Training steps per compiled call for this fit (1: one per batch).

        Several steps per call (Keras's ``steps_per_execution``) train
        exactly as one does, batch for batch, when nothing observes single
        batches and every epoch ends at a call's end: no progress bar, no
        scikit-learn callbacks, no Keras callbacks but the core's own and
        ``EarlyStopping`` (which reads epochs only; any other callback may
        have batch hooks, or side effects a divergence's rerun would
        repeat), in-memory arrays fed by the core's own feeder, no
        ``steps_per_epoch`` or ``validation_steps`` of the user's (their
        data runs on across calls). The backend then says how many (see
        :mod:`sklearn_dl._backend.steps`).
        """
        from sklearn_dl._core.callbacks import NonFiniteLossGuard  # imports Keras

        keras = import_keras()
        epoch_level = (NonFiniteLossGuard, keras.callbacks.EarlyStopping)
        if (
            arguments.get("verbose")
            or self._feeder is not ArrayFeeder
            or is_stateful(self._model)
            or "steps_per_epoch" in plan.fit_kwargs
            or "validation_steps" in plan.fit_kwargs  # Keras then runs on
            or any(type(c) not in epoch_level for c in arguments["callbacks"])
        ):
            return 1
        if isinstance(arguments["x"], np.ndarray):
            return steps_per_call(self._model, None)  # Keras ends each epoch
        steps = arguments.get("steps_per_epoch")
        if steps is None or arguments.get("batch_size") is not None:
            return 1  # a dataset of the core's feeder has its steps_per_epoch
        return steps_per_call(self._model, int(steps))

    def _bind_callbacks(self, arguments: dict[str, Any]) -> list[Any]:
        """The fit's callbacks; those with ``set_estimator`` get ``self``."""
        callbacks = list(arguments.get("callbacks") or [])
        for callback in callbacks:
            if hasattr(callback, "set_estimator"):
                callback.set_estimator(self)
        return callbacks

    def _feeder_for(self, plan: FitPlan) -> Any:
        """How this fit's data is fed (see :mod:`sklearn_dl._core.feeders`).

        A stateful model trains in order on whole batches whoever built it;
        otherwise the estimator's declared ``_feeder`` feeds the data, epoch
        ``k``'s order coming from ``(seed, k)`` alone.
        """
        if is_stateful(self._model):
            return StatefulFeeder(self._model)
        return self._feeder(plan.seed)

    def _initialize_model(
        self,
        sample: np.ndarray,
        seed: int | None,
        transaction: FitTransaction,
        *,
        build: Any = None,
    ) -> None:
        """Build and compile a new model from the parameters and meta.

        ``sample`` (one training row) builds models that have no Input
        layer, so their output size is known. With a ``seed``, the model's
        unseeded random sources get seeds derived from it
        (:func:`~sklearn_dl._core.seeding.seed_model`) before a pooled model
        copies its state. ``build`` replaces :meth:`_build_keras_model` (a
        wrapper's ``initialize`` uses the user's model as it is); such a
        model is neither seeded nor swapped for a pooled one.
        """
        keras = import_keras()
        compile_kwargs = self._compile_kwargs()
        policy = "mixed_float16" if getattr(self, "mixed_precision", False) else None
        with dtype_policy_scope(policy):
            model = (build or self._build_keras_model)(self._meta(), compile_kwargs)
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"The model builder of {type(self).__name__} must return a "
                f"keras.Model; it returned {type(model).__name__}."
            )
        n_units = self._targets.output_units(self, model, sample)
        if not model.compiled:
            if self.loss is None:
                compile_kwargs["loss"] = self._targets.default_loss(self, n_units)
            model.compile(**compile_kwargs)
        self._targets.check_outputs(self, n_units, model.loss)
        if build is not None:
            self.__dict__.pop("_model_loan", None)  # commit lets go of the old one
            self.model_ = model  # the user's object: never lent to another fit
            return
        if seed is not None:
            seed_model(model, seed)
        self._model = self._reuse_pooled_model(model, transaction)

    def _update_optimizer(self) -> None:
        """Let a warm-started fit use a changed learning rate.

        When the trained optimizer is the one the parameters describe, up to
        its learning rate, the new rate is assigned and the optimizer's state
        kept. Other optimizer changes take effect on the next cold fit (a
        builder may have compiled its own optimizer on purpose).
        """
        optimizer = self._model.optimizer
        wanted = make_optimizer(self.optimizer, self._routed("optimizer"))
        current, new = optimizer.get_config(), wanted.get_config()
        rate = new.pop("learning_rate", None)
        for config in (current, new):
            config.pop("learning_rate", None)
            config.pop("name", None)
        if type(optimizer) is type(wanted) and current == new:
            if isinstance(rate, (int, float)):
                optimizer.learning_rate = rate

    def _reuse_pooled_model(self, fresh: Any, transaction: FitTransaction) -> Any:
        """Swap a freshly built model for a compiled one of the same kind.

        The estimator's own previous model comes first (a refit), then an
        idle pooled one. The model taken receives ``fresh``'s exact state
        (see :mod:`sklearn_dl._core.model_pool`), so training gives identical
        results without tracing Keras's functions again; the previous model's
        variables are recorded first, so a failed refit can restore them.
        """
        reuse = self._reuses_compiled_models and model_reuse_enabled()
        key = architecture_key(fresh) if reuse else None
        if key is None:
            return fresh
        if fresh.weights:
            # Variables stay on the device they were built on: a model built
            # for the GPU must not train a fit placed on the CPU.
            key = f"{key}@{variable_device(fresh.weights[0])}"
        loan = self.__dict__.get("_model_loan")
        if loan is not None and loan_key(loan) == key and not is_shared(self._model):
            transaction.protect(self._model)
            if transplant(fresh, self._model):
                return self._model
        pooled = POOL.take(key)
        if pooled is not None and transplant(fresh, pooled):
            model = pooled
        else:
            model = fresh
            remember_optimizer_start(fresh)
        self._model_loan = lend(self, key, model)
        return model

    def __getstate__(self) -> dict[str, Any]:
        """State for pickling and copying; a copy owns its model outright.

        Returns
        -------
        dict
            The instance's attributes, without the pool loan.
        """
        state = dict(super().__getstate__())  # a copy: never drop self's own
        for runtime_only in _RUNTIME_ATTRIBUTES:
            state.pop(runtime_only, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or copied estimator.

        Parameters
        ----------
        state : dict
            The attributes from :meth:`__getstate__`.
        """
        super().__setstate__(state)
        if "_model" in self.__dict__:
            self._prediction_turns = threading.Lock()

    def _encode_validation_data(self, data: Any) -> tuple:
        """Validate and encode a ``validation_data`` tuple like the training data."""
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val) or "
                "(X_val, y_val, sample_weight_val)."
            )
        X_val, y_val = self._validate_training_data(data[0], data[1], reset=False)
        encoded = (X_val, self._targets.encode(self, y_val))
        if len(data) == 3:
            encoded += (check_sample_weight(data[2], X_val.shape[0]),)
        return encoded

    # --------------------------------------------------------------- predict
    def _predict_outputs(self, X: Any) -> np.ndarray:
        """Run the network on X (see :mod:`sklearn_dl._core.predicting`).

        The predict batch size and the device are those the last fit
        resolved; NaN or infinite outputs are refused, never returned.
        """
        check_is_fitted(self)
        if is_streamed(X):  # a LazyArray, read in order (issue #16)
            return predict_streamed(self, X)
        return self._network_outputs(self._validate_X(X))

    def _network_outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs for validated inputs, in fixed-shape batches."""
        setup = self.__dict__.get("_prediction_setup")
        if setup is None:  # a network loaded from a file: resolve once
            setup = (self._predict_batch_size(), resolve_placement(self.device))
            self._prediction_setup = setup
        batch_size, device = setup
        with device_scope(device):
            outputs = predict_in_fixed_batches(
                self._model, X, batch_size, self._model_turns()
            )
        return check_finite_outputs(outputs, type(self).__name__)

    def _model_turns(self) -> threading.Lock:
        """The lock predictions with this estimator's model take turns on."""
        return self.__dict__.setdefault("_prediction_turns", threading.Lock())

    @property
    def model_(self) -> Any:
        """The trained Keras model.

        Once read here, the model belongs to the caller too: it is never
        lent to another estimator's fit by the compiled-model pool.

        Returns
        -------
        keras.Model
            The network trained by the last fit.
        """
        try:
            model = self.__dict__["_model"]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no model_ before it is fitted."
            ) from None
        mark_shared(model)
        return model

    @model_.setter
    def model_(self, model: Any) -> None:
        self.__dict__["_model"] = model
        mark_shared(model)

    def __sklearn_is_fitted__(self) -> bool:
        """Tell whether a model has been fitted.

        Returns
        -------
        bool
            True once :meth:`fit` or ``partial_fit`` has run.
        """
        return "_model" in self.__dict__

    def __sklearn_tags__(self):
        """Estimator tags: n-D numeric input, no NaN, no sparse.

        Returns
        -------
        sklearn.utils.Tags
            The tags.
        """
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class PreparedFit(NamedTuple):
    """A fit prepared up to training (see ``BaseKerasEstimator._prepare_fit``)."""

    plan: FitPlan
    transaction: FitTransaction
    X: np.ndarray
    y: Any
    weights: Any
    arguments: dict[str, Any]


#: Attributes that hold runtime objects of this process, never saved or copied.
_RUNTIME_ATTRIBUTES = ("_model_loan", "_prediction_turns", "_prediction_setup")


def _reject_unknown(
    routed: dict[str, Any], valid: set[str], prefix: str, target: str
) -> None:
    """Raise for the first routed key that ``target`` does not accept."""
    from sklearn_dl._core.routing import unknown_parameter_error

    for key in routed:
        if key not in valid:
            raise unknown_parameter_error(f"{prefix}__{key}", valid, target)


__all__ = ["ROUTING_PREFIXES", "BaseKerasEstimator", "output_units"]
