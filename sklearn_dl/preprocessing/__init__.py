"""Transformers that prepare images and series for networks.

None of them imports Keras: they are plain scikit-learn transformers that can
sit in any :class:`~sklearn.pipeline.Pipeline` in front of a network.

- :class:`PixelScaler`: the fixed pixel rule ``x / 255`` (or to ``[-1, 1]``).
- :class:`ImageReshaper`: flat rows to images with a channel axis, and back.
- :class:`PerBatchTransformer`: any stateless transformer, applied batch by
  batch to a :class:`~sklearn_dl.LazyArray` (so are the two above).
- :class:`WindowMaker`: each row of a series to the window ending there.
- :func:`sliding_windows`, :func:`make_supervised_windows`: the book's
  windows of a series, as zero-copy views.
- :class:`TextVocabulary`, :func:`normalize_text`, :func:`next_token_windows`:
  texts to token ids (characters or words) and next-token training pairs.
"""

from sklearn_dl.preprocessing._images import ImageReshaper, PixelScaler
from sklearn_dl.preprocessing._lazy import PerBatchTransformer
from sklearn_dl.preprocessing._text import (
    TextVocabulary,
    next_token_windows,
    normalize_text,
)
from sklearn_dl.preprocessing._windows import (
    WindowMaker,
    make_supervised_windows,
    sliding_windows,
)

__all__ = [
    "ImageReshaper",
    "PerBatchTransformer",
    "PixelScaler",
    "TextVocabulary",
    "WindowMaker",
    "make_supervised_windows",
    "next_token_windows",
    "normalize_text",
    "sliding_windows",
]
