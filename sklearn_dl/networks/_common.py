"""What every ready-made network shares: learning rate, early stopping, outputs.

The ready networks take every tunable setting as an explicit keyword
parameter; the ones they all share are declared once, in
:data:`NETWORK_PARAMETERS` (see :mod:`sklearn_dl._core.parameters`). Two of
them are not part of the estimator core's vocabulary and
are plugged in here through the core's hooks:

- ``learning_rate`` is handed to the optimizer as if it had been given as
  ``optimizer__learning_rate`` (the core builds a fresh optimizer from
  ``optimizer`` and its routed keyword arguments for every fit);
  ``learning_rate=None`` leaves the optimizer at its own Keras default (or,
  for an optimizer instance, at the rate it was made with);
- ``early_stopping`` adds Keras's own ``EarlyStopping`` callback (with
  ``restore_best_weights=True``) to the callbacks of each fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from sklearn_dl._backend.keras import import_keras
from sklearn_dl._compat import Interval
from sklearn_dl._core.parameters import Parameter, parameter_set
from sklearn_dl._core.targets import _loss_name

#: Parameters of every ready-made network (on top of the core's).
NETWORK_PARAMETERS = parameter_set(
    Parameter(
        "activation",
        (str, callable),
        "str or callable",
        "Activation of the hidden layers.",
    ),
    Parameter(
        "dropout",
        (Interval(Real, 0, 1, closed="left"),),
        "float",
        "Dropout rate after each hidden layer (0 adds no ``Dropout`` layer).",
    ),
    Parameter(
        "max_norm",
        (Interval(Real, 0, None, closed="neither"), None),
        "float",
        "``MaxNorm`` constraint on the hidden layers' kernels (the book uses "
        "3); None for no constraint.",
    ),
    Parameter(
        "output_initializer",
        (str, dict, callable),
        "str, dict or keras.initializers.Initializer",
        "Initializer of the output layer's kernel: a Keras name (the book's "
        '``"normal"``), a serialized initializer, or an instance (copied '
        "for each fit, never changed). The default is Keras's own "
        '``"glorot_uniform"``.',
    ),
    Parameter(
        "learning_rate",
        (Interval(Real, 0, None, closed="neither"), None),
        "float or None",
        "The optimizer's learning rate (it also overrides the rate of an "
        "optimizer given as an instance); None keeps the optimizer's own "
        "Keras default, e.g. 0.001 for Adam and 0.01 for SGD.",
    ),
    Parameter(
        "early_stopping",
        ("boolean",),
        "bool",
        "Stop when ``monitor`` has not improved for ``patience`` epochs and "
        "restore the best weights (Keras's ``EarlyStopping``). Monitoring a "
        "``val_*`` quantity needs ``validation_split`` or ``validation_data``.",
    ),
    Parameter("monitor", (str,), "str", "Quantity watched by early stopping."),
    Parameter(
        "patience",
        (Interval(Integral, 0, None, closed="left"),),
        "int",
        "Epochs without improvement before early stopping stops.",
    ),
)


class NetworkMixin:
    """Learning rate and early stopping for the ready-made networks.

    Placed left of the core's classifier or regressor base class; it only
    extends the core's hooks (``_routed``, ``_fit_kwargs``,
    ``_make_callbacks``) and never re-implements fitting.
    """

    def _routed(self, prefix: str) -> dict[str, Any]:
        """Routed keyword arguments; the optimizer's come from ``learning_rate``."""
        routed = super()._routed(prefix)
        if prefix == "optimizer" and self.learning_rate is not None:
            routed["learning_rate"] = self.learning_rate
        return routed

    def _fit_kwargs(self, fit_params: dict[str, Any]) -> dict[str, Any]:
        """Keras ``fit`` arguments; early stopping on ``val_*`` needs validation."""
        fit_kwargs = super()._fit_kwargs(fit_params)
        if (
            self.early_stopping
            and self.monitor.startswith("val_")
            and not self.validation_split
            and fit_kwargs.get("validation_data") is None
        ):
            raise ValueError(
                f"early_stopping=True monitors {self.monitor!r}, which needs "
                "validation data: set validation_split (e.g. 0.25) or pass "
                "validation_data=(X_val, y_val) to fit, or monitor a training "
                "quantity such as 'loss'."
            )
        return fit_kwargs

    def _make_callbacks(self) -> list[Any]:
        """The ``callbacks`` of each fit, plus ``EarlyStopping`` when asked for."""
        callbacks = super()._make_callbacks()
        if self.early_stopping:
            keras = import_keras()
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor=self.monitor,
                    patience=self.patience,
                    restore_best_weights=True,
                )
            )
        return callbacks


def check_layer_sizes(sizes: Any, name: str) -> tuple[int, ...]:
    """Return layer sizes as a tuple of positive ints.

    Parameters
    ----------
    sizes : int or sequence of int
        One size per layer (an int means a single layer).
    name : str
        The parameter's name, for the error message.

    Returns
    -------
    tuple of int
        The sizes; empty when there are no layers.

    Raises
    ------
    ValueError
        If a size is not a positive integer.
    """
    if isinstance(sizes, Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if not isinstance(sizes, Sequence) or isinstance(sizes, str):
        raise ValueError(
            f"{name} must be a tuple of positive ints (one per layer); got {sizes!r}."
        )
    if not all(
        isinstance(size, Integral) and not isinstance(size, bool) and size > 0
        for size in sizes
    ):
        raise ValueError(
            f"{name} must hold positive ints (units per layer); got {tuple(sizes)!r}."
        )
    return tuple(int(size) for size in sizes)


def max_norm_constraint(max_norm: float | None, axis: int | list[int] = 0) -> Any:
    """A fresh ``keras.constraints.MaxNorm``, or None when ``max_norm`` is None.

    Parameters
    ----------
    max_norm : float or None
        Largest norm of the incoming weights of a unit (or of a filter).
    axis : int or list of int, default=0
        Axes over which the norm is taken (``[0, 1, 2]`` for a convolution
        kernel: the whole filter).

    Returns
    -------
    keras.constraints.MaxNorm or None
        The constraint.
    """
    if max_norm is None:
        return None
    return import_keras().constraints.MaxNorm(max_value=float(max_norm), axis=axis)


def fresh_initializer(initializer: Any) -> Any:
    """A new Keras initializer from a name, a config or an instance.

    Parameters
    ----------
    initializer : str, dict or keras.initializers.Initializer
        What the user gave. An instance is copied through its config, so a
        fit never draws from (or seeds) the user's object.

    Returns
    -------
    keras.initializers.Initializer
        An initializer no other model shares.

    Raises
    ------
    ValueError
        If Keras does not know the initializer.
    """
    keras = import_keras()
    if isinstance(initializer, keras.initializers.Initializer):
        return type(initializer).from_config(initializer.get_config())
    if isinstance(initializer, dict):
        return keras.initializers.deserialize(dict(initializer))
    try:
        return keras.initializers.get(initializer)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"output_initializer={initializer!r} is not a Keras initializer: {error}"
        ) from None


def output_layer(
    meta: dict[str, Any], loss: Any, kernel_initializer: Any = "glorot_uniform"
) -> Any:
    """The output layer for the targets described by ``meta``.

    Parameters
    ----------
    meta : dict
        The core's meta data: a classifier's has ``n_classes_``, a
        regressor's ``n_outputs_``.
    loss : object
        The ``loss`` parameter (None for the default).
    kernel_initializer : str, dict or keras.initializers.Initializer, \
default="glorot_uniform"
        The ``output_initializer`` parameter (see :func:`fresh_initializer`).

    Returns
    -------
    keras.layers.Dense
        One sigmoid unit for binary targets trained with a binary loss (the
        default), one softmax unit per class for other classification
        targets, and one linear unit per target column for regression. It
        computes in float32 even under mixed precision: a float16 softmax or
        loss loses the small probabilities.
    """
    keras = import_keras()
    output = {
        "name": "output",
        "dtype": "float32",
        "kernel_initializer": fresh_initializer(kernel_initializer),
    }
    if "n_classes_" not in meta:
        return keras.layers.Dense(meta["n_outputs_"], **output)
    n_classes = meta["n_classes_"]
    if n_classes == 2 and (loss is None or "binary" in _loss_name(loss)):
        return keras.layers.Dense(1, activation="sigmoid", **output)
    return keras.layers.Dense(n_classes, activation="softmax", **output)
