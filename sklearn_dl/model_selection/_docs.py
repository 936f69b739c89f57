"""Docstrings of the searches: ours in front, scikit-learn's reference after."""

from __future__ import annotations

import inspect


def derived_docstring(parent: type, summary: str, notes: str) -> str:
    """A subclass's docstring: a summary and notes, then the parent's sections.

    scikit-learn's own text documents every argument and attribute (they are
    the same); its first paragraph is replaced by ``summary`` and ``notes``.

    Parameters
    ----------
    parent : type
        The scikit-learn search class.
    summary : str
        One-line summary.
    notes : str
        What differs from (or holds beyond) scikit-learn's class.

    Returns
    -------
    str
        The docstring.
    """
    parent_doc = inspect.cleandoc(parent.__doc__ or "")
    _, _, rest = parent_doc.partition("\n\n")
    return f"{summary}\n\n{inspect.cleandoc(notes)}\n\n{rest}\n"
