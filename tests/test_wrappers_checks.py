"""scikit-learn's own conformance checks over the generic wrappers."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl import KerasClassifier, KerasRegressor
from tests.builders import mlp

CHECKED = [
    KerasClassifier(mlp, optimizer="adam", epochs=20, random_state=0),
    KerasRegressor(mlp, optimizer="adam", epochs=20, random_state=0),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance(estimator, check):
    check(estimator)
