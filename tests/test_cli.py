"""The ``sklearn-dl`` command line, including the demo as a new user runs it."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from sklearn_dl import __version__, cli


def test_version_names_the_backend(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"sklearn-dl {__version__} (Keras backend: ")
    assert "tensorflow" in out or "jax" in out or "torch" in out


def test_help_lists_the_commands(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "demo" in out and "bench" in out


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, sklearn_dl, sklearn_dl.cli, sklearn_dl.networks, "
        "sklearn_dl.preprocessing, sklearn_dl.datasets, sklearn_dl.plotting\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"


def test_bench_outside_a_checkout_explains(monkeypatch, capsys):
    monkeypatch.setattr(cli, "find_benchmarks", lambda: None)
    assert cli.main(["bench", "--quick"]) == 2
    assert "source checkout" in capsys.readouterr().err


def test_find_benchmarks_finds_this_checkout():
    root = cli.find_benchmarks()
    assert root is not None and (root / "benchmarks" / "run_all.py").is_file()


def test_quick_demo_as_a_new_user_runs_it(tmp_path):
    output = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "SKLEARN_DL_QUIET_STARTUP"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sklearn_dl",
            "demo",
            "--quick",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    # no TensorFlow start-up noise
    assert "oneDNN" not in result.stderr and "cuda" not in result.stderr.lower()
    # progress, then one table row per candidate, best parameters, test accuracy
    assert re.search(r"fits 4/4, candidates 2/2, elapsed [\d.]+s", out)
    assert "refit epochs" in out
    assert "filters=(8,)" in out and "filters=(16,)" in out
    assert "Best parameters:" in out
    accuracy = float(re.search(r"Test accuracy .*: ([\d.]+)", out).group(1))
    assert 0.2 < accuracy <= 1.0
    assert "predicts identically: True" in out
    for name in ("training_history.png", "search_results.png", "misclassified.png"):
        path = output / name
        assert path.stat().st_size > 5_000, name  # a real picture, not an empty axes

    from sklearn.datasets import load_digits

    from sklearn_dl import load

    pipeline = load(output / "pipeline.h5")
    X, _ = load_digits(return_X_y=True)
    predictions = pipeline.predict(X[:50])
    assert predictions.shape == (50,)
    assert np.isin(predictions, np.arange(10)).all()
