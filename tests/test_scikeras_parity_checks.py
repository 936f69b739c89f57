"""scikit-learn's conformance checks over scikeras-style configurations."""

import keras
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl import KerasClassifier, KerasRegressor
from tests.builders import mlp

# TensorFlow only: the core's conformance on JAX is checked by
# test_wrappers_checks; these add the scikeras-style configurations, which
# change no backend code (and the JAX job's time is tight).


class SubclassedClassifier(KerasClassifier):
    """scikeras's documented subclass: own parameters, ``_keras_build_fn``."""

    def __init__(
        self,
        hidden=32,
        optimizer="adam",
        batch_size=8,
        epochs=20,
        random_state=0,
        **kwargs,
    ):
        super().__init__(
            optimizer=optimizer,
            batch_size=batch_size,
            epochs=epochs,
            random_state=random_state,
            **kwargs,
        )
        self.hidden = hidden

    def _keras_build_fn(self, hidden, meta):
        return mlp(meta, hidden=hidden)


CHECKED = [
    SubclassedClassifier(),
    # One callback class, one metric as a string (scikeras's routing forms).
    KerasRegressor(
        mlp,
        optimizer="adam",
        epochs=20,
        random_state=0,
        metrics="mae",
        callbacks=keras.callbacks.TerminateOnNaN,
    ),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_conformance_scikeras_style(estimator, check):
    check(estimator)
