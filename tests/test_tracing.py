"""TensorFlow's retracing warning stays out of sklearn_dl's own calls.

TensorFlow counts traces per Python code object, so many Keras models that
each trace once look like one function retracing. sklearn_dl drops that
warning while it runs its models, and only then.
"""

import logging
import os
import subprocess
import sys
import textwrap

import pytest

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.runtime import first_traces

needs_tensorflow = pytest.mark.skipif(
    configured_backend() != "tensorflow",
    reason="the retracing warning is TensorFlow's",
)
WARNING = "5 out of the last 5 calls to <f> triggered tf.function retracing."


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@needs_tensorflow
def test_the_warning_is_dropped_only_inside_first_traces():
    logger = logging.getLogger("tensorflow")
    records = _Records()
    logger.addHandler(records)
    try:
        with first_traces():
            logger.warning(WARNING)
            logger.warning("another tensorflow warning")
        logger.warning(WARNING)
    finally:
        logger.removeHandler(records)
    assert records.messages == ["another tensorflow warning", WARNING]


_SCRIPT = textwrap.dedent(
    """
    import logging
    import sys

    import numpy as np

    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger("tensorflow").addHandler(handler)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    if sys.argv[1] == "raw":  # new Keras models, one call each
        import keras

        for units in range(1, 8):
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])
            model.predict_on_batch(X[:5])
    else:  # the same pattern through sklearn_dl: a search, then loads
        from sklearn.model_selection import GridSearchCV

        from sklearn_dl.networks import DenseClassifier
        from sklearn_dl.persistence import load, save

        search = GridSearchCV(
            DenseClassifier(epochs=1, batch_size=64),
            {"hidden_layer_sizes": [(2,), (3,), (4,)]},
            cv=3,
        ).fit(X, y)
        save(search.best_estimator_, sys.argv[2])
        for _ in range(6):
            load(sys.argv[2]).set_params(warm_start=True).fit(X, y).predict(X[:5])
    print("warnings:", sum("retracing" in message for message in seen))
    """
)


def _retracing_warnings(*args):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return int(result.stdout.split("warnings:")[1])


@needs_tensorflow
def test_searches_and_loads_do_not_warn_where_raw_keras_does(tmp_path):
    # Each in a fresh process: TensorFlow warns at most twice per function.
    assert _retracing_warnings("raw") >= 1  # so the next count can fail
    assert _retracing_warnings("ours", str(tmp_path / "net.skdl")) == 0
