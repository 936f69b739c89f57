"""Matplotlib helpers shared by the displays.

matplotlib is an optional dependency (the ``plot`` extra), so it is imported
here, inside functions, and never when :mod:`sklearn_dl.plotting` is imported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colorbar import Colorbar
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage


def import_pyplot(caller: str) -> Any:
    """Return ``matplotlib.pyplot``, or explain how to install it.

    Parameters
    ----------
    caller : str
        Name of the display method that needs matplotlib, used in the message.

    Returns
    -------
    module
        The ``matplotlib.pyplot`` module.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. "
            "Install it with: pip install sklearn-dl[plot]"
        ) from exc
    return plt


def _check_axes_objects(axes: np.ndarray, caller: str) -> None:
    from matplotlib.axes import Axes

    for item in axes.flat:
        if not isinstance(item, Axes):
            raise TypeError(
                f"{caller}: ax must hold matplotlib Axes, got {type(item).__name__}."
            )


def single_axes(ax: Axes | None, caller: str) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``, creating a figure when ``ax`` is None."""
    plt = import_pyplot(caller)
    if ax is None:
        figure, ax = plt.subplots(layout="constrained")
        return figure, ax
    _check_axes_objects(np.asarray([ax], dtype=object), caller)
    return ax.figure, ax


def panel_axes(
    ax: Axes | Sequence[Axes] | np.ndarray | None,
    n_panels: int,
    *,
    max_cols: int,
    panel_size: tuple[float, float],
    caller: str,
) -> tuple[Figure, np.ndarray]:
    """Return a figure and a flat array of ``n_panels`` axes.

    With ``ax=None`` the panels are laid out in rows of at most ``max_cols``,
    and the unused axes of the last row are removed. A user-supplied ``ax``
    must hold exactly ``n_panels`` axes, in any shape.
    """
    plt = import_pyplot(caller)
    if ax is None:
        n_cols = min(n_panels, max_cols)
        n_rows = math.ceil(n_panels / n_cols)
        figure, grid = plt.subplots(
            n_rows,
            n_cols,
            squeeze=False,
            figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows),
            layout="constrained",
        )
        grid = grid.ravel()
        for unused in grid[n_panels:]:
            unused.remove()
        return figure, grid[:n_panels]
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != n_panels:
        raise ValueError(
            f"{caller}: expected {n_panels} axes (one per panel), got {axes.size}."
        )
    _check_axes_objects(axes, caller)
    return axes[0].figure, axes


def grid_axes(
    ax: Sequence[Axes] | np.ndarray | None,
    n_rows: int,
    n_cols: int,
    *,
    cell_size: float,
    caller: str,
) -> tuple[Figure, np.ndarray]:
    """Return a figure and an ``(n_rows, n_cols)`` array of axes."""
    plt = import_pyplot(caller)
    if ax is None:
        figure, axes = plt.subplots(
            n_rows,
            n_cols,
            squeeze=False,
            figsize=(cell_size * n_cols + 0.8, cell_size * n_rows + 0.6),
            layout="constrained",
        )
        return figure, axes
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols:
        raise ValueError(
            f"{caller}: expected {n_rows * n_cols} axes ({n_rows} rows x "
            f"{n_cols} columns), got {axes.size}."
        )
    _check_axes_objects(axes, caller)
    axes = axes.reshape(n_rows, n_cols)
    return axes[0, 0].figure, axes


def draw_heatmap(
    ax: Axes,
    values: np.ma.MaskedArray,
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cmap: Any,
    include_values: bool,
    values_format: str,
    colorbar: bool,
    colorbar_label: str | None = None,
    xticks_rotation: float | str = "horizontal",
) -> tuple[AxesImage, np.ndarray | None, Colorbar | None]:
    """Draw an annotated heat map of a 2-D masked array.

    Masked cells are drawn in light grey and get no annotation. Annotations
    are dark on bright cells and bright on dark cells, as scikit-learn's
    ``ConfusionMatrixDisplay`` does.

    Returns
    -------
    image : AxesImage
        The heat map.
    texts : ndarray of Text or None
        Cell annotations (None for masked cells), or None when
        ``include_values`` is False.
    colorbar : Colorbar or None
        The colour bar, when one was asked for.
    """
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    colormap = colormap.with_extremes(bad="0.85")
    n_rows, n_cols = values.shape
    image = ax.imshow(values, interpolation="nearest", cmap=colormap, aspect="auto")
    texts = None
    if include_values:
        texts = np.empty(values.shape, dtype=object)
        shown = values.compressed()
        threshold = (shown.max() + shown.min()) / 2.0 if shown.size else 0.0
        bright, dark = colormap(1.0), colormap(0.0)
        for i in range(n_rows):
            for j in range(n_cols):
                if values.mask is not np.ma.nomask and values.mask[i, j]:
                    continue
                value = values[i, j]
                color = bright if value < threshold else dark
                texts[i, j] = ax.text(
                    j,
                    i,
                    format(value, values_format),
                    ha="center",
                    va="center",
                    color=color,
                )
    ax.set(
        xticks=np.arange(n_cols),
        yticks=np.arange(n_rows),
        xticklabels=list(col_labels),
        yticklabels=list(row_labels),
    )
    ax.set_ylim((n_rows - 0.5, -0.5))
    for label in ax.get_xticklabels():
        label.set_rotation(xticks_rotation)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax)
        if colorbar_label:
            bar.set_label(colorbar_label)
    return image, texts, bar


def draw_image_grid(
    axes: np.ndarray,
    image_grid: np.ndarray,
    *,
    cmap: Any,
    vmin: float | None,
    vmax: float | None,
) -> np.ndarray:
    """Show one image per cell of ``axes``; empty cells keep a bare frame.

    Parameters
    ----------
    axes : ndarray of Axes of shape (n_rows, n_cols)
        The cells.
    image_grid : ndarray of object of shape (n_rows, n_cols)
        One image array per cell, or None for an empty cell.
    cmap : str or Colormap
        Colormap for grey-scale images (ignored for colour images).
    vmin, vmax : float or None
        Common intensity range for grey-scale images, so cells compare.

    Returns
    -------
    ndarray of object of shape (n_rows, n_cols)
        The ``AxesImage`` of each cell, None for empty cells.
    """
    artists = np.empty(image_grid.shape, dtype=object)
    for (i, j), image in np.ndenumerate(image_grid):
        cell = axes[i, j]
        cell.set_xticks([])
        cell.set_yticks([])
        for spine in cell.spines.values():
            spine.set_edgecolor("0.7")
        if image is None:
            cell.set_aspect("equal")
            continue
        if image.ndim == 2:
            artists[i, j] = cell.imshow(
                image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest"
            )
        else:
            artists[i, j] = cell.imshow(image, interpolation="nearest")
    return artists


def label_image_grid(
    axes: np.ndarray,
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None,
    fontsize: float = 9,
) -> None:
    """Write row labels left of the first column and column labels on top."""
    for i, label in enumerate(row_labels):
        axes[i, 0].set_ylabel(label, rotation=0, ha="right", va="center")
        axes[i, 0].yaxis.label.set_fontsize(fontsize)
    if col_labels is not None:
        for j, label in enumerate(col_labels):
            axes[0, j].set_title(label, fontsize=fontsize)
