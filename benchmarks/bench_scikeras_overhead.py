"""The scikeras-compatibility layer costs nothing on the hot paths.

The wrappers' ``fit``, ``predict`` and ``predict_proba`` now go through
:class:`~sklearn_dl._core.scikeras_compat.ScikerasCompat` (fit-time
overrides, predict-time arguments) and
:class:`~sklearn_dl._core.wrapper_targets.WrapperTargets` (several inputs and
outputs). This times the public methods on a fitted digits classifier, for a
few rows (where any overhead would show) and for many, and a one-epoch fit.
Run it once on the checkout before the layer and once after, in fresh
processes, and compare::

    PYTHONPATH=/path/to/before python benchmarks/bench_scikeras_overhead.py
    PYTHONPATH=/path/to/after python benchmarks/bench_scikeras_overhead.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def best_time(func: Callable[[], Any], repeats: int) -> float:
    """The fastest of ``repeats`` calls of ``func``, in seconds.

    Parameters
    ----------
    func : callable
        What to time.
    repeats : int
        How many calls.

    Returns
    -------
    float
        The minimum wall time.
    """
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Time the public paths and print seconds per call.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments.

    Returns
    -------
    dict
        Seconds per call (best of the repeats) for each path.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)

    import keras
    from sklearn.datasets import load_digits

    import sklearn_dl
    from sklearn_dl import KerasClassifier

    print(f"sklearn_dl from {sklearn_dl.__file__}")

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    clf = KerasClassifier(build, epochs=1, random_state=0).fit(X, y)
    results = {}
    for rows in (5, len(X)):
        part = X[:rows]
        results[f"predict_proba_{rows}_s"] = best_time(
            lambda part=part: clf.predict_proba(part), args.repeats
        )
    results["fit_1_epoch_s"] = best_time(
        lambda: clf.fit(X, y), max(3, args.repeats // 40)
    )
    for name, value in results.items():
        print(f"{name:32} {value:.6f}")
    return results


if __name__ == "__main__":
    main()
