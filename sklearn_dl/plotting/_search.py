"""Scores of a hyper-parameter search (GridSearchCV, RandomizedSearchCV)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._matplotlib import draw_heatmap, single_axes
from ._validation import fitted_attribute

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class _Unset:
    """Value of a parameter that a candidate did not set (list of grids)."""

    def __repr__(self) -> str:
        return "not set"


_UNSET = _Unset()


def _value_label(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _categories(values: list[Any]) -> tuple[list[Any], np.ndarray]:
    """Distinct values and each value's category code.

    Values are compared by ``repr`` so that tuples, lists, None and
    estimators all work. Numbers are sorted; anything else keeps the order of
    first appearance (the order of the grid); unset values come last.
    """
    distinct: dict[str, Any] = {}
    for value in values:
        distinct.setdefault(repr(value), value)
    ordered = [value for value in distinct.values() if value is not _UNSET]
    if all(_is_number(value) for value in ordered):
        ordered.sort()
    if any(value is _UNSET for value in distinct.values()):
        ordered.append(_UNSET)
    position = {repr(value): code for code, value in enumerate(ordered)}
    return ordered, np.array([position[repr(value)] for value in values])


def _best_per_cell(
    scores: np.ndarray, row_codes: np.ndarray, col_codes: np.ndarray, shape: tuple
) -> np.ndarray:
    """Index of the best-scoring candidate in each cell (-1 where none)."""
    best = np.full(shape, -1)
    for index, score in enumerate(scores):
        if np.isnan(score):
            continue
        cell = (row_codes[index], col_codes[index])
        if best[cell] < 0 or score > scores[best[cell]]:
            best[cell] = index
    return best


class SearchResultsDisplay:
    """Mean cross-validated test score of each candidate of a search.

    Three views of ``cv_results_`` (the book's figure B3-17 is the first):

    - ``kind="line"`` without ``param``: every candidate in search order,
      with its standard deviation as error bars;
    - ``kind="line"`` with ``param`` (and optionally ``group``): the score
      against the values of ``param``, one line per value of ``group``;
    - ``kind="heatmap"`` with two parameters: an annotated grid of scores.

    Parameter values are categories (tuples, strings, None and estimators
    work); numbers are sorted. Where several candidates share a position,
    because they differ in a parameter not shown, the best of them is drawn.
    Build it with :meth:`from_search` or :meth:`from_cv_results`.

    Parameters
    ----------
    cv_results : dict
        The ``cv_results_`` of a fitted search: ``params`` and
        ``mean_test_<metric>`` at least, ``std_test_<metric>`` for error bars.
    metric : str, default=None
        Scorer whose scores to plot (the key of a multi-metric ``scoring``).
        If None, the single scorer of the search.

    Attributes
    ----------
    scores_ : ndarray of shape (n_rows, n_columns)
        Mean test score at each plotted position (NaN where no candidate):
        one row per line (per heat-map row), one column per x position.
    candidates_ : ndarray of int of shape (n_rows, n_columns)
        Index into ``cv_results`` of the candidate drawn at each position
        (-1 where none).
    lines_ : list of matplotlib Line2D
        The score lines (``kind="line"``); None for a heat map.
    errorbars_ : list of matplotlib ErrorbarContainer
        The error bars of each line (``kind="line"``); None for a heat map.
    im_ : matplotlib AxesImage
        The heat map (``kind="heatmap"``); None for lines.
    text_ : ndarray of matplotlib Text
        Heat-map annotations (None in empty cells); None for lines or
        without values.
    colorbar_ : matplotlib Colorbar
        Colour bar of the heat map, or None.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure holding the plot.

    See Also
    --------
    TrainingHistoryDisplay : Loss and metrics of one training run.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_dl.plotting import SearchResultsDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.1, 1, 10]})
    >>> search = search.fit(X, y)
    >>> SearchResultsDisplay.from_search(search, param="C")  # doctest: +SKIP
    """

    def __init__(
        self, cv_results: Mapping[str, Any], *, metric: str | None = None
    ) -> None:
        self.cv_results = cv_results
        self.metric = metric

    # -- reading cv_results ---------------------------------------------------
    def _candidates(self) -> list[Mapping[str, Any]]:
        if not isinstance(self.cv_results, Mapping) or "params" not in self.cv_results:
            raise ValueError(
                "cv_results must be the `cv_results_` dict of a fitted search, "
                "with a 'params' entry."
            )
        return list(self.cv_results["params"])

    def _score_key(self) -> str:
        scorers = [
            key.removeprefix("mean_test_")
            for key in self.cv_results
            if key.startswith("mean_test_")
        ]
        if self.metric is not None:
            if self.metric not in scorers:
                raise ValueError(
                    f"Unknown metric {self.metric!r}; cv_results holds scores "
                    f"for {scorers}."
                )
            return self.metric
        if len(scorers) == 1:
            return scorers[0]
        if not scorers:
            raise ValueError("cv_results holds no 'mean_test_*' scores.")
        raise ValueError(
            f"cv_results holds several scorers {scorers}; pass metric= one of them."
        )

    def _resolve_param(self, name: str, candidates: list[Mapping[str, Any]]) -> str:
        """Full parameter name from ``name``, a ``param_`` key or a suffix."""
        known: list[str] = []
        for params in candidates:
            known.extend(key for key in params if key not in known)
        name = str(name)
        if name in known:
            return name
        bare = name.removeprefix("param_")
        if bare in known:
            return bare
        matches = [key for key in known if key.endswith("__" + bare)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(
                f"Parameter {name!r} is ambiguous; it matches {matches}. "
                "Use the full name."
            )
        raise ValueError(f"Unknown parameter {name!r}; the search varied {known}.")

    # -- plotting -------------------------------------------------------------
    def plot(
        self,
        ax: Axes | None = None,
        *,
        kind: str = "line",
        param: str | None = None,
        group: str | None = None,
        params: Sequence[str] | None = None,
        cmap: str = "viridis",
        values_format: str = ".3f",
        include_values: bool = True,
        colorbar: bool = True,
    ) -> SearchResultsDisplay:
        """Plot the mean test scores.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        kind : {"line", "heatmap"}, default="line"
            Score lines with error bars, or an annotated heat map.
        param : str, default=None
            Parameter on the x axis (heat-map rows). Full name
            (``"clf__hidden_units"``), ``param_`` key or unambiguous suffix
            (``"hidden_units"``). If None with ``kind="line"``, every
            candidate is plotted in search order.
        group : str, default=None
            Second parameter: one line per value (heat-map columns).
        params : tuple of (str, str), default=None
            Shorthand for ``param, group = params``.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the heat map.
        values_format : str, default=".3f"
            Format of the heat-map annotations.
        include_values : bool, default=True
            Whether to annotate the heat-map cells.
        colorbar : bool, default=True
            Whether to add a colour bar to the heat map.

        Returns
        -------
        SearchResultsDisplay
            This display, with the plot attributes set.
        """
        if kind not in ("line", "heatmap"):
            raise ValueError(f"kind must be 'line' or 'heatmap', got {kind!r}.")
        if params is not None:
            if param is not None or group is not None:
                raise ValueError("Pass either params= or param=/group=, not both.")
            params = [params] if isinstance(params, str) else list(params)
            if not 1 <= len(params) <= 2:
                raise ValueError(
                    f"params must name one or two parameters, got {params}."
                )
            param, group = [*params, None][:2]
        if group is not None and param is None:
            raise ValueError("group= needs param= (the x-axis parameter) as well.")
        if kind == "heatmap" and (param is None or group is None):
            raise ValueError(
                "kind='heatmap' needs two parameters: params=(rows, columns)."
            )

        candidates = self._candidates()
        metric = self._score_key()
        mean = np.asarray(self.cv_results[f"mean_test_{metric}"], dtype=float)
        std_key = f"std_test_{metric}"
        std = (
            np.asarray(self.cv_results[std_key], dtype=float)
            if std_key in self.cv_results
            else None
        )
        if mean.shape != (len(candidates),) or (
            std is not None and std.shape != mean.shape
        ):
            raise ValueError(
                f"cv_results has {len(candidates)} candidates but "
                f"{mean.size} mean_test_{metric} values"
                + ("" if std is None else f" and {std.size} {std_key} values")
                + "."
            )
        score_label = "Mean test score" if metric == "score" else f"Mean test {metric}"
        figure, ax = single_axes(ax, "SearchResultsDisplay.plot")
        self.lines_ = self.errorbars_ = self.im_ = self.text_ = self.colorbar_ = None

        if param is None:
            self.candidates_ = np.arange(len(candidates))[np.newaxis, :]
            self.scores_ = mean[np.newaxis, :]
            self._draw_lines(ax, mean, std, [None])
            self._label_candidates(ax, candidates)
        else:
            param = self._resolve_param(param, candidates)
            x_values, x_codes = _categories(
                [params_.get(param, _UNSET) for params_ in candidates]
            )
            if group is None:
                group_values, group_codes = [None], np.zeros(len(candidates), int)
            else:
                group = self._resolve_param(group, candidates)
                if group == param:
                    raise ValueError(
                        f"param and group must differ, both are {param!r}."
                    )
                group_values, group_codes = _categories(
                    [params_.get(group, _UNSET) for params_ in candidates]
                )
            if kind == "heatmap":
                best = _best_per_cell(
                    mean, x_codes, group_codes, (len(x_values), len(group_values))
                )
                self._store_cells(best, mean)
                self.im_, self.text_, self.colorbar_ = draw_heatmap(
                    ax,
                    np.ma.masked_invalid(self.scores_),
                    row_labels=[_value_label(value) for value in x_values],
                    col_labels=[_value_label(value) for value in group_values],
                    cmap=cmap,
                    include_values=include_values,
                    values_format=values_format,
                    colorbar=colorbar,
                    colorbar_label=score_label,
                )
                ax.set(ylabel=param, xlabel=group)
            else:
                best = _best_per_cell(
                    mean, group_codes, x_codes, (len(group_values), len(x_values))
                )
                self._store_cells(best, mean)
                self._draw_lines(ax, mean, std, group_values, best=best)
                ax.set_xticks(
                    np.arange(len(x_values)),
                    [_value_label(value) for value in x_values],
                )
                ax.set_xlabel(param)
                if group is not None:
                    ax.legend(title=group)
        if kind == "line":
            ax.set_ylabel(score_label)
            ax.grid(True, axis="y", alpha=0.3)
        ax.set_title("Search results")
        self.ax_ = ax
        self.figure_ = figure
        return self

    def _store_cells(self, best: np.ndarray, mean: np.ndarray) -> None:
        self.candidates_ = best
        self.scores_ = np.where(best >= 0, mean[np.maximum(best, 0)], np.nan)

    def _draw_lines(
        self,
        ax: Axes,
        mean: np.ndarray,
        std: np.ndarray | None,
        group_values: list[Any],
        best: np.ndarray | None = None,
    ) -> None:
        """One error-bar line per group, shifted slightly so bars do not overlap."""
        n_groups = len(group_values)
        step = min(0.1, 0.4 / max(n_groups - 1, 1))
        self.lines_, self.errorbars_ = [], []
        for row, value in enumerate(group_values):
            if best is None:
                positions = np.arange(mean.size)
                chosen = positions
            else:
                positions = np.flatnonzero(best[row] >= 0)
                chosen = best[row, positions]
            shift = step * (row - (n_groups - 1) / 2)
            container = ax.errorbar(
                positions + shift,
                mean[chosen],
                yerr=None if std is None else std[chosen],
                marker="o",
                capsize=3,
                label=None if value is None else _value_label(value),
            )
            self.errorbars_.append(container)
            self.lines_.append(container.lines[0])

    @staticmethod
    def _label_candidates(ax: Axes, candidates: list[Mapping[str, Any]]) -> None:
        """Tick labels listing each candidate's parameter values (book B3-17)."""
        names: list[str] = []
        for params in candidates:
            names.extend(key for key in params if key not in names)
        ax.set_xlabel(", ".join(names) if names else "Candidate")
        if len(candidates) > 40:
            return  # too many to label one by one; keep the index ticks
        labels = [
            ", ".join(_value_label(params.get(name, _UNSET)) for name in names)
            for params in candidates
        ]
        ax.set_xticks(np.arange(len(candidates)), labels, rotation=90, fontsize=8)

    # -- constructors ---------------------------------------------------------
    @classmethod
    def from_cv_results(
        cls,
        cv_results: Mapping[str, Any],
        *,
        kind: str = "line",
        param: str | None = None,
        group: str | None = None,
        params: Sequence[str] | None = None,
        metric: str | None = None,
        ax: Axes | None = None,
        cmap: str = "viridis",
        values_format: str = ".3f",
        include_values: bool = True,
        colorbar: bool = True,
    ) -> SearchResultsDisplay:
        """Plot a ``cv_results_`` dict.

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a fitted search.
        kind : {"line", "heatmap"}, default="line"
            Score lines with error bars, or an annotated heat map.
        param : str, default=None
            Parameter on the x axis (heat-map rows); None plots every
            candidate in search order.
        group : str, default=None
            Second parameter: one line per value (heat-map columns).
        params : tuple of (str, str), default=None
            Shorthand for ``param, group = params``.
        metric : str, default=None
            Scorer to plot, for a multi-metric search.
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the heat map.
        values_format : str, default=".3f"
            Format of the heat-map annotations.
        include_values : bool, default=True
            Whether to annotate the heat-map cells.
        colorbar : bool, default=True
            Whether to add a colour bar to the heat map.

        Returns
        -------
        SearchResultsDisplay
            The plotted display.
        """
        return cls(cv_results, metric=metric).plot(
            ax,
            kind=kind,
            param=param,
            group=group,
            params=params,
            cmap=cmap,
            values_format=values_format,
            include_values=include_values,
            colorbar=colorbar,
        )

    @classmethod
    def from_search(
        cls,
        search: Any,
        *,
        kind: str = "line",
        param: str | None = None,
        group: str | None = None,
        params: Sequence[str] | None = None,
        metric: str | None = None,
        ax: Axes | None = None,
        cmap: str = "viridis",
        values_format: str = ".3f",
        include_values: bool = True,
        colorbar: bool = True,
    ) -> SearchResultsDisplay:
        """Plot the ``cv_results_`` of a fitted search.

        Parameters
        ----------
        search : GridSearchCV or RandomizedSearchCV
            A fitted search (any object with ``cv_results_``).
        kind : {"line", "heatmap"}, default="line"
            Score lines with error bars, or an annotated heat map.
        param : str, default=None
            Parameter on the x axis (heat-map rows); None plots every
            candidate in search order.
        group : str, default=None
            Second parameter: one line per value (heat-map columns).
        params : tuple of (str, str), default=None
            Shorthand for ``param, group = params``.
        metric : str, default=None
            Scorer to plot, for a multi-metric search.
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure is created.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the heat map.
        values_format : str, default=".3f"
            Format of the heat-map annotations.
        include_values : bool, default=True
            Whether to annotate the heat-map cells.
        colorbar : bool, default=True
            Whether to add a colour bar to the heat map.

        Returns
        -------
        SearchResultsDisplay
            The plotted display.
        """
        cv_results = fitted_attribute(search, "cv_results_", "plotting its results")
        return cls.from_cv_results(
            cv_results,
            kind=kind,
            param=param,
            group=group,
            params=params,
            metric=metric,
            ax=ax,
            cmap=cmap,
            values_format=values_format,
            include_values=include_values,
            colorbar=colorbar,
        )
