"""The core's own Keras callbacks, attached to every fit.

This module subclasses ``keras.callbacks.Callback``, so importing it imports
Keras; the estimator core imports it only inside ``fit``.
"""

from __future__ import annotations

import math

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._core.predicting import reset_states
from sklearn_dl.exceptions import TrainingDivergedError

keras = import_keras()


class NonFiniteLossGuard(keras.callbacks.Callback):
    """Stop training at the first batch whose loss is NaN or infinite.

    Used by the estimator core on every fit; after training it raises
    :class:`~sklearn_dl.exceptions.TrainingDivergedError` from
    :meth:`error` when the guard tripped.
    """

    def __init__(self) -> None:
        super().__init__()
        self.failure: tuple[int, int, float] | None = None
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Remember the epoch, for the error message.

        Parameters
        ----------
        epoch : int
            Index of the epoch (0-based).
        logs : dict, default=None
            Unused.
        """
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Stop training when the batch's loss is not finite.

        Parameters
        ----------
        batch : int
            Index of the batch within the epoch.
        logs : dict, default=None
            The batch's logs (the running mean of the loss over the epoch,
            so the first non-finite value marks the diverging batch).
        """
        loss = (logs or {}).get("loss")
        if loss is None or self.failure is not None:
            return
        value = float(loss)
        if not math.isfinite(value):
            self.failure = (self._epoch + 1, int(batch), value)
            self.model.stop_training = True

    def error(self, estimator_name: str) -> TrainingDivergedError:
        """The error to raise for the recorded failure.

        Parameters
        ----------
        estimator_name : str
            Who was training, for the message.

        Returns
        -------
        TrainingDivergedError
            The error (not raised).
        """
        epoch, batch, loss = self.failure
        return TrainingDivergedError(
            f"{estimator_name}: training diverged, the loss became {loss} in epoch "
            f"{epoch}, batch {batch}. Training was stopped and the estimator is "
            "left as it was before this fit (the new weights are not finite). "
            "Lower the learning rate, scale the inputs (StandardScaler, "
            "PixelScaler), check the "
            "targets for NaN or huge values, or clip gradients "
            "(e.g. optimizer__clipnorm=1.0).",
            epoch=epoch,
            batch=batch,
            loss=loss,
        )


class ResetStates(keras.callbacks.Callback):
    """Reset a stateful model's states before each epoch and each evaluation.

    Attached by :class:`~sklearn_dl._core.feeders.StatefulFeeder`: epochs
    (and validation passes) then each start from zero states, as a stateful
    network's data restarts there.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Reset before the epoch.

        Parameters
        ----------
        epoch : int
            Index of the epoch.
        logs : dict, default=None
            Unused.
        """
        reset_states(self.model)

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Reset before an evaluation.

        Parameters
        ----------
        logs : dict, default=None
            Unused.
        """
        reset_states(self.model)


__all__ = [
    "NonFiniteLossGuard",
    "ResetStates",
]
