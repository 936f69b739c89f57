"""Several training steps per compiled call, where the backend gains from it.

Keras runs ``steps_per_execution`` batches per call of a model's train
function. On TensorFlow each call of a small model costs more in Python and
``tf.function`` dispatch than in arithmetic, so running a whole epoch per call
made a refit of a small dense network roughly 40% faster (measured roughly:
digits, 64-64-10, 5 epochs), with the same operations on the same batches.
The estimator core decides when that is exactly equivalent (no batch-level
callbacks, batches that end with each epoch); this module decides how many
steps go in one call and switches a model to it for one ``Model.fit``.

Keras reads ``steps_per_execution`` when it traces the train (and test)
function, so a different value needs functions of its own, traced once: the
functions of each value are kept with the model and put back when a later
fit uses the same value. The compiled value (``compile(...,
steps_per_execution=...)``) is restored after every fit, with its functions,
so the model a user reads and trains themselves is the one they compiled. On
JAX a different ``steps_per_execution`` compiles a different XLA program
that a fresh process would pay for, and its steps cost little Python already:
only TensorFlow uses more than one step per call (not measured on JAX).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sklearn_dl._backend.environment import configured_backend

# Where a model keeps its train and test functions for each number of steps
# per call (an attribute of the model itself: a weak map keyed by the model
# would hold it alive through the functions' references to it).
_FUNCTIONS_ATTRIBUTE = "_sklearn_dl_step_functions"


def _compiled_state(model: Any) -> tuple[Any, ...]:
    """What ``compile`` replaces: kept functions belong to these objects."""
    return (model.optimizer, model.loss, *model.metrics)


def _kept_functions(model: Any) -> dict[int, tuple[Any, Any]]:
    """The model's train/test functions by steps per call, for this compile."""
    kept = model.__dict__.get(_FUNCTIONS_ATTRIBUTE)
    state = _compiled_state(model)
    same = kept is not None and len(kept[0]) == len(state)
    if not (same and all(a is b for a, b in zip(kept[0], state, strict=True))):
        kept = (state, {})
        model.__dict__[_FUNCTIONS_ATTRIBUTE] = kept  # not a tracked Keras attribute
    return kept[1]


def steps_per_call(model: Any, steps_per_epoch: int | None) -> int:
    """How many training steps one call of ``model``'s train function should run.

    Called by the estimator core only for fits where several steps per call
    train exactly as one step per call does: batch hooks of no callback
    observed, and every epoch's batches ending at a call's end.

    Parameters
    ----------
    model : keras.Model
        The compiled model about to train.
    steps_per_epoch : int or None
        Batches per epoch when the data runs on from epoch to epoch (a call
        must then never cross an epoch's end, so the number returned divides
        it); None when Keras starts each epoch's data anew and ends a call
        there itself.

    Returns
    -------
    int
        1 to train as compiled: on backends other than TensorFlow, for a model
        compiled with its own ``steps_per_execution`` or run eagerly, or when
        one step per epoch leaves nothing to gain; otherwise the number of
        steps for one call.
    """
    if configured_backend() != "tensorflow":
        return 1
    if model.steps_per_execution != 1 or model.run_eagerly:
        return 1  # the user's own choice, kept as it is
    kept = [k for k in _kept_functions(model) if k > 1]
    if steps_per_epoch is None:
        # Any value is exact; one already traced for this model costs nothing.
        return max(kept, default=_DEFAULT_STEPS)
    # A value traced for this model that fits this epoch length saves a trace.
    fitting = [k for k in kept if steps_per_epoch % k == 0]
    return max(fitting, default=steps_per_epoch)


#: Steps per call when Keras ends each call at an epoch's end by itself.
_DEFAULT_STEPS = 32


@contextlib.contextmanager
def several_steps(model: Any, steps: int) -> Iterator[None]:
    """Run ``steps`` training (and validation) steps per call while the block runs.

    The model's train and test functions for ``steps`` are put in place
    (traced on first use, then kept with the model), and the compiled
    ``steps_per_execution`` and its functions are restored afterwards, even
    when the block raises.

    Parameters
    ----------
    model : keras.Model
        A compiled model (TensorFlow backend when ``steps`` > 1).
    steps : int
        Steps per call; 1 leaves the model as it is.

    Yields
    ------
    None
        While the block runs.
    """
    if steps <= 1:
        yield
        return
    kept = _kept_functions(model)
    compiled = (model.steps_per_execution, model.train_function, model.test_function)
    model.steps_per_execution = steps
    model.train_function, model.test_function = kept.get(steps, (None, None))
    try:
        yield
    finally:
        kept[steps] = (model.train_function, model.test_function)
        (
            model.steps_per_execution,
            model.train_function,
            model.test_function,
        ) = compiled


__all__ = ["several_steps", "steps_per_call"]
