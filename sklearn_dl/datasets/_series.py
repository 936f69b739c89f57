"""The book's sine-wave series for recurrent networks (its part 3, section 4)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike

from sklearn_dl._compat import Interval, validate_params

__all__ = ["load_sine_series", "sum_of_sines", "sum_of_upsloping_sines"]

# The book's data sets: (freqs, amps, phases, upsloping).
_SINE_DATASETS = {
    0: ((1, 2), (1, 2), (0, 0), False),
    1: ((1.1, 1.7, 3.1, 7), (1, 2, 2, 3), (0, 0, 0, 0), False),
    2: ((1.1, 1.7, 3.1, 7), (1, 2, 2, 3), (0, 0, 0, 0), True),
}
_D_THETA = 0.057
# Gap, in steps, between the end of the training series and the test series:
# the book trains on steps 0-199 and tests on steps 400-599.
_TEST_GAP = 200

_WAVE_CONSTRAINTS = {
    "number_of_steps": [Interval(Integral, 0, None, closed="left")],
    "d_theta": [Interval(Real, None, None, closed="neither")],
    "skip_steps": [Interval(Integral, None, None, closed="neither")],
    "freqs": ["array-like"],
    "amps": ["array-like"],
    "phases": ["array-like"],
}


def _raw_sums(
    number_of_steps: int,
    d_theta: float,
    skip_steps: int,
    freqs: ArrayLike,
    amps: ArrayLike,
    phases: ArrayLike,
) -> np.ndarray:
    waves = [
        np.asarray(values, dtype=np.float64).ravel() for values in (freqs, amps, phases)
    ]
    if not len(waves[0]) == len(waves[1]) == len(waves[2]):
        raise ValueError(
            "freqs, amps and phases must have the same length; got "
            f"{len(waves[0])}, {len(waves[1])} and {len(waves[2])}."
        )
    if not all(np.isfinite(values).all() for values in waves):
        raise ValueError("freqs, amps and phases must be finite.")
    # Same arithmetic as the book's loop: angle = d_theta * (step + skip),
    # then the waves added one after the other, starting from 0.
    angle = d_theta * (np.arange(number_of_steps) + skip_steps).astype(np.float64)
    total = np.zeros(number_of_steps, dtype=np.float64)
    for freq, amp, phase in zip(*waves, strict=True):
        total += amp * np.sin(freq * (phase + angle))
    return total


@validate_params(_WAVE_CONSTRAINTS, prefer_skip_nested_validation=True)
def sum_of_sines(
    number_of_steps: int,
    d_theta: float,
    skip_steps: int,
    freqs: ArrayLike,
    amps: ArrayLike,
    phases: ArrayLike,
) -> np.ndarray:
    """Add sine waves, sampled at evenly spaced angles (the book's Listing B3-50).

    Step ``s`` has the value ``sum_w amps[w] * sin(freqs[w] * (phases[w] +
    d_theta * (s + skip_steps)))`` for ``s`` in ``range(number_of_steps)``.

    Parameters
    ----------
    number_of_steps : int
        Length of the series.
    d_theta : float
        Angle, in radians, between consecutive steps.
    skip_steps : int
        Offset of the first step, so that a test series can start far to the
        right of the training series.
    freqs : array-like of shape (n_waves,)
        Frequency of each wave.
    amps : array-like of shape (n_waves,)
        Amplitude of each wave.
    phases : array-like of shape (n_waves,)
        Phase of each wave, added to the angle before the frequency applies.

    Returns
    -------
    values : ndarray of shape (number_of_steps,), dtype float64
        The series, 1-D as in the book; ``values.reshape(-1, 1)`` gives the
        column that scalers and :class:`~sklearn_dl.preprocessing.WindowMaker`
        take.

    Raises
    ------
    ValueError
        If ``freqs``, ``amps`` and ``phases`` differ in length (the book does
        not check) or hold non-finite values.

    See Also
    --------
    sum_of_upsloping_sines : The same, flipped wherever it heads downwards.
    load_sine_series : The book's three data sets.

    Examples
    --------
    >>> from sklearn_dl.datasets import sum_of_sines
    >>> sum_of_sines(3, 0.057, 0, [1, 2], [1, 2], [0, 0]).round(4)
    array([0.    , 0.2845, 0.5658])
    """
    return _raw_sums(number_of_steps, d_theta, skip_steps, freqs, amps, phases)


@validate_params(_WAVE_CONSTRAINTS, prefer_skip_nested_validation=True)
def sum_of_upsloping_sines(
    number_of_steps: int,
    d_theta: float,
    skip_steps: int,
    freqs: ArrayLike,
    amps: ArrayLike,
    phases: ArrayLike,
) -> np.ndarray:
    """Like :func:`sum_of_sines`, but negated wherever the sum heads down.

    This is the book's Listing B3-66: step ``s > 0`` is negated when the
    unflipped sum decreased from step ``s - 1``; the first step is negated
    when the second one is.

    Parameters
    ----------
    number_of_steps : int
        Length of the series.
    d_theta : float
        Angle, in radians, between consecutive steps.
    skip_steps : int
        Offset of the first step.
    freqs : array-like of shape (n_waves,)
        Frequency of each wave.
    amps : array-like of shape (n_waves,)
        Amplitude of each wave.
    phases : array-like of shape (n_waves,)
        Phase of each wave.

    Returns
    -------
    values : ndarray of shape (number_of_steps,), dtype float64
        The series, 1-D as in the book.

    Raises
    ------
    ValueError
        If ``freqs``, ``amps`` and ``phases`` differ in length or hold
        non-finite values.

    See Also
    --------
    sum_of_sines : The series before flipping.

    Examples
    --------
    >>> from sklearn_dl.datasets import sum_of_upsloping_sines
    >>> sum_of_upsloping_sines(4, 1.0, 0, [1], [1], [0]).round(4)
    array([ 0.    ,  0.8415,  0.9093, -0.1411])
    """
    total = _raw_sums(number_of_steps, d_theta, skip_steps, freqs, amps, phases)
    flip = np.zeros(number_of_steps, dtype=bool)
    flip[1:] = np.diff(total) < 0
    if number_of_steps > 1:
        flip[0] = flip[1]
    return np.where(flip, -total, total)


@validate_params(
    {
        "dataset": [Interval(Integral, 0, 2, closed="both")],
        "n_train_steps": [Interval(Integral, 1, None, closed="left")],
        "n_test_steps": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def load_sine_series(
    dataset: int = 0, *, n_train_steps: int = 200, n_test_steps: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """Generate the book's sine-wave data sets 0, 1 and 2.

    All use ``d_theta=0.057`` and zero phases:

    - 0, "calm": two waves, ``freqs=(1, 2)``, ``amps=(1, 2)``;
    - 1, "busy": four waves, ``freqs=(1.1, 1.7, 3.1, 7)``, ``amps=(1, 2, 2,
      3)``;
    - 2, "upsloping": data set 1 through :func:`sum_of_upsloping_sines`.

    The training series covers steps ``0`` to ``n_train_steps - 1``; the
    test series has ``n_test_steps`` steps starting 200 steps after the end
    of training. The defaults are the book's (train on steps 0-199, test on
    400-599); the book's longer runs use ``n_train_steps=2000`` and
    ``20000`` (with data set 2).

    Parameters
    ----------
    dataset : {0, 1, 2}, default=0
        Which of the book's data sets.
    n_train_steps : int, default=200
        Length of the training series.
    n_test_steps : int, default=200
        Length of the test series.

    Returns
    -------
    train : ndarray of shape (n_train_steps,), dtype float64
        The training series, 1-D as in the book.
    test : ndarray of shape (n_test_steps,), dtype float64
        The test series, starting at step ``n_train_steps + 200``.

    See Also
    --------
    sum_of_sines : The generator behind data sets 0 and 1.
    sklearn_dl.preprocessing.make_supervised_windows : The book's windows.

    Notes
    -----
    The book does not say where the test series of its 2,000 and 20,000-step
    runs starts; its text suggests it stayed at step 400, inside the longer
    training range. Here the test series always starts 200 steps after the
    training series ends, so the two never overlap.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_sine_series
    >>> train, test = load_sine_series(0)
    >>> train.shape, test.shape
    ((200,), (200,))
    """
    freqs, amps, phases, upsloping = _SINE_DATASETS[dataset]
    generate = sum_of_upsloping_sines if upsloping else sum_of_sines
    train = generate(n_train_steps, _D_THETA, 0, freqs, amps, phases)
    test = generate(
        n_test_steps, _D_THETA, n_train_steps + _TEST_GAP, freqs, amps, phases
    )
    return train, test
