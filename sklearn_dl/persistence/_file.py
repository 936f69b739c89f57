"""``save`` and ``load``: a whole fitted pipeline in one HDF5 file."""

from __future__ import annotations

import json
import os
import platform
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import sklearn

from sklearn_dl.exceptions import DamagedFileError, UntrustedTypeError, _printable
from sklearn_dl.persistence._atomic import atomic_path
from sklearn_dl.persistence._codec import Decoder, Encoder
from sklearn_dl.persistence._hdf5 import HDF5_ERRORS, CheckedHDF5
from sklearn_dl.persistence._limits import DEFAULT_MAX_BYTES, Budget, parse_json
from sklearn_dl.persistence._trust import TrustPolicy

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


@contextmanager
def _checked_file(path: str | os.PathLike, max_bytes: int) -> Iterator[CheckedHDF5]:
    """Open a file from :func:`save` and check all of it before reading data.

    The HDF5 handle is closed on every way out, errors included.
    """
    import h5py

    shown = str(path)
    budget = Budget(shown, max_bytes)
    try:
        file = h5py.File(path, "r")
    except FileNotFoundError:
        raise
    except OSError as error:
        raise DamagedFileError(
            shown, f"it is not a file written by sklearn_dl.save ({error})."
        ) from None
    with file:
        try:
            names = set(file.attrs)
        except HDF5_ERRORS as error:
            raise DamagedFileError(
                shown, f"its attributes cannot be read ({error})."
            ) from None
        if FORMAT_ATTRIBUTE not in names:
            hint = (
                " It looks like a Keras file: use "
                "sklearn_dl.persistence.load_keras_model."
                if "model_config" in names or "layer_names" in names
                else ""
            )
            raise DamagedFileError(
                shown, f"it is not a file written by sklearn_dl.save.{hint}"
            )
        checked = CheckedHDF5(file, shown, budget)
        version = checked.attribute(FORMAT_ATTRIBUTE)
        if isinstance(version, np.ndarray) and version.shape == ():
            version = version[()]
        if not isinstance(version, (int, np.integer)) or isinstance(
            version, (bool, np.bool_)
        ):
            raise DamagedFileError(
                shown, f"its format version {version!r} is not a number."
            )
        if version > FORMAT_VERSION:
            raise ValueError(
                f"{shown!r} uses sklearn_dl file format {int(version)}; this version "
                f"reads format {FORMAT_VERSION} and older. Upgrade sklearn_dl."
            )
        if version < 1:
            raise DamagedFileError(
                shown, f"its format version {int(version)} is invalid."
            )
        yield checked


def _json_attribute(checked: CheckedHDF5, name: str) -> dict[str, Any]:
    """A JSON object stored as a root attribute ({} when absent)."""
    raw = checked.attribute(name)
    if raw is None:
        return {}
    value = parse_json(raw, checked.path, f"the {name!r} attribute")
    if not isinstance(value, dict):
        raise DamagedFileError(
            checked.path, f"the {name!r} attribute is not an object."
        )
    return value


def _manifest(checked: CheckedHDF5) -> Any:
    return parse_json(
        checked.read("/manifest", text=True), checked.path, "the manifest"
    )


def read_metadata(
    path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any]:
    """The metadata stored beside the object (empty for :func:`save` files).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save` or a checkpoint.
    max_bytes : int, default=4 GiB
        The most data the file may declare (see :func:`load`).

    Returns
    -------
    dict
        The stored JSON metadata.

    Raises
    ------
    DamagedFileError
        If the file is damaged or not written by :func:`save`.
    """
    with _checked_file(path, max_bytes) as checked:
        return _json_attribute(checked, "metadata")


def untrusted_types(
    path: str | os.PathLike,
    *,
    trusted: Iterable[Any] | None = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[str]:
    """List the names in a file that :func:`load` will not rebuild as they are.

    Use it to audit a file before trusting anything it names. It checks the
    whole file as :func:`load` does but builds nothing, and imports nothing
    the file names (only names given in ``trusted``).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    trusted : iterable of (class, function or str), default=()
        Names already trusted (as for :func:`load`).
    max_bytes : int, default=4 GiB
        The most data the file may declare (see :func:`load`).

    Returns
    -------
    list of str
        Untrusted ``"module:qualified.name"`` entries: those that make
        :func:`load` fail (including classes and functions named inside
        embedded Keras networks and objects), then builders of sklearn_dl
        networks, which load as
        :class:`~sklearn_dl.persistence.UntrustedReference`.

    Raises
    ------
    DamagedFileError
        If the file is damaged or hostile in a way that is not about names.
    """
    with _checked_file(path, max_bytes) as checked:
        decoder = Decoder(checked, TrustPolicy(trusted))
        refused, referenced = decoder.check(_manifest(checked))
    return refused + [name for name in referenced if name not in refused]


def load(
    path: str | os.PathLike,
    *,
    trusted: Iterable[Any] | None = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """Load what :func:`save` wrote, without running code from the file.

    Safe for files from strangers: nothing is unpickled, nothing from the
    file is evaluated or imported, no other file is read, and the memory a
    file can make loading use is bounded. The file names the classes and
    functions to rebuild as text; only names on an explicit allow-list are
    rebuilt: sklearn_dl's classes, scikit-learn's estimators, splitters and
    scorers, NumPy scalar types, Keras's optimizers, losses, metrics,
    layers, initializers, regularizers, constraints and the callbacks that
    touch no files (as classes or configurations), Keras's loss, metric and
    activation functions and scikit-learn's metric functions. Anything else
    must be listed in ``trusted``. Objects are rebuilt from their saved
    attributes, without calling their constructors. Keras networks are
    loaded by Keras with ``safe_mode=True`` after their configuration was
    checked against the same allow-list. One exception: a fitted sklearn_dl
    network never uses its parameters' callables again (the ``model=``
    builder, a custom loss, a callback object), so an untrusted one loads as
    an :class:`~sklearn_dl.persistence.UntrustedReference` that raises if the
    estimator is fitted again. See the user guide's threat model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    trusted : iterable of (class, function or str), default=()
        Further classes and functions to rebuild: the objects themselves or
        their exact names (``"package.module.name"``); a name is imported
        and must be the object's own module and qualified name. Trusting a
        class explicitly also lets it keep a ``memory=`` cache folder or
        ``input="filename"`` setting, which are refused otherwise.
    max_bytes : int, default=4 GiB
        The most data the file may declare, in bytes, in total (arrays,
        embedded networks, text). Checked against what the file declares
        before anything is read.

    Returns
    -------
    object
        The saved object; estimators are fitted as they were when saved.

    Raises
    ------
    UntrustedTypeError
        If the file names classes or functions that are not trusted; the
        message lists all of them (see also :func:`untrusted_types`).
    DamagedFileError
        If the file was not written by :func:`save`, is damaged, exceeds
        ``max_bytes``, or uses storage that could read other files (HDF5
        external storage or links). A ``ValueError``.
    ValueError
        If the file uses a newer format than this version reads.

    See Also
    --------
    save : Write the file.
    untrusted_types : Audit a file first.
    """
    policy = TrustPolicy(trusted)
    with _checked_file(path, max_bytes) as checked:
        stored = _json_attribute(checked, "versions")
        decoder = Decoder(checked, policy)
        manifest = _manifest(checked)
        refused, _ = decoder.check(manifest)
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
        and isinstance(saved, str)
        and saved
        and saved.split(".")[0] != keras.__version__.split(".")[0]
    ):
        warnings.warn(
            f"{str(path)!r} was saved with Keras {_printable(saved)}; this is Keras "
            f"{keras.__version__}. Check the loaded model's predictions.",
            UserWarning,
            stacklevel=3,
        )


__all__ = ["load", "read_metadata", "save", "save_file", "untrusted_types"]
