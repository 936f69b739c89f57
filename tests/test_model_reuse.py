"""Reuse of compiled models across fits is exactly equivalent to fresh builds."""

import gc
import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from sklearn_dl import KerasClassifier, set_model_reuse
from sklearn_dl._core.model_pool import POOL, architecture_key
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=1
    )
    return X.astype(np.float32), y


@pytest.fixture(autouse=True)
def _empty_pool():
    POOL.clear()
    yield
    set_model_reuse(True)
    POOL.clear()


def make(**params):
    defaults = {"optimizer": "adam", "epochs": 3, "random_state": 3}
    return KerasClassifier(mlp, **{**defaults, **params})


def fit_and_drop(X, y, **params):
    """Fit an estimator and let it die, so its model returns to the pool."""
    estimator = make(**params).fit(X, y)
    model_id = id(estimator._model)  # reading model_ would keep it from the pool
    del estimator
    gc.collect()
    return model_id


def test_reused_model_gives_identical_weights_and_predictions(data):
    X, y = data
    pooled_id = fit_and_drop(X, y, random_state=99, epochs=1)
    assert len(POOL) == 1
    reused = make().fit(X, y)
    assert id(reused.model_) == pooled_id
    set_model_reuse(False)
    fresh = make().fit(X, y)
    assert id(fresh.model_) != pooled_id
    for a, b in zip(
        reused.model_.get_weights(), fresh.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(reused.predict_proba(X), fresh.predict_proba(X))
    assert reused.history_ == fresh.history_


def test_learning_rate_is_not_part_of_the_architecture(data):
    X, y = data
    pooled_id = fit_and_drop(X, y, optimizer__learning_rate=0.1)
    reused = make(optimizer__learning_rate=0.002).fit(X, y)
    assert id(reused.model_) == pooled_id
    assert float(reused.model_.optimizer.learning_rate) == pytest.approx(0.002)
    set_model_reuse(False)
    fresh = make(optimizer__learning_rate=0.002).fit(X, y)
    np.testing.assert_array_equal(reused.predict_proba(X), fresh.predict_proba(X))


def test_models_are_reused_on_their_own_device_only(data, monkeypatch):
    import sklearn_dl._core.estimator as base

    X, y = data
    pooled_id = fit_and_drop(X, y)
    # A fit placed elsewhere (here: seen as a GPU) builds its own model.
    monkeypatch.setattr(base, "variable_device", lambda variable: "gpu:0")
    on_gpu = make().fit(X, y)
    assert id(on_gpu.model_) != pooled_id
    monkeypatch.undo()
    assert id(make().fit(X, y).model_) == pooled_id


def test_other_architectures_and_optimizers_are_not_reused(data):
    X, y = data
    pooled_id = fit_and_drop(X, y)
    assert id(make(model__hidden=7).fit(X, y).model_) != pooled_id
    assert id(make(optimizer="sgd").fit(X, y).model_) != pooled_id
    assert id(make(optimizer__beta_1=0.5).fit(X, y).model_) != pooled_id


def test_live_estimators_never_share_a_model(data):
    X, y = data
    first = make().fit(X, y)
    expected = first.predict_proba(X)
    second = make(random_state=5).fit(X, y)
    assert second.model_ is not first.model_
    np.testing.assert_array_equal(first.predict_proba(X), expected)


def test_refit_reuses_its_own_model(data):
    X, y = data
    estimator = make().fit(X, y)
    model = estimator._model
    first = estimator.predict_proba(X)
    estimator.fit(X, y)
    assert estimator._model is model
    np.testing.assert_array_equal(estimator.predict_proba(X), first)


def test_pool_is_bounded_and_can_be_switched_off(data):
    X, y = data
    set_model_reuse(True, max_idle_models=2)
    for hidden in (3, 4, 5, 6):
        fit_and_drop(X, y, model__hidden=hidden)
    assert len(POOL) == 2
    set_model_reuse(False)
    assert len(POOL) == 0
    fit_and_drop(X, y)
    assert len(POOL) == 0


def test_pooled_estimator_pickles_and_owns_its_copy(data):
    X, y = data
    estimator = make().fit(X, y)
    copied = pickle.loads(pickle.dumps(estimator))
    assert copied.model_ is not estimator.model_
    np.testing.assert_array_equal(copied.predict_proba(X), estimator.predict_proba(X))
    del copied
    gc.collect()
    assert len(POOL) == 0


def test_grid_search_results_are_identical_with_and_without_reuse(data):
    X, y = data
    grid = {"optimizer__learning_rate": [0.001, 0.01], "model__hidden": [4, 8]}
    with_reuse = GridSearchCV(make(), grid, cv=3).fit(X, y)
    set_model_reuse(False)
    without = GridSearchCV(make(), grid, cv=3).fit(X, y)
    np.testing.assert_array_equal(
        with_reuse.cv_results_["mean_test_score"],
        without.cv_results_["mean_test_score"],
    )
    np.testing.assert_array_equal(with_reuse.predict_proba(X), without.predict_proba(X))


def test_architecture_key_ignores_layer_names(data):
    X, y = data
    first = make().fit(X, y)
    second = make(random_state=4).fit(X, y)
    assert first.model_.layers[0].name != second.model_.layers[0].name
    assert architecture_key(first.model_) == architecture_key(second.model_)


def test_a_model_the_user_holds_is_never_reused(data):
    X, y = data
    kept = make().fit(X, y).model_  # the estimator is gone, its model is not
    gc.collect()
    weights = [weight.copy() for weight in kept.get_weights()]
    other = make(random_state=9).fit(X, y)
    assert other._model is not kept
    for before, after in zip(weights, kept.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    assert len(POOL) == 0
