"""sklearn_dl.model_selection: scikit-learn's searches, warm successive halving."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._compat import SklearnHalvingGridSearchCV
from sklearn_dl._core.model_pool import POOL
from sklearn_dl._core.parking import park_network, unpark_network
from sklearn_dl.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)
from sklearn_dl.networks import DenseClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:240] / 16).astype(np.float32), y[:240]


def network(**params):
    return DenseClassifier(
        hidden_layer_sizes=(8,),
        epochs=1,
        batch_size=32,
        random_state=0,
        **params,
    )


HALVING = {
    "resource": "epochs",
    "min_resources": 1,
    "max_resources": 3,
    "factor": 3,
    "cv": StratifiedKFold(2),
    "refit": False,
}
RATES = {"learning_rate": [1e-3, 3e-3, 1e-2]}


def assert_same_results(ours, theirs):
    assert ours.keys() == theirs.keys()
    assert list(ours["params"]) == list(theirs["params"])
    for key in ours:
        if key.endswith("_score") and not key.startswith("rank"):
            np.testing.assert_allclose(ours[key], theirs[key], atol=1e-6, err_msg=key)


class EpochLog:
    """Keras callback recording every epoch any fit trains (a class-wide log)."""

    epochs: list = []

    def __new__(cls):
        from sklearn_dl._backend.keras import import_keras

        keras = import_keras()

        class _Log(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                EpochLog.epochs.append(epoch)

        return _Log()


def test_import_does_not_import_keras_or_enable_sklearns_halving():
    # A fresh process: scikit-learn's own estimator checks (imported by other
    # tests) enable the experimental halving searches themselves.
    code = (
        "import sys, sklearn_dl.model_selection, sklearn.model_selection as m; "
        "print('keras' in sys.modules, 'tensorflow' in sys.modules, "
        "'HalvingGridSearchCV' in vars(m))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.split() == ["False", "False", "False"]


def test_searches_are_scikit_learns():
    from sklearn.model_selection import RandomizedSearchCV as SklearnRandomized

    assert issubclass(GridSearchCV, SklearnGridSearchCV)
    assert issubclass(RandomizedSearchCV, SklearnRandomized)
    assert issubclass(HalvingGridSearchCV, SklearnHalvingGridSearchCV)
    assert "Exhaustive search" in GridSearchCV.__doc__
    assert "param_grid" in GridSearchCV.__doc__


@pytest.mark.backends
def test_grid_search_equals_scikit_learns(digits):
    X, y = digits
    grid = {"learning_rate": [1e-3, 1e-2]}
    cv = StratifiedKFold(2)
    ours = GridSearchCV(network(), grid, cv=cv, refit=False).fit(X, y)
    theirs = SklearnGridSearchCV(network(), grid, cv=cv, refit=False).fit(X, y)
    assert_same_results(ours.cv_results_, theirs.cv_results_)


@pytest.mark.backends
def test_warm_halving_equals_scikit_learns_and_trains_less(digits):
    X, y = digits
    EpochLog.epochs = []
    estimator = network(callbacks=[EpochLog()])
    ours = HalvingGridSearchCV(estimator, RATES, **HALVING).fit(X, y)
    warm_epochs, EpochLog.epochs = list(EpochLog.epochs), []
    theirs = SklearnHalvingGridSearchCV(estimator, RATES, **HALVING).fit(X, y)
    cold_epochs = list(EpochLog.epochs)
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.n_resources_ == theirs.n_resources_ == [1, 3]
    assert ours.best_params_ == theirs.best_params_
    # 3 candidates x 2 folds x 1 epoch, then the survivor's 2 folds: scikit-learn
    # trains epochs 0-2 again, the warm rung only epochs 1 and 2.
    assert sorted(cold_epochs) == sorted([0] * 6 + [0, 1, 2] * 2)
    assert sorted(warm_epochs) == sorted([0] * 6 + [1, 2] * 2)


@pytest.mark.backends
def test_before_scikit_learn_1_9_the_searches_are_scikit_learns(digits, monkeypatch):
    # run_evaluation follows 1.9's BaseSearchCV.fit; an older scikit-learn
    # (simulated: this environment has 1.9) runs its own fit, and says so.
    import sklearn_dl.model_selection._fused as fused
    import sklearn_dl.model_selection._halving as halving

    monkeypatch.setattr(fused, "can_run_evaluation", lambda search: False)
    monkeypatch.setattr(halving, "can_run_evaluation", lambda search: False)
    X, y = digits
    EpochLog.epochs = []
    estimator = network(callbacks=[EpochLog()])
    with pytest.warns(UserWarning, match="scikit-learn >= 1.9"):
        ours = HalvingGridSearchCV(estimator, RATES, **HALVING).fit(X, y)
    restarted, EpochLog.epochs = list(EpochLog.epochs), []
    theirs = SklearnHalvingGridSearchCV(estimator, RATES, **HALVING).fit(X, y)
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert sorted(restarted) == sorted(EpochLog.epochs)  # rungs restart
    grid = GridSearchCV(network(), {"learning_rate": [1e-3, 1e-2]}, cv=2)
    reason = fused.search_refusal(grid, X, {})
    expected = "JAX backend" if configured_backend() != "jax" else "1.9"
    assert expected in reason
    grid.fit(X, y)
    assert list(grid.fused_group_) == [-1, -1]


def test_warm_halving_refits_and_routes_metadata(digits):
    X, y = digits
    weights = np.where(y % 2 == 0, 2, 1)
    with config_context(enable_metadata_routing=True):
        estimator = (
            network()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False)
        )
        settings = {**HALVING, "refit": True}
        ours = HalvingGridSearchCV(estimator, RATES, **settings)
        ours.fit(X, y, sample_weight=weights)
        theirs = SklearnHalvingGridSearchCV(estimator, RATES, **settings)
        theirs.fit(X, y, sample_weight=weights)
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_estimator_.epochs == 3
    assert ours.best_estimator_.warm_start is False
    np.testing.assert_allclose(
        ours.predict_proba(X[:5]), theirs.predict_proba(X[:5]), atol=1e-6
    )


def test_grid_search_routes_metadata(digits):
    X, y = digits
    weights = np.where(y % 2 == 0, 2, 1)
    grid = {"learning_rate": [1e-2]}
    with config_context(enable_metadata_routing=True):
        estimator = (
            network()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False)
        )
        search = GridSearchCV(estimator, grid, cv=2, refit=False)
        weighted = search.fit(X, y, sample_weight=weights).cv_results_
        plain = GridSearchCV(network(), grid, cv=2, refit=False).fit(X, y)
    assert weighted["mean_test_score"] != plain.cv_results_["mean_test_score"]
    routing = search.get_metadata_routing()
    assert routing.consumes("fit", ["sample_weight"]) == {"sample_weight"}


def test_warm_halving_continues_a_pipelines_network(digits):
    X, y = digits
    EpochLog.epochs = []
    pipeline = make_pipeline(StandardScaler(), network(callbacks=[EpochLog()]))
    settings = {**HALVING, "resource": "denseclassifier__epochs"}
    grid = {"denseclassifier__learning_rate": RATES["learning_rate"]}
    search = HalvingRandomSearchCV(pipeline, grid, n_candidates=3, **settings)
    search.fit(X, y)
    assert search.n_resources_ == [1, 3]
    assert sorted(EpochLog.epochs) == sorted([0] * 6 + [1, 2] * 2)


def test_resource_must_be_an_integer_parameter(digits):
    X, y = digits
    settings = {**HALVING, "resource": "learning_rate"}
    search = HalvingGridSearchCV(network(), {"batch_size": [16, 32]}, **settings)
    with pytest.raises(ValueError, match="must name an integer parameter"):
        search.fit(X, y)


def test_resource_searched_or_unknown_is_scikit_learns_error(digits):
    X, y = digits
    searched = HalvingGridSearchCV(network(), {"epochs": [1, 2]}, **HALVING)
    with pytest.raises(ValueError, match="part of the searched parameters"):
        searched.fit(X, y)
    unknown = HalvingGridSearchCV(network(), RATES, **{**HALVING, "resource": "x"})
    with pytest.raises(ValueError, match="Cannot use resource=x"):
        unknown.fit(X, y)


@pytest.mark.parametrize("pooled_model_left", [True, False])
def test_parked_network_pickles_and_trains_on_exactly(digits, pooled_model_left):
    X, y = digits
    parked = network(warm_start=True).fit(X, y)
    kept = network(warm_start=True).fit(X, y)
    assert park_network(parked)
    assert not parked.__sklearn_is_fitted__()
    parked = pickle.loads(pickle.dumps(parked))
    # Without an idle pooled model (a joblib worker), unparking builds one.
    key, held = parked._parked_network.key, []
    while not pooled_model_left and (model := POOL.take(key)) is not None:
        held.append(model)
    assert pooled_model_left or held
    unpark_network(parked)
    parked.fit(X, y)
    kept.fit(X, y)
    assert parked.history_ == kept.history_
    np.testing.assert_array_equal(parked.predict_proba(X), kept.predict_proba(X))
    del held


def test_a_network_user_code_holds_is_not_parked(digits):
    X, y = digits
    shared = network().fit(X, y)
    shared.model_  # noqa: B018 (user code now holds the model)
    assert not park_network(shared)
    assert shared.__sklearn_is_fitted__()


@pytest.mark.parametrize(
    "search",
    [
        GridSearchCV(network(), {"epochs": [1]}, cv=2),
        RandomizedSearchCV(network(), {"epochs": [1]}, n_iter=1, cv=2),
        HalvingGridSearchCV(network(), {"epochs": [1]}, cv=2),
        HalvingRandomSearchCV(network(), {"epochs": [1]}, cv=2),
    ],
    ids=type,
)
def test_a_search_refuses_a_generator_and_points_to_lazy_array(digits, search):
    X, y = digits

    def batches():
        yield X[:32], y[:32]

    with pytest.raises(TypeError, match=r"cannot be split into folds.*LazyArray"):
        search.fit(batches)
