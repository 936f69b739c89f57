"""Fused fits: a search's networks trained as one JAX program, equal to sequential."""

import io
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import RandomizedSearchCV as SklearnRandomizedSearchCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.keras import import_keras
from sklearn_dl.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn_dl.model_selection._fused import (
    _prepared_refusal,
    fit_refusal,
    search_refusal,
)
from sklearn_dl.networks import DenseClassifier, DenseRegressor
from sklearn_dl.progress import fit_progress_callback, fit_with_progress

# Fused fits exist on JAX only; CI's JAX job runs these (marked backends),
# and the TensorFlow suite checks the fallback instead.
on_jax = pytest.mark.skipif(
    configured_backend() != "jax", reason="fused fits run on the JAX backend"
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    # 250 rows in 3 folds: training folds of 166 and 167 rows, so the last,
    # partial batch of an epoch has two sizes across the fused copies.
    return (X[:250] / 16).astype(np.float32), y[:250]


def network(**params):
    defaults = {"hidden_layer_sizes": (8,), "epochs": 2, "batch_size": 32}
    return DenseClassifier(**{**defaults, "random_state": 0, **params})


def assert_same_scores(ours, theirs):
    assert list(ours["params"]) == list(theirs["params"])
    for key in theirs:
        if key.endswith("_score") and not key.startswith("rank"):
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, err_msg=key)


@pytest.mark.backends
@on_jax
def test_fused_grid_search_equals_scikit_learns(digits):
    X, y = digits
    grid = {"hidden_layer_sizes": [(8,), (12,)], "learning_rate": [1e-3, 1e-2]}
    cv = StratifiedKFold(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no fallback
        ours = GridSearchCV(network(), grid, cv=cv, return_train_score=True)
        ours.fit(X, y)
    theirs = SklearnGridSearchCV(network(), grid, cv=cv, return_train_score=True)
    theirs.fit(X, y)
    # Two architectures, each one fused group of 2 rates x 3 folds.
    assert sorted(set(ours.fused_group_)) == [0, 1]
    assert ours.fused_reason_ == [""] * 4
    assert_same_scores(ours.cv_results_, theirs.cv_results_)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(
        ours.best_estimator_.predict_proba(X),
        theirs.best_estimator_.predict_proba(X),
        atol=1e-5,
    )


@pytest.mark.backends
@on_jax
def test_fused_randomized_regression_and_history_equal_sequential(digits):
    X, y = digits
    target = y.astype(np.float32) / 9
    regressor = DenseRegressor(
        hidden_layer_sizes=(8,), epochs=2, batch_size=32, random_state=3
    )
    space = {"learning_rate": [1e-3, 3e-3, 1e-2, 3e-2]}
    kwargs = {"n_iter": 2, "random_state": 0, "cv": 2, "refit": False}
    ours = RandomizedSearchCV(regressor, space, **kwargs).fit(X, target)
    theirs = SklearnRandomizedSearchCV(regressor, space, **kwargs).fit(X, target)
    assert (ours.fused_group_ == 0).all()
    assert_same_scores(ours.cv_results_, theirs.cv_results_)


@pytest.mark.backends
@on_jax
def test_unfusable_candidates_fall_back_with_their_reason(digits):
    X, y = digits
    grid = {"class_weight": [None, "balanced"], "learning_rate": [1e-2]}
    cv = StratifiedKFold(2)
    with pytest.warns(UserWarning, match="class_weight is set"):
        ours = GridSearchCV(network(), grid, cv=cv, refit=False).fit(X, y)
    theirs = SklearnGridSearchCV(network(), grid, cv=cv, refit=False).fit(X, y)
    assert list(ours.fused_group_) == [0, -1]
    assert ours.fused_reason_ == ["", "class_weight is set"]
    assert_same_scores(ours.cv_results_, theirs.cv_results_)


@pytest.mark.backends
@on_jax
def test_search_wide_reasons_fall_back_to_scikit_learns_fit(digits):
    X, y = digits
    grid = {"dense__learning_rate": [1e-2]}
    pipeline = make_pipeline(StandardScaler(), network())
    pipeline.steps[1] = ("dense", pipeline.steps[1][1])
    with warnings.catch_warnings():
        # A pipeline's search is scikit-learn's: reported, not warned about.
        warnings.simplefilter("error", UserWarning)
        search = GridSearchCV(pipeline, grid, cv=2, refit=False).fit(X, y)
    assert list(search.fused_group_) == [-1]
    assert "not a pipeline" in search.fused_reason_[0]
    weights = np.ones(len(y))
    search = GridSearchCV(network(), {"learning_rate": [1e-2]}, cv=2, refit=False)
    with pytest.warns(UserWarning, match="fit parameters"):
        search.fit(X, y, sample_weight=weights)
    assert search.fused_reason_ == ["fit parameters (such as sample_weight) are given"]


@pytest.mark.backends
@on_jax
def test_search_refusal_names_each_search_wide_reason(digits):
    X, _ = digits
    grid = {"learning_rate": [1e-2]}
    assert search_refusal(GridSearchCV(network(), grid), X, {}) is None
    reasons = [
        (GridSearchCV(make_pipeline(network()), {}), X, {}, "not a pipeline"),
        (GridSearchCV(network(), grid), X, {"sample_weight": 1}, "fit parameters"),
        (GridSearchCV(network(), grid, n_jobs=2), X, {}, "n_jobs"),
        (GridSearchCV(network(), grid), X.tolist(), {}, "not a NumPy array"),
    ]
    for search, data, params, reason in reasons:
        assert reason in search_refusal(search, data, params)


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"class_weight": "balanced"}, "class_weight is set"),
        ({"validation_split": 0.2}, "validation_split is set"),
        ({"callbacks": []}, "Keras callbacks are set"),
        ({"early_stopping": True}, "early_stopping is on"),
        ({"warm_start": True}, "warm_start is on"),
        ({"shuffle": False}, "shuffle=False"),
        ({"verbose": 1}, "verbose is not 0"),
        ({"run_eagerly": True}, "run_eagerly is on"),
        ({"mixed_precision": True}, "mixed_precision is on"),
        ({"device": "cpu"}, "a device is set"),
        ({"random_state": None}, "random_state is not an int"),
        ({"random_state": np.random.RandomState(0)}, "random_state is not an int"),
        ({"metrics": [len]}, "metrics are not names"),
    ],
)
def test_fit_refusal_names_each_reason(params, reason):
    estimator = DenseClassifier(random_state=0)
    assert fit_refusal(estimator) is None
    assert fit_refusal(estimator.set_params(**params)) == reason


def test_tensorflow_falls_back_to_scikit_learns_search(digits):
    if configured_backend() != "tensorflow":
        pytest.skip("the TensorFlow suite checks the TensorFlow fallback")
    X, y = digits
    grid = {"learning_rate": [1e-3, 1e-2]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no warning off JAX
        ours = GridSearchCV(network(epochs=1), grid, cv=2, refit=False).fit(X, y)
    theirs = SklearnGridSearchCV(network(epochs=1), grid, cv=2, refit=False)
    assert list(ours.fused_group_) == [-1, -1]
    assert ours.fused_reason_ == ["fused fits need the JAX backend"] * 2
    assert_same_scores(ours.cv_results_, theirs.fit(X, y).cv_results_)


@pytest.mark.backends
@on_jax
def test_a_fit_failing_when_fused_fails_as_scikit_learns(digits):
    X, y = digits
    grid = {"hidden_layer_sizes": [(8,), (-1,)], "learning_rate": [1e-2]}
    kwargs = {"cv": StratifiedKFold(2), "refit": False, "error_score": np.nan}
    with pytest.warns(UserWarning, match="its fit failed when fused"):
        ours = GridSearchCV(network(), grid, **kwargs).fit(X, y)
    theirs = SklearnGridSearchCV(network(), grid, **kwargs).fit(X, y)
    assert list(ours.fused_group_) == [0, -1]
    assert np.isnan(ours.cv_results_["mean_test_score"][1])
    assert_same_scores(ours.cv_results_, theirs.cv_results_)


# --------------------------------------------------- scikeras-style wrappers
def build_dense(meta, hidden=8):
    keras = import_keras()
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def wrapper(**params):
    defaults = {
        "model": build_dense,
        "optimizer": "adam",
        "epochs": 2,
        "batch_size": 32,
        "random_state": 0,
    }
    return KerasClassifier(**{**defaults, **params})


def same_search(estimator, grid, X, y, fused=True, **kwargs):
    """Our search and scikit-learn's over the same estimator; both fitted."""
    with warnings.catch_warnings():
        if fused:
            warnings.simplefilter("error", UserWarning)  # no fallback
        ours = GridSearchCV(estimator, grid, **kwargs).fit(X, y)
    theirs = SklearnGridSearchCV(estimator, grid, **kwargs).fit(X, y)
    assert_same_scores(ours.cv_results_, theirs.cv_results_)
    if "best_params_" in dir(theirs):
        assert ours.best_params_ == theirs.best_params_
    return ours


@pytest.mark.backends
@on_jax
def test_fused_keras_classifier_with_a_builder_equals_scikit_learns(digits):
    X, y = digits
    grid = {"model__hidden": [8, 12], "optimizer__learning_rate": [1e-3, 1e-2]}
    ours = same_search(
        wrapper(), grid, X, y, cv=StratifiedKFold(3), return_train_score=True
    )
    # The builder's two architectures: one group of 2 rates x 3 folds each.
    assert list(ours.fused_group_) == [0, 0, 1, 1]
    assert ours.fused_reason_ == [""] * 4


@pytest.mark.backends
@on_jax
def test_a_users_steps_per_epoch_fuses_and_equals_scikit_learns(digits):
    # 166-167 training rows make passes of 6 batches of 32; epochs of 4
    # batches end part way through a pass, and the seeded passes go on.
    X, y = digits
    grid = {"optimizer__learning_rate": [1e-3, 1e-2]}
    estimator = wrapper(epochs=3, fit__steps_per_epoch=4)
    ours = same_search(estimator, grid, X, y, cv=StratifiedKFold(3))
    assert list(ours.fused_group_) == [0, 0]
    assert ours.fused_reason_ == ["", ""]


@pytest.mark.backends
@on_jax
def test_fused_keras_regressor_equals_scikit_learns(digits):
    X, y = digits
    keras = import_keras()

    def build(hidden=8):
        return keras.Sequential(
            [
                keras.Input((64,)),
                keras.layers.Dense(hidden, activation="relu"),
                keras.layers.Dense(1),
            ]
        )

    regressor = KerasRegressor(
        build, optimizer="sgd", epochs=2, batch_size=32, random_state=1
    )
    grid = {"optimizer__learning_rate": [1e-3, 1e-2], "fit__epochs": [2]}
    ours = same_search(regressor, grid, X, y.astype(np.float32) / 9, cv=2)
    assert list(ours.fused_group_) == [0, 0]


@pytest.mark.backends
@on_jax
def test_a_builder_compiling_its_own_optimizer_fuses_its_learning_rates(digits):
    X, y = digits
    keras = import_keras()

    def build(meta, rate=1e-3):
        model = build_dense(meta)
        model.compile(keras.optimizers.Adam(rate), "sparse_categorical_crossentropy")
        return model

    grid = {"model__rate": [1e-3, 3e-2]}
    ours = same_search(wrapper(model=build), grid, X, y, cv=StratifiedKFold(2))
    assert list(ours.fused_group_) == [0, 0]  # the rate is an optimizer variable


@pytest.mark.backends
@on_jax
def test_learning_rate_schedules_and_other_optimizer_settings_split_groups(digits):
    X, y = digits
    keras = import_keras()
    schedules = [
        keras.optimizers.schedules.ExponentialDecay(1e-2, 4, 0.5),
        keras.optimizers.schedules.ExponentialDecay(1e-1, 4, 0.5),
    ]
    grid = {"optimizer__learning_rate": schedules}
    ours = same_search(wrapper(), grid, X, y, cv=StratifiedKFold(2), refit=False)
    assert list(ours.fused_group_) == [0, 1]  # a schedule is traced code
    grid = {"optimizer__beta_1": [0.9, 0.5], "optimizer__learning_rate": [1e-2]}
    ours = same_search(wrapper(), grid, X, y, cv=StratifiedKFold(2), refit=False)
    assert list(ours.fused_group_) == [0, 1]
    assert ours.fused_reason_ == ["", ""]


@pytest.mark.backends
@on_jax
def test_architectures_that_differ_across_folds_form_separate_groups(digits):
    X, y = digits
    keras = import_keras()

    def build(meta):
        # The fold's size picks the width: the folds' models differ.
        hidden = 8 if meta["X_shape_"][0] < 150 else 12
        return build_dense(meta, hidden=hidden)

    rows = np.arange(len(y))
    cv = [(rows[:120], rows[200:]), (rows[:180], rows[200:]), (rows[50:170], rows[:50])]
    grid = {"optimizer__learning_rate": [1e-3, 1e-2]}
    ours = same_search(wrapper(model=build), grid, X, y, cv=cv, refit=False)
    # Folds 0 and 2 (120 rows) train together, fold 1 (180 rows) apart.
    assert list(ours.fused_group_) == [0, 0]
    assert ours.fused_reason_ == ["", ""]
    assert keras is not None


def subclassed_builder(meta):
    keras = import_keras()

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(meta["n_classes_"], activation="softmax")

        def call(self, inputs):
            return self.dense(inputs)

    return Net()


def eager_builder(meta):
    model = build_dense(meta)
    model.compile("adam", "sparse_categorical_crossentropy", run_eagerly=True)
    return model


def unjitted_builder(meta):
    model = build_dense(meta)
    model.compile("adam", "sparse_categorical_crossentropy", jit_compile=False)
    return model


def stateful_builder(meta):
    keras = import_keras()
    # Keras 3 carries the states on TensorFlow only: the reason is the same.
    return keras.Sequential(
        [
            keras.Input(batch_shape=(32, meta["n_features_in_"])),
            keras.layers.Reshape((8, 8)),
            keras.layers.SimpleRNN(4, stateful=True),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def stop_on_nan():
    return [import_keras().callbacks.TerminateOnNaN()]


@pytest.mark.backends
@on_jax
@pytest.mark.parametrize(
    "params, reason",
    [
        ({"callbacks": stop_on_nan}, "Keras callbacks are set"),
        ({"fit__callbacks": stop_on_nan}, "Keras callbacks are set"),
        ({"fit__verbose": 2}, "verbose is not 0"),
        (
            {"fit__validation_data": "held out"},
            "Model.fit arguments are set (validation_data)",
        ),
        (
            {"model": subclassed_builder},
            "the model is a subclass of keras.Model (its own train step)",
        ),
        ({"model": eager_builder}, "the model is compiled to run eagerly"),
        ({"model": unjitted_builder}, "the model is compiled with jit_compile=False"),
        ({"model": stateful_builder}, "the network is stateful"),
        # Keras's own unshuffled batches (the shuffle parameter is checked
        # before preparing, the fit__ override only once prepared).
        ({"fit__shuffle": False}, "its rows are not fed as seeded batches"),
    ],
)
def test_wrapper_fits_that_cannot_fuse_fall_back_with_their_reason(
    digits, params, reason
):
    X, y = digits
    params = {
        name: (
            value()
            if value is stop_on_nan
            else (X[:20], y[:20])
            if value == "held out"
            else value
        )
        for name, value in params.items()
    }
    grid = {"optimizer__learning_rate": [1e-2]}
    kwargs = {"cv": StratifiedKFold(2), "refit": False}
    with pytest.warns(UserWarning, match="sequentially"):
        ours = GridSearchCV(wrapper(**params), grid, **kwargs).fit(X, y)
    assert list(ours.fused_group_) == [-1]
    assert ours.fused_reason_ == [reason]
    theirs = SklearnGridSearchCV(wrapper(**params), grid, **kwargs).fit(X, y)
    assert_same_scores(ours.cv_results_, theirs.cv_results_)


def two_outputs(meta):
    keras = import_keras()
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, [keras.layers.Dense(1)(hidden) for _ in range(2)])


def two_inputs(meta):
    keras = import_keras()
    left, right = keras.Input((32,), name="left"), keras.Input((32,), name="right")
    hidden = keras.layers.Dense(8, activation="relu")(
        keras.layers.Concatenate()([left, right])
    )
    outputs = keras.layers.Dense(meta["n_classes_"], activation="softmax")(hidden)
    return keras.Model({"left": left, "right": right}, outputs)


class SplitFeatures(KerasClassifier):
    """X's columns fed to two inputs: one NumPy X, several model inputs."""

    @property
    def feature_encoder(self):
        return FunctionTransformer(lambda X: {"left": X[:, :32], "right": X[:, 32:]})


@pytest.mark.backends
@on_jax
@pytest.mark.parametrize("several", ["outputs", "inputs"])
def test_several_inputs_or_outputs_fall_back_with_their_reason(digits, several):
    X, y = digits
    if several == "outputs":
        estimator = KerasRegressor(
            two_outputs, optimizer="adam", loss="mse", epochs=2, batch_size=32
        )
        target, cv = np.column_stack([y / 9, X[:, 10]]).astype(np.float32), 2
    else:
        estimator = SplitFeatures(two_inputs, optimizer="adam", epochs=2, batch_size=32)
        target, cv = y, StratifiedKFold(2)
    estimator.set_params(random_state=0)
    grid = {"optimizer__learning_rate": [1e-3, 1e-2]}
    with pytest.warns(UserWarning, match="several inputs or outputs"):
        ours = GridSearchCV(estimator, grid, cv=cv, refit=False).fit(X, target)
    assert list(ours.fused_group_) == [-1, -1]
    assert ours.fused_reason_ == ["the network has several inputs or outputs"] * 2
    theirs = SklearnGridSearchCV(estimator, grid, cv=cv, refit=False).fit(X, target)
    assert_same_scores(ours.cv_results_, theirs.cv_results_)


@pytest.mark.backends
@on_jax
def test_prepared_refusal_guards_what_no_estimator_prepares():
    # No public fit reaches these: the search prepares clones, unfitted and
    # not warm, so from epoch 0 (fit__initial_epoch is refused, see below),
    # and every shuffled array fit is fed as seeded batches.
    keras = import_keras()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    estimator = SimpleNamespace(_model=model)
    seeded = {"x": iter(()), "y": None, "verbose": 0, "steps_per_epoch": 2}
    assert _prepared_refusal(estimator, {**seeded, "initial_epoch": 0}) is None
    continued = {**seeded, "initial_epoch": 1}
    assert _prepared_refusal(estimator, continued) == "it continues an earlier fit"
    not_seeded = "its rows are not fed as seeded batches"
    assert _prepared_refusal(estimator, {**seeded, "y": np.ones(4)}) == not_seeded
    del seeded["steps_per_epoch"]
    assert _prepared_refusal(estimator, seeded) == not_seeded
    with pytest.raises(ValueError, match=r"initial_epoch.*set by the estimator"):
        wrapper(fit__initial_epoch=1).fit(np.ones((4, 3)), [0, 1, 0, 1])


@pytest.mark.backends
@on_jax
def test_a_wrapper_class_with_its_own_fit_is_not_fused(digits):
    X, _ = digits

    class Custom(KerasClassifier):
        def fit(self, X, y=None, **kwargs):
            return super().fit(X, y, **kwargs)

    search = GridSearchCV(Custom(build_dense, random_state=0), {"epochs": [1]}, cv=2)
    assert "class with its own fit" in search_refusal(search, X, {})
    assert search_refusal(GridSearchCV(wrapper(), {}), X, {}) is None


# ----------------------------------------------------------------- progress
@pytest.mark.backends
@on_jax
def test_verbose_reports_each_fused_group_and_its_epochs(digits, capsys):
    X, y = digits
    grid = {"model__hidden": [8, 12], "optimizer__learning_rate": [1e-3, 1e-2]}
    # verbose=2 trains epoch by epoch, to report them: still the same fits.
    same_search(wrapper(), grid, X, y, cv=StratifiedKFold(2), verbose=2)
    printed = capsys.readouterr().out
    assert "[fused group 0] 4 fits, 2 epochs: Sequential: Dense(8) > Dense(10)" in (
        printed
    )
    assert "[fused group 1] 4 fits, 2 epochs: Sequential: Dense(12) > Dense(10)" in (
        printed
    )
    assert "[fused group 1] epoch 2/2" in printed
    assert printed.count("fused group 0; total time=") == 4


@pytest.mark.backends
@on_jax
def test_fit_with_progress_shows_fused_groups(digits):
    X, y = digits
    grid = {"model__hidden": [8, 12], "optimizer__learning_rate": [1e-3, 1e-2]}
    search = GridSearchCV(wrapper(), grid, cv=StratifiedKFold(2))
    stream = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # the progress callback fuses
        fit_with_progress(search, X, y, stream=stream, interval=0.01)
    assert list(search.fused_group_) == [0, 0, 1, 1]
    lines = stream.getvalue().strip().splitlines()
    assert any("| fused group of 4 fits (Sequential: Dense(" in line for line in lines)
    assert lines[-1].startswith("fits 8/8, candidates 4/4, elapsed")
    assert lines[-1].endswith("refit epochs done")
    theirs = SklearnGridSearchCV(wrapper(), grid, cv=StratifiedKFold(2)).fit(X, y)
    assert_same_scores(search.cv_results_, theirs.cv_results_)


def test_fused_group_progress_writes_each_fit_and_the_group(tmp_path):
    group = fit_progress_callback(tmp_path).fused_group(
        n_fits=3, description="Sequential: Dense(8)", epochs=2
    )
    group.epoch_done(1)
    fits = sorted(path.read_text() for path in tmp_path.glob("*.fit"))
    assert fits == ["1/2"] * 3
    (record,) = tmp_path.glob("*.group")
    assert (
        record.read_text() == "fused group of 3 fits (Sequential: Dense(8)): epoch 1/2"
    )
    group.done()
    assert [path.read_text() for path in tmp_path.glob("*.fit")] == ["done"] * 3
    assert record.read_text() == "done"


@pytest.mark.backends
@on_jax
def test_groups_are_bounded_and_fuse_without_model_reuse(digits, monkeypatch):
    from sklearn_dl._core.model_pool import model_reuse_enabled, set_model_reuse
    from sklearn_dl.model_selection import _fused

    X, y = digits
    monkeypatch.setattr(_fused, "MAX_FUSED", 4)
    grid = {"model__hidden": [8, 12], "optimizer__learning_rate": [1e-3, 1e-2]}
    kwargs = {"cv": StratifiedKFold(3), "refit": False}
    ours = same_search(wrapper(), grid, X, y, **kwargs)
    # 6 fits per architecture, 4 at most a group (and 4 at most waiting):
    # groups 0 (candidate 0, and candidate 1's first fold), 1 (candidate 1's
    # other folds), 2 (candidate 2, candidate 3's first fold) and 3; a
    # candidate's number is its first group's.
    assert list(ours.fused_group_) == [0, 0, 2, 2]
    assert ours.fused_reason_ == [""] * 4
    assert model_reuse_enabled()
    set_model_reuse(False)  # every fit keeps its own model: fused all the same
    try:
        ours = same_search(wrapper(), grid, X, y, **kwargs)
    finally:
        set_model_reuse(True)
    assert ours.fused_reason_ == [""] * 4
