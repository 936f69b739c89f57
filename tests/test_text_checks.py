"""scikit-learn's conformance checks for TextGenerator, a text estimator.

``TextGenerator`` takes a 1-D list of strings, so its tags say
``input_tags.string=True`` and ``input_tags.two_d_array=False``. For such
estimators scikit-learn 1.9's ``parametrize_with_checks`` yields only
``check_estimator_cloneable``: every other common check feeds 2-D numeric
arrays and is skipped for estimators without the ``two_d_array`` tag
(``_yield_all_checks`` returns early). So this file

1. runs what ``parametrize_with_checks`` yields, and asserts which checks
   that is (so a scikit-learn upgrade that adds checks is noticed);
2. runs directly every API check of scikit-learn that needs no numeric data;
3. runs text versions of the checks that fit numeric data (fit returns
   self, does not change parameters, is idempotent, no public attribute
   changes outside fit, y accepted and ignored, empty and object input,
   pipelines, pickling).

No check is expected to fail and none is skipped.
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import SkipTestWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_estimators_unfitted,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
    parametrize_with_checks,
)
from sklearn.utils.validation import check_is_fitted

from sklearn_dl.datasets import load_text_corpus
from sklearn_dl.networks._text import TextGenerator

TEXTS = [load_text_corpus()[start : start + 800] for start in range(0, 2400, 800)]
TINY = {"window_length": 5, "step": 4, "units": (8,), "epochs": 1, "random_state": 0}
ESTIMATOR = TextGenerator(**TINY)


def _checks_for_text_estimators():
    """``parametrize_with_checks``, without its warning that it skips the rest."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)
        return parametrize_with_checks([ESTIMATOR])


@_checks_for_text_estimators()
def test_sklearn_conformance(estimator, check):
    check(estimator)


def test_the_checks_scikit_learn_yields_for_a_text_estimator():
    names = [check.func.__name__ for _, check in _checks_for_text_estimators().args[1]]
    assert names == ["check_estimator_cloneable"]


def test_tags_say_strings_in_one_dimension_and_no_target():
    tags = get_tags(ESTIMATOR)
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert not tags.input_tags.three_d_array and not tags.input_tags.sparse
    assert not tags.target_tags.required and tags.requires_fit
    assert tags.estimator_type is None


API_CHECKS = [
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_estimators_unfitted,
    check_do_not_raise_errors_in_init_or_set_params,
    check_mixin_order,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda check: check.__name__)
def test_api_checks_that_need_no_numeric_data(check):
    check("TextGenerator", clone(ESTIMATOR))


# ---------------------------------------------------- text versions of checks
@pytest.fixture(scope="module")
def fitted_pair():
    """An unfitted estimator and the result of fitting a clone of it."""
    estimator = clone(ESTIMATOR)
    params_before = joblib.hash(estimator.get_params())
    returned = estimator.fit(TEXTS, np.zeros(len(TEXTS)))  # y is ignored
    return estimator, returned, params_before


def test_fit_returns_self_and_keeps_the_parameters(fitted_pair):
    estimator, returned, params_before = fitted_pair
    assert returned is estimator
    assert joblib.hash(estimator.get_params()) == params_before
    check_is_fitted(estimator)
    public = {name for name in vars(estimator) if not name.startswith("_")}
    new = public - set(estimator.get_params())
    assert new and all(name.endswith("_") for name in new), sorted(new)


def test_generate_and_score_change_no_attribute(fitted_pair):
    estimator, _, _ = fitted_pair
    # the network is compared by its weights below; the lock and the settings
    # of the predict path are runtime objects, never saved or copied
    network = {"_model", "_model_loan", "_prediction_turns", "_prediction_setup"}
    before = joblib.hash({k: v for k, v in vars(estimator).items() if k not in network})
    weights = [w.copy() for w in estimator.model_.get_weights()]
    estimator.generate("the ", length=5, random_state=0)
    estimator.score(TEXTS[:1])
    after = joblib.hash({k: v for k, v in vars(estimator).items() if k not in network})
    assert before == after
    for old, new in zip(weights, estimator.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_fit_and_score_take_y_as_second_argument(fitted_pair):
    estimator, _, _ = fitted_pair
    assert estimator.score(TEXTS, np.zeros(len(TEXTS))) == estimator.score(TEXTS)
    for method in (estimator.fit, estimator.score):
        names = list(method.__code__.co_varnames[1:3])
        assert names == ["X", "y"]


def test_fit_is_idempotent(fitted_pair):
    estimator, _, _ = fitted_pair
    refitted = clone(estimator).fit(TEXTS).fit(TEXTS)
    assert refitted.history_ == estimator.history_
    assert refitted.score(TEXTS) == pytest.approx(estimator.score(TEXTS), abs=1e-6)


def test_array_pandas_and_object_input(fitted_pair):
    pd = pytest.importorskip("pandas")
    estimator, _, _ = fitted_pair
    expected = estimator.score(TEXTS)
    assert estimator.score(np.array(TEXTS)) == pytest.approx(expected)
    assert estimator.score(np.array(TEXTS, dtype=object)) == pytest.approx(expected)
    assert estimator.score(pd.Series(TEXTS)) == pytest.approx(expected)
    assert estimator.score(tuple(TEXTS)) == pytest.approx(expected)


def test_empty_input_gets_an_informative_error():
    with pytest.raises(ValueError, match="X holds no texts"):
        clone(ESTIMATOR).fit([])
    with pytest.raises(ValueError, match="X holds no texts"):
        clone(ESTIMATOR).fit(np.array([], dtype=str))


def test_pipeline_consistency(fitted_pair):
    estimator, _, _ = fitted_pair
    pipeline = make_pipeline(FunctionTransformer(), clone(ESTIMATOR)).fit(TEXTS)
    assert pipeline.score(TEXTS) == pytest.approx(estimator.score(TEXTS), abs=1e-6)


def test_pickle_round_trip(fitted_pair):
    estimator, _, _ = fitted_pair
    restored = pickle.loads(pickle.dumps(estimator))
    assert restored.score(TEXTS) == estimator.score(TEXTS)
    assert restored.generate(length=10, random_state=1) == estimator.generate(
        length=10, random_state=1
    )
