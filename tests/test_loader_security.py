"""Loading a file from an attacker: no code runs, no other file is read, memory
stays bounded, and damage is one clear error (issue #13).

Every test builds the hostile file by hand, as an attacker would, usually by
editing a file that ``save`` wrote.
"""

import builtins
import importlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile

import h5py
import keras
import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sklearn_dl import KerasClassifier, load, save
from sklearn_dl.exceptions import DamagedFileError, UntrustedTypeError
from sklearn_dl.persistence import UntrustedReference, untrusted_types
from sklearn_dl.persistence._atomic import STALE_AFTER_SECONDS
from tests.builders import mlp

X = np.arange(20, dtype=np.float64).reshape(4, 5)
SECRET = b"TOP-SECRET-MARKER-7f3a9c1e-do-not-leak!!"  # 40 bytes


def canary(X):
    """Writes a marker if ever called: a test fails if it exists."""
    with open(os.environ["SKLEARN_DL_CANARY"], "w") as handle:
        handle.write("ran")
    return X


@pytest.fixture
def canary_path(tmp_path, monkeypatch):
    path = tmp_path / "canary-ran"
    monkeypatch.setenv("SKLEARN_DL_CANARY", str(path))
    return path


def manifest_of(path):
    with h5py.File(path, "r") as file:
        return json.loads(file["manifest"][()])


def rewrite_manifest(path, node):
    with h5py.File(path, "a") as file:
        del file["manifest"]
        file.create_dataset("manifest", data=json.dumps(node))


def hand_made(path, node, version=1):
    with h5py.File(path, "w") as file:
        file.attrs["sklearn_dl_format"] = version
        file.create_group("data")
        file.create_dataset("manifest", data=json.dumps(node))


def function_transformer(func_node):
    return {
        "$object": {
            "class": "sklearn.preprocessing._function_transformer:FunctionTransformer",
            "state": {"func": func_node, "validate": False, "kw_args": None},
        }
    }


@pytest.fixture
def scaler_file(tmp_path):
    """A fitted scaler as save writes it, and the dataset holding its mean_."""
    path = tmp_path / "scaler.skdl"
    save(StandardScaler().fit(X), path)
    ref = manifest_of(path)["$object"]["state"]["mean_"]["$array"]["ref"]
    return path, f"data/{ref}"


def replace_dataset(path, where, **create):
    with h5py.File(path, "a") as file:
        del file[where]
        file.create_dataset(where, **create)


# --------------------------------------------------- 1. names that walk modules
@pytest.mark.parametrize(
    "name",
    [
        "keras.src.losses:inspect.os.popen",
        "sklearn.metrics:_dist_metrics.np.load",
        "keras.src.losses:inspect.os.system",
        "sklearn.metrics._regression:np.load",
        "numpy:lib.npyio.load",
        "keras.losses:mean_squared_error.__globals__",
        "keras.src.losses.losses:sparse_categorical_crossentropy.__call__",
    ],
)
def test_names_walking_module_attributes_are_refused(name, tmp_path, canary_path):
    path = tmp_path / "walk.skdl"
    hand_made(path, function_transformer({"$callable": name}))
    assert untrusted_types(path) == [name]
    with pytest.raises(UntrustedTypeError) as info:
        load(path)
    assert info.value.names == [name]
    # Also as a class, and as a rebuilt object.
    hand_made(path, [{"$class": name}, {"$object": {"class": name, "state": {}}}])
    assert untrusted_types(path) == [name]


def test_exact_names_of_trusted_functions_still_load(tmp_path):
    save(FunctionTransformer(keras.activations.relu), tmp_path / "relu.skdl")
    assert untrusted_types(tmp_path / "relu.skdl") == []
    assert load(tmp_path / "relu.skdl").func is keras.activations.relu


def test_caller_trust_never_walks_through_modules(tmp_path):
    name = "keras.src.losses:inspect.os.popen"
    hand_made(tmp_path / "walk.skdl", function_transformer({"$callable": name}))
    for trusted in ([name], ["keras.src.losses.inspect.os.popen"]):
        with pytest.raises(UntrustedTypeError):
            load(tmp_path / "walk.skdl", trusted=trusted)
    # The caller may trust os.popen under its own name, knowingly.
    hand_made(tmp_path / "own.skdl", function_transformer({"$callable": "os:popen"}))
    assert load(tmp_path / "own.skdl", trusted=["os.popen"]).func is os.popen
    assert load(tmp_path / "own.skdl", trusted=[os.popen]).func is os.popen


def test_chain_to_shell_on_predict_is_closed(tmp_path, canary_path):
    """The reported exploit: a pipeline step that is os.popen in disguise."""
    step = function_transformer({"$callable": "keras.src.losses:inspect.os.popen"})
    node = {
        "$object": {
            "class": "sklearn.pipeline:Pipeline",
            "state": {
                "steps": [{"$tuple": ["f", step]}],
                "memory": None,
                "verbose": False,
            },
        }
    }
    hand_made(tmp_path / "chain.skdl", node)
    assert untrusted_types(tmp_path / "chain.skdl") == [
        "keras.src.losses:inspect.os.popen"
    ]
    with pytest.raises(UntrustedTypeError):
        loaded = load(tmp_path / "chain.skdl")
        loaded.transform(f"touch {canary_path}").close()  # the shell would run
    assert not canary_path.exists()


# ------------------------------------------- 2. checking a name imports nothing
def test_checking_names_imports_no_module_named_by_the_file(tmp_path, monkeypatch):
    (tmp_path / "planted_loader_module.py").write_text(
        "raise SystemExit('planted module ran')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    names = [
        "numpy.f2py.__main__:main",
        "sklearn.__check_build:raise_build_error",
        "keras.src.backend.torch:core",
        "sklearn_dl.__main__:main",
        "planted_loader_module:Thing",
    ]
    for name in names:
        monkeypatch.delitem(sys.modules, name.partition(":")[0], raising=False)
    node = [function_transformer({"$callable": name}) for name in names]
    node += [{"$object": {"class": name, "state": {}}} for name in names]
    node += [{"$class": name} for name in names]
    hand_made(tmp_path / "imports.skdl", node)
    imported = []
    real_import, real_import_module = builtins.__import__, importlib.import_module

    def spy_import(module, *args, **kwargs):
        imported.append(module)
        return real_import(module, *args, **kwargs)

    def spy_import_module(module, *args, **kwargs):
        imported.append(module)
        return real_import_module(module, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", spy_import)
    monkeypatch.setattr(importlib, "import_module", spy_import_module)
    assert untrusted_types(tmp_path / "imports.skdl") == names
    with pytest.raises(UntrustedTypeError) as info:
        load(tmp_path / "imports.skdl")  # never SystemExit
    assert info.value.names == names
    named = {name.partition(":")[0] for name in names}
    assert named.isdisjoint(imported)
    assert named.isdisjoint(sys.modules)


# ------------------------------------------------ 3. no other file is ever read
@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.bin"
    path.write_bytes(SECRET)
    return path


def test_external_storage_is_refused(scaler_file, secret_file):
    path, where = scaler_file
    replace_dataset(
        path, where, shape=(5,), dtype="<f8", external=[(str(secret_file), 0, 40)]
    )
    with pytest.raises(DamagedFileError, match="external files") as info:
        load(path)
    assert SECRET.decode() not in str(info.value)
    with pytest.raises(DamagedFileError, match="external files"):
        untrusted_types(path)


def test_external_link_is_refused(scaler_file, tmp_path):
    path, where = scaler_file
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as file:
        file["x"] = np.frombuffer(SECRET, dtype="<f8")
    with h5py.File(path, "a") as file:
        del file[where]
        file[where] = h5py.ExternalLink(str(other), "/x")
    with pytest.raises(DamagedFileError, match="ExternalLink"):
        load(path)


def test_virtual_dataset_is_refused(scaler_file, tmp_path):
    path, where = scaler_file
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as file:
        file["x"] = np.frombuffer(SECRET, dtype="<f8")
    layout = h5py.VirtualLayout(shape=(5,), dtype="<f8")
    layout[:] = h5py.VirtualSource(str(other), "x", shape=(5,))
    with h5py.File(path, "a") as file:
        del file[where]
        file.create_virtual_dataset(where, layout)
    with pytest.raises(DamagedFileError, match="virtual"):
        load(path)


def test_soft_links_and_their_loops_are_refused(scaler_file):
    path, where = scaler_file
    with h5py.File(path, "a") as file:
        del file[where]
        file[where] = h5py.SoftLink("/" + where)  # a loop: h5py raises RuntimeError
    with pytest.raises(DamagedFileError, match="SoftLink"):
        load(path)


def test_hard_link_cycles_end_in_a_clear_error(tmp_path):
    path = tmp_path / "cycle.skdl"
    hand_made(path, [1])
    with h5py.File(path, "a") as file:
        file["data"]["again"] = file["data"]  # /data/again is /data
        file["data"]["and"] = file["data"]
    with pytest.raises(DamagedFileError, match=r"nest deeper|more than"):
        load(path)


@pytest.mark.parametrize(
    "create",
    [
        {"data": np.zeros(5, dtype=[("a", "<f4"), ("b", "<i4")])},
        {"shape": (5,), "dtype": h5py.ref_dtype},
        {"shape": (5,), "dtype": h5py.vlen_dtype(np.int32)},
        {"shape": (5,), "dtype": h5py.enum_dtype({"A": 0, "B": 1}, basetype="i1")},
        {"shape": (5,), "dtype": h5py.opaque_dtype(np.dtype("V8"))},
    ],
    ids=["compound", "reference", "vlen", "enum", "opaque"],
)
def test_unusual_dtypes_are_refused(scaler_file, create):
    path, where = scaler_file
    replace_dataset(path, where, **create)
    with pytest.raises(DamagedFileError, match=r"data type|has "):
        load(path)


def test_named_datatypes_and_odd_attributes_are_refused(scaler_file):
    path, _ = scaler_file
    with h5py.File(path, "a") as file:
        file["data"]["type"] = np.dtype("<f8")  # a committed datatype
    with pytest.raises(DamagedFileError, match="Datatype"):
        load(path)
    with h5py.File(path, "a") as file:
        del file["data"]["type"]
        file["data"].attrs.create("ref", file.ref, dtype=h5py.ref_dtype)
    with pytest.raises(DamagedFileError, match="attribute 'ref'"):
        load(path)


# ------------------------------------------- 4. what a file declares is bounded
def test_compression_bomb_is_refused_before_allocating(scaler_file):
    path, where = scaler_file
    replace_dataset(
        path,
        where,
        shape=(2**28,),  # 2 GiB of float64 zeros, a few KB compressed
        dtype="<f8",
        chunks=(2**20,),
        compression="gzip",
        fillvalue=0.0,
    )
    with h5py.File(path, "a") as file:
        file[where][: 2**20] = 0.0  # write one chunk so it is really stored
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    with pytest.raises(DamagedFileError, match="chunked"):
        load(path)
    assert time.perf_counter() - started < 5


def test_unallocated_dataset_cannot_stand_for_gigabytes(scaler_file):
    path, where = scaler_file
    replace_dataset(path, where, shape=(2**28,), dtype="<f8")  # never written
    assert path.stat().st_size < 200_000
    with pytest.raises(DamagedFileError, match="declares 2,147,483,648 bytes"):
        load(path)


def test_max_bytes_bounds_the_total(tmp_path):
    save(np.zeros(100_000), tmp_path / "big.skdl")  # 800 kB
    with pytest.raises(DamagedFileError, match="max_bytes"):
        load(tmp_path / "big.skdl", max_bytes=100_000)
    assert load(tmp_path / "big.skdl", max_bytes=10**6).shape == (100_000,)
    with pytest.raises(ValueError, match="positive"):
        load(tmp_path / "big.skdl", max_bytes=0)


def test_one_dataset_cannot_stand_for_many_values(scaler_file):
    path, where = scaler_file
    ref = where.rpartition("/")[2]
    node = [{"$array": {"ref": ref, "dtype": None, "scalar": False}}] * 1000
    rewrite_manifest(path, node)
    with pytest.raises(DamagedFileError, match="more than once"):
        load(path)


# ------------------------------------------------- 5. one error for any damage
@pytest.mark.parametrize(
    "node",
    [
        {"$object": {"class": "sklearn.preprocessing._data:StandardScaler"}},
        {"$dict": [[1]]},
        {"$dict": [[[1, 2], 3]]},
        {"$set": [[1]]},
        {"$tuple": 5},
        {"$object_array": {"shape": [10**9], "items": []}},
        {"$object_array": {"shape": [-1], "items": []}},
        {"$array": {"ref": 0}},
        {"$dtype": "V8"},
        {"$dtype": "not a dtype"},
        {"$random_state": [1, 2]},
        {"$masked_array": {"data": 1, "mask": 2}},
        {"$bytes": {}},
        {"$class": 7},
        {
            "$object": {
                "class": "sklearn.preprocessing._data:StandardScaler",
                "state": {"mean_": {"$eval": 1}},
            }
        },
        {
            "$keras_object": {
                "module": "keras.optimizers",
                "class_name": "Adam",
                "config": {"learning_rate": "fast"},
            }
        },
    ],
)
def test_malformed_manifests_raise_damaged_file_error(node, tmp_path):
    hand_made(tmp_path / "bad.skdl", node)
    with pytest.raises(DamagedFileError):
        load(tmp_path / "bad.skdl")


def test_deep_nesting_is_a_clear_error(tmp_path):
    for depth in (150, 500, 100_000):
        hand_made(tmp_path / "deep.skdl", None)
        with h5py.File(tmp_path / "deep.skdl", "a") as file:
            del file["manifest"]
            file["manifest"] = "[" * depth + "]" * depth
        with pytest.raises(DamagedFileError, match="nest"):
            load(tmp_path / "deep.skdl")
    deep = {"$tuple": [1]}
    for _ in range(60):  # tags nest two JSON levels each: 121 levels
        deep = {"$tuple": [deep]}
    hand_made(tmp_path / "deep.skdl", deep)
    with pytest.raises(DamagedFileError, match="nest"):
        load(tmp_path / "deep.skdl")


@pytest.mark.parametrize(
    "text", ["[NaN]", '{"a": Infinity}', "[1,", "\udcff", "1" * 5000]
)
def test_bad_json_is_a_clear_error(text, tmp_path):
    hand_made(tmp_path / "bad.skdl", None)
    with h5py.File(tmp_path / "bad.skdl", "a") as file:
        del file["manifest"]
        file["manifest"] = np.frombuffer(text.encode("utf-8", "surrogatepass"), "S1")
    with pytest.raises(DamagedFileError):
        load(tmp_path / "bad.skdl")


def test_text_read_from_a_file_is_shown_escaped(tmp_path):
    # Bytes that are not UTF-8 come back from h5py as surrogates, which no
    # log or terminal can write: a warning must show them escaped.
    path = tmp_path / "versions.skdl"
    save(StandardScaler().fit(np.ones((3, 2))), path)
    with h5py.File(path, "a") as file:
        stored = '{"keras": "2.\udc86\\n"}'
        file.attrs["versions"] = stored.encode("utf-8", "surrogateescape")
    with pytest.warns(UserWarning, match="saved with Keras") as record:
        load(path)
    message = str(record[0].message)
    message.encode("utf-8")  # raises for a surrogate
    assert "Keras 2.\\udc86\\n;" in message


def test_errors_show_file_text_escaped(tmp_path):
    damaged = DamagedFileError("f.skdl", "the dataset /data/\udc86\x1b[2K is missing.")
    untrusted = UntrustedTypeError("names 'm:\udc86' ...", ["m:\udc86"])
    for error in (damaged, untrusted):
        str(error).encode("utf-8")
    assert "/data/\\udc86\\x1b[2K is missing" in str(damaged)
    assert damaged.problem == "the dataset /data/\\udc86\\x1b[2K is missing."
    assert untrusted.names == ["m:\udc86"]  # the names as the file has them


@pytest.mark.parametrize("version", [0, -1, "1", 1.5, np.array([1, 1]), True])
def test_bad_format_versions_are_refused_and_the_file_closed(version, tmp_path):
    path = tmp_path / "version.skdl"
    hand_made(path, [1])
    with h5py.File(path, "a") as file:
        file.attrs["sklearn_dl_format"] = version
    before = h5py.h5f.get_obj_count(h5py.h5f.OBJ_ALL, h5py.h5f.OBJ_FILE)
    with pytest.raises(DamagedFileError, match="format version"):
        load(path)
    assert h5py.h5f.get_obj_count(h5py.h5f.OBJ_ALL, h5py.h5f.OBJ_FILE) == before
    with h5py.File(path, "w"):  # nothing holds the file open
        pass


def test_truncated_and_missing_parts(scaler_file, tmp_path):
    path, _ = scaler_file
    data = path.read_bytes()
    (tmp_path / "cut.skdl").write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedFileError):
        load(tmp_path / "cut.skdl")
    with h5py.File(path, "a") as file:
        del file["manifest"]
    with pytest.raises(DamagedFileError, match="missing"):
        load(path)


# --------------------------------------------------- the embedded Keras network
@pytest.fixture(scope="module")
def network_file(tmp_path_factory):
    Xc = np.random.RandomState(0).rand(30, 5).astype(np.float32)
    y = np.arange(30) % 3
    clf = KerasClassifier(mlp, epochs=1, random_state=0).fit(Xc, y)
    path = tmp_path_factory.mktemp("net") / "clf.skdl"
    save(clf, path)
    return path, Xc


def model_ref(path):
    """The dataset of the first embedded network in a file."""
    stack = [manifest_of(path)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "$keras_model" in node:
                return node["$keras_model"]["ref"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError("no network in the file")


def edit_archive(source, target, edit):
    """Copy ``source`` to ``target``, passing the archive's members through edit."""
    target.write_bytes(source.read_bytes())
    ref = model_ref(target)
    with h5py.File(target, "a") as file:
        blob = file["data"][ref][()].tobytes()
        members = {}
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            for name in archive.namelist():
                members[name] = archive.read(name)
        members = edit(members)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        del file["data"][ref]
        file["data"][ref] = np.frombuffer(buffer.getvalue(), np.uint8)


def test_corrupt_model_bytes_say_the_network_is_damaged(network_file, tmp_path):
    path, _ = network_file
    target = tmp_path / "corrupt.skdl"
    target.write_bytes(path.read_bytes())
    ref = model_ref(target)
    with h5py.File(target, "a") as file:
        blob = file["data"][ref][()]
        del file["data"][ref]
        file["data"][ref] = blob[: len(blob) // 2]
    with pytest.raises(DamagedFileError, match="embedded Keras network is damaged"):
        load(target)
    with h5py.File(target, "a") as file:
        del file["data"][ref]
        file["data"][ref] = np.frombuffer(b"junk" * 100, np.uint8)
    with pytest.raises(DamagedFileError, match=r"not a \.keras archive"):
        load(target)


@pytest.mark.parametrize(
    "replacement, refused",
    [
        (
            '"module": "keras.layers", "class_name": "TFSMLayer"',
            "keras.layers:TFSMLayer",
        ),
        ('"module": "keras.layers", "class_name": "Lambda"', "keras.layers:Lambda"),
        ('"module": "os", "class_name": "system"', "os:system"),
        (
            '"module": "keras.src.backend.torch", "class_name": "Dense"',
            "keras.src.backend.torch:Dense",
        ),
    ],
)
def test_network_config_naming_untrusted_classes_is_refused(
    network_file, tmp_path, replacement, refused
):
    path, _ = network_file
    target = tmp_path / "config.skdl"

    def edit(members):
        config = members["config.json"].decode()
        members["config.json"] = config.replace(
            '"module": "keras.layers", "class_name": "Dense"', replacement, 1
        ).encode()
        return members

    edit_archive(path, target, edit)
    sys.modules.pop("keras.src.backend.torch", None)
    assert refused in untrusted_types(target)
    with pytest.raises(UntrustedTypeError, match=refused):
        load(target)
    assert "keras.src.backend.torch" not in sys.modules


def test_network_weights_cannot_read_other_files(network_file, tmp_path, secret_file):
    path, _ = network_file
    target = tmp_path / "weights.skdl"

    def edit(members):
        weights = tmp_path / "w.h5"
        weights.write_bytes(members["model.weights.h5"])
        with h5py.File(weights, "a") as file:
            name = "layers/dense/vars/1"
            shape, dtype = file[name].shape, file[name].dtype
            del file[name]
            size = int(np.prod(shape)) * dtype.itemsize
            external = [(str(secret_file), 0, size)]
            file.create_dataset(name, shape=shape, dtype=dtype, external=external)
        members["model.weights.h5"] = weights.read_bytes()
        return members

    edit_archive(path, target, edit)
    with pytest.raises(DamagedFileError, match="external files"):
        load(target)


@pytest.mark.parametrize(
    "member", ["../evil.txt", "/etc/cron.d/x", "other.bin", "assets/..", "assets//x"]
)
def test_unexpected_archive_members_are_refused(network_file, tmp_path, member):
    path, _ = network_file
    target = tmp_path / "member.skdl"
    edit_archive(path, target, lambda members: {**members, member: b"x"})
    with pytest.raises(DamagedFileError, match="unexpected member"):
        load(target)


def test_archive_declaring_more_than_the_budget_is_refused(network_file, tmp_path):
    path, _ = network_file
    target = tmp_path / "zipbomb.skdl"

    def edit(members):
        return {**members, "assets/zeros": bytes(3_000_000)}  # deflates to KBs

    edit_archive(path, target, edit)
    with pytest.raises(DamagedFileError, match="max_bytes"):
        load(target, max_bytes=2_000_000)


def test_keras_object_configs_are_checked(tmp_path):
    for config, refused in [
        ({"module": "keras.layers", "class_name": "Lambda", "config": {}}, "Lambda"),
        (
            {
                "module": "keras.activations",
                "class_name": "function",
                "config": "get",
                "registered_name": None,
            },
            "get",
        ),
        (
            {
                "module": "builtins",
                "class_name": "function",
                "config": "get",
                "registered_name": None,
            },
            "get",
        ),
        (
            {
                "module": "keras.optimizers",
                "class_name": "Adam",
                "config": {
                    "learning_rate": {
                        "module": "os",
                        "class_name": "system",
                        "config": {},
                    }
                },
            },
            "os:system",
        ),
        ({"class_name": "__lambda__", "config": {"code": "x"}}, "__lambda__"),
    ]:
        hand_made(tmp_path / "obj.skdl", [{"$keras_object": config}])
        with pytest.raises(UntrustedTypeError, match=refused):
            load(tmp_path / "obj.skdl")


# --------------------------- parameters that choose where the process reads/writes
def test_location_parameters_need_explicit_trust(tmp_path):
    pipe = make_pipeline(StandardScaler(), memory=str(tmp_path / "cache"))
    save(pipe.fit(X), tmp_path / "memory.skdl")
    with pytest.raises(UntrustedTypeError, match="memory="):
        load(tmp_path / "memory.skdl")
    assert load(tmp_path / "memory.skdl", trusted=[Pipeline]).memory == pipe.memory
    vectorizer = CountVectorizer(input="filename")
    save(vectorizer, tmp_path / "files.skdl")
    with pytest.raises(UntrustedTypeError, match="input='filename'"):
        load(tmp_path / "files.skdl")


def test_file_writing_keras_callbacks_are_not_rebuilt(tmp_path):
    callback = {
        "$object": {
            "class": "keras.src.callbacks.model_checkpoint:ModelCheckpoint",
            "state": {"filepath": str(tmp_path / "x.keras")},
        }
    }
    hand_made(tmp_path / "cb.skdl", [callback])
    with pytest.raises(UntrustedTypeError, match="ModelCheckpoint"):
        load(tmp_path / "cb.skdl")
    node = {
        "$object": {
            "class": "sklearn_dl.wrappers:KerasClassifier",
            "state": {"model": None, "callbacks": [callback]},
        }
    }
    hand_made(tmp_path / "net.skdl", node)
    loaded = load(tmp_path / "net.skdl")
    assert isinstance(loaded.callbacks[0], UntrustedReference)


# ------------------------------------------------------------------- 6. saving
def test_resave_keeps_permissions(tmp_path):
    path = tmp_path / "private.skdl"
    save([1], path)
    os.chmod(path, 0o600)
    save([2], path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load(path) == [2]


def test_resave_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "models" / "v1.skdl"
    real.parent.mkdir()
    save([1], real)
    link = tmp_path / "current.skdl"
    link.symlink_to(real)
    save([2], link)
    assert link.is_symlink() and load(real) == [2]


def test_stale_temporaries_are_removed(tmp_path):
    path = tmp_path / "model.skdl"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = os.getppid()
    stale = tmp_path / f".model.sklearn_dl-{dead.pid}-0123456789ab.tmp.skdl"
    busy = tmp_path / f".model.sklearn_dl-{alive}-0123456789ab.tmp.skdl"
    old = tmp_path / f".model.sklearn_dl-{alive}-ba9876543210.tmp.skdl"
    unrelated = tmp_path / f".other.sklearn_dl-{dead.pid}-0123456789ab.tmp.skdl"
    for file in (stale, busy, old, unrelated):
        file.write_bytes(b"half")
    an_hour_ago = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(old, (an_hour_ago, an_hour_ago))
    save([1], path)
    remaining = sorted(p.name for p in tmp_path.iterdir())
    assert remaining == sorted([path.name, busy.name, unrelated.name])


def test_state_cannot_replace_methods(scaler_file):
    """An instance attribute named like a method would be called instead of it."""
    path, _ = scaler_file
    node = manifest_of(path)
    for attribute in ("transform", "n_features_in_", "__class__", "__reduce__"):
        mutated = json.loads(json.dumps(node))
        mutated["$object"]["state"][attribute] = {
            "$callable": "keras.src.activations.activations:relu"
        }
        if attribute == "n_features_in_":  # a plain fitted value: fine
            rewrite_manifest(path, mutated)
            assert load(path).n_features_in_ is keras.activations.relu
            continue
        rewrite_manifest(path, mutated)
        with pytest.raises(DamagedFileError, match=f"sets '{attribute}'"):
            load(path)


# ------------------------------------------------------------ the error type
def test_damaged_file_error_names_the_file_and_survives_pickling():
    import pickle

    error = DamagedFileError("/x/model.skdl", "the manifest is missing.")
    assert isinstance(error, ValueError) and not isinstance(error, UntrustedTypeError)
    assert "/x/model.skdl" in str(error) and "manifest is missing" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.problem, str(again)) == (
        error.path,
        error.problem,
        str(error),
    )


def test_the_allow_list_is_built_once_and_shared_by_threads():
    from concurrent.futures import ThreadPoolExecutor

    from sklearn_dl.persistence._allowlist import default_allowlist

    with ThreadPoolExecutor(4) as pool:
        lists = list(pool.map(lambda _: default_allowlist(), range(8)))
    assert all(table is lists[0] for table in lists)
    with pytest.raises(TypeError):
        lists[0]["os:system"] = None  # read-only
    for name, entry in lists[0].items():  # keyed by each object's own name
        assert name == f"{entry.obj.__module__}:{entry.obj.__qualname__}"


def test_keras_layers_cannot_read_a_vocabulary_file(tmp_path, secret_file):
    layer = keras.layers.StringLookup(vocabulary=["a", "b"])
    config = keras.saving.serialize_keras_object(layer)
    config["config"]["vocabulary"] = str(secret_file)
    hand_made(tmp_path / "vocab.skdl", [{"$keras_object": config}])
    with pytest.raises(UntrustedTypeError, match="vocabulary="):
        load(tmp_path / "vocab.skdl")
    config["config"]["vocabulary"] = ["a", "b"]  # a list is data, not a path
    hand_made(tmp_path / "vocab.skdl", [{"$keras_object": config}])
    assert load(tmp_path / "vocab.skdl")[0].get_vocabulary()[1:] == ["a", "b"]
