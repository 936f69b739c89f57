"""scikit-learn's bundled 8 x 8 digits, shaped as images."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.datasets import load_digits

from sklearn_dl._compat import Interval, validate_params

__all__ = ["load_digits_images"]


@validate_params(
    {"n_class": [Interval(Integral, 1, 10, closed="both")]},
    prefer_skip_nested_validation=True,
)
def load_digits_images(*, n_class: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Load scikit-learn's bundled handwritten digits as 8 x 8 images.

    The data ships with scikit-learn, so this works offline: it is the
    embedded default image set (1,797 images of the digits 0 to 9).

    Parameters
    ----------
    n_class : int, default=10
        Number of classes to return, between 1 and 10: the digits ``0`` to
        ``n_class - 1``.

    Returns
    -------
    X : ndarray of shape (n_samples, 8, 8, 1), dtype float32
        Grey images, ``channels_last``, with integer pixel values from 0 to
        16 (not scaled; use :class:`~sklearn_dl.preprocessing.PixelScaler`
        with ``input_range=(0, 16)``).
    y : ndarray of shape (n_samples,), dtype int64
        The digit in each image.

    See Also
    --------
    sklearn.datasets.load_digits : The same data as flat rows of 64 values.
    load_mnist : The 28 x 28 MNIST digits, downloaded once by Keras.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_digits_images
    >>> X, y = load_digits_images()
    >>> X.shape, X.dtype, y.shape
    ((1797, 8, 8, 1), dtype('float32'), (1797,))
    """
    data, target = load_digits(n_class=n_class, return_X_y=True)
    images = data.astype(np.float32).reshape(-1, 8, 8, 1)
    return images, target.astype(np.int64)
