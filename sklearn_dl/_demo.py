"""``sklearn-dl demo``: a CNN in a Pipeline, tuned by GridSearchCV, with pictures.

Offline: the data are the 8x8 digits bundled with scikit-learn. Raw pixel
rows go through ``PixelScaler`` (x / 16) and ``ImageReshaper`` ((n, 64) to
(n, 8, 8, 1)) into a ``ConvClassifier``; GridSearchCV tunes the network on
the training part and the held-out part measures the winner.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np


@dataclass(frozen=True)
class DemoPlan:
    """What one demo run fits.

    Parameters
    ----------
    grid : dict
        Parameter grid of the search (keys of the ``cnn`` step).
    cv : int
        Number of stratified folds.
    epochs : int
        Epochs per fit.
    """

    grid: dict
    cv: int
    epochs: int


FULL_PLAN = DemoPlan(
    grid={"cnn__filters": [(16,), (32,)], "cnn__learning_rate": [0.001, 0.003]},
    cv=3,
    epochs=15,
)
QUICK_PLAN = DemoPlan(
    grid={"cnn__filters": [(8,), (16,)]},
    cv=2,
    epochs=3,
)


def build_pipeline(epochs: int) -> Any:
    """The demo's pipeline: pixel scaling, reshaping, convolutional network.

    Parameters
    ----------
    epochs : int
        Epochs per fit of the network.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``scale``, ``reshape`` and ``cnn``.
    """
    from sklearn.pipeline import Pipeline

    from sklearn_dl.networks import ConvClassifier
    from sklearn_dl.preprocessing import ImageReshaper, PixelScaler

    return Pipeline(
        [
            ("scale", PixelScaler(input_range=(0, 16))),
            ("reshape", ImageReshaper(image_shape=(8, 8, 1))),
            (
                "cnn",
                ConvClassifier(
                    kernel_size=3,
                    dense_layer_sizes=(64,),
                    epochs=epochs,
                    batch_size=32,
                    validation_split=0.1,
                    metrics=["accuracy"],
                    random_state=0,
                ),
            ),
        ]
    )


def results_table(search: Any) -> list[tuple[str, str, str, str]]:
    """Rows (candidate, mean CV accuracy, std, mean fit time) ranked best first.

    Parameters
    ----------
    search : GridSearchCV
        A fitted search.

    Returns
    -------
    list of tuple of str
        One row per candidate.
    """
    results = search.cv_results_
    order = np.argsort(results["rank_test_score"], kind="stable")
    rows = []
    for index in order:
        params = ", ".join(
            f"{name.split('__')[-1]}={value}"
            for name, value in results["params"][index].items()
        )
        rows.append(
            (
                params,
                f"{results['mean_test_score'][index]:.4f}",
                f"{results['std_test_score'][index]:.4f}",
                f"{results['mean_fit_time'][index]:.1f}s",
            )
        )
    return rows


def format_table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    """Align rows under headers as plain text.

    Parameters
    ----------
    rows : list of tuple of str
        Table cells.
    headers : tuple of str
        Column titles.

    Returns
    -------
    str
        The table, one line per row.
    """
    table = [headers, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    lines = []
    for index, row in enumerate(table):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def run_demo(
    output: Path,
    *,
    quick: bool = False,
    n_jobs: int | None = None,
    stream: TextIO | None = None,
) -> dict[str, Any]:
    """Run the demo and write its files.

    Parameters
    ----------
    output : path-like
        Folder for the plots and the saved pipeline (created if missing).
    quick : bool, default=False
        A smaller grid, fewer folds and epochs (for CI).
    n_jobs : int, default=None
        Parallel fits of the search (joblib).
    stream : file-like, default=None
        Where to print; standard output when None.

    Returns
    -------
    dict
        ``search`` (the fitted GridSearchCV), ``test_accuracy``, ``files``
        (name to path) and ``seconds``.
    """
    from sklearn_dl._backend.keras import import_keras_quietly

    stream = sys.stdout if stream is None else stream
    start = time.perf_counter()
    import_keras_quietly()

    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV, train_test_split

    from sklearn_dl.persistence import load, save
    from sklearn_dl.progress import fit_with_progress

    plan = QUICK_PLAN if quick else FULL_PLAN
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    print(
        f"Digits: {len(X_train)} training and {len(X_test)} test images (8x8). "
        f"Searching {plan.grid} with {plan.cv}-fold CV, {plan.epochs} epochs.",
        file=stream,
    )
    search = GridSearchCV(
        build_pipeline(plan.epochs), plan.grid, cv=plan.cv, n_jobs=n_jobs
    )
    fit_with_progress(search, X_train, y_train, stream=stream)
    test_accuracy = float(search.score(X_test, y_test))
    print(
        "\n"
        + format_table(
            results_table(search),
            ("candidate", "mean CV accuracy", "std", "fit time"),
        ),
        file=stream,
    )
    print(f"\nBest parameters: {search.best_params_}", file=stream)
    print(
        f"Test accuracy of the refitted best pipeline: {test_accuracy:.4f}", file=stream
    )

    files = write_pictures(search, X_test, y_test, output)
    files["pipeline"] = output / "pipeline.h5"
    save(search.best_estimator_, files["pipeline"])
    reloaded = load(files["pipeline"])
    same = np.array_equal(reloaded.predict(X_test), search.predict(X_test))
    print(
        f"Saved the fitted pipeline; reloaded, it predicts identically: {same}",
        file=stream,
    )
    for name, path in files.items():
        print(f"  {name:>14}: {path}", file=stream)
    seconds = time.perf_counter() - start
    print(f"Done in {seconds:.0f}s.", file=stream)
    return {
        "search": search,
        "test_accuracy": test_accuracy,
        "files": files,
        "seconds": seconds,
        "reloaded_predicts_identically": same,
    }


def _search_axes(search: Any) -> dict[str, str]:
    """First grid parameter on the x axis, the second (if any) as line groups."""
    names = list(search.param_grid)
    return {"param": names[0], **({"group": names[1]} if len(names) > 1 else {})}


def write_pictures(search: Any, X_test: Any, y_test: Any, output: Path) -> dict:
    """Training history, search results and misclassified digits, as PNG.

    Parameters
    ----------
    search : GridSearchCV
        The fitted search.
    X_test, y_test : array-like
        Held-out pixel rows and labels.
    output : Path
        Folder for the files.

    Returns
    -------
    dict
        Name to path of each file written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_dl.plotting import (
        MisclassifiedGridDisplay,
        SearchResultsDisplay,
        TrainingHistoryDisplay,
    )

    files = {
        "history": output / "training_history.png",
        "search": output / "search_results.png",
        "misclassified": output / "misclassified.png",
    }
    displays = {
        "history": TrainingHistoryDisplay.from_estimator(search.best_estimator_),
        "search": SearchResultsDisplay.from_search(search, **_search_axes(search)),
        "misclassified": MisclassifiedGridDisplay.from_estimator(
            search.best_estimator_,
            X_test,
            y_test,
            images=np.asarray(X_test).reshape(-1, 8, 8),
        ),
    }
    for name, display in displays.items():
        display.figure_.savefig(files[name], dpi=100)
        plt.close(display.figure_)
    return files
