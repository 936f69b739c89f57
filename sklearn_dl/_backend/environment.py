"""The backend's environment, read and set before Keras is imported.

Nothing here imports Keras: which backend is configured, the cores a worker
process may use, and the environment variables TensorFlow and JAX read at
start-up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: Set to "1" (the command line does) to hide the backend's start-up lines in
#: this process and in the worker processes it starts.
QUIET_STARTUP_VARIABLE = "SKLEARN_DL_QUIET_STARTUP"


def configured_backend() -> str:
    """Name of the Keras backend a ``import keras`` would load.

    Keras reads ``KERAS_BACKEND`` first, then ``$KERAS_HOME/keras.json``
    (default ``~/.keras/keras.json``), and falls back to TensorFlow. When
    Keras is already imported, its own answer is returned.

    Returns
    -------
    str
        ``"tensorflow"``, ``"jax"``, ``"torch"`` or ``"numpy"``.
    """
    import sys

    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        config = json.loads((home / "keras.json").read_text())
    except (OSError, ValueError):
        return "tensorflow"
    return str(config.get("backend", "tensorflow"))


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
      (XLA offers no finer limit). When the user points JAX's persistent
      compilation cache at a folder (``JAX_COMPILATION_CACHE_DIR``), every
      compiled function is kept: a small network's train step compiles in
      about 0.3 s, below JAX's default threshold of 1 s, so nothing would
      be. Without it, sklearn_dl's own per-user cache is switched on when
      Keras is imported (:mod:`sklearn_dl._backend.compilation_cache`).

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
