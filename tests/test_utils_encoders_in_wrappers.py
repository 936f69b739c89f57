"""The target encoders as the wrappers use them: defaults, custom subclasses, meta."""

import keras
import numpy as np
import pytest
from sklearn.base import clone

from sklearn_dl import BaseWrapper, KerasClassifier, KerasRegressor
from sklearn_dl.persistence import load, save
from sklearn_dl.utils.transformers import (
    ClassifierLabelEncoder,
    RegressorTargetEncoder,
)

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3)).astype(np.float32)
LABELS = np.where(X[:, 0] > 0, "yes", "no")
TARGETS = X.sum(axis=1)


def dense(units, activation=None, outputs=1):
    def build(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        hidden = keras.layers.Dense(4, activation="relu")(inputs)
        heads = [
            keras.layers.Dense(units, activation=activation)(hidden)
            for _ in range(outputs)
        ]
        return keras.Model(inputs, heads if outputs > 1 else heads[0])

    return build


def test_default_encoders_are_fitted_and_in_meta():
    seen = {}

    def build(meta):
        seen.update(meta)
        return dense(2, "softmax")(meta)

    clf = KerasClassifier(build, epochs=1, random_state=0).fit(X, LABELS)
    assert type(clf.target_encoder_) is ClassifierLabelEncoder
    np.testing.assert_array_equal(clf.target_encoder_.classes_, clf.classes_)
    assert seen["y_ndim_"] == 1 and seen["target_encoder_"] is clf.target_encoder_
    # scikeras's meta keys, less feature_encoder_ (no feature encoder here)
    assert set(seen) == {
        "X_dtype_",
        "y_dtype_",
        "classes_",
        "target_type_",
        "n_classes_",
        "n_features_in_",
        "X_shape_",
        "n_outputs_expected_",
        "y_ndim_",
        "n_outputs_",
        "target_encoder_",
    }
    outputs = clf.model_.predict(X, verbose=0)
    np.testing.assert_array_equal(
        clf.predict(X), clf.target_encoder_.inverse_transform(outputs)
    )
    reg = KerasRegressor(dense(1), epochs=1, random_state=0).fit(X, TARGETS)
    assert type(reg.target_encoder_) is RegressorTargetEncoder
    assert reg.target_encoder_.n_outputs_ == 1 and reg.y_ndim_ == 1
    base = BaseWrapper(dense(1), loss="mse", epochs=1, random_state=0)
    assert base.fit(X, TARGETS).y_ndim_ == 1


class AlwaysOneHot(ClassifierLabelEncoder):
    """A scikeras-style custom encoder: one-hot rows whatever the loss."""

    def transform(self, X):
        return self.encode(np.asarray(X).ravel(), "onehot")


class OneHotClassifier(KerasClassifier):
    @property
    def target_encoder(self):
        return AlwaysOneHot(loss=self.loss)


def test_a_subclass_of_the_default_encoder_is_used_as_given():
    clf = OneHotClassifier(
        dense(2, "softmax"),
        loss="categorical_crossentropy",
        optimizer="adam",
        optimizer__learning_rate=0.05,
        epochs=30,
        random_state=0,
    ).fit(X, LABELS)
    assert type(clf.target_encoder_) is AlwaysOneHot
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert clf.predict_proba(X).shape == (40, 2)
    assert clf.score(X, LABELS) > 0.8  # a separable problem, learnt
    again = clone(clf).set_params(epochs=1).fit(X, LABELS)
    assert type(again.target_encoder_) is AlwaysOneHot
    with pytest.raises(ValueError, match="class_weight"):
        clone(clf).set_params(class_weight={"yes": 2.0}, epochs=1).fit(X, LABELS)


class SplitColumns(ClassifierLabelEncoder):
    """Each column of a multilabel y to its own sigmoid output."""

    def fit(self, X, y=None):
        X = np.asarray(X)
        self.n_outputs_ = self.n_outputs_expected_ = X.shape[1]
        self.classes_ = [np.array([0, 1])] * X.shape[1]
        self.n_classes_ = [2] * X.shape[1]
        return self

    def transform(self, X):
        return np.split(np.asarray(X, dtype=np.float32), X.shape[1], axis=1)

    def inverse_transform(self, X, return_proba=False):
        proba = np.column_stack([np.ravel(part) for part in X])
        return proba if return_proba else (proba > 0.5).astype(int)


class SplitClassifier(KerasClassifier):
    @property
    def target_encoder(self):
        return SplitColumns()


def test_a_custom_encoder_sets_meta_and_decodes_several_outputs():
    y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    seen = {}

    def build(meta):
        seen.update(meta)
        return dense(1, "sigmoid", outputs=meta["n_outputs_expected_"])(meta)

    clf = SplitClassifier(build, loss="binary_crossentropy", epochs=1, random_state=0)
    clf.fit(X, y)
    assert seen["n_outputs_expected_"] == 2 and seen["n_classes_"] == [2, 2]
    assert clf.predict(X).shape == (40, 2)
    assert clf.predict_proba(X).shape == (40, 2)
    with pytest.raises(ValueError, match="2 output"):
        SplitClassifier(dense(1, "sigmoid"), loss="binary_crossentropy").fit(X, y)


class Centered(RegressorTargetEncoder):
    """Targets minus their mean; predictions plus it."""

    def fit(self, X, y=None):
        super().fit(X)
        self.mean_ = float(np.mean(X))
        return self

    def transform(self, X):
        return super().transform(X) - self.mean_

    def inverse_transform(self, X):
        return super().inverse_transform(X) + self.mean_


class CenteredRegressor(KerasRegressor):
    @property
    def target_encoder(self):
        return Centered()


def zero_model(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    outputs = keras.layers.Dense(1, kernel_initializer="zeros")(inputs)
    return keras.Model(inputs, outputs)


def test_a_custom_regressor_encoder_decodes_predictions(tmp_path):
    targets = TARGETS + 100.0
    reg = CenteredRegressor(zero_model, loss="mse").initialize(X, targets)
    np.testing.assert_allclose(reg.predict(X[:3]), np.full(3, targets.mean()))
    reg = CenteredRegressor(zero_model, loss="mse", epochs=1, random_state=0)
    reg.fit(X, targets)
    assert abs(reg.predict(X).mean() - targets.mean()) < 5
    path = tmp_path / "reg.h5"
    save(reg, path)
    here = "tests.test_utils_encoders_in_wrappers"
    trusted = [f"{here}:CenteredRegressor", f"{here}:Centered"]
    loaded = load(path, trusted=trusted)
    np.testing.assert_allclose(loaded.predict(X), reg.predict(X), rtol=1e-6)


def softmax_model(meta):
    return dense(2, "softmax")(meta)


def test_default_encoders_save_and_load_as_trusted_state(tmp_path):
    clf = KerasClassifier(softmax_model, epochs=1, random_state=0)
    clf.fit(X, LABELS)
    save(clf, tmp_path / "clf.h5")
    # only the test's own builder needs trusting, not the encoder
    loaded = load(
        tmp_path / "clf.h5",
        trusted=["tests.test_utils_encoders_in_wrappers:softmax_model"],
    )
    assert type(loaded.target_encoder_) is ClassifierLabelEncoder
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
