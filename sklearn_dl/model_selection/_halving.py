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

import contextlib
import numbers
import warnings
from collections.abc import Iterator
from functools import partial
from typing import Any

from joblib import Parallel, delayed
from sklearn.base import clone

from sklearn_dl._compat import (
    SklearnHalvingGridSearchCV,
    SklearnHalvingRandomSearchCV,
    _fit_and_score,
)
from sklearn_dl._core.estimator import BaseKerasEstimator
from sklearn_dl._core.parking import park_network, unpark_network
from sklearn_dl.model_selection._docs import derived_docstring
from sklearn_dl.model_selection._evaluation import (
    Evaluation,
    NetworkSearch,
    can_run_evaluation,
    run_evaluation,
)

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


class _ContinuingRungsSearch(NetworkSearch):
    """The successive-halving search over networks (a mixin).

    It replaces ``fit`` when the rungs can continue training; otherwise
    scikit-learn's ``fit`` runs unchanged.
    """

    def _fit_networks(
        self, X: Any, y: Any, params: dict[str, Any]
    ) -> _ContinuingRungsSearch:
        """Rungs that continue training where they can, else scikit-learn's."""
        prefix = self._continuing_resource()
        if prefix is not None and not can_run_evaluation(self):
            warnings.warn(
                f"{type(self).__name__} restarts each rung, as scikit-learn's "
                "search does: continuing rungs need scikit-learn >= 1.9.",
                UserWarning,
                stacklevel=3,
            )
            prefix = None
        if prefix is None:
            return self._fit_as_scikit_learn(X, y, params)
        run_evaluation(
            self,
            X,
            y,
            params,
            partial(_ContinuingRungs, network_prefix=prefix),
            return_estimator=True,
        )
        return self

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


class _ContinuingRungs(Evaluation):
    """The ``evaluate_candidates`` of a warm halving search, and its networks.

    scikit-learn's ``_run_search`` calls :meth:`evaluate_candidates` once
    per rung with the surviving candidates, the rung's resource set in each.
    A candidate seen in the previous rung continues each fold's network by
    the epochs the rung adds; a new one (the first rung) is cloned and
    trained from scratch.
    """

    def __init__(self, *, network_prefix: str, **evaluation: Any) -> None:
        super().__init__(**evaluation)
        self.network_prefix = network_prefix
        self.warm_start_parameter = f"{network_prefix}warm_start"
        self.parallel = Parallel(
            n_jobs=self.search.n_jobs, pre_dispatch=self.search.pre_dispatch
        )
        # candidate key -> list of (per-fold networks, epochs trained)
        self._kept: dict[tuple, list] = {}

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """The rungs share the workers; the last rung's networks go after."""
        with self.parallel:
            yield
        self.release()

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

    def _evaluate(
        self,
        candidate_params: list[dict],
        more_results: dict[str, list] | None,
        callback_ctx: Any,
    ) -> dict[str, Any]:
        search, resource = self.search, self.search.resource
        n_candidates, n_splits = len(candidate_params), len(self.splits)
        self.announce(n_candidates, " (continued from the previous rung where it ran)")
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
        self.record(candidate_params, out, more_results)
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
