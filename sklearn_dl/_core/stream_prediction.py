"""Prediction that continues a stream: a stateful model's states carried on.

``predict`` resets a stateful model's states before every batch, so a row's
prediction never depends on the rows before it. A stateful network trained
on parallel streams (row ``j`` of every batch continues row ``j`` of the
batch before) predicts far better when its states *are* carried: here the
rows of a call go through the model in order, in its built-in batch size,
without resets, and the states at the end of the call are handed back so
that the next call continues from them (they are kept by the estimator, not
left in the model, so ``predict`` calls in between change nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import numpy as np

from sklearn_dl._backend.runtime import first_traces
from sklearn_dl._core.predicting import fixed_batch_rows, reset_states

#: States of every stateful layer: one list of arrays per layer.
States = list[list[np.ndarray]]


def _stateful_layers(model: Any) -> list[Any]:
    return [layer for layer in model.layers if getattr(layer, "stateful", False)]


def read_states(model: Any) -> States:
    """Copies of the current states of a model's stateful layers.

    Parameters
    ----------
    model : keras.Model
        A stateful model.

    Returns
    -------
    list of list of ndarray
        Each stateful layer's state values.
    """
    return [
        [np.array(variable.numpy()) for variable in (layer.states or [])]
        for layer in _stateful_layers(model)
    ]


def write_states(model: Any, states: States | None) -> None:
    """Set a model's states (None: zero states).

    Parameters
    ----------
    model : keras.Model
        A stateful model.
    states : list of list of ndarray or None
        Values from :func:`read_states`.
    """
    if states is None:
        reset_states(model)
        return
    for layer, values in zip(_stateful_layers(model), states, strict=True):
        for variable, value in zip(layer.states or [], values, strict=True):
            variable.assign(value)


def stream_outputs(
    model: Any,
    blocks: Iterable[np.ndarray],
    lock: threading.Lock,
    states: States | None,
    *,
    pad_last: bool,
) -> tuple[np.ndarray, States]:
    """Outputs of a stateful model for consecutive rows, states carried.

    Parameters
    ----------
    model : keras.Model
        A stateful model (batch size built in).
    blocks : iterable of ndarray
        Validated inputs, in order; each block but the last holds whole
        batches.
    lock : threading.Lock
        The model's lock (its states are shared by every caller).
    states : list of list of ndarray or None
        The states to start from (None: zero states).
    pad_last : bool
        Whether a last, partial batch is padded (with copies of its rows);
        False raises instead, since padding rows would advance the streams
        they stand in for.

    Returns
    -------
    outputs : ndarray
        The outputs, in row order.
    states : list of list of ndarray
        The states after the last row, to continue from.
    """
    rows_per_call = fixed_batch_rows(model, 0)
    outputs = []
    with lock, first_traces():
        write_states(model, states)
        for block in blocks:
            if len(block) % rows_per_call and not pad_last:
                raise ValueError(
                    f"A stream continues in whole time steps: {len(block)} rows "
                    f"are not a multiple of the network's {rows_per_call} "
                    "parallel streams (its batch size)."
                )
            for start in range(0, len(block), rows_per_call):
                rows = block[start : start + rows_per_call]
                n_rows = len(rows)
                if n_rows < rows_per_call:
                    rows = np.take(rows, np.arange(rows_per_call) % n_rows, axis=0)
                outputs.append(np.asarray(model.predict_on_batch(rows))[:n_rows])
        after = read_states(model)
    if not outputs:
        raise ValueError("Found array with 0 sample(s); nothing to predict.")
    return np.concatenate(outputs, axis=0), after


__all__ = ["read_states", "stream_outputs", "write_states"]
