"""Which function builds a wrapper's model, and what it is called with.

scikeras's conventions, kept so its users' code runs unchanged:

- ``model=`` a Keras model (copied for each fit) or a builder callable;
- ``model=None`` and a subclass implementing ``_keras_build_fn``;
- ``build_fn=`` the deprecated alias of ``model=`` (a ``FutureWarning``);
- the builder receives the routed ``model__*`` parameters, the plain extra
  keyword arguments, the subclass's own ``__init__`` parameters it names,
  and ``meta``, ``compile_kwargs`` and ``params`` when it names them or
  takes ``**kwargs``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._core.keras_objects import fresh_keras_objects
from sklearn_dl._core.routing import (
    accepted_names,
    route_params,
    unknown_parameter_error,
)

#: Builder arguments filled in by the estimator when the signature asks.
BUILDER_EXTRAS = ("meta", "compile_kwargs", "params")

#: Extra keyword arguments that configure the wrapper, never the builder.
WRAPPER_KEYWORDS = frozenset({"build_fn", "validation_batch_size"})


@functools.cache
def _param_names(cls: type) -> tuple[str, ...]:
    """The names :func:`wrapper_param_names` returns, cached per class."""
    from sklearn.base import BaseEstimator

    names: set[str] = set()
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None or not issubclass(klass, BaseEstimator):
            continue
        init = getattr(init, "deprecated_original", init)
        passes_on = False
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                passes_on = True
            elif parameter.name != "self" and parameter.kind not in (
                inspect.Parameter.VAR_POSITIONAL,
            ):
                names.add(parameter.name)
        if not passes_on or klass.__module__.startswith("sklearn_dl."):
            break
    return tuple(sorted(names))


def wrapper_param_names(cls: type) -> list[str]:
    """The ``__init__`` parameters of ``cls``, and its parents' it passes on.

    A subclass written as ``__init__(self, hidden=8, **kwargs)`` that passes
    ``**kwargs`` on keeps its parent's parameters: they are found in the
    parents' signatures, so ``get_params``, ``clone`` and ``set_params``
    treat them as parameters (never as builder arguments). An ``__init__``
    without ``**kwargs`` ends the search: its signature is the whole list,
    as scikit-learn reads it.

    Parameters
    ----------
    cls : type
        An estimator class.

    Returns
    -------
    list of str
        Sorted parameter names.
    """
    return list(_param_names(cls))


def own_param_names(cls: type) -> set[str]:
    """Parameters a user subclass declares that sklearn_dl's wrappers do not.

    Parameters
    ----------
    cls : type
        An estimator class.

    Returns
    -------
    set of str
        The names declared only by ``__init__`` methods defined outside
        sklearn_dl.
    """
    inherited: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("sklearn_dl.") and "__init__" in vars(klass):
            inherited |= set(accepted_names(vars(klass)["__init__"])[0])
    return set(wrapper_param_names(cls)) - inherited


def resolve_builder(estimator: Any) -> tuple[Any, bool]:
    """The model or builder a wrapper uses.

    Parameters
    ----------
    estimator : object
        The wrapper.

    Returns
    -------
    builder : keras.Model or callable
        ``model``, the ``build_fn`` alias, or the bound ``_keras_build_fn``.
    from_method : bool
        True when it is the subclass's ``_keras_build_fn``.
    """
    model = estimator.model
    build_fn = estimator._extra_params().get("build_fn")
    if build_fn is not None:
        warnings.warn(
            "`build_fn` is scikeras's deprecated name of `model`; pass "
            "`model=` instead.",
            FutureWarning,
            stacklevel=4,
        )
        if model is not None:
            raise ValueError("Give the model as `model=` or `build_fn=`, not both.")
        model = build_fn
    has_method = callable(getattr(type(estimator), "_keras_build_fn", None))
    if model is None:
        if has_method:
            return estimator._keras_build_fn, True
        raise ValueError(
            "`model` must be a keras.Model or a callable returning one; got "
            "None (or implement `_keras_build_fn` in a subclass)."
        )
    if has_method:
        raise ValueError(
            f"{type(estimator).__name__} implements `_keras_build_fn`, so "
            "`model` must be None; got both."
        )
    return model, False


def build_model(
    estimator: Any,
    extra: dict[str, Any],
    meta: dict[str, Any],
    compile_kwargs: dict[str, Any],
    *,
    copy_instance: bool = True,
) -> Any:
    """Return the Keras model a wrapper trains.

    Parameters
    ----------
    estimator : object
        The wrapper.
    extra : dict
        Its extra keyword parameters (routed and bare).
    meta : dict
        What the data says (``n_features_in_``, ``classes_`` ...).
    compile_kwargs : dict
        Fresh compile arguments.
    copy_instance : bool, default=True
        Copy a model instance (fit never trains the user's object);
        ``initialize`` uses it as it is.

    Returns
    -------
    keras.Model
        The model.
    """
    keras = import_keras()
    builder, _ = resolve_builder(estimator)
    if isinstance(builder, keras.Model):
        return copy.deepcopy(builder) if copy_instance else builder
    if not callable(builder):
        raise TypeError(
            "`model` must be a keras.Model or a callable returning one; got "
            f"{type(builder).__name__}."
        )
    names, takes_var_keyword = accepted_names(builder)
    bare = {
        name: value
        for name, value in extra.items()
        if "__" not in name and name not in WRAPPER_KEYWORDS
    }
    # Copies: a Keras object given as a builder argument is never trained.
    kwargs = fresh_keras_objects({**bare, **route_params(extra, "model")})
    for key in kwargs:
        if key not in names and not takes_var_keyword:
            shown = key if key in bare else f"model__{key}"
            raise unknown_parameter_error(
                shown, names - set(BUILDER_EXTRAS), "the model builder"
            )
    params = estimator.get_params()
    for name in own_param_names(type(estimator)):
        if name in names and name not in kwargs:
            kwargs[name] = fresh_keras_objects(params[name])
    available = {"meta": meta, "compile_kwargs": compile_kwargs, "params": params}
    for name in BUILDER_EXTRAS:
        if name in names or takes_var_keyword:
            kwargs[name] = available[name]
    return builder(**kwargs)
