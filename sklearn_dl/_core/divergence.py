"""The last check of a fit: a trained network must be finite.

The core's :class:`~sklearn_dl._core.callbacks.NonFiniteLossGuard` stops
training at the first batch whose loss is NaN or infinite, but a batch's
loss is computed before that batch's update: the last update of a fit, or
a learning rate so large that the weights overflow while the reported loss
still looks finite, would slip through. After training, every weight and the
network's outputs on some training rows are checked too.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from sklearn_dl._core.predicting import fixed_batch_rows, predict_in_fixed_batches
from sklearn_dl.exceptions import TrainingDivergedError


def _non_finite_variable(model: Any) -> str | None:
    """Path of the first floating-point variable holding NaN or inf, if any.

    Read on the host: one copy of the weights per fit is cheaper than an
    eager device operation per variable (which JAX compiles per shape).
    """
    for variable in model.variables:
        if "float" not in str(variable.dtype):
            continue
        if not np.isfinite(np.asarray(variable.numpy())).all():
            return str(variable.path)
    return None


def check_finite_model(
    model: Any, x: Any, *, batch_size: int, epoch: int, estimator_name: str
) -> None:
    """Raise :class:`TrainingDivergedError` when a trained network is not finite.

    Parameters
    ----------
    model : keras.Model
        The model, just trained.
    x : ndarray
        Training inputs; the outputs for the first batch of them are checked.
    batch_size : int
        The predict batch size.
    epoch : int
        The last epoch trained (1-based), for the error.
    estimator_name : str
        Who trained, for the message.

    Raises
    ------
    TrainingDivergedError
        If a weight, or an output for the checked rows, is NaN or infinite.
    """
    where = _non_finite_variable(model)
    if where is None and isinstance(x, np.ndarray) and x.shape[0]:
        limit = fixed_batch_rows(model, batch_size)
        rows = x if limit < 1 else x[:limit]
        outputs = predict_in_fixed_batches(model, rows, batch_size, threading.Lock())
        if not np.isfinite(outputs).all():
            where = "its outputs"
    if where is None:
        return
    raise TrainingDivergedError(
        f"{estimator_name}: training diverged, {where} became NaN or infinite "
        f"by the end of epoch {epoch}, although every reported batch loss was "
        "finite. The estimator is left as it was before this fit. Lower the "
        "learning rate, scale the inputs (StandardScaler, PixelScaler), check "
        "the targets for huge values, or clip gradients "
        "(e.g. optimizer__clipnorm=1.0).",
        epoch=epoch,
        batch=None,
        loss=float("nan"),
    )
