"""scikit-learn's own conformance checks over the ready-made networks.

Small configurations, ``ConvRegressor()`` exactly as default-constructed, and
the small dense classifier under several seeds; no expected failures and
nothing skipped. The other defaults are not listed because their pass would
be luck: the checks' learning tests train them for about 20 Adam steps at the
default learning rate on 50 unscaled rows, too little for the thresholds to
hold whatever the seed. Measured: ``DenseClassifier()`` passed
``check_class_weight_classifiers`` for 3 of 8 seeds and ``ConvClassifier()``
for 5 of 6; ``DenseRegressor()`` passed ``check_regressors_train`` on
TensorFlow but not on JAX (other random draws for the same seed). The checks feed 2-D
rows; the convolutional networks read rows of ``F`` features as
one-pixel-high images ``1 x F`` (their documented rule without
``image_shape``).
"""

import pytest
from sklearn.utils import estimator_checks
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
    # As a user first writes it (most checks seed it with random_state=0).
    ConvRegressor(),
]

#: Seeds besides 0 for the small dense classifier.
SEEDS = (1, 42)
SEEDED = [
    DenseClassifier(
        hidden_layer_sizes=(32,), learning_rate=0.03, epochs=5, random_state=seed
    )
    for seed in SEEDS
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance(estimator, check):
    check(estimator)


def _keep_own_seed(estimator, random_state=0):
    """Stands in for the checks' ``set_random_state``: the seed stays."""
    assert estimator.get_params()["random_state"] in SEEDS


@parametrize_with_checks(SEEDED)
def test_sklearn_conformance_other_seeds(estimator, check, monkeypatch):
    # Most checks reset random_state to 0 before fitting, which would make
    # every seed test seed 0 again; keep the estimator's own seed instead.
    monkeypatch.setattr(estimator_checks, "set_random_state", _keep_own_seed)
    check(estimator)
