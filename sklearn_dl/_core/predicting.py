"""The one predict loop every network uses.

``Model.predict`` builds a data pipeline on every call (~150 ms even for 5
rows) and scikit-learn predicts constantly, so rows go to the compiled
``predict_on_batch`` in chunks instead. Every chunk has the same shape:
the last one is filled up with copies of its own rows (never made-up
values). Kernels may compute a row differently depending on how many rows
share the call, so a fixed shape is what makes a sample's prediction the
same, bit for bit, whatever other rows, row order or row count a call has.
It also means JAX compiles the predict function once per model.

A stateful recurrent model has its batch size built in: it is predicted in
batches of that size, its states reset before each, while holding the
model's lock (the states are shared by every caller).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import numpy as np

from sklearn_dl._backend.runtime import first_traces, predictions_take_turns


def is_stateful(model: Any) -> bool:
    """Whether ``model`` has stateful layers (states carried between calls).

    Parameters
    ----------
    model : keras.Model
        A built model.

    Returns
    -------
    bool
        True when any layer is stateful.
    """
    return any(getattr(layer, "stateful", False) for layer in model.layers)


def reset_states(model: Any) -> None:
    """Set the states of every stateful layer of ``model`` back to zero.

    Parameters
    ----------
    model : keras.Model
        A model; its layers without states are left alone.
    """
    for layer in model.layers:
        if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
            layer.reset_state()


def fixed_batch_rows(model: Any, batch_size: int) -> int:
    """Rows of every compiled predict call for ``model``.

    Parameters
    ----------
    model : keras.Model
        The model.
    batch_size : int
        The estimator's predict batch size.

    Returns
    -------
    int
        The batch size built into a stateful model, else ``batch_size``.
    """
    if is_stateful(model):
        return int(model.inputs[0].shape[0])
    return int(batch_size)


def predict_in_fixed_batches(
    model: Any, X: np.ndarray, batch_size: int, lock: threading.Lock
) -> np.ndarray:
    """Outputs of ``model`` for every row of ``X``, in fixed-shape batches.

    Parameters
    ----------
    model : keras.Model
        A compiled single-output model.
    X : ndarray of shape (n_samples, ...)
        Validated inputs.
    batch_size : int
        Rows per call (a stateful model uses its own).
    lock : threading.Lock
        The model's lock, held while the backend needs calls to take turns
        (see :func:`~sklearn_dl._backend.runtime.predictions_take_turns`).

    Returns
    -------
    ndarray of shape (n_samples, ...)
        The outputs, in row order.
    """
    rows_per_call = fixed_batch_rows(model, batch_size)
    stateful = is_stateful(model)
    outputs = []
    turns = predictions_take_turns(stateful=stateful)
    with lock if turns else contextlib.nullcontext(), first_traces():
        for start in range(0, X.shape[0], rows_per_call):
            rows = X[start : start + rows_per_call]
            n_rows = rows.shape[0]
            if n_rows < rows_per_call:
                rows = np.take(rows, np.arange(rows_per_call) % n_rows, axis=0)
            if stateful:
                reset_states(model)
            outputs.append(np.asarray(model.predict_on_batch(rows))[:n_rows])
    return np.concatenate(outputs, axis=0)


def check_finite_outputs(outputs: np.ndarray, estimator_name: str) -> np.ndarray:
    """Refuse to hand out NaN or infinite predictions.

    Parameters
    ----------
    outputs : ndarray
        Network outputs.
    estimator_name : str
        Who predicted, for the message.

    Returns
    -------
    ndarray
        ``outputs`` unchanged.

    Raises
    ------
    ValueError
        If any output is NaN or infinite.
    """
    finite = np.isfinite(outputs)
    if not finite.all():
        bad = np.flatnonzero(~finite.reshape(finite.shape[0], -1).all(axis=1))
        raise ValueError(
            f"{estimator_name}'s network returned NaN or infinite outputs for "
            f"{bad.size} of {outputs.shape[0]} rows (first: row {int(bad[0])}). "
            "The inputs are probably far outside the range the network was "
            "trained on; scale them as the training data was."
        )
    return outputs
