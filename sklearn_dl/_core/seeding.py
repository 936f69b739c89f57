"""Seeding a fit without global state: explicit seeds for a built model.

A seeded fit never seeds a process-wide generator (Python's ``random``,
NumPy's legacy generator, TensorFlow's global seed): two seeded fits may run
at once in two threads, each reproducible. Instead, right after the model is
built, :func:`seed_model` gives each of its random sources that was created
without a seed a seed of its own, derived from the fit's seed and the
source's position in the model; the data order comes from a per-fit
generator (:mod:`sklearn_dl._core.feeders`).
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from sklearn_dl._backend.keras import import_keras

_MAX_SEED = np.iinfo(np.int32).max
# Kinds of random sources, part of a derived seed so that no two collide.
_WEIGHT, _GENERATOR = 0, 1


def seed_from_random_state(random_state: object) -> int | None:
    """Turn a scikit-learn ``random_state`` into a Keras seed.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        ``None`` leaves training unseeded; an int is used as is; a
        ``RandomState`` gives a new seed on every call, as scikit-learn's
        estimators do.

    Returns
    -------
    int or None
        The seed, or None when training is not seeded.
    """
    if random_state is None:
        return None
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return int(random_state) % _MAX_SEED
    return int(check_random_state(random_state).randint(_MAX_SEED))


def derived_seed(seed: int, *path: int) -> int:
    """A seed for one random source, from the fit's seed and the source's path.

    Parameters
    ----------
    seed : int
        The fit's seed.
    *path : int
        Where the source is (its kind and position); different paths give
        independent seeds.

    Returns
    -------
    int
        A non-negative 31-bit seed (every backend's seed dtype holds it).
    """
    state = np.random.SeedSequence([seed, *path]).generate_state(1)[0]
    return int(state) & _MAX_SEED


def seed_model(model: Any, seed: int) -> None:
    """Give every unseeded random source of a built model a derived seed.

    Two kinds of sources are seeded, in the order of ``model.variables``
    (the same for the same builder in every process, unlike layer names,
    which count the layers built before):

    * a weight whose layer holds an initializer created without a seed
      (Keras then draws a default seed from Python's :mod:`random`) and
      which still holds exactly that initializer's draw is drawn again from
      a copy of the initializer with a derived seed. A weight that was set
      or loaded (``set_weights`` in a builder, pretrained weights) no longer
      equals the draw and is left alone;
    * a ``keras.random.SeedGenerator`` created without a seed (dropout,
      noise and augmentation layers) restarts from a derived seed.

    Initializers and generators given a seed by the builder keep it.

    Parameters
    ----------
    model : keras.Model
        A built model.
    seed : int
        The fit's seed.
    """
    keras = import_keras()
    position = {id(variable): i for i, variable in enumerate(model.variables)}
    for layer in _layers(model, keras):
        values = list(_attribute_values(layer))
        initializers = [
            value
            for value in values
            if isinstance(value, keras.initializers.Initializer)
            and _unseeded_initializer(value)
        ]
        if initializers:
            for variable in _own_weights(layer, values, keras):
                _redraw(variable, initializers, seed, position)
        for value in values:
            if (
                isinstance(value, keras.random.SeedGenerator)
                and value.get_config().get("seed") is None
                and id(value.state) in position
            ):
                start = derived_seed(seed, _GENERATOR, position[id(value.state)])
                value.state.assign(np.array([start, 0], dtype=value.state.dtype))


def _layers(model: Any, keras: Any) -> Iterator[Any]:
    """The model and every layer reachable from its attributes, depth first.

    Walks attributes rather than ``layer._layers`` (private) so that the
    sub-layers of custom layers and nested models are found too.
    """
    seen: set[int] = set()
    stack = [model]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        yield layer
        children = [v for v in _attribute_values(layer) if isinstance(v, keras.Layer)]
        stack.extend(reversed(children))


def _attribute_values(layer: Any) -> Iterator[Any]:
    """A layer's attribute values, with lists, tuples and dicts opened once."""
    for value in vars(layer).values():
        if isinstance(value, (list, tuple)):
            yield from value
        elif isinstance(value, dict):
            yield from value.values()
        else:
            yield value


def _own_weights(layer: Any, values: list[Any], keras: Any) -> list[Any]:
    """The float weights of ``layer`` that none of its sub-layers holds."""
    nested = {
        id(weight)
        for value in values
        if isinstance(value, keras.Layer)
        for weight in value.weights
    }
    return [
        weight
        for weight in layer.weights
        if id(weight) not in nested and "float" in str(weight.dtype)
    ]


def _unseeded_initializer(initializer: Any) -> bool:
    """Whether Keras gave ``initializer`` a default seed (none was asked for).

    Keras 3 keeps that default as an int in ``seed`` while its config says
    ``None``; calling the initializer again repeats its draw.
    """
    try:
        config = initializer.get_config()
    except NotImplementedError:
        return False
    return (
        "seed" in config
        and config["seed"] is None
        and isinstance(getattr(initializer, "seed", None), int)
    )


def _redraw(
    variable: Any, initializers: list[Any], seed: int, position: dict[int, int]
) -> None:
    """Draw ``variable`` again with a derived seed if it holds an initial draw."""
    if id(variable) not in position:
        return
    current = np.asarray(variable.numpy())
    if current.size > 1 and np.all(current == current.flat[0]):
        # A constant (a zero bias): no random draw of two or more values.
        # Skipping saves drawing the layer's other initializers at this
        # shape, which on JAX compiles a program per shape.
        return
    shape, dtype = tuple(variable.shape), variable.dtype
    for initializer in initializers:
        try:
            draw = np.asarray(initializer(shape, dtype=dtype))
        except (ValueError, TypeError):
            continue  # not this weight's initializer (Orthogonal of a bias)
        if draw.shape == current.shape and np.array_equal(draw, current):
            config = {
                **initializer.get_config(),
                "seed": derived_seed(seed, _WEIGHT, position[id(variable)]),
            }
            seeded = type(initializer).from_config(config)
            variable.assign(seeded(shape, dtype=dtype))
            return
