"""Placing fits on devices: one GPU per worker process, round-robin.

Several joblib workers on one machine with several GPUs would all land on
GPU 0 (and run out of its memory) unless each takes its own. Each process
claims, once, the GPU with the fewest live claims, by writing a small file in
a folder shared by the processes of the machine; claims of processes that
have exited do not count. The choice itself is a plain function
(:func:`least_claimed`), tested without a GPU.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from numbers import Integral
from pathlib import Path

from sklearn_dl._backend import variable_device

_CLAIM = re.compile(r"^gpu(\d+)-pid(\d+)$")
_lock = threading.Lock()
_claimed: dict[str, int] = {}


def least_claimed(n_gpus: int, claimed: Iterable[int]) -> int:
    """Index of the GPU with the fewest claims (the lowest index on ties).

    Parameters
    ----------
    n_gpus : int
        Number of GPUs, at least 1.
    claimed : iterable of int
        One GPU index per live claim.

    Returns
    -------
    int
        The GPU to take.
    """
    if n_gpus < 1:
        raise ValueError(f"There is no GPU to choose from (n_gpus={n_gpus}).")
    counts = [0] * n_gpus
    for index in claimed:
        if 0 <= index < n_gpus:
            counts[index] += 1
    return counts.index(min(counts))


def _process_alive(pid: int) -> bool:
    """Tell whether a process with this id is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_gpu(
    n_gpus: int,
    directory: str | Path | None = None,
    *,
    pid: int | None = None,
    alive: Callable[[int], bool] = _process_alive,
) -> int:
    """Claim a GPU for this process (once; later calls return the same GPU).

    Parameters
    ----------
    n_gpus : int
        Number of GPUs visible to the process.
    directory : str or path-like, default=None
        Folder holding the claims of the machine's processes; a folder in
        the system's temporary directory when None.
    pid : int, default=None
        The claiming process (this one when None).
    alive : callable, default=_process_alive
        Tells whether a process id is running (claims of dead ones are
        removed).

    Returns
    -------
    int
        The index of the claimed GPU.
    """
    directory = Path(directory or Path(tempfile.gettempdir()) / "sklearn-dl-gpus")
    pid = os.getpid() if pid is None else pid
    key = f"{directory}:{pid}"
    with _lock:
        if key in _claimed:
            return _claimed[key]
        directory.mkdir(parents=True, exist_ok=True)
        claimed = []
        for path in directory.iterdir():
            match = _CLAIM.match(path.name)
            if not match:
                continue
            gpu, owner = int(match.group(1)), int(match.group(2))
            if owner != pid and not alive(owner):
                path.unlink(missing_ok=True)
                continue
            claimed.append(gpu)
        gpu = least_claimed(n_gpus, claimed)
        (directory / f"gpu{gpu}-pid{pid}").touch()
        _claimed[key] = gpu
        return gpu


def resolve_device(device: str | int | None, n_gpus: int) -> str | None:
    """Turn an estimator's ``device`` parameter into a Keras device name.

    Parameters
    ----------
    device : {"auto", "cpu"}, int, str or None
        ``None`` or ``"auto"``: a GPU claimed for this process round-robin
        when there are GPUs, else the backend's default; ``"cpu"``: the CPU;
        an int ``k`` or ``"gpu:k"``: that GPU.
    n_gpus : int
        Number of GPUs visible to the process.

    Returns
    -------
    str or None
        ``"cpu:0"``, ``"gpu:<k>"``, or None for the backend's default.

    Raises
    ------
    ValueError
        For an unknown name or a GPU index that does not exist.
    """
    if device is None or device == "auto":
        return f"gpu:{claim_gpu(n_gpus)}" if n_gpus > 0 else None
    if device == "cpu":
        return "cpu:0"
    if isinstance(device, str) and re.fullmatch(r"gpu:\d+", device):
        device = int(device.split(":")[1])
    if isinstance(device, Integral) and not isinstance(device, bool):
        if not 0 <= device < n_gpus:
            raise ValueError(
                f"device={device} names GPU {device}, but {n_gpus} GPU(s) are "
                "visible to this process."
            )
        return f"gpu:{int(device)}"
    raise ValueError(
        f"device must be 'auto', 'cpu', a GPU index or 'gpu:<index>'; got {device!r}."
    )


__all__ = ["claim_gpu", "least_claimed", "resolve_device", "variable_device"]
