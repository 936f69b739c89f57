"""The backend layer: everything specific to one Keras backend, in one place.

The estimator core (:mod:`sklearn_dl._core`) uses only ``keras`` and
``keras.ops``; what cannot be said that way lives here, with the JAX and
PyTorch counterparts where they exist:

- :mod:`~sklearn_dl._backend.environment`: read and set before Keras is
  imported (which backend, thread shares, start-up variables);
- :mod:`~sklearn_dl._backend.keras`: importing Keras lazily, settings that
  need it imported;
- :mod:`~sklearn_dl._backend.devices`: GPUs, placement, where weights live;
- :mod:`~sklearn_dl._backend.runtime`: per-backend limits, prediction locks
  and batch shapes;
- :mod:`~sklearn_dl._backend.fused_jax`: several models of one architecture
  trained as one vmapped JAX program (the searches' fused fits).

This layer imports nothing from the rest of sklearn_dl except
:mod:`sklearn_dl.exceptions`.
"""
