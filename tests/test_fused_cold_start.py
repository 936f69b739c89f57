"""Fast cold starts of fused fits: no TensorFlow on JAX, one compiled step."""

import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sklearn_dl._backend import fused_jax
from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.keras import import_keras, without_tensorflow_import

# Fused fits exist on JAX only; CI's JAX job runs these (marked backends).
on_jax = pytest.mark.skipif(
    configured_backend() != "jax", reason="fused fits run on the JAX backend"
)


def dense_model(keras, units=5, seed=0, **compile_kwargs):
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(
                units,
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            ),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        **{"optimizer": "adam", "loss": "sparse_categorical_crossentropy"}
        | compile_kwargs
    )
    return model


def batches(x, y, batch_size, epochs):
    """What ``Model.fit(shuffle=False)`` reads: the rows in order, by batch."""
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            yield x[start : start + batch_size], y[start : start + batch_size]


def batch_mean_loss(y_true, y_pred):
    """A loss over the whole batch: padded rows would count."""
    return import_keras().ops.mean(y_pred)


class Traces(logging.Handler):
    """Counts the functions JAX traces for jit, by name."""

    def __init__(self):
        super().__init__()
        self.names = []

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Finished tracing "):
            self.names.append(message.split()[2])


@pytest.mark.backends
@on_jax
@pytest.mark.parametrize("pad", [True, False])
def test_fused_copies_equal_their_sequential_fits(monkeypatch, pad):
    import jax

    keras = import_keras()
    if not pad:  # today's per-shape steps, for comparison
        monkeypatch.setattr(fused_jax, "padding_is_exact", lambda model: False)
    rng = np.random.default_rng(0)
    # 70, 75 and 50 rows in batches of 16: last batches of 6, 11 and 2 rows,
    # and the third copy has no fifth batch.
    sizes, batch_size, epochs = (70, 75, 50), 16, 2
    data = [
        (
            rng.normal(size=(n, 6)).astype(np.float32),
            rng.integers(0, 3, size=n).astype(np.int32),
        )
        for n in sizes
    ]
    model = dense_model(keras, units=9, seed=11)
    assert fused_jax.padding_is_exact(model) or not pad
    states = []
    for seed, (x, y) in enumerate(data):
        model.set_weights(dense_model(keras, units=9, seed=seed).get_weights())
        state = fused_jax.initial_state(model, (x[:batch_size], y[:batch_size]))
        # Copies: Model.fit below donates the variables' buffers.
        states.append(jax.tree.map(np.array, state))
    handler = Traces()
    logging.getLogger("jax").addHandler(handler)
    try:
        with jax.log_compiles():
            histories, trained = fused_jax.train_fused(
                model,
                states,
                [batches(x, y, batch_size, epochs) for x, y in data],
                [-(-len(x) // batch_size) for x, _ in data],
                epochs,
            )
    finally:
        logging.getLogger("jax").removeHandler(handler)
    if pad:
        # One program for full, partial and missing batches alike.
        assert handler.names.count("step_padded") == 1
        assert "train_step" not in handler.names
    for (x, y), history, state, start in zip(
        data, histories, trained, states, strict=True
    ):
        fused_jax.assign_state(model, start)
        expected = model.fit(
            x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0
        )
        assert list(history) == ["loss"]
        np.testing.assert_allclose(history["loss"], expected.history["loss"], rtol=1e-6)
        for value, variable in zip(state[0], model.trainable_variables, strict=True):
            np.testing.assert_allclose(value, variable.numpy(), rtol=1e-5, atol=1e-6)


def test_padding_only_where_it_changes_nothing():
    keras = import_keras()
    assert fused_jax.padding_is_exact(dense_model(keras))
    assert fused_jax.padding_is_exact(
        dense_model(keras, loss=keras.losses.SparseCategoricalCrossentropy())
    )
    refused = [
        dense_model(keras, metrics=["accuracy"]),  # counts every row
        dense_model(
            keras,
            loss=keras.losses.SparseCategoricalCrossentropy(reduction="sum"),
        ),
        dense_model(keras, loss=batch_mean_loss),  # not Keras's
    ]
    dropout = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(4), keras.layers.Dropout(0.5)]
    )
    dropout.compile(optimizer="adam", loss="mse")
    normalized = keras.Sequential(
        [keras.Input((6,)), keras.layers.BatchNormalization(), keras.layers.Dense(2)]
    )
    normalized.compile(optimizer="adam", loss="mse")
    regularized = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(2, activity_regularizer="l2")]
    )
    regularized.compile(optimizer="adam", loss="mse")
    for model in [*refused, dropout, normalized, regularized]:
        assert not fused_jax.padding_is_exact(model)


@pytest.mark.backends
@on_jax
def test_fused_steps_are_rebuilt_after_the_model_is_compiled_again():
    keras = import_keras()
    model = dense_model(keras)
    steps = fused_jax._fused_steps(model)
    assert fused_jax._fused_steps(model) == steps  # kept on the model
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    rebuilt = fused_jax._fused_steps(model)
    assert all(new is not old for new, old in zip(rebuilt, steps, strict=True))
    assert getattr(model, fused_jax._STEPS_ATTRIBUTE)[0][0] is model.optimizer
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert fused_jax._fused_steps(model)[0] is not rebuilt[0]


def test_without_tensorflow_import_returns_the_call():
    keras = import_keras()
    model = dense_model(keras)
    assert without_tensorflow_import(model.get_config) == model.get_config()
    with pytest.raises(ZeroDivisionError):
        without_tensorflow_import(lambda: 1 / 0)


@pytest.mark.backends
@on_jax
def test_a_fused_search_on_jax_never_imports_tensorflow():
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from sklearn_dl.model_selection import GridSearchCV
        from sklearn_dl.networks import DenseClassifier

        rng = np.random.default_rng(0)
        X = rng.normal(size=(60, 4)).astype(np.float32)
        y = rng.integers(0, 2, size=60)
        network = DenseClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0)
        search = GridSearchCV(network, {"learning_rate": [1e-3, 1e-2]}, cv=2)
        search.fit(X, y).predict_proba(X)
        assert list(search.fused_group_) == [0, 0], search.fused_reason_
        print("tensorflow" in sys.modules)
        """
    )
    environment = {**os.environ, "KERAS_BACKEND": "jax", "SKLEARN_DL_JAX_CACHE": "0"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.backends
@on_jax
def test_seeding_a_model_draws_no_new_weight_shape():
    import jax

    from sklearn_dl._core.seeding import seed_model

    keras = import_keras()
    # Shapes no other test draws: the build traces Keras's draw per kernel.
    model = keras.Sequential(
        [keras.Input((7,)), keras.layers.Dense(13), keras.layers.Dense(17)]
    )
    before = [weight.numpy() for weight in model.weights]
    handler = Traces()
    logging.getLogger("jax").addHandler(handler)
    try:
        with jax.log_compiles():
            seed_model(model, 0)
    finally:
        logging.getLogger("jax").removeHandler(handler)
    # The kernels are drawn again at their shapes; the zero biases, never
    # a kernel initializer's draw, are not tried (a program per shape).
    assert not [name for name in handler.names if "uniform" in name]
    after = [weight.numpy() for weight in model.weights]
    assert not np.array_equal(after[0], before[0])
    np.testing.assert_array_equal(after[1], np.zeros(13))
