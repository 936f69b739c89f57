"""scikit-learn's own conformance checks over the generic wrappers.

Both as a scikeras user writes them without routing, and with routed
parameters (``optimizer__*``, ``model__*`` or a plain builder argument,
``compile__*``, ``fit__*``, ``predict__*``), which are parameters too:
``__init__`` stores them unchanged and ``get_params`` returns them, so
``check_no_attributes_set_in_init`` and the clone checks hold for them.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl import KerasClassifier, KerasRegressor
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends

CHECKED = [
    # Small batches: enough steps at Adam's default rate to learn the
    # class-weight check's data on every backend.
    KerasClassifier(mlp, optimizer="adam", batch_size=8, epochs=20, random_state=0),
    KerasRegressor(mlp, optimizer="adam", epochs=20, random_state=0),
    # Routed: a higher learning rate learns the same data in 5 epochs.
    KerasClassifier(
        mlp,
        optimizer="adam",
        optimizer__learning_rate=0.03,
        model__hidden=16,
        compile__steps_per_execution=1,
        fit__validation_freq=1,
        predict__batch_size=64,
        epochs=5,
        random_state=0,
    ),
    KerasRegressor(
        mlp,
        optimizer="adam",
        optimizer__learning_rate=0.03,
        hidden=16,  # a plain builder argument, as scikeras allows
        fit__validation_freq=1,
        epochs=5,
        random_state=0,
    ),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance(estimator, check):
    check(estimator)
