"""Keras objects inside a file: check their configurations, then let Keras in.

A saved network is a ``.keras`` archive (a zip of ``config.json``,
``metadata.json``, ``model.weights.h5`` and perhaps ``assets/``) stored as
bytes; a Keras optimizer, loss or metric in an estimator's parameters is a
serialized configuration. Keras rebuilds both, in safe mode (no lambda
bytecode), but it resolves the names in a configuration itself and imports
any module under ``keras.`` that a configuration names. So before Keras sees
anything, every ``{"class_name": ...}`` in it is checked here the way Keras
will resolve it, against the same allow-list as the rest of the file, with
modules only looked up in ``sys.modules``; the archive's members, sizes and
its weights file are checked as strictly as the outer HDF5 file.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sklearn_dl.exceptions import DamagedFileError
from sklearn_dl.persistence._hdf5 import CheckedHDF5
from sklearn_dl.persistence._limits import Budget, parse_json
from sklearn_dl.persistence._trust import TrustPolicy

#: Keras's serialization markers for values, not classes (safe to rebuild).
_VALUE_MARKERS = frozenset(
    {
        "__keras_tensor__",
        "__tensor__",
        "__numpy__",
        "__bytes__",
        "__ellipsis__",
        "__slice__",
    }
)
#: Where Keras looks up a function saved with ``"module": "builtins"``, in
#: Keras's own order (the first hit wins).
_BUILTIN_FUNCTION_MODULES = (
    "activations",
    "constraints",
    "initializers",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
)
#: Configuration settings that Keras objects read as a file path when they
#: are strings (``StringLookup(vocabulary="/etc/passwd")`` reads that file).
_PATH_SETTINGS = frozenset(
    {"vocabulary", "filepath", "file_path", "path", "filename", "vocabulary_file"}
)
_ARCHIVE_FILES = frozenset({"config.json", "metadata.json", "model.weights.h5"})
_MAX_MEMBERS = 10_000
_MAX_CONFIG_BYTES = 64 * 2**20


class KerasNames:
    """What a Keras configuration names: refused names, and trusted customs.

    Parameters
    ----------
    policy : TrustPolicy
        The load's trust policy.
    """

    def __init__(self, policy: TrustPolicy) -> None:
        self.policy = policy
        self.untrusted: dict[str, None] = {}
        self.custom_objects: dict[str, Any] = {}

    def check(self, config: Any) -> None:
        """Check every object a configuration names (iteratively).

        Parameters
        ----------
        config : object
            Parsed JSON.
        """
        stack = [config]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if "class_name" in node:
                    self._check_object(node)
                stack.extend(node.values())

    def _refuse(self, name: str) -> None:
        self.untrusted[name] = None

    def _registered(self, name: Any) -> bool:
        if not isinstance(name, str) or len(name) > 300:
            return False
        from sklearn_dl._backend.keras import import_keras

        # Keras prefers an object the program registered: so does this check.
        return import_keras().saving.get_registered_object(name) is not None

    def _check_object(self, node: dict) -> None:
        class_name = node.get("class_name")
        module = node.get("module")
        registered = node.get("registered_name")
        if not isinstance(class_name, str):
            self._refuse(f"{module}:{class_name!r}")
            return
        if class_name in _VALUE_MARKERS:
            return
        if class_name == "__lambda__":
            self._refuse("keras:__lambda__ (Python code stored in the file)")
            return
        if class_name == "function":
            self._check_function(node.get("config"), module)
            return
        settings = node.get("config")
        if isinstance(settings, dict):
            for key in _PATH_SETTINGS.intersection(settings):
                if isinstance(settings[key], str):
                    # Lookup layers read a vocabulary given as a string from
                    # that path: a file could make them read any local file.
                    shown = repr(settings[key])[:60]
                    self._refuse(f"{module}:{class_name} (with {key}={shown})")
        if self._registered(registered):
            return
        found = self.policy.lookup_keras(module, class_name, "class")
        if found is None:
            self._refuse(f"{module}:{class_name}")
        elif not str(module).startswith("keras"):
            # Keras finds objects outside its package only in custom_objects.
            self.custom_objects[
                registered if isinstance(registered, str) else class_name
            ] = found

    def _check_function(self, name: Any, module: Any) -> None:
        if not isinstance(name, str):
            self._refuse(f"{module}:{name!r}")
            return
        if self._registered(name):
            return
        if module == "builtins":
            for namespace in _BUILTIN_FUNCTION_MODULES:
                module_object = sys.modules.get(f"keras.{namespace}")
                if module_object is None:
                    continue  # Keras imports these; never import one here
                if vars(module_object).get(name) is not None:
                    found = self.policy.lookup_keras(
                        f"keras.{namespace}", name, "function"
                    )
                    if found is None:
                        self._refuse(f"keras.{namespace}:{name}")
                    return
            self._refuse(f"builtins:{name}")
            return
        found = self.policy.lookup_keras(module, name, "function")
        if found is None:
            self._refuse(f"{module}:{name}")
        elif not str(module).startswith("keras"):
            self.custom_objects[name] = found


def _damaged(path: str, problem: str) -> DamagedFileError:
    return DamagedFileError(path, f"the embedded Keras network is damaged: {problem}")


def check_archive(data: bytes, path: str, budget: Budget, names: KerasNames) -> None:
    """Check a ``.keras`` archive's members, sizes, weights and configuration.

    Parameters
    ----------
    data : bytes
        The archive.
    path : str
        The outer file (for messages).
    budget : Budget
        Charged with the members' declared (uncompressed) sizes.
    names : KerasNames
        Collects what the configuration names.

    Raises
    ------
    DamagedFileError
        If the archive is not a sound ``.keras`` file.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _damaged(path, f"not a .keras archive ({error}).") from None
    with archive:
        if len(members) > _MAX_MEMBERS:
            raise _damaged(path, f"more than {_MAX_MEMBERS} members.")
        seen = set()
        for member in members:
            name = member.filename
            parts = name.split("/")
            if (
                name in seen
                or "\\" in name
                or name.startswith("/")
                or any(part in ("..", ".") for part in parts)
                or "" in parts[:-1]
                or not (name in _ARCHIVE_FILES or parts[0] == "assets")
            ):
                raise _damaged(path, f"unexpected member {name!r}.")
            seen.add(name)
            budget.charge(member.file_size, f"Keras archive member {name!r}")
        if "config.json" not in seen:
            raise _damaged(path, "no config.json.")
        try:
            config_info = archive.getinfo("config.json")
            if config_info.file_size > _MAX_CONFIG_BYTES:
                raise _damaged(path, "config.json is too large.")
            config = parse_json(archive.read("config.json"), path, "the Keras config")
            if archive.testzip() is not None:
                raise _damaged(path, "a member fails its checksum.")
            weights = (
                archive.read("model.weights.h5") if "model.weights.h5" in seen else None
            )
        except DamagedFileError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise _damaged(path, f"cannot be unpacked ({error}).") from None
    if not isinstance(config, dict):
        raise _damaged(path, "config.json is not an object.")
    names.check(config)
    if weights is not None:
        _check_weights(weights, path)


def _check_weights(weights: bytes, path: str) -> None:
    import h5py

    with tempfile.TemporaryDirectory(prefix="sklearn_dl-") as folder:
        file = Path(folder) / "model.weights.h5"
        file.write_bytes(weights)
        try:
            handle = h5py.File(file, "r")
        except OSError as error:
            raise _damaged(path, f"its weights are not HDF5 ({error}).") from None
        with handle:
            # Contiguous, unfiltered storage: the data cannot outgrow the file.
            CheckedHDF5(handle, path, Budget(path, max(1, len(weights))))


def load_model(data: bytes, path: str, names: KerasNames) -> Any:
    """Let Keras rebuild a checked archive, in safe mode.

    Parameters
    ----------
    data : bytes
        An archive that passed :func:`check_archive`.
    path : str
        The outer file (for messages).
    names : KerasNames
        Its checked names (gives Keras the caller-trusted custom objects).

    Returns
    -------
    keras.Model
        The network.
    """
    from sklearn_dl._backend.keras import import_keras

    keras = import_keras()
    with tempfile.TemporaryDirectory(prefix="sklearn_dl-") as folder:
        file = Path(folder) / "model.keras"
        file.write_bytes(data)
        try:
            return keras.saving.load_model(
                file, safe_mode=True, custom_objects=names.custom_objects
            )
        except Exception as error:  # Keras raises anything for a bad config
            raise _damaged(path, f"Keras cannot rebuild it ({error}).") from None


def deserialize(config: dict, path: str, names: KerasNames) -> Any:
    """Let Keras rebuild a checked object configuration, in safe mode.

    Parameters
    ----------
    config : dict
        A configuration that :meth:`KerasNames.check` accepted.
    path : str
        The file (for messages).
    names : KerasNames
        Its checked names.

    Returns
    -------
    object
        The Keras object.
    """
    from sklearn_dl._backend.keras import import_keras

    try:
        return import_keras().saving.deserialize_keras_object(
            config, custom_objects=names.custom_objects, safe_mode=True
        )
    except Exception as error:  # Keras raises anything for a bad config
        raise DamagedFileError(
            path, f"a Keras object cannot be rebuilt ({error})."
        ) from None


__all__ = ["KerasNames", "check_archive", "deserialize", "load_model"]
