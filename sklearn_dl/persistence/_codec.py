"""Encode Python values as JSON plus HDF5 datasets, and decode them safely.

The file holds one JSON *manifest* describing the saved object, and HDF5
datasets for what JSON cannot hold well (NumPy arrays, Keras models as
``.keras`` bytes). A manifest node is plain JSON (``None``, bools, ints,
finite floats, strings, lists) or a dict with exactly one tag key:

=================  ==========================================================
``$float``         a non-finite float: ``"nan"``, ``"inf"`` or ``"-inf"``
``$tuple``         list of nodes
``$set``           list of nodes (``$frozenset`` likewise)
``$dict``          list of ``[key node, value node]`` pairs (any key type)
``$array``         ``{"ref": dataset, "dtype": str or null, "shape": [...]}``
``$object_array``  ``{"shape": [...], "items": [nodes]}``
``$masked_array``  ``{"data": array node, "mask": array node}``
``$dtype``         a NumPy dtype string such as ``"<f4"``
``$random_state``  the nodes of ``RandomState.get_state()``
``$bytes``         ``{"ref": dataset}``
``$keras_model``   ``{"ref": dataset}``: the bytes of a ``.keras`` file
``$keras_object``  a Keras object's serialized config (raw JSON)
``$class``         ``"module:qualified.name"`` of a class
``$callable``      ``"module:qualified.name"`` of a function
``$object``        ``{"class": name, "state": {attribute: node}}``
=================  ==========================================================

Decoding never unpickles and never evaluates anything. It runs in two passes.
:meth:`Decoder.check` validates the whole manifest without building
anything: the shape of every node, that each dataset is referred to once,
every name against :class:`~sklearn_dl.persistence._trust.TrustPolicy`
(a lookup: nothing the file names is imported), and the configuration and
archive of every Keras object. Only then does :meth:`Decoder.build` rebuild:
objects with ``cls.__new__`` and their saved state, Keras models and objects
by Keras in safe mode. Whatever goes wrong on the way is a
:class:`~sklearn_dl.exceptions.DamagedFileError`.
"""

from __future__ import annotations

import inspect
import io
import math
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from sklearn_dl._backend.keras import import_keras
from sklearn_dl.exceptions import DamagedFileError, UntrustedTypeError
from sklearn_dl.persistence import _keras_blob
from sklearn_dl.persistence._hdf5 import CheckedHDF5
from sklearn_dl.persistence._trust import (
    TrustPolicy,
    UntrustedReference,
    qualified_name,
    well_formed,
)

#: dtype kinds h5py stores natively.
_NATIVE_KINDS = set("biufcS")
#: dtype kinds stored as raw bytes plus their dtype string.
_RAW_KINDS = set("UMm")
_FLOAT_SPECIALS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class SaveError(TypeError):
    """A value cannot be represented in an sklearn_dl file."""


# ----------------------------------------------------------------- encoding
def _keras_types() -> tuple[Any, tuple[type, ...]] | None:
    """Keras's Model class and serializable base classes, if Keras is loaded."""
    if "keras" not in sys.modules:
        return None  # nothing Keras can exist yet
    keras = import_keras()
    serializable = (
        keras.optimizers.Optimizer,
        keras.optimizers.schedules.LearningRateSchedule,
        keras.losses.Loss,
        keras.metrics.Metric,
        keras.layers.Layer,
        keras.initializers.Initializer,
        keras.regularizers.Regularizer,
        keras.constraints.Constraint,
    )
    return keras.Model, serializable


class Encoder:
    """Turn a value into a manifest node, writing datasets into ``group``.

    Parameters
    ----------
    group : h5py.Group
        Where datasets go (created as ``"0"``, ``"1"``, ...).
    """

    def __init__(self, group: Any) -> None:
        self.group = group
        self._count = 0
        self._keras = _keras_types()

    def _dataset(self, data: np.ndarray) -> str:
        name = str(self._count)
        self._count += 1
        self.group.create_dataset(name, data=data)
        return name

    def encode(self, value: Any, where: str) -> Any:
        """Return the manifest node of ``value``.

        Parameters
        ----------
        value : object
            What to encode.
        where : str
            Its location in the saved object (for error messages).

        Returns
        -------
        object
            A JSON-able node.
        """
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            if math.isfinite(value):
                return value
            return {"$float": "nan" if math.isnan(value) else str(value)}
        if kind is list:
            return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if kind is tuple:
            return {
                "$tuple": [
                    self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)
                ]
            }
        if kind in (set, frozenset):
            tag = "$set" if kind is set else "$frozenset"
            items = sorted(value, key=repr)
            return {tag: [self.encode(item, f"{where}{{}}") for item in items]}
        if kind is dict:
            return {
                "$dict": [
                    [
                        self.encode(key, f"{where} key"),
                        self.encode(item, f"{where}[{key!r}]"),
                    ]
                    for key, item in value.items()
                ]
            }
        if kind is np.ma.MaskedArray:
            return {
                "$masked_array": {
                    "data": self._encode_array(value.data, where),
                    "mask": self._encode_array(np.ma.getmaskarray(value), where),
                }
            }
        if kind is np.ndarray or isinstance(value, np.generic):
            return self._encode_array(value, where)
        if isinstance(value, np.dtype):
            if value.kind in "OV":
                if value.kind == "O":
                    return {"$dtype": "O"}
                raise SaveError(f"Cannot save {where}: structured dtype {value}.")
            return {"$dtype": value.str}
        if kind is np.random.RandomState:
            return {"$random_state": self.encode(value.get_state(), where)}
        if kind is bytes:
            return {"$bytes": {"ref": self._dataset(np.frombuffer(value, np.uint8))}}
        if isinstance(value, PurePath):
            return {"$path": str(value)}
        if self._keras is not None:
            model_class, serializable = self._keras
            if isinstance(value, model_class):
                return {"$keras_model": {"ref": self._encode_model(value, where)}}
            if isinstance(value, serializable):
                return {"$keras_object": self._encode_keras_object(value, where)}
        if isinstance(value, type):
            return {"$class": self._name(value, where)}
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)):
            return {"$callable": self._name(value, where)}
        return self._encode_object(value, where)

    def _name(self, value: Any, where: str) -> str:
        try:
            return qualified_name(value)
        except TypeError as error:
            raise SaveError(f"Cannot save {where}: {error}") from None

    def _encode_array(self, value: Any, where: str) -> dict[str, Any]:
        array = np.asarray(value)
        scalar = isinstance(value, np.generic)
        if array.dtype.kind == "O":
            if scalar:
                raise SaveError(f"Cannot save {where}: NumPy object scalar.")
            return {
                "$object_array": {
                    "shape": list(array.shape),
                    "items": [
                        self.encode(item, f"{where}[{index}]")
                        for index, item in enumerate(array.ravel(order="C"))
                    ],
                }
            }
        if array.dtype.kind in _NATIVE_KINDS and not array.dtype.fields:
            ref = self._dataset(
                array if array.ndim == 0 else np.ascontiguousarray(array)
            )
            return {"$array": {"ref": ref, "dtype": None, "scalar": scalar}}
        if array.dtype.kind in _RAW_KINDS:
            raw = np.frombuffer(np.ascontiguousarray(array).tobytes(), np.uint8)
            return {
                "$array": {
                    "ref": self._dataset(raw),
                    "dtype": array.dtype.str,
                    "shape": list(array.shape),
                    "scalar": scalar,
                }
            }
        raise SaveError(f"Cannot save {where}: arrays of dtype {array.dtype}.")

    def _encode_model(self, model: Any, where: str) -> str:
        from sklearn_dl.persistence._keras_formats import restore_optimizer_config

        restore_optimizer_config(model)
        with tempfile.TemporaryDirectory(prefix="sklearn_dl-") as folder:
            file = Path(folder) / "model.keras"
            try:
                model.save(file)
            except Exception as error:
                raise SaveError(
                    f"Cannot save {where}: Keras could not save the model ({error})."
                ) from error
            data = np.frombuffer(file.read_bytes(), np.uint8)
        return self._dataset(data)

    def _encode_keras_object(self, value: Any, where: str) -> Any:
        keras = import_keras()
        try:
            config = keras.saving.serialize_keras_object(value)
            _check_plain_json(config)
        except Exception as error:
            raise SaveError(
                f"Cannot save {where}: Keras could not serialize "
                f"{type(value).__name__} ({error})."
            ) from error
        return config

    def _encode_object(self, value: Any, where: str) -> dict[str, Any]:
        cls = type(value)
        if cls.__module__ == "builtins" or isinstance(
            value,
            (types.ModuleType, io.IOBase, types.MethodType, dict, list, tuple, set),
        ):
            raise SaveError(
                f"Cannot save {where}: {cls.__qualname__} objects are not supported."
            )
        hint = ""
        if hasattr(value, "best_estimator_"):
            hint = " Save the search's best_estimator_ instead."
        try:
            state = value.__getstate__()
        except TypeError as error:
            raise SaveError(
                f"Cannot save {where}: {cls.__qualname__} cannot be saved ({error})."
                + hint
            ) from None
        if state is None:
            state = {}
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise SaveError(
                f"Cannot save {where}: the state of {cls.__qualname__} is not an "
                "attribute dictionary." + hint
            )
        return {
            "$object": {
                "class": self._name(cls, where),
                "state": {
                    key: self.encode(item, f"{where}.{key}")
                    for key, item in state.items()
                },
            }
        }


def _check_plain_json(value: Any) -> None:
    """Raise TypeError unless ``value`` is made of JSON types only."""
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) in (list, tuple):
        for item in value:
            _check_plain_json(item)
        return
    if type(value) is dict and all(isinstance(key, str) for key in value):
        for item in value.values():
            _check_plain_json(item)
        return
    raise TypeError(f"{type(value).__name__} in the configuration")


# ----------------------------------------------------------------- decoding
_TAGS = frozenset(
    {
        "$float",
        "$tuple",
        "$set",
        "$frozenset",
        "$dict",
        "$array",
        "$object_array",
        "$masked_array",
        "$dtype",
        "$random_state",
        "$bytes",
        "$path",
        "$keras_model",
        "$keras_object",
        "$class",
        "$callable",
        "$object",
    }
)
_CONTAINERS = frozenset({"$tuple", "$set", "$frozenset"})


def _names_a_file(node: Any) -> bool:
    """Whether a manifest node is a path: a string or a saved ``Path``."""
    return isinstance(node, str) or (isinstance(node, dict) and "$path" in node)


#: Parameters with which a file could choose where the process writes or
#: what it reads (a joblib cache folder, a text vectorizer reading files, a
#: fine-tuned network's pretrained model read from a path at fit time):
#: refused unless the caller trusts the class explicitly.
_LOCATION_PARAMETERS: dict[str, Callable[[Any], bool]] = {
    "memory": lambda value: value is not None,
    "input": lambda value: value in ("file", "filename"),
    "base_model": _names_a_file,
}
#: Errors that rebuilding raises on state that passed the checks but still
#: does not fit its class (a damaged file); anything else is a bug.
_BUILD_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
    np.ma.MAError,
)


def _is_parameter(attribute: str) -> bool:
    """scikit-learn's convention: parameters have no leading/trailing underscore."""
    return not attribute.startswith("_") and not attribute.endswith("_")


def _is_keras_estimator(cls: Any) -> bool:
    """Whether ``cls`` is an sklearn_dl network (never uses its builder after fit)."""
    from sklearn_dl._core.estimator import BaseKerasEstimator

    return isinstance(cls, type) and issubclass(cls, BaseKerasEstimator)


def _shadows_behaviour(cls: type, attribute: str) -> bool:
    """Whether an instance attribute would hide a method, property or dunder."""
    if attribute.startswith("__") and attribute.endswith("__"):
        return True
    static = inspect.getattr_static(cls, attribute, None)
    if static is None:
        return False
    return callable(static) or hasattr(type(static), "__get__")


def _is_shape(value: Any) -> bool:
    return isinstance(value, list) and all(
        type(extent) is int and 0 <= extent < 2**62 for extent in value
    )


def _size(shape: list[int]) -> int:
    size = 1
    for extent in shape:
        size *= extent
    return size


class Decoder:
    """Check, then rebuild, a manifest under the trust rules.

    Parameters
    ----------
    checked : CheckedHDF5
        The file, all of whose objects passed the HDF5 checks.
    policy : TrustPolicy
        What this load trusts.
    group : str, default="/data"
        The group holding the datasets named in the manifest.
    """

    def __init__(
        self, checked: CheckedHDF5, policy: TrustPolicy, group: str = "/data"
    ) -> None:
        self.checked = checked
        self.path = checked.path
        self.policy = policy
        self.group = group
        self._refs: set[str] = set()
        self._archives: dict[str, tuple[bytes, _keras_blob.KerasNames]] = {}
        self._checked = False

    def _damaged(self, problem: str) -> DamagedFileError:
        return DamagedFileError(self.path, problem)

    def _tag(self, node: dict) -> tuple[str, Any]:
        if len(node) != 1 or next(iter(node)) not in _TAGS:
            keys = sorted(str(key) for key in node)[:3]
            raise self._damaged(f"unknown manifest entry {keys}.")
        return next(iter(node.items()))

    def _expect(self, condition: bool, tag: str) -> None:
        if not condition:
            raise self._damaged(f"a malformed {tag} entry in the manifest.")

    # -- first pass: validate everything, build nothing
    def check(self, node: Any) -> tuple[list[str], list[str]]:
        """Validate a manifest; list the names that block it or load as references.

        Parameters
        ----------
        node : object
            The manifest's root node (parsed JSON).

        Returns
        -------
        refused : list of str
            Untrusted names :func:`load` refuses.
        referenced : list of str
            Untrusted builders of sklearn_dl networks, loaded as
            :class:`UntrustedReference`.

        Raises
        ------
        DamagedFileError
            If the manifest is malformed, or an archive or dataset it refers
            to is damaged.
        """
        refused: dict[str, None] = {}
        referenced: dict[str, None] = {}
        try:
            self._check(node, None, refused, referenced)
        except (UntrustedTypeError, DamagedFileError):
            raise
        except _BUILD_ERRORS as error:
            # A net for a check this pass forgot; the fuzz test fails if used.
            raise self._damaged(
                f"its manifest is malformed ({type(error).__name__}: "
                f"{str(error)[:300]})."
            ) from error
        self._checked = True
        return list(refused), list(referenced)

    def _ref(self, body: Any, tag: str) -> str:
        self._expect(isinstance(body, dict), tag)
        ref = body.get("ref")
        self._expect(isinstance(ref, str) and ref.isdigit() and len(ref) < 12, tag)
        where = f"{self.group}/{ref}"
        if where in self._refs:
            # One dataset standing for many values would multiply its size.
            raise self._damaged(f"the dataset {where} is referred to more than once.")
        if where not in self.checked.datasets:
            raise self._damaged(f"the dataset {where} it refers to is missing.")
        self._refs.add(where)
        return where

    def _untrusted(self, name: str, owner: str | None, refused, referenced) -> None:
        (referenced if owner else refused)[name] = None

    def _check(self, node: Any, owner: str | None, refused, referenced) -> None:
        if node is None or type(node) in (bool, int, float, str):
            return
        if isinstance(node, list):
            for item in node:
                self._check(item, owner, refused, referenced)
            return
        if not isinstance(node, dict):
            raise self._damaged(f"unexpected {type(node).__name__} in the manifest.")
        tag, body = self._tag(node)
        if tag == "$float":
            self._expect(isinstance(body, str) and body in _FLOAT_SPECIALS, tag)
        elif tag in _CONTAINERS:
            self._expect(isinstance(body, list), tag)
            self._check(body, owner, refused, referenced)
        elif tag == "$dict":
            self._expect(isinstance(body, list), tag)
            for pair in body:
                self._expect(isinstance(pair, list) and len(pair) == 2, tag)
                self._check(pair, owner, refused, referenced)
        elif tag == "$array":
            self._ref(body, tag)
            dtype = body.get("dtype")
            self._expect(dtype is None or isinstance(dtype, str), tag)
            self._expect(type(body.get("scalar", False)) is bool, tag)
            if dtype is not None:
                self._expect(len(dtype) <= 64 and _is_shape(body.get("shape")), tag)
        elif tag == "$object_array":
            self._expect(isinstance(body, dict), tag)
            shape, items = body.get("shape"), body.get("items")
            self._expect(_is_shape(shape) and isinstance(items, list), tag)
            self._expect(_size(shape) == len(items), tag)
            self._check(items, owner, refused, referenced)
        elif tag == "$masked_array":
            self._expect(isinstance(body, dict) and set(body) == {"data", "mask"}, tag)
            for part in (body["data"], body["mask"]):
                self._expect(isinstance(part, dict), tag)
                self._expect(next(iter(part), None) in ("$array", "$object_array"), tag)
            self._check([body["data"], body["mask"]], owner, refused, referenced)
        elif tag == "$dtype":
            self._expect(isinstance(body, str) and len(body) <= 64, tag)
        elif tag == "$random_state":
            self._check(body, owner, refused, referenced)
        elif tag == "$bytes":
            self._ref(body, tag)
        elif tag == "$path":
            self._expect(isinstance(body, str) and len(body) <= 4096, tag)
        elif tag == "$keras_model":
            where = self._ref(body, tag)
            data = self.checked.read(where, kinds="u", ndim=1).tobytes()
            names = _keras_blob.KerasNames(self.policy)
            _keras_blob.check_archive(data, self.path, self.checked.budget, names)
            for name in names.untrusted:
                refused[name] = None  # a network's own layers: never references
            self._archives[where] = (data, names)
        elif tag == "$keras_object":
            self._expect(isinstance(body, dict), tag)
            names = _keras_blob.KerasNames(self.policy)
            names.check(body)
            for name in names.untrusted:
                self._untrusted(name, owner, refused, referenced)
        elif tag in ("$class", "$callable"):
            self._expect(isinstance(body, str), tag)
            use = "class" if tag == "$class" else "function"
            if self.policy.lookup(body, use) is None:
                self._untrusted(self._shown(body), owner, refused, referenced)
        else:  # $object
            self._check_object(body, owner, refused, referenced)

    @staticmethod
    def _shown(name: str) -> str:
        return name if well_formed(name) else repr(name[:300])

    def _check_object(self, body: Any, owner: str | None, refused, referenced) -> None:
        tag = "$object"
        self._expect(isinstance(body, dict) and set(body) == {"class", "state"}, tag)
        name, state = body["class"], body["state"]
        self._expect(isinstance(name, str) and isinstance(state, dict), tag)
        cls = self.policy.lookup(name, "object")
        if cls is None:
            self._untrusted(self._shown(name), owner, refused, referenced)
            return
        if not self.policy.explicitly_trusts(name):
            for attribute, rule in _LOCATION_PARAMETERS.items():
                if attribute in state and rule(state[attribute]):
                    shown = repr(state[attribute])[:60]
                    refused[f"{name} (with {attribute}={shown})"] = None
        for attribute in state:
            if _shadows_behaviour(cls, attribute):
                # An instance attribute named like a method replaces it:
                # obj.transform(X) would call whatever the file put there.
                raise self._damaged(
                    f"the saved state of {name} sets {attribute[:60]!r}, which "
                    "would replace a method or property of the class."
                )
        lenient = _is_keras_estimator(cls)
        for attribute, item in state.items():
            child = name if lenient and _is_parameter(attribute) else None
            self._check(item, child or owner, refused, referenced)

    # -- second pass: build
    def build(self, node: Any) -> Any:
        """Rebuild a manifest that :meth:`check` accepted with nothing refused.

        Parameters
        ----------
        node : object
            The manifest's root node.

        Returns
        -------
        object
            The rebuilt value.

        Raises
        ------
        DamagedFileError
            If the saved state does not fit the classes it names.
        """
        if not self._checked:
            raise RuntimeError("Decoder.check must run before Decoder.build.")
        try:
            return self._build(node, None)
        except (UntrustedTypeError, DamagedFileError):
            raise
        except _BUILD_ERRORS as error:
            raise self._damaged(
                f"its saved state cannot be rebuilt ({type(error).__name__}: "
                f"{str(error)[:300]})."
            ) from error

    def _build(self, node: Any, owner: str | None) -> Any:
        if node is None or type(node) in (bool, int, float, str):
            return node
        if isinstance(node, list):
            return [self._build(item, owner) for item in node]
        tag, body = self._tag(node)
        if tag == "$float":
            return _FLOAT_SPECIALS[body]
        if tag == "$tuple":
            return tuple(self._build(item, owner) for item in body)
        if tag == "$set":
            return {self._build(item, owner) for item in body}
        if tag == "$frozenset":
            return frozenset(self._build(item, owner) for item in body)
        if tag == "$dict":
            return {
                self._build(key, owner): self._build(item, owner) for key, item in body
            }
        if tag == "$array":
            return self._build_array(body)
        if tag == "$object_array":
            items = [self._build(item, owner) for item in body["items"]]
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array.reshape(body["shape"])
        if tag == "$masked_array":
            data = self._build(body["data"], owner)
            return np.ma.MaskedArray(data, mask=self._build(body["mask"], owner))
        if tag == "$dtype":
            dtype = np.dtype(body)
            if dtype.kind == "V" or (dtype.kind == "O" and body != "O"):
                raise self._damaged(f"unexpected dtype {body!r}.")
            return dtype
        if tag == "$random_state":
            generator = np.random.RandomState()
            generator.set_state(self._build(body, owner))
            return generator
        if tag == "$bytes":
            return self.checked.read(self._where(body), kinds="u", ndim=1).tobytes()
        if tag == "$path":
            return Path(body)  # a name only: nothing is read or checked on disk
        if tag == "$keras_model":
            data, names = self._archives[self._where(body)]
            return _keras_blob.load_model(data, self.path, names)
        if tag == "$keras_object":
            names = _keras_blob.KerasNames(self.policy)
            names.check(body)
            if names.untrusted:
                return UntrustedReference(next(iter(names.untrusted)), str(owner))
            return _keras_blob.deserialize(body, self.path, names)
        if tag in ("$class", "$callable"):
            use = "class" if tag == "$class" else "function"
            found = self.policy.lookup(body, use)
            if found is None:
                return self._reference(body, owner)
            return found
        return self._build_object(body, owner)

    def _reference(self, name: str, owner: str | None) -> UntrustedReference:
        if owner is None:  # check() refused it already; never reached in load
            raise UntrustedTypeError(f"The file names untrusted {name!r}.", [name])
        return UntrustedReference(name, owner)

    def _where(self, body: dict) -> str:
        return f"{self.group}/{body['ref']}"

    def _build_array(self, body: dict) -> Any:
        where = self._where(body)
        if body.get("dtype") is None:
            data = self.checked.read(where, kinds=_NATIVE_KINDS_TEXT)
        else:
            dtype = np.dtype(body["dtype"])
            if dtype.kind not in _RAW_KINDS or dtype.itemsize == 0:
                raise self._damaged(f"unexpected raw dtype {dtype}.")
            raw = self.checked.read(where, kinds="u", ndim=1)
            shape = body["shape"]
            if raw.dtype != np.uint8 or _size(shape) * dtype.itemsize != raw.size:
                raise self._damaged(f"{where} does not match its declared shape.")
            data = np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape).copy()
        if body.get("scalar"):
            return data[()]
        return data

    def _build_object(self, body: dict, owner: str | None) -> Any:
        name = body["class"]
        cls = self.policy.lookup(name, "object")
        if cls is None:
            return self._reference(name, owner)
        lenient = _is_keras_estimator(cls)
        state = {
            attribute: self._build(
                item,
                f"{cls.__name__}.{attribute}"
                if lenient and _is_parameter(attribute)
                else owner,
            )
            for attribute, item in body["state"].items()
        }
        obj = cls.__new__(cls)
        if hasattr(obj, "__setstate__"):
            obj.__setstate__(state)
        else:
            vars(obj).update(state)
        return obj


#: dtype kinds an ``$array`` without a raw dtype may hold.
_NATIVE_KINDS_TEXT = "".join(sorted(_NATIVE_KINDS))

__all__ = ["Decoder", "Encoder", "SaveError"]
