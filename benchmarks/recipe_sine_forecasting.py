"""The book's sine-wave forecasting experiments, reproduced qualitatively.

Run ``python -m benchmarks.recipe_sine_forecasting [--quick]``.

The book (part 3, section 4) forecasts sums of sine waves one step ahead
with tiny LSTM networks, trained 100 epochs with ``batch_size=1``. Here the
same experiments run with fewer epochs, a larger batch and a larger learning
rate (minutes instead of hours on two CPU cores); the numbers differ, the
findings should not:

(a) data set 1, one LSTM of 3 units: a window of 1 step is much worse than
    windows of 3 or 5 steps (the book's Figures B3-59 to B3-67);
(b) data set 2 ("upsloping"), LSTM layers of 9, 6 and 3 units: 2,000
    training steps with a window of 13 give a much lower loss (book: about
    0.004 instead of 0.025) and much better test forecasts than 200 steps
    with a window of 5 (Figures B3-75 to B3-78). A third run, 2,000 steps
    with a window of 5, separates the effect of the data from that of the
    window.

Test forecasts are made as in the book: the test series (200 steps, starting
200 steps after the training series ends) is windowed on its own, and the
RMSE is in the series' original units.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from benchmarks._timing import print_table
from sklearn_dl.datasets import load_sine_series
from sklearn_dl.forecasting import WindowedForecaster
from sklearn_dl.networks import RecurrentRegressor


def run(
    dataset: int,
    n_train_steps: int,
    window_size: int,
    units: tuple[int, ...],
    *,
    epochs: int,
    batch_size: int,
) -> dict[str, float]:
    """Train one forecaster and measure it on the book's test series."""
    train, test = load_sine_series(dataset, n_train_steps=n_train_steps)
    start = time.perf_counter()
    forecaster = WindowedForecaster(
        RecurrentRegressor(
            units=units,
            learning_rate=0.01,
            epochs=epochs,
            batch_size=batch_size,
            random_state=0,
        ),
        window_size=window_size,
    ).fit(train)
    seconds = time.perf_counter() - start
    w = window_size
    return {
        "loss": forecaster.regressor_.history_["loss"][-1],
        "train_rmse": -forecaster.score(train[w:], context=train[:w]),
        "test_rmse": -forecaster.score(test[w:], context=test[:w]),
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Run both experiments, print their numbers and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args(argv)
    epochs_a, epochs_b = (15, 10) if args.quick else (50, 30)
    total = time.perf_counter()

    print(f"(a) data set 1, LSTM(3), 200 training steps, {epochs_a} epochs, batch 8")
    windows = {}
    for w in (1, 3, 5):
        windows[w] = run(1, 200, w, (3,), epochs=epochs_a, batch_size=8)
    print_table(
        [
            (
                w,
                f"{r['loss']:.4f}",
                f"{r['train_rmse']:.3f}",
                f"{r['test_rmse']:.3f}",
                f"{r['seconds']:.1f} s",
            )
            for w, r in windows.items()
        ],
        ("window", "final loss (scaled)", "train RMSE", "test RMSE", "fit time"),
    )
    best_longer = min(windows[3]["test_rmse"], windows[5]["test_rmse"])
    ratio_a = windows[1]["test_rmse"] / best_longer
    print(
        f"window 1 test RMSE / best of windows 3 and 5: {ratio_a:.1f}x "
        f"({'as in the book' if ratio_a > 1.5 else 'NOT as in the book'})"
    )

    print(
        f"\n(b) data set 2 (upsloping), LSTM(9) -> LSTM(6) -> LSTM(3), "
        f"{epochs_b} epochs, batch 32"
    )
    sizes = {}
    for n_steps, w in ((200, 5), (2000, 5), (2000, 13)):
        sizes[n_steps, w] = run(
            2, n_steps, w, (9, 6, 3), epochs=epochs_b, batch_size=32
        )
    print_table(
        [
            (
                f"{n:,}",
                w,
                f"{r['loss']:.4f}",
                f"{r['train_rmse']:.3f}",
                f"{r['test_rmse']:.3f}",
                f"{r['seconds']:.1f} s",
            )
            for (n, w), r in sizes.items()
        ],
        (
            "training steps",
            "window",
            "final loss (scaled)",
            "train RMSE",
            "test RMSE",
            "fit time",
        ),
    )
    small, large = sizes[200, 5], sizes[2000, 13]
    ratio_b = small["test_rmse"] / large["test_rmse"]
    print(
        f"2,000 steps / window 13 vs 200 steps / window 5: loss "
        f"{small['loss']:.4f} -> {large['loss']:.4f} (book: about 0.025 -> 0.004), "
        f"test RMSE {ratio_b:.1f}x lower "
        f"({'as in the book' if ratio_b > 1.2 else 'NOT as in the book'})"
    )
    print(f"\ntotal time: {time.perf_counter() - total:.0f} s")
    return {"windows": windows, "sizes": {str(k): v for k, v in sizes.items()}}


if __name__ == "__main__":
    main()
