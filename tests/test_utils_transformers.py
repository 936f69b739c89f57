"""The default target encoders (sklearn_dl.utils.transformers), alone."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_dl.utils.transformers import (
    ClassifierLabelEncoder,
    RegressorTargetEncoder,
    TargetReshaper,
)


def test_labels_become_ordinal_codes_and_come_back():
    y = np.array(["cat", "dog", "cat", "emu"])
    encoder = ClassifierLabelEncoder().fit(y)
    codes = encoder.transform(y)
    assert codes.dtype == np.float32 and codes.shape == (4, 1)
    np.testing.assert_array_equal(codes.ravel(), [0, 1, 0, 2])
    outputs = np.eye(3)[[2, 0]]
    np.testing.assert_array_equal(encoder.inverse_transform(outputs), ["emu", "cat"])
    assert encoder.get_metadata() == {
        "classes_": encoder.classes_,
        "n_classes_": 3,
        "n_outputs_": 1,
        "n_outputs_expected_": 1,
    }


def test_categorical_crossentropy_one_hot_encodes():
    y = np.array([3, 1, 2])
    encoder = ClassifierLabelEncoder(loss="categorical_crossentropy").fit(y)
    np.testing.assert_array_equal(encoder.transform(y), np.eye(3)[[2, 0, 1]])
    np.testing.assert_array_equal(encoder.inverse_transform(np.eye(3)), [1, 2, 3])


def test_probabilities_of_one_sigmoid_unit():
    encoder = ClassifierLabelEncoder().fit(np.array([0, 1, 1]))
    proba = encoder.inverse_transform(np.array([[0.2], [0.9]]), return_proba=True)
    np.testing.assert_allclose(proba, [[0.8, 0.2], [0.1, 0.9]])
    np.testing.assert_array_equal(
        encoder.inverse_transform(np.array([0.2, 0.9])), [0, 1]
    )


def test_categories_name_every_class():
    encoder = ClassifierLabelEncoder(categories=[np.array([0, 1, 2])]).fit([0, 1])
    assert encoder.target_type_ == "multiclass" and encoder.n_classes_ == 3
    with pytest.raises(ValueError, match="not seen"):
        ClassifierLabelEncoder(categories=[[0, 1]]).fit(np.array([0, 1, 5]))
    with pytest.raises(ValueError, match="categories must be"):
        ClassifierLabelEncoder(categories=[0, 1]).fit(np.array([0, 1]))


def test_one_hot_multilabel_and_multioutput_targets_pass_through():
    onehot = np.eye(3, dtype=int)[[0, 2, 1]]
    encoder = ClassifierLabelEncoder().fit(onehot)
    assert encoder.target_type_ == "multiclass-onehot"
    np.testing.assert_array_equal(encoder.transform(onehot), onehot)
    np.testing.assert_array_equal(encoder.inverse_transform(onehot * 0.9), onehot)
    columns = np.array([[1, 2], [3, 1], [2, 3]])
    encoder = ClassifierLabelEncoder().fit(columns)
    assert encoder.classes_ is None and encoder.n_classes_ is None
    np.testing.assert_array_equal(encoder.inverse_transform(columns), columns)
    with pytest.raises(NotImplementedError, match="not clearly defined"):
        encoder.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="column"):
        encoder.transform(columns[:, :1])


def test_continuous_targets_are_refused():
    with pytest.raises(ValueError, match="Unknown label type"):
        ClassifierLabelEncoder().fit(np.array([0.5, 1.25, 2.0]))


def test_regressor_encoder_checks_columns_and_restores_shape():
    encoder = RegressorTargetEncoder().fit(np.array([0.5, 1.5]))
    assert encoder.get_metadata() == {"n_outputs_": 1, "n_outputs_expected_": 1}
    assert encoder.inverse_transform(np.array([[1.0], [2.0]])).shape == (2,)
    with pytest.raises(ValueError, match="2 output column"):
        encoder.transform(np.ones((2, 2)))
    with pytest.raises(ValueError, match="numeric"):
        RegressorTargetEncoder().fit(np.array(["a", "b"]))


def test_target_reshaper_round_trip():
    reshaper = TargetReshaper()
    with pytest.raises(NotFittedError, match="is not initialized"):
        reshaper.inverse_transform(np.ones(2))
    y = np.array([1.0, 2.0, 3.0])
    column = reshaper.fit_transform(y)
    assert column.shape == (3, 1)
    np.testing.assert_array_equal(reshaper.inverse_transform(column), y)
