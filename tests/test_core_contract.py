"""The core's promises: transactional fits, finite results, unmutated parameters,
row-independent predictions, thread-safe stateful prediction."""

from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import NotFittedError

from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl.exceptions import TrainingDivergedError
from sklearn_dl.networks import (
    ConvClassifier,
    DenseClassifier,
    DenseRegressor,
    RecurrentRegressor,
)
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


class FailAtEpoch(keras.callbacks.Callback):
    """Raise ``error`` when epoch ``epoch`` (0-based) ends."""

    def __init__(self, epoch, error):
        super().__init__()
        self.epoch, self.error = epoch, error

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise self.error


def fitted_state(estimator):
    """What a failed fit must leave untouched."""
    return {
        "model": estimator.__dict__.get("_model"),
        "weights": [w.copy() for w in estimator.model_.get_weights()],
        "history": {k: list(v) for k, v in estimator.history_.items()},
        "classes": getattr(estimator, "classes_", None),
        "n_features": estimator.n_features_in_,
    }


def assert_same_state(estimator, state, X):
    assert estimator.__dict__.get("_model") is state["model"]
    for now, before in zip(
        estimator.model_.get_weights(), state["weights"], strict=True
    ):
        assert_array_equal(now, before)
    assert estimator.history_ == state["history"]
    assert_array_equal(getattr(estimator, "classes_", None), state["classes"])
    assert estimator.n_features_in_ == state["n_features"]
    assert np.isfinite(estimator.predict_proba(X)).all()


# --------------------------------------------------------- transactional fit
@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
@pytest.mark.parametrize("same_architecture", [True, False])
def test_a_failed_refit_leaves_the_previous_model(blobs, error, same_architecture):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=2, random_state=0).fit(X, y)
    state = fitted_state(clf)
    clf.set_params(callbacks=[FailAtEpoch(1, error)], epochs=3)
    with pytest.raises(type(error)):
        if same_architecture:  # the refit retrains the previous model itself
            clf.set_params(random_state=1).fit(X * 2, y)
        else:
            clf.fit(X[:, :5], y == 0)  # other features and classes, too
    assert_same_state(clf, state, X)


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failed_warm_fit_restores_weights_and_history(blobs, error):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=2, warm_start=True, random_state=0).fit(X, y)
    state = fitted_state(clf)
    clf.set_params(callbacks=[FailAtEpoch(3, error)])
    with pytest.raises(type(error)):
        clf.fit(X, y)
    assert_same_state(clf, state, X)
    clf.set_params(callbacks=None).fit(X, y)  # epochs still count from 2
    assert len(clf.history_["loss"]) == 4


def test_a_failed_first_fit_leaves_the_estimator_unfitted(blobs):
    X, y = blobs
    clf = KerasClassifier(
        mlp, epochs=2, callbacks=[FailAtEpoch(0, KeyboardInterrupt())]
    )
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not any(name.endswith("_") for name in vars(clf))
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_a_failed_partial_fit_keeps_the_previous_state(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    state = fitted_state(clf)
    clf.set_params(callbacks=[FailAtEpoch(1, RuntimeError("boom"))])
    with pytest.raises(RuntimeError, match="boom"):
        clf.partial_fit(X, y)
    assert_same_state(clf, state, X)


# ------------------------------------------------------------------ divergence
def test_a_huge_learning_rate_raises_instead_of_predicting_nan():
    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16
    clf = DenseClassifier(
        hidden_layer_sizes=(32,),
        learning_rate=1e20,
        optimizer="adam",
        epochs=1,
        batch_size=300,  # one batch: its loss is computed before the update
        random_state=0,
    )
    with pytest.raises(TrainingDivergedError, match="diverged"):
        clf.fit(X, y[:300])
    with pytest.raises(NotFittedError):
        clf.predict_proba(X)


def test_non_finite_outputs_are_refused_at_predict(blobs):
    X, y = blobs
    reg = DenseRegressor(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    reg.fit(X, y.astype(float))
    with pytest.raises(ValueError, match="NaN or infinite outputs"):
        reg.predict(np.full((3, X.shape[1]), 3e38, dtype=np.float32))


# ------------------------------------------------------- parameters unmutated
def with_inner(meta, inner):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            inner,
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def test_a_keras_model_given_as_builder_argument_is_never_trained(blobs):
    X, y = blobs
    inner = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8)])
    start = [w.copy() for w in inner.get_weights()]
    clf = KerasClassifier(with_inner, model__inner=inner, epochs=3, random_state=0)
    first = clf.fit(X, y).predict_proba(X)
    for now, before in zip(inner.get_weights(), start, strict=True):
        assert_array_equal(now, before)
    assert clf.get_params()["model__inner"] is inner
    np.testing.assert_allclose(clf.fit(X, y).predict_proba(X), first, atol=1e-6)


# ---------------------------------------------------- row-independent predict
def digits_images(n=90):
    X, y = load_digits(return_X_y=True)
    return (X[:n] / 16).reshape(-1, 8, 8, 1).astype(np.float32), y[:n]


def sequences(n=90):
    rng = np.random.RandomState(0)
    X = rng.rand(n, 5, 2).astype(np.float32)
    return X, X.sum(axis=(1, 2))


@pytest.mark.parametrize(
    "make_estimator, make_data",
    [
        (lambda: DenseClassifier(hidden_layer_sizes=(16,), epochs=1), digits_images),
        (lambda: ConvClassifier(filters=(4,), epochs=1), digits_images),
        (lambda: RecurrentRegressor(units=(8,), epochs=1), sequences),
    ],
    ids=["dense", "conv", "recurrent"],
)
def test_a_rows_prediction_does_not_depend_on_the_other_rows(make_estimator, make_data):
    X, y = make_data()
    if X.ndim == 4 and "Dense" in type(make_estimator()).__name__:
        X = X.reshape(X.shape[0], -1)
    estimator = make_estimator().set_params(random_state=0).fit(X, y)
    outputs = estimator._predict_outputs(X)
    order = np.random.RandomState(1).permutation(X.shape[0])
    assert_array_equal(estimator._predict_outputs(X[order]), outputs[order])
    for subset in (slice(0, 1), slice(3, 10), slice(50, 90)):
        assert_array_equal(estimator._predict_outputs(X[subset]), outputs[subset])
    many = estimator._predict_outputs(np.concatenate([X] * 4))  # several calls
    assert_array_equal(many, np.concatenate([outputs] * 4))


# ------------------------------------------------- stateful, several threads
@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras 3 carries stateful RNN states on TensorFlow only",
)
def test_stateful_prediction_is_thread_safe():
    X, y = sequences(64)
    reg = RecurrentRegressor(
        units=(8,), stateful=True, batch_size=8, epochs=1, random_state=0
    ).fit(X, y)
    serial = reg.predict(X)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: reg.predict(X), range(16)))
    for result in results:
        assert_array_equal(result, serial)


def test_regressor_wrapper_rolls_back_too():
    X = np.random.RandomState(0).rand(40, 3).astype(np.float32)
    y = X.sum(axis=1)
    reg = KerasRegressor(mlp, epochs=2, random_state=0).fit(X, y)
    before = reg.predict(X)
    reg.set_params(callbacks=[FailAtEpoch(0, KeyboardInterrupt())])
    with pytest.raises(KeyboardInterrupt):
        reg.fit(X * 2, y)
    assert_array_equal(reg.predict(X), before)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras 3 carries stateful RNN states on TensorFlow only",
)
def test_a_users_stateful_model_trains_in_order_on_whole_batches():
    def stateful(meta):
        return keras.Sequential(
            [
                keras.Input(batch_shape=(8, *meta["X_shape_"][1:])),
                keras.layers.LSTM(4, stateful=True),
                keras.layers.Dense(1),
            ]
        )

    X, y = sequences(30)  # not a whole number of batches of 8
    reg = KerasRegressor(stateful, epochs=2, random_state=0).fit(X, y)
    assert len(reg.history_["loss"]) == 2
    assert_array_equal(reg.predict(X[3:4]), reg.predict(X)[3:4])
