"""Successive halving whose rungs continue training: ``resource="epochs"``.

scikit-learn's halving searches fit every surviving candidate again from
scratch at each rung, with the rung's number of epochs: a candidate that
survives three rungs of 1, 3 and 9 epochs trains 13 epochs to be scored at
9. Over a sklearn_dl network, these searches keep each (candidate, fold)
network between rungs and train it only the epochs the rung adds
(``warm_start=True`` with ``epochs`` set to the difference): epoch ``k``'s
row order comes from ``(random_state, k)`` alone and the optimizer keeps its
state, so a network continued from 3 to 9 epochs is the network trained 9
epochs in one fit, up to float rounding, and the search gives scikit-learn's
results for less training.

The schedule, the elimination, the attributes and the ``cv_results_`` are
scikit-learn's own (its ``_run_search`` runs, given this module's
``evaluate_candidates``). What differs:

- a Keras callback or the network's ``early_stopping`` starts afresh at
  each rung (a patience counter, a learning-rate schedule that reads
  Keras's epoch number continue; one that counts its own calls does not),
  so a fit that stops early is not the one-fit equivalent;
- ``mean_fit_time`` is the time of the epochs the rung added;
- every (candidate, fold) network of a rung is kept until the next rung
  has trained its survivors: memory grows with
  ``n_candidates * n_splits`` networks of the first rung (with
  ``n_jobs``, in the parent process, pickled to the workers and back at
  each rung).

Other resources, and estimators that are not sklearn_dl networks (or a
pipeline ending in one), are searched exactly as scikit-learn searches them.
"""

from __future__ import annotations

import numbers
from collections import defaultdict
from typing import Any

from joblib import Parallel, delayed
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import indexable

from sklearn_dl._compat import (
    SklearnHalvingGridSearchCV,
    SklearnHalvingRandomSearchCV,
    _check_method_params,
    _fit_and_score,
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.parking import park_network, unpark_network
from sklearn_dl.model_selection._datasets import refuse_datasets
from sklearn_dl.model_selection._docs import derived_docstring
from sklearn_dl.model_selection._refit import refit_best

_WARM_NOTES = """
    scikit-learn's successive-halving search, with the same arguments,
    attributes and ``cv_results_``, importable without
    ``sklearn.experimental.enable_halving_search_cv``. With
    ``resource="epochs"`` (or ``"<step>__epochs"`` for a pipeline ending in a
    network) over a sklearn_dl network, a candidate that survives a rung
    continues training from where that rung stopped instead of starting
    again: the rung's network is the one a single fit of that many epochs
    gives, up to float rounding (callbacks and early stopping restart at
    each rung; fit times are those of the added epochs; the networks of a
    rung are kept in memory until the next rung has continued them). A
    ``resource`` that names a parameter whose value is not an integer is
    refused with a ``ValueError``.
"""


class _ContinuingRungsSearch:
    """The successive-halving search over networks (a mixin).

    It replaces ``fit`` when the rungs can continue training; otherwise
    scikit-learn's ``fit`` runs unchanged.
    """

    def fit(self, X: Any, y: Any = None, **params: Any) -> _ContinuingRungsSearch:
        """Run the successive-halving search.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or LazyArray
            Training samples; a :class:`~sklearn_dl.LazyArray` for data
            that does not fit in memory (a dataset or a generator cannot be
            split into folds and is refused).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
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
        owner_prefix = self._continuing_resource()
        if owner_prefix is None:
            return super().fit(X, y, **params)
        return self._fit_warm(X, y, params, owner_prefix)

    def _continuing_resource(self) -> str | None:
        """The ``warm_start`` parameter's prefix when rungs continue, else None.

        Raises a ``ValueError`` when ``resource`` names a parameter whose
        value is not an integer (scikit-learn would set it to integers
        without complaint).
        """
        if self.resource == "n_samples":
            return None
        estimator_params = self.estimator.get_params(deep=True)
        if self.resource not in estimator_params:
            return None  # scikit-learn's own error names the problem
        value = estimator_params[self.resource]
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(
                f"resource={self.resource!r} must name an integer parameter of "
                f"the estimator (a budget such as 'epochs'); its value is "
                f"{value!r}."
            )
        owner_name, _, name = self.resource.rpartition("__")
        owner = estimator_params.get(owner_name) if owner_name else self.estimator
        if name != "epochs" or not isinstance(owner, BaseKerasEstimator):
            return None
        return f"{owner_name}__" if owner_name else ""

    def _fit_warm(
        self, X: Any, y: Any, params: dict[str, Any], prefix: str
    ) -> _ContinuingRungsSearch:
        """scikit-learn's ``BaseSearchCV.fit``, with rungs that continue."""
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed_params = self._get_routed_params_for_fit(params)
        sample_weight = params.get("sample_weight")
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        root_context = self._init_callback_context(
            max_subtasks=1 + (self.refit is not False)
        ).call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        self._checked_cv_orig = check_cv(
            self.cv, y, classifier=is_classifier(self.estimator)
        )
        split_params = routed_params.splitter.split
        self._check_input_parameters(X=X, y=y, split_params=split_params)
        self.n_splits_ = self._checked_cv_orig.get_n_splits(X, y, **split_params)
        splits = list(self._checked_cv_orig.split(X, y, **split_params))
        if len(splits) != self.n_splits_:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {self.n_splits_} splits, got {len(splits)}"
            )
        rungs = _ContinuingRungs(
            search=self,
            base_estimator=clone(self.estimator),
            X=X,
            y=y,
            splits=splits,
            network_prefix=prefix,
            fit_and_score_kwargs={
                "scorer": scorers,
                "fit_params": routed_params.estimator.fit,
                "score_params": routed_params.scorer.score,
                "return_train_score": self.return_train_score,
                "return_n_test_samples": True,
                "return_times": True,
                "return_parameters": False,
                "return_estimator": True,
                "error_score": self.error_score,
                "verbose": self.verbose,
            },
        )
        with rungs.parallel:
            self._run_search(rungs.evaluate_candidates, callback_ctx=root_context)
        rungs.release()
        results = rungs.results
        first_test_score = rungs.all_out[0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_test_score)
            refit_metric = self.refit
        refit_best(self, X, y, results, refit_metric, scorers, routed_params)
        self.cv_results_ = results
        root_context.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        return self


class _ContinuingRungs:
    """The ``evaluate_candidates`` of a warm halving search, and its networks.

    scikit-learn's ``_run_search`` calls :meth:`evaluate_candidates` once
    per rung with the surviving candidates, the rung's resource set in each.
    A candidate seen in the previous rung continues each fold's network by
    the epochs the rung adds; a new one (the first rung) is cloned and
    trained from scratch.
    """

    def __init__(
        self,
        *,
        search: Any,
        base_estimator: Any,
        X: Any,
        y: Any,
        splits: list,
        network_prefix: str,
        fit_and_score_kwargs: dict[str, Any],
    ) -> None:
        self.search = search
        self.base_estimator = base_estimator
        self.X, self.y = X, y
        self.splits = splits
        self.network_prefix = network_prefix
        self.warm_start_parameter = f"{network_prefix}warm_start"
        self.fit_and_score_kwargs = fit_and_score_kwargs
        self.parallel = Parallel(n_jobs=search.n_jobs, pre_dispatch=search.pre_dispatch)
        self.all_candidate_params: list[dict] = []
        self.all_out: list[dict] = []
        self.all_more_results: dict[str, list] = defaultdict(list)
        self.results: dict[str, Any] = {}
        # candidate key -> list of (per-fold networks, epochs trained)
        self._kept: dict[tuple, list] = {}

    def _key(self, candidate: dict[str, Any]) -> tuple:
        """A candidate's identity, whatever its resource value.

        sklearn's ``_run_search`` passes shallow copies of the previous
        rung's candidates (same value objects), so the values' identities
        name a candidate; the kept candidate dicts keep those objects alive.
        """
        resource = self.search.resource
        return tuple(
            sorted(
                (name, id(value))
                for name, value in candidate.items()
                if name != resource
            )
        )

    def evaluate_candidates(
        self,
        candidate_params: Any,
        cv: Any = None,
        more_results: dict[str, list] | None = None,
        callback_ctx: Any = None,
    ) -> dict[str, Any]:
        """Fit and score one rung's candidates on every fold.

        Parameters
        ----------
        candidate_params : list of dict
            The rung's candidates, each with the rung's resource value.
        cv : cross-validation generator, default=None
            Unused: the folds were split once, when the search started.
        more_results : dict of str -> list, default=None
            Extra ``cv_results_`` columns for these candidates.
        callback_ctx : CallbackContext, default=None
            The rung's scikit-learn callback context.

        Returns
        -------
        dict
            The ``cv_results_`` so far.
        """
        search, resource = self.search, self.search.resource
        candidate_params = list(candidate_params)
        n_candidates, n_splits = len(candidate_params), len(self.splits)
        if search.verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n_candidates} candidates,"
                f" totalling {n_candidates * n_splits} fits (continued from the"
                " previous rung where it ran)"
            )
        tasks, kept = [], {}
        for cand_idx, candidate in enumerate(candidate_params):
            key = self._key(candidate)
            previous = self._kept.get(key) or []
            networks, trained = previous.pop(0) if previous else (None, 0)
            target = int(candidate[resource])
            for split_idx, (train, test) in enumerate(self.splits):
                network = None if networks is None else networks[split_idx]
                if network is None or target <= trained:
                    estimator = clone(self.base_estimator)
                    parameters = {
                        **candidate,
                        resource: target,
                        self.warm_start_parameter: True,
                    }
                else:
                    estimator = network
                    parameters = {resource: target - trained}
                tasks.append((cand_idx, split_idx, train, test, estimator, parameters))
            kept.setdefault(key, [])
        contexts = [
            None
            if callback_ctx is None
            else callback_ctx.subcontext(
                task_name="candidate-split-evaluation", task_id=task_id
            )
            for task_id in range(len(tasks))
        ]
        out = self.parallel(
            delayed(_continue_and_score)(
                self.network_prefix,
                estimator,
                self.X,
                self.y,
                train=train,
                test=test,
                parameters=parameters,
                split_progress=(split_idx, n_splits),
                candidate_progress=(cand_idx, n_candidates),
                **self.fit_and_score_kwargs,
                caller=search,
                callback_ctx=context,
            )
            for (
                (cand_idx, split_idx, train, test, estimator, parameters),
                context,
            ) in zip(tasks, contexts, strict=True)
        )
        if len(out) < 1:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
            )
        for cand_idx, candidate in enumerate(candidate_params):
            rows = out[cand_idx * n_splits : (cand_idx + 1) * n_splits]
            networks = [
                None if row.get("fit_error") is not None else row.pop("estimator")
                for row in rows
            ]
            kept[self._key(candidate)].append((networks, int(candidate[resource])))
        for row in out:
            row.pop("estimator", None)
        # The previous rung's networks not continued here are let go now.
        self._kept = kept
        self._kept_candidates = candidate_params
        _warn_or_raise_about_fit_failures(out, search.error_score)
        if callable(search.scoring):
            _insert_error_scores(out, search.error_score)
        self.all_candidate_params.extend(candidate_params)
        self.all_out.extend(out)
        for key, value in (more_results or {}).items():
            self.all_more_results[key].extend(value)
        self.results = search._format_results(
            self.all_candidate_params, n_splits, self.all_out, self.all_more_results
        )
        return self.results

    def release(self) -> None:
        """Let go of the last rung's networks."""
        self._kept = {}
        self._kept_candidates = []


def _network_of(estimator: Any, prefix: str) -> Any:
    """The sklearn_dl network inside ``estimator`` (itself, or a pipeline's step)."""
    return estimator.get_params()[prefix[:-2]] if prefix else estimator


def _continue_and_score(prefix: str, estimator: Any, *args: Any, **kwargs: Any) -> dict:
    """``_fit_and_score`` for a network that may be parked, parked again after.

    The network gets its compiled model back before it trains on (see
    :mod:`sklearn_dl._core.parking`); once trained and scored, its state is
    copied out and the model lent to the next fit, so a rung's networks
    share one compiled model per architecture as scikit-learn's cold fits do.
    """
    unpark_network(_network_of(estimator, prefix))
    out = _fit_and_score(estimator, *args, **kwargs)
    if out.get("fit_error") is None:
        park_network(_network_of(out["estimator"], prefix))
    return out


class HalvingGridSearchCV(_ContinuingRungsSearch, SklearnHalvingGridSearchCV):
    __doc__ = derived_docstring(
        SklearnHalvingGridSearchCV,
        "Search over specified parameter values with successive halving.",
        _WARM_NOTES,
    )


class HalvingRandomSearchCV(_ContinuingRungsSearch, SklearnHalvingRandomSearchCV):
    __doc__ = derived_docstring(
        SklearnHalvingRandomSearchCV,
        "Randomized search on hyper parameters with successive halving.",
        _WARM_NOTES,
    )


__all__ = ["HalvingGridSearchCV", "HalvingRandomSearchCV"]
