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
the epoch's logs are read from the metrics variables when it ends.

Batches of another size than the first (the last, partial batch of an
epoch) would trace and compile the step again, once per size. Where padding
provably changes nothing (:func:`padding_is_exact`), every batch is padded
to the full size instead, so the architecture compiles one step: the
padded rows (copies of real rows) get a loss weight of 0 and the real rows
of a batch of ``b`` rows ``B / b``, so Keras's ``sum_over_batch_size`` mean
over ``B`` rows is the mean over the ``b`` real ones; the metrics' states,
sums weighted by the rows' weights, grow by the step's increase times
``b / B``, what the unpadded batch adds; a copy with no batch at that step
keeps its state. Elsewhere a step whose copies have batches of different
sizes runs once per size, over the copies with that size; each (copies,
batch shape) traces once.

Imported lazily, only on the JAX backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from sklearn_dl._backend.keras import without_tensorflow_import

#: The model attribute holding its fused steps (set past Keras's tracking).
_STEPS_ATTRIBUTE = "_sklearn_dl_fused_steps"


def _fused_steps(model: Any) -> tuple[Any, Any, Any]:
    """The jitted, vmapped train steps of a model (all copies; some; padded).

    Kept on the model, as Keras keeps ``model.train_function`` (so they go
    when the model goes: the steps refer to it),
    so a later group over the same (pooled) model traces nothing again;
    renewed when the model was compiled again since (other optimizer, loss
    or metrics objects, which the traced step reads).
    """
    import jax
    import jax.numpy as jnp

    compiled = (model.optimizer, model._compile_loss, model._compile_metrics)
    cached = getattr(model, _STEPS_ATTRIBUTE, None)
    if cached is not None and all(
        a is b for a, b in zip(cached[0], compiled, strict=True)
    ):
        return cached[1], cached[2], cached[3]
    vmapped = jax.vmap(model.train_step)
    step = jax.jit(vmapped)

    @jax.jit
    def step_some(state: Any, rows: Any, data: Any) -> tuple:
        subset = jax.tree.map(lambda value: value[rows], state)
        logs, subset = vmapped(subset, data)
        state = jax.tree.map(lambda value, new: value.at[rows].set(new), state, subset)
        return logs, state

    @jax.jit
    def step_padded(
        state: Any, reset: Any, data: Any, scale: Any, active: Any
    ) -> tuple:
        # The metrics start from their reset (zero) state, so the new values
        # are the step's increase exactly; a full batch (scale 1) adds it
        # unscaled, as Keras's own step does.
        logs, new = vmapped((*state[:3], reset), data)
        metrics = [
            old
            + jnp.where(
                _rows(scale, old) == 1, new - zero, (new - zero) * _rows(scale, old)
            )
            for old, zero, new in zip(state[3], reset, new[3], strict=True)
        ]
        new = (*new[:3], metrics)
        state = jax.tree.map(
            lambda old, value: jnp.where(_rows(active, old), value, old), state, new
        )
        return logs, state

    # object.__setattr__: a plain attribute, not one Keras tracks.
    object.__setattr__(
        model, _STEPS_ATTRIBUTE, (compiled, step, step_some, step_padded)
    )
    return step, step_some, step_padded


def _rows(values: Any, like: Any) -> Any:
    """Per-copy ``values`` shaped to broadcast against the stacked ``like``."""
    return values.reshape(values.shape + (1,) * (like.ndim - 1))


def padding_is_exact(model: Any) -> bool:
    """Whether padding a batch with zero-weight rows leaves its step as it was.

    True only for what is known to treat rows apart and to weigh them by
    their sample weight: a plain ``keras.Sequential`` of ``Dense`` and
    ``Flatten`` layers without activity regularizers (no dropout or noise,
    whose draws depend on the batch's shape, no batch statistics), built-in
    losses reduced by ``sum_over_batch_size``, no unweighted metrics (they
    would count the padded rows) and only mean or sum metrics (states that
    are sums weighted by the rows' weights).

    Parameters
    ----------
    model : keras.Model
        A compiled, built model whose metrics are reset.

    Returns
    -------
    bool
        Whether :func:`train_fused` may pad its batches to one size.
    """
    import keras

    if type(model) is not keras.Sequential or model.non_trainable_variables:
        return False
    row_wise = (keras.layers.Dense, keras.layers.Flatten, keras.layers.InputLayer)
    if any(
        type(layer) not in row_wise or layer.activity_regularizer is not None
        for layer in model.layers
    ):
        return False
    config = without_tensorflow_import(model.get_compile_config) or {}
    if config.get("metrics") or not _mean_losses(model.loss, keras):
        return False
    if not all(_summed_metric(metric, keras) for metric in model.metrics):
        return False
    return all("float" in str(variable.dtype) for variable in model.metrics_variables)


def _mean_losses(loss: Any, keras: Any) -> bool:
    """Whether every loss is Keras's own, averaged over the batch's rows."""
    if isinstance(loss, dict):
        return all(_mean_losses(value, keras) for value in loss.values())
    if isinstance(loss, (list, tuple)):
        return all(_mean_losses(value, keras) for value in loss)
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except ValueError:
            return False
    if isinstance(loss, keras.losses.Loss):
        function = getattr(loss, "fn", None)
        return (
            type(loss).__module__.startswith("keras.")
            and loss.reduction == "sum_over_batch_size"
            and (function is None or _from_keras(function))
        )
    return callable(loss) and _from_keras(loss)


def _from_keras(function: Any) -> bool:
    """Whether a function is one of Keras's own."""
    return str(getattr(function, "__module__", "")).startswith("keras.")


def _summed_metric(metric: Any, keras: Any) -> bool:
    """Whether a metric's state only adds row-weighted sums (means, sums).

    Keras's containers of compiled metrics and losses hold theirs in
    ``metrics``.
    """
    if isinstance(metric, (keras.metrics.Mean, keras.metrics.Sum)):
        return _from_keras(type(metric))
    inner = getattr(metric, "metrics", None)
    return (
        isinstance(inner, list)
        and metric not in inner
        and all(_summed_metric(value, keras) for value in inner)
    )


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

    Where :func:`padding_is_exact`, every batch is padded to the full batch
    size (see the module's notes), so the architecture compiles one step.

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

    batches = [iter(stream) for stream in batches]
    # Stacked in NumPy and moved once: jnp.stack compiles once per shape.
    stacked = jax.tree.map(
        lambda *values: np.stack([np.asarray(v) for v in values]), *states
    )
    # The padded step adds the metrics' increase to states that start at 0.
    pad = padding_is_exact(model) and not any(np.any(v) for v in stacked[3])
    state = jax.device_put(stacked)
    reset_metrics = state[3]
    step, step_some, step_padded = _fused_steps(model)
    n_copies = len(states)
    everyone = tuple(range(n_copies))
    histories: list[dict[str, list[float]]] = [{} for _ in states]
    full_rows = 0
    for _ in range(epochs):
        state = (*state[:3], reset_metrics)
        log_names: list[Any] = [None] * n_copies
        for step_index in range(max(steps_per_epoch)):
            members = [
                (index, tuple(next(batches[index])))
                for index in range(n_copies)
                if step_index < steps_per_epoch[index]
            ]
            padded = pad and all(_paddable(batch) for _, batch in members)
            if padded:
                full_rows = max(full_rows, *(len(batch[0]) for _, batch in members))
                data, scale, active = _padded_data(members, n_copies, full_rows)
                logs, state = step_padded(state, reset_metrics, data, scale, active)
                groups = [tuple(index for index, _ in members)]
            else:
                groups = []
                for copies, data in _by_shape(members):
                    if copies == everyone:
                        logs, state = step(state, data)
                    else:
                        logs, state = step_some(state, np.asarray(copies), data)
                    groups.append(copies)
            for copies in groups:
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


def _paddable(batch: tuple) -> bool:
    """Whether a batch is ``(x, y)`` arrays of the same rows (no weights)."""
    return (
        len(batch) == 2
        and all(isinstance(part, np.ndarray) and part.ndim >= 1 for part in batch)
        and len(batch[0]) == len(batch[1]) > 0
    )


def _padded_data(
    members: list[tuple[int, tuple]], n_copies: int, full_rows: int
) -> tuple[tuple, np.ndarray, np.ndarray]:
    """Every copy's batch padded to ``full_rows`` rows, with row weights.

    A batch of ``b`` real rows is followed by copies of its rows (any
    loss stays finite on them) weighted 0; its real rows weigh
    ``full_rows / b``. A copy without a batch gets its neighbour's, weighted
    0, and is marked inactive (it keeps its state).

    Returns
    -------
    data : tuple
        Stacked ``(x, y, sample_weight)``.
    scale : ndarray of shape (n_copies,)
        Each copy's ``b / full_rows`` (1 for an inactive copy).
    active : ndarray of shape (n_copies,)
        Whether the copy trains at this step.
    """
    by_copy = dict(members)
    filler = members[0][1]
    xs, ys, weights = [], [], []
    scale = np.ones(n_copies, dtype=np.float32)
    active = np.zeros(n_copies, dtype=bool)
    for index in range(n_copies):
        x, y = by_copy.get(index, filler)
        rows = len(x)
        take = np.arange(full_rows) % rows
        xs.append(x[take])
        ys.append(y[take])
        weight = np.zeros(full_rows, dtype=np.float32)
        if index in by_copy:
            active[index] = True
            weight[:rows] = np.float32(full_rows) / np.float32(rows)
            scale[index] = np.float32(rows) / np.float32(full_rows)
        weights.append(weight)
    return (np.stack(xs), np.stack(ys), np.stack(weights)), scale, active


def _by_shape(members: list[tuple[int, tuple]]) -> list[tuple[tuple, tuple]]:
    """The copies whose batches have one shape, and their stacked batches."""
    by_shape: dict[tuple, list[tuple[int, tuple]]] = {}
    for index, batch in members:
        shape = tuple(np.shape(part) for part in batch)
        by_shape.setdefault(shape, []).append((index, batch))
    return [
        (
            tuple(index for index, _ in group),
            tuple(
                np.stack([batch[part] for _, batch in group])
                for part in range(len(group[0][1]))
            ),
        )
        for group in by_shape.values()
    ]


__all__ = ["assign_state", "initial_state", "padding_is_exact", "train_fused"]
