"""Tests of sklearn_dl.plotting: what each display draws, and its error branches.

No Keras here: estimators are small fakes or scikit-learn models.
"""

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.datasets import load_digits, make_moons  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_dl.plotting import (  # noqa: E402
    ClassProbabilityDisplay,
    ErrorCountDisplay,
    ImageGridDisplay,
    MisclassifiedGridDisplay,
    SearchResultsDisplay,
    SequencePredictionDisplay,
    TrainingHistoryDisplay,
)

HISTORY = {
    "loss": [0.9, 0.5, 0.3, 0.2],
    "accuracy": [0.6, 0.8, 0.9, 0.95],
    "val_loss": [1.0, 0.7, 0.6, 0.65],
    "val_accuracy": [0.55, 0.75, 0.85, 0.86],
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300], y[:300]


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _save(display, tmp_path, name):
    path = tmp_path / f"{name}.png"
    display.figure_.savefig(path, dpi=50)
    assert path.stat().st_size > 1000


class FakeClassifier:
    """A fitted classifier: fixed predictions and probabilities per row."""

    def __init__(self, classes, probabilities):
        self.classes_ = np.asarray(classes)
        self._probabilities = np.asarray(probabilities, dtype=float)

    def predict_proba(self, X):
        return self._probabilities[: len(X)]

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


# -- package ------------------------------------------------------------------
def test_import_does_not_load_matplotlib():
    code = (
        "import sys, sklearn_dl.plotting; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install sklearn-dl\[plot\]"):
        TrainingHistoryDisplay.from_history(HISTORY)


def test_public_docstrings_are_valid_numpydoc():
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    import sklearn_dl.plotting as plotting

    ignored = {"ES01", "EX01", "SA01", "GL01", "GL02"}
    failures = {}
    for class_name in plotting.__all__:
        cls = getattr(plotting, class_name)
        names = [f"sklearn_dl.plotting.{class_name}"] + [
            f"sklearn_dl.plotting.{class_name}.{method}"
            for method in vars(cls)
            if method == "plot" or method.startswith("from_")
        ]
        for name in names:
            errors = [
                error
                for error in numpydoc_validate.validate(name)["errors"]
                if error[0] not in ignored
            ]
            if errors:
                failures[name] = errors
    assert not failures


# -- TrainingHistoryDisplay ---------------------------------------------------
def test_history_from_estimator_draws_each_metric(tmp_path):
    estimator = SimpleNamespace(history_=HISTORY)
    display = TrainingHistoryDisplay.from_estimator(estimator)

    assert display.metrics_ == ["loss", "accuracy"]
    assert len(display.ax_) == 2 and len(display.figure_.axes) == 2
    for ax, metric in zip(display.ax_, ["loss", "accuracy"], strict=True):
        assert ax.get_title() == metric
        assert ax.get_xlabel() == "Epoch"
        assert ax.get_ylabel() == metric
        assert len(ax.get_lines()) == 2
        assert _legend_texts(ax) == ["training", "validation"]
        train, val = display.lines_[metric], display.lines_["val_" + metric]
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_allclose(train.get_ydata(), HISTORY[metric])
        np.testing.assert_allclose(val.get_ydata(), HISTORY["val_" + metric])
        assert train.get_linestyle() == "-" and val.get_linestyle() == "--"
        assert train.get_color() == val.get_color()
    _save(display, tmp_path, "history")


def test_history_accepts_keras_history_object_and_does_not_mutate():
    history = {key: list(values) for key, values in HISTORY.items()}
    keras_like = SimpleNamespace(history=history, epoch=[0, 1, 2, 3])
    display = TrainingHistoryDisplay.from_history(keras_like, metrics=["accuracy"])
    assert display.metrics_ == ["accuracy"]
    assert len(display.figure_.axes) == 1
    assert set(display.lines_) == {"accuracy", "val_accuracy"}
    assert history == HISTORY


def test_history_without_validation_and_other_metric_order():
    history = {"mae": [3.0, 2.0], "loss": [2.0, 1.0]}
    display = TrainingHistoryDisplay.from_history(history)
    assert display.metrics_ == ["loss", "mae"]  # loss first
    assert [len(ax.get_lines()) for ax in display.ax_] == [1, 1]
    assert _legend_texts(display.ax_[0]) == ["training"]


def test_history_wraps_panels_and_removes_unused_axes():
    history = {name: [1.0, 0.5] for name in ["loss", "a", "b", "c"]}
    display = TrainingHistoryDisplay.from_history(history, max_cols=3)
    assert len(display.ax_) == 4
    assert len(display.figure_.axes) == 4  # a 2x3 grid minus two unused axes


def test_history_validation_every_kth_epoch():
    history = {"loss": [4.0, 3.0, 2.0, 1.0], "val_loss": [3.5, 1.5]}
    display = TrainingHistoryDisplay.from_history(history)
    np.testing.assert_array_equal(display.lines_["val_loss"].get_xdata(), [2, 4])


def test_history_overlays_named_runs_on_given_axes():
    fig, axes = plt.subplots(1, 2)
    first = TrainingHistoryDisplay.from_history(HISTORY, name="small", ax=axes)
    second = TrainingHistoryDisplay.from_history(HISTORY, name="big", ax=axes)
    assert first.figure_ is fig and second.figure_ is fig
    assert len(axes[0].get_lines()) == 4
    assert _legend_texts(axes[0]) == [
        "small training",
        "small validation",
        "big training",
        "big validation",
    ]
    assert first.lines_["loss"].get_color() != second.lines_["loss"].get_color()


def test_history_reads_through_a_pipeline():
    pipeline = SimpleNamespace(
        steps=[("scale", object()), ("net", SimpleNamespace(history_=HISTORY))]
    )
    display = TrainingHistoryDisplay.from_estimator(pipeline)
    assert display.metrics_ == ["loss", "accuracy"]


@pytest.mark.parametrize(
    "history, error, match",
    [
        ({}, ValueError, "history is empty"),
        ([0.1, 0.2], TypeError, "dict of per-epoch lists"),
        ({"loss": []}, ValueError, r"history\['loss'\] must be a non-empty"),
        ({"loss": [[1, 2]]}, ValueError, "non-empty list of per-epoch numbers"),
        ({"loss": [1, 2, 3], "val_loss": [1, 2]}, ValueError, "3 training values"),
    ],
)
def test_history_rejects_bad_histories(history, error, match):
    with pytest.raises(error, match=match):
        TrainingHistoryDisplay.from_history(history)


def test_history_errors():
    with pytest.raises(NotFittedError, match=r"has no `history_`.*fit it"):
        TrainingHistoryDisplay.from_estimator(SimpleNamespace())
    with pytest.raises(ValueError, match=r"Unknown metrics \['auc'\]"):
        TrainingHistoryDisplay.from_history(HISTORY, metrics=["auc"])
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="expected 2 axes"):
        TrainingHistoryDisplay.from_history(HISTORY, ax=ax)
    with pytest.raises(TypeError, match="must hold matplotlib Axes"):
        TrainingHistoryDisplay.from_history(HISTORY, ax=["a", "b"])


# -- SearchResultsDisplay -----------------------------------------------------
def _cv_results():
    """Six candidates: units (tuples) x activation (str), plus None dropout."""
    params = [
        {"clf__units": units, "clf__activation": activation, "clf__dropout": None}
        for units in [(64,), (64, 32)]
        for activation in ["relu", "tanh", "sigmoid"]
    ]
    return {
        "params": params,
        "mean_test_score": np.array([0.90, 0.80, 0.70, 0.95, 0.85, 0.60]),
        "std_test_score": np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]),
    }


def test_search_candidates_in_order(tmp_path):
    cv_results = _cv_results()
    display = SearchResultsDisplay.from_cv_results(cv_results)
    ax = display.ax_
    assert len(display.lines_) == 1
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(), cv_results["mean_test_score"]
    )
    np.testing.assert_array_equal(display.lines_[0].get_xdata(), np.arange(6))
    assert ax.get_ylabel() == "Mean test score"
    assert ax.get_xlabel() == "clf__units, clf__activation, clf__dropout"
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels[0] == "(64,), relu, None"
    # error bars: one vertical segment per candidate, as long as 2 std
    (bars,) = display.errorbars_[0].lines[2]
    lengths = [segment[1, 1] - segment[0, 1] for segment in bars.get_segments()]
    np.testing.assert_allclose(lengths, 2 * cv_results["std_test_score"])
    _save(display, tmp_path, "search_candidates")


def test_search_lines_per_group_with_suffix_names():
    display = SearchResultsDisplay.from_cv_results(
        _cv_results(), param="activation", group="units"
    )
    ax = display.ax_
    assert [label.get_text() for label in ax.get_xticklabels()] == [
        "relu",
        "tanh",
        "sigmoid",
    ]
    assert ax.get_xlabel() == "clf__activation"
    assert ax.get_legend().get_title().get_text() == "clf__units"
    assert _legend_texts(ax) == ["(64,)", "(64, 32)"]
    assert len(display.lines_) == 2
    np.testing.assert_allclose(display.lines_[0].get_ydata(), [0.90, 0.80, 0.70])
    np.testing.assert_allclose(display.lines_[1].get_ydata(), [0.95, 0.85, 0.60])
    # the two lines are shifted apart so their error bars do not overlap
    shift = display.lines_[1].get_xdata() - display.lines_[0].get_xdata()
    np.testing.assert_allclose(shift, 0.1)
    np.testing.assert_array_equal(display.candidates_, [[0, 1, 2], [3, 4, 5]])


def test_search_param_alone_keeps_best_candidate_per_value():
    display = SearchResultsDisplay.from_cv_results(_cv_results(), param="units")
    np.testing.assert_allclose(display.lines_[0].get_ydata(), [0.90, 0.95])
    np.testing.assert_array_equal(display.candidates_, [[0, 3]])
    assert display.ax_.get_legend() is None


def test_search_heatmap_values_and_annotations(tmp_path):
    display = SearchResultsDisplay.from_cv_results(
        _cv_results(), kind="heatmap", params=("clf__units", "param_clf__activation")
    )
    expected = [[0.90, 0.80, 0.70], [0.95, 0.85, 0.60]]
    np.testing.assert_allclose(display.im_.get_array(), expected)
    np.testing.assert_allclose(display.scores_, expected)
    assert [[text.get_text() for text in row] for row in display.text_] == [
        ["0.900", "0.800", "0.700"],
        ["0.950", "0.850", "0.600"],
    ]
    ax = display.ax_
    assert ax.get_ylabel() == "clf__units" and ax.get_xlabel() == "clf__activation"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["(64,)", "(64, 32)"]
    assert display.colorbar_.ax.get_ylabel() == "Mean test score"
    assert display.lines_ is None
    _save(display, tmp_path, "search_heatmap")


def test_search_heatmap_masks_missing_cells():
    cv_results = _cv_results()
    for name in ("params", "mean_test_score", "std_test_score"):
        cv_results[name] = cv_results[name][:5]
    display = SearchResultsDisplay.from_cv_results(
        cv_results, kind="heatmap", params=("units", "activation")
    )
    assert display.im_.get_array().mask[1, 2]
    assert display.text_[1, 2] is None
    assert display.candidates_[1, 2] == -1


def test_search_unset_parameters_and_numbers_sorted():
    cv_results = {
        "params": [{"C": 10}, {"C": 1}, {"C": 0.1, "penalty": "l1"}, {"penalty": "l2"}],
        "mean_test_score": np.array([0.5, 0.6, 0.7, 0.8]),
    }
    display = SearchResultsDisplay.from_cv_results(cv_results, param="C")
    labels = [label.get_text() for label in display.ax_.get_xticklabels()]
    assert labels == ["0.1", "1", "10", "not set"]
    np.testing.assert_allclose(display.lines_[0].get_ydata(), [0.7, 0.6, 0.5, 0.8])
    assert display.errorbars_[0].has_yerr is False  # no std_test_score


def test_search_from_grid_search_on_a_pipeline(digits, tmp_path):
    X, y = digits
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=200))]
    )
    grid = {"clf__C": [0.01, 1.0], "clf__class_weight": [None, "balanced"]}
    search = GridSearchCV(pipeline, grid, cv=2).fit(X, y)
    display = SearchResultsDisplay.from_search(
        search, kind="heatmap", params=("C", "class_weight")
    )
    means = search.cv_results_["mean_test_score"]  # C-major order
    np.testing.assert_allclose(display.scores_, means.reshape(2, 2))
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["None", "balanced"]
    _save(display, tmp_path, "search_real")


def test_search_multimetric_needs_metric():
    cv_results = {
        "params": [{"C": 1}, {"C": 2}],
        "mean_test_acc": np.array([0.5, 0.6]),
        "mean_test_f1": np.array([0.4, 0.3]),
    }
    with pytest.raises(ValueError, match=r"several scorers.*pass metric="):
        SearchResultsDisplay.from_cv_results(cv_results)
    display = SearchResultsDisplay.from_cv_results(cv_results, metric="f1", param="C")
    np.testing.assert_allclose(display.lines_[0].get_ydata(), [0.4, 0.3])
    assert display.ax_.get_ylabel() == "Mean test f1"
    with pytest.raises(ValueError, match=r"Unknown metric 'auc'"):
        SearchResultsDisplay.from_cv_results(cv_results, metric="auc")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"param": "depth"}, r"Unknown parameter 'depth'; the search varied"),
        ({"kind": "bars"}, "kind must be 'line' or 'heatmap'"),
        ({"kind": "heatmap", "param": "units"}, "needs two parameters"),
        ({"group": "units"}, "group= needs param="),
        ({"param": "units", "group": "clf__units"}, "param and group must differ"),
        ({"params": ("units", "activation"), "param": "units"}, "either params="),
        ({"params": ("units", "activation", "dropout")}, "one or two parameters"),
    ],
)
def test_search_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SearchResultsDisplay.from_cv_results(_cv_results(), **kwargs)


def test_search_rejects_bad_results():
    with pytest.raises(NotFittedError, match="no `cv_results_`"):
        SearchResultsDisplay.from_search(GridSearchCV(LogisticRegression(), {}))
    with pytest.raises(ValueError, match="with a 'params' entry"):
        SearchResultsDisplay.from_cv_results({"mean_test_score": [0.5]})
    with pytest.raises(ValueError, match="no 'mean_test_\\*' scores"):
        SearchResultsDisplay.from_cv_results({"params": [{"C": 1}]})
    with pytest.raises(ValueError, match="2 candidates but 1 mean_test_score"):
        SearchResultsDisplay.from_cv_results(
            {"params": [{"C": 1}, {"C": 2}], "mean_test_score": [0.5]}
        )
    ambiguous = {
        "params": [{"a__units": 1, "b__units": 2}],
        "mean_test_score": [0.5],
    }
    with pytest.raises(ValueError, match="'units' is ambiguous"):
        SearchResultsDisplay.from_cv_results(ambiguous, param="units")


# -- SequencePredictionDisplay ------------------------------------------------
def test_sequence_predictions_offset_by_window(tmp_path):
    truth = np.sin(np.arange(50) * 0.3)
    predictions = truth[3:] + 0.1
    display = SequencePredictionDisplay.from_predictions(
        truth.reshape(1, -1), predictions.reshape(-1, 1), offset=3
    )
    np.testing.assert_array_equal(display.line_true_.get_xdata(), np.arange(50))
    np.testing.assert_allclose(display.line_true_.get_ydata(), truth)
    np.testing.assert_array_equal(display.line_pred_.get_xdata(), np.arange(3, 50))
    np.testing.assert_allclose(display.line_pred_.get_ydata(), predictions)
    assert to_rgba(display.line_true_.get_color()) == to_rgba("black")
    assert to_rgba(display.line_pred_.get_color()) == to_rgba("red")
    assert _legend_texts(display.ax_) == ["truth", "prediction"]
    assert display.ax_.get_xlabel() == "Time step"
    _save(display, tmp_path, "sequence")


def test_sequence_start_and_style_overrides():
    display = SequencePredictionDisplay.from_predictions(
        [1, 2, 3, 4], [2.5, 3.5], offset=2, start=400, pred_kw={"label": "LSTM"}
    )
    np.testing.assert_array_equal(display.line_true_.get_xdata(), [400, 401, 402, 403])
    np.testing.assert_array_equal(display.line_pred_.get_xdata(), [402, 403])
    assert _legend_texts(display.ax_) == ["truth", "LSTM"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"offset": -1}, ValueError, "offset must be >= 0"),
        ({"offset": 1.5}, TypeError, "offset must be an integer"),
        ({"y_true": np.zeros((3, 2))}, ValueError, "y_true must be 1-D"),
    ],
)
def test_sequence_errors(kwargs, error, match):
    arguments = {"y_true": [1.0, 2.0, 3.0], "y_pred": [2.0], **kwargs}
    with pytest.raises(error, match=match):
        SequencePredictionDisplay.from_predictions(
            arguments.pop("y_true"), arguments.pop("y_pred"), **arguments
        )


# -- ImageGridDisplay ---------------------------------------------------------
def test_image_grid_rows_by_label(digits, tmp_path):
    X, y = digits
    display = ImageGridDisplay.from_images(X, y, n_per_label=3)
    assert display.ax_.shape == (10, 3)
    assert len(display.figure_.axes) == 30
    assert [ax.get_ylabel() for ax in display.ax_[:, 0]] == [str(i) for i in range(10)]
    first_zeros = np.flatnonzero(y == 0)[:3]
    np.testing.assert_array_equal(display.sample_indices[0], first_zeros)
    for col, index in enumerate(first_zeros):
        np.testing.assert_array_equal(
            display.images_[0, col].get_array(), X[index].reshape(8, 8)
        )
    # one common grey range, so cells compare
    assert display.images_[0, 0].get_clim() == (X.min(), X.max())
    _save(display, tmp_path, "image_grid")


@pytest.mark.parametrize(
    "shape, image_shape, cell_shape",
    [
        ((6, 4, 5), None, (4, 5)),
        ((6, 4, 5, 1), None, (4, 5)),
        ((6, 4, 5, 3), None, (4, 5, 3)),
        ((6, 60), (4, 5, 3), (4, 5, 3)),
        ((6, 16), None, (4, 4)),
    ],
)
def test_image_grid_image_shapes(shape, image_shape, cell_shape):
    images = np.random.default_rng(0).random(shape)
    labels = ["b", "a", "b", "a", "b", "b"]
    display = ImageGridDisplay.from_images(
        images, labels, n_per_label=3, image_shape=image_shape
    )
    assert display.ax_.shape == (2, 3)
    assert display.display_labels == ["a", "b"]
    assert display.images_[0, 0].get_array().shape == cell_shape
    # label "a" has two images: the third cell is an empty frame
    assert display.images_[0, 2] is None
    assert display.sample_indices[0].tolist() == [1, 3, -1]
    assert display.ax_[0, 2].get_images() == []


def test_image_grid_random_state_is_reproducible(digits):
    X, y = digits
    first = ImageGridDisplay.from_images(X, y, n_per_label=2, random_state=0)
    second = ImageGridDisplay.from_images(X, y, n_per_label=2, random_state=0)
    np.testing.assert_array_equal(first.sample_indices, second.sample_indices)
    assert np.all(y[first.sample_indices] == np.arange(10)[:, None])


@pytest.mark.parametrize(
    "images, labels, kwargs, match",
    [
        (np.zeros((3, 10)), [0, 1, 2], {}, "Cannot infer the image shape"),
        (np.zeros((3, 16)), [0, 1, 2], {"image_shape": (5, 5)}, "holds 25 values"),
        (np.zeros((3, 3, 4, 5)), [0, 1, 2], {}, "channels-last"),
        (np.zeros(3), [0, 1, 2], {}, "one image per row"),
        (np.zeros((3, 4, 4)), [0, 1], {}, "Inconsistent numbers of samples"),
        (np.zeros((3, 4, 4)), [0, 1, 2], {"n_per_label": 0}, "n_per_label must"),
    ],
)
def test_image_grid_errors(images, labels, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageGridDisplay.from_images(images, labels, **kwargs)


def test_image_grid_checks_given_axes():
    _, axes = plt.subplots(2, 2)
    with pytest.raises(ValueError, match=r"expected 6 axes \(2 rows x 3 columns\)"):
        ImageGridDisplay.from_images(
            np.zeros((4, 3, 3)), [0, 0, 1, 1], n_per_label=3, ax=axes
        )
    display = ImageGridDisplay.from_images(
        np.zeros((4, 3, 3)), [0, 0, 1, 1], n_per_label=2, ax=axes
    )
    assert display.ax_.shape == (2, 2)


# -- MisclassifiedGridDisplay and ErrorCountDisplay ---------------------------
IMAGES = np.arange(8 * 4, dtype=float).reshape(8, 2, 2, 1, order="F").reshape(8, 4)
Y_TRUE = np.array([0, 0, 1, 1, 2, 2, 2, 0])
Y_PRED = np.array([0, 1, 1, 0, 1, 1, 2, 1])


def test_misclassified_grid_cells(tmp_path):
    display = MisclassifiedGridDisplay.from_predictions(IMAGES, Y_TRUE, Y_PRED)
    assert display.ax_.shape == (3, 3)
    assert len(display.figure_.axes) == 9
    assert display.sample_indices.tolist() == [[-1, 1, -1], [3, -1, -1], [-1, 4, -1]]
    assert display.error_counts.tolist() == [[0, 2, 0], [1, 0, 0], [0, 2, 0]]
    shown = [(i, j) for (i, j), image in np.ndenumerate(display.images_) if image]
    assert shown == [(0, 1), (1, 0), (2, 1)]
    np.testing.assert_array_equal(
        display.images_[1, 0].get_array(), IMAGES[3].reshape(2, 2)
    )
    assert [ax.get_ylabel() for ax in display.ax_[:, 0]] == ["0", "1", "2"]
    assert [ax.get_title() for ax in display.ax_[0]] == ["0", "1", "2"]
    assert display.figure_._supylabel.get_text() == "True label"
    assert display.figure_._suptitle.get_text() == "Predicted label"
    _save(display, tmp_path, "misclassified")


def test_misclassified_grid_from_estimator_and_labels():
    proba = np.eye(3)[Y_PRED]
    estimator = FakeClassifier(["a", "b", "c"], proba)
    y = np.array(["a", "b", "c"])[Y_TRUE]
    display = MisclassifiedGridDisplay.from_estimator(
        estimator, np.zeros((8, 5)), y, images=IMAGES, labels=["c", "a"]
    )
    assert display.display_labels == ["c", "a"]
    # only true c -> predicted a would show, and there is none
    assert display.error_counts.tolist() == [[0, 0], [0, 0]]
    assert all(image is None for image in display.images_.flat)


def test_misclassified_grid_errors():
    with pytest.raises(ValueError, match="Inconsistent numbers of samples"):
        MisclassifiedGridDisplay.from_predictions(IMAGES, Y_TRUE, Y_PRED[:-1])
    with pytest.raises(ValueError, match="distinct labels"):
        MisclassifiedGridDisplay.from_predictions(IMAGES, Y_TRUE, Y_PRED, labels=[0, 0])


def test_error_counts_heatmap(tmp_path):
    display = ErrorCountDisplay.from_predictions(Y_TRUE, Y_PRED)
    values = display.im_.get_array()
    assert values.tolist() == [[None, 2, 0], [1, None, 0], [0, 2, None]]
    np.testing.assert_array_equal(values.mask, np.eye(3, dtype=bool))
    texts = [[t.get_text() if t else None for t in row] for row in display.text_]
    assert texts == [[None, "2", "0"], ["1", None, "0"], ["0", "2", None]]
    ax = display.ax_
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert display.colorbar_ is not None
    _save(display, tmp_path, "error_counts")


def test_error_counts_from_estimator_with_labels():
    estimator = FakeClassifier([0, 1, 2], np.eye(3)[Y_PRED])
    display = ErrorCountDisplay.from_estimator(
        estimator,
        np.zeros((8, 1)),
        Y_TRUE,
        labels=[2, 1],
        display_labels=["two", "one"],
        colorbar=False,
        include_values=False,
    )
    assert display.error_counts.tolist() == [[0, 2], [0, 0]]
    assert [t.get_text() for t in display.ax_.get_yticklabels()] == ["two", "one"]
    assert display.text_ is None and display.colorbar_ is None


def test_error_counts_errors():
    with pytest.raises(ValueError, match="Inconsistent numbers of samples"):
        ErrorCountDisplay.from_predictions([0, 1], [0])
    with pytest.raises(ValueError, match="must be square"):
        ErrorCountDisplay(np.zeros((2, 3))).plot()
    with pytest.raises(ValueError, match="display_labels has 1 labels for 2"):
        ErrorCountDisplay(np.zeros((2, 2), int), display_labels=["a"]).plot()


# -- ClassProbabilityDisplay --------------------------------------------------
PROBA = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25], [0.0, 0.1, 0.9]])


def test_class_probabilities_from_estimator(tmp_path):
    estimator = FakeClassifier(["cat", "dog", "eel"], PROBA)
    display = ClassProbabilityDisplay.from_estimator(
        estimator, np.zeros((3, 2)), ["dog", "dog", "eel"], n_samples=2
    )
    assert len(display.ax_) == 2 and len(display.bars_) == 2
    for sample, (ax, bars) in enumerate(zip(display.ax_, display.bars_, strict=True)):
        heights = [patch.get_height() for patch in bars.patches]
        np.testing.assert_allclose(heights, PROBA[sample])
        assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "eel"]
        assert ax.get_ylabel() == "Probability"
        assert ax.get_ylim() == (0, 1.05)
    assert display.ax_[0].get_title() == "Sample 0: predicted dog (true dog)"
    assert display.ax_[1].get_title() == "Sample 1: predicted cat (true dog)"
    colors = [patch.get_facecolor() for patch in display.bars_[0].patches]
    assert colors[1] == to_rgba("C3") and colors[0] == to_rgba("C0")
    _save(display, tmp_path, "class_probabilities")


def test_class_probabilities_from_probabilities():
    display = ClassProbabilityDisplay.from_probabilities(PROBA, n_samples=None)
    assert len(display.ax_) == 3
    assert display.ax_[2].get_title() == "Sample 2: predicted 2"
    assert [t.get_text() for t in display.ax_[0].get_xticklabels()] == ["0", "1", "2"]


def test_class_probabilities_with_real_classifier(digits):
    X, y = digits
    classifier = LogisticRegression(max_iter=200).fit(X, y)
    display = ClassProbabilityDisplay.from_estimator(classifier, X, y)
    assert len(display.ax_) == 4
    heights = [patch.get_height() for patch in display.bars_[3].patches]
    np.testing.assert_allclose(heights, classifier.predict_proba(X[3:4])[0])


def test_class_probabilities_errors():
    with pytest.raises(TypeError, match="has no predict_proba"):
        ClassProbabilityDisplay.from_estimator(object(), np.zeros((2, 2)))
    unfitted = SimpleNamespace(predict_proba=lambda X: PROBA)
    with pytest.raises(NotFittedError, match="no `classes_`"):
        ClassProbabilityDisplay.from_estimator(unfitted, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="classes has 2 labels but probabilities"):
        ClassProbabilityDisplay.from_probabilities(PROBA, ["a", "b"])
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        ClassProbabilityDisplay.from_probabilities(PROBA * 2)
    with pytest.raises(ValueError, match="y_true has 2 labels for 3 samples"):
        ClassProbabilityDisplay.from_probabilities(PROBA, y_true=[0, 1])
    with pytest.raises(ValueError, match="n_samples must be a positive int or None"):
        ClassProbabilityDisplay.from_probabilities(PROBA, n_samples=0)
    with pytest.raises(ValueError, match="must be 2-D"):
        ClassProbabilityDisplay.from_probabilities(PROBA[0])


# -- decision boundaries: scikit-learn's own display --------------------------
def test_decision_boundary_display_works_with_any_classifier():
    from sklearn.inspection import DecisionBoundaryDisplay

    X, y = make_moons(n_samples=60, noise=0.2, random_state=0)
    classifier = LogisticRegression().fit(X, y)
    display = DecisionBoundaryDisplay.from_estimator(
        classifier, X, grid_resolution=20, response_method="predict"
    )
    assert display.response.shape == (20, 20)
    assert set(np.unique(display.response)) == {0, 1}
    assert display.ax_.collections  # the filled regions were drawn
