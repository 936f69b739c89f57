"""scikit-learn's own conformance checks over the ready-made networks.

Small configurations, no expected failures and nothing skipped. The checks
feed 2-D rows; the convolutional networks read rows of ``F`` features as
one-pixel-high images ``1 x F`` (their documented rule without
``image_shape``).
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl.networks import (
    ConvClassifier,
    ConvRegressor,
    DenseClassifier,
    DenseRegressor,
)

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends

CHECKED = [
    DenseClassifier(
        hidden_layer_sizes=(32,), learning_rate=0.03, epochs=5, random_state=0
    ),
    DenseRegressor(
        hidden_layer_sizes=(32,), learning_rate=0.03, epochs=5, random_state=0
    ),
    ConvClassifier(
        filters=(4,), kernel_size=3, learning_rate=0.03, epochs=5, random_state=0
    ),
    ConvRegressor(
        filters=(4,), kernel_size=3, learning_rate=0.03, epochs=5, random_state=0
    ),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance(estimator, check):
    check(estimator)
