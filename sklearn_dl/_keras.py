"""Lazy access to Keras, with quiet defaults for the TensorFlow backend."""

from __future__ import annotations

import os
from functools import cache
from types import ModuleType


def quiet_backend_logs() -> None:
    """Hide TensorFlow's C++ start-up log noise unless the user chose a level.

    Only environment defaults are set, so a value the user exported wins.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("GLOG_minloglevel", "2")


@cache
def import_keras() -> ModuleType:
    """Import and return the :mod:`keras` module.

    Returns
    -------
    module
        The imported :mod:`keras` package (Keras 3).
    """
    quiet_backend_logs()
    import keras

    return keras
