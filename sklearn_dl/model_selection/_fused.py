"""Fused fits: a search's (candidate, fold) networks trained as one program.

On Keras's JAX backend, :class:`~sklearn_dl.model_selection.GridSearchCV`
and :class:`~sklearn_dl.model_selection.RandomizedSearchCV` over a
:class:`~sklearn_dl.networks.DenseClassifier` or
:class:`~sklearn_dl.networks.DenseRegressor` group the (candidate, fold) fits
whose networks differ at most by their ``learning_rate`` and train each group
as one vectorized program (``jax.vmap`` over Keras's own train step, see
:mod:`sklearn_dl._backend.fused_jax`). Each fit is prepared exactly as its
sequential fit (clone, validation, targets, the seeded model, the seeded
epoch order of its rows) and finished as that fit (finite checks,
``history_``), so each fit's network, and the search's ``cv_results_``, are
those of scikit-learn's search up to float rounding.

Groups hold at most :data:`MAX_FUSED` fits. Whatever cannot be fused is
fitted as scikit-learn fits it; the search's ``fused_group_`` (one group
number per candidate, -1 for sequential fits) and ``fused_reason_`` (why a
candidate's fits were sequential, ``""`` when fused) say which ran how, and
on JAX, a search over a dense network that cannot fuse also warns once
(``UserWarning``) with the reasons.
"""

from __future__ import annotations

import itertools
import numbers
import time
import warnings
from collections import defaultdict
from itertools import product
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import indexable

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._compat import (
    _check_method_params,
    _fit_and_score,
    _insert_error_scores,
    _safe_split,
    _score,
    _warn_or_raise_about_fit_failures,
)
from sklearn_dl.model_selection._datasets import refuse_datasets
from sklearn_dl.model_selection._refit import refit_best

#: Most (candidate, fold) fits trained together in one fused group.
MAX_FUSED = 64

#: Parameters whose values may differ between the fits of one group.
_PER_COPY = frozenset({"learning_rate"})

#: Parameters that must keep these values for a fit to be fused, and why.
_REQUIRED = (
    ("class_weight", None, "class_weight is set"),
    ("validation_split", 0.0, "validation_split is set"),
    ("callbacks", None, "Keras callbacks are set"),
    ("early_stopping", False, "early_stopping is on"),
    ("warm_start", False, "warm_start is on"),
    ("shuffle", True, "shuffle=False"),
    ("verbose", 0, "verbose is not 0"),
    ("run_eagerly", False, "run_eagerly is on"),
    ("mixed_precision", False, "mixed_precision is on"),
    ("device", None, "a device is set"),
)


def _fusable_network(estimator: Any) -> bool:
    """Whether the estimator is a network the fused path trains."""
    from sklearn_dl.networks import DenseClassifier, DenseRegressor

    return type(estimator) in (DenseClassifier, DenseRegressor)


def search_refusal(search: Any, X: Any, params: dict[str, Any]) -> str | None:
    """Why a search's fits cannot be fused at all, or None.

    Parameters
    ----------
    search : GridSearchCV or RandomizedSearchCV
        The search about to fit.
    X : object
        The training samples.
    params : dict
        The parameters given to the search's ``fit``.

    Returns
    -------
    str or None
        The reason, None when its fits may be fused.
    """
    if configured_backend() != "jax":
        return "fused fits need the JAX backend"
    if not _fusable_network(search.estimator):
        return "fused fits take a DenseClassifier or DenseRegressor (not a pipeline)"
    if params:
        return "fit parameters (such as sample_weight) are given"
    if search.n_jobs not in (None, 1):
        return "n_jobs runs fits in parallel workers"
    if getattr(search, "_skl_callbacks", None):
        return "scikit-learn callbacks are set on the search"
    if not isinstance(X, np.ndarray):
        return "X is not a NumPy array"
    return None


def fit_refusal(estimator: Any) -> str | None:
    """Why one (candidate, fold) fit cannot be fused, or None.

    Parameters
    ----------
    estimator : DenseClassifier or DenseRegressor
        The fit's estimator, the candidate's parameters set.

    Returns
    -------
    str or None
        The reason, None when it may be fused.
    """
    values = estimator.get_params(deep=False)
    for name, wanted, reason in _REQUIRED:
        if values.get(name, wanted) != wanted:
            return reason
    seed = values.get("random_state")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        return "random_state is not an int"
    rate = values.get("learning_rate")
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        return "learning_rate is not a number"
    for name in ("optimizer", "loss"):
        if not isinstance(values.get(name), (str, type(None))):
            return f"{name} is not a name"
    metrics = values.get("metrics")
    if metrics is not None and not all(isinstance(m, str) for m in metrics):
        return "metrics are not names"
    if getattr(estimator, "_skl_callbacks", None):
        return "scikit-learn callbacks are set on the network"
    return None


def group_key(estimator: Any) -> tuple:
    """What the fits of one fused group share: every parameter but the rate.

    Parameters
    ----------
    estimator : DenseClassifier or DenseRegressor
        A fusable fit's estimator.

    Returns
    -------
    tuple
        The key (the estimator's type and its other parameters).
    """
    values = estimator.get_params(deep=False)
    shared = sorted(
        (name, repr(value)) for name, value in values.items() if name not in _PER_COPY
    )
    return (type(estimator).__name__, *shared)


class FusedCandidates:
    """The ``evaluate_candidates`` of a search whose fits may be fused.

    Parameters
    ----------
    search : GridSearchCV or RandomizedSearchCV
        The search.
    base_estimator : estimator
        The search's estimator, cloned.
    X, y : array-like
        The training data.
    splits : list of (train, test)
        The folds.
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
        self.kwargs = fit_and_score_kwargs
        self.all_candidate_params: list[dict] = []
        self.all_out: list[dict] = []
        self.all_more_results: dict[str, list] = defaultdict(list)
        self.results: dict[str, Any] = {}
        self.groups: list[int] = []
        self.reasons: list[str] = []
        self._next_group = 0

    def _estimator(self, parameters: dict[str, Any]) -> Any:
        return clone(self.base_estimator).set_params(**clone(parameters, safe=False))

    def evaluate_candidates(
        self,
        candidate_params: Any,
        cv: Any = None,
        more_results: dict[str, list] | None = None,
        callback_ctx: Any = None,
    ) -> dict[str, Any]:
        """Fit and score candidates on every fold, fused where possible.

        Parameters
        ----------
        candidate_params : list of dict
            The candidates.
        cv : cross-validation generator, default=None
            Unused: the folds were split once, when the search started.
        more_results : dict of str -> list, default=None
            Extra ``cv_results_`` columns for these candidates.
        callback_ctx : CallbackContext, default=None
            Unused (searches with scikit-learn callbacks are not fused).

        Returns
        -------
        dict
            The ``cv_results_`` so far.
        """
        search = self.search
        candidate_params = list(candidate_params)
        n_candidates, n_splits = len(candidate_params), len(self.splits)
        if search.verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n_candidates} candidates,"
                f" totalling {n_candidates * n_splits} fits"
            )
        tasks = list(product(enumerate(candidate_params), enumerate(self.splits)))
        groups: dict[tuple, list[int]] = {}
        reasons = [""] * n_candidates
        for task, ((cand_idx, parameters), _) in enumerate(tasks):
            estimator = self._estimator(parameters)
            reason = fit_refusal(estimator)
            if reason is None:
                groups.setdefault(group_key(estimator), []).append(task)
            else:
                reasons[cand_idx] = reason
        out: list[dict | None] = [None] * len(tasks)
        group_of = [-1] * n_candidates
        for members in groups.values():
            for start in range(0, len(members), MAX_FUSED):
                chunk = members[start : start + MAX_FUSED]
                number = self._next_group
                self._next_group += 1
                for task, row in self._train_group(tasks, chunk).items():
                    out[task] = row
                    cand_idx = tasks[task][0][0]
                    if group_of[cand_idx] == -1:
                        group_of[cand_idx] = number
        for task, row in enumerate(out):
            if row is None:  # not fusable, or refitted alone (see _train_group)
                (cand_idx, parameters), (split_idx, (train, test)) = tasks[task]
                group_of[cand_idx] = -1
                reasons[cand_idx] = reasons[cand_idx] or "its fit failed when fused"
                out[task] = _fit_and_score(
                    clone(self.base_estimator),
                    self.X,
                    self.y,
                    train=train,
                    test=test,
                    parameters=parameters,
                    split_progress=(split_idx, n_splits),
                    candidate_progress=(cand_idx, n_candidates),
                    **self.kwargs,
                    caller=search,
                )
        if len(out) < 1:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
            )
        _warn_or_raise_about_fit_failures(out, search.error_score)
        if callable(search.scoring):
            _insert_error_scores(out, search.error_score)
        self.groups.extend(group_of)
        self.reasons.extend(reasons)
        self.all_candidate_params.extend(candidate_params)
        self.all_out.extend(out)
        for key, value in (more_results or {}).items():
            self.all_more_results[key].extend(value)
        self.results = search._format_results(
            self.all_candidate_params, n_splits, self.all_out, self.all_more_results
        )
        return self.results

    def _train_group(self, tasks: list, chunk: list[int]) -> dict[int, dict]:
        """Train one group's fits together; their ``_fit_and_score`` rows.

        Each fit is prepared in turn (its seeded model built, and the
        compiled model of the previous fit taken from the pool with that
        state), its starting state copied out and the model handed on, so
        the group shares one compiled model, as sequential fits do. A fit
        whose preparation raises, whose loss becomes non-finite or whose
        finish raises gets no row: it is fitted alone afterwards, so its
        error is the sequential fit's own.
        """
        from sklearn_dl._backend.fused_jax import (
            assign_state,
            initial_state,
            train_fused,
        )

        start = time.time()
        prepared: dict[int, tuple] = {}
        holder = None  # the last prepared fit keeps the compiled model
        for task in chunk:
            (_, parameters), (_, (train, _)) = tasks[task]
            estimator = self._estimator(parameters)
            X_train, y_train = _safe_split(estimator, self.X, self.y, train)
            if holder is not None:
                _hand_on(holder)
            try:
                fit = estimator._prepare_fit(
                    X_train,
                    y_train,
                    sample_weight=None,
                    fit_params={},
                    warm=False,
                    epochs=estimator.epochs,
                )
            except Exception:
                holder = None
                continue
            arguments = fit.arguments
            if arguments.get("y") is not None or "steps_per_epoch" not in arguments:
                fit.transaction.rollback()
                holder = None
                continue
            batches = iter(arguments["x"])
            first = next(batches)
            state = initial_state(estimator._model, first)
            prepared[task] = (
                estimator,
                fit,
                itertools.chain([first], batches),
                state,
                _loan_key(estimator),
            )
            holder = estimator
        if not prepared or holder is None:
            return {}
        entries = list(prepared.values())
        try:
            histories, trained = train_fused(
                holder._model,
                [entry[3] for entry in entries],
                [entry[2] for entry in entries],
                [entry[1].arguments["steps_per_epoch"] for entry in entries],
                entries[0][1].plan.epochs,
            )
        except Exception:
            for entry in entries:
                entry[1].transaction.rollback()
            return {}
        fit_time = (time.time() - start) / len(entries)
        rows = {}
        # The holder first: its model then serves the others in turn.
        order = sorted(
            zip(prepared, entries, histories, trained, strict=True),
            key=lambda item: item[1][0] is not holder,
        )
        for task, (estimator, fit, _, _, key), history, state in order:
            finish_start = time.time()
            if estimator is not holder and not _take_model(estimator, key):
                continue
            assign_state(estimator._model, state)
            if not all(np.isfinite(history.get("loss", [np.nan]))):
                fit.transaction.rollback()
                continue
            try:
                estimator._finish_fit(fit, history)
            except Exception:
                continue
            rows[task] = self._score(
                estimator, tasks[task], fit_time + time.time() - finish_start
            )
            _hand_on(estimator)
        return rows

    def _score(self, estimator: Any, task: tuple, fit_time: float) -> dict:
        """The ``_fit_and_score`` row of a trained fit."""
        (_, _), (_, (train, test)) = task
        kwargs = self.kwargs
        X_test, y_test = _safe_split(estimator, self.X, self.y, test, train)
        start = time.time()
        row: dict[str, Any] = {"fit_error": None}
        row["test_scores"] = _score(
            estimator, X_test, y_test, kwargs["scorer"], None, kwargs["error_score"]
        )
        score_time = time.time() - start
        if kwargs["return_train_score"]:
            X_train, y_train = _safe_split(estimator, self.X, self.y, train)
            row["train_scores"] = _score(
                estimator,
                X_train,
                y_train,
                kwargs["scorer"],
                None,
                kwargs["error_score"],
            )
        row["n_test_samples"] = len(test)
        row["fit_time"] = fit_time
        row["score_time"] = score_time
        return row


def _hand_on(estimator: Any) -> None:
    """Give an estimator's compiled model back to the pool, for the next fit."""
    loan = estimator.__dict__.pop("_model_loan", None)
    if loan is not None:
        estimator.__dict__.pop("_model", None)
        loan()


def _loan_key(estimator: Any) -> str | None:
    """The pool key of the model an estimator has on loan, or None."""
    from sklearn_dl._core.model_pool import loan_key

    loan = estimator.__dict__.get("_model_loan")
    return None if loan is None else loan_key(loan)


def _take_model(estimator: Any, key: str | None) -> bool:
    """Give an estimator the pooled model of its architecture back, if idle."""
    from sklearn_dl._core.model_pool import POOL, lend

    model = None if key is None else POOL.take(key)
    if model is None:
        return "_model" in estimator.__dict__  # not pooled: it kept its own
    estimator.__dict__["_model"] = model
    estimator.__dict__["_model_loan"] = lend(estimator, key, model)
    return True


class FusedSearch:
    """A grid or randomized search whose fits are fused where they can be.

    Placed left of scikit-learn's search class; its ``fit`` also refuses
    datasets and generators, which cannot be split into folds.
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
        reason = search_refusal(self, X, params)
        if reason is not None:
            # Warn only where fusing was in reach: a search over a pipeline or
            # another model is scikit-learn's search, as the docs say.
            if configured_backend() == "jax" and _fusable_network(self.estimator):
                warnings.warn(
                    f"{type(self).__name__} fits sequentially: {reason}.",
                    UserWarning,
                    stacklevel=2,
                )
            super().fit(X, y, **params)
            self.fused_group_ = np.full(len(self.cv_results_["params"]), -1)
            self.fused_reason_ = [reason] * len(self.cv_results_["params"])
            return self
        return self._fit_fused(X, y)

    def _fit_fused(self, X: Any, y: Any) -> Any:
        """scikit-learn's ``BaseSearchCV.fit``, with fused groups of fits."""
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params={})
        routed_params = self._get_routed_params_for_fit(params)
        root_context = self._init_callback_context(
            max_subtasks=1 + (self.refit is not False)
        ).call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=None)
        self._checked_cv_orig = check_cv(
            self.cv, y, classifier=is_classifier(self.estimator)
        )
        self._check_input_parameters(X=X, y=y, split_params={})
        self.n_splits_ = self._checked_cv_orig.get_n_splits(X, y)
        splits = list(self._checked_cv_orig.split(X, y))
        if len(splits) != self.n_splits_:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {self.n_splits_} splits, got {len(splits)}"
            )
        candidates = FusedCandidates(
            search=self,
            base_estimator=clone(self.estimator),
            X=X,
            y=y,
            splits=splits,
            fit_and_score_kwargs={
                "scorer": scorers,
                "fit_params": {},
                "score_params": {},
                "return_train_score": self.return_train_score,
                "return_n_test_samples": True,
                "return_times": True,
                "return_parameters": False,
                "error_score": self.error_score,
                "verbose": self.verbose,
            },
        )
        self._run_search(candidates.evaluate_candidates, callback_ctx=root_context)
        results = candidates.results
        first_test_score = candidates.all_out[0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_test_score)
            refit_metric = self.refit
        refit_best(self, X, y, results, refit_metric, scorers, routed_params)
        self.cv_results_ = results
        self.fused_group_ = np.asarray(candidates.groups)
        self.fused_reason_ = list(candidates.reasons)
        sequential = sorted({reason for reason in candidates.reasons if reason})
        if sequential:
            warnings.warn(
                f"{type(self).__name__} fitted some candidates sequentially: "
                + "; ".join(sequential)
                + ".",
                UserWarning,
                stacklevel=3,
            )
        root_context.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=None)
        return self


__all__ = ["MAX_FUSED", "FusedSearch", "fit_refusal", "group_key", "search_refusal"]
