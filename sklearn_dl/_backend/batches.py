"""Batches in a given row order, in the form the backend's ``Model.fit`` reads fastest.

The estimator core decides the row order of every epoch (a per-fit NumPy
generator); this module only turns "these rows, in this order, in batches of
this size" into Keras input. On TensorFlow, a ``tf.data`` pipeline asks Python
for one order per epoch and gathers the batches in the graph (measured 1.8x
faster than Keras's own shuffled array input, and far faster than a
``PyDataset``, which crosses into Python for every batch). Other backends read
NumPy batches from a Python generator (as fast as Keras's array input there).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from sklearn_dl._backend.environment import configured_backend


def ordered_batches(
    arrays: tuple[np.ndarray, ...],
    orders: Callable[[], Iterable[np.ndarray]],
    batch_size: int,
) -> object:
    """Batches of ``arrays`` taken in the row orders ``orders`` yields.

    Parameters
    ----------
    arrays : tuple
        ``(x, y)`` or ``(x, y, sample_weight)``, with equal first axes;
        ``x`` and ``y`` may be lists or dicts of arrays (several model
        inputs or outputs).
    orders : callable
        Returns an iterable of row orders, one per epoch (each a permutation
        of the row indices), consumed lazily as training advances.
    batch_size : int
        Rows per batch (the last batch of an epoch may be smaller).

    Returns
    -------
    tf.data.Dataset or generator
        What ``Model.fit`` takes as ``x`` (with ``y`` and
        ``sample_weight`` left None), together with ``steps_per_epoch``
        (see :func:`steps_per_epoch`).
    """
    if configured_backend() == "tensorflow":
        return _tf_batches(arrays, orders, batch_size)
    return _numpy_batches(arrays, orders, batch_size)


def steps_per_epoch(n_rows: int, batch_size: int) -> int:
    """Batches per epoch of ``n_rows`` rows.

    Parameters
    ----------
    n_rows : int
        Training rows.
    batch_size : int
        Rows per batch.

    Returns
    -------
    int
        ``ceil(n_rows / batch_size)``.
    """
    return math.ceil(n_rows / batch_size)


def _rows_of(structure: Any, rows: np.ndarray) -> Any:
    """The rows of every array of a (nested) tuple, list or dict of arrays."""
    if isinstance(structure, dict):
        return {name: _rows_of(value, rows) for name, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_rows_of(value, rows) for value in structure)
    return structure[rows]


def _lists_as_tuples(structure: Any) -> Any:
    """The same structure with every list made a tuple."""
    if isinstance(structure, dict):
        return {name: _lists_as_tuples(value) for name, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return tuple(_lists_as_tuples(value) for value in structure)
    return structure


def _numpy_batches(
    arrays: tuple[Any, ...],
    orders: Callable[[], Iterable[np.ndarray]],
    batch_size: int,
) -> Iterator[tuple[Any, ...]]:
    for order in orders():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            yield _rows_of(arrays, rows)


def _tf_batches(
    arrays: tuple[np.ndarray, ...],
    orders: Callable[[], Iterable[np.ndarray]],
    batch_size: int,
) -> object:
    import tensorflow as tf

    # tf.data packs a list into one tensor: several inputs travel as a tuple.
    tensors = tf.nest.map_structure(tf.constant, _lists_as_tuples(arrays))
    n_rows = len(tf.nest.flatten(arrays)[0])
    epochs = tf.data.Dataset.from_generator(
        orders, output_signature=tf.TensorSpec([n_rows], tf.int64)
    )
    rows = epochs.flat_map(
        lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size)
    )
    batches = rows.map(
        lambda chosen: tf.nest.map_structure(
            lambda tensor: tf.gather(tensor, chosen), tensors
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    return batches.prefetch(tf.data.AUTOTUNE)


__all__ = ["ordered_batches", "steps_per_epoch"]
