"""Which classes and functions a saved file may ask :func:`load` to rebuild.

A file names classes and functions as ``"module:qualified.name"``. A name is
trusted when it is, *as text*, a key of the default allow-list
(:mod:`sklearn_dl.persistence._allowlist`, built from the libraries' public
namespaces and keyed by each object's own name) or one of the caller's
``trusted=`` names. Looking a name up never imports anything the file names.
Only a ``trusted=`` string is imported, since the caller chose it, and it
must lead to an object whose own ``__module__:__qualname__`` is that text:
no walking through module attributes (``keras.src.losses:inspect.os.popen``
is not ``os.popen`` by another name, it is refused).
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from sklearn_dl.exceptions import UntrustedTypeError
from sklearn_dl.persistence._allowlist import default_allowlist, own_name

#: ``module:qualified.name`` made of identifiers only (no spaces, no tricks).
_NAME = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
    r":[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
)
_MAX_NAME_LENGTH = 300
#: How a file may use a name: rebuilt object, class reference, function.
USES = ("object", "class", "function")


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
    name = own_name(obj)
    if name is None:
        raise TypeError(
            f"{obj!r} cannot be saved by name: only classes and functions "
            "defined at the top level of a module can be (not lambdas, local "
            "functions or bound methods)."
        )
    return name


def well_formed(name: Any) -> bool:
    """Tell whether ``name`` is a ``"module:qualified.name"`` of identifiers.

    Parameters
    ----------
    name : object
        A value from a file.

    Returns
    -------
    bool
        True for a string of at most 300 characters of that shape.
    """
    return (
        isinstance(name, str)
        and len(name) <= _MAX_NAME_LENGTH
        and _NAME.fullmatch(name) is not None
    )


def _fits(obj: Any, use: str) -> bool:
    if use in ("object", "class"):
        return inspect.isclass(obj)
    return callable(obj) and not inspect.isclass(obj)


def _import_exact(name: str) -> Any | None:
    """Import a caller-trusted name; None unless it is exactly that object.

    The module is imported (the caller named it), then the qualified name is
    followed through classes only: an attribute that is a module ends the
    walk, so ``"pkg:os.system"`` cannot reach ``os.system``.
    """
    module_name, _, qualname = name.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for index, part in enumerate(qualname.split(".")):
            if index and not inspect.isclass(target):
                return None
            target = vars(target).get(part) if index == 0 else getattr(target, part)
    except (ImportError, AttributeError, TypeError):
        return None
    if target is None or inspect.ismodule(target):
        return None
    if isinstance(target, np.ufunc):
        return target if name == f"numpy:{target.__name__}" else None
    return target if own_name(target) == name else None


class TrustPolicy:
    """The names one :func:`load` call trusts: the defaults plus ``trusted=``.

    Parameters
    ----------
    trusted : iterable of (class, function or str), or one of them, or None
        Objects to trust (an instance stands for its class), or their names
        as ``"module.name"`` or ``"module:name"``.
    """

    def __init__(self, trusted: Iterable[Any] | str | type | None = ()) -> None:
        if trusted is None:
            trusted = ()
        elif isinstance(trusted, str) or not isinstance(trusted, Iterable):
            trusted = [trusted]
        self._objects: dict[str, Any] = {}
        dotted: set[str] = set()
        for item in trusted:
            if isinstance(item, str):
                dotted.add(item.strip().replace(":", "."))
                continue
            if not (inspect.isclass(item) or isinstance(item, np.ufunc)) and not (
                inspect.isroutine(item)
            ):
                item = type(item)  # an instance (a callable builder): its class
            self._objects[qualified_name(item)] = item
        self._dotted = frozenset(dotted)
        self._allowed = default_allowlist()
        self._resolved: dict[str, Any | None] = {}

    def explicitly_trusts(self, name: str) -> bool:
        """Tell whether the caller's ``trusted=`` names ``name`` itself.

        Parameters
        ----------
        name : str
            ``"module:qualified.name"``.

        Returns
        -------
        bool
            True if given as an object or a string; the defaults do not count.
        """
        return name in self._objects or name.replace(":", ".") in self._dotted

    def lookup(self, name: Any, use: str) -> Any | None:
        """The object a file's name stands for, or None if it is not trusted.

        Parameters
        ----------
        name : object
            The name from the file (anything: it is checked first).
        use : {"object", "class", "function"}
            How the file uses it.

        Returns
        -------
        object or None
            The trusted class or function.
        """
        if not well_formed(name):
            return None
        if name in self._objects:
            obj = self._objects[name]
            return obj if _fits(obj, use) else None
        entry = self._allowed.get(name)
        if entry is not None and use in entry.uses:
            return entry.obj
        if name.replace(":", ".") not in self._dotted:
            return None
        if name not in self._resolved:
            self._resolved[name] = _import_exact(name)
        obj = self._resolved[name]
        return obj if obj is not None and _fits(obj, use) else None

    def lookup_keras(self, module: Any, class_name: Any, use: str) -> Any | None:
        """The object a Keras configuration names, or None if not trusted.

        Keras writes its own objects under their public module
        (``"keras.layers"``, ``"Dense"``). The module must already be
        imported (it is looked up in ``sys.modules``, never imported) and
        the attribute must itself be an allowed or caller-trusted object;
        any other name must be trusted by the caller as for :meth:`lookup`.

        Parameters
        ----------
        module : object
            The configuration's ``"module"``.
        class_name : object
            Its ``"class_name"`` (or the function's name).
        use : {"class", "function"}
            What it must be.

        Returns
        -------
        object or None
            The trusted class or function.
        """
        if not isinstance(module, str) or not isinstance(class_name, str):
            return None
        name = f"{module}:{class_name}"
        if not well_formed(name):
            return None
        namespace = sys.modules.get(module)
        obj = vars(namespace).get(class_name) if namespace is not None else None
        if obj is not None and _fits(obj, use):
            entry = self._allowed.get(own_name(obj) or "")
            if entry is not None and entry.obj is obj and use in entry.uses:
                return obj
            if any(trusted is obj for trusted in self._objects.values()):
                return obj
        return self.lookup(name, use)


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
    "USES",
    "TrustPolicy",
    "UntrustedReference",
    "qualified_name",
    "well_formed",
]
