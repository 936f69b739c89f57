"""Book fidelity: MaxNorm as the book's, per-optimizer learning rates, the
output layer's initializer."""

import numpy as np
import pytest

from sklearn_dl.networks import (
    ConvClassifier,
    DenseClassifier,
    DenseRegressor,
    RecurrentRegressor,
)


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


def _output_kernel_initializer(net):
    return net.model_.get_layer("output").kernel_initializer


def test_output_initializer_is_the_books_normal(data):
    X, y = data
    net = DenseClassifier((4,), output_initializer="normal", epochs=1).fit(X, y)
    initializer = _output_kernel_initializer(net)
    assert type(initializer).__name__ == "RandomNormal"
    assert initializer.get_config()["stddev"] == pytest.approx(0.05)


def test_output_initializer_default_is_keras_glorot_uniform(data):
    X, y = data
    net = DenseClassifier((4,), epochs=1).fit(X, y)
    assert type(_output_kernel_initializer(net)).__name__ == "GlorotUniform"


def test_output_initializer_instance_is_copied_and_seeded(data):
    import keras

    X, _y = data
    given = keras.initializers.RandomNormal(stddev=0.3)
    nets = [
        DenseRegressor((4,), output_initializer=given, epochs=1, random_state=0).fit(
            X, X[:, 0]
        )
        for _ in range(2)
    ]
    assert given.get_config() == {"mean": 0.0, "stddev": 0.3, "seed": None}
    assert _output_kernel_initializer(nets[0]) is not given
    np.testing.assert_array_equal(nets[0].predict(X), nets[1].predict(X))


def test_output_initializer_as_config_reaches_a_recurrent_head():
    X = np.random.RandomState(0).normal(size=(12, 3, 1)).astype("float32")
    config = {"class_name": "Zeros", "config": {}}
    net = RecurrentRegressor(units=(2,), output_initializer=config, epochs=1).fit(
        X, X[:, -1, 0]
    )
    assert type(_output_kernel_initializer(net)).__name__ == "Zeros"
    assert config == {"class_name": "Zeros", "config": {}}


def test_unknown_output_initializer_is_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match="output_initializer='nope'"):
        DenseClassifier((4,), output_initializer="nope", epochs=1).fit(X, y)
