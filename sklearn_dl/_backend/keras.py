"""Importing Keras lazily, and the settings that need it imported.

Keras is imported on first use (``import sklearn_dl`` stays cheap), after
:func:`~sklearn_dl._backend.environment.prepare_environment` has set the
backend's environment.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from functools import cache
from types import ModuleType
from typing import TypeVar

from sklearn_dl._backend.environment import (
    QUIET_STARTUP_VARIABLE,
    configured_backend,
    prepare_environment,
    thread_share,
)


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


def configure_imported_backend() -> None:
    """Settings that need the backend imported but not yet started.

    TensorFlow: thread pools sized as :func:`prepare_environment` (or the
    user) said, and memory growth on every GPU, so several worker
    processes can share a GPU's memory instead of the first one taking it
    all. Both can only change before TensorFlow runs its first operation;
    afterwards they are left as they are. PyTorch: its thread pool sized
    to :func:`thread_share`. JAX: its persistent compilation cache in a
    per-user folder (see :mod:`sklearn_dl._backend.compilation_cache`).
    """
    backend = configured_backend()
    if backend == "jax":
        from sklearn_dl._backend.compilation_cache import (
            enable_jax_compilation_cache,
        )

        enable_jax_compilation_cache()
    if backend == "torch":
        import torch

        share = thread_share()
        if share is not None:
            torch.set_num_threads(share)
    if backend != "tensorflow":
        return
    import tensorflow as tf

    pools = {
        tf.config.threading.set_intra_op_parallelism_threads: "TF_NUM_INTRAOP_THREADS",
        tf.config.threading.set_inter_op_parallelism_threads: "TF_NUM_INTEROP_THREADS",
    }
    try:
        # TensorFlow reads these variables too; setting them through its API
        # as well makes the sizes visible to tf.config.threading.
        for set_threads, variable in pools.items():
            value = os.environ.get(variable, "")
            if value.isdigit():
                set_threads(int(value))
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
    except RuntimeError:  # TensorFlow already started in this process
        pass
    # Start TensorFlow's eager context now: seeding it before it has started
    # does not hold for the first fit of a process.
    tf.constant(0.0).numpy()


def preload_tensorflow() -> None:
    """Import TensorFlow now, if installed, whatever the Keras backend.

    Keras imports TensorFlow when it is installed even on the JAX and
    PyTorch backends (``keras.utils.set_random_seed`` seeds it too); a quiet
    start-up imports it early, so its start-up lines can be hidden.
    """
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        import tensorflow  # noqa: F401


_T = TypeVar("_T")
_TENSORFLOW_PROBE_LOCK = threading.Lock()


def without_tensorflow_import(function: Callable[[], _T]) -> _T:
    """Call ``function`` (say a ``get_config``) without Keras importing TensorFlow.

    Keras's serialization asks, for every object it serializes, whether it
    is a TensorFlow ``TensorShape`` or ``DType``; the first such question
    imports TensorFlow (about two seconds) on every backend. While
    TensorFlow is not imported no object can be one, so on another backend
    the question is answered "not available" for the call and asked again
    afterwards. Keras keeps that answer in a private lazy module
    (``keras.src.utils.module_utils.tensorflow``), hence this one place.

    Parameters
    ----------
    function : callable
        Called with no arguments.

    Returns
    -------
    object
        What ``function`` returns.
    """
    if configured_backend() == "tensorflow" or "tensorflow" in sys.modules:
        return function()
    try:
        from keras.src.utils import module_utils

        probe = module_utils.tensorflow
        unasked = probe._available is None and probe.module is None
    except (ImportError, AttributeError):  # another Keras: ask as usual
        return function()
    if not unasked:
        return function()
    with _TENSORFLOW_PROBE_LOCK:
        probe._available = False
        try:
            return function()
        finally:
            probe._available = None


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
