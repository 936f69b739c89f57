"""English text that every Python installation has, or the user's own file."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["load_text_corpus"]


def load_text_corpus(path: str | os.PathLike | None = None) -> str:
    """Return a text corpus for text-generation examples.

    Without a path, this is the English help text that ships with Python's
    standard library (the topics of :mod:`pydoc`, about 460,000 characters),
    so examples run offline on any installation. With a path, the file is
    read as UTF-8 text, for example a book from a public-domain archive (the
    book trains on Sherlock Holmes stories).

    Parameters
    ----------
    path : str or path-like, default=None
        A UTF-8 text file. None means the standard library's pydoc topics,
        joined in sorted topic order, separated by blank lines.

    Returns
    -------
    text : str
        The whole corpus, unchanged (no lower-casing or cleaning).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not name an existing file.
    ValueError
        If the file is not valid UTF-8.
    OSError
        If ``path`` is None and this Python lacks ``pydoc_data`` (some
        minimal installations strip it).

    Examples
    --------
    >>> from sklearn_dl.datasets import load_text_corpus
    >>> text = load_text_corpus()
    >>> len(text) > 400_000
    True
    """
    if path is None:
        try:
            from pydoc_data.topics import topics
        except ImportError as error:
            raise OSError(
                "This Python installation lacks the standard library's "
                "pydoc_data package; pass path= to a UTF-8 text file instead."
            ) from error
        return "\n\n".join(topics[name] for name in sorted(topics))

    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"No text file at {file} (load_text_corpus path=).")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{file} is not valid UTF-8 text ({error.reason} at byte "
            f"{error.start}); convert it to UTF-8 first."
        ) from error
