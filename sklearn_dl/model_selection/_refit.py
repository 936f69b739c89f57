"""How a search ends: the best candidate, then the refit, as scikit-learn's.

The warm halving search and the fused search run scikit-learn's schedule
with their own evaluation; both then end as ``BaseSearchCV.fit`` does.
"""

from __future__ import annotations

import time
from typing import Any

from sklearn.base import clone

from sklearn_dl._compat import _MultimetricScorer


def refit_best(
    search: Any,
    X: Any,
    y: Any,
    results: dict[str, Any],
    refit_metric: Any,
    scorers: Any,
    routed_params: Any,
) -> None:
    """Set the best candidate's attributes and refit it on all of X.

    Parameters
    ----------
    search : BaseSearchCV
        The search, whose ``cv_results_`` are ``results``.
    X : array-like
        Training samples.
    y : array-like or None
        Targets.
    results : dict
        The search's results (``cv_results_``).
    refit_metric : str
        The metric that picks the best candidate.
    scorers : callable or _MultimetricScorer
        The search's scorers.
    routed_params : Bunch
        Metadata routed to the estimator's ``fit``.
    """
    if search.refit or not search.multimetric_:
        search.best_index_ = search._select_best_index(
            search.refit, refit_metric, results
        )
        if not callable(search.refit):
            search.best_score_ = results[f"mean_test_{refit_metric}"][
                search.best_index_
            ]
        search.best_params_ = results["params"][search.best_index_]
    if search.refit:
        search.best_estimator_ = clone(search.estimator).set_params(
            **clone(search.best_params_, safe=False)
        )
        start = time.time()
        if y is not None:
            search.best_estimator_.fit(X, y, **routed_params.estimator.fit)
        else:
            search.best_estimator_.fit(X, **routed_params.estimator.fit)
        search.refit_time_ = time.time() - start
        if hasattr(search.best_estimator_, "feature_names_in_"):
            search.feature_names_in_ = search.best_estimator_.feature_names_in_
    search.scorer_ = (
        scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
    )
