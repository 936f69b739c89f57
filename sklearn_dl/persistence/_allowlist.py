"""The default allow-list: the exact classes and functions a file may name.

Built from the libraries' own public namespaces, chosen here, and keyed by
each object's *own* ``__module__:__qualname__``, never by text from a file.
Looking a file's name up is then a dictionary lookup: nothing a file names
is imported, and a name that walks module attributes
(``keras.src.losses:inspect.os.popen``) simply is not a key.

Each entry says how a file may use the object:

- ``"object"``: rebuilt from saved attributes (``cls.__new__`` plus state);
  only for classes whose instances are plain parameter and fitted-value
  bags: scikit-learn's estimators, splitters and scorers, sklearn_dl's
  classes, and the Keras callbacks that touch neither files nor the network;
- ``"class"``: a reference to a class (``dtype=numpy.float32``,
  ``loss=keras.losses.Huber``), also inside Keras configurations;
- ``"function"``: a reference to a function that only computes numbers
  (Keras's losses, metrics and activations; scikit-learn's metrics).

Deliberately left out, because a hostile file could make them act when the
loaded object is used: Keras layers that wrap code or read files (``Lambda``,
``TFSMLayer``, ``JaxLayer``, ``FlaxLayer``, ``TorchModuleWrapper``), Keras
callbacks that write files or send data (``ModelCheckpoint``,
``BackupAndRestore``, ``CSVLogger``, ``TensorBoard``, ``RemoteMonitor``,
``OrbaxCheckpoint``, ``LambdaCallback``), scikit-learn metric helpers that
build scorers from callables or start worker processes (``n_jobs``).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any

#: Keras callbacks that only look at logs and the model (no files, no network).
_PURE_KERAS_CALLBACKS = (
    "Callback",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "SwapEMAWeights",
    "TerminateOnNaN",
)
#: Constructor parameters that mark a Keras layer as wrapping code or a file.
_CODE_OR_FILE_PARAMETERS = frozenset(
    {"function", "filepath", "call_fn", "init_fn", "module", "call_endpoint"}
)
#: scikit-learn metric helpers that are not plain number crunchers.
_SKLEARN_METRIC_HELPERS = frozenset(
    {"check_scoring", "get_scorer", "get_scorer_names", "make_scorer"}
)
#: Keras lookup helpers in the function namespaces (they resolve names).
_KERAS_LOOKUPS = frozenset({"get", "serialize", "deserialize"})
#: sklearn_dl's public namespaces, plus the helper classes its estimators
#: keep as fitted state (they are not exported, yet files hold them).
_SKLEARN_DL_NAMESPACES = (
    "sklearn_dl",
    "sklearn_dl.wrappers",
    "sklearn_dl.basewrapper",
    "sklearn_dl.networks",
    "sklearn_dl.preprocessing",
    "sklearn_dl.forecasting",
    "sklearn_dl.callbacks",
    "sklearn_dl.utils.transformers",
)
_SKLEARN_DL_STATE_CLASSES = (("sklearn_dl._core.targets", "ClassifierTargets"),)


@dataclass(frozen=True)
class Entry:
    """One allowed object and the ways a file may use it.

    Parameters
    ----------
    obj : class or function
        The object itself.
    uses : frozenset of {"object", "class", "function"}
        How a file may refer to it (see the module documentation).
    """

    obj: Any
    uses: frozenset[str]


def own_name(obj: Any) -> str | None:
    """The ``"module:qualname"`` an object gives itself, or None.

    Parameters
    ----------
    obj : object
        A class or function.

    Returns
    -------
    str or None
        None for objects without both names or with a local qualified name.
    """
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if not module or "<" in qualname:
        return None
    return f"{module}:{qualname}"


def _public(namespace: ModuleType) -> Iterable[Any]:
    names = getattr(namespace, "__all__", None)
    if names is None:
        names = [name for name in dir(namespace) if not name.startswith("_")]
    for name in names:
        try:
            value = getattr(namespace, name)
        except (AttributeError, ImportError):  # experimental or lazy names
            continue
        yield value


class _Builder:
    """Collects entries, merging the uses of an object listed twice."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def add(self, obj: Any, *uses: str) -> None:
        name = own_name(obj)
        if name is None:
            return
        previous = self.entries.get(name)
        if previous is not None and previous.obj is not obj:
            return  # two objects claim one name: trust neither way round
        merged = frozenset(uses) | (previous.uses if previous else frozenset())
        self.entries[name] = Entry(obj, merged)


def _takes(obj: Callable, parameters: frozenset[str]) -> bool:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return True  # cannot tell: treat as unsafe
    return not parameters.isdisjoint(signature.parameters)


def _add_sklearn(builder: _Builder) -> None:
    import numpy as np
    import sklearn.metrics
    import sklearn.model_selection
    from sklearn.dummy import DummyClassifier
    from sklearn.utils.discovery import all_estimators

    for _, cls in all_estimators():
        builder.add(cls, "object", "class")
    for value in _public(sklearn.model_selection):
        if inspect.isclass(value) and hasattr(value, "split"):
            builder.add(value, "object", "class")
    # The scorer classes are private; ask the public API for them instead of
    # importing sklearn.metrics._scorer, so the names follow scikit-learn.
    dummy = DummyClassifier()
    for scorer in (
        sklearn.metrics.check_scoring(dummy),
        sklearn.metrics.get_scorer("accuracy"),
        sklearn.metrics.check_scoring(dummy, scoring=["accuracy", "f1_macro"]),
    ):
        builder.add(type(scorer), "object")
    for name in sklearn.metrics.__all__:
        value = getattr(sklearn.metrics, name)
        if (
            inspect.isfunction(value)
            and name not in _SKLEARN_METRIC_HELPERS
            and not _takes(value, frozenset({"n_jobs"}))
        ):
            builder.add(value, "function")
    for value in vars(np).values():
        if inspect.isclass(value) and issubclass(value, np.generic):
            builder.add(value, "class")


def _add_keras(builder: _Builder) -> None:
    from sklearn_dl._backend.keras import import_keras

    keras = import_keras()
    class_namespaces = (
        keras.layers,
        keras.optimizers,
        keras.optimizers.schedules,
        keras.losses,
        keras.metrics,
        keras.initializers,
        keras.regularizers,
        keras.constraints,
        keras.dtype_policies,
        keras.models,
    )
    for namespace in class_namespaces:
        for value in _public(namespace):
            if inspect.isclass(value) and not _takes(value, _CODE_OR_FILE_PARAMETERS):
                builder.add(value, "class")
    for name in ("Model", "Sequential", "DTypePolicy", "Input", "InputSpec"):
        value = getattr(keras, name, None)
        if inspect.isclass(value):
            builder.add(value, "class")
    # A functional model's class is not exported under its own name.
    inputs = keras.Input((1,))
    builder.add(type(keras.Model(inputs, inputs)), "class")
    for name in _PURE_KERAS_CALLBACKS:
        value = getattr(keras.callbacks, name, None)
        if inspect.isclass(value):
            builder.add(value, "object", "class")
    for namespace in (keras.losses, keras.metrics, keras.activations):
        for value in _public(namespace):
            if inspect.isfunction(value) and value.__name__ not in _KERAS_LOOKUPS:
                builder.add(value, "function")


def _add_sklearn_dl(builder: _Builder) -> None:
    import importlib

    for module_name in _SKLEARN_DL_NAMESPACES:
        for value in _public(importlib.import_module(module_name)):
            if inspect.isclass(value):
                builder.add(value, "object", "class")
    for module_name, name in _SKLEARN_DL_STATE_CLASSES:
        builder.add(getattr(importlib.import_module(module_name), name), "object")


_lock = threading.Lock()
_cache: list[Mapping[str, Entry]] = []


def default_allowlist() -> Mapping[str, Entry]:
    """The default allow-list, built on first use (it imports the libraries).

    Returns
    -------
    Mapping of str to Entry
        ``"module:qualname"`` of each allowed object to its entry; read-only.
    """
    # Built once per process: importing scikit-learn's and Keras's namespaces
    # takes seconds, and the result only depends on the installed libraries.
    with _lock:
        if not _cache:
            builder = _Builder()
            _add_sklearn(builder)
            _add_keras(builder)
            _add_sklearn_dl(builder)
            _cache.append(MappingProxyType(dict(builder.entries)))
        return _cache[0]


__all__ = ["Entry", "default_allowlist", "own_name"]
