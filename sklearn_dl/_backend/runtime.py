"""What differs between backends while models run: limits, locks, batch shapes."""

from __future__ import annotations

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
