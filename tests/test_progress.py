"""Progress of searches over sklearn_dl networks."""

import io
import pickle

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl import KerasClassifier
from sklearn_dl.progress import (
    count_search_fits,
    fit_progress_callback,
    fit_with_progress,
)
from tests.builders import mlp


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=90, n_features=4, random_state=0)
    return X.astype(np.float32), y


def test_count_search_fits(data):
    X, y = data
    grid = GridSearchCV(KerasClassifier(mlp), {"epochs": [1, 2, 3]}, cv=4)
    assert count_search_fits(grid, X, y) == (3, 13)
    grid.set_params(refit=False)
    assert count_search_fits(grid, X, y) == (3, 12)
    randomized = RandomizedSearchCV(
        KerasClassifier(mlp), {"epochs": [1, 2, 3, 4]}, n_iter=2, cv=3
    )
    assert count_search_fits(randomized, X, y) == (2, 7)
    with pytest.raises(TypeError, match="not a GridSearchCV"):
        count_search_fits(KerasClassifier(mlp), X, y)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fit_with_progress_reports_fits_candidates_and_refit(data, n_jobs):
    X, y = data
    pipe = make_pipeline(StandardScaler(), KerasClassifier(mlp, epochs=2))
    search = GridSearchCV(
        pipe, {"kerasclassifier__model__hidden": [2, 4]}, cv=2, n_jobs=n_jobs
    )
    stream = io.StringIO()
    with joblib.parallel_config(backend="threading"):
        fitted = fit_with_progress(search, X, y, stream=stream, interval=0.05)
    assert fitted is search
    assert hasattr(search, "best_estimator_")
    lines = stream.getvalue().strip().splitlines()
    assert lines[-1].startswith("fits 4/4, candidates 2/2, elapsed")
    assert lines[-1].endswith("refit epochs done")
    # the estimator's own parameters are untouched by the progress callback
    assert search.best_estimator_[-1].callbacks is None


def test_progress_callback_records_epochs(data, tmp_path):
    X, y = data
    callback = fit_progress_callback(tmp_path)
    copied = pickle.loads(pickle.dumps(callback))
    assert copied.directory == str(tmp_path)
    KerasClassifier(mlp, epochs=3).fit(X, y, callbacks=[callback])
    (record,) = tmp_path.glob("*.fit")
    assert record.read_text() == "done"
