"""ConvClassifier and ConvRegressor: the book's convolutional networks."""

import pickle

import keras
import numpy as np
import pytest
from keras.constraints import MaxNorm
from keras.layers import (
    Activation,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPooling2D,
)
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_dl.networks import (
    CONV_ARCHITECTURES,
    ConvClassifier,
    ConvRegressor,
    conv_architecture_params,
)

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends

try:  # written in parallel by another helper; used when present
    from sklearn_dl.preprocessing import PixelScaler
except ImportError:  # pragma: no cover
    PixelScaler = None


# --------------------------------------------------------------------------
# The book's listings (seed L7733-8227), written out in Keras as references.
# The book's input_shape (1, 28, 28) is an error in the listings; its prose
# and data are channels_last (28, 28, 1).
def _book_simple():
    return [
        Conv2D(32, (5, 5), activation="relu", padding="same"),
        Flatten(),
        Dense(10, activation="softmax"),
    ]


def _book_bigger():
    def conv(filters, size):
        return [
            Conv2D(
                filters,
                (size, size),
                activation="relu",
                padding="same",
                kernel_constraint=MaxNorm(3),
            ),
            Dropout(0.2),
        ]

    return [*conv(16, 5), *conv(8, 3), *conv(8, 3), Flatten(), Dense(10, "softmax")]


def _book_pooling_or_striding(strides, pool):
    layers = []
    for filters, size in ((30, 5), (16, 3)):
        layers.append(
            Conv2D(
                filters,
                (size, size),
                activation="relu",
                padding="same",
                strides=strides,
                kernel_constraint=MaxNorm(3),
            )
        )
        layers.append(Dropout(0.2))
        if pool:
            layers.append(MaxPooling2D(pool_size=(2, 2), padding="same"))
    head = [Dense(128, "relu"), Dense(64, "relu"), Dense(10, "softmax")]
    return [*layers, Flatten(), *head]


def _book_striding_batchnorm():
    layers = []
    for filters, size in ((30, 5), (16, 3)):
        layers += [
            Conv2D(filters, (size, size), padding="same", strides=(2, 2)),
            BatchNormalization(),
            Activation("relu"),
        ]
    head = [Dense(128, "relu"), Dense(64, "relu"), Dense(10, "softmax")]
    return [*layers, Flatten(), *head]


def _book_vgg(pool):
    layers = []
    for filters in (32, 16, 8):
        layers.append(Conv2D(filters, (5, 5), activation="relu", padding="same"))
        layers.append(
            Conv2D(
                filters,
                (3, 3),
                activation="relu",
                padding="same",
                strides=(1, 1) if pool else (2, 2),
            )
        )
        if pool:
            layers.append(MaxPooling2D(pool_size=(2, 2), padding="same"))
    head = [Dense(512, "relu"), Dense(256, "relu"), Dense(10, "softmax")]
    return [*layers, Flatten(), *head]


BOOK_NETWORKS = {
    "simple": (_book_simple, 251_722),
    "bigger": (_book_bigger, 64_890),
    "pooling": (lambda: _book_pooling_or_striding((1, 1), pool=True), 114_502),
    "striding": (lambda: _book_pooling_or_striding((2, 2), pool=False), 114_502),
    "striding_batchnorm": (_book_striding_batchnorm, 114_686),
    "vgg_pooling": (lambda: _book_vgg(pool=True), 228_954),
    "vgg_striding": (lambda: _book_vgg(pool=False), 228_954),
}

_COMPARED_CONFIG = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "units",
    "rate",
    "pool_size",
)


def _signature(model):
    """Layer kinds, key settings and activations, for comparing networks."""
    rows = []
    for layer in model.layers:
        config = layer.get_config()
        row = [type(layer).__name__]
        row += [(key, config[key]) for key in _COMPARED_CONFIG if key in config]
        if "activation" in config:
            row.append(("activation", config["activation"]))
        constraint = getattr(layer, "kernel_constraint", None)
        row.append(("max_norm", getattr(constraint, "max_value", None)))
        row.append(("max_norm_axis", getattr(constraint, "axis", None)))  # the book's
        rows.append(tuple(row))
    return rows


@pytest.fixture(scope="module")
def mnist_sized():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(10, 28, 28, 1)).astype(np.float32)
    return X, np.arange(10)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.mark.parametrize("name", CONV_ARCHITECTURES)
def test_book_architecture_matches_the_listing(name, mnist_sized):
    X, y = mnist_sized
    build_reference, expected_count = BOOK_NETWORKS[name]
    reference = keras.Sequential([keras.Input((28, 28, 1)), *build_reference()])
    clf = ConvClassifier(architecture=name, epochs=1, batch_size=10, random_state=0)
    clf.fit(X, y)
    assert reference.count_params() == expected_count
    assert clf.model_.count_params() == expected_count
    assert _signature(clf.model_) == _signature(reference)


def test_architecture_names_cover_the_book():
    assert CONV_ARCHITECTURES == (
        "simple",
        "bigger",
        "pooling",
        "striding",
        "striding_batchnorm",
        "vgg_pooling",
        "vgg_striding",
    )
    assert conv_architecture_params("striding") is not conv_architecture_params(
        "striding"
    )
    with pytest.raises(ValueError, match="Unknown architecture 'lenet'"):
        conv_architecture_params("lenet")


def test_defaults_are_the_simple_network_and_explicit_params_match_names(
    mnist_sized,
):
    X, y = mnist_sized
    default = ConvClassifier(epochs=1, batch_size=10).fit(X, y)
    assert default.model_.count_params() == 251_722
    explicit = ConvClassifier(
        **conv_architecture_params("striding_batchnorm"), epochs=1, batch_size=10
    ).fit(X, y)
    named = ConvClassifier("striding_batchnorm", epochs=1, batch_size=10).fit(X, y)
    assert _signature(explicit.model_) == _signature(named.model_)


def test_architecture_overrides_the_block_parameters(digits):
    X, y = digits
    images = X[:40].reshape(-1, 8, 8, 1)
    clf = ConvClassifier("pooling", filters=(4,), dropout=0.5, epochs=1)
    clf.fit(images, y[:40])
    convs = [layer for layer in clf.model_.layers if isinstance(layer, Conv2D)]
    assert [layer.filters for layer in convs] == [30, 16]
    dropouts = [layer.rate for layer in clf.model_.layers if isinstance(layer, Dropout)]
    assert dropouts == [0.2, 0.2]


def test_blocks_of_several_convolutions_with_strides_and_average_pooling(digits):
    X, y = digits
    clf = ConvClassifier(
        filters=((4, 6), 8),
        kernel_size=((3, 5), 3),
        strides=(1, 2),
        pooling="average",
        dense_layer_sizes=(12,),
        image_shape=(8, 8),
        epochs=1,
        random_state=0,
    ).fit(X[:40], y[:40])
    kinds = [type(layer).__name__ for layer in clf.model_.layers]
    assert kinds == [
        "Reshape",
        "Conv2D",
        "Conv2D",
        "AveragePooling2D",
        "Conv2D",
        "AveragePooling2D",
        "Flatten",
        "Dense",
        "Dense",
    ]
    convs = [layer for layer in clf.model_.layers if isinstance(layer, Conv2D)]
    assert [layer.kernel_size for layer in convs] == [(3, 3), (5, 5), (3, 3)]
    assert [layer.strides for layer in convs] == [(1, 1), (1, 1), (2, 2)]
    # 8x8 -> pool 4x4 -> stride 2: 2x2 -> pool 1x1, 8 channels.
    assert clf.model_.layers[-3].output.shape == (None, 8)


def test_batch_normalization_sits_between_convolution_and_activation(digits):
    X, y = digits
    clf = ConvClassifier(
        filters=(4,),
        kernel_size=3,
        batch_normalization=True,
        activation="tanh",
        image_shape=(8, 8),
        epochs=1,
    ).fit(X[:40], y[:40])
    conv, norm, activation = clf.model_.layers[1:4]
    assert conv.get_config()["activation"] == "linear"
    assert isinstance(norm, BatchNormalization)
    assert activation.get_config()["activation"] == "tanh"


def test_same_images_in_every_input_layout_give_the_same_network(digits):
    X, y = digits
    X, y = X[:120], y[:120]
    params = {
        "filters": (6,),
        "kernel_size": 3,
        "pooling": "max",
        "epochs": 2,
        "random_state": 0,
    }
    layouts = {
        "native": (X.reshape(-1, 8, 8, 1), {}),
        "grey": (X.reshape(-1, 8, 8), {}),
        "flat": (X, {"image_shape": (8, 8)}),
        "flat3": (X, {"image_shape": (8, 8, 1)}),
        "square": (X, {"image_shape": "square"}),
    }
    probabilities = {}
    for name, (data, extra) in layouts.items():
        clf = ConvClassifier(**params, **extra).fit(data, y)
        conv = next(layer for layer in clf.model_.layers if isinstance(layer, Conv2D))
        assert conv.output.shape == (None, 8, 8, 6)
        probabilities[name] = clf.predict_proba(data[:10])
    for name in layouts:
        np.testing.assert_allclose(
            probabilities[name], probabilities["native"], rtol=1e-5, atol=1e-6
        )


def test_channels_first(digits):
    X, y = digits
    images = X[:60].reshape(-1, 1, 8, 8)
    clf = ConvClassifier(
        filters=(4,),
        kernel_size=3,
        pooling="max",
        batch_normalization=True,
        data_format="channels_first",
        epochs=1,
    ).fit(images, y[:60])
    assert clf.model_.layers[0].output.shape == (None, 4, 8, 8)
    assert clf.model_.layers[3].output.shape == (None, 4, 4, 4)
    flat = clone(clf).set_params(image_shape=(8, 8)).fit(X[:60], y[:60])
    reshape = flat.model_.layers[0]
    assert reshape.target_shape == (1, 8, 8)
    assert flat.predict(X[:5]).shape == (5,)


def test_rows_without_image_shape_are_one_pixel_high_images():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    clf = ConvClassifier(filters=(3,), kernel_size=3, epochs=1).fit(X, y)
    assert clf.model_.layers[0].target_shape == (1, 5, 1)
    assert clf.model_.layers[1].output.shape == (None, 1, 5, 3)
    channels_first = ConvClassifier(
        filters=(3,), kernel_size=3, data_format="channels_first", epochs=1
    ).fit(X, y)
    assert channels_first.model_.layers[0].target_shape == (1, 1, 5)


def test_augmentation_layers_act_in_training_only(digits):
    X, y = digits
    images = X[:64].reshape(-1, 8, 8, 1)
    clf = ConvClassifier(
        filters=(4,),
        kernel_size=3,
        augment_rotation=20,
        augment_shift=0.125,
        augment_flip="horizontal",
        epochs=1,
        random_state=0,
    ).fit(images, y[:64])
    rotation, shift, flip = clf.model_.layers[:3]
    assert isinstance(rotation, keras.layers.RandomRotation)
    assert rotation.factor == pytest.approx((-20 / 360, 20 / 360))
    assert isinstance(shift, keras.layers.RandomTranslation)
    assert (shift.height_factor, shift.width_factor) == (0.125, 0.125)
    assert isinstance(flip, keras.layers.RandomFlip) and flip.mode == "horizontal"
    batch = images[:16]
    for layer in (rotation, shift, flip):
        np.testing.assert_array_equal(layer(batch, training=False), batch)
    changed = [
        not np.allclose(layer(batch, training=True), batch)
        for layer in (rotation, shift, flip)
    ]
    assert all(changed)
    # Predictions see the images unchanged: repeated calls agree.
    np.testing.assert_array_equal(clf.predict_proba(batch), clf.predict_proba(batch))
    plain = ConvClassifier(filters=(4,), kernel_size=3, epochs=1).fit(images, y[:64])
    assert not any("Random" in type(layer).__name__ for layer in plain.model_.layers)


def test_regressor_finds_where_a_bright_square_is_and_several_targets():
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 7, size=(2, 300))
    images = rng.uniform(0, 0.1, size=(300, 8, 8, 1)).astype(np.float32)
    for image, row, col in zip(images, rows, cols, strict=True):
        image[row : row + 2, col : col + 2] = 1.0
    reg = ConvRegressor(
        filters=(8,), kernel_size=3, learning_rate=0.01, epochs=10, random_state=0
    ).fit(images, rows.astype(float))
    assert reg.score(images, rows) > 0.95
    assert reg.model_.layers[-1].activation.__name__ == "linear"
    assert reg.predict(images[:4]).shape == (4,)
    both = np.column_stack([rows, cols]).astype(float)
    reg2 = clone(reg).set_params(pooling="max", dense_layer_sizes=(16,))
    reg2.fit(images, both)
    assert reg2.model_.layers[-1].units == 2
    assert reg2.score(images, both) > 0.95
    assert reg2.predict(images[:4]).shape == (4, 2)


def test_wrong_images_at_predict_time_are_rejected(digits):
    X, y = digits
    images = X[:40].reshape(-1, 8, 8, 1)
    clf = ConvClassifier(filters=(2,), kernel_size=3, epochs=1).fit(images, y[:40])
    wrong_size = np.zeros((3, 8, 7, 1), dtype=np.float32)
    with pytest.raises(ValueError, match=r"samples of shape \(8, 7, 1\)"):
        clf.predict(wrong_size)
    wrong_channels = np.zeros((3, 8, 8, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(8, 8, 1\)"):
        clf.predict(wrong_channels)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        clf.predict(np.zeros(64))


def test_bad_inputs_at_fit_time_are_explained(digits):
    X, y = digits
    clf = ConvClassifier(filters=(2,), kernel_size=3, image_shape=(8, 8), epochs=1)
    with pytest.raises(ValueError, match=r"cannot be reshaped to image_shape=\(8, 8\)"):
        clf.fit(X[:20, :63], y[:20])
    with pytest.raises(ValueError, match="not a square number"):
        clone(clf).set_params(image_shape="square").fit(X[:20, :63], y[:20])
    with pytest.raises(ValueError, match="image_shape must be"):
        clone(clf).set_params(image_shape=(2, 2, 4, 4)).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        clf.fit(X[0], y[:64])
    five_d = np.zeros((20, 2, 2, 2, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="a convolutional network takes images"):
        ConvClassifier(epochs=1).fit(five_d, y[:20])
    pixels = X[:20].astype(object)
    pixels[3, 5] = "bright"
    with pytest.raises(ValueError, match="could not convert string to float"):
        clf.fit(pixels, y[:20])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"filters": ()}, "filters must be an int or a non-empty tuple"),
        ({"filters": ((4, 0),)}, "filters must be"),
        ({"filters": (4, 8), "kernel_size": (3, 3, 3)}, "kernel_size must be an int"),
        ({"filters": ((4, 8),), "kernel_size": ((3, 3, 3),)}, "kernel_size entry"),
        ({"filters": (4, 8), "strides": (2,)}, "strides must be an int"),
        ({"filters": (4, 8), "strides": (2, 0)}, "strides must hold one positive"),
        ({"dense_layer_sizes": (8, -1)}, "dense_layer_sizes must hold positive"),
        ({"architecture": "lenet"}, "'architecture' parameter"),
        ({"pooling": "min"}, "'pooling' parameter"),
    ],
)
def test_bad_block_parameters_are_explained(digits, params, message):
    X, y = digits
    clf = ConvClassifier(image_shape=(8, 8), epochs=1, **params)
    with pytest.raises(ValueError, match=message):
        clf.fit(X[:20], y[:20])


def test_cross_val_score_on_digits_in_a_pipeline():
    X, y = load_digits(return_X_y=True)
    if PixelScaler is not None:
        scaler = PixelScaler(input_range=(0, 16))
    else:  # pragma: no cover
        from sklearn.preprocessing import FunctionTransformer

        scaler = FunctionTransformer(lambda X: X / 16)
    pipeline = make_pipeline(
        scaler,
        ConvClassifier(
            filters=(16,),
            kernel_size=3,
            pooling="max",
            image_shape=(8, 8),
            learning_rate=0.01,
            epochs=5,
            random_state=0,
        ),
    )
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = cross_val_score(pipeline, X, y, cv=cv)
    assert scores.mean() >= 0.95


def test_pickle_round_trip_with_batch_normalization_and_augmentation(digits):
    X, y = digits
    clf = ConvClassifier(
        filters=(4,),
        kernel_size=3,
        batch_normalization=True,
        augment_shift=0.1,
        image_shape=(8, 8),
        epochs=2,
        random_state=0,
    ).fit(X[:100], y[:100])
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(X[100:120]), clf.predict_proba(X[100:120])
    )


def test_grid_search_over_architecture_names(digits):
    X, y = digits
    search = GridSearchCV(
        ConvClassifier(
            image_shape=(8, 8), learning_rate=0.01, epochs=2, random_state=0
        ),
        {"architecture": ["simple", "striding"]},
        cv=2,
    ).fit(X[:300], y[:300])
    assert [params["architecture"] for params in search.cv_results_["params"]] == [
        "simple",
        "striding",
    ]
    assert search.best_estimator_.architecture == search.best_params_["architecture"]
    assert search.best_score_ > 0.5
