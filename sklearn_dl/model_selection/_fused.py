"""Fused fits: a search's (candidate, fold) networks trained as one program.

On Keras's JAX backend, :class:`~sklearn_dl.model_selection.GridSearchCV`
and :class:`~sklearn_dl.model_selection.RandomizedSearchCV` over a
:class:`~sklearn_dl.networks.DenseClassifier`,
:class:`~sklearn_dl.networks.DenseRegressor`,
:class:`~sklearn_dl.KerasClassifier` or :class:`~sklearn_dl.KerasRegressor`
(a model builder, scikeras's way) train the (candidate, fold) fits whose
prepared networks are interchangeable as one vectorized program
(``jax.vmap`` over Keras's own train step, see
:mod:`sklearn_dl._backend.fused_jax`).

Each fit is prepared exactly as its sequential fit (clone, validation,
targets, the builder's seeded and compiled model, the seeded epoch order of
its rows) and finished as that fit (finite checks, ``history_``). Only then,
from what the preparation built, are fits grouped: the same architecture
and compile configuration up to a float learning rate (the compiled-model
pool's :func:`~sklearn_dl._core.model_pool.architecture_key`, and the
optimizer's class and settings, the loss and the metrics compared again
here), the same epochs, batch size and batch layout. A float learning rate
is an optimizer variable, so each copy keeps its own (given through
``optimizer__learning_rate``, ``learning_rate`` or an optimizer the builder
compiled itself); a learning-rate schedule is traced code, so each schedule
is its own group. Each fit's network, and the search's ``cv_results_``, are
then those of scikit-learn's search up to float rounding.

Groups hold at most :data:`MAX_FUSED` fits. Whatever cannot be fused is
fitted as scikit-learn fits it; the search's ``fused_group_`` (per
candidate, the group of its first fused fit, -1 when any of its fits was
sequential) and ``fused_reason_`` (why, ``""`` when fused) say which ran
how, and on JAX, a search over such a network that cannot fuse also warns
once (``UserWarning``) with the reasons. With ``verbose > 0`` the search
prints each group (its size, architecture and epochs; each epoch too with
``verbose > 1``), and :func:`sklearn_dl.progress.fit_with_progress` shows
the running group's epochs.
"""

from __future__ import annotations

import itertools
import numbers
import time
import warnings
from functools import partial
from itertools import product
from typing import Any

import joblib
import numpy as np
from sklearn.base import clone

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.keras import without_tensorflow_import
from sklearn_dl._compat import _fit_and_score, _safe_split, _score
from sklearn_dl.model_selection._evaluation import (
    Evaluation,
    NetworkSearch,
    can_run_evaluation,
    run_evaluation,
)

#: Most (candidate, fold) fits trained together in one fused group.
MAX_FUSED = 64

#: Parameters that must keep these values for a fit to be fused, and why.
_REQUIRED = (
    ("class_weight", None, "class_weight is set"),
    ("validation_split", 0.0, "validation_split is set"),
    ("callbacks", None, "Keras callbacks are set"),
    ("early_stopping", False, "early_stopping is on"),
    ("warm_start", False, "warm_start is on"),
    ("shuffle", True, "shuffle=False"),
    ("verbose", 0, "verbose is not 0"),
    ("run_eagerly", False, "run_eagerly is on"),
    ("mixed_precision", False, "mixed_precision is on"),
    ("device", None, "a device is set"),
)

#: The ``Model.fit`` arguments a prepared fit may have (see _prepared_refusal).
_FIT_ARGUMENTS = frozenset(
    {
        "x",
        "y",
        "sample_weight",
        "batch_size",
        "epochs",
        "initial_epoch",
        "verbose",
        "callbacks",
        "validation_split",
        "shuffle",
        "class_weight",
        "steps_per_epoch",
        "validation_batch_size",  # no validation data: unused
    }
)

#: The training methods a fusable estimator class must not override.
_TRAINING_METHODS = ("fit", "_fit", "_prepare_fit", "_finish_fit")


def _fusable_base(estimator: Any) -> type | None:
    """The sklearn_dl class the fused path trains ``estimator`` as, or None."""
    from sklearn_dl.networks import DenseClassifier, DenseRegressor
    from sklearn_dl.wrappers import KerasClassifier, KerasRegressor

    for base in (DenseClassifier, DenseRegressor, KerasClassifier, KerasRegressor):
        if isinstance(estimator, base):
            cls = type(estimator)
            same = all(
                getattr(cls, name) is getattr(base, name) for name in _TRAINING_METHODS
            )
            return base if same else None
    return None


def _fusable_network(estimator: Any) -> bool:
    """Whether the estimator is a network the fused path trains."""
    return _fusable_base(estimator) is not None


def _observers(params: dict[str, Any]) -> list | None:
    """The progress callbacks that are a search's only fit parameter, or None.

    :func:`sklearn_dl.progress.fit_with_progress` passes its Keras callback
    as ``callbacks``; it only watches epochs, and says so with a
    ``fused_group`` method a fused group reports to instead.
    """
    if set(params) != {"callbacks"}:
        return None
    callbacks = params["callbacks"]
    if not isinstance(callbacks, (list, tuple)) or not callbacks:
        return None
    if not all(callable(getattr(c, "fused_group", None)) for c in callbacks):
        return None
    return list(callbacks)


def search_refusal(search: Any, X: Any, params: dict[str, Any]) -> str | None:
    """Why a search's fits cannot be fused at all, or None.

    Parameters
    ----------
    search : GridSearchCV or RandomizedSearchCV
        The search about to fit.
    X : object
        The training samples.
    params : dict
        The parameters given to the search's ``fit``.

    Returns
    -------
    str or None
        The reason, None when its fits may be fused.
    """
    if configured_backend() != "jax":
        return "fused fits need the JAX backend"
    if not can_run_evaluation(search):
        return "fused fits need scikit-learn >= 1.9"
    if not _fusable_network(search.estimator):
        return (
            "fused fits take a DenseClassifier, DenseRegressor, KerasClassifier "
            "or KerasRegressor (not a pipeline, nor a class with its own fit)"
        )
    if params and _observers(params) is None:
        return "fit parameters (such as sample_weight) are given"
    if search.n_jobs not in (None, 1):
        return "n_jobs runs fits in parallel workers"
    if getattr(search, "_skl_callbacks", None):
        return "scikit-learn callbacks are set on the search"
    if not isinstance(X, np.ndarray):
        return "X is not a NumPy array"
    return None


def fit_refusal(estimator: Any) -> str | None:
    """Why one (candidate, fold) fit cannot be fused, by its parameters, or None.

    What the fit builds is checked once it is prepared (a builder's model,
    routed ``fit__*`` arguments and callbacks, ...).

    Parameters
    ----------
    estimator : DenseClassifier, DenseRegressor, KerasClassifier or \
KerasRegressor
        The fit's estimator, the candidate's parameters set.

    Returns
    -------
    str or None
        The reason, None when it may be fused.
    """
    values = estimator.get_params(deep=False)
    for name, wanted, reason in _REQUIRED:
        if values.get(name, wanted) != wanted:
            return reason
    seed = values.get("random_state")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        return "random_state is not an int"
    if getattr(estimator, "_skl_callbacks", None):
        return "scikit-learn callbacks are set on the network"
    if "learning_rate" not in values:
        return None  # a wrapper: its model is compared once built
    rate = values.get("learning_rate")
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        return "learning_rate is not a number"
    for name in ("optimizer", "loss"):
        if not isinstance(values.get(name), (str, type(None))):
            return f"{name} is not a name"
    metrics = values.get("metrics")
    if metrics is not None and not all(isinstance(m, str) for m in metrics):
        return "metrics are not names"
    return None


def _fit_epochs(estimator: Any) -> int:
    """The epochs the estimator's ``fit`` trains (a wrapper reads ``fit__epochs``)."""
    from sklearn_dl._core.scikeras_compat import ScikerasCompat

    values = estimator.get_params(deep=False)
    if isinstance(estimator, ScikerasCompat) and "fit__epochs" in values:
        return int(values["fit__epochs"])
    return int(estimator.epochs)


def _prepared_refusal(estimator: Any, arguments: dict[str, Any]) -> str | None:
    """Why a prepared fit is not one :func:`train_fused` trains exactly, or None."""
    from sklearn_dl._core.predicting import is_stateful

    model = estimator._model
    if type(model).__module__.split(".")[0] != "keras":
        return "the model is a subclass of keras.Model (its own train step)"
    if getattr(model, "run_eagerly", False):
        return "the model is compiled to run eagerly"
    if getattr(model, "jit_compile", True) is False:
        return "the model is compiled with jit_compile=False"
    if is_stateful(model):
        return "the network is stateful"
    extra = sorted(set(arguments) - _FIT_ARGUMENTS)
    if extra:
        return f"Model.fit arguments are set ({', '.join(extra)})"
    if arguments.get("callbacks"):
        return "Keras callbacks are set"
    if arguments.get("verbose") not in (0, "silent"):
        return "verbose is not 0"
    if arguments.get("y") is not None or "steps_per_epoch" not in arguments:
        return "its rows are not fed as seeded batches"
    if arguments.get("initial_epoch", 0) != 0:
        return "it continues an earlier fit"
    return None


def _compile_signature(model: Any) -> str:
    """The optimizer (class and settings but a float learning rate), loss, metrics."""
    # Serializing would import TensorFlow on the other backends.
    config, settings = without_tensorflow_import(
        lambda: (dict(model.get_compile_config() or {}), model.optimizer.get_config())
    )
    optimizer = model.optimizer
    settings = dict(settings)
    settings.pop("name", None)  # Keras numbers the names of new optimizers
    if isinstance(settings.get("learning_rate"), (int, float)):
        del settings["learning_rate"]  # an optimizer variable, per copy
    config["optimizer"] = (type(optimizer).__qualname__, settings)
    return joblib.hash(repr(sorted(config.items(), key=lambda item: item[0])))


def _describe(model: Any) -> str:
    """A short description of a model's architecture, for progress lines."""
    layers = []
    for layer in model.layers:
        size = getattr(layer, "units", None) or getattr(layer, "filters", None)
        layers.append(type(layer).__name__ + ("" if size is None else f"({size})"))
    return (
        f"{type(model).__name__}: {' > '.join(layers)}, "
        f"{model.count_params():,} weights"
    )


class _Prepared:
    """One prepared (candidate, fold) fit, waiting for its group to train."""

    def __init__(self, task: int, estimator: Any, fit: Any, batches: Any) -> None:
        from sklearn_dl._backend.fused_jax import initial_state
        from sklearn_dl._core.model_pool import architecture_key

        self.task, self.estimator, self.fit = task, estimator, fit
        first = next(batches)
        self.batches = itertools.chain([first], batches)
        model = estimator._model
        self.state = initial_state(model, first)
        self.loan_key = _loan_key(estimator)
        self.pooled = self.loan_key is not None
        arch = self.loan_key if self.pooled else architecture_key(model)
        #: Why it cannot be grouped, or None.
        self.refusal = None
        if not all(isinstance(part, np.ndarray) for part in first):
            self.refusal = "the network has several inputs or outputs"
        elif arch is None:
            self.refusal = "the network cannot be compared (no get_config)"
        self.key: tuple = ()
        if self.refusal is None:
            layout = tuple((part.dtype.str, part.shape[1:]) for part in first)
            signature = _compile_signature(model)
            self.key = (arch, signature, fit.plan.epochs, len(first[0]), layout)
        self.steps = fit.arguments["steps_per_epoch"]


class _Group:
    """The prepared fits of one key, and the compiled model that trains them."""

    def __init__(self, first: _Prepared) -> None:
        self.key = first.key
        self.loan_key = first.loan_key
        self.entries: list[_Prepared] = []
        self.model = first.estimator._model
        if first.pooled:
            # Kept here, out of the pool, until the group trains: no other
            # fit's preparation takes (and overwrites) it meanwhile.
            first.estimator.__dict__.pop("_model_loan").detach()
            first.estimator.__dict__.pop("_model")

    def add(self, entry: _Prepared) -> None:
        if self.entries and entry.pooled:
            _hand_on(entry.estimator)  # its model serves the next preparation
        self.entries.append(entry)

    def __len__(self) -> int:
        return len(self.entries)


class FusedCandidates(Evaluation):
    """The ``evaluate_candidates`` of a search whose fits may be fused.

    Parameters
    ----------
    observers : list, default=None
        Progress callbacks a fused group reports its epochs to.
    **evaluation : dict
        The :class:`~sklearn_dl.model_selection._evaluation.Evaluation`
        arguments.
    """

    def __init__(self, *, observers: list | None = None, **evaluation: Any) -> None:
        super().__init__(**evaluation)
        self.observers = list(observers or [])
        self.groups: list[int] = []
        self.reasons: list[str] = []
        self._next_group = 0

    def _estimator(self, parameters: dict[str, Any]) -> Any:
        return clone(self.base_estimator).set_params(**clone(parameters, safe=False))

    def _evaluate(
        self,
        candidate_params: list[dict],
        more_results: dict[str, list] | None,
        callback_ctx: Any,
    ) -> dict[str, Any]:
        n_candidates, n_splits = len(candidate_params), len(self.splits)
        self.announce(n_candidates)
        tasks = list(product(enumerate(candidate_params), enumerate(self.splits)))
        self._tasks, self._n_candidates = tasks, n_candidates
        reasons = [""] * n_candidates
        self._out: list[dict | None] = [None] * len(tasks)
        self._group_of = [-1] * n_candidates
        groups: dict[tuple, _Group] = {}
        waiting = 0
        for task, ((cand_idx, parameters), (_, (train, _))) in enumerate(tasks):
            estimator = self._estimator(parameters)
            reason = fit_refusal(estimator)
            entry = None
            if reason is None:
                entry, reason = self._prepare(task, estimator, train)
            if reason is not None:
                reasons[cand_idx] = reasons[cand_idx] or reason
            if entry is None:
                continue
            group = groups.get(entry.key)
            if group is None:
                group = groups[entry.key] = _Group(entry)
            group.add(entry)
            waiting += 1
            if len(group) >= MAX_FUSED or waiting >= MAX_FUSED:
                # Memory: at most MAX_FUSED prepared fits wait at once.
                largest = max(groups.values(), key=len)
                del groups[largest.key]
                waiting -= len(largest)
                self._train_group(largest)
        for group in groups.values():
            self._train_group(group)
        out = self._out
        for task, row in enumerate(out):
            if row is None:  # not fusable, or refitted alone (see _train_group)
                (cand_idx, parameters), (split_idx, (train, test)) = tasks[task]
                self._group_of[cand_idx] = -1
                reasons[cand_idx] = reasons[cand_idx] or "its fit failed when fused"
                out[task] = _fit_and_score(
                    clone(self.base_estimator),
                    self.X,
                    self.y,
                    train=train,
                    test=test,
                    parameters=parameters,
                    split_progress=(split_idx, n_splits),
                    candidate_progress=(cand_idx, n_candidates),
                    **self.fit_and_score_kwargs,
                    caller=self.search,
                )
        self.groups.extend(self._group_of)
        self.reasons.extend(reasons)
        return self.record(candidate_params, out, more_results)

    def _prepare(
        self, task: int, estimator: Any, train: Any
    ) -> tuple[_Prepared | None, str | None]:
        """Prepare one fit as its sequential fit would be; why not fusable.

        A fit whose preparation raises is left to be fitted alone (so its
        error is the sequential fit's own).
        """
        X_train, y_train = _safe_split(estimator, self.X, self.y, train)
        try:
            fit = estimator._prepare_fit(
                X_train,
                y_train,
                sample_weight=None,
                fit_params={},
                warm=False,
                epochs=_fit_epochs(estimator),
            )
        except Exception:
            return None, None
        reason = _prepared_refusal(estimator, fit.arguments)
        entry = None
        if reason is None:
            try:
                entry = _Prepared(task, estimator, fit, iter(fit.arguments["x"]))
            except Exception:
                entry, reason = None, "its first batch could not be read"
        if entry is not None and entry.refusal is not None:
            entry, reason = None, entry.refusal
        if entry is None:
            fit.transaction.rollback()
        return entry, reason

    def _train_group(self, group: _Group) -> None:
        """Train one group's fits together; fill in their ``_fit_and_score`` rows.

        A fit whose loss becomes non-finite or whose finish raises gets no
        row: it is fitted alone afterwards, so its error is the sequential
        fit's own.
        """
        from sklearn_dl._backend.fused_jax import assign_state

        start = time.time()
        entries = group.entries
        number = self._next_group
        self._next_group += 1
        report = _GroupReport(
            self.search.verbose,
            self.observers,
            number,
            len(entries),
            _describe(group.model),
            entries[0].fit.plan.epochs,
        )
        try:
            histories, trained = _train(group.model, entries, report)
        except Exception:
            for entry in entries:
                entry.fit.transaction.rollback()
            report.done(len(entries), time.time() - start)
            return
        fit_time = (time.time() - start) / len(entries)
        if entries[0].pooled:
            # The group's model serves the first finish, then the pool.
            first = entries[0].estimator
            first._model = group.model
            first._model_loan = _lend(first, group.loan_key, group.model)
        for index, (entry, history, state) in enumerate(
            zip(entries, histories, trained, strict=True)
        ):
            finish_start = time.time()
            estimator = entry.estimator
            if index > 0 and not _take_model(estimator, entry.loan_key):
                continue
            assign_state(estimator._model, state)
            if not all(np.isfinite(history.get("loss", [np.nan]))):
                entry.fit.transaction.rollback()
                continue
            try:
                estimator._finish_fit(entry.fit, history)
            except Exception:
                continue
            task = self._tasks[entry.task]
            row = self._score(estimator, task, fit_time + time.time() - finish_start)
            self._out[entry.task] = row
            self._report_fit(task, row, number)
            cand_idx = task[0][0]
            if self._group_of[cand_idx] == -1:
                self._group_of[cand_idx] = number
            _hand_on(estimator)
        report.done(len(entries), time.time() - start)

    def _report_fit(self, task: tuple, row: dict, number: int) -> None:
        """scikit-learn's end-of-fit line for a fused fit (``verbose > 1``)."""
        verbose = self.search.verbose
        if verbose <= 1:
            return
        (cand_idx, parameters), (split_idx, _) = task
        shown = ", ".join(f"{k}={v}" for k, v in sorted(parameters.items()))
        score = ""
        if verbose > 2 and not isinstance(row["test_scores"], dict):
            score = f" score={row['test_scores']:.3f}"
        print(
            f"[CV {split_idx + 1}/{len(self.splits)}; {cand_idx + 1}/"
            f"{self._n_candidates}] END {shown};{score} fused group {number};"
            f" total time={row['fit_time'] + row['score_time']:.1f}s"
        )

    def _score(self, estimator: Any, task: tuple, fit_time: float) -> dict:
        """The ``_fit_and_score`` row of a trained fit."""
        (_, _), (_, (train, test)) = task
        kwargs = self.fit_and_score_kwargs
        X_test, y_test = _safe_split(estimator, self.X, self.y, test, train)
        start = time.time()
        row: dict[str, Any] = {"fit_error": None}
        row["test_scores"] = _score(
            estimator, X_test, y_test, kwargs["scorer"], None, kwargs["error_score"]
        )
        score_time = time.time() - start
        if kwargs["return_train_score"]:
            X_train, y_train = _safe_split(estimator, self.X, self.y, train)
            row["train_scores"] = _score(
                estimator,
                X_train,
                y_train,
                kwargs["scorer"],
                None,
                kwargs["error_score"],
            )
        row["n_test_samples"] = len(test)
        row["fit_time"] = fit_time
        row["score_time"] = score_time
        return row


class _GroupReport:
    """A fused group's progress: printed lines and the progress display."""

    def __init__(
        self,
        verbose: int,
        observers: list,
        number: int,
        n_fits: int,
        description: str,
        epochs: int,
    ) -> None:
        self.verbose, self.number, self.epochs = verbose, number, epochs
        self.started = time.time()
        self.watchers = [
            observer.fused_group(n_fits=n_fits, description=description, epochs=epochs)
            for observer in observers
        ]
        if verbose > 0:
            print(
                f"[fused group {number}] {n_fits} fits, {epochs} epochs: {description}"
            )

    @property
    def per_epoch(self) -> bool:
        """Whether epochs are reported (each then trains in its own call)."""
        return bool(self.watchers) or self.verbose > 1

    def epoch_done(self, epoch: int) -> None:
        if self.verbose > 1:
            print(
                f"[fused group {self.number}] epoch {epoch}/{self.epochs}, "
                f"{time.time() - self.started:.1f}s"
            )
        for watcher in self.watchers:
            watcher.epoch_done(epoch)

    def done(self, n_fits: int, seconds: float) -> None:
        if self.verbose > 0:
            print(
                f"[fused group {self.number}] {n_fits} fits trained in {seconds:.1f}s"
            )
        for watcher in self.watchers:
            watcher.done()


def _train(model: Any, entries: list[_Prepared], report: _GroupReport) -> tuple:
    """:func:`train_fused` over the group, one call per epoch when reported.

    A later call starts from the states the previous one returned, each
    with its metrics reset as ``Model.fit`` resets them at an epoch's start,
    so the training is the same as one call's.
    """
    from sklearn_dl._backend.fused_jax import train_fused

    states = [entry.state for entry in entries]
    batches = [entry.batches for entry in entries]
    steps = [entry.steps for entry in entries]
    epochs = entries[0].fit.plan.epochs
    if not report.per_epoch:
        return train_fused(model, states, batches, steps, epochs)
    histories: list[dict[str, list[float]]] = [{} for _ in entries]
    for epoch in range(epochs):
        logs, trained = train_fused(model, states, batches, steps, 1)
        for history, log in zip(histories, logs, strict=True):
            for name, values in log.items():
                history.setdefault(name, []).extend(values)
        states = [
            (*state[:3], entry.state[3])
            for state, entry in zip(trained, entries, strict=True)
        ]
        report.epoch_done(epoch + 1)
    return histories, states


def _hand_on(estimator: Any) -> None:
    """Give an estimator's compiled model back to the pool, for the next fit."""
    loan = estimator.__dict__.pop("_model_loan", None)
    if loan is not None:
        estimator.__dict__.pop("_model", None)
        loan()


def _lend(estimator: Any, key: str, model: Any) -> Any:
    """Lend ``model`` to ``estimator`` (back to the pool when it is let go)."""
    from sklearn_dl._core.model_pool import lend

    return lend(estimator, key, model)


def _loan_key(estimator: Any) -> str | None:
    """The pool key of the model an estimator has on loan, or None."""
    from sklearn_dl._core.model_pool import loan_key

    loan = estimator.__dict__.get("_model_loan")
    return None if loan is None else loan_key(loan)


def _take_model(estimator: Any, key: str | None) -> bool:
    """Give an estimator a pooled model of its architecture, if one is idle."""
    from sklearn_dl._core.model_pool import POOL

    model = None if key is None else POOL.take(key)
    if model is None:
        return "_model" in estimator.__dict__  # not pooled: it kept its own
    estimator.__dict__["_model"] = model
    estimator.__dict__["_model_loan"] = _lend(estimator, key, model)
    return True


class FusedSearch(NetworkSearch):
    """A grid or randomized search whose fits are fused where they can be.

    Placed left of scikit-learn's search class.
    """

    def _fit_networks(self, X: Any, y: Any, params: dict[str, Any]) -> Any:
        """Fused groups of fits where they can be, else scikit-learn's fit."""
        reason = search_refusal(self, X, params)
        if reason is not None:
            # Warn only where fusing was in reach: a search over a pipeline or
            # another model is scikit-learn's search, as the docs say.
            if configured_backend() == "jax" and _fusable_network(self.estimator):
                warnings.warn(
                    f"{type(self).__name__} fits sequentially: {reason}.",
                    UserWarning,
                    stacklevel=3,
                )
            self._fit_as_scikit_learn(X, y, params)
            self.fused_group_ = np.full(len(self.cv_results_["params"]), -1)
            self.fused_reason_ = [reason] * len(self.cv_results_["params"])
            return self
        candidates = run_evaluation(
            self, X, y, params, partial(FusedCandidates, observers=_observers(params))
        )
        self.fused_group_ = np.asarray(candidates.groups)
        self.fused_reason_ = list(candidates.reasons)
        sequential = sorted({reason for reason in candidates.reasons if reason})
        if sequential:
            warnings.warn(
                f"{type(self).__name__} fitted some candidates sequentially: "
                + "; ".join(sequential)
                + ".",
                UserWarning,
                stacklevel=3,
            )
        return self


__all__ = ["MAX_FUSED", "FusedSearch", "fit_refusal", "search_refusal"]
