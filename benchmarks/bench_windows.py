"""Windowing a long series: zero-copy views vs the book's Python loop.

Run ``python -m benchmarks.bench_windows [--quick]``.

The book builds its ``(sample, target)`` pairs with a Python loop (its
Listing B3-55, ``samples_and_targets_from_sequence``): one slice and two
appends per step, then ``np.array`` over the list. Here the same pairs come
from :func:`~sklearn_dl.preprocessing.make_supervised_windows`, and every
window from :func:`~sklearn_dl.preprocessing.sliding_windows` or
:class:`~sklearn_dl.preprocessing.WindowMaker`, as strided views.

On a 10,000,000-step series (window 13):

(a) time: the view functions on the whole series vs the book's loop, which
    is timed on a prefix (``--loop-steps``, 500,000 by default) and
    extrapolated linearly to the whole series (it is one iteration per
    step; the extrapolation is printed as such). Target: >= 100x faster.
(b) extra memory, measured with :mod:`tracemalloc` (peak of Python-tracked
    allocations during the call): the view path allocates O(1) memory,
    whatever the length of the series; the loop allocates O(n * window).

The view functions still take O(n) *time*: they check once that the series
is finite (a scan of its values), which is what their milliseconds are.
"""

from __future__ import annotations

import argparse
import tracemalloc
from collections.abc import Callable

import numpy as np

from benchmarks._timing import median_seconds, print_table
from sklearn_dl.preprocessing import (
    WindowMaker,
    make_supervised_windows,
    sliding_windows,
)


def samples_and_targets_from_sequence(
    sequence: np.ndarray, window_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The book's Listing B3-55, verbatim apart from the layout."""
    samples = []
    targets = []
    for i in range(sequence.shape[0] - window_size):  # i is starting position
        sample = sequence[i : i + window_size]  # sub-list of elements
        target = sequence[i + window_size]  # next element
        samples.append(sample)  # append sample to list
        targets.append(target[0])  # append target to list
    return (np.array(samples), np.array(targets))  # return as Numpy arrays


def peak_extra_bytes(function: Callable[[], object]) -> tuple[int, object]:
    """Peak memory (bytes) allocated while ``function`` runs, and its result."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before, result


def _megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.3f} MB"


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark, print its numbers and return the main ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000_000)
    parser.add_argument("--loop-steps", type=int, default=500_000)
    parser.add_argument("--window", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="few repeats (CI)")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    window = args.window

    rng = np.random.default_rng(0)
    series = rng.standard_normal((args.steps, 1))  # a column, as the book's
    prefix = series[: args.loop_steps]
    print(
        f"series: {args.steps:,} steps (float64, {_megabytes(series.nbytes)}), "
        f"window {window}; the book's loop on the first {args.loop_steps:,} steps"
    )

    # Same pairs, checked on the prefix before timing anything.
    book_X, book_y = samples_and_targets_from_sequence(prefix, window)
    view_X, view_y = make_supervised_windows(prefix, window)
    assert np.array_equal(book_X, view_X) and np.array_equal(book_y, view_y)
    del book_X, book_y

    loop_seconds = median_seconds(
        lambda: samples_and_targets_from_sequence(prefix, window), max(1, repeats // 3)
    )
    loop_full = loop_seconds * (args.steps - window) / (args.loop_steps - window)
    maker = WindowMaker(window_size=window).fit(series)
    timings = {
        "sliding_windows": median_seconds(
            lambda: sliding_windows(series, window), repeats
        ),
        "make_supervised_windows": median_seconds(
            lambda: make_supervised_windows(series, window), repeats
        ),
        "WindowMaker.transform": median_seconds(
            lambda: maker.transform(series), repeats
        ),
    }

    rows = [
        (
            "book loop (measured on prefix)",
            f"{args.loop_steps:,}",
            f"{loop_seconds:.3f} s",
            "",
        ),
        ("book loop (extrapolated)", f"{args.steps:,}", f"{loop_full:.1f} s", "1x"),
    ]
    ratios = {}
    for name, seconds in timings.items():
        ratios[name] = loop_full / seconds
        rows.append(
            (
                name,
                f"{args.steps:,}",
                f"{seconds * 1e3:.3f} ms",
                f"{ratios[name]:,.0f}x",
            )
        )
    print()
    print_table(rows, ("windowing", "steps", "time", "speed-up vs loop"))

    loop_memory, _ = peak_extra_bytes(
        lambda: samples_and_targets_from_sequence(prefix, window)
    )
    memory_rows = [
        (
            "book loop",
            f"{args.loop_steps:,}",
            _megabytes(loop_memory),
            f"{loop_memory / args.loop_steps:,.0f} B/step",
        )
    ]
    measured = {
        "sliding_windows (view)": lambda: sliding_windows(series, window),
        "make_supervised_windows (view X, copied y)": lambda: make_supervised_windows(
            series, window
        ),
        "WindowMaker.transform (one padded copy)": lambda: maker.transform(series),
    }
    memory = {}
    for name, function in measured.items():
        memory[name], result = peak_extra_bytes(function)
        windows = result[0] if isinstance(result, tuple) else result
        shares = np.shares_memory(windows, series)
        memory_rows.append(
            (
                name,
                f"{args.steps:,}",
                _megabytes(memory[name]),
                f"shares the series' memory: {shares}",
            )
        )
    small_series = series[: args.loop_steps]
    small_view, _ = peak_extra_bytes(lambda: sliding_windows(small_series, window))
    memory_rows.append(
        (
            "sliding_windows (view)",
            f"{args.loop_steps:,}",
            _megabytes(small_view),
            "same as on the whole series: O(1)",
        )
    )
    print()
    print_table(memory_rows, ("windowing", "steps", "peak extra memory", "note"))

    materialize = median_seconds(
        lambda: np.ascontiguousarray(sliding_windows(series, window), np.float32), 1
    )
    print(
        f"\nCopying the view into a contiguous float32 array (what a network gets): "
        f"{materialize:.2f} s for all {args.steps:,} windows, "
        f"{loop_full / materialize:,.0f}x faster than the extrapolated loop."
    )
    return {
        "speedup_sliding_windows": ratios["sliding_windows"],
        "speedup_make_supervised_windows": ratios["make_supervised_windows"],
        "view_extra_bytes": memory["sliding_windows (view)"],
    }


if __name__ == "__main__":
    main()
