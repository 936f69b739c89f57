"""Tiny model builders shared by the tests (scikeras-style signatures)."""

import keras


class MLP:
    """One hidden layer; softmax over the classes or linear regression outputs.

    A callable object rather than a function so that estimator reprs (and so
    pytest ids, which must match across xdist workers) hold no addresses.
    """

    def __call__(self, meta, hidden=32, compile_kwargs=None):
        layers = [keras.Input(meta["X_shape_"][1:])]
        if len(meta["X_shape_"]) > 2:
            layers.append(keras.layers.Flatten())
        layers.append(keras.layers.Dense(hidden, activation="relu"))
        if "n_classes_" in meta:
            layers.append(keras.layers.Dense(meta["n_classes_"], activation="softmax"))
        else:
            layers.append(keras.layers.Dense(meta["n_outputs_"]))
        return keras.Sequential(layers)

    def __repr__(self):
        return "MLP()"

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))


mlp = MLP()
