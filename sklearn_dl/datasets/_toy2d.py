"""Two-dimensional toy data for decision-boundary pictures."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils import shuffle as shuffle_arrays

from sklearn_dl._compat import Interval, validate_params

__all__ = ["make_spiral"]


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_arms": [Interval(Integral, 2, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_spiral(
    n_samples: int = 1000,
    *,
    n_arms: int = 5,
    noise: float = 0.03,
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Make points on interleaved spiral arms, one class per arm.

    This is the book's ensemble data set: 1,000 points on 5 arms, 200 per
    class. Arm ``k`` starts at the origin and winds one full turn outwards to
    radius 1, rotated by ``2 * pi * k / n_arms``; its points are evenly
    spaced along it before the noise is added. For two moons, use
    :func:`sklearn.datasets.make_moons`.

    Parameters
    ----------
    n_samples : int, default=1000
        Total number of points, split as evenly as possible between the arms
        (the first arms get one more when it does not divide).
    n_arms : int, default=5
        Number of arms, hence of classes; at least 2.
    noise : float, default=0.03
        Standard deviation of the Gaussian noise added to each coordinate.
    shuffle : bool, default=True
        Whether to shuffle the points; otherwise they come arm by arm.
    random_state : int, RandomState instance or None, default=None
        Seed for the noise and the shuffling.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The points, within about ``[-1, 1]`` on each axis.
    y : ndarray of shape (n_samples,), dtype int64
        The arm of each point, 0 to ``n_arms - 1``.

    See Also
    --------
    sklearn.datasets.make_moons : Two interleaving half circles.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.datasets import make_spiral
    >>> X, y = make_spiral(random_state=0)
    >>> X.shape, np.bincount(y)
    ((1000, 2), array([200, 200, 200, 200, 200]))
    """
    rng = check_random_state(random_state)
    per_arm = np.full(n_arms, n_samples // n_arms)
    per_arm[: n_samples % n_arms] += 1
    points = []
    labels = []
    for arm, count in enumerate(per_arm):
        radius = np.linspace(0.0, 1.0, count)
        angle = 2 * np.pi * (arm / n_arms + radius)  # one turn along the arm
        points.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
        labels.append(np.full(count, arm, dtype=np.int64))
    X = np.concatenate(points)
    y = np.concatenate(labels)
    X += rng.normal(scale=noise, size=X.shape)
    if shuffle:
        X, y = shuffle_arrays(X, y, random_state=rng)
    return X, y
