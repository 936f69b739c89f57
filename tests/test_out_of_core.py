"""Data bigger than memory: LazyArray, datasets, generators (issue #16)."""

import os
import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, Normalizer, StandardScaler
from sklearn.utils import _safe_indexing
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl import LazyArray
from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._core.lazy_array import MemmapRows
from sklearn_dl.networks import ConvClassifier, DenseClassifier, DenseRegressor
from sklearn_dl.preprocessing import ImageReshaper, PerBatchTransformer, PixelScaler

FAST = {"hidden_layer_sizes": (8,), "epochs": 2, "random_state": 0, "verbose": 0}


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def write_memmap(tmp_path, X, name="x.npy"):
    path = tmp_path / name
    out = np.lib.format.open_memmap(path, mode="w+", dtype=X.dtype, shape=X.shape)
    out[:] = X
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


# ----------------------------------------------------------------- LazyArray
def test_indexing_returns_lazy_arrays_of_the_right_rows(tmp_path, data):
    X, _ = data
    lazy = LazyArray(write_memmap(tmp_path, X))
    assert isinstance(lazy._source, MemmapRows)  # positioned reads, no mapping
    assert lazy.shape == X.shape and lazy.dtype == X.dtype and len(lazy) == 120
    rows = np.array([7, 3, 3, 119, 0])
    for key, expected in [
        (rows, X[rows]),
        (slice(10, 40, 3), X[10:40:3]),
        (X[:, 0] > 0, X[X[:, 0] > 0]),
        ((rows, Ellipsis), X[rows]),
        ([-1, 2], X[[-1, 2]]),
    ]:
        part = lazy[key]
        assert isinstance(part, LazyArray)
        assert_array_equal(part.read(), expected)
    assert_array_equal(lazy[10:20][[2, 0]].read(), X[[12, 10]])
    assert_array_equal(lazy[5], X[5])
    for train, _ in KFold(3, shuffle=True, random_state=0).split(lazy):
        assert_array_equal(_safe_indexing(lazy, train).read(), X[train])
    restored = pickle.loads(pickle.dumps(lazy[rows]))  # joblib's workers
    assert_array_equal(restored.read(), X[rows])


def test_lazy_array_is_never_read_implicitly_and_refuses_bad_sources(data):
    lazy = LazyArray(data[0])
    with pytest.raises(TypeError, match="not read into memory implicitly"):
        np.asarray(lazy)
    with pytest.raises(TypeError, match="has no shape, dtype"):
        LazyArray([[1.0, 2.0]])
    with pytest.raises(TypeError, match="from_files"):
        LazyArray(["a.png", "b.png"])
    with pytest.raises(IndexError, match="rows only"):
        lazy[:, 0]
    with pytest.raises(IndexError, match="out of range"):
        lazy[[0, 500]]
    with pytest.raises(IndexError, match="boolean mask"):
        lazy[np.ones(3, dtype=bool)]
    with pytest.raises(ValueError, match="must keep every row"):
        lazy.map(lambda batch: batch[:1])[:4].read()


def test_hdf5_dask_and_files_sources(tmp_path, data):
    h5py = pytest.importorskip("h5py")
    X, _ = data
    with h5py.File(tmp_path / "x.h5", "w") as file:
        file["x"] = X
    rows = np.array([50, 2, 2, 99])
    with h5py.File(tmp_path / "x.h5", "r") as file:
        lazy = LazyArray(file["x"])
        assert_array_equal(lazy[rows].read(), X[rows])
        pickled = pickle.dumps(lazy[rows])
    assert_array_equal(pickle.loads(pickled).read(), X[rows])  # reopened by name
    da = pytest.importorskip("dask.array")
    assert_array_equal(LazyArray(da.from_array(X, chunks=16))[rows].read(), X[rows])
    paths = []
    for i in range(6):
        paths.append(tmp_path / f"{i}.npy")
        np.save(paths[-1], X[i])
    files = LazyArray.from_files(paths)
    assert files.shape == (6, 4)
    assert_array_equal(files[[5, 1]].read(), X[[5, 1]])


# --------------------------------------------------------------- training
@pytest.mark.backends
def test_fit_on_a_memmap_equals_the_fit_in_memory(tmp_path, data):
    X, y = data
    lazy = LazyArray(write_memmap(tmp_path, X))
    in_memory = DenseClassifier(**FAST).fit(X, y)
    streamed = DenseClassifier(**FAST).fit(lazy, y)
    assert streamed.history_ == in_memory.history_
    assert_array_equal(streamed.predict_proba(lazy), in_memory.predict_proba(X))
    assert streamed.n_features_in_ == 4 and streamed.X_shape_ == X.shape
    assert streamed.score(lazy, y) == in_memory.score(X, y)


def test_weights_validation_split_and_regression_match_in_memory(tmp_path, data):
    X, y = data
    lazy = LazyArray(write_memmap(tmp_path, X))
    weights = np.random.default_rng(1).integers(0, 3, len(X))
    for kwargs, fit_kwargs in [
        ({}, {"sample_weight": weights}),
        ({}, {"sample_weight": weights + 0.5}),
        ({"validation_split": 0.25}, {}),
        ({"class_weight": "balanced"}, {}),
        ({}, {"validation_data": (X[:30], y[:30])}),
    ]:
        a = DenseClassifier(**FAST, **kwargs).fit(X, y, **fit_kwargs)
        b = DenseClassifier(**FAST, **kwargs).fit(lazy, y, **fit_kwargs)
        assert b.history_ == a.history_, kwargs
    a = DenseRegressor(**FAST).fit(X, X[:, 2])
    b = DenseRegressor(**FAST).fit(lazy, X[:, 2])
    assert_array_equal(b.predict(lazy), a.predict(X))


@pytest.mark.backends
def test_cross_validation_on_lazy_equals_in_memory(tmp_path, data):
    X, y = data
    lazy = LazyArray(write_memmap(tmp_path, X))
    cv = KFold(3, shuffle=True, random_state=0)
    in_memory = cross_val_score(DenseClassifier(**FAST), X, y, cv=cv)
    streamed = cross_val_score(DenseClassifier(**FAST), lazy, y, cv=cv)
    assert_array_equal(streamed, in_memory)
    grid = {"hidden_layer_sizes": [(4,), (8,)]}
    search = GridSearchCV(DenseClassifier(**FAST), grid, cv=cv, n_jobs=2)
    reference = GridSearchCV(DenseClassifier(**FAST), grid, cv=cv)
    from joblib import parallel_backend

    with parallel_backend("threading"):
        search.fit(lazy, y)
    reference.fit(X, y)
    assert_array_equal(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


def test_non_finite_and_misshaped_lazy_input_get_the_in_memory_errors(data):
    X, y = data
    bad = X.copy()
    bad[100, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        DenseClassifier(**FAST).fit(LazyArray(bad), y)
    bad[100, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        DenseClassifier(**FAST).fit(LazyArray(bad), y)
    model = DenseClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.predict(LazyArray(bad))
    with pytest.raises(ValueError, match="X has 3 features, but DenseClassifier"):
        model.predict(LazyArray(X[:, :3]))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        DenseClassifier(**FAST).fit(LazyArray(X), y[:50])
    with pytest.raises(ValueError, match="requires y to be passed"):
        DenseClassifier(**FAST).fit(LazyArray(X))
    with pytest.raises(ValueError, match="requires y to be passed"):
        DenseClassifier(**FAST).fit(X)


def test_pipelines_transform_lazily_per_batch():
    from sklearn_dl.datasets import make_shapes

    images, y = make_shapes(40, image_size=12, random_state=0)
    pixels = np.round(images.reshape(40, -1) * 255).astype(np.uint8)
    lazy = LazyArray(pixels)
    conv = {"filters": (4,), "epochs": 1, "random_state": 0, "verbose": 0}

    def pipeline():
        reshaper = ImageReshaper(image_shape=(12, 12, 1))
        return make_pipeline(PixelScaler(), reshaper, ConvClassifier(**conv))

    in_memory, streamed = pipeline().fit(pixels, y), pipeline().fit(lazy, y)
    assert_array_equal(streamed.predict_proba(lazy), in_memory.predict_proba(pixels))
    scaled = streamed[:-1].transform(lazy)
    assert isinstance(scaled, LazyArray) and scaled.shape == (40, 12, 12, 1)
    log = make_pipeline(
        PerBatchTransformer(FunctionTransformer(np.log1p)), DenseClassifier(**FAST)
    )
    plain = make_pipeline(FunctionTransformer(np.log1p), DenseClassifier(**FAST))
    assert_array_equal(
        log.fit(lazy, y).predict_proba(lazy), plain.fit(pixels, y).predict_proba(pixels)
    )
    with pytest.raises(ValueError, match="cannot be applied batch by batch"):
        PerBatchTransformer(StandardScaler()).fit(lazy)


@parametrize_with_checks([PerBatchTransformer(Normalizer())])
def test_per_batch_transformer_passes_scikit_learn_checks(estimator, check):
    check(estimator)


# ------------------------------------------------- datasets and generators
def batches_of(X, y, size=30):
    def generate():
        for start in range(0, len(X), size):
            yield X[start : start + size], y[start : start + size]

    return generate


@pytest.mark.backends
def test_generator_function_and_py_dataset(data):
    from sklearn_dl._backend.keras import import_keras

    X, y = data
    generated = DenseClassifier(**FAST).fit(batches_of(X, y))
    assert_array_equal(generated.classes_, [0, 1])
    assert len(generated.history_["loss"]) == 2
    assert generated.X_shape_ == X.shape
    unshuffled = DenseClassifier(**FAST, shuffle=False, batch_size=30).fit(X, y)
    assert generated.history_ == unshuffled.history_  # same batches, same order

    class Batches(import_keras().utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 4

        def __getitem__(self, index):
            return X[index * 30 : (index + 1) * 30], y[index * 30 : (index + 1) * 30]

        def on_epoch_end(self):
            self.epochs_ended += 1

    dataset = Batches()
    from_dataset = DenseClassifier(**FAST).fit(dataset)
    assert from_dataset.history_ == unshuffled.history_
    assert dataset.epochs_ended == 3  # the scan pass and two epochs
    from sklearn_dl import KerasClassifier
    from tests.builders import mlp

    wrapped = KerasClassifier(mlp, epochs=1, random_state=0).fit(batches_of(X, y))
    assert wrapped.predict(LazyArray(X)).shape == (120,)
    with pytest.raises(ValueError, match="not supported for a LazyArray"):
        wrapped.predict(LazyArray(X), batch_size=8)
    regressor = DenseRegressor(**FAST).fit(batches_of(X, X[:, :2]))
    assert regressor.n_outputs_ == 2 and regressor.predict(X).shape == (120, 2)
    partial = DenseClassifier(**FAST).partial_fit(
        batches_of(X[y == 0], y[y == 0]), classes=[0, 1]
    )
    assert_array_equal(partial.classes_, [0, 1])
    partial.partial_fit(batches_of(X, y))
    assert len(partial.history_["loss"]) == 2


@pytest.mark.skipif(
    configured_backend() != "tensorflow", reason="tf.data needs the TensorFlow backend"
)
def test_tf_data_dataset(data):
    import tensorflow as tf

    X, y = data
    dataset = tf.data.Dataset.from_tensor_slices((X, y)).batch(30)
    fitted = DenseClassifier(**FAST).fit(dataset)
    reference = DenseClassifier(**FAST, shuffle=False, batch_size=30).fit(X, y)
    assert fitted.history_ == reference.history_


def test_shapes_dataset_into_conv_classifier():
    from sklearn_dl.datasets import ShapesDataset, make_shapes

    data = ShapesDataset(batch_size=16, n_batches=3, image_size=16, random_state=0)
    model = ConvClassifier(filters=(4,), epochs=1, random_state=0).fit(data)
    assert_array_equal(model.classes_, np.arange(5))
    X_test, y_test = make_shapes(20, image_size=16, random_state=1)
    assert 0.0 <= model.score(X_test, y_test) <= 1.0


def test_bad_datasets_get_clear_errors(data):
    X, y = data
    with pytest.raises(TypeError, match="generator object"):
        DenseClassifier(**FAST).fit(batches_of(X, y)())

    def ragged():
        yield [[1.0, 2.0], [3.0]], [0, 1]

    with pytest.raises(ValueError, match="Batch 0 of the generator function is ragged"):
        DenseClassifier(**FAST).fit(ragged)

    def wrong_features():
        yield X[:30], y[:30]
        yield X[30:60, :3], y[30:60]

    with pytest.raises(ValueError, match=r"Batch 1 .* has 3 features, but the first"):
        DenseClassifier(**FAST).fit(wrong_features)

    def not_tuples():
        yield X[:30]

    with pytest.raises(ValueError, match=r"must be a tuple \(X, y\)"):
        DenseClassifier(**FAST).fit(not_tuples)

    with pytest.raises(ValueError, match="y must be None"):
        DenseClassifier(**FAST).fit(batches_of(X, y), y)

    model = DenseClassifier(**FAST).fit(batches_of(X, y))
    with pytest.raises(ValueError, match="X has 3 features, but DenseClassifier"):
        model.partial_fit(batches_of(X[:, :3], y))

    with pytest.raises(TypeError, match=r"predicts arrays or a sklearn_dl\.LazyArray"):
        model.predict(batches_of(X, y))


def test_a_dataset_given_to_cv_is_refused_with_a_pointer_to_lazy_array(data):
    from sklearn_dl.datasets import ShapesDataset

    dataset = ShapesDataset(batch_size=8, n_batches=4, image_size=8, random_state=0)
    with pytest.raises(ValueError, match=r"a dataset was split.*LazyArray"):
        cross_val_score(
            ConvClassifier(filters=(2,), epochs=1), dataset, cv=2, error_score="raise"
        )


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="Linux only")
def test_memmap_rows_are_read_without_mapping_the_file(tmp_path):
    X = np.arange(64 * 1024, dtype=np.float32).reshape(-1, 64)
    write_memmap(tmp_path, X, name="rows.npy")  # the writer's map is closed
    lazy = LazyArray(np.load(tmp_path / "rows.npy", mmap_mode="r"))
    import gc

    gc.collect()  # np.load's own mapping goes once nothing holds it
    assert_array_equal(lazy[[0, 1, 2, 900]].read(), X[[0, 1, 2, 900]])
    with open("/proc/self/maps") as maps:
        assert "rows.npy" not in maps.read()


# ------------------------------------------------ streaming stateful predict
@pytest.fixture
def streams():
    if configured_backend() != "tensorflow":
        pytest.skip("stateful recurrent networks need the TensorFlow backend")
    rng = np.random.default_rng(0)
    n_steps, n_streams = 60, 10  # row t * n_streams + j: stream j at time t
    phase = np.arange(n_steps + 1)[:, None] * 0.2 + rng.uniform(0, 6, n_streams)
    series = np.sin(phase) + 0.05 * rng.normal(size=phase.shape)
    X = series[:-1].reshape(-1, 1, 1).astype(np.float32)
    return X, series[1:].reshape(-1), n_streams


def test_stream_predict_carries_states_across_calls(streams):
    from sklearn.metrics import r2_score

    from sklearn_dl.networks import RecurrentRegressor

    X, y, n_streams = streams
    train = 45 * n_streams
    model = RecurrentRegressor(
        units=(6,), stateful=True, batch_size=n_streams, epochs=3, random_state=0
    ).fit(X[:train], y[:train])
    model.stream_predict(X[:train])  # continue the training streams
    carried = model.stream_predict(X[train:])
    model.reset_stream()
    model.stream_predict(X[:train])
    model.predict(X[:7])  # predict in between changes nothing
    in_parts = np.concatenate(
        [
            model.stream_predict(X[train : train + 5 * n_streams]),
            model.stream_predict(LazyArray(X[train + 5 * n_streams :])),
        ]
    )
    assert_array_equal(in_parts, carried)
    error = np.sqrt(np.mean((carried - y[train:]) ** 2))
    assert error < np.sqrt(np.mean((model.predict(X[train:]) - y[train:]) ** 2))
    with pytest.raises(ValueError, match="not a multiple of the network's 10"):
        model.stream_predict(X[:7])
    # score streams X from zero states: what a search compares
    model.reset_stream()
    expected = r2_score(y[train:], model.stream_predict(X[train:]))
    assert model.score(X[train:], y[train:]) == pytest.approx(expected)
    search = GridSearchCV(
        RecurrentRegressor(units=(6,), batch_size=n_streams, epochs=1, random_state=0),
        {"stateful": [False, True]},
        cv=[(np.arange(train), np.arange(train, len(X)))],
        refit=False,
    ).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
