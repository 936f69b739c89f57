"""Image transformers: fixed pixel scaling and image/row reshaping.

Both transformers are plain NumPy and import no Keras, so they can sit in any
scikit-learn :class:`~sklearn.pipeline.Pipeline` in front of a network.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    validate_data,
)

from sklearn_dl._compat import StrOptions, _check_feature_names_in
from sklearn_dl._core.lazy_array import LazyArray
from sklearn_dl.preprocessing._lazy import fit_sample, lazily

__all__ = ["ImageReshaper", "PixelScaler"]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _check_range(value: Any, name: str) -> tuple[float, float]:
    """Return ``value`` as two distinct finite floats or raise ``ValueError``."""
    if len(value) != 2:
        raise ValueError(
            f"{name} must hold exactly two numbers (low, high); got {value!r}."
        )
    low, high = value
    for bound in (low, high):
        if (
            not isinstance(bound, Real)
            or isinstance(bound, bool)
            or not math.isfinite(bound)
        ):
            raise ValueError(
                f"{name} must hold two finite real numbers; got {value!r}."
            )
    if low == high:
        raise ValueError(
            f"{name} must hold two different numbers; got {value!r}, "
            "which maps every pixel to one value and cannot be inverted."
        )
    return float(low), float(high)


def _float_output_dtype(dtype: np.dtype) -> np.dtype:
    """Keep float32/float64; every other numeric dtype becomes float32."""
    return dtype if dtype in _FLOAT_DTYPES else np.dtype(np.float32)


class PixelScaler(TransformerMixin, BaseEstimator):
    """Map pixel values by a fixed affine rule, such as ``x / 255``.

    The rule is fixed by the parameters, never learned from the data: every
    image, now or later, gets the identical transform. This is the book's
    pixel normalization (dividing by 255, or ``np.interp(X, [0, 255], [-1,
    1])`` for convolutional networks), written as a stateless transformer in
    the manner of :class:`~sklearn.preprocessing.FunctionTransformer`.

    A value ``v`` becomes ``(v - in_low) / (in_high - in_low) * (out_high -
    out_low) + out_low``. Values outside ``input_range`` map outside
    ``output_range`` (unlike ``np.interp``, which clamps) unless
    ``clip=True``. NaN values pass through unchanged.

    The input may have any number of dimensions: rows of pixels ``(n,
    n_pixels)`` or images ``(n, height, width, channels)``.

    Parameters
    ----------
    input_range : tuple of two floats, default=(0, 255)
        The values that map to the ends of ``output_range``. Must differ.
    output_range : tuple of two floats, default=(0, 1)
        Where the ends of ``input_range`` land, for example ``(-1, 1)``. Must
        differ. A reversed range, such as ``(1, 0)``, inverts the intensities.
    clip : bool, default=False
        Whether to clip the output to ``output_range``. ``inverse_transform``
        never clips.

    Attributes
    ----------
    n_features_in_ : int
        Size of the second axis of ``X`` seen in :meth:`fit` (for images,
        their height, as scikit-learn counts ``X.shape[1]``).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in :meth:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    ImageReshaper : Reshape flat rows into images and back.
    sklearn.preprocessing.MinMaxScaler : Learns the range from training data.

    Notes
    -----
    The output dtype is float64 for float64 input and float32 for everything
    else (float32, integers such as ``uint8``, booleans, float16): float32 is
    Keras's default float type, so the transform never silently doubles the
    memory of float32 or integer images. :meth:`fit` only validates the
    parameters and records ``n_features_in_``; :meth:`transform` works
    without it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.preprocessing import PixelScaler
    >>> X = np.array([[0, 51, 255]], dtype=np.uint8)
    >>> PixelScaler().fit_transform(X)
    array([[0. , 0.2, 1. ]], dtype=float32)
    >>> PixelScaler(output_range=(-1, 1)).fit_transform(X)
    array([[-1. , -0.6,  1. ]], dtype=float32)
    """

    _parameter_constraints: dict = {
        "input_range": [tuple],
        "output_range": [tuple],
        "clip": ["boolean"],
    }

    def __init__(
        self,
        *,
        input_range: tuple[float, float] = (0, 255),
        output_range: tuple[float, float] = (0, 1),
        clip: bool = False,
    ) -> None:
        self.input_range = input_range
        self.output_range = output_range
        self.clip = clip

    def _checked_ranges(self) -> tuple[tuple[float, float], tuple[float, float]]:
        self._validate_params()
        return (
            _check_range(self.input_range, "input_range"),
            _check_range(self.output_range, "output_range"),
        )

    def _validate_pixels(self, X: ArrayLike, *, reset: bool) -> np.ndarray:
        return validate_data(
            self,
            X,
            reset=reset,
            allow_nd=True,
            dtype="numeric",
            ensure_all_finite="allow-nan",
        )

    def fit(self, X: ArrayLike, y: Any = None) -> PixelScaler:
        """Validate the parameters and record the input's feature count.

        Nothing is learned from the values of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Pixel values; any number of dimensions.
        y : None
            Ignored.

        Returns
        -------
        self : PixelScaler
            The transformer.
        """
        self._checked_ranges()
        self._validate_pixels(fit_sample(X), reset=True)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Map the pixel values of ``X`` from ``input_range`` to ``output_range``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Pixel values; any number of dimensions.

        Returns
        -------
        X_scaled : ndarray or LazyArray of the same shape as ``X``
            Scaled values, float64 for float64 input and float32 otherwise;
            for a :class:`~sklearn_dl.LazyArray`, a LazyArray that scales
            its batches when they are read.
        """
        (in_low, in_high), (out_low, out_high) = self._checked_ranges()
        if isinstance(X, LazyArray):  # scaled per batch when read (issue #16)
            return lazily(self, X)
        X = self._validate_pixels(X, reset=False)
        # astype copies, so the in-place arithmetic below never touches X.
        scaled = X.astype(_float_output_dtype(X.dtype), copy=True)
        # (v - low) / width first: for the default (0, 255) -> (0, 1) this is
        # exactly the book's ``X / 255``. Python floats keep float32 arrays
        # float32 (NumPy 2 promotion rules).
        scaled -= in_low
        scaled /= in_high - in_low
        scaled *= out_high - out_low
        scaled += out_low
        if self.clip:
            np.clip(scaled, min(out_low, out_high), max(out_low, out_high), out=scaled)
        return scaled

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Map values from ``output_range`` back to ``input_range``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Scaled values.

        Returns
        -------
        X_original : ndarray of the same shape as ``X``
            Values in the input's units (not clipped, not rounded), float64
            for float64 input and float32 otherwise.
        """
        (in_low, in_high), (out_low, out_high) = self._checked_ranges()
        if isinstance(X, LazyArray):  # scaled per batch when read (issue #16)
            return lazily(self, X)
        X = self._validate_pixels(X, reset=False)
        restored = X.astype(_float_output_dtype(X.dtype), copy=True)
        restored -= out_low
        restored /= out_high - out_low
        restored *= in_high - in_low
        restored += in_low
        return restored

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Get output feature names: the input names, one to one.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, ``feature_names_in_`` is used when
            defined, and otherwise ``["x0", "x1", ...]``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The same names as the input features. Meaningful for 2-D input
            only: for images scikit-learn counts ``X.shape[1]`` as features.
        """
        if hasattr(self, "n_features_in_") or input_features is not None:
            input_features = _check_feature_names_in(self, input_features)
        return np.asarray(input_features, dtype=object)

    def __sklearn_is_fitted__(self) -> bool:
        """Return True: the scaling rule needs no fitting."""
        return True

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _square_side(size: int) -> int | None:
    side = math.isqrt(size)
    return side if side * side == size else None


def _check_image_shape(image_shape: Any) -> tuple[int, int, int]:
    """Return ``image_shape`` as ``(height, width, channels)`` or raise."""
    if len(image_shape) not in (2, 3) or not all(
        isinstance(size, Integral) and not isinstance(size, bool) and size >= 1
        for size in image_shape
    ):
        raise ValueError(
            "image_shape must be None, 'square', or a tuple (height, width) or "
            f"(height, width, channels) of positive integers; got {image_shape!r}."
        )
    if len(image_shape) == 2:
        return int(image_shape[0]), int(image_shape[1]), 1
    return int(image_shape[0]), int(image_shape[1]), int(image_shape[2])


def _shape_text(shape: tuple[int, ...]) -> str:
    return (
        "("
        + ", ".join(str(size) for size in shape)
        + (",)" if len(shape) == 1 else ")")
    )


class ImageReshaper(TransformerMixin, BaseEstimator):
    """Reshape flat rows into images with a channel axis, or images into rows.

    Dense networks take one flat row of pixels per sample, ``(n, H*W*C)``;
    convolutional networks take images ``(n, H, W, C)`` (``channels_last``)
    or ``(n, C, H, W)`` (``channels_first``). This transformer converts
    between the two by reshaping only: values are never reordered, so the
    flat row of a sample is its image raveled in the chosen ``data_format``
    (for one channel both formats agree). :meth:`fit` learns the input's
    sample shape; :meth:`transform` checks every later input against it.

    With ``flatten=False`` (the default) the output has a channel axis:

    - ``image_shape=None``: the sample's own shape is kept and a channel axis
      of size 1 is added when missing. Flat rows ``(n, d)`` become ``(n, d,
      1)`` (a one-channel 1-D signal, as ``Conv1D`` and recurrent layers take
      it), grey images ``(n, H, W)`` become ``(n, H, W, 1)``, and images
      that already have a channel axis pass through.
    - ``image_shape=(H, W)`` or ``(H, W, C)``: each sample, whatever its
      shape, is reshaped to that image; its size must be ``H * W * C``.
    - ``image_shape="square"``: a square one-channel image is inferred from
      the sample's size, e.g. 784 values give 28 x 28 x 1 and 64 give 8 x 8
      x 1.

    With ``flatten=True`` each sample is raveled into one row, ``(n,
    H*W*C)``; when ``image_shape`` is given, the samples must match it.

    Parameters
    ----------
    image_shape : None, "square" or tuple of int, default=None
        Shape of one image as ``(height, width)`` or ``(height, width,
        channels)``, always in this order whatever ``data_format`` is (a
        missing channel count means 1). See above for None and "square".
    data_format : {"channels_last", "channels_first"}, default="channels_last"
        Where the channel axis is: ``(H, W, C)`` or ``(C, H, W)``.
    flatten : bool, default=False
        Whether to flatten images into rows instead of making images.

    Attributes
    ----------
    n_features_in_ : int
        Size of the second axis of ``X`` seen in :meth:`fit` (for images,
        their first axis, as scikit-learn counts ``X.shape[1]``).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in :meth:`fit`. Defined only when `X` has
        feature names that are all strings.
    input_sample_shape_ : tuple of int
        Shape of one input sample, ``X.shape[1:]``, seen in :meth:`fit`.
    output_sample_shape_ : tuple of int
        Shape of one output sample, ``transform(X).shape[1:]``.

    See Also
    --------
    PixelScaler : Map pixel values by a fixed affine rule.

    Notes
    -----
    The output keeps the input's dtype and is a view of the (validated) input
    whenever NumPy can reshape without copying. :meth:`inverse_transform`
    reshapes back to ``input_sample_shape_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.preprocessing import ImageReshaper
    >>> X = np.zeros((5, 784), dtype=np.float32)
    >>> ImageReshaper(image_shape=(28, 28)).fit_transform(X).shape
    (5, 28, 28, 1)
    >>> ImageReshaper(image_shape="square", data_format="channels_first").fit_transform(
    ...     X
    ... ).shape
    (5, 1, 28, 28)
    >>> images = np.zeros((5, 28, 28), dtype=np.uint8)
    >>> ImageReshaper().fit_transform(images).shape
    (5, 28, 28, 1)
    >>> ImageReshaper(flatten=True).fit_transform(images).shape
    (5, 784)
    """

    _parameter_constraints: dict = {
        "image_shape": [None, StrOptions({"square"}), tuple],
        "data_format": [StrOptions({"channels_last", "channels_first"})],
        "flatten": ["boolean"],
    }

    def __init__(
        self,
        *,
        image_shape: tuple[int, ...] | str | None = None,
        data_format: str = "channels_last",
        flatten: bool = False,
    ) -> None:
        self.image_shape = image_shape
        self.data_format = data_format
        self.flatten = flatten

    def _layout(self, height: int, width: int, channels: int) -> tuple[int, int, int]:
        if self.data_format == "channels_first":
            return channels, height, width
        return height, width, channels

    def _target_image(self, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Resolve the image shape (in ``data_format`` order) for one sample."""
        size = math.prod(sample_shape)
        if self.image_shape is None:
            if len(sample_shape) == 3:
                return sample_shape
            if len(sample_shape) > 3:
                raise ValueError(
                    f"ImageReshaper takes samples with at most 3 axes; got X "
                    f"with samples of shape {_shape_text(sample_shape)}."
                )
            if self.data_format == "channels_first":
                return (1, *sample_shape)
            return (*sample_shape, 1)
        if isinstance(self.image_shape, str):  # "square"
            side = _square_side(size)
            if side is None:
                raise ValueError(
                    f"Cannot infer a square image from {size} values per "
                    f"sample: {size} is not a perfect square. Pass "
                    "image_shape=(height, width) or (height, width, channels)."
                )
            return self._layout(side, side, 1)
        height, width, channels = _check_image_shape(self.image_shape)
        expected = height * width * channels
        if expected != size:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)!r} holds {expected} "
                f"values per sample, but X has {size} values per sample "
                f"(samples of shape {_shape_text(sample_shape)})."
            )
        image = self._layout(height, width, channels)
        if len(sample_shape) == 3 and sample_shape != image:
            raise ValueError(
                f"X holds images of shape {_shape_text(sample_shape)}, which "
                f"do not match image_shape={tuple(self.image_shape)!r} in "
                f"{self.data_format} order {_shape_text(image)}; check the "
                "channel count and data_format."
            )
        return image

    def _validate_images(self, X: ArrayLike, *, reset: bool) -> np.ndarray:
        return validate_data(
            self,
            X,
            reset=reset,
            allow_nd=True,
            dtype="numeric",
            ensure_all_finite=False,
            # In transform the sample shape is checked as a whole below.
            ensure_2d=reset,
        )

    def _check_samples(
        self, X: np.ndarray, expected: tuple[int, ...], fitted_on: str
    ) -> None:
        """Raise a clear ``ValueError`` unless ``X.shape[1:] == expected``."""
        if X.ndim < 2:
            raise ValueError(
                f"Expected 2D array, got {X.ndim}D array instead:\narray={X}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your "
                "data has a single feature or array.reshape(1, -1) if it "
                "contains a single sample."
            )
        got = X.shape[1:]
        if got == expected:
            return
        if len(expected) == 1 and X.ndim == 2:
            # scikit-learn's own wording, which its common checks expect.
            raise ValueError(
                f"X has {got[0]} features, but {type(self).__name__} is "
                f"expecting {expected[0]} features as input."
            )
        message = (
            f"X has samples of shape {_shape_text(got)}, but "
            f"{type(self).__name__} {fitted_on} {_shape_text(expected)}."
        )
        if len(got) == len(expected) == 3:
            channel_axis = 0 if self.data_format == "channels_first" else 2
            spatial = [axis for axis in range(3) if axis != channel_axis]
            if [got[axis] for axis in spatial] == [expected[axis] for axis in spatial]:
                message += (
                    f" The channel count differs: {got[channel_axis]} instead "
                    f"of {expected[channel_axis]} ({self.data_format})."
                )
        raise ValueError(message)

    def fit(self, X: ArrayLike, y: Any = None) -> ImageReshaper:
        """Learn the input's sample shape and resolve the output's.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Flat rows or images.
        y : None
            Ignored.

        Returns
        -------
        self : ImageReshaper
            The fitted transformer.
        """
        self._validate_params()
        X = self._validate_images(fit_sample(X), reset=True)
        sample_shape = tuple(int(size) for size in X.shape[1:])
        image = self._target_image(sample_shape)
        self.input_sample_shape_ = sample_shape
        self.output_sample_shape_ = (
            (math.prod(sample_shape),) if self.flatten else tuple(image)
        )
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Reshape each sample of ``X`` to ``output_sample_shape_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples shaped like those seen in :meth:`fit`.

        Returns
        -------
        X_reshaped : ndarray or LazyArray of shape (n_samples, \
*output_sample_shape_)
            The same values with the input's dtype; for a
            :class:`~sklearn_dl.LazyArray`, a LazyArray that reshapes its
            batches when they are read.
        """
        check_is_fitted(self)
        if isinstance(X, LazyArray):  # reshaped per batch when read (issue #16)
            self._check_samples(
                X, self.input_sample_shape_, "was fitted on samples of shape"
            )
            return lazily(self, X)
        X = self._validate_images(X, reset=False)
        self._check_samples(
            X, self.input_sample_shape_, "was fitted on samples of shape"
        )
        return X.reshape((X.shape[0], *self.output_sample_shape_))

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Reshape each sample back to the input's sample shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, *output_sample_shape_)
            Output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, *input_sample_shape_)
            The same values shaped like the input seen in :meth:`fit`.
        """
        check_is_fitted(self)
        X = check_array(
            X, allow_nd=True, dtype="numeric", ensure_all_finite=False, ensure_2d=False
        )
        self._check_samples(X, self.output_sample_shape_, "outputs samples of shape")
        return X.reshape((X.shape[0], *self.input_sample_shape_))

    def _outputs_rows(self) -> bool:
        return bool(self.flatten)

    @available_if(_outputs_rows)
    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Get output feature names; available only when ``flatten=True``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names, used only when the input is already 2-D (the
            transform is then the identity). Otherwise names are generated
            as ``imagereshaper0, imagereshaper1, ...`` in raveled order.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self)
        if len(self.input_sample_shape_) == 1:
            return np.asarray(
                _check_feature_names_in(self, input_features), dtype=object
            )
        prefix = type(self).__name__.lower()
        return np.asarray(
            [f"{prefix}{index}" for index in range(self.output_sample_shape_[0])],
            dtype=object,
        )

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        # A reshape never looks at the values: NaN and inf pass through.
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
