"""Tests for WindowMaker, sliding_windows and make_supervised_windows."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_dl.preprocessing import (
    WindowMaker,
    make_supervised_windows,
    sliding_windows,
)

SERIES_2D = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])


def book_samples_and_targets(sequence, window_size):
    """The book's Listing B3-55, verbatim but for the indentation typo."""
    samples = []
    targets = []
    for i in range(sequence.shape[0] - window_size):
        sample = sequence[i : i + window_size]
        target = sequence[i + window_size]
        samples.append(sample)
        targets.append(target[0])
    return (np.array(samples), np.array(targets))


def padded_windows_by_loop(X, window_size, stride, padding):
    """Brute-force oracle for WindowMaker."""
    n_rows, n_features = X.shape
    out = np.empty((n_rows, window_size, n_features), dtype=X.dtype)
    for i in range(n_rows):
        for j in range(window_size):
            row = i - (window_size - 1 - j) * stride
            if row >= 0:
                out[i, j] = X[row]
            else:
                out[i, j] = X[0] if padding == "edge" else 0
    return out


def flatten_windows(windows):
    return windows.reshape(windows.shape[0], -1)


# --------------------------------------------------------------------------
# WindowMaker
# --------------------------------------------------------------------------


def test_window_maker_hand_computed_edge():
    windows = WindowMaker(window_size=3).fit_transform(SERIES_2D)
    expected = np.array(
        [
            [[1, 10], [1, 10], [1, 10]],
            [[1, 10], [1, 10], [2, 20]],
            [[1, 10], [2, 20], [3, 30]],
            [[2, 20], [3, 30], [4, 40]],
        ],
        dtype=float,
    )
    assert_array_equal(windows, expected)


def test_window_maker_hand_computed_zero_and_stride():
    windows = WindowMaker(window_size=2, stride=2, padding="zero").fit_transform(
        SERIES_2D
    )
    expected = np.array(
        [
            [[0, 0], [1, 10]],
            [[0, 0], [2, 20]],
            [[1, 10], [3, 30]],
            [[2, 20], [4, 40]],
        ],
        dtype=float,
    )
    assert_array_equal(windows, expected)


@pytest.mark.parametrize("window_size", [1, 2, 3, 7])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["edge", "zero"])
def test_window_maker_matches_loop_oracle(window_size, stride, padding):
    X = np.random.RandomState(0).normal(size=(10, 3))
    windows = WindowMaker(window_size, stride=stride, padding=padding).fit_transform(X)
    assert windows.shape == (10, window_size, 3)
    assert_array_equal(windows, padded_windows_by_loop(X, window_size, stride, padding))
    # Each row's window ends at the row itself.
    assert_array_equal(windows[:, -1, :], X)


def test_window_maker_windows_are_views_of_one_padded_buffer():
    X = np.arange(20.0).reshape(10, 2)
    windows = WindowMaker(window_size=4).fit_transform(X)
    # Neighbouring windows overlap in memory: nothing was copied per window.
    assert np.shares_memory(windows[5], windows[6])
    assert windows.base is not None
    assert not windows.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        windows[0, 0, 0] = 1.0
    # Writable copies are one call away, and the input is untouched.
    assert np.array(windows).flags.writeable
    assert_array_equal(X, np.arange(20.0).reshape(10, 2))


def test_window_maker_size_one_is_a_view_of_the_input():
    X = np.arange(6.0).reshape(3, 2)
    windows = WindowMaker().fit_transform(X)
    assert windows.shape == (3, 1, 2)
    assert np.shares_memory(windows, X)
    assert_array_equal(windows[:, 0], X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("padding", ["edge", "zero"])
def test_window_maker_keeps_dtype(dtype, padding):
    X = np.arange(12).reshape(6, 2).astype(dtype)
    windows = WindowMaker(3, padding=padding).fit_transform(X)
    assert windows.dtype == dtype


def test_window_maker_is_stateless():
    maker = WindowMaker(window_size=2)
    check_is_fitted(maker)
    assert not maker.__sklearn_tags__().requires_fit
    unfitted = maker.transform(SERIES_2D)
    assert_array_equal(unfitted, clone(maker).fit(SERIES_2D).transform(SERIES_2D))
    assert not hasattr(maker, "n_features_in_")


def test_window_maker_checks_feature_count_after_fit():
    maker = WindowMaker(window_size=2).fit(SERIES_2D)
    assert maker.n_features_in_ == 2
    with pytest.raises(ValueError, match="X has 3 features, but WindowMaker"):
        maker.transform(np.zeros((4, 3)))


def test_window_maker_inverse_transform():
    maker = WindowMaker(window_size=3, stride=2).fit(SERIES_2D)
    restored = maker.inverse_transform(maker.transform(SERIES_2D))
    assert_array_equal(restored, SERIES_2D)
    assert restored.flags.writeable
    with pytest.raises(ValueError, match=r"expects windows of shape .* \(4, 2\)"):
        maker.inverse_transform(SERIES_2D)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0], [np.nan]]), "NaN"),
        (np.array([[1.0], [np.inf]]), "infinity"),
        (np.arange(4.0), "Reshape your data"),
        (np.zeros((0, 2)), "0 sample"),
        (np.array([["a"], ["b"]]), "numeric"),
    ],
)
def test_window_maker_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        WindowMaker(window_size=2).fit(X)
    with pytest.raises(ValueError, match=match):
        WindowMaker(window_size=2).transform(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"window_size": 0}, "'window_size' parameter of WindowMaker"),
        ({"window_size": 2.5}, "'window_size' parameter of WindowMaker"),
        ({"stride": 0}, "'stride' parameter of WindowMaker"),
        ({"padding": "reflect"}, "'padding' parameter of WindowMaker"),
    ],
)
def test_window_maker_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        WindowMaker(**params).fit(SERIES_2D)
    with pytest.raises(ValueError, match=match):
        WindowMaker(**params).transform(SERIES_2D)


def test_window_maker_pickles():
    maker = WindowMaker(window_size=3, padding="zero").fit(SERIES_2D)
    restored = pickle.loads(pickle.dumps(maker))
    assert_array_equal(restored.transform(SERIES_2D), maker.transform(SERIES_2D))


def test_window_maker_in_pipeline_grid_search_keeps_rows_aligned():
    # Predict the next value of a sum of two sines from the window ending at
    # the current step: the rows of X and y stay aligned because WindowMaker
    # never changes the number of rows.
    steps = np.arange(400)
    series = np.sin(0.057 * steps) + 2 * np.sin(2 * 0.057 * steps)
    X = series[:-1].reshape(-1, 1)
    y = series[1:]
    pipeline = make_pipeline(
        MinMaxScaler(),
        WindowMaker(),
        FunctionTransformer(flatten_windows),
        Ridge(alpha=1e-6),
    )
    assert pipeline.fit(X, y).predict(X).shape == y.shape
    search = GridSearchCV(
        pipeline,
        {"windowmaker__window_size": [1, 2, 5]},
        cv=TimeSeriesSplit(n_splits=3),
        scoring="r2",
    ).fit(X, y)
    assert search.best_params_ == {"windowmaker__window_size": 5}
    assert search.best_score_ > 0.99
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] < scores[2]  # one step cannot tell rising from falling


# --------------------------------------------------------------------------
# sliding_windows
# --------------------------------------------------------------------------


def test_sliding_windows_book_shape_and_view():
    series = np.sin(0.057 * np.arange(101)).reshape(-1, 1)
    windows = sliding_windows(series, 7)
    assert windows.shape == (95, 7, 1)  # the book's Figure B3-54
    assert np.shares_memory(windows, series)
    assert not windows.flags.writeable
    assert_array_equal(windows[0, :, 0], series[:7, 0])
    assert_array_equal(windows[-1, :, 0], series[-7:, 0])


def test_sliding_windows_one_dimensional_series_is_one_feature():
    series = np.arange(101.0)
    windows = sliding_windows(series, 7)
    assert windows.shape == (95, 7, 1)
    assert np.shares_memory(windows, series)
    assert_array_equal(
        sliding_windows(np.arange(6), 3)[:, :, 0],
        [
            [0, 1, 2],
            [1, 2, 3],
            [2, 3, 4],
            [3, 4, 5],
        ],
    )


def test_sliding_windows_several_features_and_stride():
    series = np.arange(20).reshape(10, 2)
    windows = sliding_windows(series, 3, stride=2)
    assert windows.shape == (10 - 5 + 1, 3, 2)
    for i in range(windows.shape[0]):
        assert_array_equal(windows[i], series[i : i + 5 : 2])


def test_sliding_windows_exactly_one_window():
    assert sliding_windows(np.arange(7.0), 7).shape == (1, 7, 1)


@pytest.mark.parametrize(
    "series, kwargs, match",
    [
        (np.arange(6.0), {"window_size": 7}, "6 steps, fewer than the 7"),
        (np.arange(6.0), {"window_size": 3, "stride": 3}, "fewer than the 7"),
        (np.arange(6.0), {"window_size": 0}, "'window_size' parameter of sliding"),
        (np.arange(6.0), {"window_size": 2, "stride": 0}, "'stride' parameter"),
        (np.array([1.0, np.nan, 2.0]), {"window_size": 2}, "NaN"),
        (np.array([1.0, np.inf, 2.0]), {"window_size": 2}, "infinity"),
        (np.zeros((4, 2, 2)), {"window_size": 2}, "dim 3"),
        (np.zeros(0), {"window_size": 1}, "0 sample"),
    ],
)
def test_sliding_windows_bad_input(series, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(series, **kwargs)


# --------------------------------------------------------------------------
# make_supervised_windows
# --------------------------------------------------------------------------


def test_make_supervised_windows_matches_book_listing():
    series = np.sin(0.057 * np.arange(101)).reshape(-1, 1)
    X, y = make_supervised_windows(series, 7)
    X_book, y_book = book_samples_and_targets(series, 7)
    assert X.shape == (94, 7, 1) and y.shape == (94,)
    assert_array_equal(X, X_book)
    assert_array_equal(y, y_book)
    # One pair fewer than windows: the last window has no next value.
    assert len(X) == len(sliding_windows(series, 7)) - 1


def test_make_supervised_windows_hand_computed():
    X, y = make_supervised_windows(np.arange(5), 2)
    assert_array_equal(X[:, :, 0], [[0, 1], [1, 2], [2, 3]])
    assert_array_equal(y, [2, 3, 4])
    X, y = make_supervised_windows(np.arange(6), 2, horizon=2)
    assert_array_equal(X[:, :, 0], [[0, 1], [1, 2], [2, 3]])
    assert_array_equal(y, [3, 4, 5])
    X, y = make_supervised_windows(np.arange(6), 2, stride=2)
    assert_array_equal(X[:, :, 0], [[0, 2], [1, 3], [2, 4]])
    assert_array_equal(y, [3, 4, 5])


def test_make_supervised_windows_several_features():
    series = np.arange(20).reshape(10, 2)
    X, y = make_supervised_windows(series, 3)
    assert X.shape == (7, 3, 2) and y.shape == (7, 2)
    assert_array_equal(y, series[3:])


def test_make_supervised_windows_views_and_copies():
    series = np.arange(10.0)
    X, y = make_supervised_windows(series, 3)
    assert np.shares_memory(X, series)
    assert not np.shares_memory(y, series)
    y[0] = -1.0  # the targets are the caller's to change
    assert series[3] == 3.0


@pytest.mark.parametrize(
    "series, kwargs, match",
    [
        (np.arange(7.0), {"window_size": 7}, "7 steps, fewer than the 8"),
        (np.arange(8.0), {"window_size": 7, "horizon": 2}, "fewer than the 9"),
        (np.arange(8.0), {"window_size": 2, "horizon": 0}, "'horizon' parameter"),
        (np.arange(8.0), {"window_size": 0}, "'window_size' parameter"),
        (np.arange(8.0), {"window_size": 2, "stride": 0}, "'stride' parameter"),
        (np.array([0.0, np.nan, 1.0, 2.0]), {"window_size": 2}, "NaN"),
        (np.array([0.0, 1.0, 2.0, -np.inf]), {"window_size": 2}, "infinity"),
    ],
)
def test_make_supervised_windows_bad_input(series, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_supervised_windows(series, **kwargs)
