"""Training faults, early stopping, concurrent predictions, steady memory."""

import gc
import os
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError

from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl.exceptions import TrainingDivergedError
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        n_samples=200, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


def exploding_data():
    """Rows 30-39 are huge, so the loss overflows in batch 3 of epoch 1."""
    rng = np.random.RandomState(0)
    X = rng.rand(100, 3).astype(np.float32)
    y = X.sum(axis=1)
    X[30:40] = 1e20
    return X, y


# ------------------------------------------------------------ divergence
def test_non_finite_loss_raises_and_leaves_the_estimator_unfitted():
    X, y = exploding_data()
    reg = KerasRegressor(mlp, epochs=3, batch_size=10, shuffle=False, random_state=0)
    with pytest.raises(TrainingDivergedError, match="epoch 1, batch 3") as info:
        reg.fit(X, y)
    error = info.value
    assert (error.epoch, error.batch) == (1, 3) and not np.isfinite(error.loss)
    assert isinstance(error, RuntimeError)
    with pytest.raises(NotFittedError):
        reg.predict(X)


def test_divergence_in_a_warm_start_fit_counts_epochs_and_rolls_back(blobs):
    X, y = exploding_data()
    reg = KerasRegressor(
        mlp, epochs=2, batch_size=10, shuffle=False, random_state=0, warm_start=True
    )
    reg.fit(X[:30], y[:30])
    before = reg.predict(X[:30])
    with pytest.raises(TrainingDivergedError, match="epoch 3, batch 3"):
        reg.fit(X, y)
    # The fit that diverged left the warm-started model as it was.
    np.testing.assert_array_equal(reg.predict(X[:30]), before)
    assert len(reg.history_["loss"]) == 2
    reg.fit(X[:30], y[:30])  # a later fit continues from there and works
    assert len(reg.history_["loss"]) == 4
    assert np.isfinite(reg.predict(X[:30])).all()


def test_nan_from_the_loss_function_is_caught():
    def nan_loss(y_true, y_pred):
        return keras.ops.mean(y_pred) * np.nan

    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    reg = KerasRegressor(mlp, loss=nan_loss, epochs=2, random_state=0)
    with pytest.raises(
        TrainingDivergedError, match="loss became nan in epoch 1, batch 0"
    ):
        reg.fit(X, y)


def test_finite_training_is_untouched_by_the_guard(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=2, random_state=0).fit(X, y)
    assert sorted(clf.history_) == ["loss"]
    assert all(np.isfinite(clf.history_["loss"]))


# -------------------------------------------------------- early stopping
class RecordWeights(keras.callbacks.Callback):
    """Keep the weights after every epoch (in a class attribute: estimators
    copy their callbacks)."""

    recorded: list = []

    def on_epoch_end(self, epoch, logs=None):
        RecordWeights.recorded.append(self.model.get_weights())


def test_early_stopping_restores_the_best_weights(blobs):
    X, y = blobs
    RecordWeights.recorded = []
    early = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=2, min_delta=10.0, restore_best_weights=True
    )
    clf = KerasClassifier(
        mlp,
        epochs=20,
        validation_split=0.25,
        random_state=0,
        callbacks=[early, RecordWeights()],
    ).fit(X, y)
    # No later epoch improves by 10: training stops after patience epochs and
    # the weights of epoch 1 (the best) come back.
    assert len(clf.history_["loss"]) == 3
    for restored, best in zip(
        clf.model_.get_weights(), RecordWeights.recorded[0], strict=True
    ):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(
        RecordWeights.recorded[-1][0], RecordWeights.recorded[0][0]
    )


def test_network_early_stopping_parameter(blobs):
    networks = pytest.importorskip("sklearn_dl.networks")
    X, y = blobs
    clf = networks.DenseClassifier(
        hidden_layer_sizes=(8,),
        epochs=50,
        early_stopping=True,
        patience=1,
        validation_split=0.25,
        learning_rate=0.5,
        random_state=0,
    ).fit(X, y)
    assert len(clf.history_["loss"]) < 50
    val_loss = clf.history_["val_loss"]
    evaluated = clf.model_.evaluate(
        X[150:], clf._targets.encode(clf, y[150:]), verbose=0
    )
    loss = evaluated[0] if isinstance(evaluated, list) else evaluated
    assert loss == pytest.approx(min(val_loss), rel=1e-5)


# ----------------------------------------------------------- concurrency
def test_concurrent_predictions_match_sequential_ones(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    chunks = [X[start : start + 25] for start in range(0, len(X), 25)] * 3
    sequential = [clf.predict_proba(chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(clf.predict_proba, chunks))
    for got, expected in zip(concurrent, sequential, strict=True):
        np.testing.assert_array_equal(got, expected)
    with ThreadPoolExecutor(max_workers=4) as pool:
        labels = list(pool.map(clf.predict, chunks))
    np.testing.assert_array_equal(
        np.concatenate(labels), clf.predict(np.concatenate(chunks))
    )


# ---------------------------------------------------------------- memory
def test_memory_stays_flat_over_repeated_fits(blobs):
    psutil = pytest.importorskip("psutil")
    X, y = blobs
    process = psutil.Process(os.getpid())

    def fit_and_score():
        clf = KerasClassifier(mlp, optimizer="adam", epochs=1, random_state=0)
        clf.fit(X, y).score(X, y)

    for _ in range(5):  # warm-up: traces, pools, allocator arenas
        fit_and_score()
    gc.collect()
    before = process.memory_info().rss
    for _ in range(25):
        fit_and_score()
    gc.collect()
    growth_mb = (process.memory_info().rss - before) / 2**20
    assert growth_mb < 50, f"resident memory grew by {growth_mb:.1f} MB over 25 fits"
