"""Saving and loading fitted estimators and whole pipelines, safely.

- :func:`save` / :func:`load`: a fitted estimator or a whole
  :class:`~sklearn.pipeline.Pipeline` (scalers, reshapers, window makers,
  networks) in one HDF5 file. Loading is safe on files from strangers: it
  never unpickles, imports nothing the file names, rebuilds only names on an
  exact allow-list, reads no other file and bounds memory (see :func:`load`);
  :func:`untrusted_types` audits a file. Damaged or hostile files raise
  :class:`~sklearn_dl.exceptions.DamagedFileError`.
- :func:`export_model` / :func:`load_keras_model`: the network alone in
  Keras's formats: ``.keras``, the book's legacy ``.h5``, weights only
  (``.weights.h5``) and the architecture as JSON.
- :func:`export_network`: the network for serving, as a TensorFlow
  SavedModel or ONNX, with a JSON description of what must travel with it.
- :func:`resume` / :func:`latest_checkpoint`: continue an interrupted fit
  from the checkpoints of :class:`sklearn_dl.callbacks.Checkpoint`.

Every file is written atomically: a crash while saving leaves the previous
file intact.
"""

from sklearn_dl.exceptions import DamagedFileError, UntrustedTypeError
from sklearn_dl.persistence._export import export_network
from sklearn_dl.persistence._file import load, save, untrusted_types
from sklearn_dl.persistence._keras_formats import export_model, load_keras_model
from sklearn_dl.persistence._resume import latest_checkpoint, resume
from sklearn_dl.persistence._trust import UntrustedReference

__all__ = [
    "DamagedFileError",
    "UntrustedReference",
    "UntrustedTypeError",
    "export_model",
    "export_network",
    "latest_checkpoint",
    "load",
    "load_keras_model",
    "resume",
    "save",
    "untrusted_types",
]
