"""The benchmark command runs end to end in quick mode (times not asserted)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_suite_runs_in_quick_mode(tmp_path):
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_all", "--quick", "--json", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads(output.read_text())
    assert {"machine", "bench_core", "bench_cnn_fit", "bench_search"} <= set(results)
    out_of_core = results["bench_out_of_core"]
    assert out_of_core["dense-lazy"]["samples_per_second"] > 0
    assert out_of_core["dense-lazy"]["peak_rss_mb"] > 0
    assert "dense-memory" in out_of_core
    assert results["bench_core"]["predict_speedup_5"] > 0
    search = results["bench_search"]
    assert {"P1", "P4", "P6", "memory_mb_per_fit"} <= set(search)
    assert "sklearn_dl" in search["P1"] and "raw Keras" in search["P1"]
    assert "P1 search: sklearn_dl" in result.stdout
    # sklearn_dl measured again on JAX (the test extra installs it).
    on_jax = search["other_backends"]["jax"]
    assert on_jax["P1"]["seconds"] > 0 and 0 < on_jax["P1"]["best_score"] <= 1
    assert on_jax["P4"]["sklearn_dl_seconds"] > 0


def test_search_engine_benchmark_compares_with_scikit_learn():
    from benchmarks.bench_search import (
        QUICK,
        engine_rows,
        engine_search,
        reference_data,
    )

    X, y = reference_data()
    X, y = X[:300], y[:300]
    theirs = engine_search("halving-sklearn", X, y, QUICK, quick=True)
    ours = engine_search("halving-ours", X, y, QUICK, quick=True)
    assert ours[1] == theirs[1]
    assert abs(ours[0] - theirs[0]) < 1e-6
    entry = {"seconds": 2.0, "best_score": ours[0], "best_params": {}}
    searches = {
        name: dict(entry)
        for name in ("grid-sklearn", "grid-ours", "halving-sklearn", "halving-ours")
    }
    searches["halving-ours"]["seconds"] = 1.0
    rows = engine_rows({"tensorflow": searches})
    assert [row[0] for row in rows][-1] == "fresh-process search: halving-ours"
    assert rows[-1][-1] == "2.00x scikit-learn's"


def test_engine_grid_searches_agree_and_rows_compare_with_scikeras():
    from benchmarks.bench_search import (
        ENGINE_KINDS,
        QUICK,
        engine_rows,
        engine_search,
        reference_data,
    )

    X, y = reference_data()
    X, y = X[:200], y[:200]
    theirs = engine_search("large-sklearn", X, y, QUICK, quick=True)
    ours = engine_search("large-ours", X, y, QUICK, quick=True)
    # Best candidates are named alike whatever the estimator's parameters.
    assert ours == theirs
    assert set(ours[1]) == {"hidden", "learning_rate"}
    dense = engine_search("grid-ours-dense", X, y, QUICK, quick=True)
    assert 0 < dense[0] <= 1 and dense[1]["hidden"] == 16
    entry = {"seconds": 4.0, "best_score": 0.9, "best_params": ours[1]}
    searches = {name: dict(entry) for name in ENGINE_KINDS["grid"]}
    searches["grid-ours"]["seconds"] = 1.0
    searches["grid-scikeras"]["seconds"] = 8.0
    rows = {row[0]: row[-1] for row in engine_rows({"jax": searches})}
    assert rows["fresh-process search: grid-ours"] == (
        "4.00x scikit-learn's, 8.00x scikeras's"
    )
    assert rows["fresh-process search: grid-scikeras"] == "0.50x scikit-learn's"
