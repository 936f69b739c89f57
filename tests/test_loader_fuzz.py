"""Fuzz the loader with mutated real files (issue #13).

Files written by ``save`` are mutated the ways an attacker could: raw bytes,
the JSON manifest, HDF5 dataset properties and attributes, and the embedded
``.keras`` archive (its config, members and weights). Whatever the mutation,
``load`` and ``untrusted_types`` must return or raise the documented errors
(``UntrustedTypeError``, ``DamagedFileError``, or ``ValueError`` for a newer
format), never run a canary function, never import a planted module and
never read a marker file into what they return.

The number of examples (1,150) is fixed so the run takes about a minute on
one core;
``SKLEARN_DL_FUZZ_SCALE=10`` runs ten times as many.
"""

import copy
import io
import json
import os
import shutil
import sys
import traceback
import warnings
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

from sklearn_dl import KerasClassifier, load, save
from sklearn_dl.exceptions import DamagedFileError, UntrustedTypeError
from sklearn_dl.persistence import untrusted_types
from tests.builders import mlp

SCALE = int(os.environ.get("SKLEARN_DL_FUZZ_SCALE", "1"))
SECRET = b"FUZZ-MARKER-3b1f0e77c2a94d58-NEVER-READ!"  # 40 bytes
PLANTED = "fuzz_planted_loader_module"
X = np.linspace(0, 1, 30, dtype=np.float32).reshape(6, 5)

NAMES = [
    "os:system",
    "os:popen",
    "builtins:eval",
    "keras.src.losses:inspect.os.popen",
    "sklearn.metrics:_dist_metrics.np.load",
    "numpy.f2py.__main__:main",
    f"{PLANTED}:Thing",
    "tests.test_loader_fuzz:canary",
    "keras.src.callbacks.model_checkpoint:ModelCheckpoint",
    "keras.src.layers.core.lambda_layer:Lambda",
    "sklearn.preprocessing._data:StandardScaler",
    "sklearn.pipeline:Pipeline",
    "sklearn_dl.wrappers:KerasClassifier",
    "sklearn.preprocessing._function_transformer:FunctionTransformer",
    "keras.src.activations.activations:relu",
    "numpy:float32",
]
KERAS_MODULES = ["keras.layers", "keras", "os", "builtins", "keras.src.backend.torch"]
KERAS_CLASSES = ["Dense", "Lambda", "TFSMLayer", "system", "function", "__lambda__"]
TAGS = [
    "$float",
    "$tuple",
    "$set",
    "$dict",
    "$array",
    "$object_array",
    "$masked_array",
    "$dtype",
    "$random_state",
    "$bytes",
    "$keras_model",
    "$keras_object",
    "$class",
    "$callable",
    "$object",
    "$eval",
]


def canary(X):
    """Writes the canary marker if ever called."""
    with open(os.environ["SKLEARN_DL_FUZZ_CANARY"], "w") as handle:
        handle.write("ran")
    return X


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Real files, a marker file, a planted module and a canary path."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "secret.bin").write_bytes(SECRET)
    (root / f"{PLANTED}.py").write_text(
        "import os\nopen(os.environ['SKLEARN_DL_FUZZ_CANARY'], 'w').write('x')\n"
        "class Thing:\n    pass\n"
    )
    old_canary = os.environ.get("SKLEARN_DL_FUZZ_CANARY")
    os.environ["SKLEARN_DL_FUZZ_CANARY"] = str(root / "canary-ran")
    sys.path.insert(0, str(root))
    values = {
        "arrays": [np.arange(6, dtype=np.int16).reshape(2, 3), np.array(["a", "bc"])],
        "objects": np.array([1, "x", None], dtype=object),
        "scalars": (np.float32(1.5), float("nan"), b"\x00\x01", {1, 2}),
        "masked": np.ma.MaskedArray([1.0, 2.0], mask=[False, True]),
        "dtype": np.dtype("<f4"),
        "generator": np.random.RandomState(0),
        "canary": FunctionTransformer(canary),
    }
    save(values, root / "values.skdl")
    save(make_pipeline(StandardScaler(), MinMaxScaler()).fit(X), root / "pipe.skdl")
    y = np.arange(6) % 2
    network = make_pipeline(StandardScaler(), KerasClassifier(mlp, epochs=1)).fit(X, y)
    save(network, root / "network.skdl")
    yield root
    sys.path.remove(str(root))
    if old_canary is None:
        os.environ.pop("SKLEARN_DL_FUZZ_CANARY", None)
    else:
        os.environ["SKLEARN_DL_FUZZ_CANARY"] = old_canary


# ----------------------------------------------------------------- the oracle
def _contains_secret(value, depth=0, seen=None):
    """Whether the marker's bytes appear anywhere in a loaded object."""
    seen = set() if seen is None else seen
    if depth > 40 or id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return any(_contains_secret(v, depth + 1, seen) for v in value.ravel())
        return SECRET[:16] in value.tobytes()
    if isinstance(value, (bytes, str)):
        return SECRET[:16].decode() in (
            value.decode("latin-1") if isinstance(value, bytes) else value
        )
    if isinstance(value, dict):
        items = list(value.keys()) + list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        items = list(vars(value).values())
    else:
        return False
    return any(_contains_secret(v, depth + 1, seen) for v in items)


def _exercise(obj):
    """Use a loaded object as a victim would; any ordinary error is fine."""
    for method in ("transform", "predict"):
        if callable(getattr(type(obj), method, None)):
            try:
                getattr(obj, method)(X)
            except Exception:  # damaged-but-loadable state may not fit X
                pass


def _assert_checked_on_purpose(error):
    """The manifest check found the damage itself, not through its safety net."""
    cause = error.__cause__
    if cause is None:
        return
    for frame in traceback.extract_tb(cause.__traceback__):
        in_check = frame.name in ("_check", "_check_object", "_ref")
        assert not (frame.filename.endswith("_codec.py") and in_check), (
            f"the manifest check missed {cause!r}"
        )


def check_loader(path, workspace):
    """Load a mutated file; assert only documented outcomes."""
    outcome = "loaded"
    listed = None
    for run in (untrusted_types, load):
        try:
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                result = run(path)
        except (UntrustedTypeError, DamagedFileError) as error:
            str(error).encode("utf-8")  # a message any log can write
            outcome = type(error).__name__
            _assert_checked_on_purpose(error)
            if isinstance(error, UntrustedTypeError) and run is load:
                # untrusted_types reports exactly what load refuses.
                assert listed is not None and set(error.names) <= set(listed)
        except ValueError as error:
            assert "Upgrade sklearn_dl" in str(error), repr(error)
            outcome = "newer format"
        else:
            for warning in record:  # a message any log can write
                str(warning.message).encode("utf-8")
            if run is untrusted_types:
                listed = result
            if run is load:
                assert not _contains_secret(result), "the marker file was read"
                _exercise(result)
        assert not (workspace / "canary-ran").exists(), "code from the file ran"
        assert PLANTED not in sys.modules, "a module named by the file was imported"
    event(outcome)


# ---------------------------------------------------------------- strategies
names = st.sampled_from(NAMES)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    names,
    st.sampled_from(["0", "1", "2", "3", "../manifest", "/data/0", "O", "<f8", "V8"]),
)
hostile_json = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(TAGS), children, min_size=1, max_size=1),
        st.dictionaries(
            st.sampled_from(["ref", "dtype", "shape", "scalar", "class", "state"]),
            children,
            max_size=4,
        ),
        st.fixed_dictionaries(
            {
                "module": st.sampled_from(KERAS_MODULES),
                "class_name": st.sampled_from(KERAS_CLASSES),
                "config": children,
            }
        ),
    ),
    max_leaves=12,
)


def _paths(node):
    """Every location in a JSON value, as key/index tuples."""
    found, stack = [], [((), node)]
    while stack:
        path, value = stack.pop()
        found.append(path)
        if isinstance(value, dict):
            stack.extend(((*path, key), child) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), child) for i, child in enumerate(value))
    return found


def _set(root, path, value):
    if not path:
        return value
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return root


def _mutate_json(data, node):
    """Replace, delete, nest or duplicate one location of a JSON value."""
    node = copy.deepcopy(node)
    paths = _paths(node)
    path = paths[data.draw(st.integers(0, len(paths) - 1), label="where")]
    action = data.draw(st.sampled_from(["replace", "delete", "nest", "copy"]))
    if action == "replace" or not path:
        return _set(node, path, data.draw(hostile_json, label="value"))
    parent = node
    for key in path[:-1]:
        parent = parent[key]
    if action == "delete":
        del parent[path[-1]]
    elif action == "nest":
        # Past the loader's limit (100) but within what json.dumps can write;
        # deeper text is made by test_fuzz_manifest.
        depth = data.draw(st.sampled_from([2, 40, 120]), label="depth")
        value = parent[path[-1]]
        for _ in range(depth):
            value = [value]
        parent[path[-1]] = value
    else:  # copy another location here (duplicate refs, shuffled state)
        other = paths[data.draw(st.integers(0, len(paths) - 1), label="from")]
        source = node
        for key in other:
            source = source[key]
        parent[path[-1]] = copy.deepcopy(source)
    return node


def _copy(workspace, name):
    target = workspace / f"mutated-{name}"
    shutil.copyfile(workspace / name, target)
    return target


def _write_manifest(path, text):
    with h5py.File(path, "a") as file:
        del file["manifest"]
        file["manifest"] = text


def _datasets(path):
    with h5py.File(path, "r") as file:
        return sorted(f"data/{name}" for name in file["data"])


def _mutate_hdf5(data, path, workspace):
    """Change one dataset's storage or type, a link, or a root attribute."""
    kind = data.draw(
        st.sampled_from(
            [
                "external",
                "external_link",
                "soft_link",
                "virtual",
                "chunked",
                "unallocated",
                "dtype",
                "shape",
                "attribute",
                "hard_link_cycle",
                "deep_groups",
            ]
        ),
        label="hdf5 mutation",
    )
    where = data.draw(st.sampled_from(_datasets(path)), label="dataset")
    secret = str(workspace / "secret.bin")
    with h5py.File(path, "a") as file:
        old = file[where]
        shape, dtype = old.shape, old.dtype
        if kind == "attribute":
            name = data.draw(
                st.sampled_from(["sklearn_dl_format", "versions", "metadata"])
            )
            value = data.draw(
                st.one_of(
                    st.integers(-3, 3),
                    st.floats(allow_nan=False),
                    st.text(st.characters(exclude_characters="\x00"), max_size=30),
                    st.just(np.array([1, 2])),
                    hostile_json.map(json.dumps),
                )
            )
            file.attrs[name] = value
            return
        if kind == "hard_link_cycle":
            file["data"]["loop"] = file["data"]
            return
        if kind == "deep_groups":
            group = file["data"]
            for level in range(data.draw(st.integers(1, 40))):
                group = group.create_group(f"g{level}")
            return
        del file[where]
        if kind == "external":
            size = max(int(np.prod(shape or (1,))) * dtype.itemsize, 1)
            if dtype.kind == "O":
                dtype, shape, size = np.dtype("<f8"), (5,), 40
            file.create_dataset(
                where, shape=shape, dtype=dtype, external=[(secret, 0, size)]
            )
        elif kind == "external_link":
            other = workspace / "other.h5"
            with h5py.File(other, "w") as linked:
                linked["x"] = np.frombuffer(SECRET, np.uint8)
            file[where] = h5py.ExternalLink(str(other), "/x")
        elif kind == "soft_link":
            target = data.draw(st.sampled_from(["/" + where, "/manifest", "/nowhere"]))
            file[where] = h5py.SoftLink(target)
        elif kind == "virtual":
            layout = h5py.VirtualLayout(shape=(40,), dtype=np.uint8)
            layout[:] = h5py.VirtualSource(secret, "x", shape=(40,))
            file.create_virtual_dataset(where, layout)
        elif kind == "chunked":
            file.create_dataset(
                where, shape=(2**26,), dtype="<f8", chunks=(2**16,), compression="gzip"
            )
        elif kind == "unallocated":
            file.create_dataset(where, shape=(2**27,), dtype="<f8")
        elif kind == "dtype":
            new = data.draw(
                st.sampled_from(
                    [
                        np.dtype([("a", "<f4"), ("b", "<i4")]),
                        h5py.vlen_dtype(np.int32),
                        h5py.ref_dtype,
                        h5py.string_dtype("ascii"),
                        np.dtype("S3"),
                        np.dtype("<f2"),
                        np.dtype(bool),
                        np.dtype(">i8"),
                    ]
                )
            )
            file.create_dataset(where, shape=(3,), dtype=new)
        else:  # shape
            new_shape = data.draw(
                st.lists(st.integers(0, 7), max_size=3).map(tuple), label="shape"
            )
            file.create_dataset(where, data=np.ones(new_shape, np.float64))


def _mutate_archive(data, path, workspace):
    """Edit the embedded .keras archive: config, members, weights or bytes."""
    with h5py.File(path, "r") as file:
        refs = [
            name
            for name in file["data"]
            if file["data"][name].dtype == np.uint8
            and file["data"][name][:2].tobytes() == b"PK"
        ]
    where = f"data/{refs[0]}"
    with h5py.File(path, "r") as file:
        blob = file[where][()].tobytes()
    kind = data.draw(
        st.sampled_from(["config", "member", "weights", "bytes"]), label="archive"
    )
    if kind == "bytes":
        blob = bytearray(blob)
        for _ in range(data.draw(st.integers(1, 8))):
            position = data.draw(st.integers(0, len(blob) - 1))
            blob[position] = data.draw(st.integers(0, 255))
        blob = bytes(blob)
    else:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        if kind == "config":
            config = json.loads(members["config.json"])
            members["config.json"] = json.dumps(_mutate_json(data, config)).encode()
        elif kind == "member":
            name = data.draw(
                st.sampled_from(["../up.txt", "/abs", "assets/big", "x.npz"])
            )
            size = data.draw(st.sampled_from([1, 10**6]))
            members[name] = bytes(size)
        else:
            weights = workspace / "weights.h5"
            weights.write_bytes(members["model.weights.h5"])
            with h5py.File(weights, "a") as file:
                names = []
                file.visititems(
                    lambda name, obj: (
                        names.append(name) if isinstance(obj, h5py.Dataset) else None
                    )
                )
                name = data.draw(st.sampled_from(sorted(names)), label="weight")
                shape, dtype = file[name].shape, file[name].dtype
                del file[name]
                size = int(np.prod(shape or (1,))) * dtype.itemsize
                secret = str(workspace / "secret.bin")
                file.create_dataset(
                    name, shape=shape, dtype=dtype, external=[(secret, 0, size)]
                )
            members["model.weights.h5"] = weights.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        blob = buffer.getvalue()
    with h5py.File(path, "a") as file:
        del file[where]
        file[where] = np.frombuffer(blob, np.uint8)


# --------------------------------------------------------------------- tests
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)


@settings(FUZZ, max_examples=400 * SCALE)
@given(data=st.data())
def test_fuzz_manifest(data, workspace):
    name = data.draw(st.sampled_from(["values.skdl", "pipe.skdl"]), label="file")
    path = _copy(workspace, name)
    with h5py.File(path, "r") as file:
        manifest = json.loads(file["manifest"][()])
    mutated = manifest
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutated = _mutate_json(data, mutated)
    text = json.dumps(mutated)
    depth = data.draw(st.sampled_from([0, 0, 0, 150, 5000, 100_000]), label="wrap")
    _write_manifest(path, "[" * depth + text + "]" * depth)
    check_loader(path, workspace)


@settings(FUZZ, max_examples=300 * SCALE)
@given(data=st.data())
def test_fuzz_hdf5_structure(data, workspace):
    name = data.draw(st.sampled_from(["values.skdl", "pipe.skdl"]), label="file")
    path = _copy(workspace, name)
    _mutate_hdf5(data, path, workspace)
    check_loader(path, workspace)


@settings(FUZZ, max_examples=300 * SCALE)
@given(data=st.data())
def test_fuzz_bytes(data, workspace):
    name = data.draw(st.sampled_from(["values.skdl", "pipe.skdl"]), label="file")
    raw = bytearray((workspace / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 16), label="flips")):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = workspace / "mutated-bytes.skdl"
    path.write_bytes(bytes(raw))
    check_loader(path, workspace)


@settings(FUZZ, max_examples=150 * SCALE)
@given(data=st.data())
def test_fuzz_embedded_network(data, workspace):
    path = _copy(workspace, "network.skdl")
    _mutate_archive(data, path, workspace)
    check_loader(path, workspace)


def test_unmutated_files_load(workspace):
    """The oracle is not vacuous: the originals load, and the canary file fires."""
    assert load(workspace / "pipe.skdl").transform(X).shape == X.shape
    with pytest.raises(UntrustedTypeError, match="canary"):
        load(workspace / "values.skdl")
    values = load(workspace / "values.skdl", trusted=[canary])
    values["canary"].transform(X)
    assert (workspace / "canary-ran").exists()
    (workspace / "canary-ran").unlink()
    assert load(workspace / "network.skdl").predict(X).shape == (6,)
