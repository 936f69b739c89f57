"""Windowed forecasting of a time series, tunable by scikit-learn's searches.

The book's recipe for forecasting a series with a recurrent network (part 3,
section 4) has four steps: scale the series on the training part only, cut
it into windows with the value that follows each one, train a regressor on
the windows, and turn its predictions back into the series' units.
:class:`WindowedForecaster` does the four steps inside ``fit`` and
``predict``, so that the window size is an ordinary parameter that
:class:`~sklearn.model_selection.GridSearchCV` can tune, with
:class:`~sklearn.model_selection.TimeSeriesSplit` folds, and every score is
in the series' own units.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn import get_config
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import root_mean_squared_error
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils import Tags, get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_dl._compat import HasMethods, Interval, StrOptions
from sklearn_dl.networks._recurrent import RecurrentRegressor
from sklearn_dl.preprocessing import make_supervised_windows, sliding_windows

__all__ = ["WindowedForecaster"]


def _ndim(series: Any) -> int:
    """Number of dimensions of an array-like, without copying arrays."""
    ndim = getattr(series, "ndim", None)
    return np.asarray(series).ndim if ndim is None else ndim


def _as_column(series: Any) -> Any:
    """A 1-D series as one column; anything else unchanged (validated later)."""
    if _ndim(series) == 1:
        return np.asarray(series).reshape(-1, 1)
    return series


class WindowedForecaster(BaseEstimator):
    """Forecast a series from its previous steps with any regressor.

    ``fit(series)`` scales the series (the scaler learns from this series
    only), cuts it into the book's ``(window, next value)`` pairs with
    :func:`~sklearn_dl.preprocessing.make_supervised_windows`, and fits a
    clone of ``regressor`` on them. ``predict(series)`` returns, for every
    step of ``series``, the forecast of that step from the ``window_size``
    steps before it, in the series' original units. ``score`` is the
    negative root mean squared error of those forecasts, also in original
    units (higher is better, as scikit-learn's searches expect).

    A series is an array of shape ``(n_steps, n_features)``, one time step
    per row, oldest first. A 1-D series of shape ``(n_steps,)``, like the
    book's, is one feature, and forecasts for it are 1-D. With several
    features, every feature is forecast (the regressor must support several
    outputs).

    Parameters
    ----------
    regressor : estimator, default=None
        The regressor trained on the windows; cloned in ``fit``. A regressor
        that takes 3-D samples (tag ``input_tags.three_d_array``, like
        :class:`~sklearn_dl.networks.RecurrentRegressor`) gets windows of
        shape ``(n_windows, window_size, n_features)``; any other (e.g.
        :class:`~sklearn.linear_model.Ridge`) gets them flattened to
        ``(n_windows, window_size * n_features)``. None means
        ``RecurrentRegressor()`` (one LSTM layer of 3 units, the book's).
    window_size : int, default=3
        Number of past steps each forecast is made from (the book tries 1, 3,
        5 and 13).
    horizon : int, default=1
        How many steps after a window's last step its forecast lies; 1 is
        the next step.
    stride : int, default=1
        Spacing, in steps, between the steps of a window; a window covers
        ``span = (window_size - 1) * stride + 1`` steps.
    scaler : transformer, "passthrough" or None, default=None
        Scales the series (fitted on the training series only) before
        windowing; predictions are turned back with its
        ``inverse_transform``. None means the book's
        ``MinMaxScaler(feature_range=(0, 1))``; "passthrough" trains on the
        series as it is.

    Attributes
    ----------
    regressor_ : estimator
        The fitted clone of ``regressor``.
    scaler_ : transformer or None
        The fitted clone of the scaler (None with "passthrough").
    context_ : ndarray of shape (span + horizon - 1, n_features)
        The last steps of the training series, in original units: what the
        first forecasts of a series that continues it are made from.
    n_windows_ : int
        Number of (window, target) pairs the regressor was trained on.
    n_features_in_ : int
        Number of features of the series.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when the series has them.

    See Also
    --------
    sklearn_dl.preprocessing.make_supervised_windows : The windows used here.
    sklearn_dl.networks.RecurrentRegressor : The book's LSTM regressor.

    Notes
    -----
    **Alignment.** ``predict(series)[t]`` is the forecast of ``series[t]``
    made from the window that ends ``horizon`` steps before it: with the
    defaults, from steps ``t - window_size`` to ``t - 1``. The first
    ``span + horizon - 1`` forecasts therefore need steps from before
    ``series``. By default ``series`` is taken to continue the training
    series right where it ended, and those steps come from its end
    (``context_``). That is what a forecaster sees in production, and what
    the test block of a :class:`~sklearn.model_selection.TimeSeriesSplit`
    fold is (with the default ``gap=0``): so every grid-search candidate,
    whatever its window size, is scored on exactly the same test steps.

    For a series that does not continue the training series (the training
    series itself, or the book's test series, which starts 200 steps later),
    pass the steps that precede it as ``context``, or use the series' own
    first steps: ``predict(test[w:], context=test[:w])`` gives the book's
    forecasts of ``test[w:]`` from windows of ``test`` only.

    **Metadata.** Extra ``fit`` arguments are per-step metadata, e.g. a
    ``sample_weight`` of shape ``(n_steps,)``. An array with one value per
    step of the series is handed to the regressor aligned with the windows:
    window ``i`` gets the value of the step it forecasts (its target).
    Without metadata routing every extra argument goes to the regressor's
    ``fit``. With ``sklearn.set_config(enable_metadata_routing=True)`` the
    forecaster is a router: each argument goes to the ``regressor`` and/or
    the ``scaler`` that requested it (``set_fit_request``), so a per-step
    weight passed to ``GridSearchCV(forecaster, ...).fit(series,
    sample_weight=w)`` is split with the folds and reaches the network.

    **Cross-validation.** With ``GridSearchCV(forecaster, grid,
    cv=TimeSeriesSplit(n))`` and the series as ``X`` (no ``y``), each fold
    fits a contiguous block of the series (the scaler learns from that block
    only) and scores the block that follows it.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    >>> from sklearn_dl.datasets import load_sine_series
    >>> from sklearn_dl.forecasting import WindowedForecaster
    >>> train, test = load_sine_series(1)
    >>> search = GridSearchCV(WindowedForecaster(Ridge(alpha=1e-3)),
    ...                       {"window_size": [1, 3, 5]},
    ...                       cv=TimeSeriesSplit(n_splits=3)).fit(train)
    >>> search.best_params_
    {'window_size': 5}
    >>> forecaster = search.best_estimator_
    >>> forecaster.predict(test[5:], context=test[:5]).shape
    (195,)
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "scaler": [
            HasMethods(["fit", "transform", "inverse_transform"]),
            StrOptions({"passthrough"}),
            None,
        ],
    }

    def __init__(
        self,
        regressor: Any = None,
        *,
        window_size: int = 3,
        horizon: int = 1,
        stride: int = 1,
        scaler: Any = None,
    ) -> None:
        self.regressor = regressor
        self.window_size = window_size
        self.horizon = horizon
        self.stride = stride
        self.scaler = scaler

    # ---------------------------------------------------------------- helpers
    def _span(self) -> int:
        """Steps covered by one window."""
        return (self.window_size - 1) * self.stride + 1

    def _n_context(self) -> int:
        """Steps before a series that its first forecast needs."""
        return self._span() + self.horizon - 1

    def _validate_series(self, series: Any, *, reset: bool, name: str) -> np.ndarray:
        """Validate a series (1-D is one feature); return it as float64, 2-D."""
        if _ndim(series) == 1 and not reset and self.n_features_in_ != 1:
            raise ValueError(
                f"Got a 1-D {name}, which is one feature, but "
                f"{type(self).__name__} was fitted on a series of "
                f"{self.n_features_in_} features. Reshape your data to "
                f"(n_steps, {self.n_features_in_})."
            )
        return validate_data(
            self,
            _as_column(series),
            reset=reset,
            dtype=np.float64,
            ensure_all_finite=True,
        )

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return values if self.scaler_ is None else self.scaler_.transform(values)

    def _unscale(self, values: np.ndarray) -> np.ndarray:
        if self.scaler_ is None:
            return values
        return self.scaler_.inverse_transform(values)

    def _regressor_input(self, windows: np.ndarray) -> np.ndarray:
        """Windows as the regressor takes them: 3-D, or flattened rows."""
        if get_tags(self.regressor_).input_tags.three_d_array:
            return np.ascontiguousarray(windows)
        return windows.reshape(windows.shape[0], -1)

    # -------------------------------------------------------------------- api
    def get_metadata_routing(self) -> MetadataRouter:
        """How ``fit``'s metadata is routed to the regressor and the scaler.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
            The router: ``fit`` to the ``regressor``'s ``fit`` and, when the
            ``scaler`` is an estimator, to the scaler's ``fit``.
        """
        router = MetadataRouter(owner=self)
        regressor = RecurrentRegressor() if self.regressor is None else self.regressor
        router.add(
            regressor=regressor,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        if self.scaler is not None and not isinstance(self.scaler, str):
            router.add(
                scaler=self.scaler,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        return router

    def _window_metadata(
        self, params: dict[str, Any], n_steps: int, n_windows: int
    ) -> dict[str, Any]:
        """Per-step metadata as per-window metadata (the value at each target)."""
        targets = np.arange(n_windows) + self._span() - 1 + self.horizon
        aligned = {}
        for name, value in params.items():
            if _ndim(value) >= 1 and len(value) == n_steps:
                value = np.asarray(value)[targets]
            aligned[name] = value
        return aligned

    def fit(self, X: ArrayLike, y: Any = None, **fit_params: Any) -> WindowedForecaster:
        """Learn to forecast the series ``X`` from its windows.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_features) or (n_steps,)
            The training series, one time step per row, oldest first. A 1-D
            series is one feature. Finite values.
        y : None
            Ignored: the targets are the series' own next values.
        **fit_params : dict
            Per-step metadata, e.g. ``sample_weight`` of shape
            ``(n_steps,)`` (see *Metadata* in the class notes): without
            metadata routing all of it goes to the regressor's ``fit``;
            with routing, to whichever of the regressor and scaler
            requested it.

        Returns
        -------
        self : object
            The fitted forecaster.

        Raises
        ------
        ValueError
            If the series holds NaN or infinite values, or is too short for
            one window and its target (``span + horizon`` steps).
        """
        self._validate_params()
        series = self._validate_series(X, reset=True, name="series")
        n_steps, needed = series.shape[0], self._span() + self.horizon
        if n_steps < needed:
            raise ValueError(
                f"The series has {n_steps} time step(s) (n_samples = {n_steps}), "
                f"fewer than the {needed} that one window of window_size="
                f"{self.window_size} (stride={self.stride}) and its target "
                f"horizon={self.horizon} step(s) ahead need."
            )
        if self.scaler is None:
            self.scaler_ = MinMaxScaler(feature_range=(0, 1))
        elif isinstance(self.scaler, str):  # "passthrough"
            self.scaler_ = None
        else:
            self.scaler_ = clone(self.scaler)
        if get_config()["enable_metadata_routing"]:
            routed = process_routing(self, "fit", **fit_params)
            regressor_params = dict(routed.regressor.fit)
            scaler_params = dict(routed.scaler.fit) if "scaler" in routed else {}
        else:
            regressor_params, scaler_params = fit_params, {}
        if self.scaler_ is not None:
            self.scaler_.fit(series, **scaler_params)
        windows, targets = make_supervised_windows(
            self._scale(series),
            self.window_size,
            horizon=self.horizon,
            stride=self.stride,
        )
        if self.regressor is None:
            self.regressor_ = RecurrentRegressor()
        else:
            self.regressor_ = clone(self.regressor)
        self.regressor_.fit(
            self._regressor_input(windows),
            targets,
            **self._window_metadata(regressor_params, n_steps, windows.shape[0]),
        )
        self.n_windows_ = windows.shape[0]
        self.context_ = series[n_steps - self._n_context() :].copy()
        return self

    def predict(self, X: ArrayLike, *, context: ArrayLike | None = None) -> np.ndarray:
        """Forecast every step of a series from the steps before it.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_features) or (n_steps,)
            The series to forecast, oldest first. Forecast ``t`` is made from
            the window ending ``horizon`` steps before step ``t`` (steps ``t
            - window_size`` to ``t - 1`` with the defaults), never from step
            ``t`` itself.
        context : array-like of shape (n_context, n_features) or \
(n_context,), default=None
            The steps right before ``X`` (at least ``span + horizon - 1``;
            only the last ones are used). None means that ``X`` continues
            the training series, whose last steps (``context_``) are used.

        Returns
        -------
        ndarray of shape (n_steps,) or (n_steps, n_features)
            The forecasts in the series' original units, aligned with ``X``;
            1-D when the series has one feature.

        Raises
        ------
        ValueError
            If ``X`` or ``context`` holds NaN or infinite values, has the
            wrong number of features, or ``context`` is too short.
        """
        check_is_fitted(self)
        series = self._validate_series(X, reset=False, name="series")
        n_context = self._n_context()
        if context is None:
            before = self.context_
        else:
            before = check_array(
                _as_column(context), dtype=np.float64, input_name="context"
            )
            if before.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"context has {before.shape[1]} features, but "
                    f"{type(self).__name__} is expecting {self.n_features_in_} "
                    "features as input."
                )
            if before.shape[0] < n_context:
                raise ValueError(
                    f"context has {before.shape[0]} step(s); the first forecast "
                    f"needs the {n_context} step(s) before the series "
                    f"(window_size={self.window_size}, stride={self.stride}, "
                    f"horizon={self.horizon})."
                )
        full = np.concatenate([before[before.shape[0] - n_context :], series])
        scaled = self._scale(full)
        windows = sliding_windows(
            scaled[: scaled.shape[0] - self.horizon],
            self.window_size,
            stride=self.stride,
        )
        outputs = np.asarray(self.regressor_.predict(self._regressor_input(windows)))
        forecasts = self._unscale(outputs.reshape(series.shape[0], -1))
        return forecasts[:, 0] if self.n_features_in_ == 1 else forecasts

    def score(
        self, X: ArrayLike, y: Any = None, *, context: ArrayLike | None = None
    ) -> float:
        """Negative root mean squared error of the forecasts, in original units.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_features) or (n_steps,)
            The series to forecast and compare with (see :meth:`predict`).
        y : None
            Ignored: the forecasts are compared with ``X`` itself.
        context : array-like of shape (n_context, n_features), default=None
            The steps right before ``X``; None means that ``X`` continues
            the training series.

        Returns
        -------
        float
            ``-RMSE`` over all steps of ``X`` (averaged over features when
            there are several); 0 is a perfect forecast.
        """
        forecasts = self.predict(X, context=context)
        actual = self._validate_series(X, reset=False, name="series")
        return -float(root_mean_squared_error(actual, forecasts.reshape(actual.shape)))

    def __sklearn_tags__(self) -> Tags:
        """Estimator tags: no targets needed.

        Returns
        -------
        sklearn.utils.Tags
            The tags.
        """
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
