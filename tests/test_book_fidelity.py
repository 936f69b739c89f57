"""Book fidelity: MaxNorm as the book's, per-optimizer learning rates."""

import numpy as np
import pytest

from sklearn_dl.networks import ConvClassifier, DenseClassifier


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 16)).astype("float32")
    return X, (X[:, 0] > 0).astype(int)


def test_conv_max_norm_is_the_books_maxnorm(data):
    X, y = data
    net = ConvClassifier(
        filters=(2,), kernel_size=3, max_norm=3, image_shape=(4, 4, 1), epochs=1
    ).fit(X, y)
    conv = next(layer for layer in net.model_.layers if "conv" in layer.name)
    config = conv.kernel_constraint.get_config()
    assert config["max_value"] == 3 and config["axis"] == 0  # MaxNorm(3)


@pytest.mark.parametrize(
    ("optimizer", "learning_rate", "expected"),
    [("adadelta", None, 0.001), ("adadelta", 1.0, 1.0), ("sgd", None, 0.01)],
)
def test_learning_rate_none_keeps_the_optimizers_default(
    data, optimizer, learning_rate, expected
):
    X, y = data
    net = DenseClassifier(
        (4,), optimizer=optimizer, learning_rate=learning_rate, epochs=1
    ).fit(X, y)
    assert float(net.model_.optimizer.learning_rate) == pytest.approx(expected)
