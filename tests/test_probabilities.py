"""predict_proba rows sum to one in float64, as scikit-learn's metrics check."""

import warnings

import numpy as np
from sklearn.metrics import log_loss

from sklearn_dl._core.targets import ClassifierTargets
from sklearn_dl.networks import DenseClassifier


def test_softmax_probabilities_sum_to_one_in_float64():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5)).astype("float32")
    y = rng.randint(0, 4, size=60)
    net = DenseClassifier((8,), epochs=1, random_state=0).fit(X, y)
    proba = net.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_loss(y, proba)


def test_outputs_that_are_not_a_softmax_are_left_alone():
    targets = ClassifierTargets()
    outputs = np.array([[0.2, 0.2, 0.2], [0.9, 0.5, 0.1]], dtype="float32")
    np.testing.assert_array_equal(
        targets.probabilities(outputs), outputs.astype(np.float64)
    )


def test_pickling_leaves_the_estimator_unchanged():
    import pickle

    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 3)).astype("float32")
    net = DenseClassifier((4,), epochs=1, random_state=0).fit(X, X[:, 0] > 0)
    before = set(net.__dict__)
    pickle.dumps(net)
    assert set(net.__dict__) == before  # BaseEstimator hands out the live dict
