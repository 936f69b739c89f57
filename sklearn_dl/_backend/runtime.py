"""What differs between backends while models run: limits, locks, batch shapes."""

from __future__ import annotations

import contextlib
import threading
import weakref
from typing import Any

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl.exceptions import BackendNotSupportedError

#: Features that work on some Keras backends only, and where they do.
_BACKEND_LIMITS = {
    "stateful recurrent networks": (
        ("tensorflow",),
        "Keras 3 keeps their states only on TensorFlow (on JAX the states "
        "are not carried from batch to batch, in training or prediction)",
    ),
    "fits on a device other than the default": (
        ("tensorflow", "jax"),
        "Keras's PyTorch trainer moves every batch to the default device (the "
        "first GPU, else the CPU), so weights placed elsewhere get no gradients",
    ),
}


def require_backend_support(feature: str) -> None:
    """Raise if ``feature`` does not work on the configured backend.

    Parameters
    ----------
    feature : str
        A key of the known limits, e.g. ``"stateful recurrent networks"``.

    Raises
    ------
    BackendNotSupportedError
        When the configured backend is not among those where it works.
    """
    supported, reason = _BACKEND_LIMITS[feature]
    backend = configured_backend()
    if backend not in supported:
        raise BackendNotSupportedError(feature, backend, supported, reason)


_prediction_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_prediction_locks_guard = threading.Lock()


def prediction_lock(model: Any) -> contextlib.AbstractContextManager:
    """What to hold while ``model.predict_on_batch`` runs.

    On TensorFlow nothing: concurrent predictions are safe. JAX's
    ``predict_on_batch`` hands the model's weights to the compiled function
    and writes them back afterwards, so two threads predicting with one
    model at once can use arrays the other has already released; their
    calls on one model take turns.

    Parameters
    ----------
    model : keras.Model
        The model about to predict.

    Returns
    -------
    contextlib.AbstractContextManager
        A lock per model, or a context that does nothing.
    """
    if configured_backend() == "tensorflow":
        return contextlib.nullcontext()
    with _prediction_locks_guard:
        return _prediction_locks.setdefault(model, threading.Lock())


def padded_batch_rows(n_rows: int, limit: int) -> int:
    """Rows to feed a compiled predict function for a batch of ``n_rows``.

    JAX compiles ``predict_on_batch`` once per input shape (about 0.1 s for
    a small network), so predicting on 1, then 5, then 7 rows would compile
    three times. On JAX a batch is padded up to the next power of two (at
    most ``limit``, the predict batch size), which bounds the compiled
    shapes to about ``log2(limit)``; TensorFlow and PyTorch do not compile
    per shape, and take batches as they are.

    Parameters
    ----------
    n_rows : int
        Rows in the batch.
    limit : int
        The largest batch the caller feeds.

    Returns
    -------
    int
        ``n_rows`` or more.
    """
    if configured_backend() != "jax" or n_rows >= limit:
        return n_rows
    return min(limit, 1 << max(n_rows - 1, 0).bit_length())
