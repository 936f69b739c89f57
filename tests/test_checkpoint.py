"""Checkpoints during fit and resuming an interrupted fit."""

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

from sklearn_dl import KerasClassifier, load, save
from sklearn_dl.callbacks import Checkpoint
from sklearn_dl.persistence import latest_checkpoint, load_keras_model, resume
from sklearn_dl.persistence._file import read_metadata
from tests.builders import mlp

# Also run by the JAX CI job (KERAS_BACKEND=jax python -m pytest -m backends).
pytestmark = pytest.mark.backends


class CrashAt(keras.callbacks.Callback):
    """Interrupt training at the end of a given epoch (1-based), like a kill."""

    def __init__(self, epoch=3):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise KeyboardInterrupt("simulated crash")


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        n_samples=160, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


def make(callbacks=None, **params):
    defaults = {
        "optimizer": "adam",
        "epochs": 4,
        "batch_size": 16,
        "random_state": 7,
        "metrics": ["accuracy"],
    }
    return KerasClassifier(mlp, callbacks=callbacks, **{**defaults, **params})


def test_every_epoch_with_the_books_file_names(blobs, tmp_path):
    X, y = blobs
    pattern = str(tmp_path / "ckpt" / "weights.{epoch:02d}-{val_loss:.2f}.skdl")
    clf = make([Checkpoint(pattern)], validation_split=0.25).fit(X, y)
    names = sorted(path.name for path in (tmp_path / "ckpt").iterdir())
    expected = [
        f"weights.{epoch:02d}-{loss:.2f}.skdl"
        for epoch, loss in enumerate(clf.history_["val_loss"], start=1)
    ]
    assert names == expected
    last = load(tmp_path / "ckpt" / names[-1], trusted=[type(mlp)])
    np.testing.assert_array_equal(last.predict_proba(X), clf.predict_proba(X))
    assert last.history_ == clf.history_
    third = load(tmp_path / "ckpt" / names[2])
    assert third.history_ == {key: values[:3] for key, values in clf.history_.items()}
    assert read_metadata(tmp_path / "ckpt" / names[2])["epoch"] == 3


def test_every_n_epochs(blobs, tmp_path):
    X, y = blobs
    make([Checkpoint(tmp_path / "c{epoch}.skdl", every_n_epochs=2)], epochs=5).fit(X, y)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c2.skdl", "c4.skdl"]


def test_best_only_keeps_the_best_epoch(blobs, tmp_path):
    X, y = blobs
    clf = make(
        [
            Checkpoint(
                tmp_path / "best.skdl", monitor="val_accuracy", save_best_only=True
            )
        ],
        epochs=5,
        validation_split=0.3,
    ).fit(X, y)
    scores = clf.history_["val_accuracy"]
    best_epoch = int(np.argmax(scores)) + 1  # first maximum: ties do not improve
    metadata = read_metadata(tmp_path / "best.skdl")
    assert metadata["epoch"] == best_epoch
    assert metadata["value"] == scores[best_epoch - 1]
    assert len(load(tmp_path / "best.skdl").history_["loss"]) == best_epoch


def test_best_only_with_min_mode_writes_only_improvements(blobs, tmp_path):
    X, y = blobs
    clf = make(
        [Checkpoint(tmp_path / "e{epoch}.skdl", monitor="loss", save_best_only=True)],
        epochs=4,
    ).fit(X, y)
    losses = clf.history_["loss"]
    improved = [
        epoch + 1
        for epoch, loss in enumerate(losses)
        if epoch == 0 or loss < min(losses[:epoch])
    ]
    written = sorted(int(path.stem[1:]) for path in tmp_path.iterdir())
    assert written == improved


def test_keras_format_checkpoints(blobs, tmp_path):
    X, y = blobs
    clf = make([Checkpoint(tmp_path / "net-{epoch}.keras")], epochs=2).fit(X, y)
    model = load_keras_model(tmp_path / "net-2.keras")
    np.testing.assert_array_equal(
        model.predict_on_batch(X), clf.model_.predict_on_batch(X)
    )
    make([Checkpoint(tmp_path / "w-{epoch}.weights.h5")], epochs=1).fit(X, y)
    assert (tmp_path / "w-1.weights.h5").exists()


def test_checkpoint_with_a_bare_keras_model(blobs, tmp_path):
    X, y = blobs
    model = keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(
        X, y, epochs=2, verbose=0, callbacks=[Checkpoint(tmp_path / "m{epoch}.keras")]
    )
    assert (tmp_path / "m2.keras").exists()
    with pytest.raises(ValueError, match="saves a whole sklearn_dl estimator"):
        model.fit(
            X, y, epochs=1, verbose=0, callbacks=[Checkpoint(tmp_path / "m.skdl")]
        )


@pytest.mark.parametrize(
    "checkpoint, match",
    [
        (
            Checkpoint("x-{val_loss}.skdl"),
            "uses 'val_loss', which this fit does not log",
        ),
        (Checkpoint("x.skdl", save_best_only=True), "monitors 'val_loss'"),
        (Checkpoint("x.skdl", mode="best"), "mode must be"),
        (Checkpoint("x.skdl", every_n_epochs=0), "every_n_epochs must be"),
    ],
)
def test_checkpoint_setting_errors(blobs, tmp_path, monkeypatch, checkpoint, match):
    monkeypatch.chdir(tmp_path)
    X, y = blobs
    with pytest.raises(ValueError, match=match):
        make([checkpoint], epochs=1).fit(X, y)


def test_estimator_with_checkpoint_clones_and_saves(blobs, tmp_path):
    X, y = blobs
    clf = make([Checkpoint(tmp_path / "c.skdl")], epochs=1)
    twin = clone(clf)
    assert repr(twin.callbacks[0]) == repr(clf.callbacks[0])
    twin.fit(X, y)
    assert (tmp_path / "c.skdl").exists()
    assert twin.callbacks[0]._estimator is None  # the user's instance is untouched
    save(twin, tmp_path / "with-callback.skdl")
    loaded = load(tmp_path / "with-callback.skdl")
    assert isinstance(loaded.callbacks[0], Checkpoint)
    assert loaded.callbacks[0].filepath == str(tmp_path / "c.skdl")


# ------------------------------------------------------------------ resume
def interrupted_fit(X, y, folder, **params):
    """Fit 6 epochs, crashing after epoch 3; return the checkpoint folder."""
    pattern = str(folder / "c-{epoch:02d}-{loss:.3f}.skdl")
    clf = make([Checkpoint(pattern), CrashAt(3)], epochs=6, **params)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    return folder


@pytest.mark.parametrize("shuffle", [False, True])
def test_resume_equals_fit_then_warm_fit(blobs, tmp_path, shuffle):
    X, y = blobs
    folder = interrupted_fit(X, y, tmp_path, shuffle=shuffle)
    assert latest_checkpoint(folder).name.startswith("c-03-")
    resumed = resume(folder, X, y, trusted=[CrashAt])
    assert len(resumed.history_["loss"]) == 6
    assert len(list(folder.iterdir())) == 6  # it kept checkpointing
    two_step = make(epochs=3, shuffle=shuffle).fit(X, y)
    two_step.set_params(warm_start=True).fit(X, y)
    np.testing.assert_array_equal(resumed.predict_proba(X), two_step.predict_proba(X))
    assert resumed.history_ == two_step.history_
    uninterrupted = make(epochs=6, shuffle=shuffle).fit(X, y)
    difference = np.abs(resumed.predict_proba(X) - uninterrupted.predict_proba(X)).max()
    if shuffle and keras.backend.backend() == "tensorflow":
        # TensorFlow's shuffling draws from a stream a resumed fit restarts.
        assert difference < 0.1
    else:
        # Without shuffling nothing is random after the build; elsewhere each
        # epoch's order comes from the seed and the epoch number alone.
        assert difference == 0.0


def test_resume_of_a_finished_fit_returns_it(blobs, tmp_path):
    X, y = blobs
    clf = make([Checkpoint(tmp_path / "c{epoch}.skdl")], epochs=2).fit(X, y)
    done = resume(tmp_path / "c2.skdl", X, y)
    np.testing.assert_array_equal(done.predict_proba(X), clf.predict_proba(X))


def test_resume_errors(blobs, tmp_path):
    X, y = blobs
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No sklearn_dl estimator checkpoint"):
        resume(tmp_path / "empty", X, y)
    save(make(epochs=1).fit(X, y), tmp_path / "saved.skdl")
    with pytest.raises(ValueError, match="not a checkpoint"):
        resume(tmp_path / "saved.skdl", X, y)
    folder = interrupted_fit(X, y, tmp_path / "run")
    with pytest.raises(Exception, match="CrashAt"):
        resume(folder, X, y)  # its callbacks are not trusted: said clearly


def test_latest_checkpoint_ignores_other_files(blobs, tmp_path):
    X, y = blobs
    assert latest_checkpoint(tmp_path) is None
    make([Checkpoint(tmp_path / "c{epoch}.skdl")], epochs=2).fit(X, y)
    (tmp_path / "notes.txt").write_text("x")
    save([1], tmp_path / "other.skdl")
    assert latest_checkpoint(tmp_path).name == "c2.skdl"
