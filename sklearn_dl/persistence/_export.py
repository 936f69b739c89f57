"""Deployment export of a fitted network: TensorFlow SavedModel or ONNX.

:func:`export_network` hands the trained Keras model to Keras's own
``Model.export`` (SavedModel, served by TensorFlow Serving or TFLite
converters; ONNX, run by ONNX Runtime where ``onnx``, ``onnxruntime`` and,
on TensorFlow, ``tf2onnx`` are installed). The exported graph is the
network only: it takes float32 samples shaped like the training samples
and returns the network's raw outputs. What the estimator does around it —
the ``Pipeline`` steps before it, the mapping from output units to
``classes_`` — does not travel in the graph; it is written next to it, as
JSON, so the serving side knows what to apply.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._backend.environment import configured_backend

__all__ = ["EXPORT_FORMATS", "export_network"]

#: Formats :func:`export_network` writes.
EXPORT_FORMATS = ("tf_saved_model", "onnx")

#: Name of the JSON description written with an export.
DESCRIPTION_SUFFIX = ".sklearn_dl.json"


def _split(estimator: Any) -> tuple[Any, list[str]]:
    """The network, and the steps of a pipeline that come before it."""
    if isinstance(estimator, Pipeline):
        *before, (_, network) = estimator.steps
        steps = [f"{name}: {step!r}" for name, step in before if step != "passthrough"]
        return network, steps
    return estimator, []


def _jsonable(values: Any) -> list:
    """Labels as JSON values (numbers and strings; anything else as str)."""
    items = []
    for value in values:
        value = value.item() if hasattr(value, "item") else value
        items.append(
            value if isinstance(value, (int, float, str, bool)) else str(value)
        )
    return items


def export_network(
    estimator: Any, path: str | os.PathLike, *, format: str = "tf_saved_model"
) -> dict[str, Any]:
    """Export a fitted network (or a pipeline's final network) for serving.

    Parameters
    ----------
    estimator : sklearn_dl network or Pipeline
        A fitted sklearn_dl network, or a fitted ``Pipeline`` whose last
        step is one (the earlier steps are listed in the description, not
        exported: apply them before calling the exported model).
    path : str or os.PathLike
        Where to write: a directory for ``"tf_saved_model"``, a file (e.g.
        ``model.onnx``) for ``"onnx"``.
    format : {"tf_saved_model", "onnx"}, default="tf_saved_model"
        The export format, passed to Keras's ``Model.export``. ONNX needs
        ``onnx`` (and, on the TensorFlow backend, ``tf2onnx``).

    Returns
    -------
    dict
        The description also written to ``<path>.sklearn_dl.json``:
        ``format``, ``backend``, ``input_shape`` (None for the batch axis),
        ``input_dtype``, ``outputs`` (what the output units mean),
        ``classes`` (classifiers: the label of each probability column),
        and ``preprocessing`` (the pipeline steps to apply first).

    Raises
    ------
    ValueError
        If ``format`` is unknown.
    sklearn.exceptions.NotFittedError
        If the network is not fitted.
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}; got {format!r}.")
    network, preprocessing = _split(estimator)
    check_is_fitted(network)
    model = network.model_
    path = Path(path)
    model.export(os.fspath(path), format=format, verbose=False)
    description: dict[str, Any] = {
        "format": format,
        "backend": configured_backend(),
        "input_shape": [None, *[int(d) for d in network.X_shape_[1:]]],
        "input_dtype": "float32",
        "preprocessing": preprocessing,
    }
    if hasattr(network, "classes_"):
        classes = _jsonable(network.classes_)
        n_units = int(model.outputs[0].shape[-1])
        description["classes"] = classes
        description["outputs"] = (
            f"probability of class {classes[1]!r} (one sigmoid unit; "
            f"1 - p is {classes[0]!r})"
            if n_units == 1
            else "probability of each class, in the order of `classes`"
        )
    else:
        description["outputs"] = "predicted values, one column per target"
    Path(f"{path}{DESCRIPTION_SUFFIX}").write_text(
        json.dumps(description, indent=2), encoding="utf-8"
    )
    return description
