"""The private scikit-learn helpers sklearn_dl uses, in one place.

scikit-learn's parameter-validation vocabulary (``Interval``, ``StrOptions``,
``HasMethods``, ``Options``, ``validate_params``) is the de-facto standard for
``_parameter_constraints`` in third-party estimators but lives in a private
module; so do ``InvalidParameterError`` (what a failed validation raises;
the tests catch it by type) and ``_check_feature_names_in``. Importing them
only here keeps the dependency visible and one file to adapt if
scikit-learn moves them.
Checked with scikit-learn 1.6 to 1.9.
"""

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_feature_names_in

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_feature_names_in",
    "validate_params",
]
