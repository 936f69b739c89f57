"""Models with several inputs and outputs, and BaseWrapper with its encoders."""

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_dl import BaseWrapper, KerasClassifier, KerasRegressor, NamedArrays
from sklearn_dl.persistence import load, save

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends

N = 60


@pytest.fixture(scope="module")
def parts():
    rng = np.random.default_rng(0)
    image = rng.normal(size=(N, 4, 4)).astype(np.float32)
    extra = rng.normal(size=(N, 2)).astype(np.float32)
    label = (image.mean(axis=(1, 2)) + extra[:, 0] > 0).astype(int)
    value = extra.sum(axis=1)
    return image, extra, label, value


class TwoInputs:
    """image (4, 4) + extra (2,) -> the given output heads."""

    def __init__(self, heads, as_list=False):
        self.heads = heads
        self.as_list = as_list

    def __call__(self, meta):
        image = keras.Input((4, 4), name="image")
        extra = keras.Input((2,), name="extra")
        hidden = keras.layers.Concatenate()([keras.layers.Flatten()(image), extra])
        hidden = keras.layers.Dense(8, activation="relu")(hidden)
        outputs = {
            name: keras.layers.Dense(units, activation=act, name=name)(hidden)
            for name, (units, act) in self.heads.items()
        }
        if len(outputs) == 1:
            outputs = next(iter(outputs.values()))
        else:
            outputs = list(outputs.values())
        inputs = [image, extra] if self.as_list else {"image": image, "extra": extra}
        return keras.Model(inputs, outputs)

    def __repr__(self):
        return f"TwoInputs({self.heads})"


softmax2 = TwoInputs({"label": (2, "softmax")})


def test_x_as_dict_list_and_named_arrays(parts):
    image, extra, label, _ = parts
    clf = KerasClassifier(softmax2, epochs=2, random_state=0)
    clf.fit({"image": image, "extra": extra}, label)
    by_dict = clf.predict_proba({"image": image, "extra": extra})
    np.testing.assert_allclose(
        clf.predict_proba(NamedArrays({"extra": extra, "image": image})), by_dict
    )
    assert clf.X_shapes_ == {"image": (4, 4), "extra": (2,)}
    assert clf.n_features_in_ == 18
    with pytest.raises(ValueError, match="fitted on inputs"):
        clf.predict({"image": image[:, :2], "extra": extra})
    in_order = TwoInputs({"label": (2, "softmax")}, as_list=True)
    by_list = KerasClassifier(in_order, epochs=1).fit([image, extra], label)
    assert by_list.predict([image, extra]).shape == (N,)


def test_grouped_dataframe_columns_map_to_inputs(parts):
    _, extra, _, value = parts
    table = pd.concat(
        {
            "a": pd.DataFrame(extra, columns=["x", "y"]),
            "b": pd.DataFrame({"z": value}),
        },
        axis=1,
    )

    def build(meta):
        a = keras.Input(meta["X_shapes_"]["a"], name="a")
        b = keras.Input(meta["X_shapes_"]["b"], name="b")
        merged = keras.layers.Concatenate()([a, b])
        return keras.Model({"a": a, "b": b}, keras.layers.Dense(1)(merged))

    reg = KerasRegressor(build, epochs=1).fit(table, value)
    assert reg.predict(table).shape == (N,)


def test_cross_validation_and_search_index_every_input(parts):
    image, extra, label, _ = parts
    X = NamedArrays({"image": image, "extra": extra})
    assert X[np.arange(5)].shape == (5, 2)
    scores = cross_val_score(KerasClassifier(softmax2, epochs=1), X, label, cv=3)
    assert scores.shape == (3,)
    search = GridSearchCV(KerasClassifier(softmax2), {"epochs": [1, 2]}, cv=2)
    assert search.fit(X, label).best_params_["epochs"] in (1, 2)


def test_sample_weight_and_validation_split_keep_inputs_aligned(parts):
    image, extra, label, _ = parts
    weights = np.arange(N) % 3
    clf = KerasClassifier(softmax2, validation_split=0.2, epochs=1)
    clf.fit({"image": image, "extra": extra}, label, sample_weight=weights)
    assert "val_loss" in clf.history_


def test_multi_output_regression_splits_columns_over_outputs(parts):
    image, extra, _, value = parts
    build = TwoInputs({"sum": (1, None), "pair": (2, None)})
    Y = np.column_stack([value, extra])
    reg = KerasRegressor(
        build,
        epochs=2,
        random_state=0,
        loss=["mse", "mae"],
        compile__loss_weights=[1.0, 0.0],  # per-output weights, routed to compile
    )
    reg.fit({"image": image, "extra": extra}, Y)
    assert reg.predict({"image": image, "extra": extra}).shape == (N, 3)
    assert set(reg.history_) >= {"loss", "sum_loss", "pair_loss"}
    # The second output weighs nothing: the loss is about the first output's
    # alone (Keras averages them over batches a little differently); had the
    # weights been ignored, the second output's loss would be added.
    history = reg.history_
    loss, first, second = (history[k][-1] for k in ("loss", "sum_loss", "pair_loss"))
    assert abs(loss - first) < 0.1 * first
    assert second > 0.1 * first
    assert np.isfinite(reg.score({"image": image, "extra": extra}, Y))
    with pytest.raises(ValueError, match="3 units in all"):
        KerasRegressor(build).fit({"image": image, "extra": extra}, Y[:, :2])


def test_y_dict_keyed_by_output_names_in_any_order(parts):
    image, extra, _, value = parts
    build = TwoInputs({"sum": (1, None), "pair": (2, None)})
    X = {"image": image, "extra": extra}
    reg = KerasRegressor(
        build, epochs=1, loss={"sum": "mse", "pair": "mae"}, compile__loss_weights=None
    ).fit(X, {"pair": extra, "sum": value})
    assert reg.output_columns_ == {"pair": 2, "sum": 1}
    assert reg.predict(X).shape == (N, 3)  # columns in y's order


def test_multilabel_indicator_classification(parts):
    image, extra, label, _ = parts
    Y = np.column_stack([label, extra[:, 0] > 0, extra[:, 1] > 0]).astype(int)
    clf = KerasClassifier(TwoInputs({"labels": (3, "sigmoid")}), epochs=2)
    clf.fit({"image": image, "extra": extra}, Y)
    X = {"image": image, "extra": extra}
    assert clf.target_type_ == "multilabel-indicator"
    assert [list(c) for c in clf.classes_] == [[0, 1]] * 3
    proba = clf.predict_proba(X)
    assert len(proba) == 3 and proba[0].shape == (N, 2)
    np.testing.assert_allclose(proba[1].sum(axis=1), 1.0, rtol=1e-6)
    assert clf.predict(X).shape == (N, 3)
    assert 0.0 <= clf.score(X, Y) <= 1.0


def test_multiclass_multioutput_classification(parts):
    image, extra, label, _ = parts
    Y = np.column_stack(
        [np.where(label == 1, "yes", "no"), np.digitize(extra[:, 0], [-0.5, 0.5])]
    )
    build = TwoInputs({"first": (2, "softmax"), "second": (3, "softmax")})
    clf = KerasClassifier(build, epochs=1).fit({"image": image, "extra": extra}, Y)
    assert clf.n_classes_ == [2, 3]
    proba = clf.predict_proba({"image": image, "extra": extra})
    assert [p.shape for p in proba] == [(N, 2), (N, 3)]
    predicted = clf.predict({"image": image, "extra": extra})
    assert predicted.shape == (N, 2) and set(predicted[:, 0]) <= {"no", "yes"}


def test_base_wrapper_mixed_outputs_and_save_load(parts, tmp_path):
    image, extra, label, value = parts
    build = TwoInputs({"label": (2, "softmax"), "value": (1, None)})
    est = BaseWrapper(
        build,
        loss={"label": "sparse_categorical_crossentropy", "value": "mse"},
        epochs=2,
        random_state=0,
    )
    X = {"image": image, "extra": extra}
    est.fit(X, {"label": label, "value": value})
    out = est.predict(X)
    assert out["label"].shape == (N, 2) and out["value"].shape == (N, 1)
    save(est, tmp_path / "two.skdl")
    again = load(tmp_path / "two.skdl")
    np.testing.assert_allclose(again.predict(X)["value"], out["value"], rtol=1e-5)
    with pytest.raises(NotImplementedError, match="scorer"):
        est.score(X, value)


class LogTarget(BaseWrapper):
    """A scikeras-style subclass with encoders."""

    @property
    def target_encoder(self):
        return FunctionTransformer(np.log1p, np.expm1)

    @property
    def feature_encoder(self):
        return FunctionTransformer(lambda X: {"x": np.asarray(X, dtype=np.float32)})

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        return -float(np.mean((np.ravel(y_true) - np.ravel(y_pred)) ** 2))


def test_encoders_transform_and_invert():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(40, 3))
    y = np.exp(X.sum(axis=1))

    def build(meta):
        inputs = keras.Input((3,), name="x")
        return keras.Model({"x": inputs}, keras.layers.Dense(1)(inputs))

    est = LogTarget(build, loss="mse", epochs=2, random_state=0).fit(X, y)
    assert hasattr(est, "feature_encoder_") and hasattr(est, "target_encoder_")
    predicted = est.predict(X)
    raw = est.model_.predict({"x": X.astype(np.float32)}, verbose=0).ravel()
    np.testing.assert_allclose(predicted, np.expm1(raw), rtol=1e-5, atol=1e-6)
    assert est.score(X, y) <= 0
    assert clone(est).get_params()["loss"] == "mse"


def test_sklearn_transformer_as_feature_encoder_in_a_pipeline(parts):
    image, extra, label, _ = parts

    class Split(KerasClassifier):
        @property
        def feature_encoder(self):
            return FunctionTransformer(
                lambda X: {"image": X[:, :16].reshape(-1, 4, 4), "extra": X[:, 16:]}
            )

    flat = np.hstack([image.reshape(N, -1), extra])
    pipe = make_pipeline(FunctionTransformer(), Split(softmax2, epochs=1))
    assert pipe.fit(flat, label).predict(flat).shape == (N,)


def test_several_inputs_into_a_stateful_model_are_refused(parts):
    image, extra, _, value = parts
    sequence = keras.Input(batch_shape=(4, 4, 4), name="image")
    side = keras.Input(batch_shape=(4, 2), name="extra")
    state = keras.layers.SimpleRNN(2, stateful=True)(sequence)
    output = keras.layers.Dense(1)(keras.layers.Concatenate()([state, side]))
    model = keras.Model({"image": sequence, "extra": side}, output)
    reg = KerasRegressor(model, loss="mse", random_state=0)
    with pytest.raises(ValueError, match="stateful model trains on one input"):
        reg.fit({"image": image[:8], "extra": extra[:8]}, value[:8])
    assert not hasattr(reg, "model_")  # the failed fit left nothing behind


def test_incremental_fit_with_another_number_of_label_columns_is_refused(parts):
    _, extra, label, _ = parts
    X = extra[:20]
    clf = KerasClassifier(softmax2_flat, random_state=0).fit(X, label[:20])
    with pytest.raises(ValueError, match=r"fitted on one column of labels"):
        clf.partial_fit(X, np.column_stack([label[:20], label[:20]]))
    both = np.column_stack([label[:20], 1 - label[:20]])
    multi = KerasClassifier(two_heads_flat, random_state=0).fit(X, both)
    with pytest.raises(ValueError, match=r"fitted on 2 target columns"):
        multi.partial_fit(X, label[:20])


def softmax2_flat(meta):
    inputs = keras.Input((2,))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))


def two_heads_flat(meta):
    inputs = keras.Input((2,))
    heads = [keras.layers.Dense(2, activation="softmax")(inputs) for _ in range(2)]
    return keras.Model(inputs, heads)


def test_integer_input_keeps_its_dtype_when_given_by_name():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20, size=(40, 5))
    label = (tokens.sum(axis=1) > 47).astype(int)

    def build(meta):
        ids = keras.Input((5,), dtype="int64", name="tokens")
        pooled = keras.layers.GlobalAveragePooling1D()(
            keras.layers.Embedding(20, 4)(ids)
        )
        return keras.Model(
            {"tokens": ids}, keras.layers.Dense(2, activation="softmax")(pooled)
        )

    clf = KerasClassifier(build, random_state=0).fit({"tokens": tokens}, label)
    assert clf.X_dtype_ == np.int64
    assert clf.predict({"tokens": tokens[:3]}).shape == (3,)


def test_multi_output_classifier_with_named_inputs_saves_and_loads(parts, tmp_path):
    image, extra, label, _ = parts
    y = np.column_stack([label, (extra[:, 1] > 0).astype(int)])
    heads = TwoInputs({"first": (2, "softmax"), "second": (2, "softmax")})
    clf = KerasClassifier(heads, random_state=0).fit(
        {"image": image, "extra": extra}, y
    )
    save(clf, tmp_path / "clf.skdl")
    again = load(tmp_path / "clf.skdl")
    X = {"extra": extra, "image": image}  # another key order: fed by name
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    assert [list(c) for c in again.classes_] == [[0, 1], [0, 1]]
