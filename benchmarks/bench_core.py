"""Estimator core vs raw Keras: fit+score time and predict latency.

Run ``python -m benchmarks.bench_core [--quick]``. Both sides are measured in
the same process, interleaved, so the ratios are robust to a noisy machine.

(a) fit + score of a 64-64-10 network on digits (3 epochs, batch 64): the
    estimator vs raw Keras building, compiling and fitting a fresh model
    (target: ratio <= 1.0).
(b) predict latency on 1 to 256 rows: ``estimator.predict`` vs
    ``model.predict`` (target: >= 10x faster).
"""

from __future__ import annotations

import argparse
import os
from functools import partial

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.datasets import load_digits

from benchmarks._timing import median_seconds, print_table
from sklearn_dl import KerasClassifier
from sklearn_dl._backend.keras import import_keras


def build(meta=None):
    """The reference network: 64 inputs, 64 ReLU units, 10 softmax outputs."""
    keras = import_keras()
    return keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print its ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (CI)")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 7
    keras = import_keras()
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)

    def raw_keras_fit_score():
        model = build()
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(X, y, epochs=3, batch_size=64, verbose=0)
        return model.evaluate(X, y, verbose=0)

    def estimator_fit_score():
        clf = KerasClassifier(build, optimizer="adam", epochs=3, batch_size=64)
        return clf.fit(X, y).score(X, y)

    raw_keras_fit_score(), estimator_fit_score()  # warm both paths up
    fit_raw = median_seconds(raw_keras_fit_score, repeats)
    fit_est = median_seconds(estimator_fit_score, repeats)

    clf = KerasClassifier(build, optimizer="adam", epochs=1).fit(X, y)
    rows = [
        (
            "fit+score (s)",
            f"{fit_raw:.3f}",
            f"{fit_est:.3f}",
            f"{fit_est / fit_raw:.2f}x",
        )
    ]
    results = {"fit_ratio": fit_est / fit_raw}
    for n_rows in (1, 5, 64, 256):
        batch = X[:n_rows]
        clf.predict(batch), clf.model_.predict(batch, verbose=0)
        keras_predict = partial(clf.model_.predict, batch, verbose=0)
        keras_time = median_seconds(keras_predict, repeats * 3)
        ours = median_seconds(partial(clf.predict, batch), repeats * 3)
        speedup = keras_time / ours
        results[f"predict_speedup_{n_rows}"] = speedup
        rows.append(
            (
                f"predict {n_rows} rows (ms)",
                f"{keras_time * 1e3:.2f}",
                f"{ours * 1e3:.2f}",
                f"{speedup:.1f}x faster",
            )
        )
    print(f"Keras {keras.__version__}, backend {keras.backend.backend()}")
    print_table(rows, ("measure", "raw Keras", "sklearn_dl", "ratio"))
    return results


if __name__ == "__main__":
    main()
