"""Heat map of error counts: true label x predicted label, diagonal masked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.metrics import confusion_matrix

from ._matplotlib import draw_heatmap, single_axes
from ._validation import as_1d, check_same_length

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class ErrorCountDisplay:
    """How many samples of each true label went to each wrong label.

    The confusion matrix with its diagonal (the correct predictions) set to
    zero and drawn masked, so the colour scale spends its range on the
    errors, as the book's figure B2-26 does (black for none, through red and
    yellow to white for the most). Build it with :meth:`from_predictions` or
    :meth:`from_estimator`.

    Parameters
    ----------
    error_counts : ndarray of int of shape (n_labels, n_labels)
        Number of samples of true label ``i`` predicted as ``j`` (zero on the
        diagonal).
    display_labels : list of str, default=None
        Label of each row and column; ``0 .. n_labels-1`` if None.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heat map.
    text_ : ndarray of object of shape (n_labels, n_labels)
        Annotation of each off-diagonal cell (None on the diagonal), or None
        without values.
    colorbar_ : matplotlib Colorbar
        The colour bar, or None.
    ax_ : matplotlib Axes
        Axes with the heat map.
    figure_ : matplotlib Figure
        Figure holding the plot.

    See Also
    --------
    MisclassifiedGridDisplay : The misclassified images themselves.
    sklearn.metrics.ConfusionMatrixDisplay : The full confusion matrix.

    Examples
    --------
    >>> from sklearn_dl.plotting import ErrorCountDisplay
    >>> ErrorCountDisplay.from_predictions(
    ...     [0, 1, 2, 2], [0, 2, 1, 2])  # doctest: +SKIP
    """

    def __init__(
        self, error_counts: np.ndarray, *, display_labels: Sequence[str] | None = None
    ) -> None:
        self.error_counts = error_counts
        self.display_labels = display_labels

    def plot(
        self,
        ax: Axes | None = None,
        *,
        cmap: str = "hot",
        include_values: bool = True,
        values_format: str = "d",
        colorbar: bool = True,
        xticks_rotation: float | str = "horizontal",
    ) -> ErrorCountDisplay:
        """Plot the error-count heat map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="hot"
            Colormap; "hot" runs from black through red and yellow to white.
        include_values : bool, default=True
            Whether to write the count in each off-diagonal cell.
        values_format : str, default="d"
            Format of the counts.
        colorbar : bool, default=True
            Whether to add a colour bar.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            Rotation of the predicted-label tick labels.

        Returns
        -------
        ErrorCountDisplay
            This display, with the plot attributes set.
        """
        counts = np.asarray(self.error_counts)
        if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
            raise ValueError(f"error_counts must be square, got shape {counts.shape}.")
        n_labels = counts.shape[0]
        labels = (
            [str(label) for label in range(n_labels)]
            if self.display_labels is None
            else [str(label) for label in self.display_labels]
        )
        if len(labels) != n_labels:
            raise ValueError(
                f"display_labels has {len(labels)} labels for {n_labels} classes."
            )
        figure, ax = single_axes(ax, "ErrorCountDisplay.plot")
        masked = np.ma.masked_array(counts, mask=np.eye(n_labels, dtype=bool))
        self.im_, self.text_, self.colorbar_ = draw_heatmap(
            ax,
            masked,
            row_labels=labels,
            col_labels=labels,
            cmap=cmap,
            include_values=include_values,
            values_format=values_format,
            colorbar=colorbar,
            colorbar_label="Errors",
            xticks_rotation=xticks_rotation,
        )
        ax.set(xlabel="Predicted label", ylabel="True label", title="Error counts")
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_predictions(
        cls,
        y_true: Any,
        y_pred: Any,
        *,
        labels: Any = None,
        display_labels: Sequence[str] | None = None,
        ax: Axes | None = None,
        cmap: str = "hot",
        include_values: bool = True,
        values_format: str = "d",
        colorbar: bool = True,
        xticks_rotation: float | str = "horizontal",
    ) -> ErrorCountDisplay:
        """Plot the error counts of predictions.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like, default=None
            Labels of the rows and columns, in order; if None, the sorted
            labels present in ``y_true`` or ``y_pred`` (as in
            :func:`sklearn.metrics.confusion_matrix`).
        display_labels : list of str, default=None
            Tick labels; ``labels`` if None.
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="hot"
            Colormap.
        include_values : bool, default=True
            Whether to write the count in each off-diagonal cell.
        values_format : str, default="d"
            Format of the counts.
        colorbar : bool, default=True
            Whether to add a colour bar.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            Rotation of the predicted-label tick labels.

        Returns
        -------
        ErrorCountDisplay
            The plotted display.
        """
        y_true = as_1d(y_true, "y_true")
        y_pred = as_1d(y_pred, "y_pred")
        check_same_length(y_true=y_true, y_pred=y_pred)
        counts = confusion_matrix(y_true, y_pred, labels=labels)
        np.fill_diagonal(counts, 0)
        if display_labels is None:
            display_labels = (
                np.unique(np.concatenate([y_true, y_pred]))
                if labels is None
                else labels
            )
        display = cls(counts, display_labels=list(display_labels))
        return display.plot(
            ax,
            cmap=cmap,
            include_values=include_values,
            values_format=values_format,
            colorbar=colorbar,
            xticks_rotation=xticks_rotation,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        labels: Any = None,
        display_labels: Sequence[str] | None = None,
        ax: Axes | None = None,
        cmap: str = "hot",
        include_values: bool = True,
        values_format: str = "d",
        colorbar: bool = True,
        xticks_rotation: float | str = "horizontal",
    ) -> ErrorCountDisplay:
        """Plot the error counts of a fitted classifier on ``X``.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier (or pipeline) with ``predict``.
        X : array-like of shape (n_samples, ...)
            Input of ``estimator.predict``.
        y : array-like of shape (n_samples,)
            True labels.
        labels : array-like, default=None
            Labels of the rows and columns, in order; if None, the sorted
            labels present in ``y`` or the predictions.
        display_labels : list of str, default=None
            Tick labels; ``labels`` if None.
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="hot"
            Colormap.
        include_values : bool, default=True
            Whether to write the count in each off-diagonal cell.
        values_format : str, default="d"
            Format of the counts.
        colorbar : bool, default=True
            Whether to add a colour bar.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            Rotation of the predicted-label tick labels.

        Returns
        -------
        ErrorCountDisplay
            The plotted display.
        """
        return cls.from_predictions(
            y,
            estimator.predict(X),
            labels=labels,
            display_labels=display_labels,
            ax=ax,
            cmap=cmap,
            include_values=include_values,
            values_format=values_format,
            colorbar=colorbar,
            xticks_rotation=xticks_rotation,
        )
