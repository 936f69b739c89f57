"""JAX's persistent compilation cache: on by default, per user, opt-out."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_dl._backend.compilation_cache import default_cache_folder

pytest.importorskip("jax")

PROBE = (
    "import json, jax; from sklearn_dl._backend.compilation_cache import "
    "enable_jax_compilation_cache as enable; enable(); "
    "print(json.dumps([jax.config.jax_compilation_cache_dir, "
    "jax.config.jax_persistent_cache_min_compile_time_secs]))"
)


def probe(**environment):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    env.update(KERAS_BACKEND="jax", **environment)
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_folder_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv("SKLEARN_DL_JAX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_folder() == tmp_path / "sklearn_dl" / "jax"
    monkeypatch.setenv("SKLEARN_DL_JAX_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_folder() == tmp_path / "mine"


def test_cache_is_on_by_default_and_can_be_switched_off(tmp_path):
    folder = tmp_path / "cache"
    assert probe(SKLEARN_DL_JAX_CACHE_DIR=str(folder)) == [str(folder), 0.0]
    assert folder.is_dir()
    off = probe(SKLEARN_DL_JAX_CACHE="0", SKLEARN_DL_JAX_CACHE_DIR=str(folder))
    assert off == [None, 1.0]
    users = probe(JAX_COMPILATION_CACHE_DIR=str(tmp_path / "users"))
    assert users[0] == str(tmp_path / "users")


@pytest.mark.backends
def test_keras_on_jax_starts_with_the_cache():
    from sklearn_dl._backend.keras import import_keras

    keras = import_keras()
    if keras.backend.backend() != "jax":
        pytest.skip("JAX is not the Keras backend of this run")
    import jax

    if os.environ.get("SKLEARN_DL_JAX_CACHE") == "0":
        assert not jax.config.jax_compilation_cache_dir
    else:
        assert jax.config.jax_compilation_cache_dir
