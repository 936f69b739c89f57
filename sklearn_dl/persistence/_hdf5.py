"""Open an HDF5 file from a stranger: check every object before reading any.

:func:`sklearn_dl.save` (and Keras, for the weights inside a network) write
plain HDF5: groups, hard links, contiguous unfiltered datasets of numbers,
booleans, fixed-length byte strings and UTF-8 text. :class:`CheckedHDF5`
accepts exactly that and refuses, before any data is read:

- links other than hard links (soft links can loop, external links open
  other files) and named datatypes;
- datasets with external storage (raw data in another file, such as
  ``/etc/passwd``), virtual datasets (data mapped from other files), chunked
  or filtered datasets (compression bombs, filter plugins loaded from disk)
  and contiguous datasets whose storage is not fully in the file (an
  unallocated dataset reads as gigabytes of fill value);
- any other data type (references, compound, enum, opaque, variable-length
  sequences);
- more data in total than the load's :class:`~._limits.Budget`, nesting
  deeper than a few levels, or too many objects.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from sklearn_dl.exceptions import DamagedFileError
from sklearn_dl.persistence._limits import Budget

#: Groups nest this deep at most (save writes 2 levels, Keras a few more).
MAX_GROUP_DEPTH = 32
#: Links and attributes counted over the whole file.
MAX_OBJECTS = 200_000
#: Bytes of one variable-length string element as HDF5 stores its handle.
_VLEN_HANDLE_BYTES = 16
#: What h5py raises for damage it finds while parsing a file.
HDF5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError)


def _dtype_problem(dtype: np.dtype) -> str | None:
    """Why a dtype is refused, or None for the plain kinds the format writes."""
    import h5py

    string = h5py.check_string_dtype(dtype)
    if string is not None:
        if string.encoding not in ("utf-8", "ascii"):
            return f"text in encoding {string.encoding}"
        return None
    if dtype.kind == "b" and dtype.fields is None:
        return None  # h5py stores booleans as a two-value enum
    special = (
        h5py.check_vlen_dtype(dtype) is not None
        or h5py.check_enum_dtype(dtype) is not None
        or h5py.check_ref_dtype(dtype) is not None
        or h5py.check_opaque_dtype(dtype)
    )
    if special or dtype.fields is not None or dtype.subdtype is not None:
        return f"data type {dtype}"
    if dtype.kind not in "iufcS":
        return f"data type {dtype}"
    return None


def _declared_bytes(shape: tuple[int, ...] | None, dtype: np.dtype) -> int:
    import h5py

    count = 1
    for extent in shape or ():
        count *= int(extent)
    if h5py.check_string_dtype(dtype) is not None and dtype.kind == "O":
        return count * _VLEN_HANDLE_BYTES
    return count * dtype.itemsize


class CheckedHDF5:
    """An open HDF5 file whose objects all passed the checks.

    Parameters
    ----------
    file : h5py.File
        The open file (the caller closes it).
    path : str
        Its name, for messages.
    budget : Budget
        Charged with every dataset's and attribute's declared size.
    """

    def __init__(self, file: Any, path: str, budget: Budget) -> None:
        self.file = file
        self.path = path
        self.budget = budget
        self._size = os.path.getsize(file.filename) if file.filename else None
        self._read: set[str] = set()
        self.datasets: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
        try:
            self._walk()
        except DamagedFileError:
            raise
        except HDF5_ERRORS as error:
            self._damaged(f"its HDF5 structure cannot be read ({error}).")

    def _damaged(self, problem: str) -> None:
        raise DamagedFileError(self.path, problem)

    def _walk(self) -> None:
        import h5py

        objects = 0
        stack: list[tuple[Any, str, int]] = [(self.file, "", 0)]
        self._check_attributes(self.file, "/")
        while stack:
            group, prefix, depth = stack.pop()
            if depth >= MAX_GROUP_DEPTH:
                self._damaged(f"groups nest deeper than {MAX_GROUP_DEPTH} levels.")
            for name in group:
                objects += 1
                if objects > MAX_OBJECTS:
                    self._damaged(f"it holds more than {MAX_OBJECTS:,} objects.")
                where = f"{prefix}/{name}"
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    kind = type(link).__name__
                    self._damaged(f"{where} is a {kind}; only hard links are allowed.")
                obj = group[name]
                self._check_attributes(obj, where)
                if isinstance(obj, h5py.Group):
                    stack.append((obj, where, depth + 1))
                elif isinstance(obj, h5py.Dataset):
                    self._check_dataset(obj, where)
                else:
                    self._damaged(f"{where} is a {type(obj).__name__}.")

    def _check_attributes(self, obj: Any, where: str) -> None:
        import h5py

        for name in obj.attrs:
            # h5py gives names that are not UTF-8 as bytes.
            key = name if isinstance(name, bytes) else name.encode("utf-8")
            attribute = h5py.h5a.open(obj.id, key)
            dtype, shape = attribute.dtype, attribute.shape
            problem = _dtype_problem(dtype)
            if problem is not None:
                self._damaged(f"attribute {name!r} of {where} has {problem}.")
            self.budget.charge(
                _declared_bytes(shape, dtype), f"attribute {name!r} of {where}"
            )

    def _check_dataset(self, dataset: Any, where: str) -> None:
        import h5py

        plist = dataset.id.get_create_plist()
        if plist.get_external_count():
            self._damaged(f"{where} keeps its data in external files.")
        layout = plist.get_layout()
        if dataset.is_virtual or layout == h5py.h5d.VIRTUAL:
            self._damaged(f"{where} is a virtual dataset (data from other files).")
        if layout not in (h5py.h5d.CONTIGUOUS, h5py.h5d.COMPACT):
            self._damaged(f"{where} is chunked; save writes contiguous datasets.")
        if plist.get_nfilters():
            self._damaged(f"{where} is compressed or filtered.")
        dtype, shape = dataset.dtype, dataset.shape
        problem = _dtype_problem(dtype)
        if problem is not None:
            self._damaged(f"{where} has {problem}.")
        if shape is None:
            self._damaged(f"{where} has no data space.")
        declared = _declared_bytes(shape, dtype)
        stored = dataset.id.get_storage_size()
        fixed = dtype.kind != "O"
        # Storage must be in the file: unallocated space reads as fill values,
        # which would let a few bytes stand for gigabytes.
        if fixed and layout == h5py.h5d.CONTIGUOUS and stored != declared:
            self._damaged(f"{where} declares {declared:,} bytes but stores {stored:,}.")
        if self._size is not None and stored > self._size:
            self._damaged(f"{where} claims more storage than the file holds.")
        self.budget.charge(declared, where)
        self.datasets[where] = (shape, dtype)

    def read(
        self,
        where: str,
        *,
        kinds: str | None = None,
        ndim: int | None = None,
        text: bool = False,
    ) -> Any:
        """Read a checked dataset once, checking what the caller expects.

        Parameters
        ----------
        where : str
            Its path in the file, such as ``"/data/3"``.
        kinds : str, default=None
            Allowed dtype kinds (e.g. ``"u"``); None allows any checked kind.
        ndim : int, default=None
            Required number of dimensions.
        text : bool, default=False
            Expect a scalar UTF-8 string; return it as ``str``.

        Returns
        -------
        numpy.ndarray or str
            The data.

        Raises
        ------
        DamagedFileError
            If the dataset is missing, was read before (one dataset must not
            stand for several values: that would multiply its size), or is not
            as expected.
        """
        import h5py

        if where not in self.datasets:
            self._damaged(f"the dataset {where} it refers to is missing.")
        if where in self._read:
            self._damaged(f"the dataset {where} is referred to more than once.")
        self._read.add(where)
        shape, dtype = self.datasets[where]
        is_text = h5py.check_string_dtype(dtype) is not None and dtype.kind == "O"
        if text != is_text or (text and shape != ()):
            self._damaged(f"{where} does not hold what the file says it holds.")
        if kinds is not None and dtype.kind not in kinds:
            self._damaged(f"{where} holds {dtype}, not the data expected there.")
        if ndim is not None and len(shape) != ndim:
            self._damaged(f"{where} has {len(shape)} dimensions, not {ndim}.")
        try:
            data = self.file[where][()]
        except HDF5_ERRORS as error:
            self._damaged(f"{where} cannot be read ({error}).")
        if text:
            if isinstance(data, bytes):
                try:
                    data = data.decode("utf-8")
                except UnicodeDecodeError:
                    self._damaged(f"{where} is not UTF-8 text.")
            if not isinstance(data, str):
                self._damaged(f"{where} is not text.")
            return data
        return np.asarray(data)

    def attribute(self, name: str) -> Any:
        """Read a checked attribute of the root group, or None if absent.

        Parameters
        ----------
        name : str
            The attribute.

        Returns
        -------
        object
            Its value (``str`` for text).
        """
        if name not in self.file.attrs:
            return None
        try:
            value = self.file.attrs[name]
        except HDF5_ERRORS as error:
            self._damaged(f"attribute {name!r} cannot be read ({error}).")
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                self._damaged(f"attribute {name!r} is not UTF-8 text.")
        return value


__all__ = ["HDF5_ERRORS", "MAX_GROUP_DEPTH", "MAX_OBJECTS", "CheckedHDF5"]
