"""ConvClassifier vs the same network in raw Keras: compute-bound fit time.

Run ``python -m benchmarks.bench_cnn_fit [--quick]``. The book's pooling CNN
(B3-31: Conv 30 5x5, Dropout, MaxPool; Conv 16 3x3, Dropout, MaxPool; Dense
128, 64, 10) is trained on MNIST-sized random images (28 x 28 x 1, ten
classes) for several epochs, once through ``ConvClassifier(architecture=
"pooling")`` and once as a hand-built Keras model with the same layers,
optimizer, loss, batch size and epochs. The two are measured in the same
process, interleaved, and the median times compared (target: ratio <= 1.05).
Whatever the estimator adds (validation, seeding, target encoding, row
ordering) is inside its time; so is the reuse of compiled models across fits
that the estimator core does by default, which saves Keras's tracing. A third
measurement switches that reuse off, leaving the estimator's own overhead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks._timing import print_table
from sklearn_dl import set_model_reuse
from sklearn_dl._backend.keras import import_keras
from sklearn_dl.networks import ConvClassifier


def build_reference(keras):
    """The book's pooling CNN (listing B3-38), channels_last, like ConvClassifier."""

    def max_norm():
        return keras.constraints.MaxNorm(3, axis=[0, 1, 2])

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(
                30, 5, padding="same", activation="relu", kernel_constraint=max_norm()
            ),
            layers.Dropout(0.2),
            layers.MaxPooling2D(2, padding="same"),
            layers.Conv2D(
                16, 3, padding="same", activation="relu", kernel_constraint=max_norm()
            ),
            layers.Dropout(0.2),
            layers.MaxPooling2D(2, padding="same"),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )


def interleaved_medians(
    functions: list[Callable[[], object]], repeats: int
) -> list[float]:
    """Median wall times of functions run in turn, ``repeats`` times each."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for function, bucket in zip(functions, times, strict=True):
            start = time.perf_counter()
            function()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print both times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (CI)")
    args = parser.parse_args(argv)
    n_samples, epochs, repeats = (512, 2, 2) if args.quick else (2048, 4, 3)
    batch_size = 256
    keras = import_keras()
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(n_samples, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, size=n_samples)

    def raw_keras_fit():
        keras.utils.set_random_seed(0)
        model = build_reference(keras)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)
        return model

    def estimator_fit():
        clf = ConvClassifier(
            architecture="pooling",
            epochs=epochs,
            batch_size=batch_size,
            random_state=0,
        )
        return clf.fit(X, y)

    def estimator_fit_without_reuse():
        set_model_reuse(False)
        try:
            return estimator_fit()
        finally:
            set_model_reuse(True)

    reference = raw_keras_fit().count_params()
    ours = estimator_fit().model_.count_params()  # also warms both paths up
    assert reference == ours, (reference, ours)
    raw_time, estimator_time, no_reuse_time = interleaved_medians(
        [raw_keras_fit, estimator_fit, estimator_fit_without_reuse], repeats
    )
    ratio = estimator_time / raw_time
    no_reuse_ratio = no_reuse_time / raw_time
    print(
        f"Keras {keras.__version__}, backend {keras.backend.backend()}; "
        f"{n_samples} images 28x28x1, {epochs} epochs, batch {batch_size}, "
        f"{ours:,} parameters, median of {repeats}"
    )
    print_table(
        [
            ("fit (s)", f"{raw_time:.2f}", f"{estimator_time:.2f}", f"{ratio:.3f}x"),
            (
                "fit, model reuse off (s)",
                f"{raw_time:.2f}",
                f"{no_reuse_time:.2f}",
                f"{no_reuse_ratio:.3f}x",
            ),
        ],
        ("measure", "raw Keras", "ConvClassifier", "ratio"),
    )
    return {
        "raw_keras_s": raw_time,
        "estimator_s": estimator_time,
        "estimator_no_reuse_s": no_reuse_time,
        "fit_ratio": ratio,
        "fit_ratio_no_reuse": no_reuse_ratio,
    }


if __name__ == "__main__":
    main()
