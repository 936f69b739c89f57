"""Continue a fit that was interrupted, from the checkpoints it left."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sklearn_dl.exceptions import DamagedFileError
from sklearn_dl.persistence._file import FORMAT_ATTRIBUTE, load, read_metadata

#: Written by :class:`sklearn_dl.callbacks.Checkpoint` (kept in sync there).
CHECKPOINT_KIND = "sklearn_dl.checkpoint"


def _checkpoint_epoch(path: Path) -> int | None:
    """The epoch of an estimator checkpoint, or None for any other file."""
    import h5py

    try:
        with h5py.File(path, "r") as file:
            if FORMAT_ATTRIBUTE not in file.attrs:
                return None
        metadata = read_metadata(path)
    except (OSError, DamagedFileError):
        return None  # not ours, or damaged: not a checkpoint to resume from
    epoch = metadata.get("epoch")
    if metadata.get("kind") != CHECKPOINT_KIND or type(epoch) is not int:
        return None
    return epoch


def latest_checkpoint(directory: str | os.PathLike) -> Path | None:
    """The estimator checkpoint with the highest epoch in a folder.

    Parameters
    ----------
    directory : str or os.PathLike
        A folder that :class:`~sklearn_dl.callbacks.Checkpoint` writes to.
        Other files in it are ignored.

    Returns
    -------
    Path or None
        The checkpoint of the latest epoch (the most recently written one
        among equals), or None when there is none.
    """
    found = []
    for path in Path(directory).iterdir():
        if not path.is_file() or path.name.startswith("."):
            continue  # hidden: unfinished atomic writes
        epoch = _checkpoint_epoch(path)
        if epoch is not None:
            found.append((epoch, path.stat().st_mtime_ns, path))
    return max(found)[2] if found else None


def resume(
    checkpoint: str | os.PathLike,
    X: Any,
    y: Any = None,
    *,
    sample_weight: Any = None,
    trusted: Iterable[Any] | None = (),
    **fit_params: Any,
) -> Any:
    """Continue an interrupted fit from an estimator checkpoint.

    The checkpoint (written by :class:`~sklearn_dl.callbacks.Checkpoint` with
    a non-Keras extension such as ``.skdl``) holds the estimator as it was at
    the end of an epoch: weights, optimizer state and history. It is loaded
    and trained for the epochs the interrupted fit had left, continuing the
    epoch count, exactly as a warm-started fit would (``history_`` continues
    too). The result equals fitting up to the checkpoint's epoch and then
    calling ``fit`` again with ``warm_start=True`` for the rest. It is close
    to, but not bit-identical with, an uninterrupted fit when training draws
    random numbers (shuffling, dropout): a warm-started fit reseeds with
    ``random_state + epochs done``. Without randomness (``shuffle=False``,
    no dropout) it is identical.

    Parameters
    ----------
    checkpoint : str or os.PathLike
        A checkpoint file, or a folder of them (the latest is used, see
        :func:`latest_checkpoint`).
    X : array-like
        The training data of the interrupted fit, as the estimator takes it.
    y : array-like, default=None
        The targets.
    sample_weight : array-like, default=None
        Sample weights, if the interrupted fit had them.
    trusted : iterable of (class, function or str), default=()
        Passed to :func:`sklearn_dl.load`. The network is continued, not
        rebuilt, so an untrusted ``model=`` builder need not be trusted.
    **fit_params : dict
        Further ``Model.fit`` arguments, as given to the interrupted fit
        (e.g. ``validation_data``).

    Returns
    -------
    estimator : object
        The estimator, trained to the interrupted fit's last epoch.

    Raises
    ------
    FileNotFoundError
        If a folder holds no estimator checkpoint.
    ValueError
        If the file is not an estimator checkpoint.
    """
    path = Path(checkpoint)
    if path.is_dir():
        found = latest_checkpoint(path)
        if found is None:
            raise FileNotFoundError(
                f"No sklearn_dl estimator checkpoint in {str(path)!r} (Keras-format "
                "checkpoints, .keras/.h5, hold the network only and cannot be resumed)."
            )
        path = found
    metadata = read_metadata(path)
    if metadata.get("kind") != CHECKPOINT_KIND:
        raise ValueError(
            f"{str(path)!r} is a saved estimator, not a checkpoint: load it with "
            "sklearn_dl.load and fit it with warm_start=True to train it further."
        )
    estimator = load(path, trusted=trusted)
    epochs, epoch = metadata.get("epochs"), metadata.get("epoch")
    if type(epochs) is not int or type(epoch) is not int:
        raise DamagedFileError(str(path), "its checkpoint metadata has no epochs.")
    remaining = epochs - epoch
    if remaining <= 0:
        return estimator
    return estimator._fit(
        X,
        y,
        sample_weight=sample_weight,
        fit_params=fit_params,
        warm=True,
        epochs=remaining,
    )


__all__ = ["latest_checkpoint", "resume"]
