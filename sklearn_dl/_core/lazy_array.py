"""Arrays that stay on disk: :class:`LazyArray` (no Keras, no reads until asked).

A :class:`LazyArray` wraps anything with ``shape``, ``dtype`` and
``__getitem__`` (``np.memmap``, ``h5py.Dataset``, Zarr and Dask arrays) or a
list of files with a decoder. It records *which rows* of its source it
stands for and a chain of per-batch transforms; indexing it (what
scikit-learn's CV splitters and ``_safe_indexing`` do) only computes new row
numbers. Data is read when the estimator core asks for a batch
(:meth:`LazyArray.read_rows`): the rows are read in sorted order (runs of
neighbouring rows as one slice), then put back in the order asked for.

Materialising by accident is refused: ``np.asarray(lazy)`` (what
``check_array`` does) raises a ``TypeError`` pointing to :meth:`LazyArray.read`,
since for data bigger than memory an implicit read means a crash minutes
later rather than a clear error now.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import numpy as np

#: Rows to read at a time when a LazyArray is read whole or scanned.
DEFAULT_CHUNK_ROWS = 1024


class LazyArray:
    """An array read from its source batch by batch, never whole by accident.

    Every sklearn_dl estimator accepts a ``LazyArray`` as ``X`` in ``fit``,
    ``partial_fit``, ``predict``, ``predict_proba`` and ``score``: training
    streams shuffled batches from it (read in sorted order, prefetched in
    a background thread), prediction streams it in order, and NaN or
    infinite values are refused batch by batch with the errors in-memory
    data gets. Indexing it with a slice, an index array or a boolean mask
    (what scikit-learn's CV splitters do) returns another ``LazyArray``
    without reading anything, so ``cross_val_score`` and ``GridSearchCV``
    work on it.

    Parameters
    ----------
    source : array-like
        An object with ``shape``, ``dtype`` and ``__getitem__`` along the
        first axis: a NumPy array or ``np.memmap``, an ``h5py.Dataset``, a
        Zarr array, a Dask array. A ``np.memmap`` opened from a file is read
        with positioned file reads instead of through the mapping, so the
        pages read never count in the process's resident memory, and it
        pickles as its file name (for joblib worker processes); so does an
        ``h5py.Dataset`` (file name and dataset name).

    See Also
    --------
    LazyArray.from_files : A LazyArray over a list of files and a decoder.

    Notes
    -----
    ``np.asarray(lazy)`` raises ``TypeError``; call :meth:`read` to load
    the rows into memory on purpose. Transformers of :mod:`sklearn_dl.preprocessing`
    (``PixelScaler``, ``ImageReshaper``) and
    :class:`sklearn_dl.preprocessing.PerBatch` (any stateless scikit-learn
    transformer) return a ``LazyArray`` carrying their transform (see
    :meth:`map`), so a ``Pipeline`` in front of a network stays lazy.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl import LazyArray
    >>> X = LazyArray(np.arange(12.0).reshape(6, 2))
    >>> X.shape
    (6, 2)
    >>> X[[4, 1]].read()
    array([[8., 9.],
           [2., 3.]])
    """

    def __init__(self, source: Any) -> None:
        self._source = _as_row_source(source)
        self._rows: np.ndarray | None = None
        self._transforms: tuple[Callable[[np.ndarray], np.ndarray], ...] = ()
        self._sample: tuple[tuple[int, ...], np.dtype] | None = None

    @classmethod
    def from_files(
        cls,
        paths: Sequence[str | os.PathLike],
        decoder: Callable[[str], Any] = np.load,
    ) -> LazyArray:
        """A LazyArray whose row ``i`` is ``decoder(paths[i])``.

        Parameters
        ----------
        paths : sequence of str or path-like
            One file per sample (images of a folder, ``.npy`` files).
        decoder : callable, default=np.load
            Reads one file into an array; every file must give the same
            shape and dtype (the first file's are the LazyArray's).

        Returns
        -------
        LazyArray
            The files as an array of shape ``(len(paths), *sample_shape)``.
        """
        return cls(FileRows(paths, decoder))

    # -------------------------------------------------------------- shape
    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the array (after its transforms).

        Returns
        -------
        tuple of int
            ``(n_rows, *sample_shape)``.
        """
        return (self._n_rows(), *self._sample_info()[0])

    @property
    def dtype(self) -> np.dtype:
        """Data type of the rows (after its transforms).

        Returns
        -------
        numpy.dtype
            The dtype a read returns.
        """
        return self._sample_info()[1]

    @property
    def ndim(self) -> int:
        """Number of axes.

        Returns
        -------
        int
            ``len(self.shape)``.
        """
        return len(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes the whole array would take in memory.

        Returns
        -------
        int
            Rows times bytes per row.
        """
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    def __len__(self) -> int:
        """Number of rows.

        Returns
        -------
        int
            ``self.shape[0]``.
        """
        return self._n_rows()

    def _n_rows(self) -> int:
        return len(self._source) if self._rows is None else len(self._rows)

    def _sample_info(self) -> tuple[tuple[int, ...], np.dtype]:
        """Shape and dtype of one row after the transforms (read once)."""
        if self._sample is None:
            if not self._transforms:
                source = self._source
                self._sample = (tuple(source.shape[1:]), np.dtype(source.dtype))
            else:
                if len(self._source) == 0:
                    raise ValueError("An empty LazyArray has no transformed shape.")
                first = self._apply(self._source.read(np.array([0])))
                self._sample = (tuple(first.shape[1:]), first.dtype)
        return self._sample

    # ------------------------------------------------------------ indexing
    def __getitem__(self, key: Any) -> Any:
        """Rows of the array: a new LazyArray, or one row read as an array.

        Parameters
        ----------
        key : int, slice, array-like of int or bool, or tuple
            Rows to take along the first axis; a tuple may add ``...`` or
            full slices for the other axes (as ``_safe_indexing`` does).

        Returns
        -------
        LazyArray or ndarray
            A LazyArray of the chosen rows (nothing read), or the row read
            into an ndarray for an integer key.
        """
        if isinstance(key, tuple):
            rest = key[1:]
            if any(part is not Ellipsis and part != slice(None) for part in rest):
                raise IndexError(
                    "A LazyArray is indexed by rows only (its first axis); "
                    "read rows first to index other axes."
                )
            key = key[0] if key else slice(None)
        n_rows = self._n_rows()
        if isinstance(key, Integral):
            index = int(key)
            if not -n_rows <= index < n_rows:
                raise IndexError(f"Row {index} is out of range for {n_rows} rows.")
            return self.read_rows(np.array([index % n_rows]))[0]
        if isinstance(key, slice):
            chosen = np.arange(n_rows)[key]
        else:
            array = np.asarray(key)
            if array.dtype == bool:
                if array.shape != (n_rows,):
                    raise IndexError(
                        f"A boolean mask of shape {array.shape} cannot select "
                        f"rows of a LazyArray with {n_rows} rows."
                    )
                chosen = np.flatnonzero(array)
            elif array.size == 0:
                chosen = np.zeros(0, dtype=np.intp)
            elif np.issubdtype(array.dtype, np.integer) and array.ndim == 1:
                if array.min() < -n_rows or array.max() >= n_rows:
                    raise IndexError(f"Row index out of range for {n_rows} rows.")
                chosen = array % n_rows
            else:
                raise IndexError(
                    "A LazyArray takes an int, a slice, a 1-D integer array or "
                    f"a boolean mask; got {array.dtype} of shape {array.shape}."
                )
        return self._with_rows(self._source_rows(chosen))

    def _source_rows(self, chosen: np.ndarray) -> np.ndarray:
        """Rows of the source for positions ``chosen`` of this array."""
        chosen = np.asarray(chosen, dtype=np.intp)
        return chosen if self._rows is None else self._rows[chosen]

    def _copy(self) -> LazyArray:
        new = object.__new__(LazyArray)
        new.__dict__.update(self.__dict__)
        return new

    def _with_rows(self, rows: np.ndarray) -> LazyArray:
        new = self._copy()
        new._rows = np.asarray(rows, dtype=np.intp)
        return new

    def map(self, transform: Callable[[np.ndarray], np.ndarray]) -> LazyArray:
        """A LazyArray whose batches go through ``transform`` after reading.

        Parameters
        ----------
        transform : callable
            Takes a batch ``(n, ...)`` and returns a batch with the same
            number of rows (a fitted transformer's ``transform``, for
            instance). It must treat every row on its own: the batches it
            sees depend on the batch size and the order.

        Returns
        -------
        LazyArray
            The same rows, transformed when read.
        """
        new = self._copy()
        new._transforms = (*self._transforms, transform)
        new._sample = None
        return new

    # ------------------------------------------------------------ reading
    def read_rows(self, positions: np.ndarray) -> np.ndarray:
        """Read the rows at ``positions`` (any order, repeats allowed).

        The source is read in sorted order, runs of neighbouring rows in one
        read, and the rows are handed back in the order asked for, with the
        transforms applied.

        Parameters
        ----------
        positions : ndarray of int
            Row positions in this array.

        Returns
        -------
        ndarray of shape (len(positions), ...)
            The rows.
        """
        rows = self._source_rows(positions)
        unique, inverse = np.unique(rows, return_inverse=True)
        block = self._source.read(unique)
        if len(unique) != len(rows) or np.any(unique != rows):
            block = block[inverse.reshape(-1)]
        return self._apply(block)

    def _apply(self, block: np.ndarray) -> np.ndarray:
        for transform in self._transforms:
            n_rows = len(block)
            block = np.asarray(transform(block))
            if len(block) != n_rows:
                raise ValueError(
                    f"A transform of the LazyArray turned {n_rows} rows into "
                    f"{len(block)}; per-batch transforms must keep every row."
                )
        return block

    def chunks(self, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Any:
        """Read the array in order, ``chunk_rows`` rows at a time.

        Parameters
        ----------
        chunk_rows : int, default=1024
            Rows per chunk (the last may be smaller).

        Yields
        ------
        start : int
            Position of the chunk's first row.
        block : ndarray
            The chunk's rows.
        """
        n_rows = self._n_rows()
        for start in range(0, n_rows, chunk_rows):
            stop = min(start + chunk_rows, n_rows)
            yield start, self.read_rows(np.arange(start, stop))

    def read(self) -> np.ndarray:
        """Read every row into memory (on purpose).

        Returns
        -------
        ndarray
            The whole array, transforms applied.
        """
        if self._n_rows() == 0:
            return np.zeros(self.shape, dtype=self.dtype)
        return np.concatenate([block for _, block in self.chunks()], axis=0)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """Refuse an implicit read of the whole array.

        Parameters
        ----------
        dtype : dtype, default=None
            Ignored.
        copy : bool, default=None
            Ignored.

        Returns
        -------
        ndarray
            Never: the array is not read implicitly.

        Raises
        ------
        TypeError
            Always; :meth:`read` loads the rows on purpose.
        """
        raise TypeError(
            f"A LazyArray of shape {self.shape} ({self.nbytes / 2**20:.1f} MiB) "
            "is not read into memory implicitly (np.asarray, check_array). "
            "sklearn_dl estimators and transformers stream it batch by batch; "
            "for other code, call .read() to load it on purpose."
        )

    def __repr__(self) -> str:
        """Short description (no data read).

        Returns
        -------
        str
            Shape, dtype, source kind and the number of transforms.
        """
        n_transforms = len(self._transforms)
        transforms = f", {n_transforms} transform(s)" if n_transforms else ""
        return (
            f"LazyArray(shape={self.shape}, dtype={self.dtype}, "
            f"source={self._source.kind}{transforms})"
        )


# ------------------------------------------------------------------ sources
class _RowSource(ABC):
    """What a LazyArray reads from: ``shape``, ``dtype``, sorted-row reads."""

    kind = "array"
    shape: tuple[int, ...]
    dtype: np.dtype

    def __len__(self) -> int:
        return int(self.shape[0])

    @abstractmethod
    def read(self, rows: np.ndarray) -> np.ndarray:
        """The rows ``rows`` (sorted, unique) of the source, in that order."""


class ArrayRows(_RowSource):
    """Rows of an in-memory array, an h5py/Zarr/Dask array or any array-like."""

    def __init__(self, array: Any) -> None:
        self.array = array
        self.shape = tuple(int(n) for n in array.shape)
        self.dtype = np.dtype(array.dtype)
        self.kind = type(array).__name__
        self._fancy = isinstance(array, np.ndarray) or hasattr(array, "compute")

    def read(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros((0, *self.shape[1:]), dtype=self.dtype)
        if self._fancy:  # NumPy, Dask: fancy indexing reads only these rows
            block = self.array[rows]
            return np.asarray(block.compute() if hasattr(block, "compute") else block)
        oindex = getattr(self.array, "oindex", None)  # Zarr
        if oindex is not None:
            return np.asarray(oindex[rows])
        # h5py and plain array-likes: one slice per run of neighbouring rows
        return np.concatenate(
            [np.asarray(self.array[a:b]) for a, b in _runs(rows)], axis=0
        )


class HDF5Rows(ArrayRows):
    """Rows of an ``h5py.Dataset``; pickles as file name and dataset name."""

    def __init__(self, dataset: Any) -> None:
        super().__init__(dataset)
        self.filename = dataset.file.filename
        self.name = dataset.name
        self.kind = "h5py.Dataset"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["array"] = None
        return state

    def read(self, rows: np.ndarray) -> np.ndarray:
        if self.array is None:  # unpickled in another process: reopen
            import h5py

            self.array = h5py.File(self.filename, "r")[self.name]
        return super().read(rows)


class MemmapRows(_RowSource):
    """Rows of a C-ordered ``np.memmap`` read with positioned file reads.

    Reading through the mapping would leave every page read mapped into the
    process (resident memory grows towards the file's size); ``os.pread``
    copies rows through the page cache, which is not resident memory.
    """

    kind = "np.memmap"

    def __init__(self, filename: str, dtype: np.dtype, shape: tuple, offset: int):
        self.filename = os.fspath(filename)
        self.dtype = np.dtype(dtype)
        self.shape = tuple(int(n) for n in shape)
        self.offset = int(offset)
        row_items = int(np.prod(self.shape[1:], dtype=np.int64))
        self.row_bytes = row_items * self.dtype.itemsize
        self._fd: int | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fd"] = None
        return state

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)

    def read(self, rows: np.ndarray) -> np.ndarray:
        if self._fd is None:
            self._fd = os.open(self.filename, os.O_RDONLY)
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        flat = out.reshape(len(rows), -1).view(np.uint8).reshape(-1)
        at = 0
        for a, b in _runs(rows):
            n_bytes = (b - a) * self.row_bytes
            view = memoryview(flat[at : at + n_bytes])
            done = 0
            while done < n_bytes:
                done += os.preadv(
                    self._fd, [view[done:]], self.offset + a * self.row_bytes + done
                )
            at += n_bytes
        return out


class FileRows(_RowSource):
    """One file per row, decoded when read.

    Parameters
    ----------
    paths : sequence of path-like
        The files.
    decoder : callable
        Reads one file into an array.
    """

    kind = "files"

    def __init__(self, paths: Sequence[Any], decoder: Callable[[str], Any]) -> None:
        if isinstance(paths, (str, bytes, os.PathLike)) or len(paths) == 0:
            raise ValueError(
                "LazyArray.from_files takes a non-empty list of file paths."
            )
        if not callable(decoder):
            raise TypeError(f"decoder must be callable; got {type(decoder).__name__}.")
        self.paths = [os.fspath(path) for path in paths]
        self.decoder = decoder
        first = np.asarray(decoder(self.paths[0]))
        self.shape = (len(self.paths), *first.shape)
        self.dtype = first.dtype

    def read(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        for i, row in enumerate(rows):
            sample = np.asarray(self.decoder(self.paths[int(row)]))
            if sample.shape != self.shape[1:]:
                raise ValueError(
                    f"File {self.paths[int(row)]!r} decodes to shape "
                    f"{sample.shape}, but the first file gave {self.shape[1:]}; "
                    "every file must give samples of one shape."
                )
            out[i] = sample
        return out


def _runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """Sorted unique ``rows`` as half-open runs ``(start, stop)`` of neighbours."""
    if len(rows) == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate([[0], breaks])
    stops = np.concatenate([breaks, [len(rows)]])
    pairs = zip(starts, stops, strict=True)
    return [(int(rows[start]), int(rows[stop - 1]) + 1) for start, stop in pairs]


def _as_row_source(source: Any) -> _RowSource:
    """The reader for a LazyArray's source, with a clear error for others."""
    if isinstance(source, LazyArray):
        raise TypeError("LazyArray(LazyArray) is not needed; index or map it.")
    if isinstance(source, _RowSource):
        return source
    if isinstance(source, np.memmap):
        base = source
        while isinstance(base.base, np.memmap):
            base = base.base
        if (
            getattr(source, "filename", None)
            and source.flags.c_contiguous
            and base is source
        ):
            return MemmapRows(
                source.filename, source.dtype, source.shape, source.offset
            )
    missing = [
        name for name in ("shape", "dtype", "__getitem__") if not hasattr(source, name)
    ]
    if missing:
        hint = (
            " For a list of files use LazyArray.from_files(paths, decoder)."
            if isinstance(source, (list, tuple))
            else ""
        )
        raise TypeError(
            f"LazyArray needs an array-like with shape, dtype and __getitem__ "
            f"(np.memmap, h5py.Dataset, Zarr, Dask); {type(source).__name__} "
            f"has no {', '.join(missing)}.{hint}"
        )
    shape = tuple(source.shape)
    if len(shape) < 1 or any(n is None for n in shape):
        raise ValueError(
            f"LazyArray needs a source with a known shape of at least one axis; "
            f"got shape {shape}."
        )
    if type(source).__module__.startswith("h5py"):
        return HDF5Rows(source)
    return ArrayRows(source)


__all__ = ["DEFAULT_CHUNK_ROWS", "FileRows", "LazyArray"]
