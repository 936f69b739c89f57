"""The scikeras-compatibility layer costs nothing on the hot paths.

The wrappers' ``predict`` and ``predict_proba`` now go through
:class:`~sklearn_dl._core.scikeras_compat.ScikerasCompat` (predict-time
arguments, several outputs). This times them against the core's own
methods, called on the same fitted estimator (the path before the layer),
for a few rows (where any overhead would show) and for many; and times a
fit through the layer against the core's ``_fit``.

Usage::

    python benchmarks/bench_scikeras_overhead.py [--repeats 200]
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
    """Time the layer against the core and print the ratios.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments.

    Returns
    -------
    dict
        Seconds per call for each path and the ratios (layer / core).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)

    import keras
    from sklearn.datasets import load_digits

    from sklearn_dl import KerasClassifier
    from sklearn_dl._core.classifier import BaseKerasClassifier
    from sklearn_dl._core.estimator import BaseKerasEstimator

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
        layer = best_time(lambda part=part: clf.predict_proba(part), args.repeats)
        core = best_time(
            lambda part=part: BaseKerasClassifier.predict_proba(clf, part),
            args.repeats,
        )
        results[f"predict_proba_{rows}_layer_s"] = layer
        results[f"predict_proba_{rows}_core_s"] = core
        results[f"predict_proba_{rows}_ratio"] = layer / core
    fit_repeats = max(3, args.repeats // 40)
    layer_fit = best_time(lambda: clf.fit(X, y), fit_repeats)
    core_fit = best_time(
        lambda: BaseKerasEstimator._fit(
            clf, X, y, sample_weight=None, fit_params={}, warm=False, epochs=1
        ),
        fit_repeats,
    )
    results.update(fit_layer_s=layer_fit, fit_core_s=core_fit)
    results["fit_ratio"] = layer_fit / core_fit
    for name, value in results.items():
        print(f"{name:32} {value:.6f}")
    return results


if __name__ == "__main__":
    main()
