"""Routing of prefixed parameters (``model__units``, ``fit__x``, ...).

scikeras's convention: a parameter named ``<prefix>__<key>`` is passed as
``key`` to whatever the prefix names (the model builder, the optimizer, Keras's
``fit`` ...). Routing is pure: it reads a parameter dict and returns new dicts.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: Prefixes understood by :func:`route_params`, in the order they are matched.
ROUTING_PREFIXES: tuple[str, ...] = (
    "model",
    "optimizer",
    "loss",
    "metrics",
    "callbacks",
    "compile",
    "fit",
    "predict",
)


def has_routing_prefix(name: str) -> bool:
    """Tell whether ``name`` is of the form ``<known prefix>__<key>``.

    Parameters
    ----------
    name : str
        A parameter name.

    Returns
    -------
    bool
        True when the name starts with one of :data:`ROUTING_PREFIXES`
        followed by ``__`` and a non-empty key.
    """
    prefix, sep, key = name.partition("__")
    return bool(sep) and bool(key) and prefix in ROUTING_PREFIXES


def route_params(params: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Collect the parameters routed to ``prefix``, with the prefix removed.

    Parameters
    ----------
    params : mapping
        Parameter names and values, e.g. from ``get_params(deep=False)``.
    prefix : str
        One of :data:`ROUTING_PREFIXES`.

    Returns
    -------
    dict
        A new dict ``{key: value}`` for every ``<prefix>__<key>`` in
        ``params``; the input is not modified.
    """
    start = prefix + "__"
    return {
        name[len(start) :]: value
        for name, value in params.items()
        if name.startswith(start) and len(name) > len(start)
    }


def accepted_names(func: Callable[..., Any]) -> tuple[set[str], bool]:
    """Return the keyword names ``func`` accepts and whether it takes ``**kwargs``.

    Parameters
    ----------
    func : callable
        A function, method or class.

    Returns
    -------
    names : set of str
        Names of the parameters that can be passed by keyword.
    takes_var_keyword : bool
        True when ``func`` has a ``**kwargs`` parameter.
    """
    signature = inspect.signature(func)
    names = {
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    takes_var_keyword = any(
        parameter.kind is inspect.Parameter.VAR_KEYWORD
        for parameter in signature.parameters.values()
    )
    return names, takes_var_keyword


def accepted_names_in_hierarchy(cls: type) -> set[str]:
    """Keyword names accepted by ``cls`` or any base class's ``__init__``.

    Keras classes forward ``**kwargs`` to their bases; the union of the
    signatures is what they really accept.

    Parameters
    ----------
    cls : type
        A class.

    Returns
    -------
    set of str
        The union of the keyword names of every ``__init__`` in the MRO.
    """
    names: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and klass is not object:
            try:
                names |= accepted_names(klass.__init__)[0]
            except (TypeError, ValueError):  # builtins without a signature
                continue
    return names - {"self"}


def unknown_parameter_error(key: str, valid: Iterable[str], target: str) -> ValueError:
    """Build the error for a routed key that ``target`` does not accept.

    Parameters
    ----------
    key : str
        The parameter name as the user wrote it (with its prefix).
    valid : iterable of str
        Names ``target`` accepts, used for a "did you mean" hint.
    target : str
        What the key was routed to, for the message.

    Returns
    -------
    ValueError
        An exception naming the key, the target and close matches.
    """
    bare_key = key.rpartition("__")[2] or key
    close = difflib.get_close_matches(bare_key, sorted(valid), n=3)
    close += [name for name in sorted(valid) if bare_key in name and name not in close]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ValueError(
        f"Parameter {key!r} was routed to {target}, which does not accept "
        f"{bare_key!r}.{hint}"
    )
