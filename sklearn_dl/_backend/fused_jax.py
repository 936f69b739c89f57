"""Several Keras models of one architecture trained as one JAX program.

On JAX, Keras's ``Model.train_step(state, data)`` is a pure function of
``state = (trainable, non_trainable, optimizer, metrics variables)``.
:func:`train_fused` stacks the state of several compiled models of one
architecture on a leading axis and runs ``jax.jit(jax.vmap(train_step))`` of
the first model over the stack: each copy takes Keras's own step on its own
batch, with its own variables, so a float learning rate (an optimizer
variable) and the dropout seeds (seed-generator state) stay per copy. What
must be the same for all copies is what ``train_step`` reads from the first
model's Python objects: the layers, the loss, the metrics and the
optimizer's other settings.

The loop is ``Model.fit``'s: the metrics are reset when an epoch starts and
the epoch's logs are read from the metrics variables when it ends. A step
where copies have batches of different sizes (the last, partial batch of an
epoch over folds of different sizes) runs once per size, over the copies
with that size; each (copies, batch shape) traces once.

Imported lazily, only on the JAX backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

#: The model attribute holding its fused steps (set past Keras's tracking).
_STEPS_ATTRIBUTE = "_sklearn_dl_fused_steps"


def _fused_steps(model: Any) -> tuple[Any, Any]:
    """The jitted, vmapped train steps of a model (all copies; some copies).

    Kept on the model, as Keras keeps ``model.train_function`` (so they go
    when the model goes: the steps refer to it),
    so a later group over the same (pooled) model traces nothing again;
    renewed when the model was compiled again since (other optimizer, loss
    or metrics objects, which the traced step reads).
    """
    import jax

    compiled = (model.optimizer, model._compile_loss, model._compile_metrics)
    cached = getattr(model, _STEPS_ATTRIBUTE, None)
    if cached is not None and all(
        a is b for a, b in zip(cached[0], compiled, strict=True)
    ):
        return cached[1], cached[2]
    vmapped = jax.vmap(model.train_step)
    step = jax.jit(vmapped)

    @jax.jit
    def step_some(state: Any, rows: Any, data: Any) -> tuple:
        subset = jax.tree.map(lambda value: value[rows], state)
        logs, subset = vmapped(subset, data)
        state = jax.tree.map(lambda value, new: value.at[rows].set(new), state, subset)
        return logs, state

    # object.__setattr__: a plain attribute, not one Keras tracks.
    object.__setattr__(model, _STEPS_ATTRIBUTE, (compiled, step, step_some))
    return step, step_some


def initial_state(model: Any, batch: tuple) -> tuple:
    """A compiled model's training state, as ``Model.fit`` starts it.

    Builds what ``Model.fit`` builds on its first batch (the optimizer and
    the compiled metrics) and resets the metrics.

    Parameters
    ----------
    model : keras.Model
        A compiled model, on the JAX backend.
    batch : tuple
        Its first training batch ``(x, y)``.

    Returns
    -------
    tuple
        ``(trainable, non_trainable, optimizer, metrics)`` variable values.
    """
    model._symbolic_build(data_batch=batch)
    model.reset_metrics()
    return model._get_jax_state(
        trainable_variables=True,
        non_trainable_variables=True,
        optimizer_variables=True,
        metrics_variables=True,
    )


def assign_state(model: Any, state: tuple) -> None:
    """Give a model the variable values of a training state.

    Parameters
    ----------
    model : keras.Model
        A model of the state's architecture (its optimizer built).
    state : tuple
        ``(trainable, non_trainable, optimizer, metrics)`` variable values.
    """
    groups = (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )
    for variables, values in zip(groups, state, strict=True):
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)


def train_fused(
    model: Any,
    states: Sequence[tuple],
    batches: Sequence[Iterator[tuple]],
    steps_per_epoch: Sequence[int],
    epochs: int,
) -> tuple[list[dict[str, list[float]]], list[tuple]]:
    """Train copies of one architecture side by side, as one program.

    Parameters
    ----------
    model : keras.Model
        A compiled model of the architecture (same layers, loss, metrics and
        optimizer settings up to the learning rate as every copy), whose
        ``train_step`` trains the copies; its metrics variables are used to
        read each copy's epoch logs.
    states : sequence of tuple
        Each copy's starting state (:func:`initial_state`).
    batches : sequence of iterator
        Each copy's training batches ``(x, y)`` in order, over all epochs
        (the batches ``Model.fit`` would read).
    steps_per_epoch : sequence of int
        Each copy's batches per epoch.
    epochs : int
        Epochs to train.

    Returns
    -------
    histories : list of dict
        Each copy's epoch logs (``History.history``): name -> one float per
        epoch.
    states : list of tuple
        Each copy's trained state (NumPy arrays), for :func:`assign_state`.
    """
    import jax
    import jax.numpy as jnp

    batches = [iter(stream) for stream in batches]

    def stack(*values: Any) -> Any:
        return jnp.stack([jnp.asarray(value) for value in values])

    state = jax.tree.map(stack, *states)
    reset_metrics = state[3]
    step, step_some = _fused_steps(model)
    n_copies = len(states)
    everyone = tuple(range(n_copies))
    histories: list[dict[str, list[float]]] = [{} for _ in states]
    for _ in range(epochs):
        state = (*state[:3], reset_metrics)
        log_names: list[Any] = [None] * n_copies
        for step_index in range(max(steps_per_epoch)):
            by_shape: dict[tuple, list[tuple[int, tuple]]] = {}
            for index in range(n_copies):
                if step_index < steps_per_epoch[index]:
                    batch = tuple(next(batches[index]))
                    shape = tuple(np.shape(part) for part in batch)
                    by_shape.setdefault(shape, []).append((index, batch))
            for members in by_shape.values():
                copies = tuple(index for index, _ in members)
                data = tuple(
                    np.stack([batch[part] for _, batch in members])
                    for part in range(len(members[0][1]))
                )
                if copies == everyone:
                    logs, state = step(state, data)
                else:
                    logs, state = step_some(state, np.asarray(copies), data)
                for index in copies:
                    log_names[index] = dict.fromkeys(logs)
        metrics = [np.asarray(value) for value in state[3]]
        for index in range(n_copies):
            for variable, value in zip(model.metrics_variables, metrics, strict=True):
                variable.assign(value[index])
            logs = model._get_metrics_result_or_logs(log_names[index])
            for name, value in logs.items():
                histories[index].setdefault(name, []).append(float(value))
    stacked = [[np.asarray(value) for value in group] for group in state]
    trained = [
        tuple([value[index] for value in group] for group in stacked)
        for index in range(n_copies)
    ]
    return histories, trained


__all__ = ["assign_state", "initial_state", "train_fused"]
