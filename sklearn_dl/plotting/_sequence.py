"""Sequence predictions drawn over the true sequence."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from ._matplotlib import single_axes
from ._validation import as_1d

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class SequencePredictionDisplay:
    """A sequence in black with its predictions in red, as the book's B3-58.

    A window model of size ``w`` predicts element ``w`` from elements
    ``0 .. w-1``, so its first prediction belongs to step ``w`` of the
    sequence: pass ``offset=w`` and the predictions are drawn from there.
    Build it with :meth:`from_predictions`.

    Parameters
    ----------
    y_true : array-like of shape (n_steps,)
        The true sequence; ``(n, 1)`` and ``(1, n)`` grids are flattened.
    y_pred : array-like of shape (n_predictions,)
        The predictions, one per step from ``start + offset`` on.
    offset : int, default=0
        Number of steps between the first true value and the first
        prediction (the window size of a windowed model).
    start : int, default=0
        Time step of the first true value, e.g. 400 for a test sequence that
        continues a 400-step training sequence.

    Attributes
    ----------
    line_true_ : matplotlib Line2D
        The true sequence.
    line_pred_ : matplotlib Line2D
        The predictions.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure holding the plot.

    See Also
    --------
    TrainingHistoryDisplay : Loss curves of the model that made the predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.plotting import SequencePredictionDisplay
    >>> series = np.sin(np.linspace(0, 10, 200))
    >>> predictions = series[3:] + 0.05
    >>> SequencePredictionDisplay.from_predictions(
    ...     series, predictions, offset=3)  # doctest: +SKIP
    """

    def __init__(
        self, y_true: Any, y_pred: Any, *, offset: int = 0, start: int = 0
    ) -> None:
        self.y_true = y_true
        self.y_pred = y_pred
        self.offset = offset
        self.start = start

    def plot(
        self,
        ax: Axes | None = None,
        *,
        true_kw: dict[str, Any] | None = None,
        pred_kw: dict[str, Any] | None = None,
    ) -> SequencePredictionDisplay:
        """Plot the truth and the predictions.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        true_kw : dict, default=None
            Keywords for ``Axes.plot`` of the truth (default: black, label
            "truth").
        pred_kw : dict, default=None
            Keywords for ``Axes.plot`` of the predictions (default: red,
            label "prediction").

        Returns
        -------
        SequencePredictionDisplay
            This display, with the plot attributes set.
        """
        y_true = as_1d(self.y_true, "y_true")
        y_pred = as_1d(self.y_pred, "y_pred")
        for name in ("offset", "start"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, got {value!r}.")
        if self.offset < 0:
            raise ValueError(f"offset must be >= 0, got {self.offset}.")
        figure, ax = single_axes(ax, "SequencePredictionDisplay.plot")
        true_kw = {"color": "black", "label": "truth", **(true_kw or {})}
        pred_kw = {"color": "red", "label": "prediction", **(pred_kw or {})}
        steps = np.arange(y_true.size) + self.start
        first_pred = self.start + self.offset
        (self.line_true_,) = ax.plot(steps, y_true, **true_kw)
        (self.line_pred_,) = ax.plot(
            np.arange(y_pred.size) + first_pred, y_pred, **pred_kw
        )
        ax.set(xlabel="Time step", ylabel="Value")
        ax.legend()
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_predictions(
        cls,
        y_true: Any,
        y_pred: Any,
        *,
        offset: int = 0,
        start: int = 0,
        ax: Axes | None = None,
        true_kw: dict[str, Any] | None = None,
        pred_kw: dict[str, Any] | None = None,
    ) -> SequencePredictionDisplay:
        """Plot predictions that start ``offset`` steps after the truth.

        Parameters
        ----------
        y_true : array-like of shape (n_steps,)
            The true sequence.
        y_pred : array-like of shape (n_predictions,)
            The predictions; ``y_pred[i]`` is drawn at step
            ``start + offset + i``.
        offset : int, default=0
            Steps between the first true value and the first prediction.
        start : int, default=0
            Time step of the first true value.
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        true_kw : dict, default=None
            Keywords for ``Axes.plot`` of the truth.
        pred_kw : dict, default=None
            Keywords for ``Axes.plot`` of the predictions.

        Returns
        -------
        SequencePredictionDisplay
            The plotted display.
        """
        display = cls(y_true, y_pred, offset=offset, start=start)
        return display.plot(ax, true_kw=true_kw, pred_kw=pred_kw)
