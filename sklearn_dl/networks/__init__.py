"""Ready-made networks with explicit, grid-searchable parameters.

Each estimator only says how to build its Keras model from its parameters;
fitting, validation, seeding and predicting come from the estimator core.
Importing this package does not import Keras.

- :class:`DenseClassifier`, :class:`DenseRegressor`: fully-connected networks
  (the book's dense MNIST networks).
- :class:`ConvClassifier`, :class:`ConvRegressor`: convolutional networks for
  images, including the book's seven MNIST architectures by name.
- :func:`conv_architecture_params`: the parameters of those architectures.
- :class:`RecurrentClassifier`, :class:`RecurrentRegressor`: stacked LSTM,
  GRU or simple RNNs on sequences, stateful or not, with a TimeDistributed
  head for sequence targets.
- :class:`FineTunedClassifier`, :class:`FineTunedRegressor`: a pretrained
  Keras model (object or ``.keras`` file) with a new head, trained with
  frozen layers and then fine-tuned at a lower learning rate.
- :class:`NetworkFeatures`: a trained network's hidden layer as features
  for another estimator (a feature extractor).
- :class:`TextGenerator`: character- or word-level LSTM text generation,
  with temperature sampling and held-out log-likelihood as its score.
"""

from sklearn_dl.networks._architectures import (
    CONV_ARCHITECTURES,
    conv_architecture_params,
)
from sklearn_dl.networks._conv import ConvClassifier, ConvRegressor
from sklearn_dl.networks._dense import DenseClassifier, DenseRegressor
from sklearn_dl.networks._features import NetworkFeatures
from sklearn_dl.networks._finetune import FineTunedClassifier, FineTunedRegressor
from sklearn_dl.networks._recurrent import RecurrentClassifier, RecurrentRegressor
from sklearn_dl.networks._text import TextGenerator, sample_with_temperature

__all__ = [
    "CONV_ARCHITECTURES",
    "ConvClassifier",
    "ConvRegressor",
    "DenseClassifier",
    "DenseRegressor",
    "FineTunedClassifier",
    "FineTunedRegressor",
    "NetworkFeatures",
    "RecurrentClassifier",
    "RecurrentRegressor",
    "TextGenerator",
    "TextSampleCallback",
    "conv_architecture_params",
    "sample_with_temperature",
]


def __getattr__(name: str):
    """Create ``TextSampleCallback`` on first use (it subclasses a Keras class)."""
    if name == "TextSampleCallback":
        from sklearn_dl.networks import _text

        return _text.TextSampleCallback
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
