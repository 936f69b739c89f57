"""Out-of-core training: peak memory and throughput on a memmap bigger than RAM budgets.

Run ``python -m benchmarks.bench_out_of_core [--gigabytes 3.2] [--quick]``.
The benchmark writes a float32 ``np.memmap`` of the given size (rows of
3,072 features, i.e. 32 x 32 x 3 images) into a temporary folder, removes it
afterwards, and runs each case in its own fresh process, so that each
process's peak resident memory (``ru_maxrss``: the backend's own footprint
included) belongs to that case alone:

- ``dense-lazy``: ``DenseClassifier`` fitted on a ``LazyArray`` of the whole
  file; ``conv-lazy``: a ``Pipeline(ImageReshaper, ConvClassifier)`` on it
  (reshaped per batch);
- ``dense-memory`` / ``conv-memory``: the same networks fitted on an
  in-memory subset of the rows (read into a NumPy array);
- ``cv-lazy``: ``cross_val_score(DenseClassifier, LazyArray, cv=3)``.

Printed: data size, peak RSS, samples per second (rows x epochs / fit
seconds, the LazyArray's validating scan included) and its ratio to the
in-memory path. Targets: peak RSS below 1.5 GB with >= 3 GB of data, and
throughput >= 0.8x the in-memory path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

N_FEATURES = 32 * 32 * 3
CASES = ("dense-lazy", "dense-memory", "conv-lazy", "conv-memory", "cv-lazy")


def write_memmap(path: str, n_rows: int, chunk_rows: int = 8192) -> None:
    """Write ``n_rows`` random float32 rows (and their labels) chunk by chunk.

    Plain file writes, not a writable memmap: pages written through a
    mapping would count in this process's resident memory.
    """
    import numpy as np

    header = {"descr": "<f4", "fortran_order": False, "shape": (n_rows, N_FEATURES)}
    y = np.empty(n_rows, dtype=np.int64)
    rng = np.random.default_rng(0)
    with open(path, "wb") as file:
        np.lib.format.write_array_header_1_0(file, header)
        for start in range(0, n_rows, chunk_rows):
            size = min(chunk_rows, n_rows - start)
            block = rng.standard_normal((size, N_FEATURES), dtype=np.float32)
            y[start : start + size] = block[:, :16].sum(axis=1) > 0
            block.tofile(file)
    np.save(path + ".labels.npy", y)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    ``VmHWM`` belongs to the process's own address space; ``ru_maxrss``
    (the fallback off Linux) also counts the parent's peak at ``fork``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _network(kind: str, epochs: int):
    from sklearn.pipeline import make_pipeline

    from sklearn_dl.networks import ConvClassifier, DenseClassifier
    from sklearn_dl.preprocessing import ImageReshaper

    common = {"epochs": epochs, "batch_size": 256, "random_state": 0, "verbose": 0}
    if kind == "dense":
        return DenseClassifier(hidden_layer_sizes=(64,), **common)
    return make_pipeline(
        ImageReshaper(image_shape=(32, 32, 3)),
        ConvClassifier(filters=(8,), kernel_size=3, strides=2, **common),
    )


def run_case(case: str, path: str, subset_rows: int, epochs: int) -> dict:
    """Run one case in this process; return its measurements."""
    import numpy as np

    from sklearn_dl import LazyArray

    y = np.load(path + ".labels.npy")
    kind, feeding = case.split("-")
    lazy = LazyArray(np.load(path, mmap_mode="r"))
    result: dict = {"case": case}
    if kind == "cv":
        from sklearn.model_selection import KFold, cross_val_score

        start = time.perf_counter()
        folds = KFold(3, shuffle=True, random_state=0)
        scores = cross_val_score(_network("dense", epochs), lazy, y, cv=folds)
        result.update(seconds=time.perf_counter() - start, scores=scores.tolist())
        result["rows"] = len(lazy)
    else:
        if feeding == "memory":
            X = lazy[:subset_rows].read()
            y = y[:subset_rows]
        else:
            X = lazy
        start = time.perf_counter()
        _network(kind, epochs).fit(X, y)
        seconds = time.perf_counter() - start
        result.update(
            rows=len(X), seconds=seconds, samples_per_second=len(X) * epochs / seconds
        )
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def main(argv: list[str] | None = None) -> dict:
    """Write the memmap, run every case in a subprocess, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=3.2)
    parser.add_argument("--subset-rows", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="a 25 MB file (CI)")
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:  # a smoke test: the numbers mean nothing at this size
        args.gigabytes, args.subset_rows, args.epochs = 0.025, 1000, 1
        args.cases = ["dense-lazy", "dense-memory"]
    if args.child:
        measured = run_case(args.child, args.path, args.subset_rows, args.epochs)
        print(json.dumps(measured))
        return {}
    from benchmarks._timing import print_table

    n_rows = int(args.gigabytes * 1e9 / (N_FEATURES * 4))
    folder = tempfile.mkdtemp(prefix="sklearn_dl_bench_ooc_")
    path = os.path.join(folder, "X.npy")
    results: dict = {"data_gb": n_rows * N_FEATURES * 4 / 1e9, "rows": n_rows}
    try:
        free = shutil.disk_usage(folder).free
        if free < 1.2 * n_rows * N_FEATURES * 4:
            raise SystemExit(
                f"{free / 1e9:.1f} GB free in {folder}; the benchmark needs "
                f"{1.2 * n_rows * N_FEATURES * 4 / 1e9:.1f} GB."
            )
        start = time.perf_counter()
        write_memmap(path, n_rows)
        results["write_seconds"] = time.perf_counter() - start
        for case in args.cases:
            command = [sys.executable, "-m", "benchmarks.bench_out_of_core"]
            settings = ["--subset-rows", str(args.subset_rows)]
            settings += ["--epochs", str(args.epochs)]
            completed = subprocess.run(
                [*command, "--child", case, "--path", path, *settings],
                capture_output=True,
                text=True,
                check=False,
            )
            if completed.returncode:
                raise RuntimeError(f"{case} failed:\n{completed.stderr[-3000:]}")
            results[case] = json.loads(completed.stdout.strip().splitlines()[-1])
            print(f"{case}: done", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for case in args.cases:
        measured = results[case]
        speed = measured.get("samples_per_second")
        kind = case.split("-")[0]
        reference = results.get(f"{kind}-memory", {}).get("samples_per_second")
        lazy = case.endswith("lazy")
        ratio = speed / reference if speed and reference and lazy else None
        if ratio is not None:
            results[case]["throughput_vs_memory"] = ratio
        data_gb = (
            measured["rows"] * N_FEATURES * 4 / 1e9
            if case.endswith("memory")
            else results["data_gb"]
        )
        rows.append(
            (
                case,
                f"{data_gb:.2f}",
                f"{measured['peak_rss_mb']:.0f}",
                f"{speed:.0f}" if speed else "-",
                f"{ratio:.2f}x" if ratio else "-",
                f"{measured['seconds']:.1f}",
                " ".join(f"{s:.3f}" for s in measured.get("scores", [])) or "-",
            )
        )
    print_table(
        rows,
        ("case", "data GB", "peak RSS MB", "samples/s", "vs memory", "s", "cv scores"),
    )
    return results


if __name__ == "__main__":
    main()
