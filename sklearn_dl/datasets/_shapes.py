"""The book's synthetic images: five jittered shapes, as arrays or batches.

The book draws a Z, a plus sign, three vertical bars, a squared U and a
circle in a 64 x 64 square, moving every point a little at random so that no
two images are alike, and feeds them to Keras from a ``Sequence`` that makes
batches on the fly. Its drawing routine is not printed, so the geometry here
is this library's own: strokes about 3 pixels wide (at 64 x 64) drawn with
soft (anti-aliased) edges into [0, 1].

:class:`ShapesDataset` subclasses :class:`keras.utils.PyDataset`; the class
is created on first access so that importing this module does not import
Keras.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from sklearn_dl._compat import Interval, validate_params

# ShapesDataset is also public, created on first access by __getattr__.
__all__ = ["SHAPE_NAMES", "make_shapes"]

#: Label ``k`` is ``SHAPE_NAMES[k]``.
SHAPE_NAMES = ("Z", "plus", "three bars", "squared U", "circle")

# Corner points in unit coordinates (x to the right, y downwards), one
# polyline per stroke. The circle is drawn from its centre and radius.
_STROKES: tuple[tuple[tuple[tuple[float, float], ...], ...], ...] = (
    (((0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8)),),
    (((0.5, 0.15), (0.5, 0.85)), ((0.15, 0.5), (0.85, 0.5))),
    (
        ((0.25, 0.2), (0.25, 0.8)),
        ((0.5, 0.2), (0.5, 0.8)),
        ((0.75, 0.2), (0.75, 0.8)),
    ),
    (((0.2, 0.2), (0.2, 0.8), (0.8, 0.8), (0.8, 0.2)),),
)
_CIRCLE_CENTRE = (0.5, 0.5)
_CIRCLE_RADIUS = 0.3
# Each point moves independently by up to this fraction of the image size;
# the circle's radius changes by up to half of it.
_JITTER = 0.06
# Half the stroke width, as a fraction of the image size (1.5 px at 64).
_HALF_WIDTH = 1.5 / 64


def _distance_to_segment(
    px: np.ndarray, py: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Distance from the points (px, py) to the segment from a to b."""
    dx, dy = b - a
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        t = np.zeros_like(px)
    else:
        t = np.clip(((px - a[0]) * dx + (py - a[1]) * dy) / length2, 0.0, 1.0)
    return np.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy))


def _draw(label: int, size: int, rng: np.random.RandomState) -> np.ndarray:
    """Draw one jittered shape into a ``(size, size)`` float32 image."""
    # Pixel centres in unit coordinates.
    centres = (np.arange(size) + 0.5) / size
    px, py = np.meshgrid(centres, centres)  # px varies along columns
    if label == 4:
        centre = np.asarray(_CIRCLE_CENTRE) + rng.uniform(-_JITTER, _JITTER, 2)
        radius = _CIRCLE_RADIUS + rng.uniform(-_JITTER / 2, _JITTER / 2)
        distance = np.abs(np.hypot(px - centre[0], py - centre[1]) - radius)
    else:
        distance = np.full((size, size), np.inf)
        for polyline in _STROKES[label]:
            points = np.asarray(polyline) + rng.uniform(
                -_JITTER, _JITTER, (len(polyline), 2)
            )
            for a, b in pairwise(points):
                np.minimum(distance, _distance_to_segment(px, py, a, b), out=distance)
    # Full ink within half a stroke width, fading to 0 over one pixel.
    ink = 1.0 - (distance - _HALF_WIDTH) * size
    return np.clip(ink, 0.0, 1.0).astype(np.float32)


def _generate(
    n_samples: int, image_size: int, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.randint(0, len(SHAPE_NAMES), size=n_samples).astype(np.int64)
    images = np.empty((n_samples, image_size, image_size, 1), dtype=np.float32)
    for index, label in enumerate(labels):
        images[index, :, :, 0] = _draw(int(label), image_size, rng)
    return images, labels


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "image_size": [Interval(Integral, 8, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_shapes(
    n_samples: int = 100, *, image_size: int = 64, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Generate images of the book's five jittered shapes.

    Each image shows one shape: a Z (label 0), a plus sign (1), three
    vertical bars (2), a squared U (3) or a circle (4); see
    :data:`SHAPE_NAMES`. Every corner point (and the circle's centre and
    radius) moves by a small random amount, so no two images are alike.

    Parameters
    ----------
    n_samples : int, default=100
        Number of images. Each label is drawn uniformly at random.
    image_size : int, default=64
        Height and width of the square images in pixels, at least 8.
    random_state : int, RandomState instance or None, default=None
        Seed for the labels and the jitter; an int gives the same images on
        every call.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size, image_size, 1), dtype float32
        Grey images (``channels_last``), white strokes (1.0) on black (0.0).
    y : ndarray of shape (n_samples,), dtype int64
        The shape in each image, 0 to 4.

    See Also
    --------
    ShapesDataset : The same images as Keras batches made on the fly.

    Examples
    --------
    >>> from sklearn_dl.datasets import make_shapes
    >>> X, y = make_shapes(10, random_state=0)
    >>> X.shape, X.dtype, y.shape
    ((10, 64, 64, 1), dtype('float32'), (10,))
    """
    return _generate(n_samples, image_size, check_random_state(random_state))


@cache
def _shapes_dataset_class() -> type:
    """Define :class:`ShapesDataset`; the first call imports Keras."""
    from sklearn_dl._backend.keras import import_keras

    keras = import_keras()

    class ShapesDataset(keras.utils.PyDataset):
        """Batches of the book's five jittered shapes, made on the fly.

        A :class:`keras.utils.PyDataset` (Keras's ``Sequence``) to pass to
        ``model.fit``: batch ``index`` is generated when Keras asks for it,
        from a seed derived from ``random_state`` and ``index``, so a batch
        is the same whichever order, worker or epoch asks for it.

        Parameters
        ----------
        batch_size : int, default=32
            Number of images per batch.
        n_batches : int, default=100
            Number of batches per epoch (the dataset's length).
        image_size : int, default=64
            Height and width of the square images in pixels, at least 8.
        random_state : int, RandomState instance or None, default=None
            Seed of the whole dataset; an int gives the same batches in
            every instance. None draws a fresh seed once, at creation.
        **kwargs : dict
            Passed to :class:`keras.utils.PyDataset`: ``workers``,
            ``use_multiprocessing``, ``max_queue_size``.

        Attributes
        ----------
        seed : int
            The resolved seed from which every batch's seed is derived.

        See Also
        --------
        make_shapes : The same images as arrays.

        Notes
        -----
        Labels are integers 0 to 4: train with
        ``sparse_categorical_crossentropy``.

        Examples
        --------
        >>> from sklearn_dl.datasets import ShapesDataset
        >>> data = ShapesDataset(batch_size=8, n_batches=2, random_state=0)
        >>> X, y = data[0]
        >>> len(data), X.shape, y.shape
        (2, (8, 64, 64, 1), (8,))
        """

        def __init__(
            self,
            batch_size: int = 32,
            n_batches: int = 100,
            *,
            image_size: int = 64,
            random_state: Any = None,
            **kwargs: Any,
        ) -> None:
            super().__init__(**kwargs)
            for name, value, low in (
                ("batch_size", batch_size, 1),
                ("n_batches", n_batches, 1),
                ("image_size", image_size, 8),
            ):
                if not isinstance(value, Integral) or isinstance(value, bool):
                    raise TypeError(f"{name} must be an int; got {value!r}.")
                if value < low:
                    raise ValueError(f"{name} must be at least {low}; got {value}.")
            self.batch_size = int(batch_size)
            self.n_batches = int(n_batches)
            self.image_size = int(image_size)
            self.seed = int(
                check_random_state(random_state).randint(np.iinfo(np.int32).max)
            )

        def __len__(self) -> int:
            return self.n_batches

        def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
            if not -self.n_batches <= index < self.n_batches:
                raise IndexError(
                    f"Batch index {index} is out of range for {self.n_batches} batches."
                )
            index %= self.n_batches
            seed_sequence = np.random.SeedSequence([self.seed, index])
            rng = np.random.RandomState(
                np.random.MT19937(seed_sequence)  # independent stream per batch
            )
            return _generate(self.batch_size, self.image_size, rng)

    # Make the class picklable (for Keras's multiprocessing workers): pickle
    # finds it again through this module's __getattr__ below.
    ShapesDataset.__module__ = __name__
    ShapesDataset.__qualname__ = "ShapesDataset"
    return ShapesDataset


def __getattr__(name: str) -> Any:
    if name == "ShapesDataset":
        return _shapes_dataset_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
