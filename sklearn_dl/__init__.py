"""Deep networks as first-class scikit-learn estimators.

Keras and TensorFlow are imported lazily: importing :mod:`sklearn_dl` stays
cheap, and a network's backend is loaded only when one is built or loaded.
"""

__version__ = "0.1.0"

from sklearn_dl._core.lazy_array import LazyArray
from sklearn_dl._core.model_pool import set_model_reuse
from sklearn_dl._core.multi_io import NamedArrays
from sklearn_dl.basewrapper import BaseWrapper
from sklearn_dl.persistence import load, save
from sklearn_dl.wrappers import KerasClassifier, KerasRegressor

__all__ = [
    "BaseWrapper",
    "KerasClassifier",
    "KerasRegressor",
    "LazyArray",
    "NamedArrays",
    "__version__",
    "load",
    "save",
    "set_model_reuse",
]
