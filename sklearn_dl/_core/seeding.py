"""Seeding a fit without leaking into the user's global random state."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from sklearn_dl._backend.keras import import_keras

_MAX_SEED = np.iinfo(np.int32).max


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


#: Held by a seeded block: the generators it seeds are global to the process.
_SEEDED_LOCK = threading.RLock()
#: Module-level functions of :mod:`random` that draw from or reset its
#: hidden generator (Keras calls ``random.randint`` for default seeds).
_PYTHON_RANDOM_FUNCTIONS = (
    "betavariate",
    "choice",
    "choices",
    "expovariate",
    "gauss",
    "getrandbits",
    "getstate",
    "normalvariate",
    "randbytes",
    "randint",
    "random",
    "randrange",
    "sample",
    "seed",
    "setstate",
    "shuffle",
    "triangular",
    "uniform",
)


@contextmanager
def _own_python_random() -> Iterator[None]:
    """Give this thread a Python generator of its own while the block runs.

    Keras draws its default seeds from the module-level functions of
    :mod:`random`, which share one generator with every thread of the
    process: a Dask worker's event loop drawing a retry delay between
    ``set_random_seed`` and a layer's default seed would change the
    network. In the block, calls from this thread go to a private
    generator (seeded by ``random.seed`` as the global one would be, so
    the draws are the same); calls from other threads reach the global
    one as before.
    """
    owner = threading.get_ident()
    own = random.Random()
    originals = {name: getattr(random, name) for name in _PYTHON_RANDOM_FUNCTIONS}

    def dispatcher(name: str):
        mine, theirs = getattr(own, name), originals[name]

        def call(*args, **kwargs):
            chosen = mine if threading.get_ident() == owner else theirs
            return chosen(*args, **kwargs)

        return call

    for name in originals:
        setattr(random, name, dispatcher(name))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(random, name, function)


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed Python, NumPy and the Keras backend for the enclosed block.

    NumPy's and Python's global generators are restored afterwards, so
    fitting a seeded network does not change the random numbers the
    surrounding program draws. Those generators (and TensorFlow's global
    seed) belong to the whole process, so seeded blocks in different
    threads (joblib's threading backend, Dask workers with several
    threads) take turns: interleaved, they would draw from each other's
    streams and a seed would no longer fix the result. Python's generator
    is swapped for a private one in the calling thread (see
    ``_own_python_random``), so other threads that draw from it, such as a
    Dask worker's event loop, cannot shift Keras's default seeds.

    Parameters
    ----------
    seed : int or None
        The seed; ``None`` leaves every generator untouched.

    Yields
    ------
    None
        Control returns to the enclosed block.
    """
    if seed is None:
        yield
        return
    with _SEEDED_LOCK, _own_python_random():
        numpy_state = np.random.get_state()
        import_keras().utils.set_random_seed(seed)
        try:
            yield
        finally:
            np.random.set_state(numpy_state)
