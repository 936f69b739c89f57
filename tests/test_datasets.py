"""Tests for sklearn_dl.datasets (offline: no test touches the network)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import math
import pickle
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits

import sklearn_dl._backend.keras
from sklearn_dl.datasets import (
    SHAPE_NAMES,
    load_digits_images,
    load_mnist,
    load_sine_series,
    load_text_corpus,
    make_shapes,
    make_spiral,
    sum_of_sines,
    sum_of_upsloping_sines,
)


def test_importing_datasets_and_preprocessing_does_not_import_keras():
    code = (
        "import sys, sklearn_dl.preprocessing, sklearn_dl.datasets\n"
        "from sklearn_dl.datasets import *\n"
        "from sklearn_dl.preprocessing import *\n"
        "assert 'keras' not in sys.modules, 'keras imported'\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# load_digits_images
# --------------------------------------------------------------------------


def test_load_digits_images():
    X, y = load_digits_images()
    flat, target = load_digits(return_X_y=True)
    assert X.shape == (1797, 8, 8, 1)
    assert X.dtype == np.float32
    assert y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    assert_array_equal(X.reshape(1797, 64), flat)
    assert_array_equal(y, target)


def test_load_digits_images_n_class():
    X, y = load_digits_images(n_class=3)
    assert set(np.unique(y)) == {0, 1, 2}
    assert X.shape == (len(y), 8, 8, 1)
    with pytest.raises(ValueError, match="'n_class' parameter"):
        load_digits_images(n_class=11)


# --------------------------------------------------------------------------
# load_mnist: real code on a small MNIST-format file
# --------------------------------------------------------------------------


def write_fake_mnist(folder, n_train=5, n_test=3):
    rng = np.random.RandomState(0)
    arrays = {
        "x_train": rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8),
        "y_train": rng.randint(0, 10, n_train).astype(np.uint8),
        "x_test": rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8),
        "y_test": rng.randint(0, 10, n_test).astype(np.uint8),
    }
    (folder / "datasets").mkdir(parents=True, exist_ok=True)
    np.savez(folder / "datasets" / "mnist.npz", **arrays)
    return arrays


@pytest.fixture
def no_keras(monkeypatch):
    """Fail the test if load_mnist tries to import Keras (to download)."""

    def refuse():
        raise AssertionError("load_mnist imported Keras")

    monkeypatch.setattr(sklearn_dl._backend.keras, "import_keras", refuse)


def test_load_mnist_reads_cache_dir(tmp_path, no_keras):
    arrays = write_fake_mnist(tmp_path)
    (X_train, y_train), (X_test, y_test) = load_mnist(cache_dir=tmp_path)
    assert_array_equal(X_train, arrays["x_train"])
    assert_array_equal(y_train, arrays["y_train"])
    assert_array_equal(X_test, arrays["x_test"])
    assert_array_equal(y_test, arrays["y_test"])
    assert X_train.dtype == np.uint8 and y_test.dtype == np.uint8
    # A string path works too, and download=False changes nothing when cached.
    (X_again, _), _ = load_mnist(str(tmp_path), download=False)
    assert_array_equal(X_again, arrays["x_train"])


def test_load_mnist_default_cache_follows_keras_home(tmp_path, monkeypatch, no_keras):
    arrays = write_fake_mnist(tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (X_train, _), _ = load_mnist()
    assert_array_equal(X_train, arrays["x_train"])


def test_load_mnist_missing_without_download(tmp_path, no_keras):
    with pytest.raises(OSError, match=r"MNIST is not cached at .*mnist\.npz"):
        load_mnist(cache_dir=tmp_path, download=False)


class FakeKeras:
    """Stands in for keras: records get_file's arguments, never downloads."""

    def __init__(self, get_file):
        self.utils = self
        self.calls = []
        self._get_file = get_file

    def get_file(self, **kwargs):
        self.calls.append(kwargs)
        return self._get_file(**kwargs)


def test_load_mnist_download_failure_is_a_clear_error(tmp_path, monkeypatch):
    def offline(**kwargs):
        raise Exception("URL fetch failure on ...: None -- [Errno -3]")

    fake = FakeKeras(offline)
    monkeypatch.setattr(sklearn_dl._backend.keras, "import_keras", lambda: fake)
    with pytest.raises(OSError, match=r"could not be downloaded .*URL fetch failure"):
        load_mnist(cache_dir=tmp_path)
    assert fake.calls[0]["cache_dir"] == str(tmp_path)
    assert fake.calls[0]["cache_subdir"] == "datasets"
    assert fake.calls[0]["origin"].endswith("mnist.npz")
    assert len(fake.calls[0]["file_hash"]) == 64


def test_load_mnist_downloads_through_keras_when_missing(tmp_path, monkeypatch):
    source = tmp_path / "elsewhere"
    arrays = write_fake_mnist(source)

    def download(**kwargs):
        return str(source / "datasets" / "mnist.npz")

    fake = FakeKeras(download)
    monkeypatch.setattr(sklearn_dl._backend.keras, "import_keras", lambda: fake)
    (X_train, _), (_, y_test) = load_mnist(cache_dir=tmp_path / "cache")
    assert_array_equal(X_train, arrays["x_train"])
    assert_array_equal(y_test, arrays["y_test"])


def test_load_mnist_rejects_bad_files(tmp_path, no_keras):
    (tmp_path / "datasets").mkdir()
    path = tmp_path / "datasets" / "mnist.npz"
    np.savez(path, x_train=np.zeros((1, 28, 28), dtype=np.uint8))
    with pytest.raises(OSError, match=r"is not an MNIST file.*'y_train'"):
        load_mnist(cache_dir=tmp_path)
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(OSError, match="Could not read the MNIST file"):
        load_mnist(cache_dir=tmp_path)


# --------------------------------------------------------------------------
# make_shapes and ShapesDataset
# --------------------------------------------------------------------------


def test_make_shapes_arrays():
    X, y = make_shapes(40, random_state=0)
    assert X.shape == (40, 64, 64, 1)
    assert X.dtype == np.float32
    assert y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) <= set(range(len(SHAPE_NAMES)))
    assert len(SHAPE_NAMES) == 5


def test_make_shapes_is_deterministic_and_jittered():
    X1, y1 = make_shapes(10, random_state=3)
    X2, y2 = make_shapes(10, random_state=3)
    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)
    X3, _ = make_shapes(10, random_state=4)
    assert not np.array_equal(X1, X3)
    # No two images of the same shape are identical.
    X, y = make_shapes(30, random_state=0)
    for label in np.unique(y):
        images = X[y == label]
        if len(images) > 1:
            assert not np.array_equal(images[0], images[1])


def test_make_shapes_draws_recognizable_shapes():
    X, y = make_shapes(60, image_size=32, random_state=1)
    centre = X[:, 14:18, 14:18, 0].mean(axis=(1, 2))
    # The plus crosses the centre; the circle and the squared U leave it empty.
    assert (centre[y == 1] > 0.5).all()
    assert (centre[y == 4] == 0).all()
    assert (centre[y == 3] == 0).all()
    # The circle's ink forms a ring: the corners stay dark.
    corners = X[:, :3, :3, 0].sum(axis=(1, 2))
    assert (corners[y == 4] == 0).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "'n_samples' parameter of make_shapes"),
        ({"image_size": 4}, "'image_size' parameter of make_shapes"),
        ({"random_state": "seed"}, "'random_state' parameter of make_shapes"),
    ],
)
def test_make_shapes_invalid(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_shapes(**kwargs)


@pytest.fixture(scope="module")
def keras():
    return sklearn_dl._backend.keras.import_keras()


def test_shapes_dataset_is_a_keras_py_dataset(keras):
    from sklearn_dl.datasets import ShapesDataset

    data = ShapesDataset(batch_size=4, n_batches=3, image_size=16, random_state=0)
    assert isinstance(data, keras.utils.PyDataset)
    assert len(data) == 3
    X, y = data[0]
    assert X.shape == (4, 16, 16, 1) and X.dtype == np.float32
    assert y.shape == (4,) and y.dtype == np.int64
    assert data.__doc__.startswith("Batches of the book's five jittered shapes")


def test_shapes_dataset_batches_are_deterministic(keras):
    from sklearn_dl.datasets import ShapesDataset

    first = ShapesDataset(batch_size=4, n_batches=3, image_size=16, random_state=0)
    second = ShapesDataset(batch_size=4, n_batches=3, image_size=16, random_state=0)
    # The same batch whatever the order or the instance that asks for it.
    later = first[2]
    assert_array_equal(first[2][0], later[0])
    assert_array_equal(second[2][0], later[0])
    assert_array_equal(first[-1][0], later[0])
    assert not np.array_equal(first[0][0], first[1][0])
    other = ShapesDataset(batch_size=4, n_batches=3, image_size=16, random_state=1)
    assert not np.array_equal(other[0][0], first[0][0])


def test_shapes_dataset_errors_and_pickling(keras):
    from sklearn_dl.datasets import ShapesDataset

    data = ShapesDataset(batch_size=2, n_batches=2, image_size=8, random_state=0)
    with pytest.raises(IndexError, match="Batch index 2 is out of range for 2"):
        data[2]
    restored = pickle.loads(pickle.dumps(data))
    assert_array_equal(restored[1][0], data[1][0])
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        ShapesDataset(batch_size=0)
    with pytest.raises(ValueError, match="image_size must be at least 8"):
        ShapesDataset(image_size=4)
    with pytest.raises(TypeError, match="n_batches must be an int"):
        ShapesDataset(n_batches=2.5)


def test_shapes_dataset_trains_a_keras_model(keras):
    from sklearn_dl.datasets import ShapesDataset

    keras.utils.set_random_seed(0)
    data = ShapesDataset(batch_size=4, n_batches=2, image_size=8, random_state=0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(data, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# --------------------------------------------------------------------------
# make_spiral
# --------------------------------------------------------------------------


def test_make_spiral_book_defaults():
    X, y = make_spiral(random_state=0)
    assert X.shape == (1000, 2)
    assert_array_equal(np.bincount(y), [200] * 5)
    X2, y2 = make_spiral(random_state=0)
    assert_array_equal(X, X2)
    assert_array_equal(y, y2)


def test_make_spiral_points_lie_on_their_arms_without_noise():
    X, y = make_spiral(103, n_arms=4, noise=0.0, shuffle=False)
    assert_array_equal(np.bincount(y), [26, 26, 26, 25])
    assert_array_equal(y, np.sort(y))  # arm by arm when not shuffled
    radius = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (y / 4 + radius)
    on_arm = np.cos(angle - expected)
    assert_allclose(on_arm[radius > 1e-9], 1.0, atol=1e-9)
    assert radius.max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_arms": 1}, "'n_arms' parameter of make_spiral"),
        ({"noise": -0.1}, "'noise' parameter of make_spiral"),
        ({"n_samples": 0}, "'n_samples' parameter of make_spiral"),
    ],
)
def test_make_spiral_invalid(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_spiral(**kwargs)


# --------------------------------------------------------------------------
# Sine series
# --------------------------------------------------------------------------


def book_sum_of_sines(number_of_steps, d_theta, skip_steps, freqs, amps, phases):
    """The book's Listing B3-50, verbatim."""
    values = []
    for step_num in range(number_of_steps):
        angle = d_theta * (step_num + skip_steps)
        sum = 0
        for wave in range(len(freqs)):
            y = amps[wave] * math.sin(freqs[wave] * (phases[wave] + angle))
            sum += y
        values.append(sum)
    return np.array(values)


def book_sum_of_upsloping_sines(
    number_of_steps, d_theta, skip_steps, freqs, amps, phases
):
    """The book's Listing B3-66, verbatim."""
    values = []
    for step_num in range(number_of_steps):
        angle = d_theta * (step_num + skip_steps)
        sum = 0
        for wave in range(len(freqs)):
            y = amps[wave] * math.sin(freqs[wave] * (phases[wave] + angle))
            sum += y
        values.append(sum)
        if step_num > 0:
            sum_change = sum - prev_sum  # noqa: F821 (set on the first step)
            if sum_change < 0:
                values[-1] *= -1
                if step_num == 1:
                    values[-2] *= -1
        prev_sum = sum  # noqa: F841
    return np.array(values)


BOOK_SET_1 = ([1.1, 1.7, 3.1, 7], [1, 2, 2, 3], [0, 0, 0, 0])


@pytest.mark.parametrize(
    "args",
    [
        (200, 0.057, 0, [1, 2], [1, 2], [0, 0]),
        (200, 0.057, 400, [1, 2], [1, 2], [0, 0]),
        (200, 0.057, 0, *BOOK_SET_1),
        (50, 0.3, 7, [1.5], [2.0], [0.25]),
    ],
)
def test_sum_of_sines_matches_book(args):
    values = sum_of_sines(*args)
    assert values.shape == (args[0],) and values.dtype == np.float64
    assert_allclose(values, book_sum_of_sines(*args), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "args",
    [
        (200, 0.057, 0, *BOOK_SET_1),
        (200, 0.057, 400, *BOOK_SET_1),
        (2, 1.0, 2, [1], [1], [0]),  # falls at once: both values flip
        (30, 0.5, 0, [1, 2], [1, 2], [0, 0]),
    ],
)
def test_sum_of_upsloping_sines_matches_book(args):
    values = sum_of_upsloping_sines(*args)
    assert_allclose(values, book_sum_of_upsloping_sines(*args), rtol=1e-12, atol=1e-12)


def test_sine_generators_edge_cases():
    assert sum_of_sines(0, 0.1, 0, [1], [1], [0]).shape == (0,)
    assert sum_of_upsloping_sines(0, 0.1, 0, [1], [1], [0]).shape == (0,)
    assert_allclose(sum_of_upsloping_sines(1, 0.1, 3, [1], [1], [0]), [np.sin(0.3)])


@pytest.mark.parametrize("generate", [sum_of_sines, sum_of_upsloping_sines])
def test_sine_generators_invalid(generate):
    with pytest.raises(ValueError, match="same length; got 2, 2 and 1"):
        generate(10, 0.1, 0, [1, 2], [1, 2], [0])
    with pytest.raises(ValueError, match="must be finite"):
        generate(10, 0.1, 0, [1, np.nan], [1, 2], [0, 0])
    with pytest.raises(ValueError, match="'d_theta' parameter"):
        generate(10, float("inf"), 0, [1], [1], [0])
    with pytest.raises(ValueError, match="'number_of_steps' parameter"):
        generate(-1, 0.1, 0, [1], [1], [0])


@pytest.mark.parametrize(
    "dataset, generate, waves",
    [
        (0, book_sum_of_sines, ([1, 2], [1, 2], [0, 0])),
        (1, book_sum_of_sines, BOOK_SET_1),
        (2, book_sum_of_upsloping_sines, BOOK_SET_1),
    ],
)
def test_load_sine_series_book_sets(dataset, generate, waves):
    train, test = load_sine_series(dataset)
    assert train.shape == (200,) and test.shape == (200,)
    assert_allclose(train, generate(200, 0.057, 0, *waves), atol=1e-12)
    assert_allclose(test, generate(200, 0.057, 400, *waves), atol=1e-12)


def test_load_sine_series_long_versions_do_not_overlap():
    train, test = load_sine_series(2, n_train_steps=2000)
    assert train.shape == (2000,) and test.shape == (200,)
    assert_allclose(test, book_sum_of_upsloping_sines(200, 0.057, 2200, *BOOK_SET_1))
    train, test = load_sine_series(1, n_train_steps=20000, n_test_steps=50)
    assert train.shape == (20000,) and test.shape == (50,)
    assert_allclose(test, book_sum_of_sines(50, 0.057, 20200, *BOOK_SET_1))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"dataset": 3}, "'dataset' parameter of load_sine_series"),
        ({"n_train_steps": 0}, "'n_train_steps' parameter"),
        ({"n_test_steps": 0}, "'n_test_steps' parameter"),
    ],
)
def test_load_sine_series_invalid(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_sine_series(**kwargs)


# --------------------------------------------------------------------------
# load_text_corpus
# --------------------------------------------------------------------------


def test_load_text_corpus_default_is_pydoc_topics():
    from pydoc_data.topics import topics

    text = load_text_corpus()
    assert isinstance(text, str)
    assert len(text) > 400_000
    assert text.startswith(topics[sorted(topics)[0]])
    assert topics["assignment"] in text
    assert load_text_corpus() == text  # deterministic order


def test_load_text_corpus_from_file(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("It was the café, Watson.\nElementary.", encoding="utf-8")
    assert load_text_corpus(path) == "It was the café, Watson.\nElementary."
    assert load_text_corpus(str(path)).startswith("It was")


def test_load_text_corpus_errors(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match=r"No text file at .*missing\.txt"):
        load_text_corpus(tmp_path / "missing.txt")
    with pytest.raises(FileNotFoundError, match="No text file at"):
        load_text_corpus(tmp_path)  # a folder
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café".encode("latin-1"))
    with pytest.raises(ValueError, match="is not valid UTF-8 text"):
        load_text_corpus(latin1)
    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)
    with pytest.raises(OSError, match="lacks the standard library's pydoc_data"):
        load_text_corpus()
