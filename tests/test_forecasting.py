"""WindowedForecaster: the book's windowed forecasting as a tunable estimator."""

import math
import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.estimator_checks import estimator_checks_generator

from sklearn_dl._compat import InvalidParameterError
from sklearn_dl.datasets import load_sine_series, sum_of_sines
from sklearn_dl.forecasting import WindowedForecaster
from sklearn_dl.networks._recurrent import RecurrentRegressor
from sklearn_dl.preprocessing import make_supervised_windows


class WindowPicker(RegressorMixin, BaseEstimator):
    """Predicts one step of each window as it is: an oracle for alignment."""

    def __init__(self, step=-1):
        self.step = step

    def fit(self, X, y):
        self.fit_shape_ = np.shape(X)
        return self

    def predict(self, X):
        return np.asarray(X).reshape(len(X), -1)[:, self.step]


class SequenceRidge(RegressorMixin, BaseEstimator):
    """A Ridge that says it takes 3-D samples (and records what it got)."""

    def fit(self, X, y):
        self.fit_shape_ = np.shape(X)
        self.ridge_ = Ridge(alpha=1e-3).fit(np.reshape(X, (len(X), -1)), y)
        return self

    def predict(self, X):
        return self.ridge_.predict(np.reshape(X, (len(X), -1)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


@pytest.fixture(scope="module")
def sine_sets():
    return load_sine_series(1)


# -------------------------------------------------------- the book's recipe
def test_predictions_are_the_books_manual_pipeline(sine_sets):
    """Scale on train only, window, fit, predict, inverse-transform (L8545-8966)."""
    train, test = sine_sets
    window_size = 3
    forecaster = WindowedForecaster(Ridge(alpha=1e-3), window_size=window_size)
    forecaster.fit(train)

    scaler = MinMaxScaler(feature_range=(0, 1)).fit(train.reshape(-1, 1))
    X_train, y_train = make_supervised_windows(
        scaler.transform(train.reshape(-1, 1)), window_size
    )
    X_test, _ = make_supervised_windows(
        scaler.transform(test.reshape(-1, 1)), window_size
    )
    ridge = Ridge(alpha=1e-3).fit(X_train.reshape(len(X_train), -1), y_train)
    manual = scaler.inverse_transform(
        ridge.predict(X_test.reshape(len(X_test), -1)).reshape(-1, 1)
    )[:, 0]

    forecasts = forecaster.predict(test[window_size:], context=test[:window_size])
    assert forecasts.shape == (197,)
    np.testing.assert_allclose(forecasts, manual, rtol=1e-10)
    rmse = math.sqrt(mean_squared_error(test[window_size:], manual))
    assert forecaster.score(
        test[window_size:], context=test[:window_size]
    ) == pytest.approx(-rmse)
    assert forecaster.n_windows_ == 197


def test_book_workflow_with_an_lstm_reports_rmse_in_original_units(sine_sets):
    train, test = sine_sets
    forecaster = WindowedForecaster(
        RecurrentRegressor(
            units=(3,), learning_rate=0.01, epochs=25, batch_size=8, random_state=0
        ),
        window_size=3,
    ).fit(train)
    assert forecaster.regressor_.model_.input_shape == (None, 3, 1)
    rmse = -forecaster.score(test[3:], context=test[:3])
    assert 0 < rmse < 0.5 * test.std()


# ---------------------------------------------------------------- alignment
@pytest.mark.parametrize(
    ("window_size", "horizon", "stride"), [(1, 1, 1), (3, 1, 1), (3, 2, 2)]
)
@pytest.mark.parametrize("step", [0, -1])
def test_forecast_t_uses_the_window_ending_horizon_steps_before_t(
    window_size, horizon, stride, step
):
    series = np.arange(40.0) ** 1.5
    forecaster = WindowedForecaster(
        WindowPicker(step=step),
        window_size=window_size,
        horizon=horizon,
        stride=stride,
        scaler="passthrough",
    ).fit(series[:30])
    span = (window_size - 1) * stride + 1
    n_context = span + horizon - 1
    assert forecaster.context_.shape == (n_context, 1)
    forecasts = forecaster.predict(series[30:])
    t = np.arange(30, 40)
    last, first = t - horizon, t - horizon - (span - 1)
    np.testing.assert_array_equal(forecasts, series[last if step == -1 else first])


def test_default_context_is_the_end_of_the_training_series():
    series = sum_of_sines(260, 0.057, 0, [1.1, 1.7], [1, 2], [0, 0])
    forecaster = WindowedForecaster(Ridge(alpha=1e-3), window_size=5)
    forecaster.fit(series[:200])
    following = forecaster.predict(series[200:])
    np.testing.assert_array_equal(
        following, forecaster.predict(series[200:], context=series[:200])
    )
    # The same as forecasting the whole stretch from its own windows.
    own = forecaster.predict(series[200:], context=series[195:200])
    np.testing.assert_array_equal(following, own)
    np.testing.assert_array_equal(forecaster.context_[:, 0], series[195:200])


def test_one_d_and_column_series_agree_and_several_features_work():
    series = sum_of_sines(120, 0.057, 0, [1, 2], [1, 2], [0, 0])
    one_d = WindowedForecaster(Ridge(), window_size=4).fit(series[:100])
    column = WindowedForecaster(Ridge(), window_size=4).fit(series[:100, None])
    assert one_d.n_features_in_ == column.n_features_in_ == 1
    np.testing.assert_allclose(
        one_d.predict(series[100:]), column.predict(series[100:, None])
    )
    assert one_d.predict(series[100:]).shape == (20,)

    two = np.column_stack([series, np.cos(series)])
    forecaster = WindowedForecaster(Ridge(), window_size=4).fit(two[:100])
    assert forecaster.regressor_.n_features_in_ == 8  # 4 steps x 2 features
    assert forecaster.predict(two[100:]).shape == (20, 2)
    assert forecaster.score(two[100:]) < 0


def test_y_is_ignored(sine_sets):
    train, _ = sine_sets
    plain = WindowedForecaster(Ridge()).fit(train)
    with_y = WindowedForecaster(Ridge()).fit(train, np.zeros(len(train)))
    np.testing.assert_array_equal(plain.predict(train), with_y.predict(train))
    assert plain.score(train, None) == with_y.score(train, np.ones(len(train)))


# ----------------------------------------------------- scaler and regressor
def test_scaler_learns_from_the_training_series_only(sine_sets):
    train, test = sine_sets
    user_scaler = StandardScaler()
    forecaster = WindowedForecaster(Ridge(), scaler=user_scaler).fit(train)
    assert forecaster.scaler_ is not user_scaler
    assert not hasattr(user_scaler, "mean_")
    assert forecaster.scaler_.mean_[0] == pytest.approx(train.mean())

    default = WindowedForecaster(Ridge()).fit(train)
    assert isinstance(default.scaler_, MinMaxScaler)
    assert default.scaler_.data_min_[0] == train.min()
    assert default.scaler_.data_max_[0] == train.max()
    assert default.scaler_.feature_range == (0, 1)

    passthrough = WindowedForecaster(LinearRegression(), scaler="passthrough")
    assert passthrough.fit(train).scaler_ is None
    # A linear model forecasts the same with or without the linear scaling.
    np.testing.assert_allclose(
        passthrough.predict(test),
        WindowedForecaster(LinearRegression()).fit(train).predict(test),
        rtol=1e-6,
    )


def test_regressor_gets_3d_windows_only_when_it_takes_them(sine_sets):
    train, _ = sine_sets
    flat = WindowedForecaster(WindowPicker(), window_size=5).fit(train)
    assert flat.regressor_.fit_shape_ == (195, 5)
    sequences = WindowedForecaster(SequenceRidge(), window_size=5).fit(train)
    assert sequences.regressor_.fit_shape_ == (195, 5, 1)
    assert sequences.predict(train).shape == (200,)


def test_regressor_is_cloned_and_defaults_to_a_recurrent_network(sine_sets):
    train, _ = sine_sets
    ridge = Ridge()
    forecaster = WindowedForecaster(ridge).fit(train)
    assert forecaster.regressor_ is not ridge and not hasattr(ridge, "coef_")
    default = WindowedForecaster().fit(train[:60])
    assert isinstance(default.regressor_, RecurrentRegressor)
    assert default.predict(train[60:80]).shape == (20,)


# ------------------------------------------------------------------- errors
def test_bad_input_raises_clear_errors(sine_sets):
    train, _ = sine_sets
    with pytest.raises(ValueError, match=r"has 5 time step\(s\).*fewer than the 6"):
        WindowedForecaster(Ridge(), window_size=5).fit(train[:5])
    with pytest.raises(InvalidParameterError, match="'window_size' parameter"):
        WindowedForecaster(Ridge(), window_size=0).fit(train)
    with pytest.raises(InvalidParameterError, match="'horizon' parameter"):
        WindowedForecaster(Ridge(), horizon=0).fit(train)
    with pytest.raises(InvalidParameterError, match="'scaler' parameter"):
        WindowedForecaster(Ridge(), scaler="minmax").fit(train)
    broken = train.copy()
    broken[50] = np.nan
    with pytest.raises(ValueError, match="contains NaN"):
        WindowedForecaster(Ridge()).fit(broken)
    broken[50] = np.inf
    with pytest.raises(ValueError, match="contains infinity"):
        WindowedForecaster(Ridge()).fit(broken)

    forecaster = WindowedForecaster(Ridge(), window_size=3).fit(train)
    with pytest.raises(ValueError, match="contains NaN"):
        forecaster.predict(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"context has 2 step\(s\).*needs the 3"):
        forecaster.predict(train[:10], context=train[:2])
    with pytest.raises(ValueError, match="context has 2 features"):
        forecaster.predict(train[:10], context=np.ones((5, 2)))
    with pytest.raises(ValueError, match="expecting 1 features"):
        forecaster.predict(np.ones((10, 2)))

    two = WindowedForecaster(Ridge()).fit(np.ones((20, 2)) * np.arange(20)[:, None])
    with pytest.raises(ValueError, match="Reshape your data"):
        two.predict(np.ones(10))
    with pytest.raises(NotFittedError):
        WindowedForecaster(Ridge()).predict(train)


# ---------------------------------------------------- cross-validation folds
def test_time_series_folds_fit_a_block_and_score_the_next(sine_sets):
    train, _ = sine_sets
    window_size = 4
    forecaster = WindowedForecaster(Ridge(alpha=1e-3), window_size=window_size)
    cv = TimeSeriesSplit(n_splits=3)
    scores = cross_val_score(forecaster, train, cv=cv)
    for score, (fit_rows, test_rows) in zip(scores, cv.split(train), strict=True):
        # Contiguous blocks, the test block right after the training block.
        assert np.all(np.diff(fit_rows) == 1) and test_rows[0] == fit_rows[-1] + 1
        block = train[fit_rows]
        scaler = MinMaxScaler().fit(block.reshape(-1, 1))  # this block only
        scaled = scaler.transform(train[: test_rows[-1] + 1].reshape(-1, 1))
        X, y = make_supervised_windows(scaled[: fit_rows[-1] + 1], window_size)
        ridge = Ridge(alpha=1e-3).fit(X[:, :, 0], y)
        X_all, _ = make_supervised_windows(scaled, window_size)
        predicted = ridge.predict(X_all[test_rows - window_size][:, :, 0])
        unscaled = scaler.inverse_transform(predicted.reshape(-1, 1))[:, 0]
        rmse = math.sqrt(mean_squared_error(train[test_rows], unscaled))
        assert score == pytest.approx(-rmse)


def test_grid_search_over_window_size_and_units_on_data_set_1(sine_sets):
    train, test = sine_sets
    search = GridSearchCV(
        WindowedForecaster(
            RecurrentRegressor(
                learning_rate=0.03, epochs=15, batch_size=8, random_state=0
            )
        ),
        {"window_size": [1, 3, 5], "regressor__units": [(4,), (8,)]},
        cv=TimeSeriesSplit(n_splits=2),
    ).fit(train)
    results = search.cv_results_
    rmse = {
        (params["regressor__units"], params["window_size"]): -score
        for params, score in zip(
            results["params"], results["mean_test_score"], strict=True
        )
    }
    assert len(rmse) == 6 and all(0 < value < 5 for value in rmse.values())
    # The book's finding: a window of one step loses a lot.
    for units in [(4,), (8,)]:
        assert rmse[units, 1] > 1.3 * min(rmse[units, 3], rmse[units, 5])
    assert search.best_params_["window_size"] != 1
    best = search.best_estimator_
    test_rmse = -best.score(test[5:], context=test[:5])
    assert 0 < test_rmse < 0.5 * test.std()


def test_clone_and_pickle_keep_predictions(sine_sets):
    train, test = sine_sets
    forecaster = WindowedForecaster(
        RecurrentRegressor(units=(2,), epochs=1, random_state=0), window_size=2
    ).fit(train[:80])
    restored = pickle.loads(pickle.dumps(forecaster))
    np.testing.assert_allclose(
        restored.predict(test), forecaster.predict(test), rtol=1e-6
    )
    cloned = clone(forecaster)
    assert cloned.get_params()["regressor__units"] == (2,)
    assert not hasattr(cloned, "regressor_")


def _check_name(check):
    return getattr(check, "func", check).__name__


# ---------------------------------------------------------- sklearn's checks
# A series is ordered: a forecast depends on the rows before it, and a 1-D X
# is a one-feature series by design. Three of scikit-learn's checks assume
# exchangeable rows or a rejected 1-D X, so they do not apply; every other
# check runs, and the behaviour they would contradict is tested below.
NOT_APPLICABLE = {
    "check_methods_subset_invariance",
    "check_methods_sample_order_invariance",
    "check_fit1d",
}
CONFORMANCE_CASES = [
    (estimator, check)
    for estimator in (
        WindowedForecaster(Ridge(), window_size=2),
        WindowedForecaster(
            RecurrentRegressor(units=(2,), epochs=2, random_state=0), window_size=2
        ),
    )
    for estimator, check in estimator_checks_generator(estimator)
    if _check_name(check) not in NOT_APPLICABLE
]


@pytest.mark.parametrize(
    ("estimator", "check"),
    CONFORMANCE_CASES,
    ids=[
        f"{type(e.regressor).__name__}-{_check_name(c)}" for e, c in CONFORMANCE_CASES
    ],
)
def test_sklearn_conformance(estimator, check):
    check(estimator)


def test_forecasts_depend_on_the_preceding_rows():
    series = sum_of_sines(60, 0.1, 0, [1.0], [1.0], [0.0]).reshape(-1, 1)
    forecaster = WindowedForecaster(Ridge(), window_size=3).fit(series[:40])
    whole = forecaster.predict(series[40:])
    # a subset is forecast from other preceding steps than in the whole series
    assert not np.allclose(forecaster.predict(series[50:]), whole[10:])
    # reversed rows are another series
    assert not np.allclose(forecaster.predict(series[40:][::-1])[::-1], whole)


def test_one_dimensional_series_is_one_feature():
    series = sum_of_sines(60, 0.1, 0, [1.0], [1.0], [0.0])
    one_d = WindowedForecaster(Ridge(), window_size=3).fit(series[:40])
    two_d = WindowedForecaster(Ridge(), window_size=3).fit(series[:40, None])
    np.testing.assert_allclose(
        one_d.predict(series[40:]), two_d.predict(series[40:, None]).ravel()
    )


def test_public_docstrings_are_valid_numpydoc():
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    ignored = {"ES01", "EX01", "SA01", "GL01", "GL02", "RT02"}
    names = ["sklearn_dl.forecasting.WindowedForecaster"] + [
        f"sklearn_dl.forecasting.WindowedForecaster.{method}"
        for method in ("fit", "predict", "score")
    ]
    failures = {}
    for name in names:
        errors = [
            error
            for error in numpydoc_validate.validate(name)["errors"]
            if error[0] not in ignored
        ]
        if errors:
            failures[name] = errors
    assert not failures
