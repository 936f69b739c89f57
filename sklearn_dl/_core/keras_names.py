"""Names of Keras losses and metrics: one place for every name comparison.

- :func:`snake_case`: a CamelCase class name in Keras's own snake case
  (``"KLDivergence"`` -> ``"kl_divergence"``, ``"AUC"`` -> ``"auc"``);
- :func:`loss_name` / :func:`metric_name`: the full snake-case name of a
  loss or metric given as a string, class, instance or function (the public
  :mod:`sklearn_dl.utils` functions; with ``strict=False`` they name what
  Keras does not know instead of raising, for comparisons);
- :func:`full_metric_name`: a ``History`` key with Keras's shorthand spelled
  out (``"val_mae"`` -> ``"val_mean_absolute_error"``).

Only the strict path of strings asks Keras (imported lazily) whether it
knows the name.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from sklearn_dl._backend.keras import import_keras

#: Keras's loss shorthands (any case) and their full names.
LOSS_SHORTHANDS = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "bce": "binary_crossentropy",
}

#: Keras's metric shorthands; ``"acc"`` is ``Model.compile``'s spelling.
METRIC_SHORTHANDS = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "bce": "binary_crossentropy",
    "acc": "accuracy",
}


def snake_case(name: str) -> str:
    """A CamelCase name in snake case, as Keras names its objects.

    Parameters
    ----------
    name : str
        A class or function name.

    Returns
    -------
    str
        ``"MeanSquaredError"`` -> ``"mean_squared_error"``, ``"AUC"`` ->
        ``"auc"``; a snake-case name is returned unchanged.
    """
    # A capital that starts a word, then a lower-case letter before a capital.
    spaced = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced).lower()


def _wrapped_function(obj: Any) -> Any:
    """The function a ``LossFunctionWrapper``-like object wraps, or None."""
    fn = getattr(obj, "fn", None)
    return fn if inspect.isfunction(fn) else None


def _name_of_object(obj: Any, base: type, snake_functions: bool) -> str | None:
    """The name of a class, instance or function; None for anything else."""
    if inspect.isclass(obj):
        return snake_case(obj.__name__) if issubclass(obj, base) else None
    if isinstance(obj, base):
        wrapped = _wrapped_function(obj)
        if wrapped is not None and type(obj).__name__ in (
            "LossFunctionWrapper",
            "MeanMetricWrapper",
        ):
            obj = wrapped  # a bare wrapper is named by what it wraps
        else:
            return snake_case(type(obj).__name__)
    if callable(obj) and not isinstance(obj, (str, bytes)):
        name = getattr(obj, "__name__", None)
        if name is None:
            return None
        return snake_case(name) if snake_functions else name
    return None


def loss_name(loss: Any, strict: bool = True) -> str:
    """The full snake-case name of a loss.

    Parameters
    ----------
    loss : str, loss class, loss instance or function
        As ``loss=`` or ``Model.compile`` takes it: ``"mse"``,
        ``"BinaryCrossentropy"``, ``keras.losses.Huber``, ``Huber()``,
        ``keras.losses.huber`` or a function of one's own.
    strict : bool, default=True
        Whether a string Keras does not know (or a non-loss) raises; when
        False it is named anyway (snake case), for comparisons.

    Returns
    -------
    str
        E.g. ``"mean_squared_error"`` for ``"mse"``, ``"MSE"``,
        ``"mean_squared_error"``, ``"MeanSquaredError"``, the class and its
        instances; a function's name in snake case.

    Raises
    ------
    TypeError
        If ``loss`` is not a string, a loss class or instance, or a callable
        (strict only).
    ValueError
        If ``loss`` is a string Keras does not know (strict only).
    """
    if isinstance(loss, str):
        name = snake_case(loss)
        name = LOSS_SHORTHANDS.get(name, name)
        if strict:
            try:
                import_keras().losses.get(loss)
            except TypeError:
                pass  # a known class that needs arguments
            except ValueError:
                raise ValueError(
                    f"Unknown loss function: {loss!r} is not a Keras loss name "
                    "(register a custom one with "
                    "keras.saving.register_keras_serializable)."
                ) from None
        return name
    name = _name_of_object(loss, import_keras().losses.Loss, snake_functions=True)
    if name is None:
        if strict:
            raise TypeError(
                "`loss` must be a string, a function, a keras.losses.Loss "
                f"instance or a class inheriting from it; got {loss!r}."
            )
        return snake_case(type(loss).__name__)
    return name


def metric_name(metric: Any, strict: bool = True) -> str:
    """The full snake-case name of a metric.

    Parameters
    ----------
    metric : str, metric class, metric instance or function
        As ``metrics=`` takes it: ``"mae"``, ``"AUC"``,
        ``keras.metrics.Precision``, ``Precision()``, a function.
    strict : bool, default=True
        Whether a string Keras does not know (or a non-metric) raises.

    Returns
    -------
    str
        The name Keras gives the metric kind: ``"mean_absolute_error"`` for
        ``"mae"``, ``"auc"`` for ``"AUC"`` and ``AUC(name="x")`` (the
        class's name, not an instance's own ``name``); a function's own
        ``__name__``, unchanged (the ``history_`` key Keras reports for it).

    Raises
    ------
    TypeError
        If ``metric`` is not a string, a metric class or instance, or a
        callable (strict only).
    ValueError
        If ``metric`` is a string Keras does not know (strict only).
    """
    if isinstance(metric, str):
        name = snake_case(metric)
        name = METRIC_SHORTHANDS.get(name, name)
        if strict and name != "accuracy":  # compile's own "acc" / "accuracy"
            try:  # instantiates a class: on the strict path only
                import_keras().metrics.get(metric)
            except TypeError:
                pass  # a known class that needs arguments (MeanIoU)
            except ValueError:
                raise ValueError(
                    f"Unknown metric function: {metric!r} is not a Keras metric name."
                ) from None
        return name
    keras = import_keras()
    name = _name_of_object(metric, keras.metrics.Metric, snake_functions=False)
    if name is None:
        if strict:
            raise TypeError(
                "`metric` must be a string, a function, a keras.metrics.Metric "
                f"instance or a class inheriting from it; got {metric!r}."
            )
        return snake_case(type(metric).__name__)
    return name


def full_metric_name(key: str) -> str:
    """A ``History`` key with Keras's metric shorthand spelled out.

    Parameters
    ----------
    key : str
        A key of Keras's ``History.history`` (``"mae"``, ``"val_acc"``).

    Returns
    -------
    str
        ``"val_mae"`` -> ``"val_mean_absolute_error"``; other keys (the
        loss, custom names) unchanged.
    """
    prefix = "val_" if key.startswith("val_") else ""
    base = key[len(prefix) :]
    return prefix + METRIC_SHORTHANDS.get(base, base)


__all__ = [
    "LOSS_SHORTHANDS",
    "METRIC_SHORTHANDS",
    "full_metric_name",
    "loss_name",
    "metric_name",
    "snake_case",
]
