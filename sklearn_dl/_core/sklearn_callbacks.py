"""scikit-learn callbacks (``sklearn.callback``, 1.9) on every network.

scikit-learn 1.9's experimental callback API describes a fit as a tree of
*tasks*: a ``Pipeline`` or ``GridSearchCV`` has one task per step or
candidate, and a sub-estimator's own tree is merged under the task that fits
it. Every sklearn_dl network takes part through
:class:`SklearnCallbackSupport`: its fit is a task whose subtasks are the
epochs of that fit call, and each epoch's subtasks are its batches. The
mapping onto Keras's training loop lives in
:class:`~sklearn_dl._core.sklearn_callback_bridge.SklearnCallbackBridge`, a
Keras callback the core appends to a fit only when scikit-learn callbacks
are set, so fits without them pay nothing.

With scikit-learn older than 1.9 there is no ``sklearn.callback``: the
support class is then empty, ``set_callbacks`` does not exist and fits run
exactly as before.
"""

from __future__ import annotations

from typing import Any

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAS_SKLEARN_CALLBACKS = True
except ImportError:  # pragma: no cover - scikit-learn < 1.9
    HAS_SKLEARN_CALLBACKS = False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in for scikit-learn < 1.9, which has no callback API."""

    def with_callbacks(method: Any) -> Any:  # type: ignore[no-redef]
        """Return ``method`` unchanged (scikit-learn < 1.9)."""
        return method


class SklearnCallbackSupport(CallbackSupportMixin):
    """Give an estimator ``set_callbacks`` for scikit-learn's callbacks.

    Mixed into :class:`~sklearn_dl._core.estimator.BaseKerasEstimator`, so
    every network has it. The task tree of one ``fit`` (or
    ``partial_fit``) call is::

        fit                       max_subtasks = epochs of this call
        └── epoch <n>             n counts on across warm starts
            └── batch <b>         max_subtasks = steps per epoch

    ``on_fit_task_end`` of an epoch receives the training ``X``, ``y``,
    ``metadata={"sample_weight": ...}`` (when weights were given) and a
    ``fitted_estimator`` that predicts with the weights at the end of that
    epoch, so :class:`sklearn.callback.ScoringMonitor` logs one score per
    epoch. Batch tasks get no ``fitted_estimator`` (scoring every batch
    would cost more than the training step). A callback returning True
    from ``on_fit_task_end`` stops training: at an epoch's end training
    stops there, at a batch's end after that batch (Keras cannot end one
    epoch early and go on with the next). ``history_`` and the model then
    agree: both hold the epochs that ran.
    """

    def _sklearn_callbacks_set(self) -> bool:
        """Whether any scikit-learn callback is set (own or propagated)."""
        return bool(getattr(self, "_skl_callbacks", None))


def sklearn_callback_bridges(
    estimator: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    epochs: int,
    first_epoch: int,
) -> list[Any]:
    """The Keras callbacks that report one fit to scikit-learn's callbacks.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator being fitted.
    X : ndarray
        The training samples (as validated, before target encoding).
    y : ndarray
        The training targets, not encoded.
    sample_weight : ndarray or None
        The training weights, if any.
    epochs : int
        Epochs this fit call runs.
    first_epoch : int
        Index of its first epoch (epochs already done by earlier calls).

    Returns
    -------
    list of keras.callbacks.Callback
        One bridge when scikit-learn callbacks are set, else an empty list.
    """
    if not (HAS_SKLEARN_CALLBACKS and estimator._sklearn_callbacks_set()):
        return []
    from sklearn_dl._core.sklearn_callback_bridge import (  # imports Keras
        SklearnCallbackBridge,
    )

    return [
        SklearnCallbackBridge(
            estimator,
            X=X,
            y=y,
            sample_weight=sample_weight,
            epochs=epochs,
            first_epoch=first_epoch,
        )
    ]


__all__ = [
    "HAS_SKLEARN_CALLBACKS",
    "SklearnCallbackSupport",
    "sklearn_callback_bridges",
    "with_callbacks",
]
