"""The book's Functional-API models through the wrappers, and freezing layers."""

import keras
import numpy as np
import pytest
from numpydoc.validate import validate
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_dl import KerasClassifier, KerasRegressor
from sklearn_dl.functional import (
    branching_model,
    digit_detector,
    freeze_layers,
    shared_layer_model,
    shared_layer_models,
    unfreeze_layers,
)


@pytest.fixture(scope="module")
def digits_or_noise():
    """The digit detector's task: digit images (1) or their pixels shuffled (0)."""
    images, _ = load_digits(return_X_y=True)
    images = images[:240]
    rng = np.random.RandomState(0)
    shuffled = np.array([rng.permutation(image) for image in images])
    X = np.vstack([images, shuffled]).astype(np.float32)
    y = np.r_[np.ones(len(images), int), np.zeros(len(images), int)]
    return X, y


@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 10)).astype(np.float32)
    y = X[:, :3].sum(axis=1) + 0.1 * rng.normal(size=200)
    return X, y


def same_weights(first, second):
    return all(
        np.array_equal(a, b)
        for a, b in zip(first.get_weights(), second.get_weights(), strict=True)
    )


# ------------------------------------------------------------- digit detector
def test_digit_detector_is_the_books_network():
    model = digit_detector()
    assert [layer.name for layer in model.layers] == [
        "input",
        "dense_1",
        "dense_2",
        "output",
    ]
    assert model.count_params() == 784 * 1000 + 1000 + 1000 * 500 + 500 + 500 + 1
    assert model.get_layer("output").activation.__name__ == "sigmoid"


def test_digit_detector_in_a_pipeline_and_grid_search(digits_or_noise):
    X, y = digits_or_noise
    pipeline = make_pipeline(
        MinMaxScaler(),
        KerasClassifier(digit_detector, optimizer="adam", epochs=4, random_state=0),
    )
    search = GridSearchCV(
        pipeline,
        {"kerasclassifier__model__hidden_units": [(16,), (32, 16)]},
        cv=2,
        error_score="raise",
    ).fit(X, y)
    assert search.best_score_ > 0.8
    best = search.best_estimator_
    assert best.predict(X[:5]).shape == (5,)
    assert best.predict_proba(X[:5]).shape == (5, 2)
    units = search.best_params_["kerasclassifier__model__hidden_units"]
    assert best[-1].model_.get_layer("dense_1").units == units[0]


# ---------------------------------------------------------------- shared layers
def test_shared_layer_models_really_share_weights(regression_data):
    X, y = regression_data
    first, second = shared_layer_models(10, hidden_units=(8, 6), recurrent_units=3)
    shared = first.get_layer("shared_layers")
    assert shared is second.get_layer("shared_layers")
    assert {id(w) for w in shared.weights} <= {id(w) for w in second.weights}

    second_before = second.predict_on_batch(X[:20])
    first.compile(optimizer="adam", loss="mse")
    first.fit(X, y, epochs=2, verbose=0)
    second_after = second.predict_on_batch(X[:20])
    assert not np.allclose(second_before, second_after)  # trained through first

    first_before = first.predict_on_batch(X[:20])
    second.compile(optimizer="adam", loss="mse")
    second.fit(X, y, epochs=2, verbose=0)
    assert not np.allclose(first_before, first.predict_on_batch(X[:20]))


def test_shared_layer_model_through_an_estimator(regression_data):
    X, y = regression_data
    pipeline = make_pipeline(
        StandardScaler(),
        KerasRegressor(
            shared_layer_model,
            model__hidden_units=(8, 6),
            model__recurrent_units=3,
            optimizer="adam",
            epochs=3,
            random_state=0,
        ),
    )
    search = GridSearchCV(
        pipeline, {"kerasregressor__model__which": ["first", "second"]}, cv=2
    ).fit(X, y)
    assert set(search.cv_results_["param_kerasregressor__model__which"]) == {
        "first",
        "second",
    }
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(X[:4]).shape == (4,)
    with pytest.raises(ValueError, match="which must be 'first' or 'second'"):
        KerasRegressor(shared_layer_model, model__which="third").fit(X, y)


def test_pretrained_shared_layers_start_a_second_estimator(regression_data):
    X, y = regression_data
    pretrained = KerasRegressor(
        shared_layer_model, model__hidden_units=(8, 6), epochs=2, random_state=0
    ).fit(X, y)
    trunk = pretrained.model_.get_layer("shared_layers")
    trunk_weights = [w.copy() for w in trunk.get_weights()]
    frozen_trunk = freeze_layers(trunk, list(range(len(trunk.layers))))
    second = KerasRegressor(
        shared_layer_model,
        model__which="second",
        model__shared=frozen_trunk,
        model__recurrent_units=3,
        epochs=2,
        random_state=0,
    ).fit(X, y)
    assert same_weights(second.model_.get_layer("shared_layers"), trunk)
    # The pre-trained estimator is left as it was (the builder copies `shared`).
    for old, new in zip(trunk_weights, trunk.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


# -------------------------------------------------------------------- branches
def test_branching_model_merges_two_branches_with_add(digits_or_noise):
    model = branching_model(n_features=64, hidden_units=(16, 8), filters=4)
    add = model.get_layer("add")
    assert [tensor.shape for tensor in add.input] == [(None, 8, 4), (None, 8, 4)]
    assert {
        model.get_layer("convo_1").kernel_size,
        model.get_layer("convo_2").kernel_size,
    } == {
        (3,),
        (5,),
    }
    X, y = digits_or_noise
    search = GridSearchCV(
        make_pipeline(
            MinMaxScaler(),
            KerasClassifier(
                branching_model,
                model__hidden_units=(16, 8),
                optimizer="adam",
                epochs=3,
                random_state=0,
            ),
        ),
        {"kerasclassifier__model__filters": [2, 4]},
        cv=2,
    ).fit(X, y)
    assert search.best_score_ > 0.7
    assert search.predict(X[:3]).shape == (3,)


def test_branching_model_for_multiclass_and_regression(regression_data):
    X, y = regression_data
    reg = KerasRegressor(branching_model, model__filters=2, epochs=1, random_state=0)
    assert reg.fit(X, y).predict(X[:2]).shape == (2,)
    labels = np.arange(len(X)) % 3
    clf = KerasClassifier(branching_model, model__filters=2, epochs=1, random_state=0)
    assert clf.fit(X, labels).predict_proba(X[:2]).shape == (2, 3)
    assert clf.model_.get_layer("output").units == 3


# ---------------------------------------------------------------------- freezing
@pytest.fixture(scope="module")
def pretrained_pipeline(digits_or_noise):
    """A digit detector trained in a pipeline."""
    X, y = digits_or_noise
    return make_pipeline(
        MinMaxScaler(),
        KerasClassifier(
            digit_detector,
            model__hidden_units=(16, 8),
            optimizer="adam",
            epochs=3,
            random_state=0,
        ),
    ).fit(X, y)


@pytest.fixture
def pretrained(pretrained_pipeline):
    """The trained network (its estimator stays alive in the fixture above)."""
    return pretrained_pipeline[-1].model_


def test_freeze_layers_returns_an_uncompiled_copy(pretrained):
    frozen = freeze_layers(pretrained, ["dense_1", 2])
    assert frozen is not pretrained and not frozen.compiled
    assert [layer.trainable for layer in frozen.layers] == [True, False, False, True]
    assert all(layer.trainable for layer in pretrained.layers)  # original untouched
    assert same_weights(frozen, pretrained)
    assert [layer.trainable for layer in freeze_layers(pretrained, -1).layers] == [
        True,
        True,
        True,
        False,
    ]


def test_frozen_layers_do_not_change_during_fit_then_fine_tuning(
    pretrained, digits_or_noise
):
    X, y = digits_or_noise
    pipeline = make_pipeline(
        MinMaxScaler(),
        KerasClassifier(
            freeze_layers(pretrained, ["dense_1", "dense_2"]),
            optimizer="adam",
            optimizer__learning_rate=0.01,
            epochs=2,
            random_state=0,
        ),
    ).fit(X, y)
    model = pipeline[-1].model_
    for name in ("dense_1", "dense_2"):
        assert same_weights(model.get_layer(name), pretrained.get_layer(name))
    assert not same_weights(model.get_layer("output"), pretrained.get_layer("output"))
    first_losses = pipeline[-1].history_["loss"]

    # Thaw everything and continue from the trained weights, slowly.
    pipeline.set_params(
        kerasclassifier__model=unfreeze_layers(model),
        kerasclassifier__optimizer__learning_rate=1e-4,
    )
    pipeline.fit(X, y)
    tuned = pipeline[-1].model_
    assert all(layer.trainable for layer in tuned.layers)
    assert not same_weights(tuned.get_layer("dense_1"), pretrained.get_layer("dense_1"))
    assert float(tuned.optimizer.learning_rate) == pytest.approx(1e-4)
    # Training went on from where it stopped, not from scratch.
    assert pipeline[-1].history_["loss"][0] < first_losses[0]


def test_keras_needs_a_recompile_for_trainable_changes(regression_data):
    """Why the helpers return uncompiled copies (Keras 3.15 behaviour)."""
    X, y = regression_data
    model = digit_detector(n_features=10, hidden_units=(4,))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, y, epochs=1, verbose=0)
    before = model.get_layer("dense_1").get_weights()[0].copy()
    model.get_layer("dense_1").trainable = False  # without compiling again
    if keras.backend.backend() == "jax":
        # JAX refuses: the optimizer was built for more trainable variables.
        with pytest.raises(ValueError, match="optimizer was built with"):
            model.fit(X, y, epochs=1, verbose=0)
        return
    # TensorFlow silently keeps training the "frozen" layer.
    model.fit(X, y, epochs=1, verbose=0)
    assert not np.array_equal(before, model.get_layer("dense_1").get_weights()[0])


def test_freezing_rejects_unknown_layers(pretrained):
    with pytest.raises(ValueError, match="no layer named 'dense_9'"):
        freeze_layers(pretrained, "dense_9")
    with pytest.raises(ValueError, match="Layer index 7 is out of range"):
        freeze_layers(pretrained, [7])
    with pytest.raises(TypeError, match=r"names \(str\) or indices \(int\)"):
        freeze_layers(pretrained, [1.5])
    with pytest.raises(TypeError, match=r"model must be a keras\.Model"):
        freeze_layers("model", 0)
    with pytest.raises(ValueError, match="hidden_units must be positive ints"):
        digit_detector(hidden_units=())


# -------------------------------------------------------------------- docstrings
@pytest.mark.parametrize(
    "name",
    [
        "sklearn_dl.functional.branching_model",
        "sklearn_dl.functional.digit_detector",
        "sklearn_dl.functional.freeze_layers",
        "sklearn_dl.functional.shared_layer_model",
        "sklearn_dl.functional.shared_layer_models",
        "sklearn_dl.functional.unfreeze_layers",
        "sklearn_dl.networks._text.TextGenerator",
        "sklearn_dl.networks._text.TextGenerator.fit",
        "sklearn_dl.networks._text.TextGenerator.generate",
        "sklearn_dl.networks._text.TextGenerator.score",
        "sklearn_dl.networks._text.sample_with_temperature",
        "sklearn_dl.networks._text.TextSampleCallback",
        "sklearn_dl.networks._text.TextSampleCallback.set_estimator",
        "sklearn_dl.networks._text.TextSampleCallback.on_epoch_end",
    ],
)
def test_docstrings_are_valid_numpydoc(name):
    ignored = {"GL01", "GL02", "ES01", "SA01", "EX01", "RT02", "YD01", "GL08"}
    errors = [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code not in ignored
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)
