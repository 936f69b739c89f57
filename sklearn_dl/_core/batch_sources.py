"""Sources of ``(X, y)`` batches: Keras datasets and generator functions.

``fit(dataset)`` (``y=None``) takes a ``keras.utils.PyDataset``, a
``tf.data.Dataset`` (TensorFlow backend) or a generator *function* (called
once per pass, yielding ``(X, y)`` or ``(X, y, sample_weight)`` batches).
:class:`BatchSource` gives all three one interface: :meth:`BatchSource.passes`
starts a new pass over the batches, :meth:`BatchSource.end_pass` tells a
``PyDataset`` its epoch ended. None of them can be split into folds, which is
what :func:`reject_split_dataset` explains when a CV search hands sklearn_dl
the pieces it cut.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import numpy as np

from sklearn_dl._backend.datasets import is_tf_dataset, tf_dataset_batches

#: What the errors say about splitting datasets.
SPLIT_HINT = (
    "A dataset or generator cannot be split into folds by a CV splitter or a "
    "search (GridSearchCV, cross_val_score): its rows are not addressable. "
    "Wrap array data that does not fit in memory (np.memmap, h5py, Zarr, "
    "image files) in sklearn_dl.LazyArray instead; CV splits that without "
    "reading it."
)


def is_py_dataset(data: Any) -> bool:
    """Whether ``data`` is a ``keras.utils.PyDataset`` (by its interface).

    Parameters
    ----------
    data : object
        Anything given as ``X``.

    Returns
    -------
    bool
        True for an object with ``__getitem__``, ``__len__`` and
        ``on_epoch_end`` that is not an array.
    """
    return (
        hasattr(data, "on_epoch_end")
        and hasattr(data, "__getitem__")
        and hasattr(data, "__len__")
        and not hasattr(data, "shape")
    )


def is_batch_source(data: Any) -> bool:
    """Whether ``data`` is a dataset or a generator given as ``X``.

    Parameters
    ----------
    data : object
        Anything given as ``X``.

    Returns
    -------
    bool
        True for a PyDataset, a ``tf.data.Dataset``, a generator function
        or a generator object (refused later, with the reason).
    """
    return (
        is_py_dataset(data)
        or is_tf_dataset(data)
        or inspect.isgenerator(data)
        or (
            callable(data)
            and not isinstance(data, type)
            and not hasattr(data, "shape")
            and not hasattr(data, "fit")
        )
    )


class BatchSource:
    """One interface over a PyDataset, a ``tf.data.Dataset`` or a generator.

    Parameters
    ----------
    data : object
        What was given as ``X``.
    """

    def __init__(self, data: Any) -> None:
        if inspect.isgenerator(data):
            raise TypeError(
                "fit got a generator object, which can be read only once; "
                "pass the generator function itself (called once per epoch), "
                "e.g. fit(make_batches) rather than fit(make_batches())."
            )
        self.data = data
        if is_py_dataset(data):
            self.kind = "PyDataset"
        elif is_tf_dataset(data):
            self.kind = "tf.data.Dataset"
        else:
            self.kind = "generator function"

    def passes(self) -> Iterator[Any]:
        """Start one pass over the batches.

        Returns
        -------
        iterator
            The batches of one epoch, as the source gives them.
        """
        if self.kind == "PyDataset":
            return (self.data[i] for i in range(len(self.data)))
        if self.kind == "tf.data.Dataset":
            return iter(tf_dataset_batches(self.data))
        batches = self.data()
        if not hasattr(batches, "__iter__"):
            raise TypeError(
                f"The generator function given as X returned "
                f"{type(batches).__name__}, not an iterable of (X, y) batches."
            )
        return iter(batches)

    def end_pass(self) -> None:
        """Tell the source an epoch ended (a PyDataset reshuffles here)."""
        if self.kind == "PyDataset":
            self.data.on_epoch_end()


def unpack_batch(batch: Any, index: int, kind: str) -> tuple[Any, Any, Any]:
    """Split one batch into ``(X, y, sample_weight)`` with a clear error.

    Parameters
    ----------
    batch : object
        What the source yielded.
    index : int
        The batch's position in its pass, for the message.
    kind : str
        The source's kind, for the message.

    Returns
    -------
    tuple
        ``(X, y, sample_weight)``; ``sample_weight`` may be None.
    """
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        raise ValueError(
            f"Batch {index} of the {kind} is a {type(batch).__name__}; each "
            "batch must be a tuple (X, y) or (X, y, sample_weight)."
        )
    X, y, *rest = batch
    if y is None:
        raise ValueError(
            f"Batch {index} of the {kind} has no targets (y is None); "
            "training batches must be (X, y) tuples."
        )
    return X, y, rest[0] if rest else None


def as_batch_array(X: Any, index: int, kind: str) -> np.ndarray:
    """One batch's samples as an array, with a clear error if ragged.

    Parameters
    ----------
    X : array-like
        The samples of one batch.
    index : int
        The batch's position, for the message.
    kind : str
        The source's kind, for the message.

    Returns
    -------
    ndarray
        The samples.
    """
    try:
        array = np.asarray(X)
    except ValueError as error:
        raise ValueError(
            f"Batch {index} of the {kind} is ragged: its samples do not all "
            f"have one shape ({error})."
        ) from None
    if array.dtype == object:
        raise ValueError(
            f"Batch {index} of the {kind} is ragged: its samples do not all "
            "have one shape."
        )
    if array.ndim < 2:
        raise ValueError(
            f"Batch {index} of the {kind} has samples of shape {array.shape}; "
            "a batch must be an array of shape (batch_size, n_features) or "
            "(batch_size, ...)."
        )
    return array


def check_same_samples(
    array: np.ndarray, first_shape: tuple[int, ...], index: int, kind: str
) -> None:
    """Refuse a batch whose samples differ in shape from the first batch's.

    Parameters
    ----------
    array : ndarray
        This batch's samples.
    first_shape : tuple of int
        The sample shape of the first batch.
    index : int
        The batch's position, for the message.
    kind : str
        The source's kind, for the message.
    """
    if array.shape[1:] == first_shape:
        return
    if array.ndim == 2 and len(first_shape) == 1:
        raise ValueError(
            f"Batch {index} of the {kind} has {array.shape[1]} features, but "
            f"the first batch had {first_shape[0]}; every batch must have the "
            "same number of features."
        )
    raise ValueError(
        f"Batch {index} of the {kind} has samples of shape {array.shape[1:]}, "
        f"but the first batch's were {first_shape}; every batch must have "
        "samples of one shape."
    )


def reject_split_dataset(X: Any) -> None:
    """Raise when ``X`` is a dataset cut into pieces by a CV splitter.

    scikit-learn's ``_safe_indexing`` turns a ``PyDataset`` it was asked to
    split into a list of its batches; nothing sensible can be trained from
    that, so the error says what happened and what to use instead.

    Parameters
    ----------
    X : object
        What ``fit`` got as ``X``.

    Raises
    ------
    ValueError
        If ``X`` is a list of ``(X, y)`` batch tuples.
    """
    if (
        isinstance(X, list)
        and X
        and isinstance(X[0], tuple)
        and len(X[0]) in (2, 3)
        and hasattr(X[0][0], "shape")
    ):
        raise ValueError(
            f"fit got a list of {len(X)} (X, y) batches: a dataset was split "
            f"by a CV splitter or search. {SPLIT_HINT}"
        )


__all__ = [
    "SPLIT_HINT",
    "BatchSource",
    "as_batch_array",
    "check_same_samples",
    "is_batch_source",
    "is_py_dataset",
    "reject_split_dataset",
    "unpack_batch",
]
