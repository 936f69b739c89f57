"""Nested routed parameters: ``metrics__0__name``, ``callbacks__stop__patience``.

A parameter such as ``metrics`` may hold one object or a structure of them (a
list, a tuple or a dict), each entry a class, an instance or a name. Routed
keys address the structure by path:

- ``<prefix>__<key>`` with a plain ``key`` goes to every entry given as a
  class (``callbacks__patience=2``);
- ``<prefix>__<index or name>__<key>`` goes to one entry only
  (``metrics__0__name="auc0"``, ``callbacks__stop__patience=2``);
- a key made of digits is a positional argument
  (``callbacks__stop__0="loss"``);
- a routed value that is itself a class is built with the keys below it
  (``optimizer__learning_rate=ExponentialDecay``,
  ``optimizer__learning_rate__initial_learning_rate=0.1``); a routed list or
  dict of classes is built entry by entry, by the same rules
  (``loss__parts=[A, B]``, ``loss__parts__scale=1``, ``loss__parts__0__scale=2``).

Every routed key must be used: one that addresses nothing, or an instance
(which cannot take arguments), raises an error naming it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from sklearn_dl._core.routing import (
    accepted_names,
    accepted_names_in_hierarchy,
    unknown_parameter_error,
)


def split_routed(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict]]:
    """Split routed keys into plain keys and keys below a head.

    Parameters
    ----------
    params : mapping
        Routed keys (prefix removed), e.g. ``{"name": "a", "0__name": "b"}``.

    Returns
    -------
    plain : dict
        The keys without ``__``.
    nested : dict of dict
        ``{head: {rest: value}}`` for every key ``head__rest``.
    """
    plain: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for key, value in params.items():
        head, sep, rest = key.partition("__")
        if sep and rest:
            nested.setdefault(head, {})[rest] = value
        else:
            plain[key] = value
    return plain, nested


def construct(cls: type, params: Mapping[str, Any], path: str) -> Any:
    """Instantiate ``cls`` from routed ``params``, building nested classes.

    Parameters
    ----------
    cls : type
        The class to build.
    params : mapping
        Its routed keys (plain keys are arguments, digit keys positional,
        ``arg__key`` configure an argument given as a class).
    path : str
        The parameter name leading here (``"callbacks__stop"``), for errors.

    Returns
    -------
    object
        The new instance.
    """
    plain, nested = split_routed(params)
    for head in nested:
        if head not in plain:
            first = next(iter(nested[head]))
            raise ValueError(
                f"Parameter '{path}__{head}__{first}' configures the argument "
                f"{head!r} of {cls.__name__}, which is not given; set "
                f"'{path}__{head}' to a class first."
            )
    values = {
        key: build_value(value, nested.get(key, {}), f"{path}__{key}")
        for key, value in plain.items()
    }
    positional = sorted(
        (int(key), value) for key, value in values.items() if key.isdigit()
    )
    keywords = {key: value for key, value in values.items() if not key.isdigit()}
    names, takes_var_keyword = accepted_names(cls)
    for key in keywords:
        if key not in names and not takes_var_keyword:
            raise unknown_parameter_error(f"{path}__{key}", names, cls.__name__)
    try:
        return cls(*(value for _, value in positional), **keywords)
    except (TypeError, ValueError) as error:
        known = accepted_names_in_hierarchy(cls)
        for key in keywords:
            if key not in known:
                raise unknown_parameter_error(
                    f"{path}__{key}", known, cls.__name__
                ) from error
        raise ValueError(
            f"Could not build {cls.__name__} from the routed parameters "
            f"{sorted(f'{path}__{key}' for key in params)}: {error}"
        ) from error


def build_value(value: Any, params: Mapping[str, Any], path: str) -> Any:
    """A routed value, built when it is a class with keys below it.

    Parameters
    ----------
    value : object
        The routed value.
    params : mapping
        Keys below it (``{"initial_learning_rate": 0.1}``).
    path : str
        Its parameter name, for errors.

    Returns
    -------
    object
        ``value`` itself, or an instance of it when it is a class that has
        keys below it.
    """
    if not params:
        return value
    if isinstance(value, type):
        return construct(value, params, path)
    if isinstance(value, (list, tuple, Mapping)):  # a list of classes to build
        built, used_shared = build_structure(value, params, path)
        shared = [key for key in params if "__" not in key]
        if shared and not used_shared:
            raise ValueError(
                f"Parameter '{path}__{shared[0]}' configures {path}, which holds "
                "no class to build; pass classes to configure them."
            )
        return built
    first = next(iter(params))
    raise ValueError(
        f"Parameter '{path}__{first}' configures {path}, which is not a class "
        f"(it is {type(value).__name__}); pass the class to configure it."
    )


def build_structure(
    spec: Any,
    params: Mapping[str, Any],
    prefix: str,
    *,
    copy_instance: Callable[[Any], Any] = copy.deepcopy,
    resolve_name: Callable[[str, Mapping[str, Any]], Any] | None = None,
) -> tuple[Any, bool]:
    """Build one object or a list/tuple/dict of them from routed parameters.

    Parameters
    ----------
    spec : object
        A class, an instance, a name, or a list, tuple or dict of those.
    params : mapping
        The routed ``<prefix>__*`` keys, prefix removed.
    prefix : str
        The parameter's name (``"metrics"``), for errors.
    copy_instance : callable, default=copy.deepcopy
        How an instance is copied (a fresh object for each fit).
    resolve_name : callable, default=None
        ``resolve_name(name, params)`` builds an entry given by name that has
        entry-specific keys (``metrics__0__num_thresholds`` for ``"auc"``);
        without it such keys are an error.

    Returns
    -------
    built : object
        The same structure with classes instantiated and instances copied.
    used_shared : bool
        Whether any entry took the plain (shared) keys.

    Raises
    ------
    ValueError
        For a routed key that addresses nothing, or an instance.
    """
    shared, per_entry = split_routed(params)
    if isinstance(spec, Mapping):
        entries = dict(spec)
    elif isinstance(spec, (list, tuple)):
        entries = {str(index): item for index, item in enumerate(spec)}
    else:  # a single object: every key is its own
        return _build_entry(spec, dict(params), prefix, copy_instance, resolve_name)
    for head in per_entry:
        if head not in entries:
            first = next(iter(per_entry[head]))
            raise ValueError(
                f"Parameter '{prefix}__{head}__{first}' addresses entry {head!r} "
                f"of {prefix}, which has no such entry (entries: "
                f"{sorted(entries)})."
            )
    built: dict[str, Any] = {}
    used_shared = False
    for name, item in entries.items():
        own = {**per_entry.get(name, {})}
        takes_shared = isinstance(item, type)
        keys = {**shared, **own} if takes_shared else own
        built[name], _ = _build_entry(
            item, keys, f"{prefix}__{name}", copy_instance, resolve_name
        )
        used_shared = used_shared or (takes_shared and bool(shared))
    if isinstance(spec, Mapping):
        return type(spec)(built) if type(spec) is not dict else built, used_shared
    return type(spec)(built[str(index)] for index in range(len(spec))), used_shared


def _build_entry(
    item: Any,
    params: dict[str, Any],
    path: str,
    copy_instance: Callable[[Any], Any],
    resolve_name: Callable[[str, Mapping[str, Any]], Any] | None,
) -> tuple[Any, bool]:
    """Build one entry (class, instance, name or a nested structure)."""
    if isinstance(item, (list, tuple, Mapping)):  # per-output metric lists
        return build_structure(
            item, params, path, copy_instance=copy_instance, resolve_name=resolve_name
        )
    if isinstance(item, type):
        return construct(item, params, path), bool(params)
    if isinstance(item, str):
        if not params:
            return item, False
        if resolve_name is not None:
            return resolve_name(item, params), True
    elif not params:
        return (copy_instance(item) if _copyable(item) else item), False
    first = next(iter(params))
    raise ValueError(
        f"Parameter '{path}__{first}' configures {path}, which is "
        f"{'a name' if isinstance(item, str) else 'an instance'} "
        f"({item!r}); routed parameters need it passed as a class."
    )


def _copyable(item: Any) -> bool:
    """Whether ``item`` is an object to copy (not a plain function)."""
    return (
        not callable(item) or hasattr(item, "get_config") or hasattr(item, "set_model")
    )
