"""Fitted networks set aside between fits, their compiled model lent out.

A warm successive-halving search keeps every (candidate, fold) network of a
rung until the next rung continues it. Kept with their compiled models,
those networks would each trace Keras's functions once (about half a second
per model on TensorFlow), where scikit-learn's cold rungs reuse one pooled
model per architecture. So, between rungs, a network is *parked*: the values
of its model's and optimizer's variables (weights, states, random-generator
states, slots, iteration count) are copied out, and the compiled model goes
back to the pool for the next fit. *Unparking* takes a pooled model of the
same architecture (or builds one), assigns every value back and lends it to
the estimator, which then trains on exactly where it stopped. A parked
estimator pickles without any Keras object (to joblib's workers and back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sklearn_dl._backend.devices import device_scope
from sklearn_dl._core.model_pool import POOL, is_shared, lend, loan_key
from sklearn_dl._core.transaction import FitTransaction


@dataclass
class ParkedNetwork:
    """A fitted network's variable values, without its model.

    Attributes
    ----------
    key : str
        The architecture key of the model it came from.
    model_values : list of ndarray
        Values of ``model.variables``, in order.
    optimizer_values : list of ndarray
        Values of ``model.optimizer.variables``, in order.
    device : str or None
        The device its fit was placed on.
    """

    key: str
    model_values: list
    optimizer_values: list
    device: str | None


def park_network(estimator: Any) -> bool:
    """Copy a fitted estimator's network state out and lend its model back.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        A fitted estimator whose model came from (and may go back to) the
        compiled-model pool.

    Returns
    -------
    bool
        Whether it was parked; False (nothing changed) for a model that
        cannot be pooled (user code holds it, reuse is off, a model without
        a key), which the estimator simply keeps.
    """
    state = estimator.__dict__
    model, loan = state.get("_model"), state.get("_model_loan")
    key = None if loan is None else loan_key(loan)
    if model is None or key is None or is_shared(model):
        return False
    optimizer = model.optimizer
    state["_parked_network"] = ParkedNetwork(
        key=key,
        model_values=[np.array(v.numpy(), copy=True) for v in model.variables],
        optimizer_values=[np.array(v.numpy(), copy=True) for v in optimizer.variables],
        device=(state.get("_prediction_setup") or (None, None))[1],
    )
    del state["_model"]
    state.pop("_model_loan")()  # the model goes back to the pool now
    return True


def unpark_network(estimator: Any) -> None:
    """Give a parked estimator a compiled model holding its exact state again.

    An idle pooled model of the same architecture is taken when there is
    one; otherwise the estimator builds and compiles one from its
    parameters and fitted meta. An estimator that is not parked is left as
    it is.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator.
    """
    parked = estimator.__dict__.pop("_parked_network", None)
    if parked is None:
        return
    with device_scope(parked.device):
        model = POOL.take(parked.key)
        if model is not None and _lines_up(model, parked):
            estimator.__dict__["_model"] = model
            estimator.__dict__["_model_loan"] = lend(estimator, parked.key, model)
        else:
            if model is not None:
                POOL.give(parked.key, model)
            sample = np.zeros((1, *estimator.X_shape_[1:]), dtype=np.float32)
            transaction = FitTransaction(estimator, keeps_model=False)
            estimator._initialize_model(sample, None, transaction)
            model = estimator.__dict__["_model"]
            if not model.optimizer.built:
                model.optimizer.build(model.trainable_variables)
            if not _lines_up(model, parked):
                raise RuntimeError(
                    f"The rebuilt network of {type(estimator).__name__} does not "
                    "have the variables of the parked one; its builder must "
                    "build the same network from the same parameters."
                )
        optimizer_variables = model.optimizer.variables
        for variable, value in zip(model.variables, parked.model_values, strict=True):
            variable.assign(value)
        for variable, value in zip(
            optimizer_variables, parked.optimizer_values, strict=True
        ):
            variable.assign(value)


def _lines_up(model: Any, parked: ParkedNetwork) -> bool:
    """Whether ``model``'s variables have the parked values' shapes."""
    optimizer = model.optimizer
    if not optimizer.built:
        return False
    return [tuple(v.shape) for v in model.variables] == [
        value.shape for value in parked.model_values
    ] and [tuple(v.shape) for v in optimizer.variables] == [
        value.shape for value in parked.optimizer_values
    ]


__all__ = ["ParkedNetwork", "park_network", "unpark_network"]
