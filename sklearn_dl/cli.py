"""The ``sklearn-dl`` command line."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn_dl import __version__
from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.keras import QUIET_STARTUP_VARIABLE


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sklearn-dl`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser, with one sub-command per job.
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-dl",
        description="Deep networks as scikit-learn estimators (Keras 3).",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sklearn-dl {__version__} (Keras backend: {configured_backend()})",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="tune a CNN in a Pipeline with GridSearchCV on digits, with plots",
        description=(
            "Tune a convolutional network inside a scikit-learn Pipeline with "
            "GridSearchCV on the digits bundled with scikit-learn (offline), "
            "then write plots and the fitted pipeline to an output folder."
        ),
    )
    demo.add_argument(
        "--output",
        default="sklearn-dl-output",
        help="folder for plots and the saved pipeline (default: %(default)s)",
    )
    demo.add_argument(
        "--quick", action="store_true", help="a smaller grid and fewer epochs"
    )
    demo.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel fits of the search (default: one at a time)",
    )
    demo.set_defaults(handler=_run_demo)
    bench = commands.add_parser(
        "bench",
        help="run the benchmarks of a source checkout (table and JSON)",
        description=(
            "Run every benchmark in benchmarks/ of a source checkout (the "
            "current folder or the one this package was installed from) and "
            "write their results as JSON."
        ),
    )
    bench.add_argument("--quick", action="store_true", help="small runs")
    bench.add_argument(
        "--json",
        default="benchmark-results.json",
        help="file for the results (default: %(default)s)",
    )
    bench.set_defaults(handler=_run_bench)
    return parser


def find_benchmarks() -> Path | None:
    """The source checkout holding ``benchmarks/``, if there is one.

    Returns
    -------
    pathlib.Path or None
        The folder that contains ``benchmarks/run_all.py``: the current
        folder, or the checkout this package is imported from.
    """
    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (root / "benchmarks" / "run_all.py").is_file():
            return root
    return None


def _run_bench(args: argparse.Namespace) -> int:
    """Handle ``sklearn-dl bench``."""
    root = find_benchmarks()
    if root is None:
        print(
            "sklearn-dl bench runs the scripts in benchmarks/ of a source "
            "checkout; run it from the repository's root folder.",
            file=sys.stderr,
        )
        return 2
    command = [sys.executable, "-m", "benchmarks.run_all", "--json"]
    command.append(str(Path(args.json).resolve()))
    if args.quick:
        command.append("--quick")
    return subprocess.run(command, cwd=root, check=False).returncode


def _run_demo(args: argparse.Namespace) -> int:
    """Handle ``sklearn-dl demo``."""
    from sklearn_dl._demo import run_demo

    result = run_demo(args.output, quick=args.quick, n_jobs=args.n_jobs)
    return 0 if result["reloaded_predicts_identically"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sklearn-dl`` command.

    Parameters
    ----------
    argv : sequence of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault(QUIET_STARTUP_VARIABLE, "1")
    if args.command is None:
        parser.print_help()
        return 0
    return args.handler(args)
