"""TensorFlow datasets as NumPy batches (the only backend-specific part of streaming).

A ``tf.data.Dataset`` is recognised without importing TensorFlow (by its
class's module), and read as NumPy arrays, so the estimator core treats it
like any other source of ``(X, y)`` batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sklearn_dl._backend.environment import configured_backend


def is_tf_dataset(data: Any) -> bool:
    """Whether ``data`` is a ``tf.data.Dataset`` (TensorFlow not imported).

    Parameters
    ----------
    data : object
        Anything given as ``X``.

    Returns
    -------
    bool
        True for a ``tf.data.Dataset`` of any kind.
    """
    return any(
        cls.__name__ == "DatasetV2" and cls.__module__.startswith("tensorflow")
        for cls in type(data).__mro__
    )


def tf_dataset_batches(dataset: Any) -> Iterator[Any]:
    """One pass over a ``tf.data.Dataset``, its elements as NumPy arrays.

    Parameters
    ----------
    dataset : tf.data.Dataset
        A batched dataset of ``(X, y)`` or ``(X, y, sample_weight)``.

    Returns
    -------
    iterator
        The elements, tensors turned into NumPy arrays.

    Raises
    ------
    ValueError
        If Keras does not run on TensorFlow (a ``tf.data`` pipeline then
        runs beside the backend, not through it).
    """
    backend = configured_backend()
    if backend != "tensorflow":
        raise ValueError(
            f"A tf.data.Dataset is only accepted on the TensorFlow backend; "
            f"Keras runs on {backend}. Use a keras.utils.PyDataset, a generator "
            "function or a sklearn_dl.LazyArray instead."
        )
    return dataset.as_numpy_iterator()


__all__ = ["is_tf_dataset", "tf_dataset_batches"]
