"""NetworkFeatures: a trained network's hidden layer as features."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl.networks import DenseClassifier, DenseRegressor, NetworkFeatures


@parametrize_with_checks(
    [
        NetworkFeatures(
            DenseClassifier((8,), learning_rate=0.03, epochs=2, random_state=0)
        ),
        NetworkFeatures(
            DenseRegressor((8,), learning_rate=0.03, epochs=2, random_state=0),
            layer=0,
        ),
    ]
)
def test_sklearn_conformance(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


def test_features_are_the_last_hidden_layer(digits):
    X, y = digits
    net = DenseClassifier((12, 6), epochs=1, random_state=0).fit(X, y)
    features = NetworkFeatures.from_fitted(net)
    assert features.network_ is net  # not trained again
    out = features.transform(X[:5])
    assert out.shape == (5, 6)
    assert np.all(out >= 0)  # relu
    first = NetworkFeatures.from_fitted(net, layer=0).transform(X[:5])
    assert first.shape == (5, 12)
    by_name = NetworkFeatures.from_fitted(net, layer=net.model_.layers[0].name)
    np.testing.assert_allclose(by_name.transform(X[:5]), first)
    assert list(features.get_feature_names_out()) == [
        f"networkfeatures{i}" for i in range(6)
    ]
    with pytest.raises(ValueError, match="out of range"):
        NetworkFeatures.from_fitted(net, layer=10)


def test_frozen_extractor_in_a_pipeline(digits):
    X, y = digits
    net = DenseClassifier((16,), epochs=2, random_state=0).fit(X, y)
    weights = [w.copy() for w in net.model_.get_weights()]
    pipe = make_pipeline(
        FrozenEstimator(NetworkFeatures.from_fitted(net)),
        LogisticRegression(max_iter=500),
    )
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.5
    for before, after in zip(weights, net.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)  # the network stayed frozen


def test_pickles(digits):
    X, y = digits
    features = NetworkFeatures(DenseClassifier((4,), epochs=1, random_state=0))
    expected = features.fit(X, y).transform(X[:4])
    copy = pickle.loads(pickle.dumps(features))
    np.testing.assert_allclose(copy.transform(X[:4]), expected, rtol=1e-6)
