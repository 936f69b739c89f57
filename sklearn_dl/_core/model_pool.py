"""Reuse of compiled models (and their traced functions) across fits.

A grid search fits the same architecture again and again: the next fold, the
next candidate that differs only in learning rate or epochs, the refit. Most
of a small fit is spent tracing Keras's train and predict functions, not
training. So a model whose estimator is gone is kept, idle, in a small pool;
the next fit of the same architecture takes it, and gets the exact state a
fresh build would have: the estimator still builds a fresh model (cheap,
seeded), and its weights and random-generator states are copied into the
pooled model before training; the pooled optimizer gets back the untrained
state it had when its model was new, with the new learning rate.

Only models nobody else can hold are reused: reading an estimator's
``model_`` marks its model as shared, and a shared model never returns to
the pool. Internally the estimator keeps its model in ``_model``.

Two models share a key only when their architecture (``get_config`` with
layer names made canonical) and compile configuration (optimizer, loss,
metrics, with a numeric learning rate left out: it lives in an optimizer
variable, not in the traced code) are equal.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from typing import Any

import joblib

from sklearn_dl._backend.keras import without_tensorflow_import

_ENV_SWITCH = "SKLEARN_DL_MODEL_REUSE"
# Models user code has been given: never pooled (see mark_shared).
_SHARED: weakref.WeakSet = weakref.WeakSet()
# Each pooled model's optimizer variables as they were before any training.
_OPTIMIZER_START: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ModelPool:
    """A bounded pool of idle compiled models, keyed by architecture.

    Parameters
    ----------
    max_idle : int, default=4
        Most idle models kept; the least recently returned are dropped.
    """

    def __init__(self, max_idle: int = 4) -> None:
        self.max_idle = max_idle
        self._idle: OrderedDict[int, tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> Any | None:
        """Remove and return an idle model with ``key``, or None.

        Parameters
        ----------
        key : str
            An :func:`architecture_key`.

        Returns
        -------
        keras.Model or None
            A model no estimator uses any more.
        """
        with self._lock:
            for slot, (slot_key, model) in reversed(self._idle.items()):
                if slot_key == key:
                    del self._idle[slot]
                    return model
        return None

    def give(self, key: str, model: Any) -> None:
        """Return a model nobody uses any more to the pool.

        Parameters
        ----------
        key : str
            The model's :func:`architecture_key`.
        model : keras.Model
            The idle model.
        """
        with self._lock:
            self._idle[id(model)] = (key, model)
            self._idle.move_to_end(id(model))
            while len(self._idle) > self.max_idle:
                self._idle.popitem(last=False)

    def clear(self) -> None:
        """Drop every idle model."""
        with self._lock:
            self._idle.clear()

    def __len__(self) -> int:
        """Number of idle models."""
        return len(self._idle)


#: The process-wide pool used by every estimator.
POOL = ModelPool()
_settings = {"enabled": os.environ.get(_ENV_SWITCH, "1") != "0"}


def set_model_reuse(enabled: bool = True, *, max_idle_models: int = 4) -> None:
    """Switch the reuse of compiled models across fits on or off.

    Reuse is on by default and exactly equivalent to building a fresh model
    (same weights and predictions for the same ``random_state``); turning it
    off trades speed for nothing but isolation. The environment variable
    ``SKLEARN_DL_MODEL_REUSE=0`` turns it off in every process, joblib and
    Dask workers included.

    Parameters
    ----------
    enabled : bool, default=True
        Whether fits may reuse idle compiled models.
    max_idle_models : int, default=4
        Most idle models kept per process (each holds its weights and
        traced functions).
    """
    _settings["enabled"] = bool(enabled)
    POOL.max_idle = int(max_idle_models)
    if not enabled or POOL.max_idle < 1:
        POOL.clear()


def model_reuse_enabled() -> bool:
    """Tell whether fits may reuse idle compiled models.

    Returns
    -------
    bool
        The current setting (see :func:`set_model_reuse`).
    """
    return _settings["enabled"] and POOL.max_idle > 0


def architecture_key(model: Any) -> str | None:
    """Key under which a compiled model can stand in for another.

    Parameters
    ----------
    model : keras.Model
        A compiled model.

    Returns
    -------
    str or None
        A hash of the architecture and compile configuration, or None when
        the model cannot describe itself (subclassed models without
        ``get_config``), in which case it is never reused.
    """
    try:
        # Serializing would import TensorFlow on the other backends.
        config, compile_config = without_tensorflow_import(
            lambda: (model.get_config(), dict(model.get_compile_config() or {}))
        )
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    if not compile_config:
        return None
    optimizer = compile_config.get("optimizer")
    if isinstance(optimizer, dict):
        optimizer = {**optimizer, "config": dict(optimizer.get("config", {}))}
        if isinstance(optimizer["config"].get("learning_rate"), (int, float)):
            del optimizer["config"]["learning_rate"]
        compile_config["optimizer"] = optimizer
    canonical = _canonical_names([config, compile_config], {})
    return joblib.hash((type(model).__qualname__, canonical))


def _canonical_names(value: Any, names: dict[str, str]) -> Any:
    """Replace layer names by their order of appearance (builds differ only there)."""
    if isinstance(value, dict):
        if isinstance(value.get("name"), str):
            names.setdefault(value["name"], f"#{len(names)}")
        return {key: _canonical_names(item, names) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_names(item, names) for item in value]
    if isinstance(value, str) and value in names:
        return names[value]
    return value


def remember_optimizer_start(model: Any) -> None:
    """Build ``model``'s optimizer and keep its untrained state for later reuse.

    Called for a freshly built model that will train (no pooled model stood
    in for it). Building the optimizer now instead of in ``fit`` changes
    nothing (its slots start at the same values), and the kept values let a
    later reuse restore them without building a throwaway optimizer: every
    new variable costs TensorFlow memory it never gives back.

    Parameters
    ----------
    model : keras.Model
        A newly built and compiled model.
    """
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    _OPTIMIZER_START[model] = [variable.numpy() for variable in optimizer.variables]


def transplant(fresh: Any, pooled: Any) -> bool:
    """Give ``pooled`` the exact state of the freshly built ``fresh``.

    Copies every model variable (weights, non-trainable state, random
    generator states); the pooled optimizer gets back the untrained state
    it had when its model was new (see :func:`remember_optimizer_start`)
    and ``fresh``'s learning rate.

    Parameters
    ----------
    fresh : keras.Model
        A newly built and compiled model.
    pooled : keras.Model
        An idle model with the same :func:`architecture_key`.

    Returns
    -------
    bool
        False (and nothing changed) when the states do not line up.
    """
    targets, sources = pooled.variables, fresh.variables
    if [v.shape for v in targets] != [v.shape for v in sources]:
        return False
    start = _OPTIMIZER_START.get(pooled)
    optimizer_targets = pooled.optimizer.variables
    if start is None or [v.shape for v in optimizer_targets] != [
        value.shape for value in start
    ]:
        return False
    for target, source in zip(targets, sources, strict=True):
        target.assign(source)
    for target, value in zip(optimizer_targets, start, strict=True):
        target.assign(value)
    # A numeric learning rate is not part of the key: take the new one.
    rate = fresh.optimizer.get_config().get("learning_rate")
    if isinstance(rate, (int, float)):
        pooled.optimizer.learning_rate = rate
    return True


def lend(owner: object, key: str, model: Any) -> weakref.finalize:
    """Return ``model`` to the pool when ``owner`` is garbage-collected.

    Parameters
    ----------
    owner : object
        The estimator that uses the model.
    key : str
        The model's :func:`architecture_key`.
    model : keras.Model
        The model lent to ``owner``.

    Returns
    -------
    weakref.finalize
        Call it (or let ``owner`` die) to give the model back.
    """
    return weakref.finalize(owner, _give_back, key, model)


def mark_shared(model: Any) -> None:
    """Keep ``model`` out of the pool for good: someone outside holds it.

    Parameters
    ----------
    model : keras.Model
        A model handed out to user code (an estimator's ``model_`` read).
    """
    _SHARED.add(model)


def is_shared(model: Any) -> bool:
    """Whether user code may hold ``model`` (see :func:`mark_shared`).

    Parameters
    ----------
    model : keras.Model
        A model.

    Returns
    -------
    bool
        True once the model was handed out through ``model_``.
    """
    return model in _SHARED


def loan_key(loan: weakref.finalize) -> str | None:
    """The architecture key of the model a :func:`lend` loan holds.

    Parameters
    ----------
    loan : weakref.finalize
        A loan made by :func:`lend`.

    Returns
    -------
    str or None
        The key, or None once the loan was given back.
    """
    details = loan.peek()
    return None if details is None else details[2][0]


def _give_back(key: str, model: Any) -> None:
    """Put a model whose estimator is gone back in the pool, if it may be reused.

    A model that user code has seen (through ``model_``) may still be held
    there; reusing it would change weights under the user's feet.
    """
    if model_reuse_enabled() and not is_shared(model):
        POOL.give(key, model)
