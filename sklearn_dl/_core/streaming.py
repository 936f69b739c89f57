"""Training and prediction on data that is read batch by batch.

The core's in-memory ``fit`` validates all of X, then feeds it (see
:mod:`sklearn_dl._core.feeders`). Here X is a :class:`LazyArray` or a
dataset / generator (:mod:`sklearn_dl._core.batch_sources`), so the same
steps run as passes over batches:

1. **Scan** (one ordered pass): every chunk is validated with the very
   function in-memory data goes through (same NaN / infinity / feature
   errors); a LazyArray's rows also get the random-projection keys of
   :func:`~sklearn_dl._core.sample_weight.canonical_order`, computed chunk
   by chunk; a dataset's targets are collected (classes, output sizes and
   batch counts come from this pass).
2. **Train**: Keras gets a Python generator of batches and
   ``steps_per_epoch``. For a LazyArray, epoch ``k``'s batch ``b`` holds
   exactly the rows the in-memory path would put there (canonical order,
   then :func:`~sklearn_dl._core.feeders.epoch_order`), so a fit on a
   LazyArray equals the fit on the same rows in memory; rows are read in
   sorted order and a background thread reads ahead (:func:`prefetched`).
   A stateful model gets its rows in order, in whole padded batches.
3. The fit is the same transaction as an in-memory fit.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from sklearn.utils.validation import check_consistent_length

from sklearn_dl._backend.devices import device_scope
from sklearn_dl._backend.runtime import first_traces
from sklearn_dl._core.batch_sources import (
    SPLIT_HINT,
    BatchSource,
    as_batch_array,
    check_same_samples,
    is_batch_source,
    reject_split_dataset,
    unpack_batch,
)
from sklearn_dl._core.divergence import check_finite_model
from sklearn_dl._core.feeders import (
    KERAS_DEFAULT_BATCH_SIZE,
    class_weight_rows,
    epoch_order,
    fresh_seed,
    pad_to_full_batches,
)
from sklearn_dl._core.lazy_array import LazyArray
from sklearn_dl._core.plan import make_plan
from sklearn_dl._core.predicting import fixed_batch_rows, is_stateful
from sklearn_dl._core.sample_weight import check_sample_weight
from sklearn_dl._core.transaction import FitTransaction

#: Batches read ahead of training by the background thread.
PREFETCH_BATCHES = 4
#: Rows validated per read in the scan pass.
SCAN_CHUNK_ROWS = 4096


def prefetched(
    make_items: Callable[[], Iterator[Any]], depth: int = PREFETCH_BATCHES
) -> Iterator[Any]:
    """Iterate ``make_items()`` with a background thread reading ahead.

    The thread is this iterator's own (no process-wide state); it stops
    when the iterator is closed or garbage-collected, and an exception it
    raises is raised here, in order.

    Parameters
    ----------
    make_items : callable
        Returns the iterator to read ahead of.
    depth : int, default=4
        Items kept ready.

    Yields
    ------
    object
        The items of ``make_items()``, in order.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in make_items():
                while not stop.is_set():
                    try:
                        items.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put((done, None))
        except BaseException as error:  # handed to the consumer
            items.put((done, error))

    thread = threading.Thread(target=produce, name="sklearn_dl-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()


def is_streamed(X: Any) -> bool:
    """Whether ``X`` is fed batch by batch (a LazyArray or a batch source).

    Parameters
    ----------
    X : object
        What ``fit`` got as ``X``.

    Returns
    -------
    bool
        True for a LazyArray, a dataset or a generator.
    """
    reject_split_dataset(X)
    return isinstance(X, LazyArray) or is_batch_source(X)


# ---------------------------------------------------------------- LazyArray
class _LazyRows:
    """A LazyArray's training rows after the scan: what the feeder reads."""

    def __init__(
        self, estimator: Any, X: LazyArray, y: Any, sample_weight: Any, reset: bool
    ) -> None:
        if y is None:
            raise ValueError(
                f"{type(estimator).__name__} requires y to be passed, but the "
                "target y is None (a LazyArray holds samples only)."
            )
        if isinstance(y, LazyArray):
            y = y.read()  # targets are one value (or a few) per row
        check_consistent_length(X, y)
        self.input_dtype = X.dtype
        y = np.asarray(y)
        pieces, first = [], None
        # X's part of canonical_order's keys, computed here chunk by chunk
        projection = np.random.default_rng(0).standard_normal(
            int(np.prod(X.shape[1:], dtype=np.int64))
        )
        self.x_key = np.empty(len(X))
        for start, block in X.chunks(SCAN_CHUNK_ROWS):
            block, y_block = estimator._targets.validate(
                estimator, block, y[start : start + len(block)], reset and start == 0
            )
            if first is None:
                first = block[: KERAS_DEFAULT_BATCH_SIZE * 8]
            pieces.append(y_block)
            self.x_key[start : start + len(block)] = (
                np.asarray(block.reshape(len(block), -1), dtype=np.float64) @ projection
            )
        if first is None:
            raise ValueError("Found array with 0 sample(s) (shape=(0, ...)).")
        estimator._check_sample_shape(X, reset=reset)
        self.first_rows = first
        self.y = np.concatenate(pieces, axis=0)
        positions = np.arange(len(X))
        weights = check_sample_weight(sample_weight, len(X))
        if weights is not None:  # scikit-learn's meaning: repetition
            keep = weights > 0
            positions, weights = positions[keep], weights[keep]
            if np.all(weights == np.round(weights)):
                positions = np.repeat(positions, weights.astype(np.intp))
                weights = None
            else:
                weights = weights / weights.mean()
        self.X, self.positions, self.weights = X, positions, weights
        self.y_train = self.y[positions]

    def keys(self, x_key: np.ndarray, y: np.ndarray, weights: Any) -> np.ndarray:
        """Canonical order of the training rows (as ``canonical_order``)."""
        rng = np.random.default_rng(0)
        n_x = int(np.prod(self.X.shape[1:], dtype=np.int64))
        rng.standard_normal(n_x)  # X's projection, computed in the scan
        keys = [x_key]
        for block in [y.reshape(len(y), -1)] + (
            [] if weights is None else [weights.reshape(-1, 1)]
        ):
            values = np.asarray(block, dtype=np.float64)
            keys.append(values @ rng.standard_normal(values.shape[1]))
        return np.lexsort(keys[::-1])


def _as_float32(block: np.ndarray) -> np.ndarray:
    return np.asarray(block, dtype=np.float32)


def _lazy_fit_arguments(
    rows: _LazyRows, arguments: dict[str, Any], seed: int, stateful_rows: int | None
) -> dict[str, Any]:
    """``Model.fit`` arguments feeding a LazyArray's rows through a generator."""
    arguments = dict(arguments)
    y, weights = arguments.pop("y"), rows.weights
    positions = rows.positions
    batch_size = arguments.get("batch_size") or KERAS_DEFAULT_BATCH_SIZE
    split = arguments.get("validation_split") or 0.0
    if split and arguments.get("validation_data") is None:
        if stateful_rows is not None:
            raise ValueError(
                "validation_split is not supported for a stateful network "
                "trained on a LazyArray; give validation_data=(X_val, y_val)."
            )
        at = int(np.floor(len(positions) * (1.0 - split)))
        if at in (0, len(positions)):
            raise ValueError(
                f"validation_split={split} leaves no rows for training or "
                f"for validation out of {len(positions)}."
            )
        held = (positions[at:], y[at:], None if weights is None else weights[at:])
        positions, y = positions[:at], y[:at]
        weights = None if weights is None else weights[:at]
        arguments["validation_data"] = _cycle(rows.X, *held, batch_size)
        arguments["validation_steps"] = int(np.ceil(len(held[0]) / batch_size))
    class_weight = arguments.pop("class_weight", None)
    if class_weight is not None:
        if weights is not None:
            raise ValueError(
                "You cannot `class_weight` and `sample_weight` at the same time."
            )
        weights = class_weight_rows(y, class_weight)
    first, last = arguments.get("initial_epoch", 0), arguments["epochs"]
    X = rows.X
    if stateful_rows is not None:
        from sklearn_dl._core.callbacks import ResetStates  # imports Keras

        batch_size = stateful_rows
        padded = len(positions) % batch_size != 0 or weights is not None

        def batches() -> Iterator[tuple]:
            for _ in range(first, last):
                for start in range(0, len(positions), batch_size):
                    chosen = slice(start, start + batch_size)
                    xb = _as_float32(X.read_rows(positions[chosen]))
                    wb = None if weights is None else weights[chosen]
                    xb, yb, wb = pad_to_full_batches(xb, y[chosen], wb, batch_size)
                    if padded and wb is None:
                        wb = np.ones(len(xb), dtype=np.float32)
                    yield (xb, yb) if wb is None else (xb, yb, wb)

        arguments["callbacks"] = [*arguments["callbacks"], ResetStates()]
    else:
        order = np.arange(len(positions))
        shuffle = bool(arguments.get("shuffle"))
        if shuffle:
            order = rows.keys(rows.x_key[positions], y, weights)

        def batches() -> Iterator[tuple]:
            for epoch in range(first, last):
                epoch_rows = (
                    order[epoch_order(seed, epoch, len(order))] if shuffle else order
                )
                for start in range(0, len(epoch_rows), batch_size):
                    chosen = epoch_rows[start : start + batch_size]
                    xb = _as_float32(X.read_rows(positions[chosen]))
                    if weights is None:
                        yield xb, y[chosen]
                    else:
                        yield xb, y[chosen], weights[chosen]

    _feed(arguments, batches, int(np.ceil(len(positions) / batch_size)), batch_size)
    return arguments


def _feed(
    arguments: dict[str, Any],
    batches: Callable[[], Iterator[tuple]],
    steps: int,
    batch_size: int,
) -> None:
    """Point ``Model.fit`` at prefetched ``batches``, ``steps`` per epoch.

    A ``fit__steps_per_epoch`` the user gave wins (epochs then end part way
    through the data, the stream of batches going on); validation arrays
    are batched by the training batch size, as the in-memory path does.
    """
    if isinstance(arguments.get("validation_data"), (tuple, list)):
        arguments.setdefault("validation_batch_size", batch_size)
    arguments.update(
        x=prefetched(batches),
        batch_size=None,
        sample_weight=None,
        shuffle=False,
        validation_split=0.0,
        steps_per_epoch=arguments.get("steps_per_epoch") or steps,
    )


def _cycle(
    X: LazyArray, positions: np.ndarray, y: np.ndarray, weights: Any, batch_size: int
) -> Iterator[tuple]:
    """Validation batches in order, over and over (one cycle per evaluation)."""

    def forever() -> Iterator[tuple]:
        while True:
            for start in range(0, len(positions), batch_size):
                chosen = slice(start, start + batch_size)
                xb = _as_float32(X.read_rows(positions[chosen]))
                if weights is None:
                    yield xb, y[chosen]
                else:
                    yield xb, y[chosen], weights[chosen]

    return prefetched(forever)


# ------------------------------------------------------------ batch sources
class _SourceBatches:
    """A dataset's batches after the scan: counts, targets, first rows."""

    def __init__(self, estimator: Any, source: BatchSource, y: Any, reset: bool):
        if y is not None:
            raise ValueError(
                f"fit got a {source.kind} as X and y as well; a dataset's "
                "batches carry their targets, so y must be None."
            )
        self.source, self.estimator = source, estimator
        self.sample_shape: tuple[int, ...] | None = None
        targets, counts, self.weighted = [], [], None
        for index, batch in enumerate(source.passes()):
            X_b, y_b, w_b = self._checked(batch, index, reset and index == 0)
            if self.weighted is None:
                self.weighted = w_b is not None
                self.first_rows = X_b
                self.input_dtype = np.asarray(batch[0]).dtype
            elif self.weighted != (w_b is not None):
                raise ValueError(
                    f"Batch {index} of the {source.kind} "
                    f"{'lacks' if self.weighted else 'adds'} sample weights; "
                    "every batch must have the same structure."
                )
            targets.append(y_b)
            counts.append(len(X_b))
        source.end_pass()
        if not counts:
            raise ValueError(f"The {source.kind} given as X yielded no batches.")
        self.n_batches, self.n_rows = len(counts), int(sum(counts))
        self.y = np.concatenate(targets, axis=0)

    def _checked(self, batch: Any, index: int, reset: bool) -> tuple:
        kind = self.source.kind
        X_b, y_b, w_b = unpack_batch(batch, index, kind)
        X_b = as_batch_array(X_b, index, kind)
        if self.sample_shape is not None:
            check_same_samples(X_b, self.sample_shape, index, kind)
        X_b, y_b = self.estimator._targets.validate(self.estimator, X_b, y_b, reset)
        if self.sample_shape is None:
            self.sample_shape = X_b.shape[1:]
        if w_b is not None:
            w_b = check_sample_weight(w_b, len(X_b))
        return X_b, y_b, w_b

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_rows, *sample_shape)`` over one pass."""
        return (self.n_rows, *self.sample_shape)

    @property
    def ndim(self) -> int:
        """Axes of the samples' array."""
        return len(self.shape)

    def fit_arguments(
        self, arguments: dict[str, Any], stateful_rows: int | None
    ) -> dict[str, Any]:
        """``Model.fit`` arguments reading the source once per epoch."""
        arguments = dict(arguments)
        arguments.pop("y")
        if arguments.get("validation_split"):
            raise ValueError(
                f"validation_split cannot hold rows out of a {self.source.kind}; "
                "give validation_data=(X_val, y_val) instead."
            )
        class_weight = arguments.pop("class_weight", None)
        if class_weight is not None and self.weighted:
            raise ValueError(
                "You cannot `class_weight` and `sample_weight` at the same time."
            )
        estimator, source = self.estimator, self.source
        first, last = arguments.get("initial_epoch", 0), arguments["epochs"]
        n_batches = self.n_batches

        def batches() -> Iterator[tuple]:
            for epoch in range(first, last):
                count = 0
                for index, batch in enumerate(source.passes()):
                    if index >= n_batches:
                        break
                    X_b, y_b, w_b = self._checked(batch, index, False)
                    if stateful_rows is not None and len(X_b) != stateful_rows:
                        raise ValueError(
                            f"Batch {index} of the {source.kind} has {len(X_b)} "
                            f"rows; a stateful network takes batches of exactly "
                            f"{stateful_rows} rows."
                        )
                    encoded = estimator._targets.encode(estimator, y_b)
                    if class_weight is not None:
                        w_b = class_weight_rows(encoded, class_weight)
                    count += 1
                    yield (X_b, encoded) if w_b is None else (X_b, encoded, w_b)
                source.end_pass()
                if count != n_batches:
                    raise ValueError(
                        f"The {source.kind} yielded {count} batches in epoch "
                        f"{epoch + 1} but {n_batches} in the first pass; every "
                        "pass must yield the same number of batches."
                    )

        if stateful_rows is not None:
            from sklearn_dl._core.callbacks import ResetStates  # imports Keras

            arguments["callbacks"] = [*arguments["callbacks"], ResetStates()]
        batch_size = arguments.get("batch_size") or KERAS_DEFAULT_BATCH_SIZE
        _feed(arguments, batches, n_batches, batch_size)
        return arguments


# ---------------------------------------------------------------------- fit
def fit_streamed(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    sample_weight: Any,
    fit_params: dict[str, Any],
    warm: bool,
    epochs: int,
    classes: Any = None,
) -> Any:
    """One transactional fit of ``estimator`` on a LazyArray or a batch source.

    Mirrors ``BaseKerasEstimator._fit`` step by step (plan, transaction,
    validation, targets, model, feeding, divergence checks, commit), with
    the data validated and fed in batches.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        The estimator to fit.
    X : LazyArray or dataset
        The training data.
    y : array-like or None
        Targets (None for a dataset, whose batches carry them).
    sample_weight : array-like or None
        Weights of a LazyArray's rows.
    fit_params : dict
        Extra ``Model.fit`` arguments.
    warm : bool
        Whether to continue the current model.
    epochs : int
        Epochs to train.
    classes : array-like, default=None
        Every class label (classifiers); learned from the scan when None.

    Returns
    -------
    BaseKerasEstimator
        ``estimator``, fitted.
    """
    from sklearn_dl._core.callbacks import NonFiniteLossGuard  # imports Keras

    estimator._validate_params()
    if getattr(estimator, "_skl_callbacks", None):
        raise ValueError(
            "scikit-learn callbacks (set_callbacks) are not reported for fits "
            "on a LazyArray or a dataset yet; fit in-memory arrays to use them."
        )
    plan = make_plan(estimator, fit_params=fit_params, warm=warm, epochs=epochs)
    transaction = FitTransaction(estimator, keeps_model=not plan.reset)
    try:
        if isinstance(X, LazyArray):
            data: Any = _LazyRows(estimator, X, y, sample_weight, plan.reset)
        else:
            if sample_weight is not None:
                raise ValueError(
                    "sample_weight cannot be given with a dataset; yield "
                    "(X, y, sample_weight) batches instead."
                )
            data = _SourceBatches(estimator, BatchSource(X), y, plan.reset)
            estimator._check_sample_shape(data, reset=plan.reset)
        fit_kwargs = dict(plan.fit_kwargs)
        with device_scope(plan.device):
            if plan.reset:
                estimator.X_dtype_ = np.dtype(data.input_dtype)
                estimator._targets.learn(estimator, data.y, classes)
                estimator._initialize_model(data.first_rows[:1], plan.seed, transaction)
                estimator.history_ = {}
            else:
                estimator._update_optimizer()
            if "validation_data" in fit_kwargs:
                fit_kwargs["validation_data"] = estimator._encode_validation_data(
                    fit_kwargs["validation_data"]
                )
            model = estimator._model
            stateful_rows = fixed_batch_rows(model, 0) if is_stateful(model) else None
            arguments = {
                "y": None,
                "batch_size": estimator.batch_size,
                "epochs": plan.final_epoch,
                "initial_epoch": plan.initial_epoch,
                "verbose": estimator.verbose,
                "callbacks": list(plan.callbacks),
                "validation_split": estimator.validation_split,
                "shuffle": estimator.shuffle,
                **fit_kwargs,
            }
            if isinstance(data, _LazyRows):
                arguments["y"] = estimator._targets.encode(estimator, data.y_train)
                arguments["class_weight"] = estimator._targets.class_weight(
                    estimator, data.y_train
                )
                seed = fresh_seed() if plan.seed is None else plan.seed
                arguments = _lazy_fit_arguments(data, arguments, seed, stateful_rows)
            else:
                arguments["class_weight"] = estimator._targets.class_weight(
                    estimator, data.y
                )
                arguments = data.fit_arguments(arguments, stateful_rows)
            guard = NonFiniteLossGuard()
            arguments["callbacks"] = [guard, *estimator._bind_callbacks(arguments)]
            with first_traces():
                history = model.fit(**arguments)
            if guard.failure is not None:
                raise guard.error(type(estimator).__name__)
            check_finite_model(
                model,
                np.asarray(data.first_rows, dtype=np.float32),
                batch_size=plan.predict_batch_size,
                epoch=plan.final_epoch,
                estimator_name=type(estimator).__name__,
            )
        for name, values in history.history.items():
            estimator.history_.setdefault(name, []).extend(float(v) for v in values)
    except BaseException:
        transaction.rollback()
        raise
    transaction.commit()
    estimator._prediction_setup = (plan.predict_batch_size, plan.device)
    estimator._prediction_turns = threading.Lock()
    return estimator


# ------------------------------------------------------------------ predict
def predict_streamed(estimator: Any, X: Any) -> np.ndarray:
    """The network's outputs for a LazyArray, read in order chunk by chunk.

    Each chunk is validated as in-memory X is (same errors), then predicted
    in the core's fixed-shape batches; chunks hold whole predict batches,
    so every row's output equals the in-memory prediction bit for bit.

    Parameters
    ----------
    estimator : BaseKerasEstimator
        A fitted estimator.
    X : LazyArray
        Samples shaped like the training samples.

    Returns
    -------
    ndarray
        The outputs, in row order.
    """
    if not isinstance(X, LazyArray):
        raise TypeError(
            f"{type(estimator).__name__} predicts arrays or a sklearn_dl.LazyArray; "
            f"got a {type(X).__name__}. {SPLIT_HINT}"
        )
    setup = estimator.__dict__.get("_prediction_setup")
    batch = setup[0] if setup else 256
    chunk_rows = fixed_batch_rows(estimator._model, batch) * 16
    outputs = [
        estimator._network_outputs(estimator._validate_X(block))
        for _, block in prefetched(lambda: X.chunks(chunk_rows), depth=2)
    ]
    if not outputs:
        return estimator._network_outputs(estimator._validate_X(X.read()))
    return np.concatenate(outputs, axis=0)


__all__ = ["fit_streamed", "is_streamed", "predict_streamed", "prefetched"]
