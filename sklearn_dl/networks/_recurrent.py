"""Recurrent networks: ``RecurrentRegressor`` and ``RecurrentClassifier``.

The book's recurrent networks (part 3, section 4): one or more recurrent
layers (LSTM, GRU or simple RNN), then a dense output layer. Three of the
book's rules are applied for the user instead of being left to remember:

- every recurrent layer that feeds another one returns its whole sequence
  (``return_sequences=True``), so ``units=(9, 6, 3)`` is the book's deep
  network as written;
- sequence-to-sequence targets of shape ``(n, T, k)`` make the last
  recurrent layer return sequences too, followed by a
  ``TimeDistributed(Dense(k))`` head (one prediction per time step);
- ``stateful=True`` fixes the batch size in the model, keeps the row order,
  resets the states at the start of every epoch, and pads the training and
  prediction data to full batches, so any number of rows works.

Samples are sequences ``(n_samples, n_steps, n_features)``; a 2-D ``X`` of
shape ``(n_samples, n_steps)`` is read as sequences of one feature (so every
tabular data set works as it is: each column is one time step).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._backend.runtime import require_backend_support
from sklearn_dl._compat import Interval, StrOptions
from sklearn_dl._core.classifier import BaseKerasClassifier
from sklearn_dl._core.feeders import pad_to_full_batches
from sklearn_dl._core.lazy_array import LazyArray
from sklearn_dl._core.parameters import (
    CLASSIFIER_PARAMETERS,
    CORE_PARAMETERS,
    REGRESSOR_PARAMETERS,
    Parameter,
    compose_parameters,
    parameter_set,
)
from sklearn_dl._core.predicting import fixed_batch_rows, is_stateful, reset_states
from sklearn_dl._core.regressor import BaseKerasRegressor
from sklearn_dl._core.stream_prediction import stream_outputs
from sklearn_dl._core.targets import NumericTargets
from sklearn_dl.networks._common import (
    NETWORK_PARAMETERS,
    NetworkMixin,
    check_layer_sizes,
    output_layer,
)

__all__ = ["RecurrentClassifier", "RecurrentRegressor", "pad_to_full_batches"]

#: Keras layer class for each value of the ``cell`` parameter.
_CELL_LAYERS = {"lstm": "LSTM", "gru": "GRU", "simple": "SimpleRNN"}

#: Rows per batch of a stateful network when ``batch_size`` is None (Keras's).
_DEFAULT_BATCH_SIZE = 32

_SEQUENCE_TARGET = "continuous-sequence"

#: The recurrent networks' parameters, and the shared ones they word their
#: own way.
RECURRENT_PARAMETERS = parameter_set(
    Parameter(
        "units",
        ("array-like", Interval(Integral, 1, None, closed="left")),
        "int or tuple of int",
        "Units (size of the state) of each recurrent layer; its length is the "
        "number of stacked recurrent layers. ``(3,)`` is the book's first "
        "network, ``(9, 6, 3)`` its deepest. Every layer that feeds another "
        "returns its whole sequence (``return_sequences=True``).",
    ),
    Parameter(
        "cell",
        (StrOptions(set(_CELL_LAYERS)),),
        '{"lstm", "gru", "simple"}',
        "The recurrent layer: Keras's ``LSTM``, ``GRU`` or ``SimpleRNN``.",
    ),
    NETWORK_PARAMETERS["dropout"].reworded(
        "Fraction of the inputs dropped in each recurrent layer."
    ),
    Parameter(
        "recurrent_dropout",
        (Interval(Real, 0, 1, closed="left"),),
        "float",
        "Fraction of the recurrent state dropped in each recurrent layer.",
    ),
    Parameter(
        "stateful",
        ("boolean",),
        "bool",
        "Carry each row's final state over to the same row of the next batch "
        "during training (Keras's stateful RNNs). The batch size is then part "
        "of the model, rows are never shuffled (``shuffle`` is ignored) and "
        "the states are reset at the start of every epoch. Any number of rows "
        "works: the data is padded to full batches with rows of zero weight. "
        "When predicting, states are reset before every batch, so each row's "
        "prediction depends on that row only.",
    ),
    CORE_PARAMETERS["batch_size"].reworded(
        "Sequences per gradient step (the fixed batch of a stateful model); "
        "None means 32."
    ),
    CORE_PARAMETERS["shuffle"].reworded(
        "Shuffle the training sequences before each epoch (not when ``stateful``)."
    ),
)


def _is_sequence_target(y: Any) -> bool:
    """Whether ``y`` is 3-D, ``(n_samples, n_steps, n_outputs)``."""
    ndim = getattr(y, "ndim", None)
    if ndim is None:
        try:
            ndim = np.asarray(y).ndim
        except (TypeError, ValueError):  # left to the usual validation
            return False
    return ndim == 3


#: Kept under its first name, from when stateful feeding lived here.
reset_recurrent_states = reset_states


def _state_reset_callback_class() -> type:
    """The callback resetting a stateful model's states (imports Keras)."""
    from sklearn_dl._core.callbacks import ResetStates

    return ResetStates


class SequenceTargets(NumericTargets):
    """Numeric targets, or one target vector per input step ``(n, T, k)``.

    Sequence-to-sequence targets train a ``TimeDistributed`` head; other
    targets are the regressor's 1-D or 2-D numeric targets.
    """

    def validate(self, estimator: Any, X: Any, y: Any, reset: bool) -> tuple:
        if not _is_sequence_target(y):
            return super().validate(estimator, X, y, reset)
        X = validate_data(
            estimator,
            X,
            reset=reset,
            allow_nd=True,
            dtype=np.float32,
            ensure_all_finite=True,
        )
        y = check_array(
            y,
            allow_nd=True,
            dtype="numeric",
            ensure_all_finite=True,
            input_name="y",
        )
        check_consistent_length(X, y)
        if X.ndim >= 2 and y.shape[1] != X.shape[1]:
            raise ValueError(
                "Sequence targets need one target vector per input step: y has "
                f"{y.shape[1]} steps (shape {y.shape}) but X has {X.shape[1]} "
                f"(shape {X.shape})."
            )
        return X, y

    def learn(self, estimator: Any, y: np.ndarray, classes: Any = None) -> None:
        if y.ndim != 3:
            super().learn(estimator, y, classes)
            return
        estimator.target_type_ = _SEQUENCE_TARGET
        estimator.y_dtype_ = y.dtype
        estimator.n_outputs_ = y.shape[2]
        estimator.n_outputs_expected_ = 1

    def encode(self, estimator: Any, y: np.ndarray) -> np.ndarray:
        is_sequence = estimator.target_type_ == _SEQUENCE_TARGET
        if (y.ndim == 3) != is_sequence or (
            is_sequence and y.shape[2] != estimator.n_outputs_
        ):
            raise ValueError(
                f"y has shape {y.shape}, but the estimator was fitted on "
                f"{estimator.target_type_} targets with {estimator.n_outputs_} "
                "column(s)."
            )
        if is_sequence:
            return np.asarray(y, dtype=np.float32)
        return super().encode(estimator, y)


class _RecurrentNetwork(NetworkMixin):
    """Builds the recurrent network and handles stateful training."""

    # ----------------------------------------------------------------- build
    def _build_keras_model(
        self, meta: dict[str, Any], compile_kwargs: dict[str, Any]
    ) -> Any:
        keras = import_keras()
        sizes = check_layer_sizes(self.units, "units")
        if not sizes:
            raise ValueError(
                "units must hold at least one layer size (one recurrent layer); "
                "got an empty tuple."
            )
        sample_shape = tuple(meta["X_shape_"][1:])
        if self.stateful:
            require_backend_support("stateful recurrent networks")
            inputs = keras.Input(
                batch_shape=(self._stateful_batch_size(), *sample_shape)
            )
        else:
            inputs = keras.Input(sample_shape)
        layers = [inputs]
        if len(sample_shape) == 1:  # (n, T): T steps of one feature
            layers.append(keras.layers.Reshape((*sample_shape, 1)))
        sequence_targets = meta.get("target_type_") == _SEQUENCE_TARGET
        layer_class = getattr(keras.layers, _CELL_LAYERS[self.cell])
        for index, units in enumerate(sizes):
            feeds_another = index < len(sizes) - 1
            layers.append(
                layer_class(
                    units,
                    return_sequences=feeds_another or sequence_targets,
                    dropout=self.dropout,
                    recurrent_dropout=self.recurrent_dropout,
                    stateful=self.stateful,
                )
            )
        head = output_layer(meta, self.loss, self.output_initializer)
        if sequence_targets:
            head = keras.layers.TimeDistributed(head, name="output_per_step")
        layers.append(head)
        return keras.Sequential(layers, name=type(self).__name__)

    def _check_sample_shape(self, X: np.ndarray, reset: bool) -> None:
        if X.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} takes sequences of shape (n_samples, "
                "n_steps, n_features), or (n_samples, n_steps) for one feature; "
                f"got X of shape {X.shape}."
            )
        super()._check_sample_shape(X, reset)

    # -------------------------------------------------------------- stateful
    def _stateful_batch_size(self) -> int:
        """Rows per batch to fix in a new stateful model."""
        return _DEFAULT_BATCH_SIZE if self.batch_size is None else int(self.batch_size)

    # ------------------------------------------------------------- streaming
    def stream_predict(self, X: Any) -> np.ndarray:
        """Predict the next part of a stream, carrying the states across calls.

        A stateful network reads its rows as parallel streams: row ``j`` of
        each batch (of ``batch_size`` rows) continues row ``j`` of the batch
        before. ``predict`` resets the states before every batch;
        ``stream_predict`` feeds the rows in order without resets and keeps
        the states at the end, so the next call continues the streams. The
        first call after a fit, or after :meth:`reset_stream`, starts from
        zero states: to continue the training streams, stream the training
        rows first. ``predict`` calls in between do not disturb the stream.
        A network without states predicts as ``predict`` does.

        Parameters
        ----------
        X : array-like or LazyArray of shape (n_samples, n_steps, n_features) \
or (n_samples, n_steps)
            The next rows of the streams, a whole number of time steps (a
            multiple of ``batch_size`` rows for a stateful network).

        Returns
        -------
        ndarray
            Predictions, as :meth:`predict` returns them.
        """
        return self._predictions_from(self._stream_outputs(X, carry=True))

    def reset_stream(self) -> _RecurrentNetwork:
        """Start the next :meth:`stream_predict` from zero states.

        Returns
        -------
        self : object
            The estimator.
        """
        self.__dict__.pop("_stream_states", None)
        return self

    def _stream_outputs(self, X: Any, *, carry: bool) -> np.ndarray:
        """Outputs for X as one stream; ``carry`` continues (and keeps) states."""
        check_is_fitted(self)
        model = self._model
        if not is_stateful(model):
            return self._predict_outputs(X)
        if isinstance(X, LazyArray):
            chunk_rows = fixed_batch_rows(model, 0) * 16
            blocks: Any = (self._validate_X(block) for _, block in X.chunks(chunk_rows))
        else:
            blocks = [self._validate_X(X)]
        # States belong to one trained model: a refit starts a new stream.
        key = (id(model), len(self.history_.get("loss", [])))
        saved = self.__dict__.get("_stream_states")
        states = saved[1] if carry and saved is not None and saved[0] == key else None
        outputs, after = stream_outputs(
            model, blocks, self._model_turns(), states, pad_last=not carry
        )
        if carry:
            self._stream_states = (key, after)
        return outputs

    def _streams(self) -> bool:
        """Whether scoring streams X (a fitted stateful network)."""
        check_is_fitted(self)
        return is_stateful(self._model)


@compose_parameters(
    CORE_PARAMETERS,
    REGRESSOR_PARAMETERS,
    NETWORK_PARAMETERS,
    RECURRENT_PARAMETERS,
)
class RecurrentRegressor(_RecurrentNetwork, BaseKerasRegressor):
    """A recurrent network regressor (the book's LSTM forecaster).

    Recurrent layers (``units``, of kind ``cell``), then a linear ``Dense``
    layer with one unit per target column. Samples are sequences ``X`` of
    shape ``(n_samples, n_steps, n_features)``; a 2-D ``X`` of shape
    ``(n_samples, n_steps)`` is read as ``n_steps`` steps of one feature.

    Targets ``y`` may be ``(n_samples,)`` or ``(n_samples, n_outputs)`` (a
    prediction after the last step), or ``(n_samples, n_steps, k)``: one
    target vector per input step (sequence to sequence). Then the last
    recurrent layer returns its whole sequence and feeds a
    ``TimeDistributed(Dense(k))`` head, and :meth:`predict` returns arrays
    of that shape.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch loss and metrics.
    n_features_in_ : int
        Size of the second axis of X (the number of time steps).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X has them.
    X_shape_ : tuple
        Shape of the training X.
    X_dtype_ : numpy.dtype
        dtype of the training X as given.
    y_dtype_ : numpy.dtype
        dtype of the training targets.
    target_type_ : str
        ``"continuous"`` (1-D y), ``"continuous-multioutput"`` (2-D y) or
        ``"continuous-sequence"`` (3-D y).
    n_outputs_ : int
        Number of target columns (``k`` for sequence targets).
    n_outputs_expected_ : int
        Number of model outputs (1).

    See Also
    --------
    RecurrentClassifier : The same network for class labels.
    sklearn_dl.forecasting.WindowedForecaster : Forecasting a series with it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.networks import RecurrentRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(64, 5, 1))
    >>> y = X.sum(axis=(1, 2))
    >>> reg = RecurrentRegressor(units=(4,), epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> seq = RecurrentRegressor(units=(4, 3), epochs=1, random_state=0)
    >>> seq.fit(X, np.cumsum(X, axis=1)).predict(X[:3]).shape
    (3, 5, 1)
    """

    _targets = SequenceTargets()

    def __init__(
        self,
        units: int | tuple[int, ...] = (3,),
        *,
        cell: str = "lstm",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        output_initializer: Any = "glorot_uniform",
        stateful: bool = False,
        optimizer: Any = "adam",
        learning_rate: float = 0.001,
        loss: Any = None,
        metrics: list | None = None,
        epochs: int = 10,
        batch_size: int | None = 32,
        validation_split: float = 0.0,
        early_stopping: bool = False,
        monitor: str = "val_loss",
        patience: int = 10,
        callbacks: list | dict | None = None,
        verbose: int | str = 0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        random_state: Any = None,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
    ) -> None:
        self.units = units
        self.cell = cell
        self.dropout = dropout
        self.output_initializer = output_initializer
        self.recurrent_dropout = recurrent_dropout
        self.stateful = stateful
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.patience = patience
        self.callbacks = callbacks
        self.verbose = verbose
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or \
(n_samples, n_steps)
            Sequences, shaped like the training samples.

        Returns
        -------
        ndarray of shape (n_samples,), (n_samples, n_outputs) or \
(n_samples, n_steps, n_outputs)
            Predictions (float64), shaped like the training targets.
        """
        if getattr(self, "target_type_", None) != _SEQUENCE_TARGET:
            return super().predict(X)
        return np.asarray(self._predict_outputs(X), dtype=np.float64)

    def _predictions_from(self, outputs: np.ndarray) -> np.ndarray:
        """Network outputs as :meth:`predict` returns them."""
        outputs = np.asarray(outputs, dtype=np.float64)
        if self.target_type_ == _SEQUENCE_TARGET:
            return outputs
        outputs = outputs.reshape(len(outputs), self.n_outputs_)
        return outputs.ravel() if self.target_type_ == "continuous" else outputs

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of the predictions.

        For sequence targets ``(n_samples, n_steps, n_outputs)`` every step
        counts as one sample: the R² of the ``n_samples * n_steps`` target
        vectors (averaged over outputs), each step weighted by its
        sequence's weight.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or \
(n_samples, n_steps)
            Test sequences.
        y : array-like of shape (n_samples,), (n_samples, n_outputs) or \
(n_samples, n_steps, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            R² of ``self.predict(X)`` against ``y``; for a stateful network,
            of the predictions of X read as one stream from zero states
            (see :meth:`stream_predict`), so that stateful and stateless
            networks are compared fairly in a search.
        """
        streams = self._streams()
        if not _is_sequence_target(y):
            if not streams:
                return super().score(X, y, sample_weight=sample_weight)
            predictions = self._predictions_from(self._stream_outputs(X, carry=False))
            return float(r2_score(y, predictions, sample_weight=sample_weight))
        y = check_array(y, allow_nd=True, dtype="numeric", input_name="y")
        predictions = (
            self._predictions_from(self._stream_outputs(X, carry=False))
            if streams
            else self.predict(X)
        )
        if predictions.shape != y.shape:
            raise ValueError(
                f"y has shape {y.shape}, but the predictions have shape "
                f"{predictions.shape}."
            )
        n_samples, n_steps = y.shape[:2]
        if sample_weight is not None:
            sample_weight = np.repeat(np.asarray(sample_weight), n_steps)
        return float(
            r2_score(
                y.reshape(n_samples * n_steps, -1),
                predictions.reshape(n_samples * n_steps, -1),
                sample_weight=sample_weight,
            )
        )


@compose_parameters(
    CORE_PARAMETERS,
    CLASSIFIER_PARAMETERS,
    NETWORK_PARAMETERS,
    RECURRENT_PARAMETERS,
)
class RecurrentClassifier(_RecurrentNetwork, BaseKerasClassifier):
    """A recurrent network classifier.

    Recurrent layers (``units``, of kind ``cell``), then a softmax ``Dense``
    layer with one unit per class (one sigmoid unit for binary targets with
    the default loss). Samples are sequences ``X`` of shape ``(n_samples,
    n_steps, n_features)``; a 2-D ``X`` of shape ``(n_samples, n_steps)`` is
    read as ``n_steps`` steps of one feature.

    Parameters
    ----------

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of list
        Per-epoch loss and metrics.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Size of the second axis of X (the number of time steps).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X has them.
    X_shape_ : tuple
        Shape of the training X.
    X_dtype_ : numpy.dtype
        dtype of the training X as given.
    y_dtype_ : numpy.dtype
        dtype of the training labels.
    target_type_ : str
        ``"binary"`` or ``"multiclass"``.
    n_outputs_ : int
        Number of target columns (1).
    n_outputs_expected_ : int
        Number of model outputs (1).
    target_encoder_ : object
        Maps labels to the network's targets and back.
    output_encoding_ : {"binary", "sparse", "onehot"}
        How targets are fed to the network.

    See Also
    --------
    RecurrentRegressor : The same network for numeric targets.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.networks import RecurrentClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 6, 2))
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = RecurrentClassifier(units=(4,), cell="gru", epochs=2, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        units: int | tuple[int, ...] = (3,),
        *,
        cell: str = "lstm",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        output_initializer: Any = "glorot_uniform",
        stateful: bool = False,
        optimizer: Any = "adam",
        learning_rate: float = 0.001,
        loss: Any = None,
        metrics: list | None = None,
        epochs: int = 10,
        batch_size: int | None = 32,
        validation_split: float = 0.0,
        early_stopping: bool = False,
        monitor: str = "val_loss",
        patience: int = 10,
        callbacks: list | dict | None = None,
        verbose: int | str = 0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        random_state: Any = None,
        warm_start: bool = False,
        device: Any = None,
        mixed_precision: bool = False,
        class_weight: dict | str | None = None,
    ) -> None:
        self.units = units
        self.cell = cell
        self.dropout = dropout
        self.output_initializer = output_initializer
        self.recurrent_dropout = recurrent_dropout
        self.stateful = stateful
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.patience = patience
        self.callbacks = callbacks
        self.verbose = verbose
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device
        self.mixed_precision = mixed_precision
        self.class_weight = class_weight

    def _predictions_from(self, outputs: np.ndarray) -> np.ndarray:
        """Network outputs as :meth:`predict` returns them (labels)."""
        encoder = self.target_encoder_
        return encoder.decode(encoder.probabilities(outputs))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of the predicted labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or \
(n_samples, n_steps)
            Test sequences.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            Accuracy of ``self.predict(X)``; for a stateful network, of the
            predictions of X read as one stream from zero states (see
            :meth:`stream_predict`), so that stateful and stateless
            networks are compared fairly in a search.
        """
        if not self._streams():
            return super().score(X, y, sample_weight=sample_weight)
        predictions = self._predictions_from(self._stream_outputs(X, carry=False))
        return float(accuracy_score(y, predictions, sample_weight=sample_weight))
