"""A grid search over sklearn_dl estimators on a Dask cluster, through joblib."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from sklearn_dl import KerasClassifier
from sklearn_dl.progress import fit_progress_callback
from tests.builders import mlp

distributed = pytest.importorskip("dask.distributed")

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def cluster_client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _worker_pid():
    import os

    return os.getpid()


def test_search_runs_on_a_local_cluster(cluster_client, tmp_path):
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    X = X.astype(np.float32)
    grid = {"model__hidden": [4, 8], "optimizer__learning_rate": [0.001, 0.01]}
    estimator = KerasClassifier(mlp, optimizer="adam", epochs=3, random_state=0)
    progress = tmp_path / "fits"
    progress.mkdir()

    serial = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    with joblib.parallel_config(backend="dask"):
        search = GridSearchCV(estimator, grid, cv=3, n_jobs=-1)
        search.fit(X, y, callbacks=[fit_progress_callback(progress)])

    worker_pids = set(cluster_client.run(_worker_pid).values())
    assert len(worker_pids) == 2
    # every cross-validation fit ran (in the workers) and reported back
    assert len(list(progress.glob("*.fit"))) == 4 * 3 + 1
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (4,) and np.isfinite(scores).all()
    assert search.best_params_ in search.cv_results_["params"]
    # Seeded fits in the workers (their first ones included, while the
    # workers' event loops draw from Python's random module) repeat the
    # serial search exactly.
    for split in range(3):
        key = f"split{split}_test_score"
        np.testing.assert_array_equal(search.cv_results_[key], serial.cv_results_[key])
    assert search.best_params_ == serial.best_params_
    np.testing.assert_array_equal(
        search.best_estimator_.predict_proba(X), serial.best_estimator_.predict_proba(X)
    )


def test_search_on_a_lazy_array_reads_the_file_in_the_workers(cluster_client, tmp_path):
    from sklearn.model_selection import KFold

    from sklearn_dl import LazyArray
    from sklearn_dl.networks import DenseClassifier

    X, y = make_classification(n_samples=90, n_features=4, random_state=0)
    np.save(tmp_path / "X.npy", X.astype(np.float32))
    lazy = LazyArray(np.load(tmp_path / "X.npy", mmap_mode="r"))  # sent by name
    estimator = DenseClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
    grid, cv = {"learning_rate": [0.001, 0.01]}, KFold(2, shuffle=True, random_state=0)
    serial = GridSearchCV(estimator, grid, cv=cv, refit=False).fit(X, y)
    with joblib.parallel_config(backend="dask"):
        search = GridSearchCV(estimator, grid, cv=cv, n_jobs=-1, refit=False)
        search.fit(lazy, y)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
