"""Which Keras backend is configured, told without importing Keras."""

from __future__ import annotations

import json
import os
from pathlib import Path


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
