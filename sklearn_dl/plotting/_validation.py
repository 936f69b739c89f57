"""Input checks shared by the displays (no matplotlib here)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError


def fitted_attribute(estimator: Any, attribute: str, purpose: str) -> Any:
    """Return ``estimator.<attribute>``, or raise ``NotFittedError``.

    A :class:`~sklearn.pipeline.Pipeline` without the attribute is looked
    through to its final step, so a fitted pipeline can be plotted directly.
    """
    value = getattr(estimator, attribute, None)
    if value is None and hasattr(estimator, "steps"):
        value = getattr(estimator.steps[-1][1], attribute, None)
    if value is None:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance has no `{attribute}` "
            f"attribute; fit it before {purpose}."
        )
    return value


def as_1d(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D array; (n, 1) and (1, n) grids are flattened."""
    array = np.asarray(values)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (or a single row or column), got shape {array.shape}."
        )
    return array


def check_same_length(**arrays: Any) -> int:
    """Return the common length of the keyword arrays, or raise ValueError."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(f"Inconsistent numbers of samples: {described}.")
    return next(iter(lengths.values()))


def check_positive_int(value: Any, name: str, *, allow_none: bool = False) -> None:
    """Raise ValueError unless ``value`` is an int >= 1 (or None if allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        allowed = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{name} must be {allowed}, got {value!r}.")


def as_image_stack(images: Any, image_shape: Sequence[int] | None = None) -> np.ndarray:
    """Return images as ``(n, H, W)`` (grey) or ``(n, H, W, 3|4)`` (colour).

    Parameters
    ----------
    images : array-like
        ``(n, H, W)``, ``(n, H, W, 1)``, ``(n, H, W, 3)``, ``(n, H, W, 4)``
        (channels last), or flat rows ``(n, H*W*C)``.
    image_shape : tuple of int, default=None
        Shape of one image, used to reshape each sample. Flat rows whose
        length is a perfect square are read as square grey images when it is
        None (8x8 digits, 28x28 MNIST).

    Returns
    -------
    ndarray
        The images, one per leading index.
    """
    array = np.asarray(images)
    if array.ndim < 2:
        raise ValueError(
            f"images must hold one image per row, got shape {array.shape}."
        )
    n_samples = array.shape[0]
    if image_shape is not None:
        image_shape = tuple(int(size) for size in image_shape)
        per_sample = int(np.prod(array.shape[1:]))
        if math.prod(image_shape) != per_sample:
            raise ValueError(
                f"image_shape={image_shape} holds {math.prod(image_shape)} values, "
                f"but each sample has {per_sample}."
            )
        array = array.reshape((n_samples, *image_shape))
    elif array.ndim == 2:
        side = math.isqrt(array.shape[1])
        if side * side != array.shape[1]:
            raise ValueError(
                f"Cannot infer the image shape of flat rows of {array.shape[1]} "
                "values; pass image_shape=(height, width[, channels])."
            )
        array = array.reshape(n_samples, side, side)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 3 or (array.ndim == 4 and array.shape[-1] in (3, 4)):
        return array
    raise ValueError(
        "images must be (n, H, W), (n, H, W, 1), (n, H, W, 3) or (n, H, W, 4) "
        f"in channels-last order, got shape {array.shape}."
    )


def grey_range(images: Sequence[np.ndarray]) -> tuple[float | None, float | None]:
    """Common ``(vmin, vmax)`` of grey images, so cells compare; None for colour."""
    images = [np.asarray(image) for image in images if image is not None]
    if not images or any(image.ndim != 2 for image in images):
        return None, None
    return (
        float(min(np.min(image) for image in images)),
        float(max(np.max(image) for image in images)),
    )


def check_random_state_or_none(random_state: Any) -> np.random.RandomState | None:
    """``None`` stays None (take the first samples); anything else seeds."""
    if random_state is None:
        return None
    from sklearn.utils import check_random_state

    return check_random_state(random_state)


def pick(
    indices: np.ndarray, n: int, random_state: np.random.RandomState | None
) -> np.ndarray:
    """The first ``n`` of ``indices``, or ``n`` drawn at random without replacement."""
    if random_state is None or len(indices) <= n:
        return indices[:n]
    return np.sort(random_state.choice(indices, size=n, replace=False))
