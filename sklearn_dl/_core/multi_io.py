"""Several model inputs (or outputs) that travel together, row by row.

A model with several inputs takes ``X`` as a dict (keyed by the inputs'
names), a list (in the model's input order), a :class:`NamedArrays`, or a
DataFrame whose columns are grouped by a first column level naming the
input (``pandas.concat({"image": pixels, "extra": table}, axis=1)``).
Internally they become one :class:`NamedArrays`: its rows are indexed
together, so sample weights, shuffling, ``validation_split`` and
scikit-learn's cross-validation (which indexes anything with a ``shape``)
keep every input's rows aligned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.validation import check_array


class NamedArrays:
    """Arrays sharing their first axis, indexed by rows together.

    Parameters
    ----------
    arrays : mapping of str to array-like, or sequence of array-like
        One array per model input (or output). A mapping keeps its names
        (the model's input names); a sequence is in the model's order.

    Attributes
    ----------
    keyed : bool
        Whether the arrays were given by name (fed to Keras as a dict) or
        in order (fed as a list).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl import NamedArrays
    >>> X = NamedArrays({"image": np.zeros((4, 8, 8)), "extra": np.ones((4, 2))})
    >>> X[[0, 2]].shape
    (2, 2)
    >>> X["extra"].shape
    (4, 2)
    """

    def __init__(self, arrays: Mapping[str, Any] | Sequence[Any]) -> None:
        if isinstance(arrays, NamedArrays):
            self.keyed = arrays.keyed
            self._arrays = dict(arrays._arrays)
            return
        self.keyed = isinstance(arrays, Mapping)
        items = arrays.items() if self.keyed else enumerate(arrays)
        self._arrays = {str(name): _as_array(value) for name, value in items}
        if not self._arrays:
            raise ValueError("NamedArrays needs at least one array.")
        lengths = {name: len(value) for name, value in self._arrays.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(
                f"The arrays of several inputs or outputs must have as many rows "
                f"each; got {lengths}."
            )

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_arrays)``: what scikit-learn's indexing looks at.

        Returns
        -------
        tuple of int
            The number of rows and of arrays.
        """
        return (len(self), len(self._arrays))

    @property
    def ndim(self) -> int:
        """Always 2 (rows, arrays).

        Returns
        -------
        int
            2.
        """
        return 2

    @property
    def dtype(self) -> np.dtype:
        """The common dtype of the arrays.

        Returns
        -------
        numpy.dtype
            ``numpy.result_type`` of every array.
        """
        return np.result_type(*self._arrays.values())

    def __len__(self) -> int:
        """Number of rows.

        Returns
        -------
        int
            Rows of every array.
        """
        return len(next(iter(self._arrays.values())))

    def __getitem__(self, key: Any) -> Any:
        """An array by name, or the same rows of every array.

        Parameters
        ----------
        key : str, int, slice or array of indices or booleans
            A name returns that array; anything else selects rows.

        Returns
        -------
        ndarray or NamedArrays
            The array, or a new NamedArrays with the selected rows.
        """
        if isinstance(key, str):
            return self._arrays[key]
        if isinstance(key, tuple) and len(key) == 2 and key[1] is Ellipsis:
            key = key[0]  # scikit-learn's array[key, ...]
        if isinstance(key, (int, np.integer)):
            key = [key]
        new = object.__new__(NamedArrays)
        new.keyed = self.keyed
        new._arrays = {name: value[key] for name, value in self._arrays.items()}
        return new

    def keys(self) -> list[str]:
        """The arrays' names (``"0"``, ``"1"`` ... when given in order).

        Returns
        -------
        list of str
            Names in order.
        """
        return list(self._arrays)

    def items(self) -> list[tuple[str, np.ndarray]]:
        """``(name, array)`` pairs in order.

        Returns
        -------
        list of tuple
            The pairs.
        """
        return list(self._arrays.items())

    def map(self, func: Any) -> NamedArrays:
        """A new NamedArrays with ``func`` applied to every array.

        Parameters
        ----------
        func : callable
            ``func(name, array) -> array``.

        Returns
        -------
        NamedArrays
            The results, same names and order.
        """
        new = object.__new__(NamedArrays)
        new.keyed = self.keyed
        new._arrays = {name: func(name, value) for name, value in self.items()}
        return new

    def as_model_input(self) -> dict[str, np.ndarray] | list[np.ndarray]:
        """What Keras is fed: a dict by name, or a list in order.

        Returns
        -------
        dict or list
            The arrays.
        """
        if self.keyed:
            return dict(self._arrays)
        return list(self._arrays.values())

    def __repr__(self) -> str:
        """Names and shapes.

        Returns
        -------
        str
            ``NamedArrays(name: shape, ...)``.
        """
        shapes = ", ".join(f"{name}: {value.shape}" for name, value in self.items())
        return f"NamedArrays({shapes})"


def _as_array(value: Any) -> np.ndarray:
    """An array from one input's values (a DataFrame's values too)."""
    return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value)


def is_multi(value: Any) -> bool:
    """Whether ``value`` holds several inputs or outputs.

    Parameters
    ----------
    value : object
        X or y as given.

    Returns
    -------
    bool
        True for a dict, a list or tuple of arrays (not of numbers), a
        :class:`NamedArrays`, or a DataFrame with grouped columns.
    """
    if issparse(value):  # a dok matrix is a dict, but one input
        return False
    if isinstance(value, (NamedArrays, Mapping)):
        return True
    if isinstance(value, (list, tuple)):
        return bool(value) and all(
            hasattr(item, "shape") or hasattr(item, "to_numpy") for item in value
        )
    columns = getattr(value, "columns", None)
    return getattr(columns, "nlevels", 1) > 1


def as_named_arrays(value: Any) -> NamedArrays:
    """Several inputs or outputs as one :class:`NamedArrays`.

    Parameters
    ----------
    value : dict, list, tuple, NamedArrays or DataFrame
        See :func:`is_multi`; a DataFrame's first column level names the
        groups (in their order of appearance).

    Returns
    -------
    NamedArrays
        The arrays.
    """
    if isinstance(value, NamedArrays):
        return value
    columns = getattr(value, "columns", None)
    if getattr(columns, "nlevels", 1) > 1:
        names = list(dict.fromkeys(columns.get_level_values(0)))
        return NamedArrays({str(name): value[name].to_numpy() for name in names})
    return NamedArrays(value)


def validate_named_arrays(arrays: NamedArrays, *, numeric: bool = True) -> NamedArrays:
    """Check every array: finite numbers, 1-D arrays become one column.

    Parameters
    ----------
    arrays : NamedArrays
        The inputs (or outputs).
    numeric : bool, default=True
        Require numbers (integers are kept as integers: token ids, codes).

    Returns
    -------
    NamedArrays
        Validated arrays; floats as float32.
    """

    def check(name: str, value: np.ndarray) -> np.ndarray:
        checked = check_array(
            value,
            allow_nd=True,
            ensure_2d=False,
            dtype="numeric" if numeric else None,
            ensure_all_finite=True,
            input_name=f"input {name!r}",
        )
        if checked.ndim == 1:
            checked = checked.reshape(-1, 1)
        if checked.dtype.kind == "f":
            checked = checked.astype(np.float32, copy=False)
        return checked

    return arrays.map(check)


def take_rows(value: Any, index: Any) -> Any:
    """The rows ``index`` of an array, a NamedArrays, or a dict/list of arrays.

    Parameters
    ----------
    value : ndarray, NamedArrays, dict, list or None
        Row-aligned data.
    index : array of int or bool, or slice
        The rows.

    Returns
    -------
    object
        The same kind of object with the selected rows (None stays None).
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {name: item[index] for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(item[index] for item in value)
    return value[index]


def repeat_rows(value: Any, counts: np.ndarray) -> Any:
    """Each row of ``value`` repeated ``counts`` times.

    Parameters
    ----------
    value : ndarray, NamedArrays, dict or list
        Row-aligned data.
    counts : ndarray of int
        Repetitions per row.

    Returns
    -------
    object
        The same kind of object with repeated rows.
    """
    return take_rows(value, np.repeat(np.arange(len(counts)), counts))


def flat_rows(value: Any) -> np.ndarray:
    """One float64 row of numbers per sample, over every array.

    Parameters
    ----------
    value : ndarray, NamedArrays, dict or list
        Row-aligned data.

    Returns
    -------
    ndarray of shape (n_samples, n_values)
        The values of each sample side by side.
    """
    if isinstance(value, NamedArrays):
        parts = [item for _, item in value.items()]
    elif isinstance(value, Mapping):
        parts = list(value.values())
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = [value]
    return np.hstack(
        [np.asarray(part, dtype=np.float64).reshape(len(part), -1) for part in parts]
    )


def as_model_input(value: Any) -> Any:
    """What Keras is fed for ``value`` (a NamedArrays becomes a dict or list).

    Parameters
    ----------
    value : object
        Validated inputs.

    Returns
    -------
    object
        ``value`` itself, or its arrays as a dict or list.
    """
    return value.as_model_input() if isinstance(value, NamedArrays) else value


__all__ = [
    "NamedArrays",
    "as_model_input",
    "as_named_arrays",
    "flat_rows",
    "is_multi",
    "repeat_rows",
    "take_rows",
    "validate_named_arrays",
]
