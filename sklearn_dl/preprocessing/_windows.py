"""Windows over time series: a row-preserving transformer and pure functions.

Conventions shared by everything here (``w`` is ``window_size``, ``s`` is
``stride``):

- A series is an array of shape ``(n_steps, n_features)``, one time step per
  row, oldest first. The pure functions also accept a 1-D series of shape
  ``(n_steps,)`` and treat it as one feature, ``(n_steps, 1)``.
- ``stride`` is the spacing, in steps, between consecutive steps *inside* a
  window (a dilation, Keras's ``sampling_rate``); windows themselves start at
  every step. A window covers ``span = (w - 1) * s + 1`` steps and holds the
  ``w`` values at offsets ``0, s, 2s, ..., (w - 1) * s``.
- :func:`sliding_windows` gives every complete window: ``n_steps - span + 1``
  of them, each of exactly ``w`` values. For the book's 101 steps and a
  window of 7 that is 95 windows of shape ``(7, 1)`` (its Figure B3-54).
- :func:`make_supervised_windows` gives the book's ``(sample, target)``
  pairs: sample ``i`` is ``series[i : i + w]`` and its target is
  ``series[i + w]`` (with ``horizon=1``), for ``i`` in ``range(n_steps -
  w)``. The last complete window has no next value, hence one pair fewer
  than :func:`sliding_windows` has windows.
- :class:`WindowMaker` keeps one window per input row, for use inside a
  :class:`~sklearn.pipeline.Pipeline`: row ``i`` becomes the window *ending*
  at row ``i`` (inclusive), and the first ``span - 1`` rows are completed by
  padding.

The book (its Listing B3-55) is inconsistent: the caption says each sample is
one shorter than ``window_size``, while the code makes samples of exactly
``window_size`` values followed by their target. The code's convention is
used here: a sample has exactly ``window_size`` steps.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags
from sklearn.utils.validation import check_array, validate_data

from sklearn_dl._compat import Interval, StrOptions, validate_params

__all__ = ["WindowMaker", "make_supervised_windows", "sliding_windows"]


def _as_series(series: ArrayLike) -> np.ndarray:
    """Validate a 1-D or 2-D finite numeric series; return it as 2-D.

    A NumPy array is converted without copying when its dtype is numeric, so
    windows taken from the result are views of the caller's array.
    """
    array = check_array(
        series,
        ensure_2d=False,
        dtype="numeric",
        ensure_min_samples=1,
        input_name="series",
    )
    if array.ndim == 1:
        return array.reshape(-1, 1)
    return array


def _window_view(array: np.ndarray, window_size: int, stride: int) -> np.ndarray:
    """All complete windows of a 2-D array, as a read-only strided view."""
    span = (window_size - 1) * stride + 1
    # sliding_window_view puts the window axis last: (n - span + 1, f, span).
    windows = sliding_window_view(array, span, axis=0)[:, :, ::stride]
    return windows.transpose(0, 2, 1)


def _check_length(n_steps: int, needed: int, what: str) -> None:
    if n_steps < needed:
        raise ValueError(
            f"The series has {n_steps} steps, fewer than the {needed} that "
            f"{what} needs."
        )


@validate_params(
    {
        "series": ["array-like"],
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def sliding_windows(
    series: ArrayLike, window_size: int, *, stride: int = 1
) -> np.ndarray:
    """Return every complete window of a series, as a zero-copy view.

    Window ``i`` holds ``series[i + j * stride]`` for ``j`` in
    ``range(window_size)``; windows start at every step.

    Parameters
    ----------
    series : array-like of shape (n_steps, n_features) or (n_steps,)
        Finite numeric values, one time step per row, oldest first. A 1-D
        series is one feature.
    window_size : int
        Number of steps in each window, at least 1.
    stride : int, default=1
        Spacing, in steps, between consecutive steps inside a window.

    Returns
    -------
    windows : ndarray of shape (n_steps - span + 1, window_size, n_features)
        Read-only view, with ``span = (window_size - 1) * stride + 1``. When
        ``series`` is a NumPy array of numeric dtype the view shares its
        memory (``np.shares_memory(windows, series)`` holds); copy it with
        ``np.array(windows)`` to write to it.

    Raises
    ------
    ValueError
        If the series is empty, non-finite, more than 2-D, or shorter than
        ``span``, or if ``window_size`` or ``stride`` is below 1.

    See Also
    --------
    make_supervised_windows : Windows paired with the value that follows them.
    WindowMaker : One window per row, for pipelines.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.preprocessing import sliding_windows
    >>> series = np.arange(101.0)
    >>> sliding_windows(series, 7).shape
    (95, 7, 1)
    >>> sliding_windows(np.arange(6), 3)[:, :, 0]
    array([[0, 1, 2],
           [1, 2, 3],
           [2, 3, 4],
           [3, 4, 5]])
    """
    array = _as_series(series)
    span = (window_size - 1) * stride + 1
    _check_length(array.shape[0], span, f"a window of {window_size} steps")
    return _window_view(array, window_size, stride)


@validate_params(
    {
        "series": ["array-like"],
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def make_supervised_windows(
    series: ArrayLike, window_size: int, *, horizon: int = 1, stride: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Build the book's ``(X, y)`` pairs: windows and the value that follows.

    Sample ``i`` is the window starting at step ``i`` (see
    :func:`sliding_windows`) and its target is the value ``horizon`` steps
    after the window's last step. With the defaults this is exactly the
    book's Listing B3-55: ``X[i] = series[i:i + window_size]`` and ``y[i] =
    series[i + window_size]`` for ``i`` in ``range(n_steps - window_size)``.

    Parameters
    ----------
    series : array-like of shape (n_steps, n_features) or (n_steps,)
        Finite numeric values, one time step per row, oldest first. A 1-D
        series is one feature.
    window_size : int
        Number of steps in each sample, at least 1.
    horizon : int, default=1
        How many steps after a window's last step its target lies; 1 is the
        next value.
    stride : int, default=1
        Spacing, in steps, between consecutive steps inside a window.

    Returns
    -------
    X : ndarray of shape (n_pairs, window_size, n_features)
        Read-only view of ``series`` (see :func:`sliding_windows`), with
        ``n_pairs = n_steps - span - horizon + 1`` and ``span = (window_size
        - 1) * stride + 1``; ``n_steps - window_size`` pairs with the
        defaults.
    y : ndarray of shape (n_pairs,) or (n_pairs, n_features)
        Targets, a new array; 1-D when the series has a single feature (as
        in the book), one row per pair otherwise.

    Raises
    ------
    ValueError
        If the series is empty, non-finite, more than 2-D, or too short to
        give one pair (``span + horizon`` steps), or if ``window_size``,
        ``horizon`` or ``stride`` is below 1.

    See Also
    --------
    sliding_windows : Every complete window, without targets.
    WindowMaker : One window per row, for pipelines.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.preprocessing import make_supervised_windows
    >>> X, y = make_supervised_windows(np.arange(101.0), 7)
    >>> X.shape, y.shape
    ((94, 7, 1), (94,))
    >>> X, y = make_supervised_windows(np.arange(5), 2)
    >>> X[:, :, 0], y
    (array([[0, 1],
           [1, 2],
           [2, 3]]), array([2, 3, 4]))
    """
    array = _as_series(series)
    span = (window_size - 1) * stride + 1
    _check_length(
        array.shape[0],
        span + horizon,
        f"a window of {window_size} steps and a target {horizon} step(s) ahead",
    )
    X = _window_view(array[: array.shape[0] - horizon], window_size, stride)
    y = array[span - 1 + horizon :].copy()
    if y.shape[1] == 1:
        y = y[:, 0]
    return X, y


class WindowMaker(TransformerMixin, BaseEstimator):
    """Turn each row of a series into the window of rows that ends there.

    Row ``i`` of the output is the window of ``window_size`` rows ending at
    row ``i`` (inclusive), taken every ``stride`` rows::

        output[i, j] = X[i - (window_size - 1 - j) * stride]

    so ``output[i, -1]`` is ``X[i]``. Rows before the first one do not exist;
    they are filled by ``padding``. The number of rows never changes, so the
    windows stay aligned with ``y`` and the transformer can sit in a
    :class:`~sklearn.pipeline.Pipeline` that :class:`~sklearn.model_selection.
    GridSearchCV` clones and refits (``window_size`` can be tuned).

    The rule is fixed by the parameters, so the transformer is stateless like
    :class:`~sklearn.preprocessing.FunctionTransformer`: :meth:`fit` only
    validates and records ``n_features_in_``.

    Parameters
    ----------
    window_size : int, default=1
        Number of steps in each window, at least 1. The default, 1, is the
        identity windowing (each row a one-step sequence); forecasting uses
        longer windows, such as the book's 3, 5 or 13.
    stride : int, default=1
        Spacing, in rows, between consecutive steps inside a window (a
        dilation, Keras's ``sampling_rate``); a window covers ``(window_size -
        1) * stride + 1`` rows. It does not thin out the windows: there is
        always one per row.
    padding : {"edge", "zero"}, default="edge"
        How to fill the steps before the first row: ``"edge"`` repeats the
        first row, ``"zero"`` uses zeros.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (columns) seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in :meth:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    sliding_windows : Every complete window, as a view of the series.
    make_supervised_windows : The book's windows paired with next values.

    Notes
    -----
    Each call to :meth:`transform` windows only the rows it is given: the
    first rows of a batch are padded rather than taken from data seen
    elsewhere, so nothing leaks across cross-validation folds. The same
    property makes the output of a row depend on the rows before it in the
    batch, so transforming rows one at a time, or shuffled, gives different
    windows (except with ``window_size=1``).

    The output is a read-only strided view of one padded copy of ``X``: it
    takes about ``(n_samples + span - 1) * n_features`` values of memory,
    not ``n_samples * window_size * n_features`` (with ``window_size=1`` it
    is a view of ``X`` itself). Call ``np.array(windows)`` for a writable
    copy. The dtype of ``X`` is kept.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.preprocessing import WindowMaker
    >>> X = np.arange(5.0).reshape(-1, 1)
    >>> WindowMaker(window_size=3).fit_transform(X)[:, :, 0]
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> WindowMaker(window_size=2, stride=2, padding="zero").fit_transform(X)[:, :, 0]
    array([[0., 0.],
           [0., 1.],
           [0., 2.],
           [1., 3.],
           [2., 4.]])
    """

    _parameter_constraints: dict = {
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"edge", "zero"})],
    }

    def __init__(
        self, window_size: int = 1, *, stride: int = 1, padding: str = "edge"
    ) -> None:
        self.window_size = window_size
        self.stride = stride
        self.padding = padding

    def fit(self, X: ArrayLike, y: Any = None) -> WindowMaker:
        """Validate the parameters and record the number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one time step per row, oldest first.
        y : None
            Ignored.

        Returns
        -------
        self : WindowMaker
            The transformer.
        """
        self._validate_params()
        validate_data(self, X, reset=True, dtype="numeric")
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Replace each row by the window of rows that ends at it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one time step per row, oldest first. Finite values.

        Returns
        -------
        windows : ndarray of shape (n_samples, window_size, n_features)
            Read-only view; ``windows[i, -1]`` is ``X[i]``.
        """
        self._validate_params()
        X = validate_data(self, X, reset=False, dtype="numeric")
        pad = (self.window_size - 1) * self.stride
        if pad == 0:
            windows = X[:, np.newaxis, :]
            windows.flags.writeable = False
            return windows
        if self.padding == "edge":
            padded = np.pad(X, ((pad, 0), (0, 0)), mode="edge")
        else:
            padded = np.pad(X, ((pad, 0), (0, 0)), mode="constant")
        return _window_view(padded, self.window_size, self.stride)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Recover the series: the last step of each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, window_size, n_features)
            Output of :meth:`transform`.

        Returns
        -------
        series : ndarray of shape (n_samples, n_features)
            ``X[:, -1, :]``, a new array.
        """
        windows = check_array(X, allow_nd=True, dtype="numeric", ensure_2d=False)
        if windows.ndim != 3:
            raise ValueError(
                "inverse_transform expects windows of shape (n_samples, "
                f"window_size, n_features); got an array of shape {windows.shape}."
            )
        return np.array(windows[:, -1, :])

    def __sklearn_is_fitted__(self) -> bool:
        """Return True: the windowing rule needs no fitting."""
        return True

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
