"""export_network: SavedModel and ONNX exports give the estimator's outputs."""

import json

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl._backend.environment import configured_backend
from sklearn_dl.networks import DenseClassifier, DenseRegressor
from sklearn_dl.persistence import export_network

needs_tensorflow = pytest.mark.skipif(
    configured_backend() != "tensorflow",
    reason="the exports are checked by running them with TensorFlow / tf2onnx",
)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4)).astype("float32")
    y = np.where(X[:, 0] > 0, "yes", "no")
    pipe = make_pipeline(
        StandardScaler(), DenseClassifier((8,), epochs=1, random_state=0)
    ).fit(X, y)
    return pipe, X


@needs_tensorflow
def test_saved_model_matches_predict_proba(fitted, tmp_path):
    import tensorflow as tf

    pipe, X = fitted
    description = export_network(pipe, tmp_path / "saved")
    assert description["classes"] == ["no", "yes"]
    assert description["input_shape"] == [None, 4]
    assert description["preprocessing"][0].startswith("standardscaler")
    on_disk = json.loads((tmp_path / "saved.sklearn_dl.json").read_text())
    assert on_disk == description
    served = tf.saved_model.load(str(tmp_path / "saved"))
    Xt = pipe[:-1].transform(X).astype("float32")  # the steps that must travel
    p_yes = np.asarray(served.serve(tf.constant(Xt))).ravel()
    np.testing.assert_allclose(p_yes, pipe.predict_proba(X)[:, 1], rtol=1e-5, atol=1e-6)


@needs_tensorflow
def test_onnx_matches_predict(tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="the test extra installs it")
    pytest.importorskip("tf2onnx", reason="the test extra installs it")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3)).astype("float32")
    net = DenseRegressor((8,), epochs=1, random_state=0).fit(X, X @ [1.0, 2.0, 3.0])
    description = export_network(net, tmp_path / "net.onnx", format="onnx")
    assert description["outputs"].startswith("predicted values")
    session = ort.InferenceSession(str(tmp_path / "net.onnx"))
    name = session.get_inputs()[0].name
    (out,) = session.run(None, {name: X})
    np.testing.assert_allclose(out.ravel(), net.predict(X), rtol=1e-5, atol=1e-5)


def test_rejects_unknown_format_and_unfitted(tmp_path):
    with pytest.raises(ValueError, match="format"):
        export_network(DenseClassifier(), tmp_path / "x", format="pickle")
    with pytest.raises(NotFittedError):
        export_network(DenseClassifier(), tmp_path / "x")
