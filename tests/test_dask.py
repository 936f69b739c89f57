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


def _warm_up():
    X, y = make_classification(n_samples=30, n_features=5, random_state=0)
    KerasClassifier(mlp, epochs=1, random_state=0).fit(X, y)


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
    # Start Keras in every worker with one small fit (see the note in the test).
    client.run(_warm_up)
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
    assert search.best_estimator_.predict(X).shape == (120,)
    # Known limit, recorded in the project notes: on these tiny fits, a
    # fit in a Dask worker process does not always repeat bit for bit what
    # the same seeded fit gives elsewhere, so scores are not compared
    # exactly with a serial search here.
