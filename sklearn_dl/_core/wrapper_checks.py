"""What a wrapper checks before training, as scikeras does (and a bit more).

- a ``loss=`` that contradicts the loss the builder compiled with;
- a per-output loss list or dict that holds no loss;
- a model input that cannot take X's samples (images given to an input
  sized from ``meta["n_features_in_"]``).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from sklearn_dl._core.keras_names import loss_name as _full_loss_name


def loss_name(loss: Any) -> str | None:
    """A comparable name for a loss (``"mse"``, ``MeanSquaredError()`` ...).

    Parameters
    ----------
    loss : str, class, instance or function
        A loss as ``loss=`` or ``Model.compile`` takes it.

    Returns
    -------
    str or None
        Its full snake-case name (:func:`sklearn_dl.utils.loss_name`), or
        None for what names no single loss (lists, dicts, None).
    """
    if loss is None or isinstance(loss, (list, tuple, dict)):
        return None
    return _full_loss_name(loss, strict=False)


def check_loss_contradiction(estimator: Any, compiled: Any) -> None:
    """Refuse a ``loss=`` that names another loss than the compiled one.

    Parameters
    ----------
    estimator : object
        The wrapper being fitted.
    compiled : object
        The loss the model was compiled with.

    Raises
    ------
    ValueError
        When both name a loss and the names differ (a class's own default
        ``loss`` is not a contradiction: the builder's choice wins, and an
        instance of the class given as ``loss`` is that loss, whatever its
        name).
    """
    if isinstance(estimator.loss, type) and isinstance(compiled, estimator.loss):
        return
    given = loss_name(estimator.loss) if estimator.loss is not None else None
    got = loss_name(compiled)
    if given is None or got is None or given == got:
        return
    init = inspect.signature(type(estimator).__init__).parameters.get("loss")
    default = None if init is None else init.default
    if default is None or loss_name(default) != given:
        raise ValueError(
            f"loss={estimator.loss!r} but model compiled with {compiled!r}. Data "
            "may not match the loss: give the loss in one place."
        )


def check_some_loss(estimator: Any, compiled: Any) -> None:
    """Refuse a per-output loss list or dict that holds no loss at all.

    Keras accepts ``loss=[None]`` at ``compile`` and fails deep inside the
    first training step; a plain ``None`` stays allowed (a model may add
    its own losses with ``add_loss``).

    Parameters
    ----------
    estimator : object
        The wrapper being fitted.
    compiled : object
        The loss the model was compiled with.

    Raises
    ------
    ValueError
        When ``compiled`` is a list, tuple or dict of None only.
    """
    values = compiled.values() if isinstance(compiled, dict) else compiled
    if isinstance(values, (list, tuple, type({}.values()))) and all(
        value is None for value in values
    ):
        raise ValueError(
            f"{type(estimator).__name__} has no loss to train with ({compiled!r}): "
            "you must provide a loss function, as the `loss` parameter or in "
            "the builder's compile(loss=...)."
        )


def check_input_shape(model: Any, x: Any, estimator_name: str) -> None:
    """Refuse, before training, samples the model's single input cannot take.

    Parameters
    ----------
    model : keras.Model
        The model about to be trained.
    x : ndarray or NamedArrays
        Training inputs (one sample is enough).
    estimator_name : str
        Who trains, for the message.

    Raises
    ------
    ValueError
        When the model has one input whose sample shape differs from X's.
    """
    inputs = getattr(model, "inputs", None) if model.built else None
    if not isinstance(x, np.ndarray) or not inputs or len(inputs) != 1:
        return
    expected = tuple(inputs[0].shape[1:])
    given = tuple(x.shape[1:])
    fits = len(expected) == len(given) and all(
        want is None or want == got for want, got in zip(expected, given, strict=True)
    )
    if not fits:
        raise ValueError(
            f"{estimator_name}: the model's input takes samples of shape "
            f"{expected}, but X has samples of shape {given}. For n-D samples "
            "(images, sequences) build the input from meta['X_shape_'][1:]; "
            "meta['n_features_in_'] is the size of X's second axis only."
        )


__all__ = [
    "check_input_shape",
    "check_loss_contradiction",
    "check_some_loss",
    "loss_name",
]
