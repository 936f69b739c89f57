"""The reference grid search, per-fit overhead, parallel speedup and memory.

Run ``python -m benchmarks.bench_search [--quick] [--json PATH]``. Every side
runs in this one process, interleaved, so ratios hold on a noisy machine.

P1  reference search: digits (X / 16, float32), a dense net with one hidden
    layer, grid hidden units (32, 64, 128) x learning rate (1e-3, 1e-2),
    3-fold, 5 epochs, batch 64, refit. sklearn_dl vs scikeras and Keras's
    ``keras.wrappers`` (when installed, the ``compare`` extra) and a raw
    Keras loop. Target: >= 4x faster than the best peer, best score within
    0.02.
P4  per-fit overhead: one small fit + score (3 epochs), as a search makes
    it (same architecture fitted before), vs raw Keras building afresh.
    Target: <= 0.35 s on a 2-core machine.
P6  the P1 search with ``n_jobs=2`` vs ``n_jobs=1`` (workers started
    beforehand, as they stay between searches). Target: >= 1.6x.
Also: resident memory added per fit over a series of fits.

Search engine (``--engine``): each search in a fresh process, side by side,
on TensorFlow and on every ``--backends`` backend, ``--kinds`` choosing
among:

grid     the reference search: scikit-learn's ``GridSearchCV`` over
         sklearn_dl's ``KerasClassifier`` (the builder above), scikeras's
         (when ``import scikeras`` works, e.g. with ``PYTHONPATH`` naming a
         folder it is installed in; otherwise skipped with a note), and
         sklearn_dl's ``model_selection.GridSearchCV`` over the same
         ``KerasClassifier`` (``grid-ours``) and over a ``DenseClassifier``
         of the same network (``grid-ours-dense``); on JAX the last two
         fuse their fits.
large    the issue's larger search, the same four ways: 24 candidates
         (hidden units 64 and 128 x 12 learning rates from 3e-4 to 3e-2) x
         5 folds, 5 epochs, batch 64, refit. Target: >= 10x scikeras.
halving  successive halving over epochs (hidden units (32, 64, 128, 256) x
         learning rate (1e-3, 3e-3, 1e-2, 3e-2), factor 2, rungs of 1, 2, 4
         and 8 epochs, 3-fold, refit) with sklearn_dl's warm
         ``HalvingGridSearchCV`` against scikit-learn's, same schedule.
         Target: warm halving >= 1.5x faster, same best candidate.

Each row gives the search's time against scikit-learn's ``GridSearchCV``
(and scikeras's, where it ran) of its kind on its backend.

Backends: the peers run on the configured Keras backend (TensorFlow by
default); sklearn_dl's P1, P4 and memory per fit are measured again on every
other backend named by ``--backends`` (default: JAX, when installed), each in
a child process started right after the main run (Keras's backend is chosen
once per process). Target on JAX: P1 >= 10x faster than the best peer.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from benchmarks._timing import print_table
from sklearn_dl import KerasClassifier
from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.keras import import_keras


@dataclass(frozen=True)
class Plan:
    """The reference search's grid and training budget."""

    units: tuple[int, ...] = (32, 64, 128)
    rates: tuple[float, ...] = (1e-3, 1e-2)
    epochs: int = 5
    batch_size: int = 64
    folds: int = 3


REFERENCE = Plan()
QUICK = Plan(units=(16,), rates=(1e-3, 1e-2), epochs=1, folds=2)  # CI smoke run
#: The issue's larger search: 24 candidates x 5 folds, two architectures.
LARGE = Plan(
    units=(64, 128),
    rates=tuple(float(rate) for rate in np.geomspace(3e-4, 3e-2, 12)),
    folds=5,
)
QUICK_LARGE = Plan(units=(16, 24), rates=(1e-3, 1e-2), epochs=1, folds=2)


def reference_data() -> tuple[np.ndarray, np.ndarray]:
    """Digits scaled to [0, 1] as float32, and their labels."""
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def dense_model(
    hidden: int = 32,
    learning_rate: float = 1e-3,
    compiled: bool = False,
    loss: str = "sparse_categorical_crossentropy",
):
    """The reference network; compiled with Adam and ``loss`` when ``compiled``."""
    keras = import_keras()
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    if compiled:
        model.compile(keras.optimizers.Adam(learning_rate), loss, metrics=["accuracy"])
    return model


def _sklearn_dl_builder(meta, hidden=32):
    return dense_model(hidden)


def reference_classifier(plan: Plan) -> KerasClassifier:
    """sklearn_dl's KerasClassifier of the reference network (Adam, seeded)."""
    return KerasClassifier(
        _sklearn_dl_builder,
        optimizer="adam",
        epochs=plan.epochs,
        batch_size=plan.batch_size,
        random_state=0,
    )


def search_sklearn_dl(X, y, plan: Plan = REFERENCE, n_jobs: int = 1) -> float:
    """P1 with sklearn_dl; returns the best mean CV accuracy."""
    clf = reference_classifier(plan)
    grid = {"model__hidden": plan.units, "optimizer__learning_rate": plan.rates}
    search = GridSearchCV(clf, grid, cv=plan.folds, n_jobs=n_jobs)
    return search.fit(X, y).best_score_


def search_raw_keras(X, y, plan: Plan = REFERENCE) -> float:
    """P1 written by hand: build, compile, fit, evaluate each fold, then refit."""
    folds = list(StratifiedKFold(plan.folds).split(X, y))
    fit_kwargs = {"epochs": plan.epochs, "batch_size": plan.batch_size, "verbose": 0}
    best_score, best = -1.0, None
    for hidden in plan.units:
        for rate in plan.rates:
            scores = []
            for train, test in folds:
                model = dense_model(hidden, rate, compiled=True)
                model.fit(X[train], y[train], **fit_kwargs)
                scores.append(model.evaluate(X[test], y[test], verbose=0)[1])
            if np.mean(scores) > best_score:
                best_score, best = float(np.mean(scores)), (hidden, rate)
    model = dense_model(*best, compiled=True)
    model.fit(X, y, **fit_kwargs)
    return best_score


def _peer_builder(hidden=32, learning_rate=1e-3):
    return dense_model(hidden, learning_rate, compiled=True)


def search_scikeras(X, y, plan: Plan = REFERENCE) -> float:
    """P1 with scikeras's KerasClassifier."""
    return _scikeras_search(plan).fit(X, y).best_score_


def _keras_wrappers_builder(X, y, hidden=32, learning_rate=1e-3):
    # keras.wrappers one-hot encodes the labels
    return dense_model(hidden, learning_rate, True, "categorical_crossentropy")


def search_keras_wrappers(X, y, plan: Plan = REFERENCE) -> float:
    """P1 with Keras's own ``keras.wrappers.SKLearnClassifier``."""
    from keras.wrappers import SKLearnClassifier

    fit_kwargs = {"epochs": plan.epochs, "batch_size": plan.batch_size, "verbose": 0}
    clf = SKLearnClassifier(_keras_wrappers_builder, fit_kwargs=fit_kwargs)
    grid = {
        "model_kwargs": [
            {"hidden": hidden, "learning_rate": rate}
            for hidden in plan.units
            for rate in plan.rates
        ],
        # its clone drops fit_kwargs: give them back through the grid
        "fit_kwargs": [fit_kwargs],
    }
    cv = StratifiedKFold(plan.folds)
    return GridSearchCV(clf, grid, cv=cv).fit(X, y).best_score_


#: The searches of each kind, scikit-learn's first (the ratios' reference).
ENGINE_KINDS = {
    "grid": ("grid-sklearn", "grid-scikeras", "grid-ours", "grid-ours-dense"),
    "large": ("large-sklearn", "large-scikeras", "large-ours", "large-ours-dense"),
    "halving": ("halving-sklearn", "halving-ours"),
}
ENGINE_SEARCHES = tuple(name for names in ENGINE_KINDS.values() for name in names)
HALVING_GRID = {
    "model__hidden": (32, 64, 128, 256),
    "optimizer__learning_rate": (1e-3, 3e-3, 1e-2, 3e-2),
}
QUICK_HALVING_GRID = {"model__hidden": (16,), "optimizer__learning_rate": (1e-3, 1e-2)}


def _best_candidate(best_params: dict[str, Any]) -> dict[str, Any]:
    """A grid search's best candidate as (hidden units, learning rate)."""
    hidden = rate = None
    for name, value in best_params.items():
        if name.endswith("hidden") or name == "hidden_layer_sizes":
            hidden = int(value[0] if isinstance(value, tuple) else value)
        elif name.endswith("learning_rate"):
            rate = float(value)
    return {"hidden": hidden, "learning_rate": rate}


def engine_search(name: str, X, y, plan: Plan = REFERENCE, quick: bool = False):
    """One search-engine search; returns (best mean CV score, best params).

    A grid search's best params are given as :func:`_best_candidate`, so the
    peers' (other parameter names) compare with scikit-learn's.
    """
    from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV

    from sklearn_dl._compat import SklearnHalvingGridSearchCV
    from sklearn_dl.model_selection import GridSearchCV as OurGridSearchCV
    from sklearn_dl.model_selection import HalvingGridSearchCV

    kind, _, side = name.partition("-")
    if kind == "large":
        plan = QUICK_LARGE if quick else LARGE
    if side == "scikeras":
        search = _scikeras_search(plan)
    elif side == "ours-dense":
        from sklearn_dl.networks import DenseClassifier

        network = DenseClassifier(
            epochs=plan.epochs, batch_size=plan.batch_size, random_state=0
        )
        grid = {
            "hidden_layer_sizes": [(units,) for units in plan.units],
            "learning_rate": plan.rates,
        }
        search = OurGridSearchCV(network, grid, cv=plan.folds)
    else:
        clf = reference_classifier(plan)
        if kind in ("grid", "large"):
            grid = {"model__hidden": plan.units, "optimizer__learning_rate": plan.rates}
            search_class = OurGridSearchCV if side == "ours" else SklearnGridSearchCV
            search = search_class(clf, grid, cv=plan.folds)
        else:
            grid = QUICK_HALVING_GRID if quick else HALVING_GRID
            search_class = SklearnHalvingGridSearchCV
            if side == "ours":
                search_class = HalvingGridSearchCV
            search = search_class(
                clf,
                grid,
                resource="epochs",
                min_resources=1,
                max_resources=2 if quick else 8,
                factor=2,
                cv=plan.folds,
            )
    search.fit(X, y)
    best = search.best_params_
    if kind in ("grid", "large"):
        best = _best_candidate(best)
    return float(search.best_score_), best


def _scikeras_search(plan: Plan):
    """The reference grid search over scikeras's KerasClassifier (unfitted)."""
    from scikeras.wrappers import KerasClassifier as ScikerasClassifier

    clf = ScikerasClassifier(
        _peer_builder,
        hidden=32,
        learning_rate=1e-3,
        epochs=plan.epochs,
        batch_size=plan.batch_size,
        verbose=0,
    )
    grid = {"model__hidden": plan.units, "model__learning_rate": plan.rates}
    cv = StratifiedKFold(plan.folds)  # scikeras is not is_classifier on sklearn >= 1.6
    return GridSearchCV(clf, grid, cv=cv)


def scikeras_importable(backend: str) -> bool:
    """Whether ``import scikeras.wrappers`` works in a fresh process on ``backend``."""
    command = [sys.executable, "-c", "import scikeras.wrappers"]
    env = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run(command, env=env, capture_output=True).returncode == 0


def fresh_engine_search(
    name: str, backend: str, quick: bool, jax_cache: str
) -> dict[str, Any]:
    """Run :func:`engine_search` in a fresh process on ``backend``.

    ``jax_cache`` is the process's JAX compilation-cache folder: an empty
    one measures a first run ever, one filled by an earlier run a later run.
    """
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "results.json")
        command = [sys.executable, "-m", "benchmarks.bench_search"]
        command += ["--fresh-search", name, "--json", path]
        command += ["--quick"] if quick else []
        env = {
            **os.environ,
            "KERAS_BACKEND": backend,
            "SKLEARN_DL_JAX_CACHE_DIR": jax_cache,
        }
        subprocess.run(command, check=True, env=env, capture_output=True)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)


def engine_comparison(
    backends: list[str], quick: bool, repeats: int, kinds: list[str] | None = None
) -> dict:
    """The search-engine searches, each in a fresh process, per backend.

    The searches take turns (``repeats`` rounds, median kept), each with an
    empty JAX compilation cache; on JAX, ``grid-ours, warm JAX cache`` runs
    the grid search again with the cache its previous run filled. scikeras's
    searches run only where ``import scikeras`` works (a note says so
    otherwise).
    """
    kinds = list(ENGINE_KINDS) if kinds is None else kinds
    results: dict[str, Any] = {}
    peers = {backend: scikeras_importable(backend) for backend in backends}
    for backend, found in peers.items():
        if not found:
            print(
                f"note: scikeras is not importable on {backend} (install it, or "
                "put its folder on PYTHONPATH); its searches are skipped"
            )
    for _ in range(repeats):
        for backend in backends:
            runs = results.setdefault(backend, {})
            for kind in kinds:
                for name in ENGINE_KINDS[kind]:
                    if name.endswith("-scikeras") and not peers[backend]:
                        continue
                    with tempfile.TemporaryDirectory() as cache:
                        entry = fresh_engine_search(name, backend, quick, cache)
                        runs.setdefault(name, []).append(entry)
                        if backend == "jax" and name == "grid-ours":
                            again = fresh_engine_search(name, backend, quick, cache)
                            runs.setdefault("grid-ours, warm JAX cache", []).append(
                                again
                            )
    for runs in results.values():
        for name, entries in runs.items():
            seconds = [entry["seconds"] for entry in entries]
            runs[name] = {**entries[-1], "seconds": statistics.median(seconds)}
            runs[name]["all_seconds"] = seconds
    return results


def engine_rows(results: dict[str, Any]) -> list[tuple]:
    """Table rows: each fresh-process search against scikit-learn's and scikeras's."""
    rows = []
    for backend, searches in results.items():
        for kind in ENGINE_KINDS:
            theirs = searches.get(f"{kind}-sklearn")
            peer = searches.get(f"{kind}-scikeras")
            names = [name for name in searches if name.startswith(f"{kind}-")]
            for name in names:
                entry = searches[name]
                parts = []
                if theirs is not None:
                    part = f"{theirs['seconds'] / entry['seconds']:.2f}x scikit-learn's"
                    if entry["best_params"] != theirs["best_params"]:
                        part += " (other best candidate)"
                    parts.append(part)
                if peer is not None and name != peer_name(kind):
                    parts.append(
                        f"{peer['seconds'] / entry['seconds']:.2f}x scikeras's"
                    )
                ratio = ", ".join(parts) or "-"
                rows.append(
                    (
                        f"fresh-process search: {name}",
                        backend,
                        f"{entry['seconds']:.2f} s",
                        f"{entry['best_score']:.4f}",
                        ratio,
                    )
                )
    return rows


def peer_name(kind: str) -> str:
    """The name of scikeras's search of a kind."""
    return f"{kind}-scikeras"


def timed(function) -> tuple[float, Any]:
    """Seconds one call of ``function`` takes, and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def per_fit_overhead(X, y, repeats: int) -> tuple[float, float]:
    """P4: median seconds of one small fit+score, sklearn_dl vs raw Keras."""
    small_X, small_y = X[:600], y[:600]

    def ours():
        clf = KerasClassifier(_sklearn_dl_builder, optimizer="adam", epochs=3)
        return clf.fit(small_X, small_y).score(small_X, small_y)

    def raw():
        model = dense_model(compiled=True)
        model.fit(small_X, small_y, epochs=3, verbose=0)
        return model.evaluate(small_X, small_y, verbose=0)

    ours(), raw()
    times_ours, times_raw = [], []
    for _ in range(repeats):
        times_ours.append(timed(ours)[0])
        times_raw.append(timed(raw)[0])
    return statistics.median(times_ours), statistics.median(times_raw)


def memory_per_fit(X, y, n_fits: int) -> float:
    """Resident memory (MB) added per small fit+score over ``n_fits`` fits."""
    import psutil

    process = psutil.Process()
    fit = partial(per_fit_overhead, X, y, 1)
    fit()
    gc.collect()
    before = process.memory_info().rss
    for _ in range(n_fits):
        clf = KerasClassifier(_sklearn_dl_builder, optimizer="adam", epochs=1)
        clf.fit(X[:600], y[:600]).score(X[:600], y[:600])
        del clf
    gc.collect()
    return (process.memory_info().rss - before) / 1e6 / n_fits


def ours_only(X, y, plan: Plan, repeats: int, quick: bool) -> dict[str, Any]:
    """sklearn_dl's P1, P4 and memory per fit on this process's backend."""
    seconds, score = [], None
    for _ in range(repeats):
        elapsed, score = timed(partial(search_sklearn_dl, X, y, plan))
        seconds.append(elapsed)
    ours, raw = per_fit_overhead(X, y, 2 if quick else 15)
    return {
        "P1": {
            "seconds": statistics.median(seconds),
            "first_seconds": seconds[0],
            "best_score": score,
        },
        "P4": {"sklearn_dl_seconds": ours, "raw_keras_seconds": raw},
        "memory_mb_per_fit": memory_per_fit(X, y, 3 if quick else 40),
    }


def other_backend(backend: str, repeats: int, quick: bool) -> dict[str, Any]:
    """Run :func:`ours_only` in a child process on Keras's ``backend``."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "results.json")
        command = [sys.executable, "-m", "benchmarks.bench_search", "--ours-only"]
        command += ["--repeats", str(repeats), "--json", path]
        command += ["--quick"] if quick else []
        env = {**os.environ, "KERAS_BACKEND": backend}
        subprocess.run(command, check=True, env=env, capture_output=True)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)


def default_backends() -> list[str]:
    """JAX when it is installed and not already the configured backend."""
    found = importlib.util.find_spec("jax") is not None
    return ["jax"] if found and configured_backend() != "jax" else []


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmarks, print the table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat (CI)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--repeats", type=int, default=3, help="P1 repeats")
    parser.add_argument(
        "--backends",
        nargs="*",
        default=None,
        help="other Keras backends to measure sklearn_dl on (default: jax)",
    )
    parser.add_argument(
        "--engine",
        action="store_true",
        help="only the search-engine searches, each in a fresh process",
    )
    parser.add_argument(
        "--kinds",
        nargs="*",
        choices=list(ENGINE_KINDS),
        default=None,
        help="with --engine: which searches (default: all)",
    )
    parser.add_argument("--ours-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--fresh-search", choices=ENGINE_SEARCHES, help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.engine:
        backend = configured_backend()
        others = args.backends if args.backends is not None else default_backends()
        backends = [backend] + [name for name in others if name != backend]
        repeats = 1 if args.quick else args.repeats
        results = {
            "engine": engine_comparison(backends, args.quick, repeats, args.kinds)
        }
        print(f"{os.cpu_count()} CPUs, each search in a fresh process")
        print_table(
            engine_rows(results["engine"]),
            ("benchmark", "backend", "time", "best CV score", "ratio"),
        )
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(results, handle, indent=2)
        return results
    if args.fresh_search:
        X, y = reference_data()
        plan = QUICK if args.quick else REFERENCE
        start = time.perf_counter()  # Keras is imported by the search's first fit
        score, best = engine_search(args.fresh_search, X, y, plan, args.quick)
        result = {
            "seconds": time.perf_counter() - start,
            "best_score": score,
            "best_params": {key: repr(value) for key, value in best.items()},
        }
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
        return result
    repeats = 1 if args.quick else args.repeats
    plan = QUICK if args.quick else REFERENCE
    keras = import_keras()
    X, y = reference_data()
    if args.ours_only:
        results = ours_only(X, y, plan, repeats, args.quick)
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle)
        return results
    backend = keras.backend.backend()
    results: dict[str, Any] = {
        "backend": backend,
        "keras": keras.__version__,
        "cpu_count": os.cpu_count(),
    }
    contenders = {"sklearn_dl": search_sklearn_dl, "raw Keras": search_raw_keras}
    for name, function in (
        ("scikeras", search_scikeras),
        ("keras.wrappers", search_keras_wrappers),
    ):
        try:
            __import__("scikeras" if name == "scikeras" else "keras.wrappers")
        except ImportError:
            continue
        contenders[name] = function
    p1: dict[str, dict[str, float]] = {}
    for _ in range(repeats):
        for name, function in contenders.items():
            seconds, score = timed(partial(function, X, y, plan))
            entry = p1.setdefault(name, {"seconds": [], "best_score": score})
            entry["seconds"].append(seconds)
    for entry in p1.values():
        entry["first_seconds"] = entry["seconds"][0]
        entry["seconds"] = statistics.median(entry["seconds"])
    results["P1"] = p1
    peers = [
        p1[name]["seconds"] for name in ("scikeras", "keras.wrappers") if name in p1
    ]
    others = args.backends if args.backends is not None else default_backends()
    results["other_backends"] = {
        name: other_backend(name, repeats, args.quick)
        for name in others
        if name != backend
    }

    def vs_peers(seconds: float) -> str:
        return f"{min(peers) / seconds:.1f}x vs best peer" if peers else "-"

    rows = []
    for name, entry in p1.items():
        rows.append(
            (
                f"P1 search: {name}",
                backend,
                f"{entry['seconds']:.2f} s",
                f"{entry['best_score']:.4f}",
                vs_peers(entry["seconds"]),
            )
        )
    for name, other in results["other_backends"].items():
        entry = other["P1"]
        rows.append(
            (
                "P1 search: sklearn_dl",
                name,
                f"{entry['seconds']:.2f} s",
                f"{entry['best_score']:.4f}",
                vs_peers(entry["seconds"]),
            )
        )
    # The first search of a process also compiles each architecture once.
    firsts = [(backend, p1["sklearn_dl"])] + [
        (name, other["P1"]) for name, other in results["other_backends"].items()
    ]
    for name, entry in firsts:
        rows.append(
            (
                "P1 first search in a process: sklearn_dl",
                name,
                f"{entry['first_seconds']:.2f} s",
                "-",
                vs_peers(entry["first_seconds"]),
            )
        )

    ours, raw = per_fit_overhead(X, y, 2 if args.quick else 15)
    results["P4"] = {"sklearn_dl_seconds": ours, "raw_keras_seconds": raw}
    overheads = [(backend, results["P4"])] + [
        (name, other["P4"]) for name, other in results["other_backends"].items()
    ]
    for name, p4 in overheads:
        ratio = p4["sklearn_dl_seconds"] / p4["raw_keras_seconds"]
        rows.append(
            (
                "P4 one small fit+score",
                name,
                f"{p4['sklearn_dl_seconds']:.3f} s",
                "-",
                f"{ratio:.2f}x raw Keras ({name})",
            )
        )

    search_sklearn_dl(X, y, plan, n_jobs=2)  # start the workers, as a session would
    serial, _ = timed(partial(search_sklearn_dl, X, y, plan, 1))
    parallel, _ = timed(partial(search_sklearn_dl, X, y, plan, 2))
    results["P6"] = {"n_jobs_1_seconds": serial, "n_jobs_2_seconds": parallel}
    rows.append(
        (
            "P6 n_jobs=2 vs 1",
            backend,
            f"{parallel:.2f} s",
            "-",
            f"{serial / parallel:.2f}x faster",
        )
    )

    results["memory_mb_per_fit"] = memory_per_fit(X, y, 3 if args.quick else 40)
    memory = [(backend, results["memory_mb_per_fit"])] + [
        (name, other["memory_mb_per_fit"])
        for name, other in results["other_backends"].items()
    ]
    for name, megabytes in memory:
        rows.append(("memory per fit", name, f"{megabytes:.2f} MB", "-", "-"))

    print(f"Keras {results['keras']}, {results['cpu_count']} CPUs")
    print_table(rows, ("benchmark", "backend", "time", "best CV score", "ratio"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return results


if __name__ == "__main__":
    main()
