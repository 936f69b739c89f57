"""Placing fits on devices: one GPU per worker process, round-robin.

Several joblib workers on one machine with several GPUs would all land on
GPU 0 (and run out of its memory) unless each takes its own. Each process
claims, once, the GPU with the fewest live claims, by writing a small file in
a folder shared by the processes of the machine; claims of processes that
have exited do not count. The choice itself is a plain function
(:func:`least_claimed`), tested without a GPU. The functions live in the
backend layer (:mod:`sklearn_dl._backend.devices`); this is their public home.
"""

from __future__ import annotations

from sklearn_dl._backend.devices import (
    claim_gpu,
    least_claimed,
    resolve_device,
    variable_device,
)

__all__ = ["claim_gpu", "least_claimed", "resolve_device", "variable_device"]
