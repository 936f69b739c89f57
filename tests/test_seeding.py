"""Seeded fits without global state: explicit seeds, per-fit data order."""

import random
import threading
import time

import keras
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl._backend.batches import ordered_batches
from sklearn_dl._core.feeders import (
    ArrayFeeder,
    EpochOrdered,
    class_weight_rows,
    epoch_order,
)
from sklearn_dl._core.sample_weight import canonical_order
from sklearn_dl._core.seeding import seed_model
from sklearn_dl.networks import DenseClassifier
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=600, n_features=12, n_informative=6, random_state=0
    )
    return X.astype(np.float32), y


class Probe(keras.callbacks.Callback):
    """Records when training runs; with ``meet``, waits there for the other fit.

    A barrier at the end of the first epoch can only be passed when both
    fits are training at the same time: fits that took turns would break it.
    """

    def __init__(self, times=None, meet=None):
        super().__init__()
        self.times, self.meet = times, meet

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0 and self.meet is not None:
            self.meet.wait(timeout=60)

    def on_train_end(self, logs=None):
        if self.times is not None:
            self.times.append((self.start, time.perf_counter()))


def _classifier(seed, **params):
    params = {"epochs": 4, "batch_size": 16, "model__hidden": 16, **params}
    return KerasClassifier(mlp, random_state=seed, **params)


def test_two_seeded_fits_in_threads_overlap_and_equal_serial_ones(data):
    X, y = data
    alone = {seed: _classifier(seed).fit(X, y) for seed in (1, 2)}
    times, meet = [], threading.Barrier(2)
    fitted, errors = {}, []

    def fit(seed):
        try:
            estimator = _classifier(
                seed,
                callbacks={"probe": Probe},
                callbacks__probe__times=times,
                callbacks__probe__meet=meet,
            )
            fitted[seed] = estimator.fit(X, y)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=fit, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    (start_a, end_a), (start_b, end_b) = times
    assert max(start_a, start_b) < min(end_a, end_b)  # the fits overlapped
    for seed in (1, 2):
        np.testing.assert_array_equal(
            fitted[seed].predict_proba(X), alone[seed].predict_proba(X)
        )
        for ours, theirs in zip(
            fitted[seed].model_.get_weights(),
            alone[seed].model_.get_weights(),
            strict=True,
        ):
            np.testing.assert_array_equal(ours, theirs)
    assert not np.array_equal(alone[1].predict_proba(X), alone[2].predict_proba(X))


def test_threads_drawing_from_global_generators_change_nothing(data):
    X, y = data
    expected = _classifier(5).fit(X, y).predict_proba(X)
    stop = threading.Event()

    def busy_drawing():
        while not stop.is_set():
            random.random()
            np.random.random_sample()

    drawer = threading.Thread(target=busy_drawing)
    drawer.start()
    try:
        results = [_classifier(5).fit(X, y).predict_proba(X) for _ in range(2)]
    finally:
        stop.set()
        drawer.join()
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_a_fit_leaves_the_global_generators_alone(data):
    X, y = data
    functions = {name: getattr(random, name) for name in ("randint", "random")}
    np.random.seed(3)
    numpy_state = np.random.get_state()
    _classifier(0).fit(X, y)
    after = np.random.get_state()
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    for name, function in functions.items():
        assert getattr(random, name) is function


def _all_seeded(meta, compile_kwargs=None):
    """Every random source seeded by the builder: Keras draws no default seed."""
    return keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Dense(
                8,
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=1),
            ),
            keras.layers.Dropout(0.1, seed=2),
            keras.layers.Dense(
                meta["n_classes_"],
                activation="softmax",
                kernel_initializer=keras.initializers.GlorotUniform(seed=3),
            ),
        ]
    )


def test_a_builder_with_seeded_layers_leaves_python_random_alone(data):
    X, y = data
    random.seed(11)
    state = random.getstate()
    KerasClassifier(_all_seeded, epochs=1, random_state=0).fit(X, y)
    assert random.getstate() == state


def test_python_random_state_does_not_change_a_seeded_fit(data):
    """Keras draws unseeded layers' default seeds from ``random``: overridden."""
    X, y = data
    random.seed(1)
    a = _classifier(4).fit(X, y).predict_proba(X)
    random.seed(2)
    b = _classifier(4).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_dropout_networks_repeat_and_depend_on_the_seed(data):
    X, y = data

    def fit(seed):
        network = DenseClassifier(
            hidden_layer_sizes=(16,), dropout=0.5, epochs=2, random_state=seed
        )
        return network.fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(fit(0), fit(0))
    assert not np.array_equal(fit(0), fit(1))


class _Noisy(keras.layers.Layer):
    """A custom layer with an unseeded SeedGenerator (like Dropout)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.generator = keras.random.SeedGenerator()

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = keras.random.normal(keras.ops.shape(inputs), seed=self.generator)
        return inputs + 0.1 * noise


def _unseeded(meta=None, compile_kwargs=None):
    return keras.Sequential(
        [
            keras.Input((12,)),
            keras.layers.Dense(8, kernel_initializer="random_normal"),
            _Noisy(),
            keras.layers.Dense(4),
            keras.layers.Dense(
                2, kernel_initializer=keras.initializers.Orthogonal(seed=7)
            ),
        ]
    )


def test_seed_model_seeds_unseeded_sources_and_keeps_explicit_ones():
    first, second, other = _unseeded(), _unseeded(), _unseeded()
    keras_draws = [np.asarray(v) for v in first.weights]
    seed_model(first, 3)
    seed_model(second, 3)
    seed_model(other, 4)
    for a, b in zip(first.variables, second.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    # The unseeded kernels and the generator moved; the seeded kernel did not.
    assert not np.array_equal(np.asarray(first.weights[0]), keras_draws[0])
    assert not np.array_equal(np.asarray(first.weights[2]), keras_draws[2])
    np.testing.assert_array_equal(np.asarray(first.weights[4]), keras_draws[4])
    moved = np.asarray(other.weights[0])
    assert not np.array_equal(np.asarray(first.weights[0]), moved)
    states = [np.asarray(m.layers[1].generator.state) for m in (first, second, other)]
    np.testing.assert_array_equal(states[0], states[1])
    assert not np.array_equal(states[0], states[2])


def test_seed_model_keeps_weights_that_were_set():
    model = _unseeded()
    pretrained = [np.full(w.shape, 0.5, dtype=w.dtype) for w in model.get_weights()]
    model.set_weights(pretrained)
    seed_model(model, 3)
    for weight, expected in zip(model.get_weights(), pretrained, strict=True):
        np.testing.assert_array_equal(weight, expected)


def test_a_user_builder_repeats_and_keeps_its_pretrained_weights(data):
    X, y = data
    pretrained = np.full((12, 16), 0.01, dtype=np.float32)

    def builder(meta, compile_kwargs=None):
        model = mlp(meta, hidden=16)
        bias = model.layers[0].get_weights()[1]
        model.layers[0].set_weights([pretrained, bias])
        return model

    def fit(seed, **params):
        return KerasClassifier(builder, epochs=2, random_state=seed, **params).fit(X, y)

    np.testing.assert_array_equal(fit(0).predict_proba(X), fit(0).predict_proba(X))
    frozen = fit(0, optimizer="sgd", optimizer__learning_rate=0.0)
    np.testing.assert_array_equal(frozen.model_.layers[0].get_weights()[0], pretrained)
    # The unseeded output layer still takes its draw from random_state.
    out_0 = frozen.model_.layers[1].get_weights()[0]
    out_1 = fit(1, optimizer="sgd", optimizer__learning_rate=0.0).model_.layers[1]
    assert not np.array_equal(out_0, out_1.get_weights()[0])


def test_warm_start_and_partial_fit_continue_the_epoch_stream(data):
    X, y = data
    whole = _classifier(6, epochs=3).fit(X, y).predict_proba(X)
    warm = _classifier(6, epochs=1, warm_start=True)
    for _ in range(3):
        warm.fit(X, y)
    np.testing.assert_array_equal(warm.predict_proba(X), whole)
    partial = _classifier(6, epochs=1)
    for _ in range(3):
        partial.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_array_equal(partial.predict_proba(X), whole)


def test_a_seeded_fit_with_steps_per_epoch_repeats(data):
    # Keras would shuffle these rows itself, from a process-wide generator.
    X, y = data
    fits = [_classifier(8, fit__steps_per_epoch=5).fit(X, y) for _ in range(2)]
    np.testing.assert_array_equal(fits[0].history_["loss"], fits[1].history_["loss"])
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))
    other = _classifier(9, fit__steps_per_epoch=5).fit(X, y)
    assert not np.array_equal(other.history_["loss"], fits[0].history_["loss"])


@pytest.mark.parametrize("steps", [3, 6])
def test_steps_per_epoch_takes_batches_from_the_seeded_passes(steps):
    # 30 rows in batches of 8 make passes of 4 batches; an epoch of `steps`
    # batches ends part way through a pass (3) or spans two (6).
    x = np.arange(60, dtype=np.float32).reshape(30, 2)
    y = np.arange(30)
    epochs = 4
    arguments = ArrayFeeder(0).fit_arguments(
        {
            "x": x,
            "y": y,
            "sample_weight": None,
            "batch_size": 8,
            "shuffle": True,
            "validation_split": 0.0,
            "class_weight": None,
            "initial_epoch": 0,
            "epochs": epochs,
            "steps_per_epoch": steps,
        }
    )
    assert arguments["steps_per_epoch"] == steps
    order = canonical_order(x, y, None)
    batches = [np.asarray(batch[1]) for batch in arguments["x"]]
    assert len(batches) >= epochs * steps
    passes = [order[epoch_order(0, p, 30)] for p in range(len(batches) // 4)]
    np.testing.assert_array_equal(np.concatenate(batches), np.concatenate(passes))


def test_epoch_order_depends_on_seed_and_epoch_only():
    np.testing.assert_array_equal(epoch_order(3, 5, 10), epoch_order(3, 5, 10))
    assert sorted(epoch_order(3, 5, 10)) == list(range(10))
    assert not np.array_equal(epoch_order(3, 5, 50), epoch_order(3, 6, 50))
    assert not np.array_equal(epoch_order(3, 5, 50), epoch_order(4, 5, 50))


def test_ordered_batches_follow_the_epoch_orders():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    orders = [epoch_order(0, epoch, 10) for epoch in (2, 3)]
    batches = ordered_batches((x, y), lambda: iter(orders), 4)
    seen = [np.asarray(batch[1]) for batch in batches]
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    np.testing.assert_array_equal(np.concatenate(seen), np.concatenate(orders))


def test_feeder_keeps_keras_validation_split_rule():
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    X = X.astype(np.float32)
    arguments = ArrayFeeder(0).fit_arguments(
        {
            "x": X,
            "y": y,
            "sample_weight": None,
            "batch_size": 8,
            "shuffle": True,
            "validation_split": 0.25,
            "class_weight": None,
            "initial_epoch": 0,
            "epochs": 2,
        }
    )
    x_val, y_val = arguments["validation_data"]
    np.testing.assert_array_equal(x_val, X[30:])
    np.testing.assert_array_equal(y_val, y[30:])
    assert arguments["steps_per_epoch"] == 4
    assert not arguments["shuffle"] and arguments["validation_split"] == 0.0
    rows = np.concatenate([np.asarray(batch[1]) for batch in arguments["x"]])
    assert sorted(rows.tolist()) == sorted(np.tile(y[:30], 2).tolist())


def test_validation_split_scores_the_last_rows():
    X, y = make_regression(n_samples=80, n_features=3, random_state=0)
    X, y = X.astype(np.float32), (y / 100).astype(np.float32)
    reg = KerasRegressor(mlp, epochs=1, validation_split=0.25, random_state=0)
    reg.fit(X, y)
    expected = np.mean((reg.predict(X[60:]) - y[60:]) ** 2)
    np.testing.assert_allclose(reg.history_["val_loss"][-1], expected, rtol=1e-4)


def test_class_weight_rows_as_keras_computes_them():
    weights = {0: 2.0, 2: 0.5}
    np.testing.assert_array_equal(
        class_weight_rows(np.array([0, 1, 2, 0]), weights), [2.0, 1.0, 0.5, 2.0]
    )
    np.testing.assert_array_equal(
        class_weight_rows(np.eye(3)[[2, 0]], weights), [0.5, 2.0]
    )


def test_epoch_ordered_datasets_take_the_fit_seed():
    dataset = EpochOrdered(12, shuffle=True)
    dataset.start(9, 4)  # as the text generator's feeder does
    np.testing.assert_array_equal(dataset.order(), epoch_order(9, 4, 12))
    dataset.next_epoch()
    np.testing.assert_array_equal(dataset.order(), epoch_order(9, 5, 12))
    assert EpochOrdered(12, shuffle=False).order() is None
