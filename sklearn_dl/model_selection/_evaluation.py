"""A search that evaluates its candidates itself: the set-up around it, once.

The warm halving search and the fused search replace scikit-learn's
``evaluate_candidates`` with their own. Everything around it is
``BaseSearchCV.fit``'s and written here once: the scorers and the routed
metadata, the folds split once, the callback context, the bookkeeping of the
``_fit_and_score`` rows and, at the end, the best candidate and the refit.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import indexable

from sklearn_dl._compat import (
    _check_method_params,
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn_dl.model_selection._datasets import refuse_datasets
from sklearn_dl.model_selection._refit import refit_best


class NetworkSearch:
    """A search over networks with a ``fit`` of its own (a mixin).

    Placed left of scikit-learn's search class. Its ``fit`` refuses datasets
    and generators (they cannot be split into folds), validates the
    parameters and hands over to :meth:`_fit_networks`.
    """

    def fit(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Run fit with all sets of parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or LazyArray
            Training samples; a :class:`~sklearn_dl.LazyArray` for data
            that does not fit in memory (a dataset or a generator cannot be
            split into folds and is refused).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets.
        **params : dict
            Parameters routed to the estimator's ``fit``, the scorer and the
            splitter, as scikit-learn's search routes them.

        Returns
        -------
        self : object
            The fitted search.
        """
        refuse_datasets(X, self)
        self._validate_params()
        return self._fit_networks(X, y, params)

    def _fit_networks(self, X: Any, y: Any, params: dict[str, Any]) -> Any:
        """The search's own fit (subclasses); the default is scikit-learn's."""
        return self._fit_as_scikit_learn(X, y, params)

    def _fit_as_scikit_learn(self, X: Any, y: Any, params: dict[str, Any]) -> Any:
        """scikit-learn's ``fit``, unchanged."""
        return super().fit(X, y, **params)


class Evaluation(ABC):
    """What every ``evaluate_candidates`` of such a search keeps (a base).

    Parameters
    ----------
    search : BaseSearchCV
        The search.
    base_estimator : estimator
        The search's estimator, cloned.
    X, y : array-like
        The training data.
    splits : list of (train, test)
        The folds, split once.
    fit_and_score_kwargs : dict
        What scikit-learn's search gives ``_fit_and_score``.
    """

    def __init__(
        self,
        *,
        search: Any,
        base_estimator: Any,
        X: Any,
        y: Any,
        splits: list,
        fit_and_score_kwargs: dict[str, Any],
    ) -> None:
        self.search = search
        self.base_estimator = base_estimator
        self.X, self.y = X, y
        self.splits = splits
        self.fit_and_score_kwargs = fit_and_score_kwargs
        self.all_candidate_params: list[dict] = []
        self.all_out: list[dict] = []
        self.all_more_results: dict[str, list] = defaultdict(list)
        self.results: dict[str, Any] = {}

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """What surrounds the whole search (nothing here)."""
        yield

    def evaluate_candidates(
        self,
        candidate_params: Any,
        cv: Any = None,
        more_results: dict[str, list] | None = None,
        callback_ctx: Any = None,
    ) -> dict[str, Any]:
        """Fit and score candidates on every fold (what ``_run_search`` calls).

        Parameters
        ----------
        candidate_params : list of dict
            The candidates (a halving search's with the rung's resource).
        cv : cross-validation generator, default=None
            Unused: the folds were split once, when the search started.
        more_results : dict of str -> list, default=None
            Extra ``cv_results_`` columns for these candidates.
        callback_ctx : CallbackContext, default=None
            The scikit-learn callback context of these fits.

        Returns
        -------
        dict
            The ``cv_results_`` so far.
        """
        return self._evaluate(list(candidate_params), more_results, callback_ctx)

    @abstractmethod
    def _evaluate(
        self,
        candidate_params: list[dict],
        more_results: dict[str, list] | None,
        callback_ctx: Any,
    ) -> dict[str, Any]:
        """The subclass's evaluation; ends with :meth:`record`."""

    def announce(self, n_candidates: int, note: str = "") -> None:
        """Print scikit-learn's line about the fits to come (``verbose > 0``)."""
        n_splits = len(self.splits)
        if self.search.verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n_candidates} candidates,"
                f" totalling {n_candidates * n_splits} fits{note}"
            )

    def record(
        self,
        candidate_params: list[dict],
        out: list[dict],
        more_results: dict[str, list] | None,
    ) -> dict[str, Any]:
        """Add a batch of candidates' rows; the ``cv_results_`` so far.

        Parameters
        ----------
        candidate_params : list of dict
            The candidates.
        out : list of dict
            Their ``_fit_and_score`` rows, candidate by candidate, fold by
            fold.
        more_results : dict of str -> list or None
            Extra ``cv_results_`` columns for these candidates.

        Returns
        -------
        dict
            The results so far.
        """
        search = self.search
        if len(out) < 1:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
            )
        _warn_or_raise_about_fit_failures(out, search.error_score)
        if callable(search.scoring):
            _insert_error_scores(out, search.error_score)
        self.all_candidate_params.extend(candidate_params)
        self.all_out.extend(out)
        for key, value in (more_results or {}).items():
            self.all_more_results[key].extend(value)
        self.results = search._format_results(
            self.all_candidate_params,
            len(self.splits),
            self.all_out,
            self.all_more_results,
        )
        return self.results


def can_run_evaluation(search: Any) -> bool:
    """Whether this scikit-learn's search has what :func:`run_evaluation` calls.

    :func:`run_evaluation` follows scikit-learn 1.9's ``BaseSearchCV.fit``,
    whose callback context is new in 1.9; an older scikit-learn runs its own
    ``fit``.

    Parameters
    ----------
    search : BaseSearchCV
        The search.

    Returns
    -------
    bool
        True on scikit-learn >= 1.9.
    """
    return hasattr(search, "_init_callback_context")


def run_evaluation(
    search: Any,
    X: Any,
    y: Any,
    params: dict[str, Any],
    make_evaluation: Callable[..., Evaluation],
    **fit_and_score_extra: Any,
) -> Evaluation:
    """``BaseSearchCV.fit`` with the search's own evaluation of candidates.

    Parameters
    ----------
    search : BaseSearchCV
        The search (its parameters validated).
    X, y : array-like
        Training data.
    params : dict
        The parameters given to ``fit``, routed as scikit-learn routes them.
    make_evaluation : callable
        Builds the :class:`Evaluation` from its keyword arguments.
    **fit_and_score_extra : dict
        More ``_fit_and_score`` arguments (e.g. ``return_estimator``).

    Returns
    -------
    Evaluation
        The evaluation, after the search (its rows in ``all_out``).
    """
    # The steps of scikit-learn 1.9's BaseSearchCV.fit, through its own
    # (private) helpers, so scoring, routing, callbacks and results stay
    # scikit-learn's; only evaluate_candidates is ours. The equivalence
    # tests check the result against scikit-learn's own search (1.9 only:
    # the callback context is new in 1.9).
    scorers, refit_metric = search._get_scorers()
    X, y = indexable(X, y)
    params = _check_method_params(X, params=params)
    routed_params = search._get_routed_params_for_fit(params)
    sample_weight = params.get("sample_weight")
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    root_context = search._init_callback_context(
        max_subtasks=1 + (search.refit is not False)
    ).call_on_fit_task_begin(estimator=search, X=X, y=y, metadata=metadata)
    search._checked_cv_orig = check_cv(
        search.cv, y, classifier=is_classifier(search.estimator)
    )
    split_params = routed_params.splitter.split
    search._check_input_parameters(X=X, y=y, split_params=split_params)
    search.n_splits_ = search._checked_cv_orig.get_n_splits(X, y, **split_params)
    splits = list(search._checked_cv_orig.split(X, y, **split_params))
    if len(splits) != search.n_splits_:
        raise ValueError(
            "cv.split and cv.get_n_splits return inconsistent results. "
            f"Expected {search.n_splits_} splits, got {len(splits)}"
        )
    evaluation = make_evaluation(
        search=search,
        base_estimator=clone(search.estimator),
        X=X,
        y=y,
        splits=splits,
        fit_and_score_kwargs={
            "scorer": scorers,
            "fit_params": routed_params.estimator.fit,
            "score_params": routed_params.scorer.score,
            "return_train_score": search.return_train_score,
            "return_n_test_samples": True,
            "return_times": True,
            "return_parameters": False,
            "error_score": search.error_score,
            "verbose": search.verbose,
            **fit_and_score_extra,
        },
    )
    with evaluation.running():
        search._run_search(evaluation.evaluate_candidates, callback_ctx=root_context)
    results = evaluation.results
    first_test_score = evaluation.all_out[0]["test_scores"]
    search.multimetric_ = isinstance(first_test_score, dict)
    if callable(search.scoring) and search.multimetric_:
        search._check_refit_for_multimetric(first_test_score)
        refit_metric = search.refit
    refit_best(search, X, y, results, refit_metric, scorers, routed_params)
    search.cv_results_ = results
    root_context.call_on_fit_task_end(estimator=search, X=X, y=y, metadata=metadata)
    return evaluation


__all__ = ["Evaluation", "NetworkSearch", "run_evaluation"]
