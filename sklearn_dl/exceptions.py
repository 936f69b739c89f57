"""Errors raised by sklearn_dl that callers may want to catch by type.

This module imports neither Keras nor h5py, so ``except`` clauses cost nothing.
"""

from __future__ import annotations


def _printable(text: str) -> str:
    """``text`` as any log or terminal can write it.

    A damaged or crafted file's text reaches messages: bytes that are not
    UTF-8 (read back as surrogates, which cannot be encoded) and control
    characters (which could rewrite a terminal line) are shown escaped, as
    ``ascii`` writes them; other characters are kept.

    Parameters
    ----------
    text : str
        Text that may come from a file.

    Returns
    -------
    str
        The text, with every character that is not printable escaped.
    """
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


class UntrustedTypeError(ValueError):
    """A saved file names a class or function that loading will not rebuild.

    Raised by :func:`sklearn_dl.load` (and
    :func:`sklearn_dl.persistence.resume`) before anything is built, and by an
    :class:`~sklearn_dl.persistence.UntrustedReference` when something tries
    to use the builder it stands for.

    Parameters
    ----------
    message : str
        What went wrong and how to trust the names, if that is what you want.
    names : list of str, default=()
        The untrusted names, as ``"module:qualified.name"``.

    Attributes
    ----------
    names : list of str
        The untrusted names, as ``"module:qualified.name"``.
    """

    def __init__(self, message: str, names: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(_printable(message))
        self.names = list(names)


class DamagedFileError(ValueError):
    """A file given to :func:`sklearn_dl.load` is damaged or hostile.

    Raised, instead of whatever lower-level error the damage would cause
    (``KeyError``, ``RecursionError``, an HDF5 or zip error), when a file is
    truncated, malformed, exceeds a loading limit, or uses a storage feature
    that :func:`sklearn_dl.save` never writes and that could make loading read
    other files (HDF5 external storage or links). Nothing from the file has
    been rebuilt or run when it is raised. Distinct from
    :class:`UntrustedTypeError`, which means the file is well formed but names
    classes or functions you have not trusted.

    Parameters
    ----------
    path : str
        The file.
    problem : str
        What is wrong with it.

    Attributes
    ----------
    path : str
        The file.
    problem : str
        What is wrong with it.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(
            f"{path!r} is damaged or not a safe sklearn_dl file: {_printable(problem)}"
        )
        self.path = path
        self.problem = _printable(problem)

    def __reduce__(self) -> tuple:
        # Exceptions cross process boundaries (joblib, dask) by pickling.
        return (type(self), (self.path, self.problem))


class TrainingDivergedError(RuntimeError):
    """The training loss became NaN or infinite, so training was stopped.

    The estimator that raised it is left exactly as it was before the fit
    (unfitted after a first fit, or with its previous model): the network
    trained by this fit is no longer finite, and predicting with it would
    return garbage.

    Parameters
    ----------
    message : str
        Where the loss diverged and what usually helps.
    epoch : int
        The epoch (1-based, counted over warm-started fits, as Keras prints
        it) in which the loss stopped being finite.
    batch : int or None
        The batch (0-based, within that epoch); None when every batch loss
        was finite and the weights or outputs were found non-finite after
        training.
    loss : float
        The loss value reported for that batch (NaN or infinite; NaN when
        ``batch`` is None).

    Attributes
    ----------
    epoch : int
        The epoch (1-based) in which the loss stopped being finite.
    batch : int or None
        The batch (0-based, within that epoch), or None.
    loss : float
        The reported loss value.
    """

    def __init__(
        self, message: str, *, epoch: int, batch: int | None, loss: float
    ) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.loss = loss


class BackendNotSupportedError(NotImplementedError):
    """A feature does not work on the configured Keras backend.

    Raised before training starts, naming the feature, the backend, and the
    backends where it works (select one with ``KERAS_BACKEND`` before Keras
    is imported).

    Parameters
    ----------
    feature : str
        What was asked for, e.g. ``"stateful recurrent networks"``.
    backend : str
        The configured Keras backend.
    supported : tuple of str
        Backends where the feature works.
    reason : str, default=""
        Why it does not work here, when known.

    Attributes
    ----------
    feature : str
        What was asked for.
    backend : str
        The configured Keras backend.
    supported : tuple of str
        Backends where the feature works.
    """

    def __init__(
        self, feature: str, backend: str, supported: tuple[str, ...], reason: str = ""
    ) -> None:
        self.feature, self.backend, self.supported = feature, backend, supported
        message = (
            f"{feature[0].upper() + feature[1:]} are not supported on Keras's "
            f"{backend!r} backend"
            f"{': ' + reason if reason else ''}. They work on "
            f"{', '.join(repr(name) for name in supported)}: set KERAS_BACKEND "
            "before Keras is imported."
        )
        super().__init__(message)


__all__ = [
    "BackendNotSupportedError",
    "DamagedFileError",
    "TrainingDivergedError",
    "UntrustedTypeError",
]
