"""Fresh Keras optimizers, losses, metrics and callbacks from estimator parameters.

Each fit gets its own objects: an instance the user passed is copied, never
trained or mutated, so clones and refits stay independent.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._core.nested import build_structure, construct

# Keras's short loss names whose class name is not their CamelCase form.
_LOSS_ALIASES = {
    "mse": "MeanSquaredError",
    "mae": "MeanAbsoluteError",
    "mape": "MeanAbsolutePercentageError",
    "msle": "MeanSquaredLogarithmicError",
    "kld": "KLDivergence",
    "kl_divergence": "KLDivergence",
    "kullback_leibler_divergence": "KLDivergence",
}


def _class_name(name: str) -> str:
    """Return the Keras class name for a snake_case (or CamelCase) name.

    A name already in CamelCase (``"BinaryCrossentropy"``) is kept as it is.
    """
    if name in _LOSS_ALIASES:
        return _LOSS_ALIASES[name]
    parts = [part for part in re.split(r"_+", name) if part]
    return "".join(part[:1].upper() + part[1:] for part in parts)


def _construct(cls: type, kwargs: Mapping[str, Any], prefix: str) -> Any:
    """Instantiate ``cls`` with routed ``kwargs``, naming a rejected key.

    Nested keys (``learning_rate__initial_learning_rate``) build an argument
    given as a class; digit keys are positional (see
    :mod:`sklearn_dl._core.nested`).
    """
    return construct(cls, kwargs, prefix)


def make_optimizer(optimizer: Any, kwargs: Mapping[str, Any]) -> Any:
    """Build a fresh optimizer.

    Parameters
    ----------
    optimizer : str, optimizer class or optimizer instance
        What the ``optimizer`` parameter holds (e.g. ``"adam"``).
    kwargs : mapping
        The routed ``optimizer__*`` parameters (e.g. ``learning_rate``).

    Returns
    -------
    keras.optimizers.Optimizer
        A new optimizer with no state.
    """
    keras = import_keras()
    if isinstance(optimizer, str):
        optimizer = type(keras.optimizers.get(optimizer))
    if isinstance(optimizer, type):
        return _construct(optimizer, kwargs, "optimizer")
    config = {**optimizer.get_config(), **kwargs}
    return type(optimizer).from_config(config)


def make_loss(loss: Any, kwargs: Mapping[str, Any]) -> Any:
    """Build the loss to compile with.

    Parameters
    ----------
    loss : str, loss class, loss instance, callable or None
        What the ``loss`` parameter holds.
    kwargs : mapping
        The routed ``loss__*`` parameters (e.g. ``from_logits``).

    Returns
    -------
    object
        A value for ``Model.compile(loss=...)``; strings without routed
        parameters are passed through unchanged.
    """
    if not kwargs:
        return copy.deepcopy(loss) if not isinstance(loss, (str, type)) else loss
    if isinstance(loss, (list, tuple, Mapping)):
        return _make_losses(loss, kwargs)
    keras = import_keras()
    if isinstance(loss, str):
        try:
            spec = {"class_name": _class_name(loss), "config": {}}
            loss = type(keras.losses.get(spec))
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"Routed loss parameters {sorted(kwargs)} need a loss class, and "
                f"{loss!r} does not name one; pass the class, e.g. "
                f"keras.losses.{_class_name(loss)}."
            ) from error
    if isinstance(loss, type):
        return _construct(loss, kwargs, "loss")
    raise ValueError(
        f"Routed loss parameters {sorted(kwargs)} can only configure a loss given "
        f"as a name or a class, not {type(loss).__name__}."
    )


def _make_losses(losses: Any, kwargs: Mapping[str, Any]) -> Any:
    """Per-output losses (a list or dict) built with routed parameters.

    Plain keys (``loss__from_logits``) go to every entry given as a class;
    ``loss__<index>__<key>`` (or ``loss__<output>__<key>``) to one entry,
    overriding a plain key; an entry given by name is built from its class
    when it has keys of its own. A key that configures no entry is an error.
    """
    spec = list(losses) if not isinstance(losses, Mapping) else losses
    built, used_shared = build_structure(spec, kwargs, "loss", resolve_name=make_loss)
    shared = [key for key in kwargs if "__" not in key]
    if shared and not used_shared:
        raise ValueError(
            f"Parameter 'loss__{shared[0]}' was given but no loss is passed as a "
            "class that could take it; pass the loss class, e.g. "
            "loss=[keras.losses.BinaryCrossentropy], or address one entry "
            f"(loss__0__{shared[0]})."
        )
    return dict(built) if isinstance(built, Mapping) else list(built)


def _copy_metric(metric: Any) -> Any:
    """A fresh metric object (a new one from its config)."""
    return type(metric).from_config(metric.get_config())


def _metric_from_name(name: str, kwargs: Mapping[str, Any]) -> Any:
    """Build the metric class a name stands for, with routed arguments."""
    keras = import_keras()
    try:
        metric = keras.metrics.get(name)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Unknown metric name {name!r}.") from error
    cls = metric if isinstance(metric, type) else type(metric)
    if not issubclass(cls, keras.metrics.Metric):
        spec = {"class_name": _class_name(name), "config": {}}
        try:
            cls = type(keras.metrics.get(spec))
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"Routed metric parameters {sorted(kwargs)} need a metric class, "
                f"and {name!r} does not name one; pass the class, e.g. "
                f"keras.metrics.{_class_name(name)}."
            ) from error
    return construct(cls, kwargs, "metrics")


def make_metrics(metrics: Any, kwargs: Mapping[str, Any]) -> Any:
    """Build fresh metrics.

    Parameters
    ----------
    metrics : str, class, instance, sequence, mapping or None
        One metric (name, class or instance), a list of them, or a dict of
        them keyed by model output (each value one metric or a list).
    kwargs : mapping
        The routed ``metrics__*`` parameters: plain keys go to every metric
        given as a class, ``<index>__<key>`` (or ``<output>__<key>``) to
        one entry; see :mod:`sklearn_dl._core.nested`.

    Returns
    -------
    list or dict
        Metric names and new metric objects: a list, or a dict for a dict.
    """
    if metrics is None:
        if kwargs:
            key = next(iter(kwargs))
            raise ValueError(
                f"Parameter 'metrics__{key}' was given but no metric is passed as "
                "a class that could take it; pass the metric class, e.g. "
                "metrics=[keras.metrics.AUC]."
            )
        return []
    single = not isinstance(metrics, (list, tuple, Mapping))
    spec = [metrics] if single else metrics
    routed = dict(kwargs)
    built, used_shared = build_structure(
        spec,
        routed,
        "metrics",
        copy_instance=_copy_metric,
        resolve_name=_metric_from_name,
    )
    shared = [key for key in routed if "__" not in key]
    if shared and not used_shared:
        raise ValueError(
            f"Parameter 'metrics__{shared[0]}' was given but no metric is passed "
            "as a class that could take it; pass the metric class, e.g. "
            "metrics=[keras.metrics.AUC]."
        )
    if isinstance(built, Mapping):
        return dict(built)
    return list(built)


def make_callbacks(
    callbacks: Any, kwargs: Mapping[str, Any], prefix: str = "callbacks"
) -> list[Any]:
    """Build fresh callbacks for one fit.

    Parameters
    ----------
    callbacks : callback, class, sequence, mapping or None
        One callback (class or instance), a list of them, or a mapping
        ``{name: callback}`` whose entries routed keys address as
        ``callbacks__<name>__<key>`` (``callbacks__<index>__<key>`` for a
        list; digit keys are positional arguments).
    kwargs : mapping
        The routed ``callbacks__*`` parameters. Plain keys go to every
        callback given as a class.
    prefix : str, default="callbacks"
        The parameter the keys were routed under, for errors
        (``"fit__callbacks"`` for ``fit__callbacks__0__0``).

    Returns
    -------
    list of keras.callbacks.Callback
        New callback objects (instances are deep-copied).
    """
    if callbacks is None:
        spec: Any = []
    elif isinstance(callbacks, (list, tuple, Mapping)):
        spec = callbacks
    else:
        spec = [callbacks]
    built, used_shared = build_structure(spec, kwargs, prefix)
    shared = [key for key in kwargs if "__" not in key]
    if shared and not used_shared:
        raise ValueError(
            f"Parameter '{prefix}__{shared[0]}' was given but no callback "
            "is passed as a class that could take it."
        )
    return list(built.values()) if isinstance(built, Mapping) else list(built)


def fresh_keras_objects(value: Any) -> Any:
    """Deep copies of the Keras objects in ``value``, for one fit.

    A builder argument such as ``model__base=<keras.Model>`` would otherwise
    be trained in place: scikit-learn's rule is that fit never changes a
    parameter, and two identical seeded fits must give the same network.
    Layers and models, optimizers, losses, metrics, callbacks and variables
    are copied, in lists, tuples and dicts too; other values are passed as
    they are (they are not trained).

    Parameters
    ----------
    value : object
        A parameter's value.

    Returns
    -------
    object
        ``value`` with every Keras object replaced by a deep copy.
    """
    if isinstance(value, Mapping):
        return type(value)(
            (key, fresh_keras_objects(item)) for key, item in value.items()
        )
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(fresh_keras_objects(item) for item in value)
    if _is_stateful_keras_object(value):
        return copy.deepcopy(value)
    return value


def _is_stateful_keras_object(value: Any) -> bool:
    """Whether ``value`` is a Keras object that training can change."""
    keras = import_keras()
    kinds = (
        keras.layers.Layer,
        keras.optimizers.Optimizer,
        keras.losses.Loss,
        keras.metrics.Metric,
        keras.callbacks.Callback,
        keras.Variable,
    )
    return isinstance(value, kinds)
