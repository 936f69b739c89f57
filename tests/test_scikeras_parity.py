"""scikeras 0.13's documented behaviour, written in sklearn_dl's own style.

Each test stands for a gap of issue #15: what a scikeras user's code does,
and that sklearn_dl now does it (or refuses it with a clear error, where
the migration guide lists a deliberate difference).
"""

import pickle
import warnings

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_dl import KerasClassifier, KerasRegressor
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5).astype(int)
    return X, y


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3)).astype(np.float32)
    return X, X @ np.array([1.0, -2.0, 0.5])


def tiny(meta, compile_kwargs):
    """A scikeras builder: one Dense layer, compiled with the given arguments."""
    units = meta.get("n_classes_", meta["n_outputs_"])
    model = keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Dense(
                units, activation="softmax" if "n_classes_" in meta else None
            ),
        ]
    )
    model.compile(**compile_kwargs)
    return model


# ------------------------------------------------------------------ initialize
def test_initialize_uses_a_prebuilt_model_without_fitting(regression):
    X, y = regression
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(loss="mae", optimizer="sgd")
    expected = model.predict(X, verbose=0).ravel()
    reg = KerasRegressor(model=model)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    assert reg.initialize(X, y) is reg
    assert reg.model_ is model
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-6)
    assert reg.current_epoch == 0
    assert reg.initialize(X).model_ is model  # a regressor needs no y


def test_initialize_classifier_learns_classes_and_needs_y(data):
    X, y = data
    clf = KerasClassifier(mlp, random_state=0).initialize(X, y)
    assert list(clf.classes_) == [0, 1, 2]
    assert clf.predict_proba(X).shape == (60, 3)
    with pytest.raises(ValueError, match="needs y"):
        KerasClassifier(mlp).initialize(X)


def test_current_epoch_counts_fits_partial_fits_and_fit_epochs(regression):
    X, y = regression
    reg = KerasRegressor(mlp, model__hidden=4, fit__epochs=2, random_state=0)
    assert reg.current_epoch == 0
    reg.partial_fit(X, y)
    reg.partial_fit(X, y)
    assert reg.current_epoch == 2  # partial_fit trains one epoch, always
    reg.fit(X, y)
    assert reg.current_epoch == 2  # fit__epochs=2, a cold fit
    reg.partial_fit(X, y)
    assert reg.current_epoch == 3
    reg.fit(X, y, epochs=3)
    assert reg.current_epoch == 3


# ---------------------------------------------------------------- subclassing
class HiddenClassifier(KerasClassifier):
    """A scikeras-style subclass: its own parameter, the rest passed on."""

    def __init__(self, hidden=5, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden

    def _keras_build_fn(self, hidden, meta, compile_kwargs):
        return mlp(meta, hidden=hidden)


class SelfContained(KerasRegressor):
    """No parameters of its own; builds from attributes."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def _keras_build_fn(self, compile_kwargs):
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(self.units), keras.layers.Dense(1)]
        )
        model.compile(loss="mse", optimizer=compile_kwargs["optimizer"])
        return model


def test_subclass_keeps_parent_parameters_and_builds_with_own(data):
    X, y = data
    clf = HiddenClassifier(hidden=3, epochs=2, warm_start=False, random_state=0)
    params = clf.get_params()
    assert params["hidden"] == 3 and params["epochs"] == 2
    assert "warm_start" in params and "optimizer" in params
    clf.fit(X, y)
    assert clf.model_.layers[0].units == 3
    clone(clf).set_params(hidden=7, warm_start=True).fit(X, y)
    assert clone(clf).get_params()["hidden"] == 3


def test_keras_build_fn_with_compile_kwargs_only(regression):
    X, y = regression
    reg = SelfContained(units=2, optimizer="adam", random_state=0).fit(X, y)
    assert reg.model_.layers[0].units == 2
    assert reg.predict(X).shape == (50,)


def test_keras_build_fn_and_model_together_is_an_error(regression):
    X, y = regression
    with pytest.raises(ValueError, match="must be None"):
        SelfContained(model=mlp).fit(X, y)


def test_builder_with_var_keyword_gets_meta_compile_kwargs_params(data):
    X, y = data
    seen = {}

    def build(**kwargs):
        seen.update(kwargs)
        return tiny(kwargs["meta"], kwargs["compile_kwargs"])

    KerasClassifier(build, model__extra=1, loss="sparse_categorical_crossentropy").fit(
        X, y
    )
    assert {"meta", "compile_kwargs", "params", "extra"} <= set(seen)
    assert seen["meta"]["n_classes_"] == 3
    assert seen["params"]["model__extra"] == 1


def test_build_fn_alias_warns_and_works(regression):
    X, y = regression
    reg = KerasRegressor(build_fn=mlp, model__hidden=4)
    with pytest.warns(FutureWarning, match="build_fn"):
        reg.fit(X, y)
    assert "build_fn" in reg.get_params()
    with pytest.raises(ValueError, match="not both"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            KerasRegressor(model=mlp, build_fn=mlp).fit(X, y)


# -------------------------------------------------------------------- routing
def test_single_callback_and_string_metric(regression):
    X, y = regression
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    reg = KerasRegressor(mlp, callbacks=stop, metrics="mae", epochs=5).fit(X, y)
    assert reg.current_epoch < 5  # stopped early
    assert "mean_absolute_error" in reg.history_ and "mae" not in reg.history_


def test_dict_callbacks_with_positional_and_keyword_routing(regression):
    X, y = regression
    reg = KerasRegressor(
        mlp,
        callbacks={"stop": keras.callbacks.EarlyStopping},
        callbacks__stop__0="loss",  # positional: monitor
        callbacks__stop__min_delta=1e9,
        epochs=5,
    ).fit(X, y)
    assert reg.current_epoch < 5


def test_nested_metric_routing_by_index(data):
    X, y = data
    clf = KerasClassifier(
        mlp,
        metrics=[keras.metrics.SparseCategoricalAccuracy, "accuracy"],
        metrics__0__name="sca",
        loss="sparse_categorical_crossentropy",
    ).fit(X, y)
    assert "sca" in clf.history_ and "accuracy" in clf.history_


def test_routed_key_addressing_nothing_is_an_error(data):
    X, y = data
    clf = KerasClassifier(mlp, metrics=["accuracy"], metrics__3__name="x")
    with pytest.raises(ValueError, match="no such entry"):
        clf.fit(X, y)


def test_routed_class_value_is_built_with_its_own_keys(regression):
    X, y = regression
    reg = KerasRegressor(
        mlp,
        optimizer="sgd",
        optimizer__learning_rate=keras.optimizers.schedules.ExponentialDecay,
        optimizer__learning_rate__initial_learning_rate=0.01,
        optimizer__learning_rate__decay_steps=10,
        optimizer__learning_rate__decay_rate=0.9,
    ).fit(X, y)
    schedule = reg.model_.optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.ExponentialDecay)


def test_predict_callbacks_are_called(regression):
    X, y = regression

    class Count(keras.callbacks.Callback):
        batches = []

        def on_predict_batch_end(self, batch, logs=None):
            Count.batches.append(batch)

    reg = KerasRegressor(mlp, predict__callbacks=[Count()]).fit(X, y)
    reg.predict(X)
    assert Count.batches == [0]
    Count.batches.clear()
    reg.predict(X, batch_size=20, callbacks=Count())
    assert Count.batches == [0, 1, 2]


# ----------------------------------------------------------------- batch size
def test_batch_size_minus_one_uses_every_row(regression):
    X, y = regression
    reg = KerasRegressor(
        mlp, batch_size=-1, predict__batch_size=-1, validation_batch_size=-1
    )
    reg.set_params(validation_split=0.2)
    reg.fit(X, y)
    assert reg.predict(X).shape == (50,)
    assert reg.predict(X, batch_size=-1).shape == (50,)


def test_predict_batch_size_does_not_change_predictions(regression):
    X, y = regression
    reg = KerasRegressor(mlp, random_state=0).fit(X, y)
    np.testing.assert_allclose(reg.predict(X, batch_size=8), reg.predict(X), rtol=1e-5)
    with pytest.raises(ValueError, match="'steps'"):
        reg.predict(X, steps=2)


# ----------------------------------------------------------- fit-time overrides
def test_fit_time_overrides_apply_to_one_call(data):
    X, y = data
    clf = KerasClassifier(mlp, epochs=1, random_state=0)
    clf.fit(X, y, epochs=3, batch_size=8, verbose=0, shuffle=False)
    assert clf.current_epoch == 3
    clf.fit(X, y)
    assert clf.current_epoch == 1  # the parameters again
    clf.set_params(fit__epochs=2, fit__class_weight={0: 1.0, 1: 2.0, 2: 1.0})
    clf.fit(X, y)
    assert clf.current_epoch == 2
    with pytest.raises(ValueError, match="not among the classes"):
        clf.fit(X, y, class_weight={7: 1.0})
    with pytest.raises(ValueError, match="set by the estimator"):
        clf.fit(X, y, initial_epoch=2)


# ---------------------------------------------------------------- loss, history
def test_loss_contradicting_the_compiled_model_is_reported(regression):
    X, y = regression

    def compiled(meta):
        model = mlp(meta, hidden=4)
        model.compile(loss="mae", optimizer="sgd")
        return model

    with pytest.raises(ValueError, match="but model compiled with"):
        KerasRegressor(compiled, loss="cosine_similarity").fit(X, y)
    KerasRegressor(compiled, loss=keras.losses.MeanAbsoluteError()).fit(X, y)


def test_history_full_metric_names_survive_pickling(regression):
    X, y = regression
    reg = KerasRegressor(mlp, metrics=["mse", "mae"]).partial_fit(X, y)
    reg = pickle.loads(pickle.dumps(reg)).partial_fit(X, y)
    assert set(reg.history_) == {"loss", "mean_squared_error", "mean_absolute_error"}
    assert len(reg.history_["mean_squared_error"]) == 2


# ----------------------------------------------------------------------- n-D X
def test_image_input_sized_from_n_features_is_a_clear_error():
    rng = np.random.default_rng(3)
    images = rng.normal(size=(20, 6, 6)).astype(np.float32)
    labels = np.arange(20) % 2

    def flat_input(meta):  # the mistake: n_features_in_ is 6 (the height)
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(2, activation="softmax"),
            ]
        )

    clf = KerasClassifier(flat_input)
    with pytest.raises(ValueError, match=r"X_shape_'\]\[1:\]"):
        clf.fit(images, labels)
    assert not hasattr(clf, "model_")  # the fit left nothing behind
    assert KerasClassifier(mlp, epochs=1).fit(images, labels).n_features_in_ == 6


def test_fit_callbacks_built_from_nested_routed_keys(regression):
    X, y = regression

    class Halve:
        def __init__(self, factor=0.5):
            self.factor = factor

        def __call__(self, epoch, lr):
            return lr * self.factor

    reg = KerasRegressor(
        mlp,
        epochs=2,
        optimizer__learning_rate=0.1,
        fit__callbacks=[keras.callbacks.LearningRateScheduler],
        fit__callbacks__0__0=Halve,
        fit__callbacks__0__0__factor=0.5,
        random_state=0,
    ).fit(X, y)
    learning_rate = float(np.asarray(reg.model_.optimizer.learning_rate))
    assert learning_rate == pytest.approx(0.025)  # halved before each epoch
    with pytest.raises(ValueError, match="fit__callbacks__0__1__factor"):
        KerasRegressor(
            mlp,
            fit__callbacks=[keras.callbacks.LearningRateScheduler],
            fit__callbacks__0__1__factor=0.5,
        ).fit(X, y)


@pytest.mark.parametrize("loss", [[None], {"out": None}])
def test_per_output_loss_holding_no_loss_is_a_clear_error(regression, loss):
    X, y = regression
    with pytest.raises(ValueError, match="must provide a loss function"):
        KerasRegressor(mlp, loss=loss).fit(X, y)


def test_failed_initialize_leaves_the_estimator_as_it_was(data):
    X, y = data
    clf = KerasClassifier(mlp, random_state=0).fit(X, y)
    model, classes = clf.model_, clf.classes_
    with pytest.raises(ValueError, match="only one class"):
        clf.initialize(X, np.zeros(len(X)))
    assert clf.model_ is model
    np.testing.assert_array_equal(clf.classes_, classes)
    assert clf.predict(X).shape == (60,)


# ------------------------------------------- loss names and per-output losses
def two_outputs(meta, compile_kwargs):
    """A builder with two named sigmoid outputs, ``out1`` and ``out2``."""
    inputs = keras.Input(meta["X_shape_"][1:])
    outputs = [
        keras.layers.Dense(1, activation="sigmoid", name=f"out{i}")(inputs)
        for i in (1, 2)
    ]
    model = keras.Model(inputs, outputs)
    model.compile(**compile_kwargs)
    return model


def test_loss_class_name_in_camel_case_takes_routed_keys(data):
    X, y = data
    clf = KerasClassifier(
        tiny,
        loss="SparseCategoricalCrossentropy",
        loss__name="named",
        epochs=1,
        random_state=0,
    ).fit(X, y)
    assert isinstance(clf.model_.loss, keras.losses.SparseCategoricalCrossentropy)
    assert clf.model_.loss.name == "named"


@pytest.mark.parametrize("loss", ["list", "dict"])
def test_per_output_losses_take_shared_and_per_entry_routed_keys(data, loss):
    X, y = data
    Y = np.column_stack([y > 0, y > 1]).astype(int)
    bce = keras.losses.BinaryCrossentropy
    spec = [bce, bce] if loss == "list" else {"out1": bce, "out2": bce}
    first = "0" if loss == "list" else "out1"
    clf = KerasClassifier(
        two_outputs,
        loss=spec,
        loss__label_smoothing=0.1,
        **{f"loss__{first}__label_smoothing": 0.2},
        epochs=1,
        random_state=0,
    ).fit(X, Y)
    built = clf.model_.loss
    entries = list(built) if loss == "list" else [built["out1"], built["out2"]]
    smoothing = [entry.get_config()["label_smoothing"] for entry in entries]
    assert smoothing == pytest.approx([0.2, 0.1])
    assert clf.loss is spec  # the parameter itself is left alone


def test_shared_loss_key_configuring_no_loss_class_is_an_error(data):
    X, y = data
    Y = np.column_stack([y > 0, y > 1]).astype(int)
    clf = KerasClassifier(
        two_outputs, loss=["binary_crossentropy"] * 2, loss__from_logits=True
    )
    with pytest.raises(ValueError, match=r"loss__from_logits.*no loss is passed"):
        clf.fit(X, Y)


# ---------------------------------------------------------- partial_fit kwargs
def test_partial_fit_takes_fit_arguments_for_one_call(regression):
    X, y = regression
    seen = []

    class Batches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    reg = KerasRegressor(tiny, loss="mse", batch_size=50, random_state=0)
    reg.partial_fit(X, y, batch_size=10, callbacks=[Batches()])
    assert len(seen) == 5 and reg.current_epoch == 1
    assert reg.batch_size == 50


@pytest.mark.parametrize("name", ["epochs", "initial_epoch"])
def test_partial_fit_refuses_epoch_arguments(data, name):
    X, y = data
    clf = KerasClassifier(tiny, loss="sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match=f"Invalid argument '{name}' to partial_fit"):
        clf.partial_fit(X, y, **{name: 2})
    assert not hasattr(clf, "model_")


class _Part:
    """A loss ingredient configured by routed keys."""

    def __init__(self, scale=1.0):
        self.scale = scale


class _PartsLoss(keras.losses.Loss):
    """A mean-squared-error loss holding a list of ``_Part`` objects."""

    def __init__(self, parts=(), name="parts_loss"):
        super().__init__(name=name)
        self.parts = parts

    def call(self, y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)


def test_routed_list_of_classes_is_built_entry_by_entry(regression):
    X, y = regression
    reg = KerasRegressor(
        tiny,
        loss=_PartsLoss,
        loss__parts=[_Part, _Part],
        loss__parts__scale=3.0,
        loss__parts__0__scale=2.0,
        epochs=1,
        random_state=0,
    ).fit(X, y)
    assert [part.scale for part in reg.model_.loss.parts] == [2.0, 3.0]
    with pytest.raises(ValueError, match=r"loss__parts__0__scale.*an instance"):
        clone(reg).set_params(loss__parts=[_Part()]).fit(X, y)


class _ScaledLoss:
    """A callable loss class (not a Keras ``Loss``) whose instances are renamed."""

    def __init__(self, factor=1.0):
        self.factor = factor
        self.__name__ = f"scaled_by_{factor}"

    def __call__(self, y_true, y_pred):
        return keras.losses.categorical_crossentropy(y_true, y_pred) * self.factor


def test_builder_compiling_an_instance_of_the_loss_class_is_no_contradiction(data):
    X, y = data
    clf = KerasClassifier(tiny, loss=_ScaledLoss, loss__factor=2.0, epochs=1)
    assert clf.fit(X, y).model_.loss.factor == 2.0


def test_per_output_loss_list_shorter_than_outputs_is_a_clear_error(data):
    X, y = data
    Y = np.column_stack([y > 0, y > 1]).astype(int)
    clf = KerasClassifier(two_outputs, loss=["binary_crossentropy"])
    with pytest.raises(ValueError, match="2 outputs but the loss gives 1"):
        clf.fit(X, Y)
