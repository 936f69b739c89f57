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
"""

from sklearn_dl.networks._architectures import (
    CONV_ARCHITECTURES,
    conv_architecture_params,
)
from sklearn_dl.networks._conv import ConvClassifier, ConvRegressor
from sklearn_dl.networks._dense import DenseClassifier, DenseRegressor
from sklearn_dl.networks._recurrent import RecurrentClassifier, RecurrentRegressor

__all__ = [
    "CONV_ARCHITECTURES",
    "ConvClassifier",
    "ConvRegressor",
    "DenseClassifier",
    "DenseRegressor",
    "RecurrentClassifier",
    "RecurrentRegressor",
    "conv_architecture_params",
]
