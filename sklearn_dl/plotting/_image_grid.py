"""A grid of sample images, one row per label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._matplotlib import draw_image_grid, grid_axes, label_image_grid
from ._validation import (
    as_1d,
    as_image_stack,
    check_positive_int,
    check_random_state_or_none,
    check_same_length,
    grey_range,
    pick,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class ImageGridDisplay:
    """Sample images arranged by label: one row per label.

    Build it with :meth:`from_images`, or construct it from an image grid
    and call :meth:`plot`.

    Parameters
    ----------
    image_grid : ndarray of object of shape (n_labels, n_per_label)
        One image (``(H, W)`` grey or ``(H, W, 3|4)`` colour) per cell, None
        for an empty cell (a label with fewer images).
    display_labels : list of str
        Label of each row.
    sample_indices : ndarray of int of shape (n_labels, n_per_label), default=None
        Index of each shown image in the input (-1 for empty cells).

    Attributes
    ----------
    images_ : ndarray of object of shape (n_labels, n_per_label)
        The ``AxesImage`` of each cell, None for empty cells.
    ax_ : ndarray of matplotlib Axes of shape (n_labels, n_per_label)
        One axes per cell.
    figure_ : matplotlib Figure
        Figure holding the grid.

    See Also
    --------
    MisclassifiedGridDisplay : Images a classifier got wrong.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl.plotting import ImageGridDisplay
    >>> digits = load_digits()
    >>> ImageGridDisplay.from_images(
    ...     digits.images, digits.target, n_per_label=5)  # doctest: +SKIP
    """

    def __init__(
        self,
        image_grid: np.ndarray,
        display_labels: Sequence[str],
        *,
        sample_indices: np.ndarray | None = None,
    ) -> None:
        self.image_grid = image_grid
        self.display_labels = display_labels
        self.sample_indices = sample_indices

    def plot(
        self,
        ax: Sequence[Axes] | np.ndarray | None = None,
        *,
        cmap: str = "gray",
        cell_size: float = 0.9,
    ) -> ImageGridDisplay:
        """Plot the image grid.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            ``n_labels * n_per_label`` axes, filled row by row. If None, a
            new figure is created.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey-scale images.
        cell_size : float, default=0.9
            Size of one cell of a new figure, in inches.

        Returns
        -------
        ImageGridDisplay
            This display, with the plot attributes set.
        """
        grid = np.asarray(self.image_grid, dtype=object)
        if grid.ndim != 2 or len(self.display_labels) != grid.shape[0]:
            raise ValueError(
                "image_grid must be 2-D with one row per display label, got shape "
                f"{grid.shape} and {len(self.display_labels)} labels."
            )
        n_rows, n_cols = grid.shape
        figure, axes = grid_axes(
            ax, n_rows, n_cols, cell_size=cell_size, caller="ImageGridDisplay.plot"
        )
        vmin, vmax = grey_range(list(grid.flat))
        self.images_ = draw_image_grid(axes, grid, cmap=cmap, vmin=vmin, vmax=vmax)
        label_image_grid(
            axes,
            row_labels=[str(label) for label in self.display_labels],
            col_labels=None,
        )
        self.ax_ = axes
        self.figure_ = figure
        return self

    @classmethod
    def from_images(
        cls,
        images: Any,
        labels: Any,
        *,
        n_per_label: int = 5,
        image_shape: Sequence[int] | None = None,
        random_state: int | np.random.RandomState | None = None,
        ax: Sequence[Axes] | np.ndarray | None = None,
        cmap: str = "gray",
        cell_size: float = 0.9,
    ) -> ImageGridDisplay:
        """Plot up to ``n_per_label`` images of each label, one row per label.

        Parameters
        ----------
        images : array-like
            ``(n, H, W)``, ``(n, H, W, 1)``, ``(n, H, W, 3)`` (channels last)
            or flat rows ``(n, H*W*C)``.
        labels : array-like of shape (n,)
            Label of each image; rows follow the sorted distinct labels.
        n_per_label : int, default=5
            Most images shown per label (columns).
        image_shape : tuple of int, default=None
            Shape of one image, to reshape flat rows; square grey images are
            inferred when None.
        random_state : int, RandomState instance or None, default=None
            None shows the first images of each label, in input order;
            otherwise a random sample is shown, drawn with this seed.
        ax : array-like of matplotlib Axes, default=None
            ``n_labels * n_per_label`` axes. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey-scale images.
        cell_size : float, default=0.9
            Size of one cell of a new figure, in inches.

        Returns
        -------
        ImageGridDisplay
            The plotted display.
        """
        images = as_image_stack(images, image_shape)
        labels = as_1d(labels, "labels")
        check_same_length(images=images, labels=labels)
        check_positive_int(n_per_label, "n_per_label")
        if labels.size == 0:
            raise ValueError("images is empty: there is nothing to plot.")
        rng = check_random_state_or_none(random_state)
        distinct = np.unique(labels)
        grid = np.full((distinct.size, n_per_label), None, dtype=object)
        indices = np.full((distinct.size, n_per_label), -1)
        for row, label in enumerate(distinct):
            chosen = pick(np.flatnonzero(labels == label), n_per_label, rng)
            indices[row, : chosen.size] = chosen
            for col, index in enumerate(chosen):
                grid[row, col] = images[index]
        display = cls(grid, [str(label) for label in distinct], sample_indices=indices)
        return display.plot(ax, cmap=cmap, cell_size=cell_size)
