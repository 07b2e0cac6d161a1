"""Metrics: numbers that say how good predictions are, for people and for early stopping.

A metric is not a loss: nothing is differentiated, and it may count (accuracy) or
threshold (0.5 for a single probability). Every function takes NumPy arrays
``y_true`` and ``y_pred`` with one row per sample and returns Python floats (or,
for per-class results, arrays).

Classification metrics read labels from either side:

* ``(n,)`` or ``(n, 1)`` integers (or integer-valued floats): class labels;
* ``(n, k)`` with ``k > 1``: one-hot or probability rows for ``y_true``, scores,
  probabilities or logits for ``y_pred``; the label is the row's ``argmax``;
* ``(n,)`` or ``(n, 1)`` non-integer ``y_pred`` in ``[0, 1]``: probabilities of
  class 1; the label is ``1`` where ``p > 0.5``, else ``0``.

Outputs on logits must go through the loss's ``link`` first (a logit of 0.3 is a
probability of 0.57, not a 0).

Regression metrics take ``(n,)`` or ``(n, outputs)`` arrays of the same shape
(``(n,)`` and ``(n, 1)`` count as the same) and average over outputs uniformly.

Every input must be finite: NaN or Inf raises ``ValueError`` naming its row.

``get("accuracy")`` looks a metric up by the name ``fit(metrics=[...])`` accepts;
the :class:`Metric` it returns knows whether higher is better.

>>> import numpy as np
>>> accuracy([0, 1, 1, 0], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
0.75
>>> accuracy([[0], [1], [1], [0]], [[0.1], [0.7], [0.4], [0.2]])
0.75

Modules: :mod:`~axonal.metrics.classification`, :mod:`~axonal.metrics.ranking` (ROC AUC),
:mod:`~axonal.metrics.regression`,
:mod:`~axonal.metrics.registry` (names for ``fit``).
"""

from .classification import accuracy, confusion_matrix, format_confusion_matrix, precision_recall_f1
from .ranking import roc_auc
from .registry import ALIASES, REGISTRY, Metric, get, names
from .regression import mean_absolute_error, mean_squared_error, r2_score

__all__ = [
    "accuracy", "precision_recall_f1", "confusion_matrix", "format_confusion_matrix",
    "mean_squared_error", "mean_absolute_error", "r2_score", "roc_auc",
    "Metric", "get", "names", "REGISTRY", "ALIASES",
]
