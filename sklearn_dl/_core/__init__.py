"""The estimator core: what every sklearn_dl network shares.

Layers, top to bottom (each imports only the ones below it):

- the public API (:mod:`sklearn_dl.networks`, :mod:`sklearn_dl.wrappers`,
  :mod:`sklearn_dl.persistence`, ...);
- this core:

  - :mod:`~sklearn_dl._core.estimator`: :class:`BaseKerasEstimator`, the
    scikit-learn protocol (fit, partial_fit, predict path, tags);
  - :mod:`~sklearn_dl._core.plan`: the plan a fit resolves once;
  - :mod:`~sklearn_dl._core.classifier`, :mod:`~sklearn_dl._core.regressor`
    and :mod:`~sklearn_dl._core.targets`: how targets are encoded/decoded;
  - :mod:`~sklearn_dl._core.routing`, :mod:`~sklearn_dl._core.keras_objects`:
    routed ``prefix__name`` parameters and the Keras objects built from them;
  - :mod:`~sklearn_dl._core.seeding`, :mod:`~sklearn_dl._core.model_pool`,
    :mod:`~sklearn_dl._core.sample_weight`,
    :mod:`~sklearn_dl._core.callbacks`: seeds, compiled-model reuse,
    scikit-learn's sample weights, the core's own Keras callbacks;
- the backend layer (:mod:`sklearn_dl._backend`).
"""
