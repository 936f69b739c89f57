"""Atomic file replacement: a crash while saving never damages the old file.

The new content is written to a temporary file in the destination's folder
(same file system, so the final rename is atomic), flushed to disk, and only
then renamed over the destination with :func:`os.replace`. Saving over a
file keeps what the user set up: its permission bits (a private ``0600``
file stays private) and, when the destination is a symbolic link, the link
(the file it points to is replaced). Temporary files are named
``.<name>.sklearn_dl-<pid>-<random>.tmp<ext>``, so the next save to the same
destination removes those that a killed save left behind.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: A temporary file older than this is stale even if its writer's PID lives
#: (PIDs are reused, and another machine may share the folder).
STALE_AFTER_SECONDS = 3600
_TEMPORARY_MARK = ".sklearn_dl-"
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


def _temporary_pattern(stem: str, suffix: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(f".{stem}{_TEMPORARY_MARK}")
        + r"(?P<pid>[0-9]+)-[0-9a-f]{12}\.tmp"
        + re.escape(suffix)
    )


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists but not ours, or cannot tell: keep the file
    return True


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete temporary files that killed saves to ``path`` left behind.

    Only this library's temporary files for this destination are touched:
    regular files (never links) owned by the current user, whose writer
    process is gone or that are older than an hour.

    Parameters
    ----------
    path : str or os.PathLike
        A destination of :func:`atomic_path` (symbolic links resolved).

    Returns
    -------
    list of Path
        The files removed.
    """
    path = Path(path)
    suffix = keras_suffix(path)
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    pattern = _temporary_pattern(stem, suffix)
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        old = now - info.st_mtime > STALE_AFTER_SECONDS
        if old or not _pid_alive(int(match["pid"])):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``.

    The temporary file is created (empty, with the permissions a new file
    would get) next to ``path`` and keeps its extension, so writers that check
    extensions (Keras does) accept it. If the block raises, the temporary
    file is removed and ``path`` is left exactly as it was. If ``path``
    exists, the new file gets its permission bits; if it is a symbolic link,
    the file it points to is replaced and the link kept.

    Parameters
    ----------
    path : str or os.PathLike
        The destination file. Its folder must exist.

    Yields
    ------
    Path
        Where to write the new content.
    """
    requested = Path(path)
    # Through a link to its target: replacing the link by a plain file would
    # silently detach whatever the user pointed it at.
    path = Path(os.path.realpath(requested))
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Cannot save to {str(requested)!r}: the folder {str(directory)!r} "
            "does not exist."
        )
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    remove_stale_temporaries(path)
    suffix = keras_suffix(path)
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    token = f"{os.getpid()}-{secrets.token_hex(6)}"
    temporary = directory / f".{stem}{_TEMPORARY_MARK}{token}.tmp{suffix}"
    # O_EXCL reserves the name. A new destination gets the mode open() gives
    # (0o666 less the umask); over an existing file, the temporary stays
    # private while written and then takes the old file's bits.
    initial = 0o600 if mode is not None else 0o666
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, initial))
    try:
        yield temporary
        _fsync_file(temporary)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


__all__ = [
    "STALE_AFTER_SECONDS",
    "atomic_path",
    "keras_suffix",
    "remove_stale_temporaries",
]
