"""Several training steps per compiled call (TensorFlow) change nothing but time.

Where nothing observes single batches, fits on TensorFlow run a whole epoch
per call of the train function (Keras's ``steps_per_execution``). Each test
compares such a fit with the same fit run one step per call.
"""

import gc

import keras
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

import sklearn_dl._core.estimator as estimator_module
from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._core.model_pool import POOL
from sklearn_dl.exceptions import TrainingDivergedError
from sklearn_dl.networks import DenseClassifier
from tests.builders import mlp

# The JAX job runs them too: there, every fit runs one step per call.
pytestmark = pytest.mark.backends
on_tensorflow = configured_backend() == "tensorflow"
# Skipped on JAX: there sklearn_dl keeps one step per call (another
# steps_per_execution compiles another program), and traces are TensorFlow's.


@pytest.fixture(autouse=True)
def _empty_pool():
    POOL.clear()
    yield
    POOL.clear()


@pytest.fixture
def steps_used(monkeypatch):
    """The steps per call of every fit, as the estimator asked for them."""
    used = []
    original = estimator_module.several_steps

    def spy(model, steps):
        used.append(steps)
        return original(model, steps)

    monkeypatch.setattr(estimator_module, "several_steps", spy)
    return used


def one_step_per_call(monkeypatch):
    monkeypatch.setattr(estimator_module, "steps_per_call", lambda model, steps: 1)


def classification(n=203):  # 203 rows: a partial last batch of 11
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


def assert_same_fit(a, b):
    for wa, wb in zip(a.model_.get_weights(), b.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert a.history_ == b.history_


CONFIGURATIONS = {
    "classifier": (KerasClassifier, {}, {}),
    "regressor": (KerasRegressor, {}, {}),
    "sample_weight": (KerasClassifier, {}, {"sample_weight": True}),
    "validation_split": (
        KerasClassifier,
        {"validation_split": 0.2, "metrics": ["accuracy"]},
        {},
    ),
    "class_weight": (KerasClassifier, {"class_weight": "balanced"}, {}),
    "unshuffled": (KerasClassifier, {"shuffle": False}, {}),
    "early_stopping": (
        KerasClassifier,
        {
            "validation_split": 0.25,
            "callbacks": [
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=0, min_delta=10.0
                )
            ],
        },
        {},
    ),
    "warm_start": (KerasClassifier, {"warm_start": True}, {"twice": True}),
    "xla": (KerasClassifier, {"compile__jit_compile": True}, {}),
    "network_early_stopping": (
        DenseClassifier,
        {"early_stopping": True, "patience": 1, "validation_split": 0.25},
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_several_steps_per_call_train_exactly_as_one(name, monkeypatch, steps_used):
    kind, params, how = CONFIGURATIONS[name]
    if kind is KerasRegressor:
        X, y = make_regression(n_samples=203, n_features=6, random_state=0)
        X, y = X.astype(np.float32), y / 100
    else:
        X, y = classification()
    weights = np.random.default_rng(0).uniform(0.2, 2.0, len(y))
    fit_params = {"sample_weight": weights} if how.get("sample_weight") else {}
    settings = {"optimizer": "adam", "epochs": 4, "batch_size": 16, "random_state": 5}

    def fitted():
        estimator = (
            kind(**settings, **params)
            if kind is DenseClassifier
            else kind(mlp, **settings, **params)
        )
        for _ in range(2 if how.get("twice") else 1):
            estimator.fit(X, y, **fit_params)
        return estimator

    several = fitted()
    one_step_per_call(monkeypatch)
    single = fitted()
    assert_same_fit(several, single)
    if on_tensorflow:
        assert max(steps_used) > 1
        assert several.model_.steps_per_execution == 1  # the compiled value
    else:
        assert set(steps_used) == {1}
    if name == "early_stopping":
        assert len(several.history_["loss"]) < 4


@pytest.mark.skipif(not on_tensorflow, reason="TensorFlow runs several steps")
def test_a_call_never_crosses_an_epoch_end(steps_used):
    # 13 batches per epoch: a prime, so the one value that divides it is 13.
    X, y = classification(n=200)
    KerasClassifier(mlp, epochs=2, batch_size=16, random_state=0).fit(X, y)
    assert steps_used == [13]


class _CountBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


class _CountingClassifier(KerasClassifier):
    """Counts the batches of every fit with a callback of its own."""

    def _make_callbacks(self):
        self.counter_ = _CountBatches()
        return [*super()._make_callbacks(), self.counter_]


@pytest.mark.parametrize(
    "params",
    [
        {"verbose": 2},
        {"callbacks": [keras.callbacks.TerminateOnNaN()]},
        {"fit__steps_per_epoch": 5},
        {"validation_split": 0.2, "fit__validation_steps": 2},
    ],
)
def test_batch_observers_keep_one_step_per_call(params, steps_used, capsys):
    X, y = classification()
    KerasClassifier(mlp, epochs=1, batch_size=16, random_state=0, **params).fit(X, y)
    assert steps_used == [1]


def test_a_callback_sees_every_batch(steps_used):
    X, y = classification()
    estimator = _CountingClassifier(mlp, epochs=2, batch_size=16, random_state=0)
    estimator.fit(X, y)
    assert steps_used == [1]
    assert estimator.counter_.batches == 2 * 13


def _compiled_with_three_steps(meta, compile_kwargs):
    model = mlp(meta)
    model.compile(**compile_kwargs, steps_per_execution=3)
    return model


def test_a_builders_own_steps_per_execution_is_kept(steps_used):
    X, y = classification()
    estimator = KerasClassifier(
        _compiled_with_three_steps,
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        epochs=1,
        batch_size=16,
        random_state=0,
    ).fit(X, y)
    assert steps_used == [1]  # the core changes nothing
    assert estimator.model_.steps_per_execution == 3


def test_the_model_trains_one_step_per_call_after_a_fit():
    # The user's own Model.fit on model_ is the one they compiled: one batch
    # per call, every batch seen by their callbacks.
    X, y = classification()
    estimator = KerasClassifier(mlp, epochs=1, batch_size=16, random_state=0)
    estimator.fit(X, y)
    counter = _CountBatches()
    estimator.model_.fit(X, y, batch_size=16, epochs=1, verbose=0, callbacks=[counter])
    assert counter.batches == 13


def test_divergence_is_reported_at_the_same_batch(monkeypatch, steps_used):
    X, y = classification()
    X = X * 1e4

    def error():
        estimator = KerasRegressor(
            mlp,
            optimizer="sgd",
            optimizer__learning_rate=1e3,
            epochs=3,
            batch_size=16,
            random_state=0,
        )
        with pytest.raises(TrainingDivergedError) as raised:
            estimator.fit(X, y.astype(np.float32) * 1e4)
        assert not hasattr(estimator, "model_")
        caught = raised.value
        return caught.epoch, caught.batch, str(caught)

    several = error()
    if on_tensorflow:
        assert steps_used[0] > 1 and steps_used[-1] == 1  # then run again
    one_step_per_call(monkeypatch)
    assert several == error()


@pytest.mark.skipif(not on_tensorflow, reason="counts TensorFlow traces")
def test_refits_of_one_architecture_trace_once(monkeypatch):
    # train_step and test_step run in Python only while tf.function traces.
    traces = []
    for name in ("train_step", "test_step"):
        original = getattr(keras.Sequential, name)

        def counting(self, data, original=original, name=name):
            traces.append(name)
            return original(self, data)

        monkeypatch.setattr(keras.Sequential, name, counting)
    X, y = classification(n=260)  # 13 training batches of 16, 52 held out
    params = {"epochs": 2, "batch_size": 16, "validation_split": 0.2}
    estimator = KerasClassifier(mlp, random_state=0, **params)
    estimator.fit(X, y)
    first = list(traces)
    assert sorted(first) == ["test_step", "train_step"]
    estimator.fit(X, y)  # a refit of the same model
    estimator.fit(X[:254], y[:254])  # partial last batches, same steps
    assert traces == first
    del estimator  # its model goes back to the pool
    gc.collect()
    KerasClassifier(mlp, random_state=1, **params).fit(X[:250], y[:250])
    assert traces == first  # another estimator took the pooled model


@pytest.mark.skipif(not on_tensorflow, reason="TensorFlow runs several steps")
def test_a_recompiled_model_traces_its_steps_anew():
    from sklearn_dl._backend.steps import several_steps, steps_per_call

    X, y = classification(n=64)
    model = mlp({"X_shape_": X.shape, "n_classes_": 3})
    model.compile("adam", "sparse_categorical_crossentropy")
    steps = steps_per_call(model, 4)
    assert steps == 4
    with several_steps(model, steps):
        assert model.steps_per_execution == 4
        model.fit(X, y, batch_size=16, epochs=1, verbose=0)
        kept = model.train_function
    assert model.steps_per_execution == 1 and model.train_function is None
    with several_steps(model, steps):
        assert model.train_function is kept  # traced once, used again
    model.compile("sgd", "sparse_categorical_crossentropy")  # new optimizer
    with several_steps(model, steps):
        assert model.train_function is None  # the old one trained the old one
    assert steps_per_call(model, 3) == 3  # nothing kept divides 3


class _BatchRecorder:
    """A scikit-learn callback counting the batch tasks that end."""

    max_propagation_depth = None

    def __init__(self):
        self.batches = 0

    def setup(self, estimator, context):
        """Nothing to set up: the protocol asks for the hook."""

    def teardown(self, estimator, context):
        """Nothing to tear down."""

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        """Only ends are counted."""

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        self.batches += context.task_name.startswith("batch")
        return False


def test_scikit_learn_callbacks_see_every_batch(steps_used):
    # The project supports scikit-learn >= 1.6; callbacks came in 1.9.
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    X, y = classification()
    recorder = _BatchRecorder()
    net = KerasClassifier(mlp, epochs=2, batch_size=16, random_state=0)
    net.set_callbacks(recorder).fit(X, y)
    assert steps_used == [1]
    assert recorder.batches == 2 * 13
