"""The Keras callback that maps Keras's training loop onto scikit-learn tasks.

See :mod:`sklearn_dl._core.sklearn_callbacks` for the task tree. This module
subclasses ``keras.callbacks.Callback``, so importing it imports Keras; the
core imports it only inside ``fit`` and only when scikit-learn callbacks are
set.
"""

from __future__ import annotations

from typing import Any

from sklearn_dl._backend.keras import import_keras

keras = import_keras()


class SklearnCallbackBridge(keras.callbacks.Callback):
    """Report a Keras fit to the scikit-learn callbacks of its estimator.

    ``on_train_begin`` opens the estimator's root task (merged under a
    meta-estimator's task when there is one), each epoch and batch is a
    subtask, and ``on_train_end`` closes the root task. The callbacks'
    ``teardown`` runs after ``fit`` returns or raises
    (:func:`sklearn.callback.with_callbacks` on the core's fit).

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator being fitted.
    X : ndarray
        Training samples, handed to the hooks.
    y : ndarray
        Training targets (not encoded), handed to the hooks.
    sample_weight : ndarray or None
        Training weights, handed to the hooks as ``metadata``.
    epochs : int
        Epochs this fit call runs (the root task's ``max_subtasks``).
    first_epoch : int
        Index of the first epoch of this call.
    """

    def __init__(
        self,
        estimator: Any,
        *,
        X: Any,
        y: Any,
        sample_weight: Any,
        epochs: int,
        first_epoch: int,
    ) -> None:
        super().__init__()
        self._estimator = estimator
        self._X = X
        self._y = y
        self._metadata = (
            {} if sample_weight is None else {"sample_weight": sample_weight}
        )
        self._epochs = epochs
        self._first_epoch = first_epoch
        self._root = None
        self._epoch_ctx = None
        self._batch_ctx = None
        self._history: dict[str, list[float]] = {}
        self.stopped_by: str | None = None

    def _hook_arguments(self) -> dict[str, Any]:
        return {
            "estimator": self._estimator,
            "X": self._X,
            "y": self._y,
            "metadata": self._metadata,
        }

    def _fitted_attributes(self) -> dict[str, Any]:
        """What a copy of the estimator needs to predict now: ``history_`` so far."""
        history = {
            name: list(values)
            for name, values in getattr(self._estimator, "history_", {}).items()
        }
        for name, values in self._history.items():
            history.setdefault(name, []).extend(values)
        return {"history_": history}

    def _stop(self, level: str) -> None:
        self.stopped_by = level
        self.model.stop_training = True

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Open the fit's root task.

        Parameters
        ----------
        logs : dict, default=None
            Unused.
        """
        self._root = self._estimator._init_callback_context(max_subtasks=self._epochs)
        self._root.call_on_fit_task_begin(**self._hook_arguments())

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Open the epoch's task.

        Parameters
        ----------
        epoch : int
            Index of the epoch (counting on across warm starts).
        logs : dict, default=None
            Unused.
        """
        steps = (self.params or {}).get("steps")
        self._epoch_ctx = self._root.subcontext(
            task_name=f"epoch {epoch}",
            max_subtasks=None if steps is None else int(steps),
        )
        self._epoch_ctx.call_on_fit_task_begin(**self._hook_arguments())

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Open the batch's task.

        Parameters
        ----------
        batch : int
            Index of the batch within the epoch.
        logs : dict, default=None
            Unused.
        """
        ctx = self._epoch_ctx
        if ctx is None or (ctx.max_subtasks is not None and batch >= ctx.max_subtasks):
            # Keras ran more steps than it announced: report no task for it.
            self._batch_ctx = None
            return
        self._batch_ctx = ctx.subcontext(task_name=f"batch {batch}")
        self._batch_ctx.call_on_fit_task_begin(**self._hook_arguments())

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Close the batch's task; stop training when a callback asks.

        Parameters
        ----------
        batch : int
            Index of the batch within the epoch.
        logs : dict, default=None
            Unused.
        """
        if self._batch_ctx is None:
            return
        ctx, self._batch_ctx = self._batch_ctx, None
        if ctx.call_on_fit_task_end(**self._hook_arguments()):
            self._stop("batch")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Close the epoch's task; stop training when a callback asks.

        Parameters
        ----------
        epoch : int
            Index of the epoch.
        logs : dict, default=None
            The epoch's logs (recorded for the ``fitted_estimator``'s
            ``history_``).
        """
        for name, value in (logs or {}).items():
            self._history.setdefault(name, []).append(float(value))
        ctx, self._epoch_ctx = self._epoch_ctx, None
        if ctx.call_on_fit_task_end(
            **self._hook_arguments(),
            reconstruction_attributes=self._fitted_attributes,
        ):
            self._stop("epoch")

    def on_train_end(self, logs: dict | None = None) -> None:
        """Close the fit's root task.

        Parameters
        ----------
        logs : dict, default=None
            Unused.
        """
        self._root.call_on_fit_task_end(
            **self._hook_arguments(),
            reconstruction_attributes=self._fitted_attributes,
        )
