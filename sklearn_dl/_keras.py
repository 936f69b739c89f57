"""Lazy access to Keras, with quiet defaults for the TensorFlow backend."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from sklearn_dl._backend import (
    configure_imported_backend,
    preload_tensorflow,
    prepare_environment,
)

#: Set to "1" (the command line does) to hide the backend's start-up lines in
#: this process and in the worker processes it starts.
QUIET_STARTUP_VARIABLE = "SKLEARN_DL_QUIET_STARTUP"


@cache
def import_keras() -> ModuleType:
    """Import and return the :mod:`keras` module.

    Returns
    -------
    module
        The imported :mod:`keras` package (Keras 3).
    """
    prepare_environment()
    if os.environ.get(QUIET_STARTUP_VARIABLE) == "1":
        return import_keras_quietly()
    import keras

    configure_imported_backend()
    return keras


@cache
def import_keras_quietly() -> ModuleType:
    """Import Keras with the backend's start-up messages hidden.

    TensorFlow writes some start-up lines (oneDNN, CUDA probing) straight to
    the process's standard error before any log level applies; the command
    line hides them by pointing file descriptor 2 elsewhere while Keras is
    imported and its first operation runs. They are shown if that fails.

    Returns
    -------
    module
        The imported :mod:`keras` package.
    """
    import sys
    import tempfile

    prepare_environment()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            preload_tensorflow()
            import keras

            configure_imported_backend()
            keras.ops.convert_to_numpy(keras.ops.zeros((1,)))
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return keras


@contextlib.contextmanager
def dtype_policy_scope(name: str | None) -> Iterator[None]:
    """Build layers under Keras's dtype policy ``name`` inside the block.

    Parameters
    ----------
    name : str or None
        A policy such as ``"mixed_float16"``; None changes nothing.

    Yields
    ------
    None
        Control returns to the enclosed block; the previous global policy
        is restored afterwards.
    """
    if name is None:
        yield
        return
    keras = import_keras()
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
