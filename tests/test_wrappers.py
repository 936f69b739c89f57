"""Behaviour of KerasClassifier / KerasRegressor beyond scikit-learn's checks."""

import copy
import pickle
import random

import joblib
import keras
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl._backend.devices import variable_device
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16).astype(np.float32), y[:400]


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        n_samples=200, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


def scikeras_build(meta, compile_kwargs, hidden_units=16):
    """A build function written for scikeras: reads meta, compiles itself."""
    n_classes = meta["n_classes_"]
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=compile_kwargs["optimizer"],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def sigmoid_build(meta):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def conv_build(meta):
    return keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


# ---------------------------------------------------------------- protocol
def test_is_classifier_and_regressor():
    assert is_classifier(KerasClassifier(mlp))
    assert is_regressor(KerasRegressor(mlp))
    assert not is_regressor(KerasClassifier(mlp))


def test_grid_search_uses_stratified_folds_and_routed_grid(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, optimizer="adam", epochs=3, random_state=0)
    assert isinstance(check_cv(5, y, classifier=is_classifier(clf)), StratifiedKFold)
    search = GridSearchCV(
        clf,
        {"model__hidden": [4, 16], "optimizer__learning_rate": [0.01]},
        cv=5,
    ).fit(X, y)
    assert set(search.best_params_) == {"model__hidden", "optimizer__learning_rate"}
    assert search.best_estimator_.model_.layers[0].units in (4, 16)
    learning_rate = search.best_estimator_.model_.optimizer.learning_rate
    assert float(learning_rate) == pytest.approx(0.01)


def test_cross_val_score_on_pipeline(digits):
    X, y = digits
    pipe = make_pipeline(
        StandardScaler(),
        KerasClassifier(mlp, optimizer="adam", epochs=20, random_state=0),
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.8


def test_scikeras_build_function_runs_unchanged(digits):
    X, y = digits
    clf = KerasClassifier(
        scikeras_build, hidden_units=32, optimizer="adam", epochs=20, random_state=0
    ).fit(X, y)
    assert clf.model_.layers[0].units == 32
    assert "accuracy" in clf.history_
    assert clf.score(X, y) > 0.5


# ------------------------------------------------------------------ labels
@pytest.mark.parametrize(
    "transform",
    [
        lambda y: y,
        lambda y: np.array(["cat", "dog", "emu"])[y],
        lambda y: y * 10 + 3,
    ],
    ids=["ints", "strings", "non-contiguous"],
)
def test_label_kinds_round_trip(blobs, transform):
    X, y = blobs
    labels = transform(y)
    clf = KerasClassifier(
        mlp, optimizer="adam", optimizer__learning_rate=0.01, epochs=10, random_state=0
    )
    clf.fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    assert clf.n_classes_ == 3
    assert set(clf.predict(X)) <= set(labels)
    proba = clf.predict_proba(X[:7])
    assert proba.shape == (7, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert clf.score(X, labels) > 0.6


def test_bool_labels_with_one_sigmoid_unit(blobs):
    X, y = blobs
    labels = y == 0
    clf = KerasClassifier(
        sigmoid_build,
        optimizer="adam",
        optimizer__learning_rate=0.01,
        epochs=10,
        random_state=0,
    )
    clf.fit(X, labels)
    assert clf.output_encoding_ == "binary"
    assert clf.model_.loss == "binary_crossentropy"
    np.testing.assert_array_equal(clf.classes_, [False, True])
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.predict(X).dtype == bool
    assert clf.score(X, labels) > 0.7


def test_default_loss_for_softmax_output_is_sparse(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    assert clf.model_.loss == "sparse_categorical_crossentropy"
    assert clf.output_encoding_ == "sparse"


def test_categorical_loss_gets_one_hot_targets(blobs):
    X, y = blobs
    clf = KerasClassifier(
        mlp, loss="categorical_crossentropy", epochs=3, random_state=0
    ).fit(X, y)
    assert clf.output_encoding_ == "onehot"
    assert np.isfinite(clf.history_["loss"]).all()


def test_output_size_mismatch_is_explained(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"1 output unit.*3 classes"):
        KerasClassifier(sigmoid_build).fit(X, y)


# --------------------------------------------------------------- regressor
def test_regressor_one_and_two_dimensional_targets():
    X, y = make_regression(n_samples=120, n_features=4, n_targets=2, random_state=0)
    y = y / y.std()
    reg2 = KerasRegressor(mlp, optimizer="adam", epochs=30, random_state=0)
    reg2.fit(X, y)
    assert reg2.predict(X).shape == (120, 2)
    assert reg2.n_outputs_ == 2
    assert reg2.score(X, y) > 0.5
    reg1 = KerasRegressor(mlp, optimizer="adam", epochs=30, random_state=0)
    reg1.fit(X, y[:, 0])
    prediction = reg1.predict(X)
    assert prediction.shape == (120,)
    assert prediction.dtype == np.float64
    column = KerasRegressor(mlp, epochs=1, random_state=0).fit(X, y[:, :1])
    assert column.predict(X).shape == (120, 1)


# ------------------------------------------------------------ warm / seeds
def test_partial_fit_continues_training(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, optimizer="adam", random_state=0)
    clf.partial_fit(X, y)
    first_weights = clf.model_.get_weights()[0].copy()
    model = clf.model_
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert clf.model_ is model
    assert len(clf.history_["loss"]) == 3
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]
    assert not np.array_equal(first_weights, clf.model_.get_weights()[0])


def test_partial_fit_with_classes_accepts_partial_batches(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, random_state=0)
    clf.partial_fit(X[y != 2], y[y != 2], classes=[0, 1, 2])
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(X, y + 5)


def test_warm_start_keeps_the_model(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=2, warm_start=True, random_state=0)
    clf.fit(X, y)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model
    assert len(clf.history_["loss"]) == 4
    cold = KerasClassifier(mlp, epochs=2, random_state=0).fit(X, y)
    after_first_fit = cold.predict_proba(X)
    cold.fit(X, y)  # starts over: same seed, same result, history reset
    np.testing.assert_array_equal(cold.predict_proba(X), after_first_fit)
    assert len(cold.history_["loss"]) == 2


def test_random_state_repeats_and_leaves_numpy_rng_alone(blobs):
    """NumPy's global generator is never used by a fit.

    Python's ``random`` is advanced by Keras itself when ``mlp`` creates its
    unseeded layers (their default seeds); the fit's result does not depend
    on it (see tests/test_seeding.py).
    """
    X, y = blobs
    np.random.seed(123)
    expected_numpy = np.random.random_sample(3)
    np.random.seed(123)
    a = KerasClassifier(mlp, epochs=3, random_state=7).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(np.random.random_sample(3), expected_numpy)
    b = KerasClassifier(mlp, epochs=3, random_state=7).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = KerasClassifier(mlp, epochs=3, random_state=8).fit(X, y).predict_proba(X)
    assert not np.array_equal(a, c)


def test_other_threads_drawing_from_random_do_not_change_a_seeded_fit(blobs):
    """A Dask worker's event loop draws from Python's random during fits."""
    import threading

    X, y = blobs
    module_random = random.random
    expected = KerasClassifier(mlp, epochs=2, random_state=5).fit(X, y)
    stop = threading.Event()

    def busy_drawing():
        while not stop.is_set():
            random.random()

    drawer = threading.Thread(target=busy_drawing)
    drawer.start()
    try:
        results = [
            KerasClassifier(mlp, epochs=2, random_state=5).fit(X, y) for _ in range(3)
        ]
    finally:
        stop.set()
        drawer.join()
    for result in results:
        np.testing.assert_array_equal(
            result.predict_proba(X), expected.predict_proba(X)
        )
    assert random.random is module_random  # the module is left as it was


def test_seeded_fits_in_threads_equal_serial_ones(blobs):
    X, y = blobs
    grid = {"model__hidden": [4, 8], "optimizer__learning_rate": [0.001, 0.01]}
    estimator = KerasClassifier(mlp, optimizer="adam", epochs=2, random_state=0)
    serial = GridSearchCV(estimator, grid, cv=2).fit(X, y)
    with joblib.parallel_config(backend="threading"):
        threaded = GridSearchCV(estimator, grid, cv=2, n_jobs=2).fit(X, y)
    for key in ("split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(
            threaded.cv_results_[key], serial.cv_results_[key]
        )


# --------------------------------------------------------------- predict
def test_predictions_do_not_depend_on_how_many_rows_are_asked(blobs):
    """JAX pads small batches to a few compiled shapes; rows stay independent.

    Equal to float32 rounding: XLA's kernels may round differently for
    different batch shapes.
    """
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0, predict__batch_size=16)
    clf.fit(X, y)
    whole = clf.predict_proba(X)
    for n_rows in (1, 3, 5, 16, 17, 37):
        np.testing.assert_allclose(
            clf.predict_proba(X[:n_rows]), whole[:n_rows], rtol=1e-6, atol=1e-7
        )


def test_predict_does_not_use_model_predict(blobs, monkeypatch):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    expected = clf.predict_proba(X[:5])

    def fail(*args, **kwargs):
        raise AssertionError("Model.predict builds a data pipeline per call")

    monkeypatch.setattr(clf.model_, "predict", fail)
    np.testing.assert_array_equal(clf.predict_proba(X[:5]), expected)
    clf.set_params(predict__batch_size=2)
    np.testing.assert_allclose(clf.predict_proba(X[:5]), expected, rtol=1e-6)


def test_predict_on_many_rows_matches_keras(digits):
    X, y = digits
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    np.testing.assert_allclose(
        clf.predict_proba(X), clf.model_.predict(X, verbose=0), rtol=1e-5, atol=1e-6
    )


# ---------------------------------------------------------- serialisation
@pytest.mark.parametrize(
    "round_trip",
    [
        lambda est: pickle.loads(pickle.dumps(est)),
        copy.deepcopy,
        clone,
    ],
    ids=["pickle", "deepcopy", "clone"],
)
def test_round_trips_unfitted(round_trip):
    est = KerasClassifier(mlp, model__hidden=5, epochs=2, optimizer__learning_rate=0.1)
    copied = round_trip(est)
    assert copied.get_params()["model__hidden"] == 5
    assert copied.get_params()["optimizer__learning_rate"] == 0.1
    assert copied.epochs == 2


@pytest.mark.parametrize("kind", ["pickle", "joblib", "deepcopy"])
def test_round_trips_fitted(blobs, kind, tmp_path):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=2, random_state=0).fit(
        X, np.array(["a", "b", "c"])[y]
    )
    if kind == "pickle":
        copied = pickle.loads(pickle.dumps(clf))
    elif kind == "joblib":
        joblib.dump(clf, tmp_path / "clf.joblib")
        copied = joblib.load(tmp_path / "clf.joblib")
    else:
        copied = copy.deepcopy(clf)
    np.testing.assert_array_equal(copied.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(copied.predict(X), clf.predict(X))
    assert copied.history_ == clf.history_
    copied.partial_fit(X, np.array(["a", "b", "c"])[y])
    assert len(copied.history_["loss"]) == 3


def test_clone_of_fitted_is_unfitted(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    assert not hasattr(clone(clf), "model_")


# ----------------------------------------------------------- model kinds
def test_model_instance_is_copied_not_modified(blobs):
    X, y = blobs
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(3, activation="softmax")]
    )
    before = [w.copy() for w in model.get_weights()]
    clf = KerasClassifier(model, epochs=3, random_state=0).fit(X, y)
    assert clf.model_ is not model
    for original, kept in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(original, kept)
    # the instance's weights are the starting point of training
    fresh = KerasClassifier(model, epochs=1, optimizer__learning_rate=0.0).fit(X, y)
    np.testing.assert_allclose(fresh.model_.get_weights()[0], before[0])


def test_n_dimensional_samples(digits):
    X, y = digits
    images = X.reshape(-1, 8, 8, 1)
    clf = KerasClassifier(conv_build, optimizer="adam", epochs=3, random_state=0)
    clf.fit(images, y)
    assert clf.X_shape_ == images.shape
    assert clf.n_features_in_ == 8
    assert clf.predict(images[:4]).shape == (4,)
    with pytest.raises(ValueError, match=r"samples of shape \(8, 8, 2\).*\(8, 8, 1\)"):
        clf.predict(np.zeros((2, 8, 8, 2)))


def test_feature_names_are_recorded(blobs):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)


def test_meta_reaches_the_builder(blobs):
    X, y = blobs
    seen = {}

    def build(meta, compile_kwargs, params):
        seen.update(meta=meta, compile_kwargs=compile_kwargs, params=params)
        return mlp(meta)

    KerasClassifier(build, epochs=1, random_state=0).fit(X, np.array(list("xyz"))[y])
    meta = seen["meta"]
    assert meta["n_features_in_"] == 6
    assert meta["X_shape_"] == (200, 6)
    assert meta["X_dtype_"] == np.float32
    assert meta["n_outputs_"] == 1
    assert meta["target_type_"] == "multiclass"
    assert meta["n_classes_"] == 3
    np.testing.assert_array_equal(meta["classes_"], ["x", "y", "z"])
    assert set(seen["compile_kwargs"]) >= {"optimizer", "loss", "metrics"}
    assert seen["params"]["epochs"] == 1


# ---------------------------------------------------- callbacks / weights
def test_callback_classes_are_configured_by_routing(blobs):
    X, y = blobs
    clf = KerasClassifier(
        mlp,
        epochs=50,
        validation_split=0.2,
        callbacks=[keras.callbacks.EarlyStopping],
        callbacks__monitor="loss",
        callbacks__patience=0,
        callbacks__min_delta=10.0,
        random_state=0,
    ).fit(X, y)
    # patience 0: stops after the first epoch without a 10.0 improvement
    assert len(clf.history_["loss"]) == 2
    assert "val_loss" in clf.history_


def test_callback_instances_are_copied(blobs):
    X, y = blobs
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10)
    KerasClassifier(mlp, epochs=5, callbacks=[stopper], random_state=0).fit(X, y)
    assert stopper.model is None


def test_validation_data_with_string_labels(blobs):
    X, y = blobs
    labels = np.array(["a", "b", "c"])[y]
    clf = KerasClassifier(mlp, epochs=2, random_state=0)
    clf.fit(X[:150], labels[:150], validation_data=(X[150:], labels[150:]))
    assert len(clf.history_["val_loss"]) == 2


def test_integer_sample_weight_equals_repetition(blobs):
    X, y = blobs
    weights = np.random.RandomState(0).randint(0, 3, len(y))
    weighted = KerasClassifier(mlp, epochs=3, random_state=0)
    weighted.fit(X, y, sample_weight=weights)
    repeated = KerasClassifier(mlp, epochs=3, random_state=0)
    order = np.random.RandomState(1).permutation(int(weights.sum()))
    repeated.fit(np.repeat(X, weights, 0)[order], np.repeat(y, weights)[order])
    np.testing.assert_array_equal(weighted.predict_proba(X), repeated.predict_proba(X))


def test_fractional_sample_weight_changes_the_fit(blobs):
    X, y = blobs
    plain = KerasClassifier(mlp, epochs=3, random_state=0).fit(X, y)
    weights = np.where(y == 0, 5.5, 0.5)
    weighted = KerasClassifier(mlp, epochs=3, random_state=0)
    weighted.fit(X, y, sample_weight=weights)
    assert (weighted.predict(X) == 0).mean() > (plain.predict(X) == 0).mean()


def test_class_weight_dict_and_balanced(blobs):
    X, y = blobs
    heavy = KerasClassifier(
        mlp,
        optimizer="adam",
        epochs=20,
        class_weight={0: 100.0, 1: 0.01, 2: 0.01},
        random_state=0,
    ).fit(X, y)
    assert (heavy.predict(X) == 0).mean() > 0.8
    KerasClassifier(mlp, epochs=1, class_weight="balanced", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"class_weight names labels \[7\]"):
        KerasClassifier(mlp, class_weight={7: 1.0}).fit(X, y)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make_input", "error", "message"),
    [
        (lambda X: np.where(X > 1, np.nan, X), ValueError, "NaN"),
        (lambda X: np.where(X > 1, np.inf, X), ValueError, "infinity"),
        (sp.csr_matrix, TypeError, "Sparse data was passed"),
        (lambda X: X[:0], ValueError, "0 sample"),
    ],
    ids=["nan", "inf", "sparse", "empty"],
)
def test_bad_training_input(blobs, make_input, error, message):
    X, y = blobs
    bad = make_input(X)
    with pytest.raises(error, match=message):
        KerasClassifier(mlp).fit(bad, y[: bad.shape[0]])


def test_bad_predict_input(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 5 features.*expecting 6"):
        clf.predict(X[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(np.full((2, 6), np.nan))
    with pytest.raises(TypeError, match="Sparse data"):
        clf.predict(sp.csr_matrix(X))
    # the estimator still works after rejecting bad input
    assert clf.predict(X[:3]).shape == (3,)


def test_mismatched_lengths(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        KerasClassifier(mlp).fit(X, y[:-1])


def test_single_class(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="only one class"):
        KerasClassifier(mlp).fit(X, np.zeros(len(X)))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"model__hiden": 3}, "'model__hiden'.*Did you mean: hidden"),
        ({"hiden": 3}, "'hiden'.*model builder"),
        ({"optimizer__learnin_rate": 0.1}, "'optimizer__learnin_rate'.*learning_rate"),
        ({"fit__validation_dat": 1}, "'fit__validation_dat'.*validation_data"),
        ({"fit__initial_epoch": 3}, "warm_start / partial_fit"),
        ({"compile__jit": True}, "'compile__jit'.*jit_compile"),
        ({"predict__steps": 1}, "'predict__steps'"),
        ({"callbacks__patience": 1}, "no callback is passed as a class"),
        ({"metrics__num_thresholds": 3}, "no metric is passed as a class"),
        ({"loss__from_logits": True, "loss": "nonsense"}, "does not name one"),
    ],
)
def test_unknown_routed_parameter_names_the_key(blobs, params, message):
    X, y = blobs
    clf = KerasClassifier(mlp, **params)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
        clf.predict(X)


def test_routed_parameters_through_set_params():
    clf = KerasClassifier(mlp)
    clf.set_params(model__hidden=3, fit__validation_freq=2)
    assert clf.get_params()["model__hidden"] == 3
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(not_a_parameter=1)


@pytest.mark.parametrize(
    ("model", "error", "message"),
    [
        (
            lambda: "not a model",
            TypeError,
            "must return a keras.Model; it returned str",
        ),
        (None, ValueError, "got None"),
    ],
    ids=["returns-str", "none"],
)
def test_bad_model(blobs, model, error, message):
    X, y = blobs
    with pytest.raises(error, match=message):
        KerasClassifier(model).fit(X, y)


def test_non_callable_model_is_rejected(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="'model' parameter"):
        KerasClassifier(42).fit(X, y)


def test_invalid_parameter_values(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="'epochs' parameter"):
        KerasClassifier(mlp, epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="'validation_split' parameter"):
        KerasClassifier(mlp, validation_split=1.5).fit(X, y)


def test_sample_weight_errors(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="expected \\(200,\\)"):
        KerasClassifier(mlp).fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        KerasClassifier(mlp).fit(X, y, sample_weight=-np.ones(200))
    with pytest.raises(ValueError, match="at least one non-zero"):
        KerasClassifier(mlp).fit(X, y, sample_weight=np.zeros(200))


def test_regressor_bad_targets():
    X, y = make_regression(n_samples=30, n_features=3, random_state=0)
    with pytest.raises(ValueError, match="1 output units but y has 2"):
        KerasRegressor(
            lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        ).fit(X, np.c_[y, y])
    reg = KerasRegressor(mlp, epochs=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match=r"y has shape \(30, 2\)"):
        reg.fit(X, np.c_[y, y])


# ------------------------------------------------------- device placement
def test_device_cpu_and_missing_gpu(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=1, device="cpu", random_state=0).fit(X, y)
    assert variable_device(clf.model_.layers[0].kernel) == "cpu:0"
    assert clf.predict(X[:3]).shape == (3,)
    from sklearn_dl._backend.devices import gpu_count

    if gpu_count() == 0:
        with pytest.raises(ValueError, match="GPU 0, but 0 GPU"):
            KerasClassifier(mlp, device=0).fit(X, y)
    with pytest.raises(ValueError, match="device must be"):
        KerasClassifier(mlp, device="tpu").fit(X, y)


def test_mixed_precision_builds_float16_layers(blobs):
    X, y = blobs
    clf = KerasClassifier(mlp, epochs=2, mixed_precision=True, random_state=0)
    clf.fit(X, y)
    assert clf.model_.layers[0].dtype_policy.name == "mixed_float16"
    assert clf.model_.layers[0].kernel.dtype == "float32"
    assert np.isfinite(clf.predict_proba(X)).all()
    plain = KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)
    assert plain.model_.layers[0].dtype_policy.name == "float32"


def test_warm_start_picks_up_a_new_learning_rate(blobs):
    X, y = blobs
    clf = KerasClassifier(
        mlp, optimizer="adam", optimizer__learning_rate=0.01, warm_start=True
    ).fit(X, y)
    iterations = int(clf.model_.optimizer.iterations)
    clf.set_params(optimizer__learning_rate=0.0001).fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.0001)
    assert int(clf.model_.optimizer.iterations) > iterations  # state kept
