"""Fused fits against scikit-learn's GridSearchCV, each search in a fresh process.

The reference search (digits, ``DenseClassifier`` 64-h-10, h in {32, 64,
128} x learning rate in {1e-3, 1e-2}, 3-fold, 5 epochs, batch 64, refit) on
Keras's JAX backend: sklearn_dl's ``model_selection.GridSearchCV`` (fused
fits: one group per architecture, 6 fits each) against scikit-learn's
``GridSearchCV`` over the same estimator (sequential fits). Each search runs
in a fresh process with an empty JAX compilation cache; the time is that of
``search.fit`` (compilation included), the median of ``--repeats`` rounds;
the same search is then run again in that process (everything compiled).
The best scores and candidates must agree.

Run ``python -m benchmarks.bench_fused``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SEARCHES = ("sklearn", "fused")


def run_search(name: str) -> dict:
    """One reference search in this process; its time and results."""
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV

    from sklearn_dl.model_selection import GridSearchCV
    from sklearn_dl.networks import DenseClassifier

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    network = DenseClassifier(epochs=5, batch_size=64, random_state=0)
    grid = {
        "hidden_layer_sizes": [(32,), (64,), (128,)],
        "learning_rate": [1e-3, 1e-2],
    }
    search_class = GridSearchCV if name == "fused" else SklearnGridSearchCV
    search = search_class(network, grid, cv=3)
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    again = time.perf_counter()
    search.fit(X, y)  # the same search again: everything already compiled
    return {
        "seconds": seconds,
        "seconds_again": time.perf_counter() - again,
        "best_score": float(search.best_score_),
        "best_params": repr(search.best_params_),
        "mean_test_score": [float(v) for v in search.cv_results_["mean_test_score"]],
        "fused_groups": (
            [int(g) for g in search.fused_group_] if name == "fused" else None
        ),
    }


def fresh(name: str) -> dict:
    """:func:`run_search` in a fresh JAX process with an empty compilation cache."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "out.json")
        env = {
            **os.environ,
            "KERAS_BACKEND": "jax",
            "SKLEARN_DL_JAX_CACHE_DIR": os.path.join(directory, "cache"),
        }
        command = [sys.executable, "-m", "benchmarks.bench_fused", "--one", name]
        subprocess.run(
            [*command, "--json", path], check=True, env=env, capture_output=True
        )
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)


def main(argv: list[str] | None = None) -> dict:
    """Run the comparison; print and return it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", choices=SEARCHES, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    if args.one:
        result = run_search(args.one)
    else:
        runs: dict[str, list] = {name: [] for name in SEARCHES}
        for _ in range(args.repeats):
            for name in SEARCHES:
                runs[name].append(fresh(name))
        result = {}
        for name, entries in runs.items():
            seconds = [entry["seconds"] for entry in entries]
            again = [entry["seconds_again"] for entry in entries]
            result[name] = {
                **entries[-1],
                "seconds": statistics.median(seconds),
                "all_seconds": seconds,
                "seconds_again": statistics.median(again),
            }
        diff = max(
            abs(a - b)
            for a, b in zip(
                result["fused"]["mean_test_score"],
                result["sklearn"]["mean_test_score"],
                strict=True,
            )
        )
        result["max_abs_mean_test_score_diff"] = diff
        result["speedup"] = result["sklearn"]["seconds"] / result["fused"]["seconds"]
        for name in SEARCHES:
            print(
                f"{name:8s} {result[name]['seconds']:.2f} s "
                f"(all {', '.join(f'{s:.2f}' for s in result[name]['all_seconds'])}) "
                f"again in-process {result[name]['seconds_again']:.2f} s "
                f"best {result[name]['best_score']:.4f} {result[name]['best_params']}"
            )
        print(f"speedup {result['speedup']:.2f}x, max |score diff| {diff:.2e}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    return result


if __name__ == "__main__":
    main()
