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

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np


def train_fused(
    models: Sequence[Any],
    batches: Sequence[Iterator[tuple]],
    steps_per_epoch: Sequence[int],
    epochs: int,
) -> list[dict[str, list[float]]]:
    """Train compiled models of one architecture side by side, one program.

    Parameters
    ----------
    models : sequence of keras.Model
        Compiled models of one architecture (same layers, loss, metrics and
        optimizer settings up to the learning rate), on the JAX backend.
    batches : sequence of iterator
        Each model's training batches ``(x, y)`` in order, over all epochs
        (the batches ``Model.fit`` would read).
    steps_per_epoch : sequence of int
        Each model's batches per epoch.
    epochs : int
        Epochs to train.

    Returns
    -------
    list of dict
        Each model's epoch logs (``History.history``): name -> one float per
        epoch. The trained variables are assigned to each model.
    """
    import jax
    import jax.numpy as jnp

    batches = [iter(stream) for stream in batches]
    states = []
    metrics_start = []
    for index, model in enumerate(models):
        first = next(batches[index])
        batches[index] = itertools.chain([first], batches[index])
        model._symbolic_build(data_batch=first)
        model.reset_metrics()
        state = model._get_jax_state(
            trainable_variables=True,
            non_trainable_variables=True,
            optimizer_variables=True,
            metrics_variables=True,
        )
        states.append(state)
        metrics_start.append(state[3])

    def stack(*values: Any) -> Any:
        return jnp.stack([jnp.asarray(value) for value in values])

    state = jax.tree.map(stack, *states)
    reset_metrics = jax.tree.map(stack, *metrics_start)
    vmapped = jax.vmap(models[0].train_step)
    step = jax.jit(vmapped)

    @jax.jit
    def step_some(state: Any, rows: Any, data: Any) -> tuple:
        subset = jax.tree.map(lambda value: value[rows], state)
        logs, subset = vmapped(subset, data)
        state = jax.tree.map(lambda value, new: value.at[rows].set(new), state, subset)
        return logs, state

    n_copies = len(models)
    everyone = tuple(range(n_copies))
    histories: list[dict[str, list[float]]] = [{} for _ in models]
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
        for index, model in enumerate(models):
            for variable, value in zip(model.metrics_variables, metrics, strict=True):
                variable.assign(value[index])
            logs = model._get_metrics_result_or_logs(log_names[index])
            for name, value in logs.items():
                histories[index].setdefault(name, []).append(float(value))
    trainable, non_trainable, optimizer, _ = (
        [np.asarray(value) for value in group] for group in state
    )
    for index, model in enumerate(models):
        pairs = (
            (model.trainable_variables, trainable),
            (model.non_trainable_variables, non_trainable),
            (model.optimizer.variables, optimizer),
        )
        for variables, values in pairs:
            for variable, value in zip(variables, values, strict=True):
                variable.assign(value[index])
    return histories


__all__ = ["train_fused"]
