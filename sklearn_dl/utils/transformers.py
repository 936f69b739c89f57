"""The wrappers' default target encoders, as scikit-learn transformers.

:class:`ClassifierLabelEncoder` and :class:`RegressorTargetEncoder` are what
``KerasClassifier.target_encoder`` and ``KerasRegressor.target_encoder``
return, with scikeras's constructor parameters and behaviour (and
:class:`TargetReshaper`, for encoder pipelines), so a scikeras
user's subclass of them (a custom ``target_encoder``) works unchanged. Each
takes the targets as its input (``fit(y)``, ``transform(y)``) and gives
``inverse_transform`` the network's outputs; ``get_metadata`` is what a
wrapper copies onto itself (and into ``meta``) after fitting one.

Neither imports Keras: targets become float32, the networks' input dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import Tags
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted

from sklearn_dl._core.keras_names import loss_name
from sklearn_dl._core.targets import ClassifierTargets

#: The dtype targets are fed to a network in (Keras's default floatx).
TARGET_DTYPE = np.float32

_UNSUPPORTED_HINT = (
    "To support it, subclass KerasClassifier and override `target_encoder` "
    "with a transformer for this kind of label (or give y as one label "
    "column per model output: KerasClassifier handles it built in)."
)


def _labels(y: Any, name: str) -> np.ndarray:
    """Targets as a 1-D or 2-D array, any dtype (labels may be strings)."""
    y = check_array(
        y,
        ensure_2d=False,
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=1,
        input_name="y",
    )
    if y.ndim not in (1, 2):
        raise ValueError(f"{name} takes 1-D or 2-D targets; got shape {y.shape}.")
    return y


def _is_categorical_crossentropy(loss: Any) -> bool:
    """Whether ``loss`` trains on one-hot rows (categorical cross-entropy)."""
    if loss is None or isinstance(loss, (list, tuple, dict)):
        return False
    return loss_name(loss, strict=False) == "categorical_crossentropy"


class ClassifierLabelEncoder(ClassifierTargets, TransformerMixin, BaseEstimator):
    """Class labels to a network's targets, and its outputs back to labels.

    The default ``target_encoder`` of :class:`~sklearn_dl.KerasClassifier`
    (scikeras's ``ClassifierLabelEncoder``): binary and multiclass labels of
    any kind become ordinal codes, or one-hot rows when the loss is
    categorical cross-entropy; one-hot and multilabel indicator matrices and
    multi-output label columns pass through.

    Parameters
    ----------
    loss : str, loss class, instance or function, default=None
        The network's loss: categorical cross-entropy one-hot encodes
        multiclass labels, anything else gives ordinal codes.
    categories : "auto" or list of one array-like, default="auto"
        Every class there is (``[classes]``); "auto" takes the classes seen
        in :meth:`fit`. Given, binary labels of a three-class problem are
        multiclass.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or None
        The classes (sorted); column indices for one-hot and multilabel
        targets; None for multi-output label columns.
    n_classes_ : int or None
        Number of classes (None for multi-output label columns).
    n_outputs_ : int
        1: the labels are one target.
    n_outputs_expected_ : int
        1: the network has one output.
    target_type_ : str
        ``"binary"``, ``"multiclass"``, ``"multiclass-onehot"``,
        ``"multilabel-indicator"`` or ``"multiclass-multioutput"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.utils.transformers import ClassifierLabelEncoder
    >>> encoder = ClassifierLabelEncoder().fit(np.array(["b", "a", "b"]))
    >>> encoder.transform(np.array(["a", "b"])).ravel()
    array([0., 1.], dtype=float32)
    >>> encoder.inverse_transform(np.array([[0.9, 0.1], [0.2, 0.8]]))
    array(['a', 'b'], dtype='<U1')
    """

    def __init__(self, loss: Any = None, categories: Any = "auto") -> None:
        self.loss = loss
        self.categories = categories

    def _target_type(self, y: np.ndarray) -> str:
        """scikit-learn's target type, with ``categories`` deciding binary."""
        target_type = type_of_target(y, input_name="y")
        if target_type == "binary" and not _is_auto(self.categories):
            target_type = type_of_target(self._given_classes(), input_name="categories")
        if target_type == "multilabel-indicator" and y.min() == 0:
            if np.all(y.sum(axis=1) == 1):
                target_type = "multiclass-onehot"
        return target_type

    def _given_classes(self) -> np.ndarray:
        """The classes ``categories`` names (one array, in a list)."""
        if not isinstance(self.categories, (list, tuple)) or len(self.categories) != 1:
            raise ValueError(
                "categories must be 'auto' or a list holding one array of "
                f"classes; got {self.categories!r}."
            )
        return np.unique(np.asarray(self.categories[0]))

    def fit(self, X: Any, y: Any = None) -> ClassifierLabelEncoder:
        """Learn the classes of the labels.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            The labels (a wrapper's ``y``).
        y : None
            Unused (scikit-learn's signature).

        Returns
        -------
        self : ClassifierLabelEncoder
            The fitted encoder.

        Raises
        ------
        ValueError
            For targets that are not labels (continuous values), or labels
            outside ``categories``.
        """
        labels = _labels(X, type(self).__name__)
        target_type = self._target_type(labels)
        self._y_shape = labels.shape
        self._n_columns = 1 if labels.ndim == 1 else labels.shape[1]
        if target_type in ("binary", "multiclass"):
            column = labels.ravel() if labels.ndim == 2 else labels
            if labels.ndim == 2 and labels.shape[1] != 1:
                raise ValueError(f"Expected one label column; got {labels.shape}.")
            space = column if _is_auto(self.categories) else self._given_classes()
            self.classes_ = np.unique(space)
            self.codes(column)  # labels outside `categories` fail here
            self.n_classes_ = len(self.classes_)
        elif target_type in ("multiclass-onehot", "multilabel-indicator"):
            self.classes_ = np.arange(labels.shape[1])
            self.n_classes_ = labels.shape[1]
        elif target_type == "multiclass-multioutput":
            self.classes_ = None
            self.n_classes_ = None
        else:
            raise ValueError(
                f"Unknown label type: {target_type!r} targets are not class "
                f"labels. {_UNSUPPORTED_HINT}"
            )
        self.target_type_ = target_type
        self.n_outputs_ = 1
        self.n_outputs_expected_ = 1
        return self

    def _check_columns(self, y: np.ndarray) -> None:
        columns = 1 if y.ndim == 1 else y.shape[1]
        if columns != self._n_columns:
            raise ValueError(
                f"y has {columns} column(s), but {type(self).__name__} was "
                f"fitted on {self._n_columns}."
            )

    def transform(self, X: Any) -> np.ndarray:
        """Encode labels as the network's targets.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            Labels like those of :meth:`fit`.

        Returns
        -------
        ndarray
            ``(n_samples, 1)`` float32 ordinal codes, or ``(n_samples,
            n_classes)`` float32 one-hot rows when the loss is categorical
            cross-entropy, for binary and multiclass labels; other targets
            unchanged.
        """
        check_is_fitted(self)
        labels = _labels(X, type(self).__name__)
        self._check_columns(labels)
        if self.target_type_ not in ("binary", "multiclass"):
            return labels
        column = labels.ravel()
        if self.target_type_ == "multiclass" and _is_categorical_crossentropy(
            self.loss
        ):
            return self.encode(column, "onehot").astype(TARGET_DTYPE, copy=False)
        return self.codes(column).astype(TARGET_DTYPE).reshape(-1, 1)

    def inverse_transform(self, X: Any, return_proba: bool = False) -> np.ndarray:
        """The network's outputs as labels (or probabilities).

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_units)
            Network outputs: one sigmoid unit, or one unit per class
            (column).
        return_proba : bool, default=False
            Return probabilities instead of labels.

        Returns
        -------
        ndarray
            Labels shaped like the fitted ``y`` (the most probable class;
            one-hot rows for one-hot targets; rounded indicators for
            multilabel ones); with ``return_proba``, ``(n_samples,
            n_classes)`` probabilities for binary and multiclass labels (rows
            of a softmax renormalised to sum to 1) and the outputs unchanged
            otherwise.

        Raises
        ------
        NotImplementedError
            For multi-output label columns without ``return_proba``, unless
            X holds one column per label column (what :meth:`transform`
            returned): what a class is in other outputs is the model's to
            say.
        """
        check_is_fitted(self)
        outputs = np.asarray(X)
        if self.target_type_ in ("binary", "multiclass"):
            probabilities = self.probabilities(outputs)
            if return_proba:
                return probabilities
            labels = self.decode(probabilities)
            return labels.reshape(-1, *self._y_shape[1:])
        if return_proba:
            return outputs
        if self.target_type_ == "multiclass-onehot":
            onehot = np.zeros(outputs.shape, dtype=int)
            onehot[np.arange(len(outputs)), np.argmax(outputs, axis=-1)] = 1
            return onehot
        if self.target_type_ == "multilabel-indicator":
            return np.around(outputs).astype(int)
        if outputs.ndim == 2 and outputs.shape[1] == self._n_columns:
            return outputs  # the labels transform passed through
        raise NotImplementedError(
            "Class-predictions are not clearly defined for "
            f"'multiclass-multioutput' targets. {_UNSUPPORTED_HINT}"
        )

    def get_metadata(self) -> dict[str, Any]:
        """What a wrapper learns from this encoder (copied into ``meta``).

        Returns
        -------
        dict
            ``classes_``, ``n_classes_``, ``n_outputs_``,
            ``n_outputs_expected_``.
        """
        check_is_fitted(self)
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
        }

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        # Its input is y: 1-D labels of any kind, which scikit-learn's
        # feature-matrix checks (refuse 1-D X, numeric X only) do not fit.
        tags.no_validation = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []  # codes are float32
        return tags


class RegressorTargetEncoder(TransformerMixin, BaseEstimator):
    """Regression targets to a network's targets, and its outputs back.

    The default ``target_encoder`` of :class:`~sklearn_dl.KerasRegressor`
    (scikeras's ``RegressorTargetEncoder``): targets pass unchanged, their
    number of columns is checked, and outputs are reshaped like the fitted
    targets (1-D for 1-D ``y``).

    Attributes
    ----------
    n_outputs_ : int
        Number of target columns (1 for 1-D targets).
    n_outputs_expected_ : int
        1: the network has one output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.utils.transformers import RegressorTargetEncoder
    >>> encoder = RegressorTargetEncoder().fit(np.array([0.5, 1.5, 2.0]))
    >>> encoder.inverse_transform(np.array([[0.4], [1.2]]))
    array([0.4, 1.2])
    """

    def fit(self, X: Any, y: Any = None) -> RegressorTargetEncoder:
        """Learn the number of target columns.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets (a wrapper's ``y``).
        y : None
            Unused (scikit-learn's signature).

        Returns
        -------
        self : RegressorTargetEncoder
            The fitted encoder.
        """
        targets = self._targets(X)
        self._y_shape = targets.shape
        self.n_outputs_ = 1 if targets.ndim == 1 else targets.shape[1]
        self.n_outputs_expected_ = 1
        return self

    def _targets(self, X: Any) -> np.ndarray:
        targets = _labels(X, type(self).__name__)
        if targets.dtype.kind not in "biuf":
            raise ValueError(
                f"{type(self).__name__} takes numeric targets; got dtype "
                f"{targets.dtype}."
            )
        return targets

    def transform(self, X: Any) -> np.ndarray:
        """Check the targets' columns; return them unchanged.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets like those of :meth:`fit`.

        Returns
        -------
        ndarray
            The targets, as an array.

        Raises
        ------
        ValueError
            If the number of columns differs from the fitted one.
        """
        check_is_fitted(self)
        targets = self._targets(X)
        columns = 1 if targets.ndim == 1 else targets.shape[1]
        if columns != self.n_outputs_:
            raise ValueError(
                f"y has {columns} output column(s) (shape {targets.shape}), but "
                f"{type(self).__name__} was fitted on {self.n_outputs_}."
            )
        return targets

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Network outputs shaped like the fitted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_outputs) or (n_samples,)
            Network outputs.

        Returns
        -------
        ndarray
            1-D for 1-D fitted targets, else ``(n_samples, n_outputs)``.
        """
        check_is_fitted(self)
        return np.asarray(X).reshape(-1, *self._y_shape[1:])

    def get_metadata(self) -> dict[str, Any]:
        """What a wrapper learns from this encoder (copied into ``meta``).

        Returns
        -------
        dict
            ``n_outputs_``, ``n_outputs_expected_``.
        """
        check_is_fitted(self)
        return {
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
        }

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        # Its input is y (1-D allowed), not a feature matrix: see above.
        tags.no_validation = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class TargetReshaper(TransformerMixin, BaseEstimator):
    """1-D targets as one column, and back (scikeras's ``TargetReshaper``).

    For transformers that take 2-D input only (``OneHotEncoder``,
    ``OrdinalEncoder``) in a ``target_encoder`` pipeline.

    Attributes
    ----------
    ndim_ : int
        Dimensions of the targets it was fitted on.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.utils.transformers import TargetReshaper
    >>> reshaper = TargetReshaper().fit(np.array([1, 2, 3]))
    >>> reshaper.transform(np.array([1, 2])).shape
    (2, 1)
    >>> reshaper.inverse_transform(np.array([[1], [2]])).shape
    (2,)
    """

    def fit(self, X: Any, y: Any = None) -> TargetReshaper:
        """Remember the targets' number of dimensions.

        Parameters
        ----------
        X : array-like
            The targets.
        y : None
            Unused (scikit-learn's signature).

        Returns
        -------
        self : TargetReshaper
            The fitted reshaper.
        """
        X = _any_targets(X)
        self.ndim_ = X.ndim
        self._sample_shape = _as_2d(X).shape[1:]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """1-D targets as a column; others unchanged.

        Parameters
        ----------
        X : array-like
            Targets.

        Returns
        -------
        ndarray
            At least 2-D.
        """
        check_is_fitted(self)
        X = _as_2d(_any_targets(X))
        if X.shape[1:] != self._sample_shape:
            raise ValueError(
                f"X has rows of shape {X.shape[1:]}, but {type(self).__name__} "
                f"was fitted on rows of shape {self._sample_shape}."
            )
        return X

    def inverse_transform(self, X: Any) -> np.ndarray:
        """A column back to 1-D when the fitted targets were 1-D.

        Parameters
        ----------
        X : array-like
            Transformed targets (or outputs).

        Returns
        -------
        ndarray
            1-D for a one-column X and 1-D fitted targets, else unchanged.

        Raises
        ------
        NotFittedError
            Before :meth:`fit` ("is not initialized").
        """
        if not hasattr(self, "ndim_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not initialized: call fit before "
                "inverse_transform."
            )
        X = np.asarray(X)
        if self.ndim_ == 1 and X.ndim == 2 and X.shape[1] == 1:
            return X[:, 0]
        return X

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.no_validation = True  # any targets: a reshape never reads values
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _any_targets(X: Any) -> np.ndarray:
    """Targets of any dtype and number of dimensions, as a dense array."""
    return check_array(
        X, ensure_2d=False, allow_nd=True, dtype=None, ensure_all_finite=False
    )


def _as_2d(X: np.ndarray) -> np.ndarray:
    return X.reshape(-1, 1) if X.ndim == 1 else X


def _is_auto(categories: Any) -> bool:
    return isinstance(categories, str) and categories == "auto"


__all__ = ["ClassifierLabelEncoder", "RegressorTargetEncoder", "TargetReshaper"]
