"""The metrics ``fit(metrics=[...])`` accepts, by name, and which way each one improves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..registry import Registry
from .classification import accuracy, precision_recall_f1
from .ranking import roc_auc
from .regression import mean_absolute_error, mean_squared_error, r2_score

__all__ = ["Metric", "REGISTRY", "ALIASES", "names", "get"]


@dataclass(frozen=True)
class Metric:
    """A named metric: ``metric(y_true, y_pred) -> float``.

    Attributes
    ----------
    name : str
        The key in ``History.metrics`` (``"val_" + name`` on validation data).
    fn : callable
    greater_is_better : bool
        ``True`` for scores (accuracy, F1, R²), ``False`` for errors (MSE, MAE); tells
        early stopping which way is an improvement.
    """

    name: str
    fn: Callable
    greater_is_better: bool

    def __call__(self, y_true, y_pred) -> float:
        return float(self.fn(y_true, y_pred))


def _macro(index):
    def score(y_true, y_pred):
        return precision_recall_f1(y_true, y_pred, average="macro")[index]
    return score


ALIASES = {
    "acc": "accuracy", "f1_score": "f1", "mean_squared_error": "mse",
    "mean_absolute_error": "mae", "r2_score": "r2", "roc_auc": "auc",
}
REGISTRY = Registry("metric", {
    m.name: m for m in (
        Metric("accuracy", accuracy, True),
        Metric("precision", _macro(0), True),
        Metric("recall", _macro(1), True),
        Metric("f1", _macro(2), True),
        Metric("mse", mean_squared_error, False),
        Metric("mae", mean_absolute_error, False),
        Metric("r2", r2_score, True),
        Metric("auc", roc_auc, True),
    )
}, aliases=ALIASES)
#: Every name :func:`get` accepts.
names = REGISTRY.names


def get(spec) -> Metric:
    """A :class:`Metric` from its name (``"accuracy"``, ``"f1"``, ``"mse"`` …) or a Metric.

    ``"precision"``, ``"recall"`` and ``"f1"`` are macro averages.

    >>> get("mse").greater_is_better, get("f1").greater_is_better
    (False, True)
    """
    if isinstance(spec, Metric):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"metric must be a name or a Metric, got {type(spec).__name__}")
    return REGISTRY.lookup(spec)
