"""What one :func:`load` may spend, and JSON parsing within those bounds.

A file declares sizes (HDF5 dataset shapes, zip member sizes) before any of
it is read; every declared size is charged to one :class:`Budget` *before*
the bytes are read or allocated, so a small file cannot make loading
allocate gigabytes. JSON nesting is bounded well below Python's recursion
limit, so a deeply nested manifest is a clear error, never a
``RecursionError`` half way through rebuilding.
"""

from __future__ import annotations

import json
from typing import Any

from sklearn_dl.exceptions import DamagedFileError

#: Default for ``load(max_bytes=...)``: all data a file may declare, in bytes.
DEFAULT_MAX_BYTES = 4 * 2**30
#: Deepest nesting of lists and dicts accepted in a manifest or configuration.
MAX_JSON_DEPTH = 100


class Budget:
    """Bytes a load may still read, charged before each read.

    Parameters
    ----------
    path : str
        The file being loaded (for messages).
    max_bytes : int
        The total allowed.
    """

    def __init__(self, path: str, max_bytes: int) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
            raise TypeError(f"max_bytes must be an int, got {max_bytes!r}.")
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}.")
        self.path = path
        self.max_bytes = max_bytes
        self.left = max_bytes

    def charge(self, n_bytes: int, what: str) -> None:
        """Take ``n_bytes`` from the budget or refuse the file.

        Parameters
        ----------
        n_bytes : int
            What the file declares for ``what``.
        what : str
            The item, for the message.

        Raises
        ------
        DamagedFileError
            If the file declares more than the budget has left.
        """
        if n_bytes < 0:
            raise DamagedFileError(self.path, f"{what} declares a negative size.")
        if n_bytes > self.left:
            raise DamagedFileError(
                self.path,
                f"{what} declares {n_bytes:,} bytes, beyond the "
                f"{self.max_bytes:,} bytes this load may read (max_bytes); "
                "pass a larger max_bytes if you expect a file this big.",
            )
        self.left -= n_bytes


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not valid JSON")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative (never recursive) check of the nesting depth."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(text: Any, path: str, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from a file, turning every failure into DamagedFileError.

    Parameters
    ----------
    text : str or bytes
        The JSON text.
    path : str
        The file (for messages).
    what : str
        Which part of the file it is (for messages).
    max_depth : int, default=100
        Deepest nesting of lists and dicts accepted.

    Returns
    -------
    object
        The parsed value (no ``NaN``/``Infinity`` constants).

    Raises
    ------
    DamagedFileError
        If the text is not UTF-8 JSON or nests deeper than ``max_depth``.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(f"{type(text).__name__} instead of text")
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise DamagedFileError(path, f"{what} nests too deeply.") from None
    except (ValueError, TypeError) as error:  # JSONDecodeError, UnicodeError
        raise DamagedFileError(path, f"{what} is not valid JSON ({error}).") from None
    if _depth_exceeds(value, max_depth):
        raise DamagedFileError(
            path, f"{what} nests deeper than {max_depth} levels."
        ) from None
    return value


__all__ = ["DEFAULT_MAX_BYTES", "MAX_JSON_DEPTH", "Budget", "parse_json"]
