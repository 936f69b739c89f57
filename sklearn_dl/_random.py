"""Seeding a fit without leaking into the user's global random state."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from sklearn_dl._keras import import_keras

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


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed Python, NumPy and the Keras backend for the enclosed block.

    NumPy's and Python's global generators are restored afterwards, so
    fitting a seeded network does not change the random numbers the
    surrounding program draws.

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
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    import_keras().utils.set_random_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
