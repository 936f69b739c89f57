"""How much of scikeras's own test suite passes against sklearn_dl.

scikeras's tests (fetched by hand into a folder git ignores; they are never
committed) are run with ``scikeras`` aliased to sklearn_dl: a throw-away
package whose ``scikeras.wrappers`` re-exports sklearn_dl's
``KerasClassifier``, ``KerasRegressor`` and ``BaseWrapper``, and whose
``scikeras.utils`` and ``scikeras.utils.transformers`` re-export
:mod:`sklearn_dl.utils` (``loss_name``, ``metric_name``, the target
encoders). The script prints
passed / failed / errors / skipped per test module, and the totals.

Usage::

    python benchmarks/scikeras_parity.py FOLDER_WITH_SCIKERAS_TESTS \
        [--workers 2] [--timeout 300] [-k EXPRESSION]

``FOLDER`` holds scikeras's ``tests/`` files (``test_*.py`` with their
``conftest.py``, ``mlp_models.py``, ``multi_output_models.py`` and
``testing_utils.py``). Modules importing scikeras internals that sklearn_dl
does not have (``scikeras._utils``, ``scikeras._saving_utils``,
``scikeras.utils.random_state``) fail to import; they are reported as
errors, not hidden.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

#: The alias package: ``scikeras`` names resolved to sklearn_dl's.
ALIAS_FILES = {
    "scikeras/__init__.py": '"""scikeras aliased to sklearn_dl (measuring only)."""\n'
    '__version__ = "0.13.0"\n',
    "scikeras/wrappers.py": "from sklearn_dl import BaseWrapper, KerasClassifier, "
    "KerasRegressor\n\n"
    '__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor"]\n',
    "scikeras/utils/__init__.py": "from sklearn_dl.utils import loss_name, "
    "metric_name\n\n"
    '__all__ = ["loss_name", "metric_name"]\n',
    "scikeras/utils/transformers.py": "from sklearn_dl.utils.transformers import "
    "ClassifierLabelEncoder, RegressorTargetEncoder, TargetReshaper\n\n"
    '__all__ = ["ClassifierLabelEncoder", "RegressorTargetEncoder", '
    '"TargetReshaper"]\n',
}


def write_alias_package(root: Path) -> None:
    """Write the ``scikeras`` alias package under ``root``.

    Parameters
    ----------
    root : Path
        A folder put first on ``PYTHONPATH``.
    """
    for relative, text in ALIAS_FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def count_results(report: Path) -> dict[str, int]:
    """Passed, failed, errors and skipped tests in a JUnit XML report.

    Parameters
    ----------
    report : Path
        pytest's ``--junitxml`` output.

    Returns
    -------
    dict
        Counts keyed ``passed``, ``failed``, ``errors``, ``skipped``.
    """
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    if not report.exists():
        return counts
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        if "failure" in kinds:
            counts["failed"] += 1
        elif "error" in kinds:
            counts["errors"] += 1
        elif "skipped" in kinds:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def run_module(
    module: Path, workdir: Path, env: dict[str, str], args: argparse.Namespace
) -> dict[str, int]:
    """Run one scikeras test module; its counts.

    Parameters
    ----------
    module : Path
        The copied test module.
    workdir : Path
        The folder holding the copied tests (the rootdir).
    env : dict
        The environment (``PYTHONPATH`` with the alias first).
    args : argparse.Namespace
        Command-line options.

    Returns
    -------
    dict
        The module's counts; a module that does not import counts one error.
    """
    report = workdir / f"{module.stem}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(module),
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--junitxml={report}",
    ]
    if args.workers > 1:
        command += ["-n", str(args.workers)]
    if args.timeout and importlib.util.find_spec("pytest_timeout") is not None:
        command += [f"--timeout={args.timeout}"]
    if args.k:
        command += ["-k", args.k]
    subprocess.run(command, cwd=workdir, env=env, check=False, capture_output=True)
    counts = count_results(report)
    if not any(counts.values()):
        counts["errors"] = 1  # collection failed (an import error)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Run every module and print the table.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", type=Path, help="folder of scikeras's tests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--timeout", type=int, default=300, help="per test (needs pytest-timeout)"
    )
    parser.add_argument("-k", default=None, help="pytest -k expression")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scikeras-parity-") as scratch:
        scratch_path = Path(scratch)
        alias = scratch_path / "alias"
        write_alias_package(alias)
        workdir = scratch_path / "tests"
        shutil.copytree(args.tests, workdir)
        (workdir / "__init__.py").touch()
        env = dict(os.environ)
        repo = Path(__file__).resolve().parents[1]
        env["PYTHONPATH"] = os.pathsep.join(
            [str(alias), str(repo), str(scratch_path), env.get("PYTHONPATH", "")]
        )
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        totals = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
        print(f"{'module':32} passed failed errors skipped")
        for module in sorted(workdir.glob("test_*.py")):
            counts = run_module(module, scratch_path, env, args)
            for key, value in counts.items():
                totals[key] += value
            print(
                f"{module.stem:32} {counts['passed']:6} {counts['failed']:6} "
                f"{counts['errors']:6} {counts['skipped']:7}"
            )
        print(
            f"{'TOTAL':32} {totals['passed']:6} {totals['failed']:6} "
            f"{totals['errors']:6} {totals['skipped']:7}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
