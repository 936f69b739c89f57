"""Resident memory and time per fit over many sequential fit+score cycles.

Run ``python -m benchmarks.bench_memory [--fits 100] [--quick]``. Each mode
runs in its own fresh process, so their memory does not mix:

- ``estimator``: ``KerasClassifier`` fit + score, compiled-model reuse on
  (the default);
- ``estimator-no-reuse``: the same with ``SKLEARN_DL_MODEL_REUSE=0``;
- ``keras``: raw Keras, a new model built, compiled, fitted and evaluated
  each time;
- ``keras-clear-session``: the same, calling ``keras.backend.clear_session()``
  before each build.

Printed: resident set size (psutil) after fit 1, 10, 50 and 100, its growth
from fit 10 to the last fit (the first fits load libraries and trace), and
the median time per fit over the five fits up to each of those points.
Target: growth <= 50 MB and flat time per fit for the estimator.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODES = ("estimator", "estimator-no-reuse", "keras", "keras-clear-session")


def _build(keras):
    return keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def run_mode(mode: str, fits: int) -> dict:
    """Fit ``fits`` times in this process; return RSS (MB) and seconds per fit."""
    import numpy as np
    import psutil
    from sklearn.datasets import load_digits

    from sklearn_dl import KerasClassifier
    from sklearn_dl._backend.keras import import_keras

    keras = import_keras()
    X, y = load_digits(return_X_y=True)
    X, y = (X[:500] / 16).astype(np.float32), y[:500]
    process = psutil.Process()

    def build(meta=None):
        return _build(keras)

    def one_fit() -> None:
        if mode.startswith("estimator"):
            clf = KerasClassifier(build, optimizer="adam", epochs=2, batch_size=64)
            clf.fit(X, y).score(X, y)
            return
        if mode == "keras-clear-session":
            keras.backend.clear_session()
        model = build()
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(X, y, epochs=2, batch_size=64, verbose=0)
        model.evaluate(X, y, verbose=0)

    rss, seconds = [], []
    for _ in range(fits):
        start = time.perf_counter()
        one_fit()
        seconds.append(time.perf_counter() - start)
        gc.collect()
        rss.append(process.memory_info().rss / 2**20)
    return {"rss_mb": rss, "seconds": seconds}


def _summary(mode: str, result: dict, points: list[int]) -> tuple:
    rss, seconds = result["rss_mb"], result["seconds"]
    at = [rss[p - 1] for p in points]
    times = [statistics.median(seconds[max(0, p - 5) : p]) for p in points]
    growth = rss[-1] - rss[min(9, len(rss) - 1)]
    return (
        mode,
        *(f"{value:.0f}" for value in at),
        f"{growth:+.1f}",
        *(f"{value:.3f}" for value in times),
    )


def main(argv: list[str] | None = None) -> dict[str, dict]:
    """Run every mode in a subprocess and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="30 fits")
    parser.add_argument("--modes", nargs="*", default=list(MODES), choices=MODES)
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    fits = 30 if args.quick else args.fits
    if args.child:
        print(json.dumps(run_mode(args.child, fits)))
        return {}
    from benchmarks._timing import print_table

    points = sorted({p for p in (1, 10, 50, 100, fits) if p <= fits})
    results, rows = {}, []
    for mode in args.modes:
        env = dict(os.environ)
        if mode == "estimator-no-reuse":
            env["SKLEARN_DL_MODEL_REUSE"] = "0"
        command = [sys.executable, "-m", "benchmarks.bench_memory", "--child", mode]
        completed = subprocess.run(
            [*command, "--fits", str(fits)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        results[mode] = json.loads(completed.stdout.strip().splitlines()[-1])
        rows.append(_summary(mode, results[mode], points))
        print(f"{mode}: done", file=sys.stderr)
    headers = (
        "mode",
        *(f"RSS MB @{p}" for p in points),
        f"growth 10->{fits}",
        *(f"s/fit @{p}" for p in points),
    )
    print_table(rows, headers)
    return results


if __name__ == "__main__":
    main()
