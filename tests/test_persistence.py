"""save / load of whole pipelines, the trust rules, Keras formats, atomic writes."""

import json
import re
import sys
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

import sklearn_dl
from sklearn_dl import (
    KerasClassifier,
    KerasRegressor,
    forecasting,
    load,
    networks,
    save,
)
from sklearn_dl.exceptions import DamagedFileError, UntrustedTypeError
from sklearn_dl.persistence import (
    UntrustedReference,
    _codec,
    export_model,
    load_keras_model,
    untrusted_types,
)
from sklearn_dl.preprocessing import ImageReshaper, PixelScaler, WindowMaker
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


def conv_build(meta):
    """A small convolutional network for 8x8 one-channel images."""
    return keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def double(X):
    """A module-level function for FunctionTransformer."""
    return 2 * X


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def images():
    X, y = load_digits(return_X_y=True)
    return (X[:200] * 16).astype(np.uint8), y[:200]


def fitted_classifier(X, y, **params):
    defaults = {"optimizer": "adam", "epochs": 2, "random_state": 0}
    return KerasClassifier(mlp, **{**defaults, **params}).fit(X, y)


# ------------------------------------------------------------ round trips
def test_scaler_and_classifier_pipeline_round_trip(blobs, tmp_path):
    X, y = blobs
    pipe = make_pipeline(
        StandardScaler(),
        KerasClassifier(mlp, optimizer="adam", epochs=2, random_state=0),
    ).fit(X, y)
    path = tmp_path / "pipe.skdl"
    save(pipe, path)
    loaded = load(path, trusted=[type(mlp)])
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    network, original = loaded[-1], pipe[-1]
    assert network.history_ == original.history_
    np.testing.assert_array_equal(network.classes_, original.classes_)
    assert network.get_params() == original.get_params()
    np.testing.assert_array_equal(loaded[0].mean_, pipe[0].mean_)


def test_image_pipeline_with_conv_builder_round_trip(images, tmp_path):
    X, y = images
    pipe = make_pipeline(
        PixelScaler(),
        ImageReshaper(image_shape=(8, 8)),
        KerasClassifier(conv_build, optimizer="adam", epochs=2, random_state=0),
    ).fit(X, y)
    save(pipe, tmp_path / "images.skdl")
    loaded = load(tmp_path / "images.skdl", trusted=[conv_build])
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert loaded[1].output_sample_shape_ == (8, 8, 1)
    assert loaded[-1].model is conv_build


def test_regressor_round_trip(tmp_path):
    X, y = make_regression(n_samples=120, n_features=4, random_state=0)
    reg = KerasRegressor(mlp, epochs=2, random_state=0).fit(X, y)
    save(reg, tmp_path / "reg.skdl")
    loaded = load(tmp_path / "reg.skdl")
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.score(X, y) == reg.score(X, y)


def test_window_maker_pipeline_round_trip(tmp_path):
    series = np.sin(np.arange(150) / 5.0).reshape(-1, 1).astype(np.float32)
    X, y = series[:-1], series[1:, 0]
    pipe = make_pipeline(
        MinMaxScaler(),
        WindowMaker(window_size=3),
        KerasRegressor(mlp, epochs=2, random_state=0),
    ).fit(X, y)
    save(pipe, tmp_path / "series.skdl")
    np.testing.assert_array_equal(
        load(tmp_path / "series.skdl").predict(X), pipe.predict(X)
    )


NETWORKS = [
    ("DenseClassifier", {"hidden_layer_sizes": (8,)}, "tabular"),
    ("ConvClassifier", {"filters": (4,), "kernel_size": 3}, "images"),
    ("RecurrentRegressor", {}, "sequences"),
]


@pytest.mark.parametrize("name, params, data", NETWORKS, ids=[n for n, *_ in NETWORKS])
def test_ready_networks_round_trip(name, params, data, blobs, images, tmp_path):
    estimator = getattr(networks, name)(epochs=2, random_state=0, **params)
    if data == "tabular":
        X, y = blobs
    elif data == "images":
        X, y = images[0].reshape(-1, 8, 8, 1) / 255, images[1]
    else:
        X = np.random.RandomState(0).rand(60, 4, 1).astype(np.float32)
        y = X.sum(axis=(1, 2))
    estimator.fit(X, y)
    save(estimator, tmp_path / "net.skdl")
    loaded = load(tmp_path / "net.skdl")
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    assert untrusted_types(tmp_path / "net.skdl") == []


def test_windowed_forecaster_round_trip(tmp_path):
    series = np.sin(np.arange(80) / 4.0)
    forecaster = forecasting.WindowedForecaster(
        networks.RecurrentRegressor(units=(2,), epochs=1, random_state=0),
        window_size=3,
    ).fit(series)
    save(forecaster, tmp_path / "forecaster.skdl")
    loaded = load(tmp_path / "forecaster.skdl")
    np.testing.assert_array_equal(loaded.predict(series), forecaster.predict(series))


def test_text_generator_round_trip(tmp_path):
    text = ["the quick brown fox jumps over the lazy dog. " * 8]
    generator = networks.TextGenerator(
        window_length=8, step=4, units=(4,), epochs=1, random_state=0
    ).fit(text)
    save(generator, tmp_path / "text.skdl")
    loaded = load(tmp_path / "text.skdl")
    assert loaded.score(text) == generator.score(text)
    assert untrusted_types(tmp_path / "text.skdl") == []


def test_search_and_its_best_estimator_round_trip(blobs, tmp_path):
    X, y = blobs
    search = GridSearchCV(
        make_pipeline(StandardScaler(), KerasClassifier(mlp, epochs=1, random_state=0)),
        {"kerasclassifier__optimizer": ["adam", "sgd"]},
        cv=2,
    ).fit(X, y)
    save(search.best_estimator_, tmp_path / "best.skdl")
    best = load(tmp_path / "best.skdl")
    np.testing.assert_array_equal(best.predict(X), search.predict(X))
    save(search, tmp_path / "search.skdl")
    loaded = load(tmp_path / "search.skdl", trusted=[mlp])  # instance: its class
    assert loaded.best_params_ == search.best_params_
    np.testing.assert_array_equal(loaded.predict(X), search.predict(X))


def test_loaded_network_continues_training_like_the_original(blobs, tmp_path):
    X, y = blobs
    clf = fitted_classifier(X, y)
    save(clf, tmp_path / "clf.skdl")
    loaded = load(tmp_path / "clf.skdl")
    clf.set_params(warm_start=True).fit(X, y)
    loaded.set_params(warm_start=True).fit(X, y)  # needs no builder: not rebuilt
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert len(loaded.history_["loss"]) == 4


def test_string_labels_and_feature_names_round_trip(blobs, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = np.array(["cat", "dog", "emu"], dtype=object)[y]
    clf = fitted_classifier(frame, labels)
    save(clf, tmp_path / "clf.skdl")
    loaded = load(tmp_path / "clf.skdl")
    np.testing.assert_array_equal(loaded.predict(frame), clf.predict(frame))
    np.testing.assert_array_equal(loaded.feature_names_in_, clf.feature_names_in_)
    assert loaded.classes_.dtype == object


def test_plain_values_round_trip(tmp_path):
    value = {
        1: (1.5, float("nan"), float("-inf"), None, True, "text"),
        "arrays": [
            np.arange(6, dtype=np.int16).reshape(2, 3),
            np.array(["a", "bcd"]),
            np.array(["2020-01-01"], dtype="datetime64[D]"),
            np.array([1, "x", None], dtype=object),
            np.zeros((0, 3)),
        ],
        "scalars": (np.float32(1.25), np.int64(-3), np.bool_(True)),
        "sets": ({1, 2}, frozenset({"a"})),
        "dtype": np.dtype("<f4"),
        "bytes": b"\x00\x01",
        "masked": np.ma.MaskedArray([1, 2], mask=[False, True]),
    }
    generator = np.random.RandomState(3)
    save([value, generator], tmp_path / "values.skdl")
    loaded, loaded_generator = load(tmp_path / "values.skdl")
    assert loaded[1][0] == 1.5 and np.isnan(loaded[1][1]) and loaded[1][2] == -np.inf
    assert loaded[1][3:] == (None, True, "text")
    for got, expected in zip(loaded["arrays"], value["arrays"], strict=True):
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype and got.shape == expected.shape
    for got, expected in zip(loaded["scalars"], value["scalars"], strict=True):
        assert got == expected and type(got) is type(expected)
    assert loaded["sets"] == value["sets"] and loaded["dtype"] == value["dtype"]
    assert loaded["bytes"] == b"\x00\x01"
    np.testing.assert_array_equal(loaded["masked"].mask, [False, True])
    assert loaded_generator.rand() == generator.rand()


def test_unfitted_estimators_round_trip(tmp_path):
    pipe = make_pipeline(
        PixelScaler(output_range=(-1, 1)), KerasClassifier(mlp, epochs=3)
    )
    save(pipe, tmp_path / "unfitted.skdl")
    loaded = load(tmp_path / "unfitted.skdl", trusted=["tests.builders.MLP"])
    assert repr(loaded) == repr(pipe)
    assert loaded[-1].get_params() == pipe[-1].get_params()
    assert not hasattr(loaded[-1], "model_")


# -------------------------------------------------------------- security
def test_untrusted_builder_loads_as_a_reference_that_refuses_to_refit(blobs, tmp_path):
    X, y = blobs
    clf = fitted_classifier(X, y)
    save(clf, tmp_path / "clf.skdl")
    assert untrusted_types(tmp_path / "clf.skdl") == ["tests.builders:MLP"]
    loaded = load(tmp_path / "clf.skdl")
    assert loaded.model == UntrustedReference("tests.builders:MLP", "x")
    assert "UntrustedReference('tests.builders:MLP')" in repr(loaded)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    refit = clone(loaded)  # cloning works; fitting says what is missing
    with pytest.raises(UntrustedTypeError, match=r"KerasClassifier.model is 'tests"):
        refit.fit(X, y)
    with pytest.raises(
        UntrustedTypeError, match=re.escape("trusted=['tests.builders:MLP']")
    ):
        loaded.fit(X, y)


def test_function_transformer_needs_its_function_trusted(blobs, tmp_path):
    X, _ = blobs
    transformer = FunctionTransformer(double).fit(X)
    save(transformer, tmp_path / "ft.skdl")
    with pytest.raises(
        UntrustedTypeError, match=r"tests\.test_persistence:double"
    ) as info:
        load(tmp_path / "ft.skdl")
    assert info.value.names == ["tests.test_persistence:double"]
    for trusted in ([double], ["tests.test_persistence.double"]):
        loaded = load(tmp_path / "ft.skdl", trusted=trusted)
        np.testing.assert_array_equal(loaded.transform(X), transformer.transform(X))
    save(FunctionTransformer().fit(X), tmp_path / "identity.skdl")
    load(tmp_path / "identity.skdl")  # no function, nothing to trust


def test_numpy_function_is_not_trusted_by_default(tmp_path):
    save(FunctionTransformer(np.log1p), tmp_path / "log.skdl")
    with pytest.raises(UntrustedTypeError, match="numpy:log1p"):
        load(tmp_path / "log.skdl")
    assert load(tmp_path / "log.skdl", trusted=[np.log1p]).func is np.log1p


def write_manifest(path, node):
    """A hand-made file, as an attacker could write one."""
    with h5py.File(path, "w") as file:
        file.attrs["sklearn_dl_format"] = 1
        file.create_group("data")
        file.create_dataset("manifest", data=json.dumps(node))


def test_file_naming_dangerous_callables_is_refused(tmp_path):
    node = {
        "$object": {
            "class": "sklearn.preprocessing._function_transformer:FunctionTransformer",
            "state": {"func": {"$callable": "os:system"}, "kw_args": None},
        }
    }
    write_manifest(tmp_path / "evil.skdl", node)
    with pytest.raises(UntrustedTypeError, match="'os:system'"):
        load(tmp_path / "evil.skdl")
    # Also where lenient parameters are: a network's callbacks stay references.
    node = {
        "$object": {
            "class": "sklearn_dl.wrappers:KerasClassifier",
            "state": {"model": {"$callable": "os:system"}, "epochs": 1},
        }
    }
    write_manifest(tmp_path / "evil2.skdl", node)
    loaded = load(tmp_path / "evil2.skdl")
    with pytest.raises(UntrustedTypeError, match="os:system"):
        loaded.model("echo hacked")


def test_untrusted_module_is_never_imported(tmp_path, monkeypatch):
    (tmp_path / "planted_module.py").write_text(
        "import sys\nsys.modules[__name__].ran = True\nclass Thing:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    node = [{"$object": {"class": "planted_module:Thing", "state": {}}}]
    write_manifest(tmp_path / "planted.skdl", node)
    with pytest.raises(UntrustedTypeError, match="planted_module:Thing"):
        load(tmp_path / "planted.skdl")
    assert "planted_module" not in sys.modules
    assert untrusted_types(tmp_path / "planted.skdl") == ["planted_module:Thing"]
    assert "planted_module" not in sys.modules
    loaded = load(tmp_path / "planted.skdl", trusted=["planted_module.Thing"])
    assert type(loaded[0]).__name__ == "Thing"
    sys.modules.pop("planted_module", None)


def test_library_names_that_are_not_estimators_are_refused(tmp_path):
    node = [
        {"$object": {"class": "sklearn.utils._testing:TempMemmap", "state": {}}},
        {"$callable": "sklearn.utils:check_array"},
        {"$class": "keras.src.saving.saving_api:load_model"},
    ]
    write_manifest(tmp_path / "odd.skdl", node)
    with pytest.raises(UntrustedTypeError) as info:
        load(tmp_path / "odd.skdl")
    assert info.value.names == [
        "sklearn.utils._testing:TempMemmap",
        "sklearn.utils:check_array",
        "keras.src.saving.saving_api:load_model",
    ]


@pytest.mark.parametrize(
    "node, match",
    [
        ({"$eval": "1"}, "unknown manifest entry"),
        ({"$array": {"ref": "7"}}, "/data/7 it refers to is missing"),
        ({"$array": {"ref": "../manifest"}}, r"malformed \$array"),
        ({"$array": {"ref": "0", "dtype": "O", "shape": [8]}}, "raw dtype"),
        ({"$float": "1e400"}, r"malformed \$float"),
    ],
)
def test_damaged_files_raise_value_error(tmp_path, node, match):
    write_manifest(tmp_path / "bad.skdl", node)
    with h5py.File(tmp_path / "bad.skdl", "a") as file:
        file["data"].create_dataset("0", data=np.zeros(8, np.uint8))
    with pytest.raises(DamagedFileError, match=match) as info:
        load(tmp_path / "bad.skdl")
    assert isinstance(info.value, ValueError)
    assert info.value.path == str(tmp_path / "bad.skdl")


def test_lambda_and_local_functions_cannot_be_saved(tmp_path):
    with pytest.raises(TypeError, match=r"KerasClassifier\.model: .*lambda"):
        save(KerasClassifier(lambda meta: None), tmp_path / "x.skdl")
    with pytest.raises(TypeError, match=r"FunctionTransformer\.func"):
        save(FunctionTransformer(lambda X: X), tmp_path / "x.skdl")
    assert not (tmp_path / "x.skdl").exists()


def test_objects_without_attribute_state_cannot_be_saved(tmp_path):
    with open(__file__) as handle, pytest.raises(TypeError, match=r"list\[0\]: .*not"):
        save([handle], tmp_path / "x.skdl")


def test_container_subclasses_are_refused(tmp_path):
    from collections import OrderedDict

    with pytest.raises(TypeError, match=r"OrderedDict objects are not supported"):
        save({"a": OrderedDict(b=1)}, tmp_path / "x.skdl")


def test_not_an_sklearn_dl_file(blobs, tmp_path):
    (tmp_path / "text.skdl").write_text("hello")
    with pytest.raises(ValueError, match=r"not a file written by sklearn_dl\.save"):
        load(tmp_path / "text.skdl")
    X, y = blobs
    export_model(fitted_classifier(X, y), tmp_path / "model.h5")
    with pytest.raises(ValueError, match="load_keras_model"):
        load(tmp_path / "model.h5")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.skdl")


def test_newer_format_is_refused(tmp_path):
    save([1], tmp_path / "new.skdl")
    with h5py.File(tmp_path / "new.skdl", "a") as file:
        file.attrs["sklearn_dl_format"] = 99
    with pytest.raises(ValueError, match="format 99"):
        load(tmp_path / "new.skdl")


# ------------------------------------------------------------ Keras files
def test_keras_formats_round_trip(blobs, tmp_path):
    X, y = blobs
    clf = fitted_classifier(X, y, metrics=["accuracy"])
    expected = clf.model_.predict_on_batch(X)
    pipe = make_pipeline(StandardScaler(), clf)  # a pipeline's last step works too
    for name in ("net.keras", "net.h5"):
        path = export_model(pipe, tmp_path / name)
        model = load_keras_model(path)
        np.testing.assert_array_equal(model.predict_on_batch(X), expected)
        assert model.compiled
    export_model(clf, tmp_path / "net.weights.h5")
    twin = keras.models.clone_model(clf.model_)
    twin.load_weights(tmp_path / "net.weights.h5")
    np.testing.assert_array_equal(twin.predict_on_batch(X), expected)
    export_model(clf, tmp_path / "net.json")
    architecture = load_keras_model(tmp_path / "net.json")
    assert [layer.__class__ for layer in architecture.layers] == [
        layer.__class__ for layer in clf.model_.layers
    ]
    assert not np.array_equal(
        architecture.layers[0].kernel, clf.model_.layers[0].kernel
    )
    with pytest.raises(ValueError, match="weights only"):
        load_keras_model(tmp_path / "net.weights.h5")


def test_h5_export_keeps_the_optimizer_for_later_saves(blobs, tmp_path):
    # Keras's .h5 writer drops the optimizer from the model's compile config.
    X, y = blobs
    clf = fitted_classifier(X, y)
    clf.model_.save(tmp_path / "by-hand.h5")  # as a user might, outside sklearn_dl
    export_model(clf, tmp_path / "net.h5")
    assert "optimizer" in clf.model_.get_compile_config()
    save(clf, tmp_path / "clf.skdl")
    loaded = load(tmp_path / "clf.skdl")
    assert type(loaded.model_.optimizer) is type(clf.model_.optimizer)
    for restored, original in zip(
        loaded.model_.optimizer.variables, clf.model_.optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(restored.numpy(), original.numpy())


def test_export_format_checks(blobs, tmp_path):
    X, y = blobs
    clf = fitted_classifier(X, y)
    with pytest.raises(ValueError, match="Cannot tell the Keras format"):
        export_model(clf, tmp_path / "net.bin")
    with pytest.raises(ValueError, match=r"ending in \.weights\.h5"):
        export_model(clf, tmp_path / "net.h5", format="weights")
    with pytest.raises(TypeError, match="not fitted"):
        export_model(KerasClassifier(mlp), tmp_path / "net.keras")


def test_legacy_h5_with_string_loss_and_metrics_loads_compiled(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(64, 3).astype(np.float32)
    y = X.sum(axis=1)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae", "mse"])
    model.fit(X, y, epochs=2, verbose=0)
    model.save(tmp_path / "book.h5")  # the book's format
    with pytest.raises(ValueError, match="Could not deserialize"):
        keras.saving.load_model(tmp_path / "book.h5")  # Keras 3 alone fails
    loaded = load_keras_model(tmp_path / "book.h5")
    assert loaded.compiled and loaded.loss == "mse"
    assert int(loaded.optimizer.iterations.numpy()) == int(
        model.optimizer.iterations.numpy()
    )
    np.testing.assert_array_equal(loaded.predict_on_batch(X), model.predict_on_batch(X))
    np.testing.assert_allclose(
        loaded.evaluate(X, y, verbose=0), model.evaluate(X, y, verbose=0), rtol=1e-6
    )
    for original, restored in zip(
        model.optimizer.variables, loaded.optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(restored.numpy(), original.numpy())
    loaded.fit(X, y, epochs=1, verbose=0)  # training continues
    assert not load_keras_model(tmp_path / "book.h5", compile=False).compiled


# --------------------------------------------------------- atomic writes
def test_crash_while_saving_leaves_the_old_file_intact(blobs, tmp_path, monkeypatch):
    X, y = blobs
    first = make_pipeline(StandardScaler(), KerasClassifier(mlp, epochs=2)).fit(X, y)
    path = tmp_path / "pipe.skdl"
    save(first, path)
    before = path.read_bytes()
    calls = []
    original = _codec.Encoder._dataset

    def fail_half_way(self, data):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, data)

    monkeypatch.setattr(_codec.Encoder, "_dataset", fail_half_way)
    second = make_pipeline(StandardScaler(), KerasClassifier(mlp, epochs=1)).fit(X, y)
    with pytest.raises(OSError, match="disk full"):
        save(second, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.skdl"]
    np.testing.assert_array_equal(load(path).predict_proba(X), first.predict_proba(X))


def test_crash_while_exporting_leaves_the_old_file_intact(blobs, tmp_path, monkeypatch):
    X, y = blobs
    clf = fitted_classifier(X, y)
    path = export_model(clf, tmp_path / "net.keras")
    before = path.read_bytes()

    def fail(model, filepath, **kwargs):
        Path(filepath).write_bytes(b"half a zip")
        raise OSError("killed")

    monkeypatch.setattr(keras.saving, "save_model", fail)
    with pytest.raises(OSError, match="killed"):
        export_model(clf, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.keras"]


def test_save_into_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save([1], tmp_path / "nowhere" / "x.skdl")


def test_top_level_exports():
    assert sklearn_dl.save is save and sklearn_dl.load is load
    assert {"save", "load"} <= set(sklearn_dl.__all__)
