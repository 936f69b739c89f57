"""A trained network's hidden layer as features for other estimators.

:class:`NetworkFeatures` is the transfer-learning "feature extractor": it
outputs the activations of one layer of a network (by default the last
hidden layer) for each sample, so a simpler estimator can be trained on top
(``make_pipeline(NetworkFeatures(net), LogisticRegression())``). A network
that is already trained is wrapped without training it again with
:meth:`NetworkFeatures.from_fitted`, and frozen for good inside a pipeline
with :class:`sklearn.frozen.FrozenEstimator`.
"""

from __future__ import annotations

import threading
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._backend.devices import device_scope
from sklearn_dl._backend.keras import import_keras
from sklearn_dl._compat import HasMethods
from sklearn_dl._core.plan import resolve_placement
from sklearn_dl._core.predicting import predict_in_fixed_batches

__all__ = ["NetworkFeatures"]


class NetworkFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Outputs of one layer of a trained network, as features (float32).

    ``fit(X, y)`` trains a clone of ``network`` on ``(X, y)``;
    ``transform(X)`` runs ``X`` through it up to ``layer`` and returns that
    layer's outputs, one row per sample (flattened when the layer's output
    has several axes, e.g. a convolution's feature maps).

    Parameters
    ----------
    network : sklearn_dl network, default=None
        The network to train and read features from (any sklearn_dl
        estimator with ``model_``); cloned in ``fit``. None means
        ``DenseClassifier()``.
    layer : int or str, default=-2
        The layer whose outputs are the features: an index into
        ``model_.layers`` (-2 is the layer before the output layer: the
        last hidden layer, or its ``Dropout``, which passes values through
        at predict time) or a layer name.

    Attributes
    ----------
    network_ : sklearn_dl network
        The trained network.
    layer_name_ : str
        Name of the layer the features come from.
    n_features_in_ : int
        Number of features of X (as the network saw them).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X has them.

    See Also
    --------
    sklearn.frozen.FrozenEstimator : Keeps a fitted extractor from refitting.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl.networks import DenseClassifier, NetworkFeatures
    >>> X, y = load_digits(return_X_y=True)
    >>> net = DenseClassifier((16,), epochs=1, random_state=0).fit(X / 16, y)
    >>> NetworkFeatures.from_fitted(net).transform(X[:3] / 16).shape
    (3, 16)
    """

    _parameter_constraints: dict = {
        "network": [HasMethods(["fit", "predict"]), None],
        "layer": [Integral, str],
    }

    def __init__(self, network: Any = None, *, layer: int | str = -2) -> None:
        self.network = network
        self.layer = layer

    @classmethod
    def from_fitted(cls, network: Any, *, layer: int | str = -2) -> NetworkFeatures:
        """Wrap an already trained network, without training it again.

        Parameters
        ----------
        network : sklearn_dl network
            A fitted network.
        layer : int or str, default=-2
            The layer whose outputs are the features (see the class).

        Returns
        -------
        NetworkFeatures
            A fitted extractor whose ``network_`` is ``network`` itself.
        """
        check_is_fitted(network)
        features = cls(network, layer=layer)
        features._validate_params()
        features._use(network)
        return features

    def fit(self, X: ArrayLike, y: Any = None, **fit_params: Any) -> NetworkFeatures:
        """Train a clone of ``network`` on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets of the network.
        **fit_params : dict
            Passed to the network's ``fit`` (e.g. ``sample_weight``).

        Returns
        -------
        self : object
            The fitted extractor.
        """
        self._validate_params()
        if self.network is None:
            from sklearn_dl.networks._dense import DenseClassifier

            network = DenseClassifier()
        else:
            network = clone(self.network)
        self._use(network.fit(X, y, **fit_params))
        return self

    def _use(self, network: Any) -> None:
        """Take ``network`` (fitted) as the source of the features."""
        model = network.model_
        if isinstance(self.layer, str):
            layer = model.get_layer(self.layer)
        else:
            try:
                layer = model.layers[self.layer]
            except IndexError:
                raise ValueError(
                    f"layer={self.layer} is out of range: the model has "
                    f"{len(model.layers)} layers."
                ) from None
        self.network_ = network
        self.layer_name_ = layer.name
        self.n_features_in_ = network.n_features_in_
        if hasattr(network, "feature_names_in_"):
            self.feature_names_in_ = network.feature_names_in_
        else:
            self.__dict__.pop("feature_names_in_", None)
        self._n_features_out = int(np.prod(layer.output.shape[1:]))
        self._build_extractor()

    def _build_extractor(self) -> None:
        """The Keras model from the network's inputs to the layer."""
        model = self.network_.model_
        self._extractor = import_keras().Model(
            model.inputs, model.get_layer(self.layer_name_).output
        )
        self._turns = threading.Lock()  # predictions take turns where needed

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The layer's outputs for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples shaped like the network's training samples.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
            The features (float32), one row per sample.
        """
        check_is_fitted(self)
        network = self.network_
        X = network._validate_X(X)
        if X.shape[0] == 0:
            return np.empty((0, self._n_features_out), dtype=np.float32)
        # The core's predict loop: fixed-shape batches, the network's device.
        with device_scope(resolve_placement(network.device)):
            outputs = predict_in_fixed_batches(
                self._extractor, X, network._predict_batch_size(), self._turns
            )
        return outputs.reshape(X.shape[0], -1)

    def __getstate__(self) -> dict[str, Any]:
        """State for pickling: the extractor model is rebuilt on demand.

        Returns
        -------
        dict
            The attributes, without the cached extractor.
        """
        # BaseEstimator returns the live __dict__ for third-party classes.
        state = dict(super().__getstate__())
        state.pop("_extractor", None)
        state.pop("_turns", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled extractor, rebuilding its Keras model.

        Parameters
        ----------
        state : dict
            What :meth:`__getstate__` returned.
        """
        super().__setstate__(state)
        if "network_" in self.__dict__:
            self._build_extractor()

    def __sklearn_is_fitted__(self) -> bool:
        """Tell whether a network has been trained or wrapped.

        Returns
        -------
        bool
            True after ``fit`` or :meth:`from_fitted`.
        """
        return "network_" in self.__dict__

    def __sklearn_tags__(self) -> Tags:
        """Estimator tags: the network needs targets.

        Returns
        -------
        sklearn.utils.Tags
            The tags.
        """
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        # Networks compute in float32: float32 in, float32 out.
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
