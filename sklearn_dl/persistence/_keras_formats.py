"""Plain Keras files of a fitted network: ``.keras``, legacy ``.h5``, weights, JSON.

These hold the network only, not the preprocessing in front of it or the
estimator's label encoding (Keras has no standard way to store those; save
the whole pipeline with :func:`sklearn_dl.save` for that).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import h5py

from sklearn_dl._backend.keras import import_keras
from sklearn_dl.persistence._atomic import atomic_path, keras_suffix

#: Keras formats by the extension that selects them.
_FORMAT_BY_SUFFIX = {
    ".keras": "keras",
    ".h5": "h5",
    ".hdf5": "h5",
    ".weights.h5": "weights",
    ".json": "json",
}
_SUFFIXES = {
    "keras": (".keras",),
    "h5": (".h5", ".hdf5"),
    "weights": (".weights.h5",),
    "json": (".json",),
}

KerasFormat = Literal["keras", "h5", "weights", "json"]


def network_of(obj: Any) -> Any:
    """The Keras model inside a fitted estimator, a pipeline, or a model itself.

    Parameters
    ----------
    obj : keras.Model, fitted estimator or Pipeline
        A network, an estimator with ``model_``, or a pipeline whose last
        step has one.

    Returns
    -------
    keras.Model
        The network.
    """
    keras = import_keras()
    if isinstance(obj, keras.Model):
        return obj
    final = obj.steps[-1][1] if hasattr(obj, "steps") else obj
    model = getattr(final, "model_", None)
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"Expected a keras.Model, or a fitted estimator (or pipeline ending "
            f"in one) with a model_ attribute; got {type(obj).__name__}"
            + (" that is not fitted." if hasattr(final, "fit") else ".")
        )
    return model


def _format_for(path: Path, format: str | None) -> str:
    suffix = keras_suffix(path)
    inferred = _FORMAT_BY_SUFFIX.get(suffix)
    if format is None:
        if inferred is None:
            raise ValueError(
                f"Cannot tell the Keras format of {str(path)!r} from its extension; "
                f"use one of {sorted(_FORMAT_BY_SUFFIX)} or pass format=."
            )
        return inferred
    if format not in _SUFFIXES:
        raise ValueError(f"format must be one of {sorted(_SUFFIXES)}; got {format!r}.")
    if suffix not in _SUFFIXES[format]:
        raise ValueError(
            f"Keras needs a file name ending in {' or '.join(_SUFFIXES[format])} "
            f"for format={format!r}; got {str(path)!r}."
        )
    return format


def export_model(
    estimator: Any, path: str | os.PathLike, *, format: KerasFormat | None = None
) -> Path:
    """Write the fitted network as a plain Keras file.

    Parameters
    ----------
    estimator : fitted estimator, Pipeline or keras.Model
        Where the network is (a pipeline's last step).
    path : str or os.PathLike
        Destination; written atomically (the old file survives a crash).
    format : {"keras", "h5", "weights", "json"}, default=None
        ``"keras"``: the native ``.keras`` zip (architecture, weights,
        optimizer state). ``"h5"``: the legacy HDF5 file of the book
        (``.h5``/``.hdf5``). ``"weights"``: weights only (``.weights.h5``).
        ``"json"``: the architecture only, as JSON (the book's YAML is gone
        from Keras). None infers it from the extension.

    Returns
    -------
    Path
        The written file.

    See Also
    --------
    load_keras_model : Load ``.keras``, ``.h5`` and ``.json`` files.
    sklearn_dl.save : Save the whole estimator or pipeline instead.
    """
    path = Path(path)
    model = network_of(estimator)
    chosen = _format_for(path, format)
    with atomic_path(path) as temporary:
        if chosen == "json":
            temporary.write_text(model.to_json(), encoding="utf-8")
        elif chosen == "weights":
            model.save_weights(temporary)
        else:
            try:
                import_keras().saving.save_model(model, temporary)
            finally:
                restore_optimizer_config(model)
    return path


def restore_optimizer_config(model: Any) -> None:
    """Undo Keras's legacy ``.h5`` saver dropping the model's optimizer config.

    Keras 3's ``.h5`` writer pops ``"optimizer"`` from the model's own compile
    configuration, so a later ``.keras`` save of the same model records no
    optimizer and loads with a default one, losing the optimizer state.

    Parameters
    ----------
    model : keras.Model
        A model, possibly saved to ``.h5`` before (by anyone).
    """
    config = getattr(getattr(model, "_compile_config", None), "config", None)
    optimizer = getattr(model, "optimizer", None)
    if isinstance(config, dict) and "optimizer" not in config and optimizer is not None:
        config["optimizer"] = optimizer


def load_keras_model(path: str | os.PathLike, *, compile: bool = True) -> Any:
    """Load a Keras network from a ``.keras``, legacy ``.h5`` or ``.json`` file.

    Loading is done in Keras's safe mode (no lambda layers). A legacy ``.h5``
    file whose training configuration Keras 3 cannot read back (the book's
    files, compiled with string losses such as ``"mse"``, fail with "Could
    not deserialize 'keras.metrics.mse'") is loaded uncompiled and compiled
    again from that configuration, with the saved optimizer state when it
    fits.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Weights-only files (``.weights.h5``) need a model to pour
        into: build it and call ``model.load_weights(path)``.
    compile : bool, default=True
        Compile the model as it was saved. A ``.json`` architecture has no
        trained weights (they are freshly initialized) and is compiled when
        it holds a compile configuration.

    Returns
    -------
    keras.Model
        The network.
    """
    keras = import_keras()
    path = Path(path)
    suffix = keras_suffix(path)
    if suffix == ".weights.h5":
        raise ValueError(
            f"{str(path)!r} holds weights only: build the same network and call "
            "model.load_weights(path) (or estimator.model_.load_weights(path))."
        )
    if suffix == ".json":
        return keras.models.model_from_json(path.read_text(encoding="utf-8"))
    if suffix in (".h5", ".hdf5"):
        return _load_legacy_h5(path, compile=compile)
    return keras.saving.load_model(path, compile=compile, safe_mode=True)


def _load_legacy_h5(path: Path, *, compile: bool) -> Any:
    import h5py

    keras = import_keras()
    with h5py.File(path, "r") as file:
        if "sklearn_dl_format" in file.attrs:
            raise ValueError(
                f"{str(path)!r} was written by sklearn_dl.save: use sklearn_dl.load."
            )
        if "model_config" not in file.attrs:
            raise ValueError(
                f"{str(path)!r} holds no model configuration (a weights-only "
                "file?): build the network and call model.load_weights(path)."
            )
        training_config = file.attrs.get("training_config")
        optimizer_weights = _read_optimizer_weights(file)
    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    if not compile or training_config is None:
        return model
    if isinstance(training_config, bytes):
        training_config = training_config.decode("utf-8")
    config = json.loads(training_config)
    model.compile(
        optimizer=_optimizer_from_config(config.get("optimizer_config")),
        loss=_from_config(config.get("loss"), keras.losses.deserialize),
        metrics=_from_config(config.get("metrics"), keras.metrics.deserialize),
        weighted_metrics=_from_config(
            config.get("weighted_metrics"), keras.metrics.deserialize
        ),
        loss_weights=config.get("loss_weights"),
    )
    if optimizer_weights:
        _restore_optimizer(model, optimizer_weights, path)
    return model


def _from_config(value: Any, deserialize: Any) -> Any:
    """Strings stay strings (compile understands them); configs are deserialized."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_from_config(item, deserialize) for item in value]
    if isinstance(value, dict) and "class_name" in value:
        if value.get("class_name") == "function" and isinstance(
            value.get("config"), str
        ):
            return value["config"]
        return deserialize(value)
    if isinstance(value, dict):
        return {key: _from_config(item, deserialize) for key, item in value.items()}
    return value


def _optimizer_from_config(config: Any) -> Any:
    keras = import_keras()
    if config is None:
        return "rmsprop"
    try:
        return keras.optimizers.deserialize(config)
    except (TypeError, ValueError):
        # Options Keras 3 dropped (the book's ``decay``): keep the class and rate.
        name = str(config.get("class_name", "rmsprop")).lower()
        learning_rate = config.get("config", {}).get("learning_rate")
        optimizer = keras.optimizers.get(name)
        if isinstance(learning_rate, (int, float)):
            optimizer.learning_rate = learning_rate
        warnings.warn(
            f"The saved optimizer configuration could not be read by this Keras; "
            f"using {type(optimizer).__name__} with its learning rate only.",
            UserWarning,
            stacklevel=4,
        )
        return optimizer


def _read_optimizer_weights(file: h5py.File) -> list[np.ndarray]:
    group = file.get("optimizer_weights")
    if group is None:
        return []
    names = group.attrs.get("weight_names", [])
    return [np.asarray(group[_text(name)]) for name in names]


def _text(name: Any) -> str:
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _restore_optimizer(model: Any, values: list[np.ndarray], path: Path) -> None:
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    if [tuple(v.shape) for v in optimizer.variables] != [v.shape for v in values]:
        warnings.warn(
            f"The optimizer state in {str(path)!r} does not match this optimizer; "
            "training continues from a fresh optimizer state.",
            UserWarning,
            stacklevel=4,
        )
        return
    for variable, value in zip(optimizer.variables, values, strict=True):
        variable.assign(value)


__all__ = ["export_model", "load_keras_model", "network_of"]
