"""RecurrentRegressor / RecurrentClassifier beyond scikit-learn's checks."""

import math
import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import mean_squared_error
from sklearn.preprocessing import MinMaxScaler

from sklearn_dl._compat import InvalidParameterError
from sklearn_dl.datasets import load_sine_series
from sklearn_dl.exceptions import BackendNotSupportedError
from sklearn_dl.networks._recurrent import (
    RecurrentClassifier,
    RecurrentRegressor,
    _state_reset_callback_class,
    pad_to_full_batches,
    reset_recurrent_states,
)
from sklearn_dl.preprocessing import make_supervised_windows

TINY = {"units": (2,), "epochs": 1, "random_state": 0}


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(96, 5, 2)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


def _recurrent_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


# -------------------------------------------------------------- architecture
@pytest.mark.parametrize(
    ("cell", "layer_class"),
    [
        ("lstm", keras.layers.LSTM),
        ("gru", keras.layers.GRU),
        ("simple", keras.layers.SimpleRNN),
    ],
)
def test_cell_chooses_the_recurrent_layer(sequences, cell, layer_class):
    X, y = sequences
    reg = RecurrentRegressor(cell=cell, **TINY).fit(X, y)
    (layer,) = _recurrent_layers(reg.model_)
    assert type(layer) is layer_class
    assert layer.units == 2 and not layer.return_sequences


def test_stacked_layers_return_sequences_when_feeding_another(sequences):
    X, y = sequences
    reg = RecurrentRegressor(units=(9, 6, 3), epochs=1, random_state=0).fit(X, y)
    layers = _recurrent_layers(reg.model_)
    assert [layer.units for layer in layers] == [9, 6, 3]
    assert [layer.return_sequences for layer in layers] == [True, True, False]
    assert reg.model_.output_shape == (None, 1)
    # The book's shapes (its Figure B3-85): (samples, units) at the end.
    assert layers[0].output.shape == (None, 5, 9)


def test_int_units_is_one_layer_and_dropout_reaches_layers(sequences):
    X, y = sequences
    reg = RecurrentRegressor(
        units=4, dropout=0.25, recurrent_dropout=0.1, epochs=1, random_state=0
    ).fit(X, y)
    (layer,) = _recurrent_layers(reg.model_)
    assert layer.units == 4
    assert layer.dropout == 0.25 and layer.recurrent_dropout == 0.1


def test_learning_rate_reaches_the_optimizer(sequences):
    X, y = sequences
    reg = RecurrentRegressor(learning_rate=0.0123, **TINY).fit(X, y)
    assert isinstance(reg.model_.optimizer, keras.optimizers.Adam)
    assert float(reg.model_.optimizer.learning_rate) == pytest.approx(0.0123)


def test_2d_input_is_one_feature_per_step(sequences):
    X, y = sequences
    reg = RecurrentRegressor(**TINY).fit(X[:, :, 0], y)
    assert reg.model_.input_shape == (None, 5)
    assert any(isinstance(layer, keras.layers.Reshape) for layer in reg.model_.layers)
    (layer,) = _recurrent_layers(reg.model_)
    assert layer.input.shape == (None, 5, 1)
    assert reg.n_features_in_ == 5
    assert reg.predict(X[:4, :, 0]).shape == (4,)


def test_3d_input_is_taken_as_it_is(sequences):
    X, y = sequences
    reg = RecurrentRegressor(**TINY).fit(X, y)
    assert reg.model_.input_shape == (None, 5, 2)
    with pytest.raises(ValueError, match=r"samples of shape \(5, 1\)"):
        reg.predict(X[:, :, :1])


def test_other_shapes_are_rejected(sequences):
    X, y = sequences
    with pytest.raises(ValueError, match=r"takes sequences of shape"):
        RecurrentRegressor(**TINY).fit(X[:, :, :, np.newaxis], y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"cell": "rnn"}, "'cell' parameter"),
        ({"units": ()}, "at least one layer size"),
        ({"units": (3, 0)}, "positive ints"),
        ({"dropout": 1.0}, "'dropout' parameter"),
        ({"recurrent_dropout": -0.1}, "'recurrent_dropout' parameter"),
        ({"stateful": "yes"}, "'stateful' parameter"),
    ],
)
def test_bad_parameters_raise(sequences, params, match):
    X, y = sequences
    with pytest.raises((ValueError, InvalidParameterError), match=match):
        RecurrentRegressor(**{**TINY, **params}).fit(X, y)


def test_multi_output_targets(sequences):
    X, y = sequences
    targets = np.column_stack([y, -y, 2 * y])
    reg = RecurrentRegressor(**TINY).fit(X, targets)
    assert reg.model_.output_shape == (None, 3)
    assert reg.predict(X[:4]).shape == (4, 3)


# --------------------------------------------------- sequence to sequence
def test_sequence_targets_use_a_time_distributed_head(sequences):
    X, _ = sequences
    targets = np.cumsum(X, axis=1)  # (n, 5, 2): a target vector per step
    reg = RecurrentRegressor(units=(3, 2), epochs=1, random_state=0).fit(X, targets)
    layers = _recurrent_layers(reg.model_)
    assert [layer.return_sequences for layer in layers] == [True, True]
    head = reg.model_.layers[-1]
    assert isinstance(head, keras.layers.TimeDistributed)
    assert isinstance(head.layer, keras.layers.Dense) and head.layer.units == 2
    assert reg.target_type_ == "continuous-sequence" and reg.n_outputs_ == 2
    predictions = reg.predict(X[:7])
    assert predictions.shape == (7, 5, 2) and predictions.dtype == np.float64
    assert np.isfinite(reg.score(X[:20], targets[:20]))


def test_sequence_targets_learn(sequences):
    X, _ = sequences
    targets = X[:, :, :1] * 2.0
    reg = RecurrentRegressor(units=(8,), learning_rate=0.03, epochs=30, random_state=0)
    reg.fit(X, targets)
    error = mean_squared_error(targets.ravel(), reg.predict(X).ravel())
    assert error < 0.5 * targets.var()


def test_sequence_targets_must_match_the_steps_of_x(sequences):
    X, _ = sequences
    with pytest.raises(ValueError, match="one target vector per input step"):
        RecurrentRegressor(**TINY).fit(X, np.zeros((len(X), 4, 1)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RecurrentRegressor(**TINY).fit(X, np.zeros((len(X) - 1, 5, 1)))


def test_warm_start_keeps_the_target_kind(sequences):
    X, y = sequences
    reg = RecurrentRegressor(warm_start=True, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="was fitted on continuous targets"):
        reg.fit(X, np.zeros((len(X), 5, 1)))


# ------------------------------------------------------------- classifier
def test_classifier_with_string_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6, 1)).astype(np.float32)
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    clf = RecurrentClassifier(units=(8,), learning_rate=0.03, epochs=15, random_state=0)
    clf.fit(X, y)
    assert clf.classes_.tolist() == ["down", "up"]
    assert clf.predict_proba(X[:3]).shape == (3, 2)
    assert clf.score(X, y) > 0.8


def test_multiclass_classifier_has_a_softmax_head():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4)).astype(np.float32)
    y = np.digitize(X.sum(axis=1), [-1, 1])  # three classes
    clf = RecurrentClassifier(cell="gru", **TINY).fit(X, y)
    head = clf.model_.layers[-1]
    assert head.units == 3 and head.activation.__name__ == "softmax"
    np.testing.assert_allclose(clf.predict_proba(X[:5]).sum(axis=1), 1, rtol=1e-5)


# ------------------------------------------------------------ the book's way
def test_book_workflow_scale_window_lstm_inverse_rmse():
    """Scale on train only, window, LSTM, inverse-transform, RMSE (L8545-8966)."""
    train, test = load_sine_series(1)
    scaler = MinMaxScaler(feature_range=(0, 1)).fit(train.reshape(-1, 1))
    scaled_train = scaler.transform(train.reshape(-1, 1))
    scaled_test = scaler.transform(test.reshape(-1, 1))
    window_size = 3
    X_train, y_train = make_supervised_windows(scaled_train, window_size)
    X_test, y_test = make_supervised_windows(scaled_test, window_size)
    assert X_train.shape == (197, 3, 1) and y_train.shape == (197,)

    reg = RecurrentRegressor(
        units=(3,), learning_rate=0.01, epochs=25, batch_size=8, random_state=0
    ).fit(X_train, y_train)
    predicted = scaler.inverse_transform(reg.predict(X_test).reshape(-1, 1))[:, 0]
    actual = scaler.inverse_transform(y_test.reshape(-1, 1))[:, 0]
    np.testing.assert_allclose(actual, test[window_size:])
    rmse = math.sqrt(mean_squared_error(actual, predicted))
    # Original units: the series spans about [-7, 7]; always predicting the
    # mean would give its standard deviation.
    assert rmse < 0.5 * test.std()


# ----------------------------------------------------------------- stateful
def test_pad_to_full_batches_keeps_each_batch_loss():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(130, 4, 1)), rng.normal(size=(130, 1))
    predictions = rng.normal(size=(130, 1))
    weights = rng.uniform(0.5, 2, size=130)
    X_pad, y_pad, w_pad = pad_to_full_batches(X, y, weights, 100)
    assert X_pad.shape == (200, 4, 1) and y_pad.shape == (200, 1)
    assert np.all(X_pad[130:] == 0) and np.all(w_pad[130:] == 0)
    np.testing.assert_allclose(w_pad[:100], weights[:100], rtol=1e-6)
    pred_pad = np.concatenate([predictions, np.full((70, 1), 99.0)])
    loss = keras.losses.MeanSquaredError()
    # The padded last batch has the loss Keras gives the real partial batch.
    expected = float(loss(y[100:], predictions[100:], sample_weight=weights[100:]))
    padded = float(loss(y_pad[100:], pred_pad[100:], sample_weight=w_pad[100:]))
    assert padded == pytest.approx(expected, rel=1e-5)


def test_pad_to_full_batches_leaves_full_batches_alone():
    X, y = np.ones((200, 3)), np.ones(200)
    X_out, y_out, w_out = pad_to_full_batches(X, y, None, 100)
    assert X_out is X and y_out is y and w_out is None


def test_stateful_networks_name_the_backends_they_need(monkeypatch):
    import sklearn_dl._backend.runtime as backend

    monkeypatch.setattr(backend, "configured_backend", lambda: "jax")
    X, y = np.ones((8, 3)), np.ones(8)
    with pytest.raises(BackendNotSupportedError, match="'jax' backend") as caught:
        RecurrentRegressor(stateful=True, batch_size=4, epochs=1).fit(X, y)
    assert caught.value.supported == ("tensorflow",)
    assert "KERAS_BACKEND" in str(caught.value)


#: Keras 3 carries stateful RNN states on TensorFlow only (see the test above).
tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="stateful recurrent networks need the TensorFlow backend",
)


@tensorflow_only
def test_reset_callback_zeroes_the_states():
    model = keras.Sequential(
        [
            keras.Input(batch_shape=(4, 3, 1)),
            keras.layers.LSTM(2, stateful=True),
            keras.layers.Dense(1),
        ]
    )
    model.predict_on_batch(np.ones((4, 3, 1)))
    lstm = model.layers[0]
    assert any(np.any(np.asarray(state) != 0) for state in lstm.states)
    callback = _state_reset_callback_class()()
    callback.set_model(model)
    callback.on_epoch_begin(0)
    assert all(np.all(np.asarray(state) == 0) for state in lstm.states)


@pytest.fixture(scope="module")
def stateful_data():
    if keras.backend.backend() != "tensorflow":
        pytest.skip("stateful recurrent networks need the TensorFlow backend")
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(271, 4)).astype(np.float32)
    return X, X.sum(axis=1)


@pytest.mark.parametrize("n_rows", [130, 271])
def test_stateful_trains_on_any_number_of_rows(stateful_data, n_rows):
    X, y = stateful_data
    reg = RecurrentRegressor(
        units=(3,), stateful=True, batch_size=100, epochs=2, random_state=0
    ).fit(X[:n_rows], y[:n_rows])
    assert reg.model_.input_shape == (100, 4)
    assert all(layer.stateful for layer in _recurrent_layers(reg.model_))
    assert len(reg.history_["loss"]) == 2
    assert reg.predict(X).shape == (271,)
    assert reg.predict(X[:1]).shape == (1,)


def test_stateful_fit_arguments_pad_keep_order_and_reset(stateful_data):
    X, y = stateful_data
    reg = RecurrentRegressor(units=(2,), stateful=True, batch_size=100, epochs=1)
    reg.fit(X[:130], y[:130])
    arguments = reg._feeder_for(None).fit_arguments(
        {
            "x": X[:130],
            "y": y[:130, None],
            "sample_weight": None,
            "batch_size": 100,
            "shuffle": True,
            "validation_split": 0.0,
            "callbacks": [],
        }
    )
    assert arguments["x"].shape == (200, 4) and arguments["shuffle"] is False
    np.testing.assert_array_equal(arguments["x"][:130], X[:130])  # in order
    weights = arguments["sample_weight"]
    assert np.all(weights[130:] == 0)
    assert weights[:100].tolist() == [1.0] * 100
    np.testing.assert_allclose(weights[100:130], 100 / 30)
    (callback,) = arguments["callbacks"]
    assert isinstance(callback, _state_reset_callback_class())


def test_stateful_predictions_do_not_depend_on_batching(stateful_data):
    X, y = stateful_data
    reg = RecurrentRegressor(
        units=(3,), stateful=True, batch_size=100, epochs=1, random_state=0
    ).fit(X[:130], y[:130])
    full = reg.predict(X)
    again = reg.predict(X)
    chunks = np.concatenate(
        [reg.predict(X[start : start + 7]) for start in range(0, len(X), 7)]
    )
    singles = np.concatenate([reg.predict(X[i : i + 1]) for i in range(0, 271, 30)])
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_array_equal(full, again)
    np.testing.assert_allclose(chunks, full, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(singles, full[::30], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(reg.predict(X[order]), full[order], rtol=1e-6, atol=1e-6)


def test_stateful_predict_resets_states_before_each_batch(stateful_data):
    X, y = stateful_data
    reg = RecurrentRegressor(
        units=(3,), stateful=True, batch_size=100, epochs=1, random_state=0
    ).fit(X[:130], y[:130])
    first = reg.predict(X[:100])
    # Leave states behind, as a training pass would.
    reg.model_.predict_on_batch(X[100:200])
    np.testing.assert_array_equal(reg.predict(X[:100]), first)
    reset_recurrent_states(reg.model_)
    lstm = _recurrent_layers(reg.model_)[0]
    assert all(np.all(np.asarray(state) == 0) for state in lstm.states)


def test_stateful_is_repeatable_and_validation_split_works(stateful_data):
    X, y = stateful_data
    params = {
        "units": (3,),
        "stateful": True,
        "batch_size": 100,
        "epochs": 2,
        "random_state": 0,
        "validation_split": 0.2,
    }
    first = RecurrentRegressor(**params).fit(X[:130], y[:130])
    second = RecurrentRegressor(**params).fit(X[:130], y[:130])
    assert len(first.history_["val_loss"]) == 2
    assert first.history_ == second.history_
    np.testing.assert_array_equal(first.predict(X), second.predict(X))


def test_stateful_validation_data_sample_weight_and_warm_start(stateful_data):
    X, y = stateful_data
    reg = RecurrentRegressor(
        units=(2,), stateful=True, batch_size=50, epochs=1, random_state=0
    )
    weights = np.linspace(0.5, 1.5, 130)
    reg.fit(X[:130], y[:130], sample_weight=weights, validation_data=(X[130:], y[130:]))
    assert "val_loss" in reg.history_
    reg.partial_fit(X[:60], y[:60])
    assert len(reg.history_["loss"]) == 2
    # A refit with another batch size builds a new model.
    reg.set_params(batch_size=40).fit(X[:130], y[:130])
    assert reg.model_.input_shape == (40, 4)


def test_stateful_classifier(stateful_data):
    X, y = stateful_data
    labels = (y > np.median(y)).astype(int)
    clf = RecurrentClassifier(
        units=(2,), stateful=True, batch_size=64, epochs=1, random_state=0
    ).fit(X[:130], labels[:130])
    assert clf.predict(X).shape == (271,)
    assert clf.predict_proba(X[:3]).shape == (3, 2)


def test_stateful_ignores_shuffle_for_training_order(stateful_data):
    X, y = stateful_data
    params = {"units": (2,), "stateful": True, "batch_size": 50, "epochs": 1}
    shuffled = RecurrentRegressor(shuffle=True, random_state=0, **params)
    ordered = RecurrentRegressor(shuffle=False, random_state=0, **params)
    shuffled.fit(X[:130], y[:130])
    ordered.fit(X[:130], y[:130])
    np.testing.assert_array_equal(shuffled.predict(X), ordered.predict(X))


# --------------------------------------------------------- sklearn protocol
def test_clone_and_pickle(sequences):
    X, y = sequences
    reg = RecurrentRegressor(**TINY).fit(X, y)
    restored = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(restored.predict(X), reg.predict(X), rtol=1e-6)
    cloned = clone(reg)
    assert cloned.get_params() == reg.get_params()
    assert not hasattr(cloned, "model_")


def test_stateful_model_pickles(stateful_data):
    X, y = stateful_data
    reg = RecurrentRegressor(
        units=(2,), stateful=True, batch_size=100, epochs=1, random_state=0
    ).fit(X[:130], y[:130])
    restored = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(restored.predict(X), reg.predict(X), rtol=1e-6)
    # The fitted model decides how to predict, not a parameter changed since.
    first = reg.predict(X[:3])
    reg.set_params(stateful=False, batch_size=7)
    np.testing.assert_array_equal(reg.predict(X[:3]), first)


def test_importing_does_not_import_keras():
    code = (
        "import sys, sklearn_dl.networks._recurrent, sklearn_dl.forecasting; "
        "assert 'keras' not in sys.modules, 'keras imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_docstrings_are_valid_numpydoc():
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    ignored = {"ES01", "EX01", "SA01", "GL01", "GL02", "RT02"}
    names = [
        "sklearn_dl.networks._recurrent.pad_to_full_batches",
        "sklearn_dl.networks._recurrent.reset_recurrent_states",
    ]
    for class_name in ("RecurrentRegressor", "RecurrentClassifier"):
        names += [
            f"sklearn_dl.networks._recurrent.{class_name}{method}"
            for method in ("", ".fit", ".predict", ".score")
        ]
    failures = {}
    for name in names:
        errors = [
            error
            for error in numpydoc_validate.validate(name)["errors"]
            if error[0] not in ignored
        ]
        if errors:
            failures[name] = errors
    assert not failures
