"""Everything specific to one Keras backend, in one place.

The estimators use only ``keras`` and ``keras.ops``; what cannot be said that
way (environment variables read by TensorFlow at start-up, thread pools,
device placement) lives here, with the JAX and PyTorch counterparts where
they exist.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from sklearn_dl._backend_info import configured_backend
from sklearn_dl.exceptions import BackendNotSupportedError

#: Variables joblib's process workers receive with their share of the cores.
_THREAD_SHARE_VARIABLES = ("OMP_NUM_THREADS",)


def thread_share() -> int | None:
    """Cores this process may use, as joblib told its worker processes.

    joblib (loky) starts each worker with ``OMP_NUM_THREADS`` set to its
    share of the machine's cores; native libraries that honour it stay
    within it, but TensorFlow has its own thread pools and ignores it.

    Returns
    -------
    int or None
        The share, or None when nothing limits this process.
    """
    for name in _THREAD_SHARE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return None


#: XLA's switch for one-threaded CPU kernels (JAX has no thread-count knob).
_XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def prepare_environment() -> None:
    """Set backend environment defaults before the backend is imported.

    - TensorFlow: C++ log lines below warnings hidden, thread pools sized to
      :func:`thread_share`, so several joblib workers do not oversubscribe
      the cores.
    - JAX: no preallocation of most of each GPU's memory (the counterpart
      of TensorFlow's memory growth, so several workers can share a GPU),
      and one-threaded CPU kernels in a worker whose share is one core
      (XLA offers no finer limit). When the user turns on JAX's persistent
      compilation cache (``JAX_COMPILATION_CACHE_DIR``), every compiled
      function is kept: a small network's train step compiles in about
      0.3 s, below JAX's default threshold of 1 s, so nothing would be.

    A value the user exported always wins.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    backend = configured_backend()
    share = thread_share()
    if backend == "jax":
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
            os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
        if share == 1 and "xla_cpu_multi_thread_eigen" not in os.environ.get(
            "XLA_FLAGS", ""
        ):
            flags = os.environ.get("XLA_FLAGS", "")
            os.environ["XLA_FLAGS"] = f"{flags} {_XLA_ONE_THREAD}".strip()
    if share is not None and backend == "tensorflow":
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(share))
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(min(share, 2)))


def configure_imported_backend() -> None:
    """Settings that need the backend imported but not yet started.

    TensorFlow: thread pools sized as :func:`prepare_environment` (or the
    user) said, and memory growth on every GPU, so several worker
    processes can share a GPU's memory instead of the first one taking it
    all. Both can only change before TensorFlow runs its first operation;
    afterwards they are left as they are. PyTorch: its thread pool sized
    to :func:`thread_share`.
    """
    backend = configured_backend()
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


def gpu_count() -> int:
    """Number of GPUs the configured backend sees.

    Returns
    -------
    int
        0 on machines (or backends) without a usable GPU.
    """
    backend = configured_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        try:
            return len(jax.devices("gpu"))
        except RuntimeError:  # no GPU platform installed
            return 0
    if backend == "torch":
        import torch

        return torch.cuda.device_count()
    return 0


@contextlib.contextmanager
def device_scope(device: str | None) -> Iterator[None]:
    """Place the models built and trained in the block on ``device``.

    Parameters
    ----------
    device : str or None
        A Keras device name such as ``"cpu:0"`` or ``"gpu:1"``; None leaves
        placement to the backend.

    Yields
    ------
    None
        Control returns to the enclosed block.
    """
    if device is None:
        yield
        return
    if configured_backend() == "torch":
        # Keras's PyTorch trainer moves every batch to the default device.
        if device != _torch_default_device():
            require_backend_support("fits on a device other than the default")
        yield
        return
    from sklearn_dl._keras import import_keras

    with import_keras().device(device):
        yield


def _torch_default_device() -> str:
    """The device Keras's PyTorch backend computes on: the first GPU, or the CPU."""
    return "gpu:0" if gpu_count() > 0 else "cpu:0"


def preload_tensorflow() -> None:
    """Import TensorFlow now, if installed, whatever the Keras backend.

    Keras imports TensorFlow when it is installed even on the JAX and
    PyTorch backends (``keras.utils.set_random_seed`` seeds it too); a quiet
    start-up imports it early, so its start-up lines can be hidden.
    """
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        import tensorflow  # noqa: F401


def variable_device(variable: Any) -> str:
    """Where a Keras variable's value lives, as ``"<kind>:<index>"``.

    Parameters
    ----------
    variable : keras.Variable
        A model weight, on any backend.

    Returns
    -------
    str
        For example ``"cpu:0"`` or ``"gpu:1"`` (CUDA devices are ``gpu``).
    """
    value = variable.value
    backend = configured_backend()
    if backend == "jax":
        (device,) = value.devices()
        kind, index = device.platform, device.id
    elif backend == "torch":
        kind, index = value.device.type, value.device.index or 0
    else:  # TensorFlow names devices like /job:localhost/.../device:GPU:0
        match = re.search(r"device:([A-Za-z]+):(\d+)$", str(value.device))
        if match is None:
            return str(value.device).lower()
        kind, index = match.group(1), int(match.group(2))
    kind = "gpu" if kind.lower() in ("gpu", "cuda") else kind.lower()
    return f"{kind}:{index}"


#: Features that work on some Keras backends only, and where they do.
_BACKEND_LIMITS = {
    "stateful recurrent networks": (
        ("tensorflow",),
        "Keras 3 keeps their states only on TensorFlow (on JAX the states "
        "are not carried from batch to batch, in training or prediction)",
    ),
    "fits on a device other than the default": (
        ("tensorflow", "jax"),
        "Keras's PyTorch trainer moves every batch to the default device (the "
        "first GPU, else the CPU), so weights placed elsewhere get no gradients",
    ),
}


def require_backend_support(feature: str) -> None:
    """Raise if ``feature`` does not work on the configured backend.

    Parameters
    ----------
    feature : str
        A key of the known limits, e.g. ``"stateful recurrent networks"``.

    Raises
    ------
    BackendNotSupportedError
        When the configured backend is not among those where it works.
    """
    supported, reason = _BACKEND_LIMITS[feature]
    backend = configured_backend()
    if backend not in supported:
        raise BackendNotSupportedError(feature, backend, supported, reason)


_prediction_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_prediction_locks_guard = threading.Lock()


def prediction_lock(model: Any) -> contextlib.AbstractContextManager:
    """What to hold while ``model.predict_on_batch`` runs.

    On TensorFlow nothing: concurrent predictions are safe. JAX's
    ``predict_on_batch`` hands the model's weights to the compiled function
    and writes them back afterwards, so two threads predicting with one
    model at once can use arrays the other has already released; their
    calls on one model take turns.

    Parameters
    ----------
    model : keras.Model
        The model about to predict.

    Returns
    -------
    contextlib.AbstractContextManager
        A lock per model, or a context that does nothing.
    """
    if configured_backend() == "tensorflow":
        return contextlib.nullcontext()
    with _prediction_locks_guard:
        return _prediction_locks.setdefault(model, threading.Lock())


def padded_batch_rows(n_rows: int, limit: int) -> int:
    """Rows to feed a compiled predict function for a batch of ``n_rows``.

    JAX compiles ``predict_on_batch`` once per input shape (about 0.1 s for
    a small network), so predicting on 1, then 5, then 7 rows would compile
    three times. On JAX a batch is padded up to the next power of two (at
    most ``limit``, the predict batch size), which bounds the compiled
    shapes to about ``log2(limit)``; TensorFlow and PyTorch do not compile
    per shape, and take batches as they are.

    Parameters
    ----------
    n_rows : int
        Rows in the batch.
    limit : int
        The largest batch the caller feeds.

    Returns
    -------
    int
        ``n_rows`` or more.
    """
    if configured_backend() != "jax" or n_rows >= limit:
        return n_rows
    return min(limit, 1 << max(n_rows - 1, 0).bit_length())
