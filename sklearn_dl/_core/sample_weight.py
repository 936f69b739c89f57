"""Sample weights with scikit-learn's meaning, and an order-free training set.

scikit-learn defines a sample weight by repetition: weight 0 removes a
sample, an integer weight ``k`` counts it ``k`` times. Integer weights are
therefore applied by repeating rows; other weights become Keras loss
weights scaled to mean 1 (the loss stays a weighted mean). When Keras shuffles
anyway, rows are put in a canonical order first, so the trained network does
not depend on the order in which the same rows (and repetitions) arrive.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_dl._core.multi_io import flat_rows, repeat_rows


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Validate ``sample_weight`` for ``n_samples`` rows.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative, finite weights.
    n_samples : int
        Number of training rows.

    Returns
    -------
    ndarray of shape (n_samples,) or None
        The weights as float64, or None.

    Raises
    ------
    ValueError
        If the shape is wrong, a weight is negative or not finite, or all
        weights are zero.
    """
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weights.shape}, expected ({n_samples},)."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not np.any(weights > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return weights


def apply_sample_weight(
    X: np.ndarray, y: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Turn scikit-learn sample weights into training rows and Keras weights.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        Training samples.
    y : ndarray of shape (n_samples, ...)
        Targets.
    weights : ndarray of shape (n_samples,) or None
        Validated weights (see :func:`check_sample_weight`).

    Returns
    -------
    X, y : ndarray
        The rows to train on: zero-weight rows removed, rows with integer
        weights repeated that many times.
    keras_weights : ndarray or None
        Loss weights with mean 1 for non-integer weights, else None.
    """
    if weights is None:
        return X, y, None
    keep = weights > 0
    X, y, weights = X[keep], y[keep], weights[keep]
    if np.all(weights == np.round(weights)):
        counts = weights.astype(np.intp)
        if np.all(counts == 1):
            return X, y, None
        return repeat_rows(X, counts), repeat_rows(y, counts), None
    return X, y, weights / weights.mean()


def canonical_order(
    X: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Row order that depends only on the rows' contents.

    Rows are sorted by random projections of their values (fixed seed), so
    the same multiset of rows always comes out in the same order; identical
    rows are interchangeable, so ties between them do not matter.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        Samples.
    y : ndarray of shape (n_samples, ...)
        Targets (numeric).
    weights : ndarray of shape (n_samples,) or None
        Per-row loss weights, part of a row's identity when given.

    Returns
    -------
    ndarray of shape (n_samples,)
        Indices that put the rows in canonical order.
    """
    columns = [flat_rows(X), flat_rows(y)]  # several inputs/outputs side by side
    if weights is not None:
        columns.append(weights.reshape(-1, 1))
    keys = []
    rng = np.random.default_rng(0)
    for block in columns:
        values = np.asarray(block, dtype=np.float64)
        keys.append(values @ rng.standard_normal(values.shape[1]))
    return np.lexsort(keys[::-1])
