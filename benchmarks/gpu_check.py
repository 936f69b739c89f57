"""GPU check: placement, mixed precision, a two-worker search, CPU vs GPU time.

Run ``python -m benchmarks.gpu_check [--json PATH]`` on a machine with a GPU
(any Keras backend; the result names it). It prints one line per check and
writes them all as JSON:

1. ``device="auto"`` trains on the GPU (where the first weight lives, and the
   test accuracy); ``device="cpu"`` on the same machine trains on the CPU
   and gives close predictions.
2. ``mixed_precision=True`` on the GPU: float16 computations, float32
   weights, a float32 softmax, and the accuracy.
3. ``GridSearchCV(n_jobs=2)`` with ``device="auto"``: every fit records its
   process and the device its weights live on, so the claims of the two
   worker processes can be read off (one GPU per worker, round-robin).
4. A compute-bound CNN fit timed on the GPU and on the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_dl import KerasClassifier
from sklearn_dl._backend.devices import gpu_count, variable_device
from sklearn_dl._backend.keras import import_keras
from sklearn_dl.networks import ConvClassifier, DenseClassifier

keras = import_keras()


class DeviceRecorder(keras.callbacks.Callback):
    """Write, after each fit, the process id and where the weights live."""

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Record this fit in its own small JSON file."""
        record = {
            "pid": os.getpid(),
            "device": variable_device(self.model.weights[0]),
            "n_params": int(self.model.count_params()),
        }
        path = Path(self.directory) / f"{os.getpid()}-{time.time_ns()}.json"
        path.write_text(json.dumps(record))


def _builder(meta: dict[str, Any], hidden: int = 64) -> Any:
    return keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def placement(X_train, X_test, y_train, y_test) -> dict[str, Any]:
    """Check 1: auto lands on the GPU, cpu on the CPU, both learn alike."""
    params = {"hidden_layer_sizes": (64,), "epochs": 10, "random_state": 0}
    on_gpu = DenseClassifier(device="auto", **params).fit(X_train, y_train)
    on_cpu = DenseClassifier(device="cpu", **params).fit(X_train, y_train)
    gap = np.abs(on_gpu.predict_proba(X_test) - on_cpu.predict_proba(X_test))
    return {
        "auto_device": variable_device(on_gpu.model_.weights[0]),
        "auto_accuracy": on_gpu.score(X_test, y_test),
        "cpu_device": variable_device(on_cpu.model_.weights[0]),
        "cpu_accuracy": on_cpu.score(X_test, y_test),
        "largest_probability_gap": float(gap.max()),
    }


def mixed_precision(X_train, X_test, y_train, y_test) -> dict[str, Any]:
    """Check 2: float16 compute, float32 variables and outputs."""
    clf = ConvClassifier(
        image_shape=(8, 8, 1),
        epochs=10,
        mixed_precision=True,
        device="auto",
        random_state=0,
    ).fit(X_train, y_train)
    model = clf.model_
    return {
        "device": variable_device(model.weights[0]),
        "compute_dtype": model.layers[0].compute_dtype,
        "variable_dtype": model.layers[0].variable_dtype,
        "output_dtype": str(clf.predict_proba(X_test[:2]).dtype),
        "last_layer_dtype": model.layers[-1].compute_dtype,
        "accuracy": clf.score(X_test, y_test),
    }


def two_worker_search(X, y) -> dict[str, Any]:
    """Check 3: a 2-worker search with device="auto"; which device each fit used."""
    with tempfile.TemporaryDirectory() as directory:
        estimator = KerasClassifier(
            _builder,
            optimizer="adam",
            epochs=3,
            device="auto",
            random_state=0,
            callbacks=[DeviceRecorder(directory)],
        )
        grid = {"model__hidden": [32, 64, 128]}
        search = GridSearchCV(estimator, grid, cv=2, n_jobs=2, refit=False)
        search.fit(X, y)
        records = [json.loads(p.read_text()) for p in Path(directory).iterdir()]
    by_process: dict[int, set[str]] = {}
    for record in records:
        by_process.setdefault(record["pid"], set()).add(record["device"])
    return {
        "fits": len(records),
        "devices_by_process": {
            str(pid): sorted(devices) for pid, devices in by_process.items()
        },
        "best_score": float(search.best_score_),
        "gpus": gpu_count(),
    }


def cnn_time(X, y) -> dict[str, Any]:
    """Check 4: one compute-bound CNN fit, timed on the GPU and the CPU."""
    images = np.repeat(np.repeat(X.reshape(-1, 8, 8, 1), 4, axis=1), 4, axis=2)
    params = {
        "filters": (64, 128),
        "kernel_size": 3,
        "epochs": 3,
        "batch_size": 64,
        "random_state": 0,
    }
    seconds = {}
    for device in ("auto", "cpu"):
        ConvClassifier(device=device, **{**params, "epochs": 1}).fit(
            images[:128], y[:128]
        )  # compile once before timing
        start = time.perf_counter()
        ConvClassifier(device=device, **params).fit(images, y)
        seconds["gpu" if device == "auto" else "cpu"] = time.perf_counter() - start
    seconds["speedup"] = seconds["cpu"] / seconds["gpu"]
    seconds["input_shape"] = list(images.shape)
    return seconds


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the checks, print each result and write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default="gpu-check.json")
    args = parser.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    split = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    results: dict[str, Any] = {
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "gpus": gpu_count(),
    }
    checks = {
        "placement": lambda: placement(*split),
        "mixed_precision": lambda: mixed_precision(*split),
        "two_worker_search": lambda: two_worker_search(X, y),
        "cnn_time": lambda: cnn_time(X, y),
    }
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as error:  # report every check, even after a failure
            results[name] = {"error": f"{type(error).__name__}: {error}"}
        print(name, json.dumps(results[name]), flush=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
