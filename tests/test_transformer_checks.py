"""scikit-learn's common estimator checks on the preprocessing transformers.

Every check runs on each transformer's default configuration, and on other
configurations, with no expected failures and nothing skipped.
"""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl.preprocessing import ImageReshaper, PixelScaler, WindowMaker
from sklearn_dl.utils.transformers import (
    ClassifierLabelEncoder,
    RegressorTargetEncoder,
    TargetReshaper,
)


@pytest.fixture(autouse=True)
def _array_api_check_runs(monkeypatch):
    # The array-API check (NumPy namespace only, as these transformers do not
    # declare array-API support) skips itself unless this variable is set. It
    # is read when the check runs; SciPy's import-time use of it does not
    # matter here because the transformers call no SciPy.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")


@parametrize_with_checks([PixelScaler(), ImageReshaper(), WindowMaker()])
def test_default_configurations_pass_every_check(estimator, check):
    check(estimator)


@parametrize_with_checks(
    [
        ClassifierLabelEncoder(),
        ClassifierLabelEncoder(loss="categorical_crossentropy"),
        RegressorTargetEncoder(),
        TargetReshaper(),
    ]
)
def test_target_encoders_pass_every_check(estimator, check):
    check(estimator)


@parametrize_with_checks(
    [
        PixelScaler(input_range=(0, 16), output_range=(-1, 1), clip=True),
        ImageReshaper(flatten=True),
        ImageReshaper(data_format="channels_first"),
    ]
)
def test_other_configurations(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "window_maker",
    [WindowMaker(window_size=3, stride=2), WindowMaker(window_size=4, padding="zero")],
)
def test_longer_windows_depend_on_the_rows_before_them(window_maker):
    # scikit-learn's subset- and order-invariance checks assume a row-wise
    # transform; a window of several rows holds the rows before it by design,
    # so these configurations are tested for that behaviour instead.
    series = np.arange(20, dtype=float).reshape(10, 2)
    whole = window_maker.fit_transform(series)
    np.testing.assert_array_equal(whole[-1, -1], series[-1])
    np.testing.assert_array_equal(whole[-1, -2], series[-1 - window_maker.stride])
    alone = window_maker.transform(series[-1:])
    assert not np.array_equal(alone[0], whole[-1])
    shuffled = window_maker.transform(series[::-1])
    assert not np.array_equal(shuffled[::-1], whole)
