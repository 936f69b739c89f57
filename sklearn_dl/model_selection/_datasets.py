"""Searches refuse datasets and generators up front, pointing to LazyArray.

A ``keras.utils.PyDataset``, a ``tf.data.Dataset`` or a generator function
cannot be cut into folds; scikit-learn's own message for the last two is
about array shapes. The searches here say what to do instead.
"""

from __future__ import annotations

from typing import Any

from sklearn_dl._core.batch_sources import SPLIT_HINT, is_batch_source


def refuse_datasets(X: Any, search: Any) -> None:
    """Raise a clear error if a search is given a dataset or a generator.

    Parameters
    ----------
    X : object
        What the search's ``fit`` got as ``X``.
    search : object
        The search, for the message.

    Raises
    ------
    TypeError
        If ``X`` is a dataset or a generator function.
    """
    if is_batch_source(X):
        raise TypeError(
            f"{type(search).__name__}.fit got a {type(X).__name__}. {SPLIT_HINT}"
        )
