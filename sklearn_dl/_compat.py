"""The private scikit-learn helpers sklearn_dl uses, in one place.

scikit-learn's parameter-validation vocabulary (``Interval``, ``StrOptions``,
``HasMethods``, ``Options``, ``validate_params``) is the de-facto standard for
``_parameter_constraints`` in third-party estimators but lives in a private
module; so do ``InvalidParameterError`` (what a failed validation raises;
the tests catch it by type) and ``_check_feature_names_in``. Importing them
only here keeps the dependency visible and one file to adapt if
scikit-learn moves them.
Checked with scikit-learn 1.6 to 1.9.

The search internals that :mod:`sklearn_dl.model_selection`'s warm
successive halving reuses (those ``BaseSearchCV.fit`` uses:
``_fit_and_score`` and its failure helpers, ``_check_method_params``,
``_MultimetricScorer``; the fused search also ``_score`` and
``_safe_split``) and scikit-learn's halving classes are imported here
too; the halving module is imported directly, not
through ``sklearn.experimental.enable_halving_search_cv``, which would add
names to ``sklearn.model_selection`` for the whole process. Checked with
scikit-learn 1.9.
"""

from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search_successive_halving import (
    HalvingGridSearchCV as SklearnHalvingGridSearchCV,
)
from sklearn.model_selection._search_successive_halving import (
    HalvingRandomSearchCV as SklearnHalvingRandomSearchCV,
)
from sklearn.model_selection._validation import (
    _fit_and_score,
    _insert_error_scores,
    _score,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_feature_names_in, _check_method_params

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "SklearnHalvingGridSearchCV",
    "SklearnHalvingRandomSearchCV",
    "StrOptions",
    "_MultimetricScorer",
    "_check_feature_names_in",
    "_check_method_params",
    "_fit_and_score",
    "_insert_error_scores",
    "_safe_split",
    "_score",
    "_warn_or_raise_about_fit_failures",
    "validate_params",
]
