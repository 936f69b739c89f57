"""Everything specific to one Keras backend, in one place.

The estimators use only ``keras`` and ``keras.ops``; what cannot be said that
way (environment variables read by TensorFlow at start-up, thread pools,
device placement) lives here, with the JAX and PyTorch counterparts where
they exist.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from sklearn_dl._backend_info import configured_backend

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


def prepare_environment() -> None:
    """Set backend environment defaults before the backend is imported.

    Hides TensorFlow's C++ log lines below warnings and sizes its thread
    pools to :func:`thread_share`, so several joblib workers do not
    oversubscribe the cores. A value the user exported always wins.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    share = thread_share()
    if share is not None and configured_backend() == "tensorflow":
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(share))
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(min(share, 2)))


def configure_imported_backend() -> None:
    """Settings that need the backend imported but not yet started.

    TensorFlow: thread pools sized as :func:`prepare_environment` (or the
    user) said, and memory growth on every GPU, so several worker
    processes can share a GPU's memory instead of the first one taking it
    all. Both can only change before TensorFlow runs its first operation;
    afterwards they are left as they are.
    """
    if configured_backend() != "tensorflow":
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
    from sklearn_dl._keras import import_keras

    with import_keras().device(device):
        yield
