"""DenseClassifier and DenseRegressor: the book's dense networks as estimators."""

import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_digits, make_regression
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_dl.networks import DenseClassifier, DenseRegressor

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float32), y


def layer_kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def test_book_784_784_10_network_has_623290_parameters():
    # Book part 2 (seed L4415-4456): Dense(784, relu) -> Dense(10, softmax).
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(20, 784)).astype(np.float32)
    y = np.arange(20) % 10
    clf = DenseClassifier(hidden_layer_sizes=(784,), epochs=1, random_state=0)
    clf.fit(X, y)
    assert clf.model_.count_params() == 623_290
    hidden, output = clf.model_.layers
    assert (hidden.units, hidden.activation.__name__) == (784, "relu")
    assert (output.units, output.activation.__name__) == (10, "softmax")


def test_layers_follow_the_parameters(digits):
    X, y = digits
    clf = DenseClassifier(
        hidden_layer_sizes=(20, 30),
        activation="tanh",
        dropout=0.2,
        max_norm=3,
        epochs=1,
        random_state=0,
    ).fit(X[:100], y[:100])
    model = clf.model_
    assert layer_kinds(model) == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [20, 30, 10]
    for layer in dense[:2]:
        assert layer.activation.__name__ == "tanh"
        assert isinstance(layer.kernel_constraint, keras.constraints.MaxNorm)
        assert layer.kernel_constraint.max_value == 3
    assert dense[2].kernel_constraint is None
    assert all(layer.rate == 0.2 for layer in model.layers[1:4:2])
    # Kernels obey the constraint after training.
    norms = np.sqrt((np.asarray(dense[0].kernel) ** 2).sum(axis=0))
    assert norms.max() <= 3 + 1e-5


def test_no_dropout_layer_when_rate_is_zero_and_no_hidden_layers(digits):
    X, y = digits
    clf = DenseClassifier(hidden_layer_sizes=(), epochs=1, random_state=0)
    clf.fit(X[:100], y[:100])
    assert layer_kinds(clf.model_) == ["Dense"]
    assert clf.model_.count_params() == 64 * 10 + 10


def test_images_are_flattened_by_the_network(digits):
    X, y = digits
    images = X.reshape(-1, 8, 8)
    clf = DenseClassifier(hidden_layer_sizes=(32,), epochs=3, random_state=0)
    clf.fit(images[:300] / 16, y[:300])
    assert layer_kinds(clf.model_)[0] == "Flatten"
    assert clf.model_.count_params() == 64 * 32 + 32 + 32 * 10 + 10
    flat = DenseClassifier(hidden_layer_sizes=(32,), epochs=3, random_state=0)
    flat.fit(X[:300] / 16, y[:300])
    # Same seed, same weights: flattening inside the network changes nothing.
    np.testing.assert_allclose(
        clf.predict_proba(images[300:320] / 16),
        flat.predict_proba(X[300:320] / 16),
        rtol=1e-5,
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="samples of shape"):
        clf.predict(images[:5, :, :7] / 16)


def test_learning_rate_reaches_the_optimizer(digits):
    X, y = digits
    clf = DenseClassifier(optimizer="sgd", learning_rate=0.05, epochs=1)
    clf.fit(X[:64], y[:64])
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)

    user_optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    clf = DenseClassifier(optimizer=user_optimizer, learning_rate=0.02, epochs=1)
    clf.fit(X[:64], y[:64])
    assert clf.model_.optimizer is not user_optimizer
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)
    assert clf.model_.optimizer.momentum == pytest.approx(0.9)
    assert float(user_optimizer.learning_rate) == pytest.approx(0.1)


def test_learning_rate_changes_training(digits):
    X, y = digits
    slow = DenseClassifier(learning_rate=1e-5, epochs=2, random_state=0)
    fast = clone(slow).set_params(learning_rate=1e-2)
    slow.fit(X[:300] / 16, y[:300])
    fast.fit(X[:300] / 16, y[:300])
    assert fast.history_["loss"][-1] < slow.history_["loss"][-1] - 0.5


def test_early_stopping_stops_and_restores_the_best_weights():
    # Random labels: the validation loss stops improving almost at once.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10)).astype(np.float32)
    y = rng.integers(0, 3, size=200)
    clf = DenseClassifier(
        hidden_layer_sizes=(64,),
        learning_rate=0.01,
        epochs=200,
        validation_split=0.25,
        early_stopping=True,
        patience=2,
        shuffle=False,
        random_state=0,
    ).fit(X, y)
    val_loss = clf.history_["val_loss"]
    assert len(val_loss) < 200
    best = int(np.argmin(val_loss))
    assert len(val_loss) == best + 1 + 2  # stopped `patience` epochs after the best
    # The restored weights are the best epoch's: evaluating them on the
    # held-out rows (the last quarter) gives the best validation loss.
    loss = keras.losses.SparseCategoricalCrossentropy()(
        y[150:], clf.model_.predict_on_batch(X[150:])
    )
    assert float(loss) == pytest.approx(min(val_loss), rel=1e-4)


def test_early_stopping_on_the_training_loss_needs_no_validation():
    # Constant inputs: the loss can only fall to the class entropy, then wobbles.
    X = np.zeros((120, 4), dtype=np.float32)
    y = np.arange(120) % 3
    clf = DenseClassifier(
        hidden_layer_sizes=(8,),
        learning_rate=0.1,
        epochs=50,
        early_stopping=True,
        monitor="loss",
        patience=0,
        random_state=0,
    ).fit(X, y)
    losses = clf.history_["loss"]
    assert len(losses) < 50
    assert losses[-1] >= min(losses[:-1])  # stopped at the first non-improvement


def test_early_stopping_on_validation_loss_without_validation_data_fails(digits):
    X, y = digits
    clf = DenseClassifier(epochs=2, early_stopping=True)
    with pytest.raises(ValueError, match="needs validation data"):
        clf.fit(X[:50], y[:50])
    # validation_data given to fit is enough.
    clf.fit(X[:50], y[:50], validation_data=(X[50:80], y[50:80]))
    assert "val_loss" in clf.history_


def test_binary_targets_get_one_sigmoid_unit_or_a_softmax_for_categorical_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = DenseClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0).fit(X, y)
    assert clf.model_.layers[-1].units == 1
    assert clf.model_.layers[-1].activation.__name__ == "sigmoid"
    assert set(clf.predict(X)) <= {"yes", "no"}
    assert clf.predict_proba(X).shape == (60, 2)
    categorical = DenseClassifier(
        hidden_layer_sizes=(8,), loss="categorical_crossentropy", epochs=2
    ).fit(X, y)
    assert categorical.model_.layers[-1].units == 2
    assert categorical.output_encoding_ == "onehot"


def test_regressor_learns_and_supports_several_targets():
    X, y = make_regression(n_samples=300, n_features=5, noise=1, random_state=0)
    y = y / y.std()
    reg = DenseRegressor(
        hidden_layer_sizes=(32,), learning_rate=0.01, epochs=30, random_state=0
    ).fit(X, y)
    assert reg.score(X, y) > 0.9
    assert reg.model_.layers[-1].units == 1
    assert reg.model_.layers[-1].activation.__name__ == "linear"
    targets = np.column_stack([y, -y])
    reg2 = clone(reg).set_params(epochs=2).fit(X, targets)
    assert reg2.model_.layers[-1].units == 2
    assert reg2.predict(X[:3]).shape == (3, 2)


def test_pickle_round_trip_and_clone_keep_every_parameter(digits):
    X, y = digits
    clf = DenseClassifier(
        hidden_layer_sizes=(16, 16), dropout=0.1, max_norm=2.5, epochs=2, random_state=0
    ).fit(X[:200] / 16, y[:200])
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(X[200:230] / 16), clf.predict_proba(X[200:230] / 16)
    )
    assert clone(clf).get_params() == clf.get_params()


def test_network_params_are_validated_in_fit(digits):
    X, y = digits
    with pytest.raises(ValueError, match="dropout"):
        DenseClassifier(dropout=1.0).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match="learning_rate"):
        DenseClassifier(learning_rate=0).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match="positive ints"):
        DenseClassifier(hidden_layer_sizes=(10, 0)).fit(X[:20], y[:20])


def test_book_grid_is_a_list_of_hidden_layer_sizes():
    # Book listing B3-17/19: layers [2, 3, 4] x neurons [20, 30, 40] x
    # optimizer [adam, adadelta], written as one grid over hidden_layer_sizes.
    param_grid = {
        "model_step__hidden_layer_sizes": [
            (neurons,) * layers for neurons in (20, 30, 40) for layers in (2, 3, 4)
        ],
        "model_step__optimizer": ["adam", "adadelta"],
    }
    candidates = list(ParameterGrid(param_grid))
    assert len(candidates) == 18
    assert {
        "model_step__hidden_layer_sizes": (40, 40),
        "model_step__optimizer": "adam",
    } in (candidates)
    pipeline = Pipeline(
        [("normalize_step", MinMaxScaler()), ("model_step", DenseClassifier())]
    )
    pipeline.set_params(**candidates[-1])
    assert pipeline["model_step"].hidden_layer_sizes == (40, 40, 40, 40)


@pytest.mark.parametrize("labels", ["int", "str"])
def test_grid_search_in_a_pipeline_with_stratified_folds(digits, labels):
    X, y = digits
    X, y = X[:450], y[:450]
    if labels == "str":
        y = np.array([f"digit {label}" for label in y])
    pipeline = Pipeline(
        [
            ("normalize_step", MinMaxScaler()),
            ("model_step", DenseClassifier(epochs=8, random_state=0)),
        ]
    )
    assert is_classifier(pipeline)
    assert isinstance(
        check_cv(3, y, classifier=is_classifier(pipeline)), StratifiedKFold
    )
    search = GridSearchCV(
        pipeline,
        {
            "model_step__hidden_layer_sizes": [(2,), (32, 32)],
            "model_step__learning_rate": [0.01],
        },
        cv=3,
    ).fit(X, y)
    assert search.best_params_["model_step__hidden_layer_sizes"] == (32, 32)
    assert search.best_score_ > 0.85
    assert search.cv_results_["mean_test_score"][0] < search.best_score_
    predictions = search.predict(X[:10])
    assert predictions.dtype == y.dtype
    assert set(predictions) <= set(y)


def test_book_cross_validation_setup_runs_as_written(digits):
    # Book listings B3-9..16: StratifiedKFold(10, shuffle=True, random_state=42)
    # on make_pipeline(MinMaxScaler(), model), labels as integers.
    X, y = digits
    X, y = X[:600], y[:600]
    model = DenseClassifier(
        hidden_layer_sizes=(32, 32),
        dropout=0.2,
        max_norm=3,
        learning_rate=0.01,
        epochs=10,
        random_state=0,
    )
    pipeline = make_pipeline(MinMaxScaler(), model)
    kfold = StratifiedKFold(n_splits=10, shuffle=True, random_state=42)
    results = cross_val_score(pipeline, X, y, cv=kfold, verbose=0)
    assert results.shape == (10,)
    assert results.mean() > 0.9


def test_importing_the_networks_does_not_import_keras():
    code = (
        "import sys, sklearn_dl.networks; "
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_mixed_precision_keeps_the_output_layer_in_float32(digits):
    X, y = digits
    clf = DenseClassifier(
        hidden_layer_sizes=(16,), epochs=2, mixed_precision=True, random_state=0
    ).fit(X[:300], y[:300])
    hidden, output = clf.model_.layers[0], clf.model_.get_layer("output")
    assert hidden.compute_dtype == "float16"
    assert output.compute_dtype == "float32"
    assert output.kernel.dtype == "float32"
    proba = clf.predict_proba(X[:50])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
