"""Atomic file replacement: a crash while saving never damages the old file.

The new content is written to a temporary file in the destination's folder
(same file system, so the final rename is atomic), flushed to disk, and only
then renamed over the destination with :func:`os.replace`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Multi-part extensions that Keras insists on seeing at the end of a name.
_COMPOUND_SUFFIXES = (".weights.h5", ".weights.json")


def keras_suffix(path: Path) -> str:
    """The extension that decides a Keras format, compound ones included.

    Parameters
    ----------
    path : Path
        A file name.

    Returns
    -------
    str
        ``".weights.h5"`` for weights files, otherwise the last suffix (may
        be empty).
    """
    name = path.name.lower()
    for suffix in _COMPOUND_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op elsewhere)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems cannot sync a folder; the file is synced
        pass
    finally:
        os.close(descriptor)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``.

    The temporary file is created (empty, with the permissions a new file
    would get) next to ``path`` and keeps its extension, so writers that check
    extensions (Keras does) accept it. If the block raises, the temporary
    file is removed and ``path`` is left exactly as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The destination file. Its folder must exist.

    Yields
    ------
    Path
        Where to write the new content.
    """
    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Cannot save to {str(path)!r}: the folder {str(directory)!r} "
            "does not exist."
        )
    suffix = keras_suffix(path)
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    temporary = directory / f".{stem}.{secrets.token_hex(6)}.tmp{suffix}"
    # O_EXCL reserves the name; mode 0o666 lets the umask decide, as for open().
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        _fsync_file(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


__all__ = ["atomic_path", "keras_suffix"]
