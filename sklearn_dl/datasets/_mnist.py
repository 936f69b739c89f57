"""MNIST from Keras's cache, without importing Keras when the file is there."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["load_mnist"]

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
# SHA-256 of the file above, as keras.datasets.mnist checks it.
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_FILE_NAME = "mnist.npz"
_SUBDIR = "datasets"
_KEYS = ("x_train", "y_train", "x_test", "y_test")

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _cache_roots(cache_dir: str | os.PathLike | None) -> list[Path]:
    """Folders whose ``datasets/mnist.npz`` may hold the file, first first."""
    if cache_dir is not None:
        return [Path(cache_dir).expanduser()]
    # Keras's own default (keras.config.keras_home()) and the fallback that
    # keras.utils.get_file uses when that folder is not writable.
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return [Path(home).expanduser(), Path("/tmp") / ".keras"]


def _read_npz(path: Path) -> MnistSplits:
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [key for key in _KEYS if key not in data.files]
            if missing:
                raise OSError(
                    f"{path} is not an MNIST file: it lacks the arrays "
                    f"{missing} (expected {list(_KEYS)}). Delete it and load "
                    "again to download a fresh copy."
                )
            x_train, y_train, x_test, y_test = (data[key] for key in _KEYS)
    except (ValueError, EOFError) as error:  # truncated or not an npz file
        raise OSError(
            f"Could not read the MNIST file {path}: {error}. Delete it and "
            "load again to download a fresh copy."
        ) from error
    return (x_train, y_train), (x_test, y_test)


def load_mnist(
    cache_dir: str | os.PathLike | None = None, *, download: bool = True
) -> MnistSplits:
    """Load the MNIST digits, as Keras's ``mnist.load_data()`` returns them.

    The file is looked up in Keras's cache first and read with NumPy, which
    needs neither Keras nor a network. Only when it is missing is Keras
    imported to download it (once) with :func:`keras.utils.get_file`, which
    checks its SHA-256 and stores it in the same cache.

    Parameters
    ----------
    cache_dir : str or path-like, default=None
        Keras's cache folder: the file is ``cache_dir/datasets/mnist.npz``,
        as for :func:`keras.utils.get_file`. None means Keras's default,
        ``$KERAS_HOME`` or ``~/.keras`` (and ``/tmp/.keras``, where Keras
        falls back when that folder is not writable).
    download : bool, default=True
        Whether to download the file when it is not cached. With False a
        missing file raises at once.

    Returns
    -------
    (X_train, y_train) : tuple of ndarray
        60,000 training images of shape (28, 28) and their labels, uint8.
    (X_test, y_test) : tuple of ndarray
        10,000 test images of shape (28, 28) and their labels, uint8.

    Raises
    ------
    OSError
        If the file is not cached and cannot be downloaded (no network, or
        ``download=False``), or if the cached file is not a readable MNIST
        file. The message says where to put the file.

    See Also
    --------
    load_digits_images : Small 8 x 8 digits that ship with scikit-learn.

    Notes
    -----
    A cached file is read as it is, without checking its hash, so any file
    with the arrays ``x_train``, ``y_train``, ``x_test`` and ``y_test`` is
    accepted (tests use a small one).

    Examples
    --------
    >>> from sklearn_dl.datasets import load_mnist
    >>> (X_train, y_train), (X_test, y_test) = load_mnist()  # doctest: +SKIP
    >>> X_train.shape, X_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    roots = _cache_roots(cache_dir)
    for root in roots:
        path = root / _SUBDIR / _FILE_NAME
        if path.is_file():
            return _read_npz(path)

    expected = roots[0] / _SUBDIR / _FILE_NAME
    how_to = (
        f"Download {MNIST_URL} on a machine with network access and copy it "
        f"to {expected}, or call load_mnist() once where the network is "
        "reachable."
    )
    if not download:
        raise OSError(f"MNIST is not cached at {expected} and download=False. {how_to}")

    from sklearn_dl._backend.keras import import_keras

    keras = import_keras()
    try:
        path = keras.utils.get_file(
            fname=_FILE_NAME,
            origin=MNIST_URL,
            file_hash=MNIST_SHA256,
            cache_dir=None if cache_dir is None else os.fspath(roots[0]),
            cache_subdir=_SUBDIR,
        )
    except Exception as error:  # Keras raises a bare Exception on URL errors
        raise OSError(
            f"MNIST is not cached at {expected} and could not be downloaded "
            f"({type(error).__name__}: {error}). {how_to}"
        ) from error
    return _read_npz(Path(path))
