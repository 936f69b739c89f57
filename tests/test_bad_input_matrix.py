"""Every public estimator and transformer against the same bad inputs.

Each estimator either rejects a bad input with a clear error (type and a
message naming the problem) or, where accepting it is its documented
behaviour, behaves as documented. A fitted estimator keeps working after it
rejected bad input. The estimators are discovered at import time, so
networks added later are covered without editing this file.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import accuracy_score

from sklearn_dl import BaseWrapper, KerasClassifier, KerasRegressor
from sklearn_dl.preprocessing import ImageReshaper, PixelScaler, WindowMaker
from tests.builders import mlp

N_SAMPLES = 60
TINY = {"epochs": 1, "random_state": 0}


def _networks() -> dict[str, tuple]:
    """The ready networks that exist now, with tiny settings and input kind."""
    try:
        from sklearn_dl import networks
    except ImportError:  # pragma: no cover - package being written
        return {}
    settings = {
        "DenseClassifier": ({"hidden_layer_sizes": (4,)}, "tabular"),
        "DenseRegressor": ({"hidden_layer_sizes": (4,)}, "tabular"),
        "ConvClassifier": ({"filters": (2,), "kernel_size": 3}, "images"),
        "ConvRegressor": ({"filters": (2,), "kernel_size": 3}, "images"),
        "RecurrentClassifier": ({"units": (2,)}, "sequences"),
        "RecurrentRegressor": ({"units": (2,)}, "sequences"),
    }
    found = {}
    for name, (params, kind) in settings.items():
        cls = getattr(networks, name, None)
        if cls is not None:
            found[name] = (lambda cls=cls, params=params: cls(**params, **TINY), kind)
    for name in ("FineTunedClassifier", "FineTunedRegressor"):
        cls = getattr(networks, name)
        found[name] = (lambda cls=cls: cls(_tiny_base(), **TINY), "tabular")
    found["NetworkFeatures"] = (
        lambda: networks.NetworkFeatures(
            networks.DenseClassifier(hidden_layer_sizes=(4,), **TINY)
        ),
        "tabular",
    )
    return found


def _tiny_base():
    """A small "pretrained" model for the fine-tuning networks."""
    import keras

    return keras.Sequential(
        [keras.Input(SHAPES["tabular"]), keras.layers.Dense(4, name="features")]
    )


def _linear_outputs(meta):
    """A BaseWrapper's model: one linear unit per target column."""
    import keras

    inputs = keras.Input(meta["X_shape_"][1:])
    return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(inputs))


#: name -> (factory, input kind)
ESTIMATORS = {
    "BaseWrapper": (
        lambda: BaseWrapper(_linear_outputs, loss="mse", **TINY),
        "tabular",
    ),
    "KerasClassifier": (lambda: KerasClassifier(mlp, **TINY), "tabular"),
    "KerasRegressor": (lambda: KerasRegressor(mlp, **TINY), "tabular"),
    **_networks(),
    "PixelScaler": (PixelScaler, "pixels"),
    "ImageReshaper": (lambda: ImageReshaper(image_shape=(4, 4)), "pixels"),
    "WindowMaker": (lambda: WindowMaker(window_size=3), "series"),
}

SHAPES = {
    "tabular": (4,),
    "images": (8, 8, 1),
    "sequences": (5, 2),
    "pixels": (16,),
    "series": (2,),
}


def family(name: str) -> str:
    """``classifier``, ``regressor`` or the transformer's own name."""
    estimator = ESTIMATORS[name][0]()
    if is_classifier(estimator):
        return "classifier"
    if is_regressor(estimator):
        return "regressor"
    return name


def good_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    kind = ESTIMATORS[name][1]
    rng = np.random.RandomState(0)
    X = rng.rand(N_SAMPLES, *SHAPES[kind]).astype(np.float32)
    if kind == "pixels":
        X = np.round(X * 255)
    y = (
        np.arange(N_SAMPLES) % 3
        if family(name) == "classifier"
        else X.reshape(N_SAMPLES, -1).sum(1)
    )
    return X, y


_FITTED: dict[str, tuple] = {}


def fitted(name: str) -> tuple:
    """(estimator fitted on good data, X, y, reference output) - cached."""
    if name not in _FITTED:
        X, y = good_data(name)
        estimator = ESTIMATORS[name][0]().fit(X, y)
        _FITTED[name] = (estimator, X, y, output(estimator, X))
    return _FITTED[name]


def output(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    if hasattr(estimator, "predict"):
        return estimator.predict(X)
    return estimator.transform(X)


# ------------------------------------------------------------ bad inputs
def with_nan(X, y):
    X = np.array(X, dtype=np.float32)
    X.reshape(len(X), -1)[2, 1] = np.nan
    return X, y


def with_inf(X, y):
    X = np.array(X, dtype=np.float32)
    X.reshape(len(X), -1)[2, 1] = np.inf
    return X, y


def as_sparse(X, y):
    return sp.csr_matrix(X.reshape(len(X), -1)), y


def with_strings(X, y):
    X = np.array(X, dtype=object)
    X.reshape(len(X), -1)[0, 0] = "seven"
    return X, y


def empty(X, y):
    return X[:0], y[:0]


def one_sample(X, y):
    return X[:1], y[:1]


def wrong_shape(X, y):
    if X.ndim == 2:
        return np.hstack([X, X[:, :1]]), y
    return X[:, :, :-1], y  # one step / column fewer per sample


def mismatched_y(X, y):
    return X, y[:-1]


def one_dimensional(X, y):
    return X.reshape(len(X), -1)[:, 0], y


def nan_in_y(X, y):
    y = np.array(y, dtype=np.float64)
    y[3] = np.nan
    return X, y


REJECT = "reject"
NETWORK = {"classifier", "regressor"}
TRANSFORMERS = {"PixelScaler", "ImageReshaper", "WindowMaker"}


def passes_through(X, result):
    """Documented: the value goes through (NaN stays NaN, inf stays inf)."""
    bad = ~np.isfinite(np.asarray(X, dtype=np.float64).reshape(len(X), -1))
    assert (~np.isfinite(np.asarray(result, np.float64).reshape(len(X), -1))[bad]).all()


def works(X, result):
    assert len(result) == len(X)


#: case -> (make bad data, stages, {family: expectation}); an expectation is
#: (exception type, message regex) or a check of the documented behaviour.
CASES = {
    "nan": (
        with_nan,
        ("fit", "predict"),
        {
            **dict.fromkeys(NETWORK, (ValueError, "Input X contains NaN")),
            "PixelScaler": passes_through,
            "ImageReshaper": passes_through,
            "WindowMaker": (ValueError, "Input X contains NaN"),
        },
    ),
    "inf": (
        with_inf,
        ("fit", "predict"),
        {
            **dict.fromkeys(NETWORK, (ValueError, "Input X contains infinity")),
            "PixelScaler": (ValueError, "Input X contains infinity"),
            "ImageReshaper": passes_through,
            "WindowMaker": (ValueError, "Input X contains infinity"),
        },
    ),
    "sparse": (
        as_sparse,
        ("fit", "predict"),
        dict.fromkeys(NETWORK | TRANSFORMERS, (TypeError, "Sparse data was passed")),
    ),
    "strings": (
        with_strings,
        ("fit", "predict"),
        dict.fromkeys(NETWORK | TRANSFORMERS, (ValueError, "could not convert string")),
    ),
    "empty": (
        empty,
        ("fit", "predict"),
        dict.fromkeys(NETWORK | TRANSFORMERS, (ValueError, r"0 sample\(s\)")),
    ),
    "one_sample": (
        one_sample,
        ("fit",),
        {
            "classifier": (ValueError, "only one class is present"),
            "regressor": works,
            **dict.fromkeys(TRANSFORMERS, works),
        },
    ),
    "wrong_shape": (
        wrong_shape,
        ("predict",),
        {
            **dict.fromkeys(
                NETWORK, (ValueError, "is expecting .* features|samples of shape")
            ),
            **dict.fromkeys(TRANSFORMERS, (ValueError, "is expecting .* features")),
        },
    ),
    "mismatched_y": (
        mismatched_y,
        ("fit",),
        {
            **dict.fromkeys(NETWORK, (ValueError, "inconsistent numbers of samples")),
            **dict.fromkeys(TRANSFORMERS, works),  # y is ignored, as documented
        },
    ),
    "one_dimensional": (
        one_dimensional,
        ("fit",),
        dict.fromkeys(NETWORK | TRANSFORMERS, (ValueError, "Expected 2D array")),
    ),
    "nan_in_y": (
        nan_in_y,
        ("fit",),
        {
            **dict.fromkeys(NETWORK, (ValueError, "Input y contains NaN")),
            **dict.fromkeys(TRANSFORMERS, works),  # y is ignored
        },
    ),
}


def matrix() -> list:
    params = []
    for name in ESTIMATORS:
        kind = family(name)
        for case, (_, stages, expected) in CASES.items():
            if kind not in expected:
                continue
            for stage in stages:
                params.append(
                    pytest.param(name, case, stage, id=f"{name}-{case}-{stage}")
                )
    return params


@pytest.mark.parametrize("name, case, stage", matrix())
def test_bad_input(name, case, stage):
    make_bad, _, expectations = CASES[case]
    expectation = expectations[family(name)]
    estimator, X, y, reference = fitted(name)
    X_bad, y_bad = make_bad(X, y)
    if stage == "fit":
        target = ESTIMATORS[name][0]()

        def act():
            return output(target.fit(X_bad, y_bad), X_bad)
    else:
        target = estimator

        def act():
            return output(estimator, X_bad)

    if isinstance(expectation, tuple):
        error, message = expectation
        with pytest.raises(error, match=message):
            act()
    else:
        expectation(X_bad, act())
    # A fitted estimator still works, unchanged, after rejecting bad input.
    np.testing.assert_array_equal(output(estimator, X), reference)
    if stage == "fit" and isinstance(expectation, tuple):
        assert not hasattr(target, "model_")  # nothing half-fitted


CLASSIFIERS = [name for name in ESTIMATORS if family(name) == "classifier"]


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_unseen_labels_count_as_errors_at_score(name):
    """As scikit-learn's classifiers: a label never seen cannot be predicted."""
    estimator, X, y, _ = fitted(name)
    y_unseen = np.array(y, copy=True)
    y_unseen[:10] = 99
    score = estimator.score(X, y_unseen)
    assert score == accuracy_score(y_unseen, estimator.predict(X))
    assert score <= 1 - 10 / len(y)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_unseen_labels_in_a_warm_start_fit_are_rejected(name):
    _, X, y, _ = fitted(name)
    estimator = clone(ESTIMATORS[name][0]()).set_params(warm_start=True).fit(X, y)
    y_unseen = np.array(y, copy=True)
    y_unseen[0] = 99
    with pytest.raises(ValueError, match=r"labels not seen in the first fit: \[99\]"):
        estimator.fit(X, y_unseen)
    assert estimator.predict(X).shape == (len(X),)


#: Public estimators outside this numeric matrix, and why.
NOT_NUMERIC = {
    "TextGenerator": "takes raw text (strings), not numeric arrays",
    "TextVocabulary": "takes raw text (strings), not numeric arrays",
    "PerBatchTransformer": "a wrapper: its input checks are the wrapped "
    "transformer's (tests/test_out_of_core.py)",
}


def test_the_matrix_covers_every_public_estimator():
    import importlib

    from sklearn.base import BaseEstimator

    public = set()
    for package in ("sklearn_dl", "sklearn_dl.preprocessing", "sklearn_dl.networks"):
        try:
            module = importlib.import_module(package)
        except ImportError:  # pragma: no cover - package being written
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, BaseEstimator):
                public.add(name)
    missing = public - set(ESTIMATORS) - set(NOT_NUMERIC)
    assert not missing, f"add {sorted(missing)} to the bad input matrix"
