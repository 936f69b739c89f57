"""scikit-learn 1.9 callbacks (``sklearn.callback``) on sklearn_dl networks."""

import numpy as np
import pytest

pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")

from sklearn.callback import ScoringMonitor
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl.networks import DenseClassifier, DenseRegressor

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


class Recorder:
    """Record every hook call as (hook, task path names)."""

    max_propagation_depth = None  # auto-propagated through meta-estimators

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.calls = []
        self.fitted = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.calls.append(("begin", context.task_name))

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        self.calls.append(("end", context.task_name))
        if fitted_estimator is not None and context.task_name.startswith("epoch"):
            self.fitted.append((fitted_estimator, X, y))
        return context.task_name == self.stop_at


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    return X, y


def _net(**params):
    params = {"epochs": 3, "batch_size": 20, "random_state": 0, **params}
    return DenseClassifier((8,), **params)


def test_set_callbacks_reports_epochs_and_batches(data):
    X, y = data
    recorder = Recorder()
    net = _net().set_callbacks(recorder)
    assert net.fit(X, y) is net
    names = [name for hook, name in recorder.calls if hook == "end"]
    assert names == [
        "batch 0",
        "batch 1",
        "epoch 0",
        "batch 0",
        "batch 1",
        "epoch 1",
        "batch 0",
        "batch 1",
        "epoch 2",
        "fit",
    ]
    assert recorder.calls[0] == ("setup", "fit")
    assert recorder.calls[-1] == ("teardown", "fit")
    # The fitted_estimator of an epoch predicts and knows its history so far.
    first, X_seen, y_seen = recorder.fitted[0]
    assert len(first.history_["loss"]) == 1
    assert first.predict(X_seen).shape == y_seen.shape


def test_warm_start_epochs_count_on(data):
    X, y = data
    recorder = Recorder()
    net = _net(warm_start=True, epochs=1).set_callbacks(recorder)
    net.fit(X, y).fit(X, y)
    epochs = [n for hook, n in recorder.calls if hook == "end" and "epoch" in n]
    assert epochs == ["epoch 0", "epoch 1"]


@pytest.mark.parametrize("stop_at", ["epoch 0", "batch 0"])
def test_true_from_on_fit_task_end_stops_training(data, stop_at):
    X, y = data
    recorder = Recorder(stop_at=stop_at)
    net = _net(epochs=5).set_callbacks(recorder)
    net.fit(X, y)
    # One epoch (a partial one when stopped after a batch), history agrees.
    assert len(net.history_["loss"]) == 1
    epochs = [n for hook, n in recorder.calls if hook == "end" and "epoch" in n]
    assert epochs == ["epoch 0"]
    assert recorder.calls[-1] == ("teardown", "fit")
    net.predict(X)


def test_teardown_runs_when_fit_raises(data):
    X, y = data
    recorder = Recorder()
    net = _net(epochs=1).set_callbacks(recorder)
    with pytest.raises(ValueError):
        net.fit(X, y[:-1])
    assert recorder.calls == []  # validation failed before any task opened
    assert not hasattr(net, "_callback_fit_ctx")


def test_scoring_monitor_logs_one_score_per_epoch(data):
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    _net().set_callbacks(monitor).fit(X, y)
    rows = [
        row for row in monitor.get_logs().data if row["task_name"].startswith("epoch")
    ]
    assert [row["task_name"] for row in rows] == ["epoch 0", "epoch 1", "epoch 2"]
    assert all(0.0 <= row["accuracy"] <= 1.0 for row in rows)


def test_regressor_scoring_monitor_with_sample_weight(data):
    X, _ = data
    y = X[:, 0] * 2.0
    monitor = ScoringMonitor(scoring="r2")
    net = DenseRegressor((8,), epochs=2, batch_size=20, random_state=0)
    net.set_callbacks(monitor).fit(X, y, sample_weight=np.linspace(0.5, 1.5, 40))
    rows = [r for r in monitor.get_logs().data if r["task_name"].startswith("epoch")]
    assert len(rows) == 2 and all(np.isfinite(r["r2"]) for r in rows)


def test_propagates_through_grid_search_of_a_pipeline(data):
    X, y = data
    recorder = Recorder()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), _net(epochs=2)),
        {"denseclassifier__hidden_layer_sizes": [(4,), (8,)]},
        cv=2,
    )
    search.set_callbacks(recorder)
    search.fit(X, y)
    epoch_ends = [n for hook, n in recorder.calls if hook == "end" and "epoch" in n]
    # 2 candidates x 2 folds + the refit, 2 epochs each.
    assert len(epoch_ends) == (2 * 2 + 1) * 2
    # Set up and torn down once, by the outermost estimator.
    assert [hook for hook, _ in recorder.calls].count("setup") == 1
    assert recorder.calls[-1][0] == "teardown"


def test_keras_callbacks_still_work_beside(data):
    import keras

    X, y = data
    recorder = Recorder()

    class StopAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    stopper = StopAfterFirstEpoch()
    net = _net(epochs=4, callbacks=[stopper]).set_callbacks(recorder)
    net.fit(X, y)
    assert len(net.history_["loss"]) == 1
    assert [n for h, n in recorder.calls if h == "end"][-1] == "fit"


def test_no_callbacks_no_bridge(data):
    X, y = data
    net = _net(epochs=1)
    net.fit(X, y)
    assert not hasattr(net, "_skl_callbacks")
    with pytest.raises(TypeError):
        net.set_callbacks(object())


def test_progress_bar_down_to_epochs(data):
    from sklearn.callback import ProgressBar

    pytest.importorskip("rich")
    X, y = data
    search = GridSearchCV(
        make_pipeline(StandardScaler(), _net(epochs=2)),
        {"denseclassifier__hidden_layer_sizes": [(4,)]},
        cv=2,
    )
    search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
    assert len(search.best_estimator_[-1].history_["loss"]) == 2
