"""Metadata routing: sample_weight and validation_data reach networks.

Through ``Pipeline``, ``GridSearchCV`` and ``cross_validate``, with
scikit-learn's metadata routing on and off, and through
:class:`~sklearn_dl.forecasting.WindowedForecaster`, which is a router.
"""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl.forecasting import WindowedForecaster
from sklearn_dl.networks import DenseClassifier

pytest.importorskip("sklearn.callback", reason="the probe is a sklearn callback")


class WeightProbe:
    """A scikit-learn callback recording the sample weights each fit trained on."""

    def __init__(self):
        self.seen = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, metadata=None):
        if context.task_name == "fit":
            weights = (metadata or {}).get("sample_weight")
            self.seen.append(None if weights is None else len(weights))

    def on_fit_task_end(self, estimator, context):
        return False


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 3)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    weights = rng.uniform(0.5, 1.5, size=48)  # not integers: kept as weights
    return X, y, weights


def _net(probe):
    net = DenseClassifier((4,), epochs=1, batch_size=24, random_state=0)
    return net.set_callbacks(probe)


GRID = {"denseclassifier__hidden_layer_sizes": [(4,)]}


def test_routing_on_sample_weight_reaches_network_in_search(data):
    X, y, w = data
    probe = WeightProbe()
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            _net(probe)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True),
        )
        GridSearchCV(pipe, GRID, cv=2).fit(X, y, sample_weight=w)
    # Two folds of 24 rows, then the refit on all 48.
    assert probe.seen == [24, 24, 48]


def test_routing_on_unrequested_weight_is_an_error(data):
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        pipe = make_pipeline(scaler, _net(WeightProbe()))
        # GridSearchCV re-raises the fits' UnsetMetadataPassedError.
        with pytest.raises(ValueError, match="not explicitly set as requested"):
            GridSearchCV(pipe, GRID, cv=2).fit(X, y, sample_weight=w)


def test_routing_on_cross_validate(data):
    X, y, w = data
    probe = WeightProbe()
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            _net(probe)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True),
        )
        cross_validate(pipe, X, y, cv=2, params={"sample_weight": w})
    assert probe.seen == [24, 24]


def test_routing_off_step_prefixed_weights(data):
    X, y, w = data
    probe = WeightProbe()
    pipe = make_pipeline(StandardScaler(), _net(probe))
    GridSearchCV(pipe, GRID, cv=2).fit(X, y, denseclassifier__sample_weight=w)
    cross_validate(pipe, X, y, cv=2, params={"denseclassifier__sample_weight": w})
    assert probe.seen == [24, 24, 48, 24, 24]


def test_routing_on_validation_data(data):
    X, y, _ = data
    with config_context(enable_metadata_routing=True):
        net = DenseClassifier((4,), epochs=1, random_state=0)
        pipe = make_pipeline(net.set_fit_request(validation_data=True))
        search = GridSearchCV(pipe, GRID, cv=2).fit(X, y, validation_data=(X, y))
    assert "val_loss" in search.best_estimator_[-1].history_


class RecordingRegressor(RegressorMixin, BaseEstimator):
    """Ridge that records the sample weights it was given."""

    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = sample_weight
        self.ridge_ = Ridge(alpha=1e-3).fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        return self.ridge_.predict(X)


def test_forecaster_aligns_step_weights_to_windows():
    series = np.sin(np.arange(30) / 3.0)
    weights = np.arange(30, dtype=float)
    forecaster = WindowedForecaster(RecordingRegressor(), window_size=3)
    forecaster.fit(series, sample_weight=weights)
    # Window i forecasts step i + 3: it carries that step's weight.
    np.testing.assert_array_equal(forecaster.regressor_.sample_weight_, weights[3:])


def test_forecaster_is_a_router_in_a_search():
    series = np.sin(np.arange(60) / 3.0)
    weights = np.linspace(0.5, 1.5, 60)
    with config_context(enable_metadata_routing=True):
        regressor = RecordingRegressor().set_fit_request(sample_weight=True)
        forecaster = WindowedForecaster(regressor, window_size=3)
        routing = forecaster.get_metadata_routing()
        assert routing.consumes("fit", ["sample_weight"]) == {"sample_weight"}
        search = GridSearchCV(
            forecaster, {"window_size": [2, 3]}, cv=TimeSeriesSplit(2)
        ).fit(series, sample_weight=weights)
        # The refit gets the whole series' weights, aligned with its windows.
        best = search.best_estimator_
        span = best.window_size
        np.testing.assert_allclose(best.regressor_.sample_weight_, weights[span:])
        with pytest.raises(UnsetMetadataPassedError):
            WindowedForecaster(RecordingRegressor()).fit(series, sample_weight=weights)
