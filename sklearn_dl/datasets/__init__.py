"""Offline-safe data loaders and the book's data generators.

Nothing here imports Keras on import: :func:`load_mnist` imports it only to
download a missing file, and :class:`ShapesDataset` (a
:class:`keras.utils.PyDataset`) is created on first access.

- Images: :func:`load_digits_images` (bundled with scikit-learn),
  :func:`load_mnist` (Keras's cache), :func:`make_shapes` and
  :class:`ShapesDataset` (the book's five synthetic shapes).
- Two-dimensional toys: :func:`make_spiral` (for two moons use
  :func:`sklearn.datasets.make_moons`).
- Series: :func:`sum_of_sines`, :func:`sum_of_upsloping_sines`,
  :func:`load_sine_series` (the book's data sets 0, 1 and 2).
- Text: :func:`load_text_corpus`.
"""

from typing import Any

from sklearn_dl.datasets._images import load_digits_images
from sklearn_dl.datasets._mnist import load_mnist
from sklearn_dl.datasets._series import (
    load_sine_series,
    sum_of_sines,
    sum_of_upsloping_sines,
)
from sklearn_dl.datasets._shapes import SHAPE_NAMES, make_shapes
from sklearn_dl.datasets._text import load_text_corpus
from sklearn_dl.datasets._toy2d import make_spiral

# ShapesDataset is public too, but left out of __all__ on purpose: it is
# created on first access (importing Keras), and ``from sklearn_dl.datasets
# import *`` should stay as cheap as ``import sklearn_dl.datasets``.
__all__ = [
    "SHAPE_NAMES",
    "load_digits_images",
    "load_mnist",
    "load_sine_series",
    "load_text_corpus",
    "make_shapes",
    "make_spiral",
    "sum_of_sines",
    "sum_of_upsloping_sines",
]


def __getattr__(name: str) -> Any:
    # ShapesDataset subclasses a Keras class: create it (importing Keras) only
    # when it is first asked for.
    if name == "ShapesDataset":
        from sklearn_dl.datasets._shapes import _shapes_dataset_class

        return _shapes_dataset_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"ShapesDataset"})
