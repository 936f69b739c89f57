"""FineTunedClassifier / FineTunedRegressor: transfer learning from a saved model.

The pretrained model is one the tests train and save themselves (no
downloads).
"""

import keras
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl.networks import DenseClassifier, FineTunedClassifier, FineTunedRegressor


def _unbuilt_base():
    """A base without an Input: it is built for whatever the checks feed."""
    return keras.Sequential(
        [keras.layers.Dense(6, activation="relu", name="pretrained_hidden")],
        name="pretrained",
    )


@parametrize_with_checks(
    [
        FineTunedClassifier(
            _unbuilt_base(),
            head_layer_sizes=(8,),
            freeze=None,
            learning_rate=0.03,
            epochs=5,
            random_state=0,
        ),
        FineTunedRegressor(
            _unbuilt_base(),
            head_layer_sizes=(8,),
            freeze=None,
            learning_rate=0.03,
            epochs=5,
            random_state=0,
        ),
    ]
)
def test_sklearn_conformance(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """A small network trained on a source task and saved as .keras."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6)).astype("float32")
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    source = DenseClassifier((16, 8), epochs=3, random_state=0).fit(X, y)
    path = tmp_path_factory.mktemp("pretrained") / "source.keras"
    source.model_.save(path)
    return source.model_, path, X


def _target_task(X):
    return (X[:, 0] - X[:, 2] > 0).astype(int)


def test_fine_tunes_in_two_phases_without_touching_the_base(pretrained):
    model, _, X = pretrained
    y = _target_task(X)
    before = [w.copy() for w in model.get_weights()]
    net = FineTunedClassifier(
        model,
        feature_layer=-2,  # drop the source task's output layer
        head_layer_sizes=(4,),
        epochs=2,
        fine_tune_epochs=2,
        fine_tune_learning_rate=1e-4,
        random_state=0,
    ).fit(X, y)
    assert net.n_head_epochs_ == 2 and len(net.history_["loss"]) == 4
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)  # the pretrained model is untouched
    base = net.model_.get_layer("base_model")
    assert all(layer.trainable for layer in base.layers)  # unfrozen in phase 2
    assert net.model_.optimizer.learning_rate.numpy() == pytest.approx(1e-4)
    assert net.predict(X).shape == y.shape


def test_head_phase_trains_the_head_only(pretrained):
    _, path, X = pretrained
    y = _target_task(X)
    net = FineTunedClassifier(path, feature_layer=-2, epochs=2, random_state=0)
    net.fit(X, y)
    base = net.model_.get_layer("base_model")
    source = keras.saving.load_model(path)
    trained = [layer for layer in base.layers if layer.weights]
    for layer in trained:
        source_weights = source.get_layer(layer.name).get_weights()
        for w0, w1 in zip(source_weights, layer.get_weights(), strict=True):
            np.testing.assert_array_equal(w0, w1)  # frozen: as pretrained
    assert not any(layer.trainable for layer in trained)


def test_freeze_by_count_and_by_name(pretrained):
    model, _, X = pretrained
    y = _target_task(X)
    names = [layer.name for layer in model.layers if layer.weights]
    by_count = FineTunedClassifier(model, feature_layer=-2, freeze=1, epochs=1)
    base = by_count.fit(X, y).model_.get_layer("base_model")
    assert [layer.trainable for layer in base.layers if layer.weights] == [
        False,
        True,
    ]
    by_name = FineTunedClassifier(model, feature_layer=-2, freeze=[names[1]], epochs=1)
    base = by_name.fit(X, y).model_.get_layer("base_model")
    assert [layer.trainable for layer in base.layers if layer.weights] == [
        True,
        False,
    ]
    with pytest.raises(ValueError, match="does not have"):
        FineTunedClassifier(model, freeze=["nope"], epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="shape"):
        FineTunedClassifier(model, epochs=1).fit(X[:, :3], y)


def test_grid_searches_head_and_phases(pretrained):
    _, path, X = pretrained
    y = _target_task(X)
    search = GridSearchCV(
        FineTunedClassifier(
            path, feature_layer=-2, epochs=5, learning_rate=0.03, random_state=0
        ),
        {"head_layer_sizes": [(), (4,)], "fine_tune_epochs": [0, 1]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.score(X, y) > 0.5


def test_regressor_and_warm_start(pretrained):
    model, _, X = pretrained
    y = X[:, 0] - X[:, 2]
    net = FineTunedRegressor(
        model,
        feature_layer=-2,
        head_layer_sizes=(3,),
        max_norm=2.0,
        epochs=1,
        fine_tune_epochs=1,
        warm_start=True,
    )
    net.fit(X, y).fit(X, y)
    assert len(net.history_["loss"]) == 4
    assert net.n_head_epochs_ == 3  # the second head phase continues the history
    head = net.model_.get_layer("head_dense_0")
    assert head.kernel_constraint.get_config()["max_value"] == 2.0


def test_sklearn_callbacks_see_both_phases(pretrained):
    pytest.importorskip("sklearn.callback")
    model, _, X = pretrained
    ends = []

    class Recorder:
        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context):
            if context.task_name.startswith("epoch"):
                ends.append(context.task_name)

    net = FineTunedClassifier(model, feature_layer=-2, epochs=1, fine_tune_epochs=2)
    net.set_callbacks(Recorder()).fit(X, _target_task(X))
    assert ends == ["epoch 0", "epoch 1", "epoch 2"]  # head, then fine-tuning


@pytest.mark.parametrize("base", ["model", "path"])
def test_save_and_load_keep_predictions_and_the_base(pretrained, tmp_path, base):
    from sklearn.base import clone

    from sklearn_dl.exceptions import UntrustedTypeError
    from sklearn_dl.persistence import load, save

    model, path, X = pretrained
    y = _target_task(X)
    net = FineTunedClassifier(
        model if base == "model" else path,
        feature_layer=-2,
        head_layer_sizes=(4,),
        epochs=1,
        fine_tune_epochs=1,
        random_state=0,
    ).fit(X, y)
    save(net, tmp_path / "tuned.skdl")
    if base == "path":  # a file that names a file to read: trusted explicitly
        with pytest.raises(UntrustedTypeError, match="base_model="):
            load(tmp_path / "tuned.skdl")
        loaded = load(tmp_path / "tuned.skdl", trusted=[FineTunedClassifier])
        assert loaded.base_model == path
    else:
        loaded = load(tmp_path / "tuned.skdl")
    np.testing.assert_allclose(loaded.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, net.classes_)
    # The loaded base still describes the pretrained network: a refit of a
    # clone starts from the same pretrained weights as the original did.
    again = clone(loaded).fit(X, y)
    np.testing.assert_allclose(
        again.predict_proba(X), net.predict_proba(X), rtol=1e-5, atol=1e-6
    )
