"""Misclassified images: true label as row, predicted label as column."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._matplotlib import draw_image_grid, grid_axes, label_image_grid
from ._validation import (
    as_1d,
    as_image_stack,
    check_random_state_or_none,
    check_same_length,
    grey_range,
    pick,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _check_labels(y_true: np.ndarray, y_pred: np.ndarray, labels: Any) -> np.ndarray:
    if labels is None:
        return np.unique(np.concatenate([y_true, y_pred]))
    labels = as_1d(labels, "labels")
    if labels.size == 0 or np.unique(labels).size != labels.size:
        raise ValueError("labels must be a non-empty list of distinct labels.")
    return labels


class MisclassifiedGridDisplay:
    """One misclassified image per (true, predicted) pair, as the book's B2-25.

    Row ``i`` holds images whose true label is ``labels[i]``; column ``j``
    those the classifier predicted as ``labels[j]``. Each cell shows one image
    of that kind; empty cells (and the diagonal) are bare frames. The
    heat map of how many images fall in each cell is
    :class:`ErrorCountDisplay`. Build it with :meth:`from_predictions` or
    :meth:`from_estimator`.

    Parameters
    ----------
    image_grid : ndarray of object of shape (n_labels, n_labels)
        One image per cell, None for an empty cell.
    display_labels : list of str
        Label of each row and column.
    sample_indices : ndarray of int of shape (n_labels, n_labels), default=None
        Index of each shown image in the input (-1 for empty cells).
    error_counts : ndarray of int of shape (n_labels, n_labels), default=None
        Number of misclassified images in each cell.

    Attributes
    ----------
    images_ : ndarray of object of shape (n_labels, n_labels)
        The ``AxesImage`` of each cell, None for empty cells.
    ax_ : ndarray of matplotlib Axes of shape (n_labels, n_labels)
        One axes per cell.
    figure_ : matplotlib Figure
        Figure holding the grid.

    See Also
    --------
    ErrorCountDisplay : Heat map of the number of errors per cell.
    ImageGridDisplay : Sample images by label.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_dl.plotting import MisclassifiedGridDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> classifier = LogisticRegression(max_iter=200).fit(X[:300], y[:300])
    >>> MisclassifiedGridDisplay.from_estimator(
    ...     classifier, X[300:], y[300:])  # doctest: +SKIP
    """

    def __init__(
        self,
        image_grid: np.ndarray,
        display_labels: Sequence[str],
        *,
        sample_indices: np.ndarray | None = None,
        error_counts: np.ndarray | None = None,
    ) -> None:
        self.image_grid = image_grid
        self.display_labels = display_labels
        self.sample_indices = sample_indices
        self.error_counts = error_counts

    def plot(
        self,
        ax: Sequence[Axes] | np.ndarray | None = None,
        *,
        cmap: str = "gray",
        cell_size: float = 0.8,
    ) -> MisclassifiedGridDisplay:
        """Plot the grid of misclassified images.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            ``n_labels ** 2`` axes, filled row by row. If None, a new figure
            is created.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey-scale images.
        cell_size : float, default=0.8
            Size of one cell of a new figure, in inches.

        Returns
        -------
        MisclassifiedGridDisplay
            This display, with the plot attributes set.
        """
        grid = np.asarray(self.image_grid, dtype=object)
        n_labels = len(self.display_labels)
        if grid.shape != (n_labels, n_labels):
            raise ValueError(
                f"image_grid must be square with one row and column per display "
                f"label, got shape {grid.shape} and {n_labels} labels."
            )
        figure, axes = grid_axes(
            ax,
            n_labels,
            n_labels,
            cell_size=cell_size,
            caller="MisclassifiedGridDisplay.plot",
        )
        vmin, vmax = grey_range(list(grid.flat))
        self.images_ = draw_image_grid(axes, grid, cmap=cmap, vmin=vmin, vmax=vmax)
        for diagonal in np.diag(axes):
            diagonal.set_facecolor("0.92")  # correct predictions: never shown
        names = [str(label) for label in self.display_labels]
        label_image_grid(axes, row_labels=names, col_labels=names)
        figure.supylabel("True label")
        figure.suptitle("Predicted label")
        self.ax_ = axes
        self.figure_ = figure
        return self

    @classmethod
    def from_predictions(
        cls,
        images: Any,
        y_true: Any,
        y_pred: Any,
        *,
        labels: Any = None,
        image_shape: Sequence[int] | None = None,
        random_state: int | np.random.RandomState | None = None,
        ax: Sequence[Axes] | np.ndarray | None = None,
        cmap: str = "gray",
        cell_size: float = 0.8,
    ) -> MisclassifiedGridDisplay:
        """Plot one misclassified image per (true, predicted) pair.

        Parameters
        ----------
        images : array-like
            ``(n, H, W)``, ``(n, H, W, 1)``, ``(n, H, W, 3)`` (channels last)
            or flat rows ``(n, H*W*C)``.
        y_true : array-like of shape (n,)
            True labels.
        y_pred : array-like of shape (n,)
            Predicted labels.
        labels : array-like, default=None
            Labels of the rows and columns, in order. If None, the sorted
            labels present in ``y_true`` or ``y_pred``; samples with other
            labels are left out.
        image_shape : tuple of int, default=None
            Shape of one image, to reshape flat rows; square grey images are
            inferred when None.
        random_state : int, RandomState instance or None, default=None
            None shows the first image of each cell, in input order; otherwise
            one drawn at random with this seed.
        ax : array-like of matplotlib Axes, default=None
            ``n_labels ** 2`` axes. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey-scale images.
        cell_size : float, default=0.8
            Size of one cell of a new figure, in inches.

        Returns
        -------
        MisclassifiedGridDisplay
            The plotted display.
        """
        images = as_image_stack(images, image_shape)
        y_true = as_1d(y_true, "y_true")
        y_pred = as_1d(y_pred, "y_pred")
        check_same_length(images=images, y_true=y_true, y_pred=y_pred)
        labels = _check_labels(y_true, y_pred, labels)
        rng = check_random_state_or_none(random_state)
        n_labels = labels.size
        grid = np.full((n_labels, n_labels), None, dtype=object)
        indices = np.full((n_labels, n_labels), -1)
        counts = np.zeros((n_labels, n_labels), dtype=int)
        for row, true_label in enumerate(labels):
            for col, predicted in enumerate(labels):
                if row == col:
                    continue
                cell = np.flatnonzero((y_true == true_label) & (y_pred == predicted))
                counts[row, col] = cell.size
                if cell.size:
                    (index,) = pick(cell, 1, rng)
                    indices[row, col] = index
                    grid[row, col] = images[index]
        display = cls(
            grid,
            [str(label) for label in labels],
            sample_indices=indices,
            error_counts=counts,
        )
        return display.plot(ax, cmap=cmap, cell_size=cell_size)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        images: Any = None,
        labels: Any = None,
        image_shape: Sequence[int] | None = None,
        random_state: int | np.random.RandomState | None = None,
        ax: Sequence[Axes] | np.ndarray | None = None,
        cmap: str = "gray",
        cell_size: float = 0.8,
    ) -> MisclassifiedGridDisplay:
        """Plot the images a fitted classifier misclassifies.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier (or pipeline) with ``predict``.
        X : array-like of shape (n, ...)
            Input of ``estimator.predict``.
        y : array-like of shape (n,)
            True labels.
        images : array-like, default=None
            Images to show, one per sample of ``X``; if None, ``X`` itself
            (flat rows are reshaped, see ``image_shape``).
        labels : array-like, default=None
            Labels of the rows and columns; if None, those present in ``y``
            or the predictions.
        image_shape : tuple of int, default=None
            Shape of one image, to reshape flat rows.
        random_state : int, RandomState instance or None, default=None
            None shows the first image of each cell; otherwise a random one.
        ax : array-like of matplotlib Axes, default=None
            ``n_labels ** 2`` axes. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey-scale images.
        cell_size : float, default=0.8
            Size of one cell of a new figure, in inches.

        Returns
        -------
        MisclassifiedGridDisplay
            The plotted display.
        """
        y_pred = estimator.predict(X)
        return cls.from_predictions(
            X if images is None else images,
            y,
            y_pred,
            labels=labels,
            image_shape=image_shape,
            random_state=random_state,
            ax=ax,
            cmap=cmap,
            cell_size=cell_size,
        )
