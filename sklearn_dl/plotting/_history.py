"""Training history curves: loss and each metric, training vs validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._matplotlib import panel_axes
from ._validation import fitted_attribute

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_VALIDATION_PREFIX = "val_"


def _as_history_dict(history: Any) -> dict[str, np.ndarray]:
    """Copy a history mapping (or a Keras ``History``) into 1-D float arrays."""
    if not isinstance(history, Mapping) and isinstance(
        getattr(history, "history", None), Mapping
    ):
        history = history.history  # a keras.callbacks.History
    if not isinstance(history, Mapping):
        raise TypeError(
            "history must be a dict of per-epoch lists (an estimator's `history_`) "
            f"or a Keras History object, got {type(history).__name__}."
        )
    if not history:
        raise ValueError("history is empty: nothing was recorded during training.")
    curves = {}
    for key, values in history.items():
        array = np.asarray(values, dtype=float)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(
                f"history[{key!r}] must be a non-empty list of per-epoch numbers, "
                f"got shape {array.shape}."
            )
        curves[str(key)] = array
    return curves


def _metric_names(history: Mapping[str, np.ndarray]) -> list[str]:
    """Metric names with ``val_`` stripped: loss first, then history order."""
    names: list[str] = []
    for key in history:
        name = key.removeprefix(_VALIDATION_PREFIX)
        if name not in names:
            names.append(name)
    if "loss" in names:
        names.remove("loss")
        names.insert(0, "loss")
    return names


def _validation_epochs(n_train: int, n_val: int, metric: str) -> np.ndarray:
    """Epochs (1-based) at which validation values were recorded.

    Keras's ``validation_freq=k`` records validation every k-th epoch, so a
    validation curve k times shorter than the training curve is placed at
    epochs k, 2k, ...
    """
    if n_val == n_train:
        return np.arange(1, n_train + 1)
    if n_val < n_train and n_train % n_val == 0:
        step = n_train // n_val
        return np.arange(step, n_train + 1, step)
    raise ValueError(
        f"history has {n_train} training values of {metric!r} but {n_val} "
        "validation values; expected as many, or a whole fraction "
        "(validation every k-th epoch)."
    )


class TrainingHistoryDisplay:
    """Training history curves: one panel per metric, training vs validation.

    Each panel shows one metric (loss first) against the epoch (counted from
    1): the training curve solid, the validation curve (``val_`` keys) dashed
    in the same colour, as in the book's figure B2-31. Build it with
    :meth:`from_estimator` or :meth:`from_history`, or construct it from a
    history dict and call :meth:`plot`.

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values, e.g. ``{"loss": [...], "accuracy": [...],
        "val_loss": [...], "val_accuracy": [...]}``.
    name : str, default=None
        Name of the run, prefixed to the legend entries; useful to overlay
        several runs on the same axes.

    Attributes
    ----------
    metrics_ : list of str
        The metrics plotted, one per panel.
    lines_ : dict of str to matplotlib Line2D
        The curve of each history key plotted (``"loss"``, ``"val_loss"``...).
    ax_ : ndarray of matplotlib Axes
        One axes per metric.
    figure_ : matplotlib Figure
        Figure holding the panels.

    See Also
    --------
    SearchResultsDisplay : Scores of a hyper-parameter search.

    Examples
    --------
    >>> from sklearn_dl.plotting import TrainingHistoryDisplay
    >>> history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]}
    >>> display = TrainingHistoryDisplay.from_history(history)  # doctest: +SKIP
    """

    def __init__(
        self, history: Mapping[str, Sequence[float]], *, name: str | None = None
    ) -> None:
        self.history = history
        self.name = name

    def plot(
        self,
        ax: Axes | Sequence[Axes] | np.ndarray | None = None,
        *,
        metrics: Sequence[str] | None = None,
        max_cols: int = 3,
    ) -> TrainingHistoryDisplay:
        """Plot the training history.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per metric. If None, a new figure is created with the
            panels in rows of at most ``max_cols``.
        metrics : list of str, default=None
            Metrics to plot, without the ``val_`` prefix (e.g.
            ``["loss", "accuracy"]``). If None, every metric of the history.
        max_cols : int, default=3
            Most panels per row of a new figure.

        Returns
        -------
        TrainingHistoryDisplay
            This display, with the plot attributes set.
        """
        history = _as_history_dict(self.history)
        available = _metric_names(history)
        if metrics is None:
            metrics = available
        else:
            metrics = [metrics] if isinstance(metrics, str) else list(metrics)
            unknown = [name for name in metrics if name not in available]
            if unknown or not metrics:
                raise ValueError(
                    f"Unknown metrics {unknown}; the history holds {available}."
                )
        figure, axes = panel_axes(
            ax,
            len(metrics),
            max_cols=max_cols,
            panel_size=(4.5, 3.5),
            caller="TrainingHistoryDisplay.plot",
        )
        from matplotlib.ticker import MaxNLocator

        prefix = f"{self.name} " if self.name else ""
        lines = {}
        for panel, metric in zip(axes, metrics, strict=True):
            val_key = _VALIDATION_PREFIX + metric
            color = None
            if metric in history:
                train = history[metric]
                (lines[metric],) = panel.plot(
                    np.arange(1, train.size + 1),
                    train,
                    linestyle="-",
                    label=f"{prefix}training",
                )
                color = lines[metric].get_color()
            if val_key in history:
                val = history[val_key]
                n_train = history[metric].size if metric in history else val.size
                (lines[val_key],) = panel.plot(
                    _validation_epochs(n_train, val.size, metric),
                    val,
                    linestyle="--",
                    color=color,
                    label=f"{prefix}validation",
                )
            panel.set(xlabel="Epoch", ylabel=metric, title=metric)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
            panel.legend()
        self.metrics_ = list(metrics)
        self.lines_ = lines
        self.ax_ = axes
        self.figure_ = figure
        return self

    @classmethod
    def from_history(
        cls,
        history: Mapping[str, Sequence[float]] | Any,
        *,
        metrics: Sequence[str] | None = None,
        name: str | None = None,
        ax: Axes | Sequence[Axes] | np.ndarray | None = None,
        max_cols: int = 3,
    ) -> TrainingHistoryDisplay:
        """Plot a history dict, or a Keras ``History`` object.

        Parameters
        ----------
        history : dict of str to list of float or keras.callbacks.History
            Per-epoch values; a Keras ``History`` (the return value of
            ``model.fit``) is read through its ``history`` dict.
        metrics : list of str, default=None
            Metrics to plot, without the ``val_`` prefix. If None, all.
        name : str, default=None
            Name of the run, prefixed to the legend entries.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per metric. If None, a new figure is created.
        max_cols : int, default=3
            Most panels per row of a new figure.

        Returns
        -------
        TrainingHistoryDisplay
            The plotted display.
        """
        curves = _as_history_dict(history)
        copied = {key: values.tolist() for key, values in curves.items()}
        display = cls(copied, name=name)
        return display.plot(ax, metrics=metrics, max_cols=max_cols)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        *,
        metrics: Sequence[str] | None = None,
        name: str | None = None,
        ax: Axes | Sequence[Axes] | np.ndarray | None = None,
        max_cols: int = 3,
    ) -> TrainingHistoryDisplay:
        """Plot the ``history_`` of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator with a ``history_`` dict of per-epoch lists, or
            a fitted :class:`~sklearn.pipeline.Pipeline` ending in one.
        metrics : list of str, default=None
            Metrics to plot, without the ``val_`` prefix. If None, all.
        name : str, default=None
            Name of the run, prefixed to the legend entries.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per metric. If None, a new figure is created.
        max_cols : int, default=3
            Most panels per row of a new figure.

        Returns
        -------
        TrainingHistoryDisplay
            The plotted display.
        """
        history = fitted_attribute(
            estimator, "history_", "plotting its training history"
        )
        return cls.from_history(
            history, metrics=metrics, name=name, ax=ax, max_cols=max_cols
        )
