"""Fresh Keras optimizers, losses, metrics and callbacks from estimator parameters.

Each fit gets its own objects: an instance the user passed is copied, never
trained or mutated, so clones and refits stay independent.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._core.routing import (
    accepted_names,
    accepted_names_in_hierarchy,
    unknown_parameter_error,
)

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
    """Return the Keras class name for a snake_case object name."""
    if name in _LOSS_ALIASES:
        return _LOSS_ALIASES[name]
    return "".join(part.capitalize() for part in re.split(r"_+", name) if part)


def _construct(cls: type, kwargs: Mapping[str, Any], prefix: str) -> Any:
    """Instantiate ``cls`` with routed ``kwargs``, naming a rejected key."""
    names, takes_var_keyword = accepted_names(cls)
    for key in kwargs:
        if key not in names and not takes_var_keyword:
            raise unknown_parameter_error(f"{prefix}__{key}", names, cls.__name__)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        known = accepted_names_in_hierarchy(cls)
        for key in kwargs:
            if key not in known:
                raise unknown_parameter_error(
                    f"{prefix}__{key}", known, cls.__name__
                ) from error
        raise ValueError(
            f"Could not build {cls.__name__} from the routed parameters "
            f"{sorted(f'{prefix}__{key}' for key in kwargs)}: {error}"
        ) from error


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


def make_metrics(metrics: Sequence[Any] | None, kwargs: Mapping[str, Any]) -> list[Any]:
    """Build fresh metrics.

    Parameters
    ----------
    metrics : sequence or None
        Metric names, classes or instances.
    kwargs : mapping
        The routed ``metrics__*`` parameters, passed to every metric given
        as a class.

    Returns
    -------
    list
        Metric names and new metric objects.
    """
    built = []
    used_kwargs = False
    for metric in metrics or []:
        if isinstance(metric, type):
            built.append(_construct(metric, kwargs, "metrics"))
            used_kwargs = True
        elif isinstance(metric, str) or not hasattr(metric, "get_config"):
            built.append(metric)
        else:
            built.append(type(metric).from_config(metric.get_config()))
    if kwargs and not used_kwargs:
        key = next(iter(kwargs))
        raise ValueError(
            f"Parameter 'metrics__{key}' was given but no metric is passed as a "
            "class that could take it; pass the metric class, e.g. "
            "metrics=[keras.metrics.AUC]."
        )
    return built


def make_callbacks(
    callbacks: Sequence[Any] | Mapping[str, Any] | None, kwargs: Mapping[str, Any]
) -> list[Any]:
    """Build fresh callbacks for one fit.

    Parameters
    ----------
    callbacks : sequence, mapping or None
        Callback classes or instances; as a mapping ``{name: callback}``,
        routed keys may address one entry as ``callbacks__<name>__<key>``.
    kwargs : mapping
        The routed ``callbacks__*`` parameters. Plain keys go to every
        callback given as a class.

    Returns
    -------
    list of keras.callbacks.Callback
        New callback objects (instances are deep-copied).
    """
    if callbacks is None:
        entries: dict[str, Any] = {}
    elif isinstance(callbacks, Mapping):
        entries = dict(callbacks)
    else:
        entries = {str(index): callback for index, callback in enumerate(callbacks)}
    per_entry: dict[str, dict[str, Any]] = {name: {} for name in entries}
    shared: dict[str, Any] = {}
    for key, value in kwargs.items():
        name, sep, sub_key = key.partition("__")
        if sep and name in entries:
            per_entry[name][sub_key] = value
        else:
            shared[key] = value
    built = []
    used_shared = False
    for name, callback in entries.items():
        if isinstance(callback, type):
            built.append(
                _construct(callback, {**shared, **per_entry[name]}, "callbacks")
            )
            used_shared = used_shared or bool(shared)
        elif per_entry[name]:
            raise ValueError(
                f"Callback {name!r} is an instance; routed parameters "
                f"{sorted(per_entry[name])} need it passed as a class."
            )
        else:
            built.append(copy.deepcopy(callback))
    if shared and not used_shared:
        raise ValueError(
            f"Parameter 'callbacks__{next(iter(shared))}' was given but no callback "
            "is passed as a class that could take it."
        )
    return built


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
