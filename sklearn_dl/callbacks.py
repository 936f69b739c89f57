"""Keras callbacks for sklearn_dl estimators.

- :class:`Checkpoint`: save the network or the whole estimator during
  training, every few epochs or the best epoch so far, with the book's
  formatted file names; whole-estimator checkpoints can be resumed with
  :func:`sklearn_dl.persistence.resume`.

Keras's own callbacks (``EarlyStopping``, ``LearningRateScheduler`` ...) work
as they are. This module imports Keras only when a callback is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sklearn_dl.persistence._checkpoint import Checkpoint

__all__ = ["Checkpoint"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sklearn_dl.persistence import _checkpoint

        return getattr(_checkpoint, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
