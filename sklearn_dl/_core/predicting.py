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
from collections.abc import Sequence
from typing import Any

import numpy as np

from sklearn_dl._backend.runtime import first_traces, predictions_take_turns
from sklearn_dl._core.multi_io import as_model_input, take_rows


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
    model: Any,
    X: np.ndarray,
    batch_size: int,
    lock: threading.Lock,
    callbacks: Sequence[Any] = (),
) -> np.ndarray:
    """Outputs of ``model`` for every row of ``X``, in fixed-shape batches.

    Parameters
    ----------
    model : keras.Model
        A compiled single-output model.
    X : ndarray of shape (n_samples, ...) or NamedArrays
        Validated inputs (a NamedArrays for a model with several).
    batch_size : int
        Rows per call (a stateful model uses its own); -1 puts every row
        in one call.
    lock : threading.Lock
        The model's lock, held while the backend needs calls to take turns
        (see :func:`~sklearn_dl._backend.runtime.predictions_take_turns`).
    callbacks : sequence of keras.callbacks.Callback, default=()
        Told of every batch (``on_predict_batch_begin`` / ``_end``).

    Returns
    -------
    ndarray of shape (n_samples, ...) or list of ndarray
        The outputs, in row order (a list: one array per output of a
        model with several).
    """
    rows_per_call = fixed_batch_rows(model, batch_size)
    if rows_per_call < 1:  # batch_size=-1: every row in one call
        rows_per_call = max(1, X.shape[0])
    stateful = is_stateful(model)
    outputs = []
    turns = predictions_take_turns(stateful=stateful)
    with lock if turns else contextlib.nullcontext(), first_traces():
        for start in range(0, X.shape[0], rows_per_call):
            rows = X[start : start + rows_per_call]
            n_rows = rows.shape[0]
            if n_rows < rows_per_call:
                rows = take_rows(rows, np.arange(rows_per_call) % n_rows)
            if stateful:
                reset_states(model)
            for callback in callbacks:
                callback.on_predict_batch_begin(start // rows_per_call)
            output = _first_rows(model.predict_on_batch(as_model_input(rows)), n_rows)
            for callback in callbacks:
                callback.on_predict_batch_end(
                    start // rows_per_call, {"outputs": output}
                )
            outputs.append(output)
    if isinstance(outputs[0], list):  # several model outputs: one array each
        return [np.concatenate(parts, axis=0) for parts in zip(*outputs, strict=True)]
    return np.concatenate(outputs, axis=0)


def _first_rows(output: Any, n_rows: int) -> Any:
    """The first ``n_rows`` of one output, or of each of several (a list)."""
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (list, tuple)):
        return [np.asarray(part)[:n_rows] for part in output]
    return np.asarray(output)[:n_rows]


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
    if isinstance(outputs, list):  # several model outputs
        for part in outputs:
            check_finite_outputs(part, estimator_name)
        return outputs
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
