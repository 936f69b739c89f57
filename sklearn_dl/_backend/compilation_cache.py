"""JAX's persistent compilation cache, on by default in a per-user folder.

Every new process compiles each architecture's train, predict and
initializer programs again (about 1-2 s per architecture on a small CPU),
which dominates a fresh process's first search on JAX. JAX can keep
compiled programs on disk; sklearn_dl turns that on when JAX is the Keras
backend, once, when Keras is first imported (a process setting, like the
thread pools: it changes nothing else, and nothing on TensorFlow or PyTorch).

- Folder: ``$SKLEARN_DL_JAX_CACHE_DIR``, else ``$XDG_CACHE_HOME/sklearn_dl/jax``
  (``~/.cache/sklearn_dl/jax``).
- Every program is kept, however fast it compiled (JAX's default keeps only
  those that took over 1 s; a small network's compile in about 0.3 s).
- Left alone: a cache folder the user configured for JAX
  (``JAX_COMPILATION_CACHE_DIR`` or ``jax.config``), and the whole feature
  when ``SKLEARN_DL_JAX_CACHE=0``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Set to "0" to leave JAX's compilation cache off.
SWITCH_VARIABLE = "SKLEARN_DL_JAX_CACHE"
#: Overrides the cache folder.
FOLDER_VARIABLE = "SKLEARN_DL_JAX_CACHE_DIR"


def default_cache_folder() -> Path:
    """The per-user folder JAX's compiled programs are kept in.

    Returns
    -------
    pathlib.Path
        ``$SKLEARN_DL_JAX_CACHE_DIR``, else ``$XDG_CACHE_HOME/sklearn_dl/jax``
        (``~/.cache`` when ``XDG_CACHE_HOME`` is unset).
    """
    if os.environ.get(FOLDER_VARIABLE):
        return Path(os.environ[FOLDER_VARIABLE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sklearn_dl" / "jax"


def enable_jax_compilation_cache() -> Path | None:
    """Point JAX's persistent compilation cache at the per-user folder.

    Called once, when Keras is imported on the JAX backend, before any
    program compiles.

    Returns
    -------
    pathlib.Path or None
        The folder now in use, or None when the cache was left as it was
        (switched off, configured by the user, or the folder cannot be
        created).
    """
    if os.environ.get(SWITCH_VARIABLE, "1") == "0":
        return None
    import jax

    if os.environ.get("JAX_COMPILATION_CACHE_DIR") or (
        jax.config.jax_compilation_cache_dir
    ):
        return None
    folder = default_cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(folder))
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    if "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES" not in os.environ:
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder
