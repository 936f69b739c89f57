"""Which classes and functions a saved file may ask :func:`load` to rebuild.

A file names classes and functions as ``"module:qualified.name"``. Nothing
named in a file is imported before it passes :func:`is_trusted_by_default` or
is in the caller's ``trusted`` list, and only these are trusted by default:

- every class defined in :mod:`sklearn_dl`;
- scikit-learn's estimators (subclasses of ``BaseEstimator``), its
  cross-validation splitters and scorers (so a fitted search loads);
- NumPy's scalar types (``numpy.float32`` as a ``dtype=`` parameter);
- Keras's callbacks, optimizers, losses, metrics, layers and learning-rate
  schedules given as classes; Keras's loss, metric and activation
  functions and scikit-learn's metric functions (they only compute numbers).

Any other function is untrusted: a function stored in a file could be
anything importable (``os.system``), so it is rebuilt only when trusted.
"""

from __future__ import annotations

import importlib
import inspect
import types
from collections.abc import Iterable
from typing import Any

import numpy as np

from sklearn_dl.exceptions import UntrustedTypeError

#: Packages whose modules may be imported to check a default-trusted name.
_LIBRARY_PACKAGES = ("sklearn_dl", "sklearn", "keras", "numpy")
#: Modules whose functions only compute numbers (trusted by default). Names,
#: not imports: Keras 3 defines its functions in ``keras.src.*`` and saved
#: references name that module.
_METRIC_FUNCTION_MODULES = (
    "sklearn.metrics",
    "keras.src.losses",
    "keras.src.metrics",
    "keras.src.activations",
    "keras.losses",
    "keras.metrics",
    "keras.activations",
)


def qualified_name(obj: Any) -> str:
    """Return ``"module:qualified.name"`` for a class or module-level function.

    Parameters
    ----------
    obj : class or callable
        A class, a function defined at module level, a builtin or a NumPy
        ufunc.

    Returns
    -------
    str
        The name under which the object can be imported again.

    Raises
    ------
    TypeError
        If the object cannot be found again by name (lambdas, functions
        defined inside functions, bound methods).
    """
    if isinstance(obj, np.ufunc):
        return f"numpy:{obj.__name__}"
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise TypeError(
            f"{obj!r} cannot be saved by name: only classes and functions "
            "defined at the top level of a module can be (not lambdas, local "
            "functions or bound methods)."
        )
    return f"{module}:{qualname}"


def normalize_trusted(trusted: Iterable[Any] | str | type | None) -> frozenset[str]:
    """Turn a ``trusted=`` argument into a set of ``"module:name"`` strings.

    Parameters
    ----------
    trusted : iterable of (class, function or str), or one of them, or None
        Objects to trust (an instance stands for its class), or their names
        as ``"module.name"`` or ``"module:name"``.

    Returns
    -------
    frozenset of str
        Every name in both spellings: ``"module:name"`` and ``"module.name"``.
    """
    if trusted is None:
        return frozenset()
    if isinstance(trusted, str) or not isinstance(trusted, Iterable):
        trusted = [trusted]
    names: set[str] = set()
    for item in trusted:
        if isinstance(item, str):
            name = item.strip()
        elif isinstance(item, (type, np.ufunc)) or inspect.isroutine(item):
            name = qualified_name(item)
        else:  # an instance (a callable builder object): trust its class
            name = qualified_name(type(item))
        names.add(name)
        names.add(name.replace(":", "."))
    return frozenset(names)


def is_user_trusted(name: str, trusted: frozenset[str]) -> bool:
    """Tell whether ``name`` (``"module:qual"``) is in a normalized trusted set.

    Parameters
    ----------
    name : str
        A name from a file.
    trusted : frozenset of str
        Output of :func:`normalize_trusted`.

    Returns
    -------
    bool
        True when the caller trusts the name.
    """
    return name in trusted or name.replace(":", ".") in trusted


def _split(name: str) -> tuple[str, str]:
    module, sep, qualname = name.partition(":")
    if not sep or not module or not qualname:
        raise ValueError(f"Malformed name {name!r} in file: expected 'module:name'.")
    return module, qualname


def _in_package(module: str, packages: tuple[str, ...]) -> bool:
    return any(
        module == package or module.startswith(package + ".") for package in packages
    )


def resolve(name: str) -> Any:
    """Import ``module`` and return ``qualified.name`` from it.

    Only call this for a name that is trusted or that
    :func:`is_trusted_by_default` is checking (library packages only).

    Parameters
    ----------
    name : str
        ``"module:qualified.name"``.

    Returns
    -------
    object
        The class or function.

    Raises
    ------
    UntrustedTypeError
        If the name does not exist (any more) or is not a class or callable.
    """
    module_name, qualname = _split(name)
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as error:
        raise UntrustedTypeError(
            f"The file names {name!r}, which cannot be imported here: {error}.",
            [name],
        ) from error
    if not callable(target):
        raise UntrustedTypeError(
            f"The file names {name!r}, which is not a class or function.", [name]
        )
    return target


def _trusted_library_class(cls: type) -> bool:
    module = cls.__module__
    if _in_package(module, ("sklearn_dl",)):
        return True
    if _in_package(module, ("numpy",)):
        return issubclass(cls, np.generic)
    if _in_package(module, ("sklearn",)):
        from sklearn.base import BaseEstimator

        # Private, but the only home of the scorer classes that fitted
        # searches hold (search.scorer_); they must be recognised to load.
        from sklearn.metrics import _scorer
        from sklearn.model_selection import BaseCrossValidator, BaseShuffleSplit

        scorers = (
            _scorer._BaseScorer,
            _scorer._PassthroughScorer,
            _scorer._MultimetricScorer,
        )
        return issubclass(
            cls, (BaseEstimator, BaseCrossValidator, BaseShuffleSplit, *scorers)
        )
    if _in_package(module, ("keras",)):
        import keras

        bases = (
            keras.callbacks.Callback,
            keras.optimizers.Optimizer,
            keras.optimizers.schedules.LearningRateSchedule,
            keras.losses.Loss,
            keras.metrics.Metric,
            keras.layers.Layer,
        )
        return issubclass(cls, bases)
    return False


def is_trusted_by_default(name: str, kind: str) -> bool:
    """Tell whether a name is trusted without the caller saying so.

    Modules are imported only inside the library packages (sklearn_dl,
    scikit-learn, Keras, NumPy), to check what the name really is.

    Parameters
    ----------
    name : str
        ``"module:qualified.name"`` from a file.
    kind : {"class", "function"}
        What the file says the name is.

    Returns
    -------
    bool
        True for the defaults listed in this module's documentation.
    """
    module, _ = _split(name)
    if not _in_package(module, _LIBRARY_PACKAGES):
        return False
    if kind == "function" and not _in_package(module, _METRIC_FUNCTION_MODULES):
        return False
    try:
        target = resolve(name)
    except UntrustedTypeError:
        return False
    if kind == "class":
        return inspect.isclass(target) and _trusted_library_class(target)
    return isinstance(target, types.FunctionType)


class _UntrustedAttributeError(UntrustedTypeError, AttributeError):
    """An untrusted reference was used like the object it stands for.

    Also an ``AttributeError``, so ``hasattr`` checks (``clone`` makes some)
    see a plain missing attribute.
    """


class UntrustedReference:
    """Stands in for an untrusted builder of a loaded, fitted network.

    A fitted sklearn_dl network never uses its parameters' callables again
    (the ``model=`` builder, a custom loss function, a callback object):
    predictions come from the stored Keras model. So :func:`~sklearn_dl.load`
    rebuilds an untrusted one as this reference, which shows the name and
    raises :class:`~sklearn_dl.exceptions.UntrustedTypeError` when called or
    used, that is when the estimator (or a clone) is fitted again. Load the file with
    ``trusted=[name]`` to get the real builder back.

    Parameters
    ----------
    name : str
        The builder's name, ``"module:qualified.name"``.
    parameter : str
        Where it was found (e.g. ``"KerasClassifier.model"``), for messages.
    """

    def __init__(self, name: str, parameter: str) -> None:
        self.name = name
        self.parameter = parameter

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse to run: the builder was not trusted when the file was loaded.

        Parameters
        ----------
        *args, **kwargs
            Ignored.

        Returns
        -------
        object
            Never returns.

        Raises
        ------
        UntrustedTypeError
            Always.
        """
        raise UntrustedTypeError(self._refusal("called"), [self.name])

    def __getattr__(self, attribute: str) -> Any:
        # Only reached for attributes it lacks: any use other than looking.
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        raise _UntrustedAttributeError(
            self._refusal(f"used (.{attribute})"), [self.__dict__.get("name", "?")]
        )

    def _refusal(self, what: str) -> str:
        name = self.__dict__.get("name", "?")
        return (
            f"{self.__dict__.get('parameter', 'A parameter')} is {name!r}, which "
            f"was not trusted when the estimator was loaded, so it cannot be {what} "
            f"to fit again. Load the file with trusted=[{name!r}] if you trust it."
        )

    def __repr__(self) -> str:
        return f"UntrustedReference({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UntrustedReference) and other.name == self.name

    def __hash__(self) -> int:
        return hash((UntrustedReference, self.name))


__all__ = [
    "UntrustedReference",
    "is_trusted_by_default",
    "is_user_trusted",
    "normalize_trusted",
    "qualified_name",
    "resolve",
]
