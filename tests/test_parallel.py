"""Device placement logic and worker thread limits, without a GPU."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from sklearn_dl._backend import devices as _backend
from sklearn_dl._backend import environment, runtime
from sklearn_dl._backend.environment import prepare_environment, thread_share
from sklearn_dl.parallel import claim_gpu, least_claimed, resolve_device

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


@pytest.fixture(autouse=True)
def _forget_claims(monkeypatch):
    monkeypatch.setattr(_backend, "_claimed", {})


def test_least_claimed_picks_the_emptiest_gpu_lowest_first():
    assert least_claimed(2, []) == 0
    assert least_claimed(2, [0]) == 1
    assert least_claimed(3, [0, 1, 0, 2]) == 1
    assert least_claimed(2, [5, 7]) == 0  # claims of GPUs that vanished
    with pytest.raises(ValueError, match="no GPU"):
        least_claimed(0, [])


def test_workers_are_spread_round_robin(tmp_path):
    claims = [claim_gpu(2, tmp_path, pid=pid, alive=lambda _: True) for pid in range(4)]
    assert claims == [0, 1, 0, 1]
    # a process keeps its GPU
    assert claim_gpu(2, tmp_path, pid=1, alive=lambda _: True) == 1


def test_claims_of_dead_processes_are_dropped(tmp_path):
    claim_gpu(2, tmp_path, pid=10, alive=lambda _: True)
    claim_gpu(2, tmp_path, pid=11, alive=lambda _: True)
    # 10 has exited: the next process takes its GPU, and its file is removed
    assert claim_gpu(2, tmp_path, pid=12, alive=lambda pid: pid != 10) == 0
    assert not (tmp_path / "gpu0-pid10").exists()
    assert (tmp_path / "gpu0-pid12").exists()


def test_resolve_device():
    assert resolve_device(None, 0) is None
    assert resolve_device("auto", 0) is None
    assert resolve_device("cpu", 4) == "cpu:0"
    assert resolve_device(1, 2) == "gpu:1"
    assert resolve_device("gpu:0", 1) == "gpu:0"
    with pytest.raises(ValueError, match="GPU 2, but 2 GPU"):
        resolve_device(2, 2)
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("tpu", 1)
    with pytest.raises(ValueError, match="device must be"):
        resolve_device(True, 1)


def test_auto_claims_a_gpu_when_there_are_some(monkeypatch, tmp_path):
    monkeypatch.setattr(_backend.tempfile, "gettempdir", lambda: str(tmp_path))
    assert resolve_device("auto", 3) == "gpu:0"
    assert (tmp_path / "sklearn-dl-gpus" / f"gpu0-pid{os.getpid()}").exists()


def test_thread_share_reads_joblibs_limit(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert thread_share() is None
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert thread_share() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "zero")
    assert thread_share() is None


def test_prepare_environment_sizes_tensorflow_pools(monkeypatch):
    monkeypatch.setattr(environment, "configured_backend", lambda: "tensorflow")
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    monkeypatch.delenv("TF_NUM_INTEROP_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    prepare_environment()
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "1"
    assert os.environ["TF_NUM_INTEROP_THREADS"] == "1"
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "7")
    prepare_environment()
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "7"  # the user's value wins


def test_prepare_environment_for_jax(monkeypatch):
    monkeypatch.setattr(environment, "configured_backend", lambda: "jax")
    cache_threshold = "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"
    for name in (
        "XLA_PYTHON_CLIENT_PREALLOCATE",
        "XLA_FLAGS",
        "OMP_NUM_THREADS",
        "JAX_COMPILATION_CACHE_DIR",
        cache_threshold,
    ):
        monkeypatch.delenv(name, raising=False)
    prepare_environment()
    assert os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert "XLA_FLAGS" not in os.environ  # all cores when nothing limits us
    assert cache_threshold not in os.environ  # no cache unless asked for
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", "/tmp/jax-cache")
    prepare_environment()
    assert os.environ[cache_threshold] == "0"  # small compiles are kept too
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    prepare_environment()
    flags = os.environ["XLA_FLAGS"].split()
    assert flags[0] == "--xla_dump_to=/tmp/x"  # the user's flags are kept
    assert "--xla_cpu_multi_thread_eigen=false" in flags
    prepare_environment()
    assert os.environ["XLA_FLAGS"].split() == flags  # added once
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    prepare_environment()
    assert os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] == "true"


def test_a_joblib_worker_runs_tensorflow_on_its_share():
    code = (
        "import os\n"
        "from joblib import Parallel, delayed\n"
        "def threads():\n"
        "    from sklearn_dl._backend.keras import import_keras\n"
        "    import_keras()\n"
        "    import tensorflow as tf\n"
        "    return tf.config.threading.get_intra_op_parallelism_threads()\n"
        "print(Parallel(n_jobs=2)(delayed(threads)() for _ in range(2)))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_NUM_")}
    env["KERAS_BACKEND"] = "tensorflow"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    share = max(os.cpu_count() // 2, 1)
    assert result.stdout.strip() == f"[{share}, {share}]"


def test_torch_fits_stay_on_the_default_device(monkeypatch):
    from sklearn_dl.exceptions import BackendNotSupportedError

    monkeypatch.setattr(_backend, "configured_backend", lambda: "torch")
    monkeypatch.setattr(runtime, "configured_backend", lambda: "torch")
    monkeypatch.setattr(_backend, "gpu_count", lambda: 1)
    with _backend.device_scope("gpu:0"):  # the default: nothing to place
        pass
    with _backend.device_scope(None):
        pass
    with pytest.raises(BackendNotSupportedError, match="'torch' backend") as caught:
        with _backend.device_scope("cpu:0"):
            pass
    assert caught.value.supported == ("tensorflow", "jax")
    assert "no gradients" in str(caught.value)
    monkeypatch.setattr(_backend, "gpu_count", lambda: 0)
    with _backend.device_scope("cpu:0"):  # the default without a GPU
        pass


def test_variable_device_names_the_weights_device():
    import keras

    from sklearn_dl.parallel import variable_device

    with keras.device("cpu:0"):
        variable = keras.Variable(np.zeros(3))
    assert variable_device(variable) == "cpu:0"


def test_predictions_take_turns_where_the_backend_needs_it(monkeypatch):
    from sklearn_dl._backend.runtime import predictions_take_turns

    monkeypatch.setattr(runtime, "configured_backend", lambda: "jax")
    assert predictions_take_turns(stateful=False)
    monkeypatch.setattr(runtime, "configured_backend", lambda: "tensorflow")
    assert not predictions_take_turns(stateful=False)
    assert predictions_take_turns(stateful=True)  # shared states, any backend


def test_predict_compiles_one_batch_shape_whatever_the_row_count(monkeypatch):
    import keras

    from sklearn_dl._core.predicting import predict_in_fixed_batches

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    shapes = []
    real = model.predict_on_batch
    monkeypatch.setattr(
        model, "predict_on_batch", lambda x: shapes.append(x.shape) or real(x)
    )
    lock = threading.Lock()
    for n_rows in (1, 5, 87, 256, 300):
        X = np.arange(n_rows * 3, dtype=np.float32).reshape(n_rows, 3)
        assert predict_in_fixed_batches(model, X, 256, lock).shape == (n_rows, 2)
    assert set(shapes) == {(256, 3)}
