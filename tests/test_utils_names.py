"""sklearn_dl.utils.loss_name / metric_name: one name however a loss is given."""

import keras
import pytest

from sklearn_dl.utils import loss_name, metric_name


class HalfSquare(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return 0.5 * keras.ops.square(y_true - y_pred)


class NeedsArgs(keras.metrics.MeanIoU):
    """A metric class whose constructor needs arguments (``num_classes``)."""


def myLoss(y_true, y_pred):
    return y_true - y_pred


@pytest.mark.parametrize(
    "loss",
    [
        "mse",
        "MSE",
        "mean_squared_error",
        "MeanSquaredError",
        keras.losses.MeanSquaredError,
        keras.losses.MeanSquaredError(name="renamed"),
        keras.losses.mean_squared_error,
    ],
)
def test_every_spelling_of_a_loss_has_one_name(loss):
    assert loss_name(loss) == "mean_squared_error"


def test_custom_losses_are_named_in_snake_case():
    assert loss_name(HalfSquare) == loss_name(HalfSquare()) == "half_square"
    assert loss_name(myLoss) == "my_loss"
    assert loss_name("kld") == loss_name(keras.losses.KLDivergence) == "kl_divergence"


@pytest.mark.parametrize("bad", [object(), object, [], 3])
def test_non_losses_raise_type_error(bad):
    with pytest.raises(TypeError, match="`loss` must be a"):
        loss_name(bad)
    with pytest.raises(TypeError, match="`metric` must be a"):
        metric_name(bad)


def test_unknown_names_raise_value_error():
    with pytest.raises(ValueError, match="Unknown loss function: 'nope'"):
        loss_name("nope")
    with pytest.raises(ValueError, match="Unknown metric function: 'nope'"):
        metric_name("nope")


def test_metric_names():
    assert metric_name("mae") == "mean_absolute_error"
    assert metric_name("acc") == metric_name("accuracy") == "accuracy"
    # Keras's own snake case: the history key of AUC() is "auc".
    assert metric_name("AUC") == metric_name(keras.metrics.AUC(name="x")) == "auc"
    assert metric_name("R2Score") == "r2_score"
    # a class needing constructor arguments is named without building it
    assert metric_name(NeedsArgs) == "needs_args"
    assert metric_name("MeanIoU") == "mean_io_u"
    # a function keeps its own name: the key Keras reports for it
    assert metric_name(myLoss) == "myLoss"
