"""Plots of training, searches and predictions, as scikit-learn ``Display`` objects.

Each display follows scikit-learn's visualization API
(:class:`~sklearn.metrics.ConfusionMatrixDisplay` is the model): a
``from_estimator`` / ``from_predictions`` / ``from_...`` class method computes
what to draw and calls :meth:`plot`, which draws on given or new matplotlib
axes and keeps the figure, the axes and the artists as attributes
(``figure_``, ``ax_``, ``lines_``...) for further styling.

matplotlib is an optional dependency (``pip install sklearn-dl[plot]``); it is
imported only when something is drawn, never by importing this package.

For the decision boundary of any classifier on 2-D data, use scikit-learn's
own :class:`sklearn.inspection.DecisionBoundaryDisplay`; it works unchanged
with sklearn_dl estimators::

    from sklearn.inspection import DecisionBoundaryDisplay
    display = DecisionBoundaryDisplay.from_estimator(classifier, X_2d)
    display.ax_.scatter(X_2d[:, 0], X_2d[:, 1], c=y, edgecolor="k")
"""

from ._class_probability import ClassProbabilityDisplay
from ._error_counts import ErrorCountDisplay
from ._history import TrainingHistoryDisplay
from ._image_grid import ImageGridDisplay
from ._misclassified import MisclassifiedGridDisplay
from ._search import SearchResultsDisplay
from ._sequence import SequencePredictionDisplay

__all__ = [
    "ClassProbabilityDisplay",
    "ErrorCountDisplay",
    "ImageGridDisplay",
    "MisclassifiedGridDisplay",
    "SearchResultsDisplay",
    "SequencePredictionDisplay",
    "TrainingHistoryDisplay",
]
