"""How training rows are fed to ``Model.fit``: the core's data feeders.

A feeder turns the ``Model.fit`` arguments the core assembled (arrays ``x``,
``y``, ``sample_weight`` and the training settings) into the arguments that
feed the data as the model needs it. The core picks :class:`StatefulFeeder`
for a model with stateful layers, and otherwise the feeder the estimator
declares (``_feeder``): :class:`ArrayFeeder` by default, a token-window
feeder for the text generator.


Keras's own ``shuffle=True`` draws each epoch's order from TensorFlow's global
seed (``tf.data``) or from NumPy's global generator (JAX), both shared by the
whole process. :class:`ArrayFeeder` instead draws epoch ``k``'s order from a
NumPy ``Generator`` seeded by ``(seed, k)`` alone and hands Keras batches
already in that order: a warm-started or resumed fit continues the same
stream of epochs, and fits in different threads never share a generator.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from sklearn_dl._backend.batches import ordered_batches, steps_per_epoch
from sklearn_dl._core.multi_io import NamedArrays, as_model_input, take_rows
from sklearn_dl._core.predicting import fixed_batch_rows
from sklearn_dl._core.sample_weight import canonical_order

#: Keras's ``Model.fit`` default batch size.
KERAS_DEFAULT_BATCH_SIZE = 32


def epoch_order(seed: int, epoch: int, n_rows: int) -> np.ndarray:
    """Row order of one epoch: a permutation drawn from ``(seed, epoch)`` only.

    Parameters
    ----------
    seed : int
        The fit's seed.
    epoch : int
        The epoch (0-based, counted over warm-started fits).
    n_rows : int
        Rows to order.

    Returns
    -------
    ndarray of shape (n_rows,)
        A permutation of ``range(n_rows)``.
    """
    return np.random.default_rng([seed, epoch]).permutation(n_rows)


def fresh_seed() -> int:
    """A seed for an unseeded fit, from the operating system's entropy.

    Returns
    -------
    int
        A 31-bit seed.
    """
    return int(np.random.SeedSequence().generate_state(1)[0]) & 0x7FFFFFFF


class ArrayFeeder:
    """Feeds in-memory arrays to ``Model.fit``, shuffled by a per-fit generator.

    Parameters
    ----------
    seed : int or None
        The fit's seed; None draws a fresh one (an unseeded fit).
    """

    def __init__(self, seed: int | None) -> None:
        self.seed = fresh_seed() if seed is None else seed

    def fit_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The ``Model.fit`` arguments with the data fed in the seeded order.

        Reads ``x``, ``y``, ``sample_weight``, ``batch_size``, ``shuffle``,
        ``validation_split``, ``validation_data``, ``class_weight``,
        ``initial_epoch``, ``epochs`` and ``steps_per_epoch``. Unshuffled or
        non-array data is left to Keras as it is. Shuffled arrays keep Keras's
        ``validation_split`` rule (the last rows, before shuffling); the
        training rows are put in a canonical order first, so the result does
        not depend on the order of the input rows, then each epoch's
        batches come in :func:`epoch_order`; ``class_weight`` becomes row
        weights, as Keras computes them.

        Parameters
        ----------
        arguments : dict
            Keyword arguments for ``Model.fit``.

        Returns
        -------
        dict
            The arguments to use (a new dict).
        """
        arguments = dict(arguments)
        x = arguments["x"]
        if not arguments.get("shuffle") or not isinstance(x, (np.ndarray, NamedArrays)):
            return model_inputs(arguments)
        x, y, weights = x, arguments["y"], arguments.get("sample_weight")
        split = arguments.get("validation_split") or 0.0
        if split and arguments.get("validation_data") is None:
            at = math.floor(len(x) * (1.0 - split))
            if at in (0, len(x)):
                raise ValueError(
                    f"validation_split={split} leaves no rows for training or "
                    f"for validation out of {len(x)}."
                )
            held_out = (x[at:], take_rows(y, slice(at, None)))
            held_out += () if weights is None else (weights[at:],)
            arguments["validation_data"] = held_out
            x, y = x[:at], take_rows(y, slice(None, at))
            weights = None if weights is None else weights[:at]
        class_weight = arguments.get("class_weight")
        if class_weight is not None:
            if weights is not None:
                raise ValueError(
                    "You cannot `class_weight` and `sample_weight` at the same time."
                )
            weights = class_weight_rows(y, class_weight)
        order = canonical_order(x, y, weights)
        arrays = (as_model_input(x[order]), take_rows(y, order))
        arrays += () if weights is None else (weights[order],)
        batch_size = arguments.get("batch_size") or KERAS_DEFAULT_BATCH_SIZE
        first = arguments.get("initial_epoch", 0)
        last = arguments["epochs"]
        seed, n_rows = self.seed, len(x)
        n_batches = steps_per_epoch(n_rows, batch_size)
        # A steps_per_epoch of the user's wins, as for streamed data: epochs
        # then end part way through a pass over the rows (or span passes),
        # and the seeded passes go on (Keras would shuffle them itself, from
        # a process-wide generator).
        steps = arguments.get("steps_per_epoch") or n_batches
        passes = max(last - first, math.ceil((last - first) * steps / n_batches))

        def orders() -> Iterator[np.ndarray]:
            for epoch in range(first, first + passes):
                yield epoch_order(seed, epoch, n_rows)

        if arguments.get("validation_data") is not None:
            # Keras batches validation arrays by batch_size, None from here on.
            arguments.setdefault("validation_batch_size", batch_size)
        arguments.update(
            x=ordered_batches(arrays, orders, batch_size),
            y=None,
            sample_weight=None,
            batch_size=None,
            shuffle=False,
            validation_split=0.0,
            class_weight=None,
            steps_per_epoch=steps,
        )
        return model_inputs(arguments)


def model_inputs(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments with several inputs given as Keras takes them.

    A :class:`~sklearn_dl._core.multi_io.NamedArrays` (``x``, or the first
    item of ``validation_data``) becomes a dict keyed by input name, or a
    list in the model's input order.

    Parameters
    ----------
    arguments : dict
        Keyword arguments for ``Model.fit``.

    Returns
    -------
    dict
        The same dict, inputs converted.
    """
    arguments["x"] = as_model_input(arguments["x"])
    data = arguments.get("validation_data")
    if isinstance(data, (tuple, list)) and isinstance(data[0], NamedArrays):
        arguments["validation_data"] = (as_model_input(data[0]), *data[1:])
    return arguments


def whole_batches(arguments: dict[str, Any], n_rows: int) -> dict[str, Any]:
    """Resolve scikeras's ``batch_size=-1`` (every row in one batch).

    Parameters
    ----------
    arguments : dict
        Keyword arguments for ``Model.fit``; ``batch_size`` and
        ``validation_batch_size`` may be -1.
    n_rows : int
        Training rows.

    Returns
    -------
    dict
        The arguments (a new dict) with -1 replaced by the number of rows
        (of the validation data, for ``validation_batch_size``).
    """
    arguments = dict(arguments)
    if arguments.get("batch_size") == -1:
        arguments["batch_size"] = max(1, n_rows)
    if arguments.get("validation_batch_size") == -1:
        data = arguments.get("validation_data")
        arguments["validation_batch_size"] = (
            max(1, len(data[0])) if data is not None else max(1, n_rows)
        )
    return arguments


class EpochOrdered:
    """A dataset that orders its rows by epoch from a fit's seed (a mixin).

    A network that feeds Keras a dataset of its own (such as a
    ``keras.utils.PyDataset``) inherits this and asks :meth:`order` for
    each epoch's rows; :meth:`start` is called with the
    fit's seed before training (the text generator's feeder does). Call
    :meth:`next_epoch` when an epoch ends.

    Parameters
    ----------
    n_rows : int
        Rows in the dataset.
    shuffle : bool
        Whether rows are shuffled; False keeps them in order.
    """

    def __init__(self, n_rows: int, shuffle: bool) -> None:
        self.n_rows = n_rows
        self.shuffle = shuffle
        self._seed: int | None = None
        self._epoch = 0
        self._order: np.ndarray | None = None

    def start(self, seed: int, initial_epoch: int) -> None:
        """Seed the epoch stream; the next epoch is ``initial_epoch``.

        Parameters
        ----------
        seed : int
            The fit's seed.
        initial_epoch : int
            The first epoch of this fit (counted over warm starts).
        """
        self._seed, self._epoch = seed, initial_epoch
        self._order = None

    def order(self) -> np.ndarray | None:
        """This epoch's row order, or None to keep the rows in order.

        Returns
        -------
        ndarray or None
            A permutation of the rows.
        """
        if not self.shuffle:
            return None
        if self._seed is None:
            self._seed = fresh_seed()
        if self._order is None:
            self._order = epoch_order(self._seed, self._epoch, self.n_rows)
        return self._order

    def next_epoch(self) -> None:
        """Move on to the next epoch's order."""
        self._epoch += 1
        self._order = None


def class_weight_rows(y: np.ndarray, class_weight: dict[int, float]) -> np.ndarray:
    """Row weights from class weights, as Keras computes them.

    Parameters
    ----------
    y : ndarray
        Encoded targets: class indices, or one-hot rows.
    class_weight : dict
        Weight of each class index (missing classes weigh 1).

    Returns
    -------
    ndarray of shape (n_samples,)
        Each row's weight, float32.
    """
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = (
            np.argmax(labels, axis=-1)
            if labels.shape[-1] != 1
            else np.squeeze(labels, -1)
        )
    labels = np.round(labels).astype(np.int64)
    weights = np.ones(len(labels), dtype=np.float32)
    for code, weight in class_weight.items():
        weights[labels == int(code)] = weight
    return weights


__all__ = [
    "ArrayFeeder",
    "EpochOrdered",
    "class_weight_rows",
    "epoch_order",
    "fresh_seed",
    "model_inputs",
    "whole_batches",
]


def _validation_split_rows(
    arguments: dict[str, Any], x: Any, y: Any, weights: Any
) -> tuple[Any, Any, Any]:
    """Apply Keras's ``validation_split`` rule (the last rows) before feeding.

    Sets ``arguments["validation_data"]`` to the held-out rows and returns
    the training rows.
    """
    split = arguments.get("validation_split") or 0.0
    if not split or arguments.get("validation_data") is not None:
        return x, y, weights
    at = math.floor(len(x) * (1.0 - split))
    if at in (0, len(x)):
        raise ValueError(
            f"validation_split={split} leaves no rows for training or "
            f"for validation out of {len(x)}."
        )
    held_out = None if weights is None else weights[at:]
    arguments["validation_data"] = (x[at:], y[at:], held_out)
    return x[:at], y[:at], None if weights is None else weights[:at]


def pad_to_full_batches(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    batch_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Pad training data to a whole number of batches without changing the loss.

    Zero rows are appended until the number of rows is a multiple of
    ``batch_size``. They get a loss weight of 0, and the real rows of the
    last, partial batch get their weight multiplied by ``batch_size /
    n_real``: Keras divides a batch's weighted loss by the batch size, so
    the padded batch's loss is exactly the (weighted) mean over its real
    rows, as it would be for an unpadded partial batch.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        Training samples, in order.
    y : ndarray of shape (n_samples, ...)
        Encoded targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Loss weights (None: all 1).
    batch_size : int
        Rows per batch.

    Returns
    -------
    X, y : ndarray
        The data with ``(-n_samples) % batch_size`` zero rows appended.
    sample_weight : ndarray of shape (n_padded,) or None
        The loss weights; unchanged (possibly None) when no row was added.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl._core.feeders import pad_to_full_batches
    >>> X, y, w = pad_to_full_batches(np.ones((5, 2)), np.ones(5), None, 4)
    >>> X.shape, w.tolist()
    ((8, 2), [1.0, 1.0, 1.0, 1.0, 4.0, 0.0, 0.0, 0.0])
    """
    n_samples = X.shape[0]
    n_pad = (-n_samples) % batch_size
    if n_pad == 0:
        return X, y, sample_weight
    weights = (
        np.ones(n_samples, dtype=np.float32)
        if sample_weight is None
        else np.array(sample_weight, dtype=np.float32)
    )
    last_batch = n_samples - n_samples % batch_size
    weights[last_batch:] *= batch_size / (n_samples - last_batch)
    X = np.concatenate([X, np.zeros((n_pad, *X.shape[1:]), dtype=X.dtype)])
    y = np.concatenate([y, np.zeros((n_pad, *y.shape[1:]), dtype=y.dtype)])
    weights = np.concatenate([weights, np.zeros(n_pad, dtype=np.float32)])
    return X, y, weights


class StatefulFeeder:
    """Feeds a stateful model: rows in order, whole batches, states reset.

    A stateful model has its batch size built in and carries its states
    from batch to batch, so rows are fed in their order (never shuffled),
    padded to whole batches with zero-weight rows
    (:func:`pad_to_full_batches`), and the states are reset before each
    epoch and each evaluation. The core uses it for any model with stateful
    layers, a ready recurrent network's or a user's.

    Parameters
    ----------
    model : keras.Model
        The stateful model about to train.
    """

    def __init__(self, model: Any) -> None:
        self.batch_rows = fixed_batch_rows(model, 0)

    def fit_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The ``Model.fit`` arguments for in-order, whole-batch training.

        Parameters
        ----------
        arguments : dict
            Keyword arguments for ``Model.fit``.

        Returns
        -------
        dict
            The arguments to use (a new dict).
        """
        from sklearn_dl._core.callbacks import ResetStates  # imports Keras

        arguments = dict(arguments)
        if isinstance(arguments["x"], NamedArrays) or not isinstance(
            arguments["y"], np.ndarray
        ):
            raise ValueError(
                "A stateful model trains on one input array and one target "
                "array; several inputs or outputs cannot be padded to its "
                "fixed batches."
            )
        batch_rows = self.batch_rows
        x, y, weights = _validation_split_rows(
            arguments, arguments["x"], arguments["y"], arguments["sample_weight"]
        )
        if arguments.get("validation_data") is not None:
            x_val, y_val, *rest = arguments["validation_data"]
            padded = pad_to_full_batches(
                x_val, y_val, rest[0] if rest else None, batch_rows
            )
            arguments["validation_data"] = (
                padded if padded[2] is not None else padded[:2]
            )
        x, y, weights = pad_to_full_batches(x, y, weights, batch_rows)
        arguments.update(
            x=x,
            y=y,
            sample_weight=weights,
            batch_size=batch_rows,
            shuffle=False,
            validation_split=0.0,
            callbacks=[*arguments["callbacks"], ResetStates()],
        )
        return arguments
