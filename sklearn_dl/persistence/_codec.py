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

Decoding never unpickles and never evaluates anything: classes and functions
are only looked up by name after passing the trust rules of
:mod:`sklearn_dl.persistence._trust`; objects are rebuilt with
``cls.__new__`` and their saved state; Keras models and objects are rebuilt
by Keras in safe mode.
"""

from __future__ import annotations

import io
import math
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import numpy as np

from sklearn_dl._backend.keras import import_keras
from sklearn_dl.exceptions import UntrustedTypeError
from sklearn_dl.persistence._trust import (
    UntrustedReference,
    is_trusted_by_default,
    is_user_trusted,
    qualified_name,
    resolve,
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
        "$keras_model",
        "$keras_object",
        "$class",
        "$callable",
        "$object",
    }
)


def _tag(node: dict) -> tuple[str, Any]:
    if len(node) != 1 or next(iter(node)) not in _TAGS:
        raise ValueError(f"Corrupt file: unknown manifest entry {sorted(node)[:3]}.")
    return next(iter(node.items()))


def _is_parameter(attribute: str) -> bool:
    """scikit-learn's convention: parameters have no leading/trailing underscore."""
    return not attribute.startswith("_") and not attribute.endswith("_")


class Decoder:
    """Rebuild values from manifest nodes, under the trust rules.

    Parameters
    ----------
    group : h5py.Group
        The group holding the datasets named in the manifest.
    trusted : frozenset of str
        Output of :func:`~sklearn_dl.persistence._trust.normalize_trusted`.
    """

    def __init__(self, group: Any, trusted: frozenset[str]) -> None:
        self.group = group
        self.trusted = trusted
        self._verdicts: dict[tuple[str, str], bool] = {}

    # -- trust
    def _trusted(self, name: str, kind: str) -> bool:
        key = (name, kind)
        if key not in self._verdicts:
            self._verdicts[key] = is_user_trusted(
                name, self.trusted
            ) or is_trusted_by_default(name, kind)
        return self._verdicts[key]

    def untrusted(self, node: Any) -> tuple[list[str], list[str]]:
        """Names that block loading, and names that load as references.

        Parameters
        ----------
        node : object
            The manifest's root node.

        Returns
        -------
        refused : list of str
            Untrusted names :func:`load` refuses.
        referenced : list of str
            Untrusted builders of sklearn_dl networks, loaded as
            :class:`UntrustedReference`.
        """
        refused: dict[str, None] = {}
        referenced: dict[str, None] = {}
        self._scan(node, None, refused, referenced)
        return list(refused), list(referenced)

    def _scan(
        self, node: Any, owner: str | None, refused: dict, referenced: dict
    ) -> None:
        if isinstance(node, list):
            for item in node:
                self._scan(item, owner, refused, referenced)
            return
        if not isinstance(node, dict):
            return
        tag, body = _tag(node)
        if tag in ("$class", "$callable"):
            kind = "class" if tag == "$class" else "function"
            if not self._trusted(body, kind):
                (referenced if owner else refused)[body] = None
        elif tag == "$object":
            name = body["class"]
            if not self._trusted(name, "class"):
                (referenced if owner else refused)[name] = None
                return
            lenient = _is_keras_estimator(resolve(name))
            for attribute, item in body["state"].items():
                child = name if lenient and _is_parameter(attribute) else None
                self._scan(item, child, refused, referenced)
        elif tag in ("$tuple", "$set", "$frozenset", "$dict", "$random_state"):
            self._scan(body, owner, refused, referenced)
        elif tag == "$object_array":
            self._scan(body["items"], owner, refused, referenced)
        elif tag == "$masked_array":
            self._scan([body["data"], body["mask"]], owner, refused, referenced)

    # -- building
    def build(self, node: Any, owner: str | None = None) -> Any:
        """Rebuild the value of a node whose names were all checked.

        Parameters
        ----------
        node : object
            A manifest node.
        owner : str or None, default=None
            ``"Class.parameter"`` when the node is (inside) a parameter of an
            sklearn_dl network, where untrusted names become references.

        Returns
        -------
        object
            The rebuilt value.
        """
        if node is None or type(node) in (bool, int, float, str):
            return node
        if isinstance(node, list):
            return [self.build(item, owner) for item in node]
        if not isinstance(node, dict):
            raise ValueError(f"Corrupt file: unexpected {type(node).__name__}.")
        tag, body = _tag(node)
        if tag == "$float":
            if body not in _FLOAT_SPECIALS:
                raise ValueError(f"Corrupt file: bad float {body!r}.")
            return _FLOAT_SPECIALS[body]
        if tag == "$tuple":
            return tuple(self.build(item, owner) for item in body)
        if tag == "$set":
            return {self.build(item, owner) for item in body}
        if tag == "$frozenset":
            return frozenset(self.build(item, owner) for item in body)
        if tag == "$dict":
            return {
                self.build(key, owner): self.build(item, owner) for key, item in body
            }
        if tag == "$array":
            return self._build_array(body)
        if tag == "$object_array":
            items = [self.build(item, owner) for item in body["items"]]
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array.reshape(body["shape"])
        if tag == "$masked_array":
            data = self.build(body["data"], owner)
            return np.ma.MaskedArray(data, mask=self.build(body["mask"]))
        if tag == "$dtype":
            return np.dtype(str(body))
        if tag == "$random_state":
            generator = np.random.RandomState()
            generator.set_state(self.build(body))
            return generator
        if tag == "$bytes":
            return self._dataset(body["ref"]).tobytes()
        if tag == "$keras_model":
            return self._build_model(body["ref"])
        if tag == "$keras_object":
            return import_keras().saving.deserialize_keras_object(body, safe_mode=True)
        if tag in ("$class", "$callable"):
            kind = "class" if tag == "$class" else "function"
            return self._named(body, kind, owner)
        return self._build_object(body, owner)

    def _named(self, name: str, kind: str, owner: str | None) -> Any:
        if self._trusted(name, kind):
            return resolve(name)
        if owner is not None:
            return UntrustedReference(name, owner)
        raise UntrustedTypeError(f"The file names untrusted {name!r}.", [name])

    def _dataset(self, ref: str) -> np.ndarray:
        try:
            return np.asarray(self.group[str(ref)][()])
        except KeyError:
            raise ValueError(f"Corrupt file: missing dataset {ref!r}.") from None

    def _build_array(self, body: dict) -> Any:
        data = self._dataset(body["ref"])
        if body.get("dtype") is not None:
            dtype = np.dtype(str(body["dtype"]))
            if dtype.kind not in _RAW_KINDS:
                raise ValueError(f"Corrupt file: unexpected raw dtype {dtype}.")
            data = np.frombuffer(data.tobytes(), dtype=dtype).reshape(body["shape"])
            data = data.copy()
        if body.get("scalar"):
            return data[()]
        return data

    def _build_model(self, ref: str) -> Any:
        keras = import_keras()
        data = self._dataset(ref)
        with tempfile.TemporaryDirectory(prefix="sklearn_dl-") as folder:
            file = Path(folder) / "model.keras"
            file.write_bytes(data.tobytes())
            return keras.saving.load_model(file, safe_mode=True)

    def _build_object(self, body: dict, owner: str | None) -> Any:
        name = body["class"]
        if not self._trusted(name, "class"):
            if owner is not None:
                return UntrustedReference(name, owner)
            raise UntrustedTypeError(f"The file names untrusted {name!r}.", [name])
        cls = resolve(name)
        if not isinstance(cls, type):
            raise ValueError(f"Corrupt file: {name!r} is not a class.")
        lenient = _is_keras_estimator(cls)
        state = {
            attribute: self.build(
                item,
                f"{cls.__name__}.{attribute}"
                if lenient and _is_parameter(attribute)
                else None,
            )
            for attribute, item in body["state"].items()
        }
        try:
            obj = cls.__new__(cls)
        except TypeError as error:
            raise ValueError(f"Cannot rebuild {name!r}: {error}") from error
        if hasattr(obj, "__setstate__"):
            obj.__setstate__(state)
        else:
            vars(obj).update(state)
        return obj


def _is_keras_estimator(cls: Any) -> bool:
    """Whether ``cls`` is an sklearn_dl network (never uses its builder after fit)."""
    from sklearn_dl._core.estimator import BaseKerasEstimator

    return isinstance(cls, type) and issubclass(cls, BaseKerasEstimator)


__all__ = ["Decoder", "Encoder", "SaveError"]
