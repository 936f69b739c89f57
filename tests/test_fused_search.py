"""Fused fits: a search's networks trained as one JAX program, equal to sequential."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import RandomizedSearchCV as SklearnRandomizedSearchCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn_dl.model_selection._fused import fit_refusal, search_refusal
from sklearn_dl.networks import DenseClassifier, DenseRegressor

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
