"""Devices: how many GPUs there are, placing fits on one, where weights live.

Several joblib workers on one machine with several GPUs would all land on
GPU 0 (and run out of its memory) unless each takes its own. Each process
claims, once, the GPU with the fewest live claims, by writing a small file in
a folder shared by the processes of the machine; claims of processes that
have exited do not count. The choice itself is a plain function
(:func:`least_claimed`), tested without a GPU.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from numbers import Integral
from pathlib import Path
from typing import Any

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl._backend.keras import import_keras
from sklearn_dl._backend.runtime import require_backend_support


def gpu_count() -> int:
    """Number of GPUs the configured backend sees.

    Returns
    -------
    int
        0 on machines (or backends) without a usable GPU.
    """
    backend = configured_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        try:
            return len(jax.devices("gpu"))
        except RuntimeError:  # no GPU platform installed
            return 0
    if backend == "torch":
        import torch

        return torch.cuda.device_count()
    return 0


@contextlib.contextmanager
def device_scope(device: str | None) -> Iterator[None]:
    """Place the models built and trained in the block on ``device``.

    Parameters
    ----------
    device : str or None
        A Keras device name such as ``"cpu:0"`` or ``"gpu:1"``; None leaves
        placement to the backend.

    Yields
    ------
    None
        Control returns to the enclosed block.
    """
    if device is None:
        yield
        return
    if configured_backend() == "torch":
        # Keras's PyTorch trainer moves every batch to the default device.
        if device != _torch_default_device():
            require_backend_support("fits on a device other than the default")
        yield
        return
    with import_keras().device(device):
        yield


def _torch_default_device() -> str:
    """The device Keras's PyTorch backend computes on: the first GPU, or the CPU."""
    return "gpu:0" if gpu_count() > 0 else "cpu:0"


def variable_device(variable: Any) -> str:
    """Where a Keras variable's value lives, as ``"<kind>:<index>"``.

    Parameters
    ----------
    variable : keras.Variable
        A model weight, on any backend.

    Returns
    -------
    str
        For example ``"cpu:0"`` or ``"gpu:1"`` (CUDA devices are ``gpu``).
    """
    value = variable.value
    backend = configured_backend()
    if backend == "jax":
        (device,) = value.devices()
        kind, index = device.platform, device.id
    elif backend == "torch":
        kind, index = value.device.type, value.device.index or 0
    else:  # TensorFlow names devices like /job:localhost/.../device:GPU:0
        match = re.search(r"device:([A-Za-z]+):(\d+)$", str(value.device))
        if match is None:
            return str(value.device).lower()
        kind, index = match.group(1), int(match.group(2))
    kind = "gpu" if kind.lower() in ("gpu", "cuda") else kind.lower()
    return f"{kind}:{index}"


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
