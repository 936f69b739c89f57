"""Bar charts of the class probabilities of a few samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._matplotlib import panel_axes
from ._validation import as_1d, check_positive_int, fitted_attribute

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_TOLERANCE = 1e-6


def _first_rows(X: Any, n_samples: int | None) -> Any:
    if n_samples is None:
        return X
    if hasattr(X, "iloc"):  # a pandas DataFrame
        return X.iloc[:n_samples]
    return X[:n_samples]


class ClassProbabilityDisplay:
    """One bar chart of class probabilities per sample, as the book's B2-30.

    The most probable class of each sample is drawn in a second colour; when
    the true labels are known, the title says whether it was right. Build it
    with :meth:`from_estimator` or :meth:`from_probabilities`.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_classes)
        Class probabilities of each sample, as from ``predict_proba``.
    classes : array-like of shape (n_classes,)
        Label of each column, as ``classes_``.
    y_true : array-like of shape (n_samples,), default=None
        True label of each sample, shown in the titles.

    Attributes
    ----------
    bars_ : list of matplotlib BarContainer
        The bars of each sample.
    ax_ : ndarray of matplotlib Axes of shape (n_samples,)
        One axes per sample.
    figure_ : matplotlib Figure
        Figure holding the charts.

    See Also
    --------
    MisclassifiedGridDisplay : Images a classifier got wrong.

    Examples
    --------
    >>> from sklearn_dl.plotting import ClassProbabilityDisplay
    >>> ClassProbabilityDisplay.from_probabilities(
    ...     [[0.1, 0.9], [0.7, 0.3]], classes=["cat", "dog"])  # doctest: +SKIP
    """

    def __init__(self, probabilities: Any, classes: Any, *, y_true: Any = None) -> None:
        self.probabilities = probabilities
        self.classes = classes
        self.y_true = y_true

    def plot(
        self,
        ax: Axes | Sequence[Axes] | np.ndarray | None = None,
        *,
        max_cols: int = 4,
        bar_color: str = "C0",
        predicted_color: str = "C3",
    ) -> ClassProbabilityDisplay:
        """Plot one bar chart per sample.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per sample. If None, a new figure is created with the
            charts in rows of at most ``max_cols``.
        max_cols : int, default=4
            Most charts per row of a new figure.
        bar_color : str, default="C0"
            Colour of the bars.
        predicted_color : str, default="C3"
            Colour of the bar of the most probable class.

        Returns
        -------
        ClassProbabilityDisplay
            This display, with the plot attributes set.
        """
        probabilities = np.asarray(self.probabilities, dtype=float)
        if probabilities.ndim != 2 or probabilities.shape[0] == 0:
            raise ValueError(
                "probabilities must be 2-D (n_samples, n_classes) with at least "
                f"one sample, got shape {probabilities.shape}."
            )
        if np.any(probabilities < -_TOLERANCE) or np.any(
            probabilities > 1 + _TOLERANCE
        ):
            raise ValueError("probabilities must lie in [0, 1].")
        classes = as_1d(self.classes, "classes")
        if classes.size != probabilities.shape[1]:
            raise ValueError(
                f"classes has {classes.size} labels but probabilities has "
                f"{probabilities.shape[1]} columns."
            )
        y_true = None
        if self.y_true is not None:
            y_true = as_1d(self.y_true, "y_true")
            if y_true.size != probabilities.shape[0]:
                raise ValueError(
                    f"y_true has {y_true.size} labels for "
                    f"{probabilities.shape[0]} samples."
                )
        n_samples, n_classes = probabilities.shape
        figure, axes = panel_axes(
            ax,
            n_samples,
            max_cols=max_cols,
            panel_size=(max(2.8, 0.3 * n_classes + 0.8), 2.6),
            caller="ClassProbabilityDisplay.plot",
        )
        positions = np.arange(n_classes)
        tick_labels = [str(label) for label in classes]
        self.bars_ = []
        for sample, panel in enumerate(axes):
            row = probabilities[sample]
            predicted = int(np.argmax(row))
            colors = [bar_color] * n_classes
            colors[predicted] = predicted_color
            self.bars_.append(panel.bar(positions, row, color=colors))
            title = f"Sample {sample}: predicted {classes[predicted]}"
            if y_true is not None:
                title += f" (true {y_true[sample]})"
            panel.set_title(title, fontsize=9)
            panel.set_xticks(positions, tick_labels)
            panel.set_ylim(0, 1.05)
            panel.set_xlabel("Class")
            panel.set_ylabel("Probability")
        self.ax_ = axes
        self.figure_ = figure
        return self

    @classmethod
    def from_probabilities(
        cls,
        probabilities: Any,
        classes: Any = None,
        *,
        y_true: Any = None,
        n_samples: int | None = 4,
        ax: Axes | Sequence[Axes] | np.ndarray | None = None,
        max_cols: int = 4,
    ) -> ClassProbabilityDisplay:
        """Plot the class probabilities of the first ``n_samples`` rows.

        Parameters
        ----------
        probabilities : array-like of shape (n_samples, n_classes)
            Class probabilities, one row per sample.
        classes : array-like of shape (n_classes,), default=None
            Label of each column; ``0 .. n_classes-1`` if None.
        y_true : array-like of shape (n_samples,), default=None
            True labels, shown in the titles.
        n_samples : int or None, default=4
            Number of leading rows to plot; None plots every row.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per plotted sample. If None, a new figure is created.
        max_cols : int, default=4
            Most charts per row of a new figure.

        Returns
        -------
        ClassProbabilityDisplay
            The plotted display.
        """
        check_positive_int(n_samples, "n_samples", allow_none=True)
        probabilities = np.asarray(probabilities, dtype=float)
        if probabilities.ndim != 2:
            raise ValueError(
                "probabilities must be 2-D (n_samples, n_classes), got shape "
                f"{probabilities.shape}."
            )
        if classes is None:
            classes = np.arange(probabilities.shape[1])
        if y_true is not None:
            y_true = as_1d(y_true, "y_true")
            if y_true.size != probabilities.shape[0]:
                raise ValueError(
                    f"y_true has {y_true.size} labels for "
                    f"{probabilities.shape[0]} samples."
                )
            y_true = _first_rows(y_true, n_samples)
        display = cls(_first_rows(probabilities, n_samples), classes, y_true=y_true)
        return display.plot(ax, max_cols=max_cols)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any = None,
        *,
        n_samples: int | None = 4,
        ax: Axes | Sequence[Axes] | np.ndarray | None = None,
        max_cols: int = 4,
    ) -> ClassProbabilityDisplay:
        """Plot a fitted classifier's class probabilities for the first rows of X.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier (or pipeline) with ``predict_proba`` and
            ``classes_``.
        X : array-like of shape (n_samples, ...)
            Input samples; only the first ``n_samples`` are predicted.
        y : array-like of shape (n_samples,), default=None
            True labels, shown in the titles.
        n_samples : int or None, default=4
            Number of leading rows to plot; None plots every row.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per plotted sample. If None, a new figure is created.
        max_cols : int, default=4
            Most charts per row of a new figure.

        Returns
        -------
        ClassProbabilityDisplay
            The plotted display.
        """
        check_positive_int(n_samples, "n_samples", allow_none=True)
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                f"{type(estimator).__name__} has no predict_proba; "
                "ClassProbabilityDisplay needs a probabilistic classifier."
            )
        classes = fitted_attribute(
            estimator, "classes_", "plotting its class probabilities"
        )
        X_shown = _first_rows(X, n_samples)
        probabilities = estimator.predict_proba(X_shown)
        if y is not None:
            y = as_1d(y, "y")
            if y.size != len(X):
                raise ValueError(
                    f"Inconsistent numbers of samples: X={len(X)}, y={y.size}."
                )
            y = _first_rows(y, n_samples)
        return cls(probabilities, classes, y_true=y).plot(ax, max_cols=max_cols)
