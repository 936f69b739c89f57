"""What differs between backends while models run: limits, locks, batch shapes."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from collections.abc import Iterator

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


def predictions_take_turns(*, stateful: bool) -> bool:
    """Whether calls of one model's ``predict_on_batch`` must take turns.

    On TensorFlow concurrent predictions are safe. JAX's
    ``predict_on_batch`` hands the model's weights to the compiled function
    and writes them back afterwards, so two threads predicting with one
    model at once can use arrays the other has already released. A stateful
    model's states are variables every caller shares, on every backend.

    Parameters
    ----------
    stateful : bool
        Whether the model carries states between calls.

    Returns
    -------
    bool
        True when the caller must hold the model's lock while predicting.
    """
    return stateful or configured_backend() != "tensorflow"


# TensorFlow's warning, when several functions' first traces come close.
_RETRACING_WARNING = "triggered tf.function retracing"
_expecting_first_traces: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sklearn_dl_expecting_first_traces", default=False
)
_filter_lock = threading.Lock()


class _FirstTracesFilter(logging.Filter):
    """Drops TensorFlow's retracing warning inside :func:`first_traces`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            _expecting_first_traces.get() and _RETRACING_WARNING in record.getMessage()
        )


@contextlib.contextmanager
def first_traces() -> Iterator[None]:
    """Silence TensorFlow's retracing warning while sklearn_dl runs a model.

    TensorFlow counts traces per Python code object, not per compiled
    function: every Keras model's train, test and predict functions are
    closures of the same few functions, so many models that each trace once
    (the fits of a search, a loop of loads) add up to "N out of the last M
    calls ... triggered tf.function retracing" although nothing retraced.
    sklearn_dl feeds fixed-shape batches (a partial last training batch
    aside), so the traces in its own calls are first traces. The warning is
    dropped only while this context is active in the calling thread; a
    user's own Keras calls keep it. On other backends this does nothing.

    Yields
    ------
    None
        While the block runs.
    """
    if configured_backend() != "tensorflow":
        yield
        return
    logger = logging.getLogger("tensorflow")
    with _filter_lock:
        if not any(isinstance(f, _FirstTracesFilter) for f in logger.filters):
            logger.addFilter(_FirstTracesFilter())
    token = _expecting_first_traces.set(True)
    try:
        yield
    finally:
        _expecting_first_traces.reset(token)
