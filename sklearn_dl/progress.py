"""Progress of long searches, in the main process, whatever ``n_jobs`` is.

Each network fit reports through a small Keras callback that writes one file
per fit into a shared folder (epochs done, then "done"); a thread of the main
process reads the folder and prints how many fits and candidates are done,
the elapsed time and, for the final refit, its epochs. Files work across
joblib's worker processes and threads alike, with nothing to set up.

A search that trains fits together (the fused groups of
:mod:`sklearn_dl.model_selection`) runs no Keras callback per fit: it asks
the callback for a :class:`FusedGroupProgress` instead, which writes each
fit's file and one file for the group, shown while the group trains.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, TextIO

from sklearn.base import is_classifier
from sklearn.model_selection import ParameterGrid, ParameterSampler, check_cv
from sklearn.pipeline import Pipeline


def _keras_callback_base() -> type:
    from sklearn_dl._backend.keras import import_keras

    return import_keras().callbacks.Callback


def fit_progress_callback(directory: str | Path) -> Any:
    """A Keras callback that records one fit's epochs in a file (picklable).

    Parameters
    ----------
    directory : str or path-like
        Folder shared with the process that shows progress.

    Returns
    -------
    keras.callbacks.Callback
        The callback; it writes ``"<epochs done>/<epochs>"`` after each
        epoch and ``"done"`` at the end of training to its own file.
    """
    return _fit_progress_class()(directory)


_CLASS_CACHE: dict[str, type] = {}


def _fit_progress_class() -> type:
    """The Keras callback class, defined on first use (Keras is imported lazily)."""
    if "class" not in _CLASS_CACHE:

        class _FitProgressCallback(_keras_callback_base()):
            def __init__(self, directory: str | Path) -> None:
                super().__init__()
                self.directory = str(directory)
                # Per thread: a fit runs in one thread, and threads may share
                # this object (joblib's threading backend passes it as is).
                self._local = threading.local()

            def on_train_begin(self, logs: dict | None = None) -> None:
                name = f"{uuid.uuid4().hex}.fit"
                self._local.path = Path(self.directory) / name
                self._write(f"0/{self.params.get('epochs', '?')}")

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                self._write(f"{epoch + 1}/{self.params.get('epochs', '?')}")

            def on_train_end(self, logs: dict | None = None) -> None:
                self._write("done")

            def _write(self, text: str) -> None:
                # Atomic, so readers never see half a file; best effort, so a
                # progress display can never break a fit.
                path = getattr(self._local, "path", None)
                if path is not None:
                    _write_atomically(path, text)

            def fused_group(
                self, *, n_fits: int, description: str, epochs: int
            ) -> FusedGroupProgress:
                return FusedGroupProgress(self.directory, n_fits, description, epochs)

            def __reduce__(self) -> tuple:
                return (fit_progress_callback, (self.directory,))

        _CLASS_CACHE["class"] = _FitProgressCallback
    return _CLASS_CACHE["class"]


def _write_atomically(path: Path, text: str) -> None:
    """Write a progress file whole (readers never see half); best effort."""
    partial = path.with_name(f"{uuid.uuid4().hex}.part")
    try:
        partial.write_text(text)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)


class FusedGroupProgress:
    """The progress files of one fused group of fits.

    Each of the group's fits gets its file, as a fit's callback writes it
    (epochs done, then ``"done"``); the group's own file holds the line the
    display shows while the group trains.

    Parameters
    ----------
    directory : str or path-like
        The progress folder.
    n_fits : int
        Fits trained together.
    description : str
        The group's architecture, in words.
    epochs : int
        Epochs each fit trains.
    """

    def __init__(
        self, directory: str | Path, n_fits: int, description: str, epochs: int
    ) -> None:
        folder = Path(directory)
        self.n_fits, self.description, self.epochs = n_fits, description, epochs
        self._fits = [folder / f"{uuid.uuid4().hex}.fit" for _ in range(n_fits)]
        self._group = folder / f"{uuid.uuid4().hex}.group"
        self.epoch_done(0)

    def epoch_done(self, epoch: int) -> None:
        """Record that the group's fits have trained ``epoch`` epochs.

        Parameters
        ----------
        epoch : int
            Epochs done.
        """
        for path in self._fits:
            _write_atomically(path, f"{epoch}/{self.epochs}")
        _write_atomically(
            self._group,
            f"fused group of {self.n_fits} fits ({self.description}): "
            f"epoch {epoch}/{self.epochs}",
        )

    def done(self) -> None:
        """Record that the group's fits are done."""
        for path in self._fits:
            _write_atomically(path, "done")
        _write_atomically(self._group, "done")


def count_search_fits(search: Any, X: Any, y: Any = None, groups: Any = None) -> tuple:
    """Number of candidates and of fits a search will run.

    Parameters
    ----------
    search : GridSearchCV or RandomizedSearchCV
        An unfitted search.
    X, y, groups : array-like
        The data the search will be fitted on.

    Returns
    -------
    n_candidates : int
        Parameter combinations to try.
    n_fits : int
        Fits including the final refit (when ``refit`` is set).
    """
    if hasattr(search, "param_grid"):
        n_candidates = len(ParameterGrid(search.param_grid))
    elif hasattr(search, "param_distributions"):
        n_candidates = len(
            list(ParameterSampler(search.param_distributions, search.n_iter))
        )
    else:
        raise TypeError(
            f"{type(search).__name__} is not a GridSearchCV or RandomizedSearchCV."
        )
    cv = check_cv(search.cv, y, classifier=is_classifier(search.estimator))
    n_splits = cv.get_n_splits(X, y, groups)
    return n_candidates, n_candidates * n_splits + (1 if search.refit else 0)


def fit_with_progress(
    search: Any,
    X: Any,
    y: Any = None,
    *,
    stream: TextIO | None = None,
    interval: float = 0.5,
    **fit_params: Any,
) -> Any:
    """Fit a search over sklearn_dl networks, printing its progress.

    Shows fits and candidates done out of the total with the elapsed time,
    the epochs of the fused group training (a fused search, see
    :mod:`sklearn_dl.model_selection`), then the epochs of the final refit.
    Works with any ``n_jobs`` on one machine (worker processes report
    through files in a temporary folder).

    Parameters
    ----------
    search : GridSearchCV or RandomizedSearchCV
        The search; its estimator is an sklearn_dl network or a Pipeline
        ending in one.
    X, y : array-like
        Training data.
    stream : file-like, default=None
        Where to print; standard error when None.
    interval : float, default=0.5
        Seconds between updates.
    **fit_params : dict
        Passed to ``search.fit``.

    Returns
    -------
    search : object
        The fitted search.
    """
    stream = sys.stderr if stream is None else stream
    n_candidates, n_fits = count_search_fits(search, X, y, fit_params.get("groups"))
    n_cv_fits = n_fits - (1 if search.refit else 0)
    estimator = search.estimator
    key = "callbacks"
    if isinstance(estimator, Pipeline):
        key = f"{estimator.steps[-1][0]}__callbacks"
    directory = Path(tempfile.mkdtemp(prefix="sklearn-dl-progress-"))
    start = time.perf_counter()
    finished = threading.Event()
    interactive = getattr(stream, "isatty", lambda: False)()
    last_state: list[str] = []

    def report() -> None:
        states = [path.read_text() for path in directory.glob("*.fit")]
        done = sum(state == "done" for state in states)
        elapsed = time.perf_counter() - start
        line = (
            f"fits {min(done, n_cv_fits)}/{n_cv_fits}, candidates "
            f"{min(done, n_cv_fits) * n_candidates // max(n_cv_fits, 1)}/"
            f"{n_candidates}, elapsed {elapsed:.1f}s"
        )
        groups = [path.read_text() for path in directory.glob("*.group")]
        training = [text for text in groups if text not in ("done", "")]
        if training and done < n_cv_fits:
            line += f" | {training[-1]}"
        if done >= n_cv_fits and search.refit:
            running = [state for state in states if state != "done"]
            refit_state = "done" if done > n_cv_fits else (running or ["starting"])[0]
            line += f" | refit epochs {refit_state}"
        state = line.split(", elapsed")[0] + line.partition("|")[2]
        if interactive:
            stream.write("\r" + line.ljust(78))
        elif state not in last_state:  # a log file: one line per change
            last_state.append(state)
            stream.write(line + "\n")
        stream.flush()

    def watch() -> None:
        while not finished.wait(interval):
            report()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        search.fit(X, y, **{key: [fit_progress_callback(directory)]}, **fit_params)
    finally:
        finished.set()
        watcher.join()
        report()
        if interactive:
            stream.write("\n")
        shutil.rmtree(directory, ignore_errors=True)
    return search


__all__ = [
    "FusedGroupProgress",
    "count_search_fits",
    "fit_progress_callback",
    "fit_with_progress",
]
