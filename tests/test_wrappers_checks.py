"""scikit-learn's own conformance checks over the generic wrappers."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl import KerasClassifier, KerasRegressor
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends

CHECKED = [
    # Small batches: enough steps to learn the class-weight check's data on
    # every backend (a routed learning rate would fail the attributes check).
    KerasClassifier(mlp, optimizer="adam", batch_size=8, epochs=20, random_state=0),
    KerasRegressor(mlp, optimizer="adam", epochs=20, random_state=0),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance(estimator, check):
    check(estimator)
