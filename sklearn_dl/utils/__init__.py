"""scikeras's public helpers: names of losses and metrics, target encoders.

- :func:`loss_name`, :func:`metric_name`: the full snake-case name of a
  Keras loss or metric however it is given (``"mse"``, a class, an
  instance, a function), e.g. to compare a builder's loss with ``loss=``.
- :mod:`sklearn_dl.utils.transformers`: :class:`ClassifierLabelEncoder` and
  :class:`RegressorTargetEncoder`, the wrappers' default target encoders
  (the base for a custom ``target_encoder``), and
  :class:`TargetReshaper` for encoder pipelines.

scikeras's ``scikeras.utils.random_state.tensorflow_random_state`` is not
provided: it seeds process-global generators, which a fit here never does
(``random_state=`` seeds one fit's own generators).
"""

from __future__ import annotations

from typing import Any

from sklearn_dl._core import keras_names
from sklearn_dl.utils.transformers import (
    ClassifierLabelEncoder,
    RegressorTargetEncoder,
    TargetReshaper,
)


def loss_name(loss: Any) -> str:
    """The full snake-case name of a Keras loss.

    Parameters
    ----------
    loss : str, keras.losses.Loss class or instance, or callable
        A shorthand (``"mse"``, ``"MSE"``), a full name
        (``"mean_squared_error"``, ``"MeanSquaredError"``), a loss class
        (also one needing constructor arguments), an instance, or a
        function.

    Returns
    -------
    str
        E.g. ``"mean_squared_error"`` for all the examples above; a custom
        ``MyLoss`` class or ``myLoss`` function gives ``"my_loss"``.

    Raises
    ------
    TypeError
        If ``loss`` is neither a string, a loss class or instance, nor a
        callable.
    ValueError
        If ``loss`` is a string that names no loss Keras knows ("Unknown
        loss function").

    Examples
    --------
    >>> import keras
    >>> from sklearn_dl.utils import loss_name
    >>> loss_name("mse"), loss_name(keras.losses.BinaryCrossentropy())
    ('mean_squared_error', 'binary_crossentropy')
    """
    return keras_names.loss_name(loss, strict=True)


def metric_name(metric: Any) -> str:
    """The full snake-case name of a Keras metric.

    Parameters
    ----------
    metric : str, keras.metrics.Metric class or instance, or callable
        A shorthand (``"mae"``, ``"acc"``), a full name (``"AUC"``,
        ``"mean_absolute_error"``), a metric class (also one needing
        constructor arguments, such as ``MeanIoU``), an instance, or a
        function.

    Returns
    -------
    str
        The metric kind's name: ``"mean_absolute_error"`` for ``"mae"``,
        ``"auc"`` for ``"AUC"`` and for ``AUC(name="x")`` (an instance is
        named by its class); a function's own ``__name__`` unchanged.

    Raises
    ------
    TypeError
        If ``metric`` is neither a string, a metric class or instance, nor a
        callable.
    ValueError
        If ``metric`` is a string that names no metric Keras knows
        ("Unknown metric function").

    Examples
    --------
    >>> from sklearn_dl.utils import metric_name
    >>> metric_name("mae"), metric_name("AUC")
    ('mean_absolute_error', 'auc')
    """
    return keras_names.metric_name(metric, strict=True)


__all__ = [
    "ClassifierLabelEncoder",
    "RegressorTargetEncoder",
    "TargetReshaper",
    "loss_name",
    "metric_name",
]
