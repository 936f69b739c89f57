"""The plan of one fit, resolved once when ``fit`` starts.

Everything a fit needs from the parameters (routed arguments, callbacks,
device, seed, epochs, the predict batch size) is worked out and checked in
one place, before any Keras work, so an invalid routed argument fails fast
and the training code reads settled values instead of re-routing
parameters as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sklearn_dl._backend.devices import gpu_count, resolve_device
from sklearn_dl._core.seeding import seed_from_random_state

#: Rows per call on the predict path when ``predict__batch_size`` is not set.
DEFAULT_PREDICT_BATCH_SIZE = 256


@dataclass(frozen=True)
class FitPlan:
    """Settled values for one fit.

    Attributes
    ----------
    reset : bool
        Whether a new model is built (False: a warm start keeps training
        the current one).
    initial_epoch : int
        Epochs already trained (counted over warm starts).
    epochs : int
        Epochs to train in this fit.
    seed : int or None
        The fit's base seed (from ``random_state``), None when unseeded.
    device : str or None
        The Keras device to place the fit on, None for the default.
    fit_kwargs : dict
        Routed ``fit__*`` and fit-time arguments for ``Model.fit``.
    callbacks : list
        Fresh copies of the user's Keras callbacks for this fit.
    predict_batch_size : int
        Rows per compiled predict call (``predict__batch_size``).
    """

    reset: bool
    initial_epoch: int
    epochs: int
    seed: int | None
    device: str | None
    fit_kwargs: dict[str, Any] = field(default_factory=dict)
    callbacks: list[Any] = field(default_factory=list)
    predict_batch_size: int = DEFAULT_PREDICT_BATCH_SIZE

    @property
    def final_epoch(self) -> int:
        """The epoch count reached when the fit ends.

        Returns
        -------
        int
            ``initial_epoch + epochs``.
        """
        return self.initial_epoch + self.epochs


def resolve_placement(device: Any) -> str | None:
    """The Keras device name for an estimator's ``device`` parameter.

    Parameters
    ----------
    device : {"auto", "cpu"}, int, str or None
        The parameter's value.

    Returns
    -------
    str or None
        A device name such as ``"gpu:0"``, or None for the default.
    """
    return resolve_device(device, gpu_count())


def make_plan(
    estimator: Any, *, fit_params: dict[str, Any], warm: bool, epochs: int
) -> FitPlan:
    """Resolve the plan of one fit of ``estimator``.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator about to fit (its parameters already validated).
    fit_params : dict
        Keyword arguments given to ``fit`` for ``Model.fit``.
    warm : bool
        Whether the fit continues the current model when there is one.
    epochs : int
        Epochs to train.

    Returns
    -------
    FitPlan
        The plan.
    """
    reset = not (warm and estimator.__sklearn_is_fitted__())
    history = {} if reset else estimator.history_
    initial_epoch = len(history.get("loss", []))
    base_seed = seed_from_random_state(estimator.random_state)
    return FitPlan(
        reset=reset,
        initial_epoch=initial_epoch,
        epochs=epochs,
        seed=base_seed,
        device=resolve_placement(getattr(estimator, "device", None)),
        fit_kwargs=estimator._fit_kwargs(fit_params),
        callbacks=estimator._make_callbacks(),
        predict_batch_size=estimator._predict_batch_size(),
    )
