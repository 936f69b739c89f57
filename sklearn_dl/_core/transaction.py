"""A fit that raises leaves the estimator exactly as it was before.

Training changes things in place: the estimator's fitted attributes, its
``history_``, the Keras model a warm start keeps training, and the model
lent by the compiled-model pool. :class:`FitTransaction` records what a fit
may change before it starts and puts it back when the fit raises anything
(``KeyboardInterrupt`` included); only a fit that succeeds gives the
previous model back to the pool.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _variable_values(model: Any) -> list[tuple[Any, np.ndarray]]:
    """Every variable a warm fit can change (weights, states, optimizer slots)."""
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and optimizer.built:
        variables += list(optimizer.variables)
    return [(variable, np.array(variable.numpy(), copy=True)) for variable in variables]


class FitTransaction:
    """What one fit may change, recorded so a failure can undo it.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator about to fit.
    keeps_model : bool
        Whether the fit trains the current model further (a warm start),
        in which case its variables are recorded too.
    """

    def __init__(self, estimator: Any, *, keeps_model: bool) -> None:
        self._estimator = estimator
        self._state = dict(estimator.__dict__)
        history = self._state.get("history_")
        self._history = (
            {name: list(values) for name, values in history.items()}
            if isinstance(history, dict)
            else None
        )
        model = self._state.get("_model")
        self._values = None
        if keeps_model and model is not None:
            self.protect(model)

    def protect(self, model: Any) -> None:
        """Record the variables of the current ``model`` before they change.

        Called before a warm start trains the current model further, or a
        refit reuses it for a new network of the same architecture.

        Parameters
        ----------
        model : keras.Model
            The estimator's current model.
        """
        if self._values is None:
            self._values = _variable_values(model)

    def rollback(self) -> None:
        """Put the estimator back as it was when the fit started.

        A model built (or taken from the pool) by the failed fit goes back
        to the pool; the previous model, its loan, its variables, the fitted
        attributes and ``history_`` are restored.
        """
        current = self._estimator.__dict__
        loan = current.get("_model_loan")
        if loan is not None and loan is not self._state.get("_model_loan"):
            loan()  # the failed fit's model: nobody uses it any more
        current.clear()
        current.update(self._state)
        if self._history is not None:
            current["history_"] = self._history
        for variable, value in self._values or ():
            variable.assign(value)

    def commit(self) -> None:
        """Let go of the previous model when the fit replaced it."""
        loan = self._state.get("_model_loan")
        if loan is not None and loan is not self._estimator.__dict__.get("_model_loan"):
            loan()
