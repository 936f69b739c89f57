"""``save`` and ``load``: a whole fitted pipeline in one HDF5 file."""

from __future__ import annotations

import json
import os
import platform
import sys
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import sklearn

if TYPE_CHECKING:
    import h5py

from sklearn_dl.exceptions import UntrustedTypeError
from sklearn_dl.persistence._atomic import atomic_path
from sklearn_dl.persistence._codec import Decoder, Encoder
from sklearn_dl.persistence._trust import normalize_trusted

#: Marks a file as written by :func:`save`; the value is the format version.
FORMAT_ATTRIBUTE = "sklearn_dl_format"
FORMAT_VERSION = 1


def _versions() -> dict[str, str]:
    import h5py

    from sklearn_dl import __version__

    versions = {
        "sklearn_dl": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "h5py": h5py.__version__,
        "python": platform.python_version(),
    }
    if "keras" in sys.modules:
        versions["keras"] = sys.modules["keras"].__version__
    return versions


def save_file(
    obj: Any,
    path: str | os.PathLike,
    *,
    metadata: dict[str, Any] | None = None,
    state_overrides: dict[str, Any] | None = None,
) -> None:
    """Write ``obj`` to ``path`` atomically (see :func:`save`).

    Parameters
    ----------
    obj : object
        What to save.
    path : str or os.PathLike
        Destination file.
    metadata : dict, default=None
        JSON-able values stored beside the object (checkpoints record their
        epoch here); read them with :func:`read_metadata`.
    state_overrides : dict, default=None
        Attributes of ``obj`` to store with other values than ``obj`` has
        (a checkpoint stores the history so far); ``obj`` is not modified.
    """
    import h5py

    with atomic_path(path) as temporary, h5py.File(temporary, "w") as file:
        file.attrs[FORMAT_ATTRIBUTE] = FORMAT_VERSION
        file.attrs["versions"] = json.dumps(_versions())
        file.attrs["metadata"] = json.dumps(metadata or {}, allow_nan=False)
        encoder = Encoder(file.create_group("data"))
        if state_overrides:
            node = encoder.encode(obj, type(obj).__name__)
            state = node["$object"]["state"]
            for key, value in state_overrides.items():
                state[key] = encoder.encode(value, f"{type(obj).__name__}.{key}")
        else:
            node = encoder.encode(obj, type(obj).__name__)
        file.create_dataset("manifest", data=json.dumps(node, allow_nan=False))


def save(obj: Any, path: str | os.PathLike) -> None:
    """Save a fitted estimator or a whole pipeline to one file.

    The file is HDF5: the object's structure as JSON (class names,
    parameters, fitted scalars), NumPy arrays as datasets, and each Keras
    network as a ``.keras`` file stored in a dataset (with its optimizer
    state, so training can continue). The previous file at ``path``, if any,
    stays intact until the new one is complete.

    Parameters
    ----------
    obj : object
        Usually a fitted estimator or :class:`~sklearn.pipeline.Pipeline`
        (scikit-learn transformers, sklearn_dl transformers and networks,
        a search's ``best_estimator_``); plain values, lists, tuples and dicts
        of them work too.
    path : str or os.PathLike
        Destination file; its folder must exist. The conventional extension
        is ``.skdl``.

    Raises
    ------
    TypeError
        If something in ``obj`` cannot be stored safely: lambdas and local
        functions (store module-level functions), open files, objects whose
        state is not an attribute dictionary. The message says where.

    See Also
    --------
    load : Load the file again.
    sklearn_dl.persistence.export_model : Export only the Keras network.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_dl import load, save
    >>> pipe = make_pipeline(StandardScaler()).fit([[0.0], [2.0]])
    >>> path = os.path.join(tempfile.mkdtemp(), "scaler.skdl")
    >>> save(pipe, path)
    >>> load(path).transform([[4.0]])
    array([[3.]])
    """
    save_file(obj, path)


def _open(path: str | os.PathLike) -> h5py.File:
    import h5py

    try:
        file = h5py.File(path, "r")
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ValueError(
            f"{str(path)!r} is not a file written by sklearn_dl.save ({error})."
        ) from None
    if FORMAT_ATTRIBUTE not in file.attrs:
        hint = (
            " It looks like a Keras file: use sklearn_dl.persistence.load_keras_model."
            if "model_config" in file.attrs or "layer_names" in file.attrs
            else ""
        )
        file.close()
        raise ValueError(
            f"{str(path)!r} is not a file written by sklearn_dl.save.{hint}"
        )
    version = int(file.attrs[FORMAT_ATTRIBUTE])
    if version > FORMAT_VERSION:
        file.close()
        raise ValueError(
            f"{str(path)!r} uses sklearn_dl file format {version}; this version "
            f"reads format {FORMAT_VERSION} and older. Upgrade sklearn_dl."
        )
    return file


def _manifest(file: h5py.File) -> Any:
    raw = file["manifest"][()]
    return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The metadata stored beside the object (empty for :func:`save` files).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save` or a checkpoint.

    Returns
    -------
    dict
        The stored JSON metadata.
    """
    with _open(path) as file:
        return json.loads(file.attrs.get("metadata", "{}"))


def untrusted_types(
    path: str | os.PathLike, *, trusted: Iterable[Any] | None = ()
) -> list[str]:
    """List the names in a file that :func:`load` will not rebuild as they are.

    Use it to audit a file before trusting anything it names.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    trusted : iterable of (class, function or str), default=()
        Names already trusted (as for :func:`load`).

    Returns
    -------
    list of str
        Untrusted ``"module:qualified.name"`` entries: those that make
        :func:`load` fail, then builders of sklearn_dl networks, which load
        as :class:`~sklearn_dl.persistence.UntrustedReference`.
    """
    with _open(path) as file:
        decoder = Decoder(file["data"], normalize_trusted(trusted))
        refused, referenced = decoder.untrusted(_manifest(file))
    return refused + [name for name in referenced if name not in refused]


def load(path: str | os.PathLike, *, trusted: Iterable[Any] | None = ()) -> Any:
    """Load what :func:`save` wrote, without running code from the file.

    Nothing is unpickled and nothing from the file is evaluated. Classes
    named in the file are rebuilt (from their saved attributes, without
    calling their constructors) only if they are trusted: sklearn_dl's own
    classes, scikit-learn's estimators, splitters and scorers, NumPy scalar
    types and Keras's callbacks, optimizers, losses, metrics and layers are
    trusted by default; anything else must be listed in ``trusted``.
    Functions (such as a ``FunctionTransformer``'s ``func``) must be trusted
    too, except Keras's loss, metric and activation functions and
    scikit-learn's metric functions. Modules outside those libraries are not
    imported unless trusted. One exception: a fitted sklearn_dl network never
    uses its parameters' callables again (the ``model=`` builder, a custom
    loss, a callback object), so an untrusted one loads as an
    :class:`~sklearn_dl.persistence.UntrustedReference` that raises if the
    estimator is fitted again. Keras networks are loaded by Keras with
    ``safe_mode=True`` (no lambda layers; custom layers must be registered
    with ``keras.saving.register_keras_serializable``).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    trusted : iterable of (class, function or str), default=()
        Further classes and functions to rebuild: the objects themselves or
        their names (``"package.module.name"``).

    Returns
    -------
    object
        The saved object; estimators are fitted as they were when saved.

    Raises
    ------
    UntrustedTypeError
        If the file names classes or functions that are not trusted; the
        message lists all of them (see also :func:`untrusted_types`).
    ValueError
        If the file was not written by :func:`save` or is damaged.

    See Also
    --------
    save : Write the file.
    """
    trusted_names = normalize_trusted(trusted)
    with _open(path) as file:
        stored = json.loads(file.attrs.get("versions", "{}"))
        decoder = Decoder(file["data"], trusted_names)
        manifest = _manifest(file)
        refused, _ = decoder.untrusted(manifest)
        if refused:
            listing = ", ".join(repr(name) for name in refused)
            raise UntrustedTypeError(
                f"{str(path)!r} names types that are not trusted: {listing}. "
                "Loading does not rebuild them, since that could run code you "
                "did not choose. If you trust the file's author, pass them: "
                f"load(path, trusted=[{listing}]).",
                refused,
            )
        obj = decoder.build(manifest)
    _warn_versions(stored, path)
    return obj


def _warn_versions(stored: dict[str, str], path: str | os.PathLike) -> None:
    """Warn when Keras differs: a network may behave differently."""
    keras = sys.modules.get("keras")
    saved = stored.get("keras")
    if (
        keras is not None
        and saved
        and saved.split(".")[0] != keras.__version__.split(".")[0]
    ):
        warnings.warn(
            f"{str(path)!r} was saved with Keras {saved}; this is Keras "
            f"{keras.__version__}. Check the loaded model's predictions.",
            UserWarning,
            stacklevel=3,
        )


__all__ = ["load", "read_metadata", "save", "save_file", "untrusted_types"]
