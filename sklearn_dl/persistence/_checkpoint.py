"""The :class:`Checkpoint` callback: save a network or estimator while it trains.

This module subclasses ``keras.callbacks.Callback``, so importing it imports
Keras; :mod:`sklearn_dl.callbacks` loads it only when a callback is asked for.
"""

from __future__ import annotations

import math
import os
from numbers import Integral
from pathlib import Path
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl.persistence._resume import CHECKPOINT_KIND

keras = import_keras()

#: Name fragments of quantities where larger is better (``mode="auto"``).
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "r2")


class Checkpoint(keras.callbacks.Callback):
    """Save checkpoints during training: every few epochs, or the best so far.

    Pass it in an estimator's ``callbacks`` (or to a bare Keras
    ``Model.fit``). The file name may hold Python format fields filled with
    the epoch (1-based, as Keras prints it, and counted over warm-started
    fits) and the epoch's logged values, as in the book:
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.skdl"``.

    The extension decides what is written:

    - ``.keras``, ``.h5``/``.hdf5`` (legacy) or ``.weights.h5``: the Keras
      network only, as :func:`sklearn_dl.persistence.export_model` writes it.
    - anything else (``.skdl`` by convention): the whole fitted estimator, as
      :func:`sklearn_dl.save` writes it, with the network's optimizer state,
      the history so far and the epoch reached. Such a checkpoint can be
      loaded with :func:`sklearn_dl.load`, or continued with
      :func:`sklearn_dl.persistence.resume` after an interrupted fit. It needs
      an sklearn_dl estimator (a bare Keras model has no estimator to save).

    Every file is written atomically: a crash while writing leaves the
    previous checkpoint intact. Missing folders are created.

    Parameters
    ----------
    filepath : str or os.PathLike
        File name pattern (see above).
    monitor : str, default="val_loss"
        Logged quantity that decides which epoch is best, with
        ``save_best_only``. Validation quantities (``val_*``) need
        ``validation_split`` or ``validation_data``.
    mode : {"auto", "min", "max"}, default="auto"
        Whether smaller or larger ``monitor`` values are better; ``"auto"``
        means larger for accuracy-like names (containing ``acc``, ``auc``,
        ``precision``, ``recall``, ``f1`` or ``r2``) and smaller otherwise.
    save_best_only : bool, default=False
        Save only when ``monitor`` improves on the best value seen in this
        fit. With a fixed file name the file then always holds the best
        epoch.
    every_n_epochs : int, default=1
        Consider saving only at epochs that are multiples of this (Keras's
        removed ``period``).
    verbose : int, default=0
        Print a line for each file written when positive.

    See Also
    --------
    sklearn_dl.persistence.resume : Continue an interrupted fit.
    sklearn_dl.persistence.latest_checkpoint : Find the newest checkpoint.

    Notes
    -----
    An estimator copies its callbacks for each fit, so the instance you
    pass is never modified; find the files by name (or with
    :func:`~sklearn_dl.persistence.latest_checkpoint`). The best value is
    tracked within one fit: a resumed fit starts a new comparison. In a
    search, every candidate and fold writes to the same names: checkpoint
    single fits, or the refit of the best candidate.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        *,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_best_only: bool = False,
        every_n_epochs: int = 1,
        verbose: int = 0,
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.mode = mode
        self.save_best_only = save_best_only
        self.every_n_epochs = every_n_epochs
        self.verbose = verbose
        self._estimator: Any = None

    def set_estimator(self, estimator: Any) -> None:
        """Receive the estimator being fitted (called by the estimator core).

        Parameters
        ----------
        estimator : BaseKerasEstimator
            The estimator whose network this callback watches.
        """
        self._estimator = estimator

    def _keras_format(self) -> str | None:
        from sklearn_dl.persistence._atomic import keras_suffix
        from sklearn_dl.persistence._keras_formats import _FORMAT_BY_SUFFIX

        suffix = keras_suffix(Path(self.filepath))
        return None if suffix == ".json" else _FORMAT_BY_SUFFIX.get(suffix)

    def _check_settings(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {self.mode!r}.")
        if (
            not isinstance(self.every_n_epochs, Integral)
            or isinstance(self.every_n_epochs, bool)
            or self.every_n_epochs < 1
        ):
            raise ValueError(
                f"every_n_epochs must be a positive int; got {self.every_n_epochs!r}."
            )
        if self._keras_format() is None and self._estimator is None:
            raise ValueError(
                f"Checkpoint {self.filepath!r} saves a whole sklearn_dl estimator, "
                "but this fit has none (a bare Keras model?). Use a file name "
                "ending in .keras, .h5 or .weights.h5 to save the network."
            )

    def _higher_is_better(self) -> bool:
        if self.mode != "auto":
            return self.mode == "max"
        name = self.monitor.lower()
        return any(fragment in name for fragment in _HIGHER_IS_BETTER)

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Check the settings; start the history and the best value of this fit.

        Parameters
        ----------
        logs : dict, default=None
            Unused.
        """
        self._check_settings()
        previous = getattr(self._estimator, "history_", None) or {}
        self._history = {name: list(values) for name, values in previous.items()}
        self._best: float | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Record the epoch's values and save a checkpoint when due.

        Parameters
        ----------
        epoch : int
            Index of the epoch that ended (0-based).
        logs : dict, default=None
            The epoch's logged values.
        """
        values = {name: float(value) for name, value in (logs or {}).items()}
        for name, value in values.items():
            self._history.setdefault(name, []).append(value)
        if not math.isfinite(values.get("loss", 0.0)):
            return  # diverged: the estimator raises TrainingDivergedError
        if (epoch + 1) % self.every_n_epochs:
            return
        current = values.get(self.monitor)
        if self.save_best_only:
            if current is None:
                raise ValueError(
                    f"Checkpoint monitors {self.monitor!r}, which this fit does "
                    f"not log (it logs {sorted(values)}). Set validation_split "
                    "for val_* quantities, or monitor one of those."
                )
            if self._best is not None and not self._improves(current):
                return
            self._best = current
        path = self._path(epoch, values)
        self._write(path, epoch, current)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved checkpoint {str(path)!r}")

    def _improves(self, current: float) -> bool:
        if self._higher_is_better():
            return current > self._best
        return current < self._best

    def _path(self, epoch: int, values: dict[str, float]) -> Path:
        try:
            name = self.filepath.format(epoch=epoch + 1, **values)
        except KeyError as error:
            raise ValueError(
                f"Checkpoint file name {self.filepath!r} uses {error.args[0]!r}, "
                f"which this fit does not log (it logs {sorted(values)})."
            ) from None
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _write(self, path: Path, epoch: int, current: float | None) -> None:
        keras_format = self._keras_format()
        if keras_format is not None:
            from sklearn_dl.persistence._keras_formats import export_model

            export_model(self.model, path, format=keras_format)
            return
        from sklearn_dl.persistence._file import save_file

        metadata = {
            "kind": CHECKPOINT_KIND,
            "epoch": epoch + 1,
            "epochs": int((self.params or {}).get("epochs", epoch + 1)),
            "monitor": self.monitor,
            "value": current,
        }
        history = {name: list(values) for name, values in self._history.items()}
        save_file(
            self._estimator,
            path,
            metadata=metadata,
            state_overrides={"history_": history},
        )

    def __getstate__(self) -> dict[str, Any]:
        """State for copying and saving: the settings, never a model or estimator.

        Returns
        -------
        dict
            The constructor's parameters.
        """
        return {
            "filepath": self.filepath,
            "monitor": self.monitor,
            "mode": self.mode,
            "save_best_only": self.save_best_only,
            "every_n_epochs": self.every_n_epochs,
            "verbose": self.verbose,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild from :meth:`__getstate__`'s settings.

        Parameters
        ----------
        state : dict
            The constructor's parameters.
        """
        self.__init__(**state)

    def __repr__(self) -> str:
        return f"Checkpoint({self.filepath!r}, monitor={self.monitor!r})"


__all__ = ["Checkpoint"]
