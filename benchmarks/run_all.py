"""Every speed target side by side: one command, one table, one JSON file.

Run ``python -m benchmarks.run_all [--quick] [--json PATH]`` (or
``sklearn-dl bench`` from a checkout). Each benchmark prints its own table;
their results are gathered into one JSON document (default
``benchmark-results.json``) with the backend and machine they ran on.

P1, P4, P6 and memory per fit: :mod:`benchmarks.bench_search`.
P2 compute-bound CNN fit vs raw Keras: :mod:`benchmarks.bench_cnn_fit`.
P3 predict latency vs ``model.predict``: :mod:`benchmarks.bench_core`.
Out-of-core training on a >= 3 GB memmap: :mod:`benchmarks.bench_out_of_core`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BENCHMARKS = ("bench_core", "bench_cnn_fit", "bench_search", "bench_out_of_core")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmarks and write their results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs (CI)")
    parser.add_argument("--json", default="benchmark-results.json")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, default=BENCHMARKS)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
        }
    }
    for name in args.only:
        print(f"\n== {name} ==")
        module = importlib.import_module(f"benchmarks.{name}")
        results[name] = module.main(["--quick"] if args.quick else [])
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, default=str)
    print(f"\nResults written to {args.json}")
    return results


if __name__ == "__main__":
    main()
