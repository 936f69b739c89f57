"""Text to token ids and back: the vocabulary of a text-generation network.

The book's text generators (part 3, section 5) work at two levels:

- characters: every distinct character of the (lower-cased, whitespace
  collapsed) text is a token, sorted (its ``build_dictionaries``);
- words: the most frequent words are tokens, every other word becomes one
  out-of-vocabulary marker (the book's ``GLORP``), and punctuation marks are
  tokens of their own.

:class:`TextVocabulary` learns either kind of vocabulary and turns texts
into arrays of integer token ids (``int32``) and back. Index 0 is always
the out-of-vocabulary token, so a text can be encoded whatever it holds.
Char-level encoding works on NumPy arrays of code points, so a 5 MB text is
encoded in a fraction of a second and a few tens of megabytes.

:func:`next_token_windows` cuts an array of token ids into the book's
``(fragment, next token)`` training pairs as zero-copy views, instead of the
book's one-hot arrays of shape ``(n, window_length, n_tokens)``.

Nothing here imports Keras.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from numbers import Integral
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._compat import Interval, StrOptions, validate_params

__all__ = ["TextVocabulary", "next_token_windows", "normalize_text"]

#: A word (letters, digits, underscores, with inner apostrophes as in
#: "Holmes's") or a single punctuation mark.
WORD_PATTERN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")
_WHITESPACE = re.compile(r"\s+")
#: Code points encoded per step at char level (bounds temporary memory).
_CHUNK = 1 << 20


def normalize_text(
    text: str, *, lowercase: bool = True, collapse_whitespace: bool = True
) -> str:
    """Apply the book's clean-up to a text.

    Parameters
    ----------
    text : str
        The text.
    lowercase : bool, default=True
        Lower-case every character (the book's ``text.lower()``).
    collapse_whitespace : bool, default=True
        Turn newlines, tabs and runs of whitespace into one space (the
        book replaces newlines by spaces and double spaces by single ones).

    Returns
    -------
    str
        The normalized text.

    Examples
    --------
    >>> from sklearn_dl.preprocessing import normalize_text
    >>> normalize_text("The Red-Headed\\nLeague.  Holmes")
    'the red-headed league. holmes'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}.")
    if lowercase:
        text = text.lower()
    if collapse_whitespace:
        text = _WHITESPACE.sub(" ", text)
    return text


def _code_points(text: str) -> np.ndarray:
    """The Unicode code points of ``text`` as a uint32 array (no Python list)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


class TextVocabulary(BaseEstimator):
    """Characters or words of a corpus, as integer token ids.

    Index 0 is the out-of-vocabulary token; the learned tokens follow. At
    char level the tokens are the distinct characters of the (normalized)
    training texts in sorted order, as in the book; at word level they are
    the ``max_tokens`` most frequent words and punctuation marks (ties
    broken alphabetically), every other word being mapped to index 0.

    Parameters
    ----------
    level : {"char", "word"}, default="char"
        What a token is. Words are runs of letters, digits and underscores
        (with inner apostrophes: "holmes's", "don't"); every punctuation
        mark is a token of its own; whitespace separates tokens and is
        dropped.
    max_tokens : int, default=None
        Word level: keep only this many most frequent tokens (the book keeps
        8000). None keeps all. Ignored at char level.
    lowercase : bool, default=True
        Lower-case texts before splitting them.
    collapse_whitespace : bool, default=True
        Turn newlines and runs of whitespace into single spaces.
    oov_token : str, default="<unk>"
        How the out-of-vocabulary token is written when decoding word-level
        ids (the book writes ``GLORP``). Char-level decoding writes nothing
        for it.

    Attributes
    ----------
    tokens_ : list of str
        Token ``i`` is ``tokens_[i]``; ``tokens_[0]`` is ``oov_token``.
    n_tokens_ : int
        ``len(tokens_)``: the learned tokens plus the out-of-vocabulary one.
    counts_ : ndarray of shape (n_tokens_,)
        How often each token occurs in the training texts (index 0 counts
        the words left out by ``max_tokens``).

    See Also
    --------
    next_token_windows : Training pairs from an array of token ids.
    sklearn_dl.networks.TextGenerator : The network that uses it.

    Examples
    --------
    >>> from sklearn_dl.preprocessing import TextVocabulary
    >>> vocabulary = TextVocabulary("word", max_tokens=3).fit(["A cat, a dog, a cat."])
    >>> vocabulary.tokens_
    ['<unk>', 'a', ',', 'cat']
    >>> ids = vocabulary.encode("a dog")
    >>> ids.tolist()
    [1, 0]
    >>> vocabulary.decode(ids)
    'a <unk>'
    """

    _parameter_constraints: dict = {
        "level": [StrOptions({"char", "word"})],
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "collapse_whitespace": ["boolean"],
        "oov_token": [str],
    }

    def __init__(
        self,
        level: str = "char",
        *,
        max_tokens: int | None = None,
        lowercase: bool = True,
        collapse_whitespace: bool = True,
        oov_token: str = "<unk>",
    ) -> None:
        self.level = level
        self.max_tokens = max_tokens
        self.lowercase = lowercase
        self.collapse_whitespace = collapse_whitespace
        self.oov_token = oov_token

    # ----------------------------------------------------------- splitting
    def normalize(self, text: str) -> str:
        """Normalize one text as the vocabulary's parameters say.

        Parameters
        ----------
        text : str
            A text.

        Returns
        -------
        str
            The text, lower-cased and with whitespace collapsed if asked.
        """
        return normalize_text(
            text,
            lowercase=self.lowercase,
            collapse_whitespace=self.collapse_whitespace,
        )

    def split(self, text: str) -> list[str]:
        """Normalize a text and split it into tokens (not ids).

        Parameters
        ----------
        text : str
            A text.

        Returns
        -------
        list of str
            Its characters (char level) or words and punctuation marks
            (word level).
        """
        text = self.normalize(text)
        if self.level == "char":
            return list(text)
        return WORD_PATTERN.findall(text)

    # ---------------------------------------------------------------- fit
    def fit(self, X: Iterable[str], y: Any = None) -> TextVocabulary:
        """Learn the tokens of some texts.

        Parameters
        ----------
        X : iterable of str
            The training texts.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted vocabulary.
        """
        self._validate_params()
        texts = _check_texts(X)
        if self.level == "char":
            counts: dict[str, int] = {}
            for text in texts:
                points = _code_points(self.normalize(text))
                for start in range(0, points.shape[0], _CHUNK):
                    distinct, chunk_counts = np.unique(
                        points[start : start + _CHUNK], return_counts=True
                    )
                    for point, count in zip(
                        distinct.tolist(), chunk_counts.tolist(), strict=True
                    ):
                        counts[chr(point)] = counts.get(chr(point), 0) + count
            kept = sorted(counts)
            left_out = 0
        else:
            counter: Counter[str] = Counter()
            for text in texts:
                counter.update(self.split(text))
            ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
            limit = len(ranked) if self.max_tokens is None else self.max_tokens
            kept = [token for token, _ in ranked[:limit]]
            left_out = sum(count for _, count in ranked[limit:])
            counts = counter
        if not kept:
            raise ValueError(
                "The texts hold no tokens to learn (they are empty"
                + (" or only whitespace)." if self.level == "word" else ").")
            )
        self.tokens_ = [self.oov_token, *kept]
        self.n_tokens_ = len(self.tokens_)
        self.counts_ = np.array([left_out, *(counts[t] for t in kept)], dtype=np.int64)
        self._index = {token: index for index, token in enumerate(self.tokens_)}
        self._index[self.oov_token] = 0  # even when the OOV text is also a token
        if self.level == "char":
            # Sorted code points of the known characters, for searchsorted.
            self._char_points = np.array([ord(t) for t in kept], dtype=np.uint32)
        return self

    def __sklearn_is_fitted__(self) -> bool:
        """Tell whether :meth:`fit` has run.

        Returns
        -------
        bool
            True once the vocabulary is learned.
        """
        return hasattr(self, "tokens_")

    # ------------------------------------------------------------- encode
    def encode(self, text: str) -> np.ndarray:
        """Turn a text into token ids.

        Parameters
        ----------
        text : str
            A text; it is normalized first.

        Returns
        -------
        ndarray of shape (n_tokens_in_text,), dtype int32
            One id per character or word; unknown tokens are 0.
        """
        check_is_fitted(self)
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}.")
        if self.level == "char":
            points = _code_points(self.normalize(text))
            known = self._char_points
            ids = np.empty(points.shape[0], dtype=np.int32)
            # In chunks, so temporaries stay a few MB for texts of any size.
            for start in range(0, points.shape[0], _CHUNK):
                chunk = points[start : start + _CHUNK]
                positions = np.searchsorted(known, chunk)
                np.minimum(positions, len(known) - 1, out=positions)
                found = known[positions] == chunk
                ids[start : start + _CHUNK] = np.where(found, positions + 1, 0)
            return ids
        tokens = self.split(text)
        index = self._index
        return np.fromiter(
            (index.get(token, 0) for token in tokens), dtype=np.int32, count=len(tokens)
        )

    def unknown_tokens(self, text: str) -> list[str]:
        """The distinct tokens of a text that are not in the vocabulary.

        Parameters
        ----------
        text : str
            A text; it is normalized first.

        Returns
        -------
        list of str
            Out-of-vocabulary characters or words, in order of appearance.
        """
        check_is_fitted(self)
        tokens = self.split(text)
        unknown = [token for token in tokens if token not in self._index]
        return list(dict.fromkeys(unknown))

    def decode(self, ids: Iterable[int]) -> str:
        """Turn token ids back into text.

        Parameters
        ----------
        ids : iterable of int
            Token ids, each in ``range(n_tokens_)``.

        Returns
        -------
        str
            Characters joined as they are (char level; the out-of-vocabulary
            id writes nothing), or tokens joined by single spaces (word
            level, punctuation included: ``"said he ."``, as in the book).
        """
        check_is_fitted(self)
        ids = np.asarray(ids if hasattr(ids, "__len__") else list(ids))
        if ids.size and (
            not np.issubdtype(ids.dtype, np.integer)
            or ids.min() < 0
            or ids.max() >= self.n_tokens_
        ):
            raise ValueError(
                f"Token ids must be integers in [0, {self.n_tokens_}); got "
                f"{ids.ravel()[:10].tolist()}..."
            )
        if self.level == "char":
            return "".join(self.tokens_[i] for i in ids.ravel().tolist() if i != 0)
        return " ".join(self.tokens_[i] for i in ids.ravel().tolist())


def _check_texts(X: Any) -> list[str]:
    """Validate an array-like of texts; return it as a list of str."""
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "X must be an array-like of texts, not a single "
            f"{type(X).__name__}; wrap one long text in a list: [text]."
        )
    if hasattr(X, "ndim") and getattr(X, "ndim", 1) != 1:
        raise ValueError(
            f"X must be a 1-D array-like of texts; got an array of shape {X.shape}."
        )
    try:
        texts = list(X)
    except TypeError as error:
        raise TypeError(
            f"X must be an array-like of texts; got {type(X).__name__}."
        ) from error
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"X must hold only strings (texts); item {position} is a "
                f"{type(text).__name__}: {text!r:.40}."
            )
    if not texts:
        raise ValueError("X holds no texts (an empty list was given).")
    return texts


@validate_params(
    {
        "ids": ["array-like"],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def next_token_windows(
    ids: Any, window_length: int, *, step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut token ids into ``(fragment, next token)`` pairs, without copying.

    Pair ``i`` is ``ids[i * step : i * step + window_length]`` and its
    target ``ids[i * step + window_length]`` (the book's
    ``build_fragments``), for every fragment that has a next token.

    Parameters
    ----------
    ids : array-like of shape (n_ids,)
        Token ids of one text (for example from :meth:`TextVocabulary.encode`).
    window_length : int
        Tokens per fragment (the book: 40).
    step : int, default=1
        Distance between the starts of consecutive fragments (the book: 3).

    Returns
    -------
    fragments : ndarray of shape (n_pairs, window_length)
        A read-only view of ``ids`` when ``ids`` is a NumPy array:
        ``n_pairs = ceil((n_ids - window_length) / step)``.
    targets : ndarray of shape (n_pairs,)
        The token following each fragment (also a view).

    Raises
    ------
    ValueError
        If ``ids`` is not 1-D or has no more than ``window_length`` ids.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.preprocessing import next_token_windows
    >>> fragments, targets = next_token_windows(np.arange(8), 3, step=2)
    >>> fragments.tolist(), targets.tolist()
    ([[0, 1, 2], [2, 3, 4], [4, 5, 6]], [3, 5, 7])
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D; got shape {ids.shape}.")
    if ids.shape[0] <= window_length:
        raise ValueError(
            f"{ids.shape[0]} token ids are too few for a fragment of "
            f"window_length={window_length} followed by a next token."
        )
    fragments = sliding_window_view(ids[:-1], window_length)[::step]
    targets = ids[window_length::step]
    return fragments, targets
