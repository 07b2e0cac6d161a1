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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validation import check_finite

__all__ = [
    "accuracy", "precision_recall_f1", "confusion_matrix", "format_confusion_matrix",
    "mean_squared_error", "mean_absolute_error", "r2_score",
    "Metric", "get", "names", "REGISTRY",
]

_ROW_SUM_TOL = 1e-3  # class-target rows must sum to 1 within this (as the losses require)


# -- classification -------------------------------------------------------------------------
def accuracy(y_true, y_pred) -> float:
    """The fraction of samples whose predicted label equals the true label.

    ``accuracy = (1/n)·Σ_i [ŷ_i = t_i]``

    Parameters
    ----------
    y_true : array (n,), (n, 1) or (n, k)
        Class labels, or one-hot rows.
    y_pred : array (n,), (n, 1) or (n, k)
        Labels; scores or probabilities of ``k`` classes (argmax); or probabilities
        of class 1 (label 1 where ``p > 0.5``). See the module docstring.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> accuracy([2, 0, 1], [2, 1, 1])
    0.6666666666666666
    """
    t, p = _label_pair("accuracy", y_true, y_pred)
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, *, labels=None) -> np.ndarray:
    """Counts of (true label, predicted label) pairs: rows are true, columns predicted.

    ``C[i, j] = #{samples with t = labels[i] and ŷ = labels[j]}``; the diagonal
    holds the correct predictions.

    Parameters
    ----------
    y_true, y_pred : arrays
        As for :func:`accuracy`.
    labels : sequence of int, optional
        The classes and their order. By default the sorted labels that occur in
        either array; give ``labels=range(k)`` for a ``k × k`` matrix that keeps
        classes nobody predicted. Samples whose true or predicted label is not
        in ``labels`` are left out.

    Returns
    -------
    ndarray (n_labels, n_labels) of int64

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1])
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 1, 0]])
    """
    t, p = _label_pair("confusion_matrix", y_true, y_pred)
    classes = _classes("confusion_matrix", labels, t, p)
    ti, pi = _index_in(classes, t), _index_in(classes, p)
    keep = (ti >= 0) & (pi >= 0)
    k = len(classes)
    flat = np.bincount(ti[keep] * k + pi[keep], minlength=k * k)
    return flat.reshape(k, k).astype(np.int64)


def precision_recall_f1(y_true, y_pred, *, average: str | None = "macro", labels=None):
    """Precision, recall and F1 of each class, or their unweighted (macro) mean.

    For class ``c`` with ``tp`` true positives, ``fp`` false positives (predicted
    ``c``, truly another) and ``fn`` false negatives (truly ``c``, predicted another)::

        precision_c = tp / (tp + fp)      recall_c = tp / (tp + fn)
        F1_c        = 2·tp / (2·tp + fp + fn)    (the harmonic mean of the two)

    A zero denominator (a class never predicted, or never present) gives 0 for
    that value, without a warning; F1 is 0 only when ``tp = 0``. Macro averaging
    then takes the plain mean over classes, so such a class pulls the mean down.

    Parameters
    ----------
    y_true, y_pred : arrays
        As for :func:`accuracy`.
    average : "macro" or None, default "macro"
        ``None`` returns the per-class arrays.
    labels : sequence of int, optional
        The classes to score, in order; by default the sorted labels occurring in
        either array. Predictions of a class outside ``labels`` still count as
        false negatives of the true class.

    Returns
    -------
    (precision, recall, f1)
        Three floats for ``average="macro"``; three arrays of shape ``(n_labels,)``
        for ``average=None``.

    Examples
    --------
    >>> p, r, f = precision_recall_f1([0, 0, 1, 1], [0, 1, 1, 1], average=None)
    >>> p.tolist(), r.tolist()
    ([1.0, 0.6666666666666666], [0.5, 1.0])
    """
    if average not in ("macro", None):
        raise ValueError(f"precision_recall_f1: average must be 'macro' or None, got {average!r}")
    t, p = _label_pair("precision_recall_f1", y_true, y_pred)
    classes = _classes("precision_recall_f1", labels, t, p)
    ti, pi = _index_in(classes, t), _index_in(classes, p)
    k = len(classes)
    true_count = np.bincount(ti[ti >= 0], minlength=k)   # tp + fn
    pred_count = np.bincount(pi[pi >= 0], minlength=k)   # tp + fp
    tp = np.bincount(ti[(ti >= 0) & (ti == pi)], minlength=k)
    precision = _safe_divide(tp, pred_count)
    recall = _safe_divide(tp, true_count)
    f1 = _safe_divide(2 * tp, true_count + pred_count)  # 2tp + fp + fn = (tp+fn) + (tp+fp)
    if average is None:
        return precision, recall, f1
    return float(precision.mean()), float(recall.mean()), float(f1.mean())


def format_confusion_matrix(matrix, class_names=None) -> str:
    """A plain-text table of a confusion matrix, for the terminal.

    Parameters
    ----------
    matrix : array (k, k)
        Rows are true classes, columns predicted ones (:func:`confusion_matrix`).
    class_names : sequence of str, optional
        ``k`` names, in the order of the rows; by default ``"0" … "k-1"``.

    Returns
    -------
    str
        One header line of predicted names, then one line per true class;
        numbers right-aligned, no trailing newline.

    Examples
    --------
    >>> print(format_confusion_matrix([[5, 1], [0, 12]], ["cat", "dog"]))
    true \\ predicted  cat  dog
                 cat    5    1
                 dog    0   12
    """
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"format_confusion_matrix: matrix must be square (k, k), got shape {m.shape}")
    k = m.shape[0]
    names_ = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names_) != k:
        raise ValueError(f"format_confusion_matrix: {len(names_)} class names for a {k} × {k} matrix")
    cells = [[_format_count(v) for v in row] for row in m]
    corner = "true \\ predicted"
    first = max([len(corner)] + [len(n) for n in names_])
    widths = [max([len(names_[j])] + [len(row[j]) for row in cells]) for j in range(k)]
    lines = [corner.ljust(first) + "".join("  " + names_[j].rjust(widths[j]) for j in range(k))]
    for name, row in zip(names_, cells):
        lines.append(name.rjust(first) + "".join("  " + row[j].rjust(widths[j]) for j in range(k)))
    return "\n".join(lines)


# -- regression -----------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred) -> float:
    """``MSE = (1/(n·K))·Σ_i Σ_k (ŷ_ik - t_ik)²``: the mean over samples and outputs.

    With the same number of samples per output this is also the uniform average of
    each output's MSE. No ½ (the ``mse`` loss's convention).

    Parameters
    ----------
    y_true, y_pred : array (n,) or (n, K), same shape

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    t, p = _regression_pair("mean_squared_error", y_true, y_pred)
    r = p - t
    return float(np.mean(r * r))


def mean_absolute_error(y_true, y_pred) -> float:
    """``MAE = (1/(n·K))·Σ_i Σ_k |ŷ_ik - t_ik|``: the mean over samples and outputs.

    Parameters
    ----------
    y_true, y_pred : array (n,) or (n, K), same shape

    Examples
    --------
    >>> mean_absolute_error([[1.0, 0.0], [2.0, 0.0]], [[1.5, 1.0], [2.0, -1.0]])
    0.625
    """
    t, p = _regression_pair("mean_absolute_error", y_true, y_pred)
    return float(np.mean(np.abs(p - t)))


def r2_score(y_true, y_pred) -> float:
    """The coefficient of determination, averaged uniformly over outputs.

    For output ``k``::

        R²_k = 1 - SS_res / SS_tot,   SS_res = Σ_i (t_ik - ŷ_ik)²,   SS_tot = Σ_i (t_ik - t̄_k)²

    1 is a perfect fit, 0 what predicting the mean achieves; it is negative for
    anything worse. A constant target column (``SS_tot = 0``) makes ``R²_k`` 1 if
    it is predicted exactly and 0 otherwise, instead of ±∞ or NaN (scikit-learn's
    ``force_finite=True``). The result is ``(1/K)·Σ_k R²_k``.

    Parameters
    ----------
    y_true, y_pred : array (n,) or (n, K), same shape, n >= 2

    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 2.0])
    0.5
    """
    t, p = _regression_pair("r2_score", y_true, y_pred)
    if t.shape[0] < 2:
        raise ValueError(f"r2_score: needs at least 2 samples to measure the spread of the targets, "
                         f"got {t.shape[0]}")
    ss_res = np.sum((t - p) ** 2, axis=0)
    ss_tot = np.sum((t - t.mean(axis=0)) ** 2, axis=0)
    constant = ss_tot == 0
    per_output = np.empty(t.shape[1])
    per_output[~constant] = 1.0 - ss_res[~constant] / ss_tot[~constant]
    per_output[constant] = np.where(ss_res[constant] == 0, 1.0, 0.0)
    return float(per_output.mean())


# -- the registry for fit(metrics=[...]) --------------------------------------------------------
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


REGISTRY: dict[str, Metric] = {
    m.name: m for m in (
        Metric("accuracy", accuracy, True),
        Metric("precision", _macro(0), True),
        Metric("recall", _macro(1), True),
        Metric("f1", _macro(2), True),
        Metric("mse", mean_squared_error, False),
        Metric("mae", mean_absolute_error, False),
        Metric("r2", r2_score, True),
    )
}
ALIASES = {
    "acc": "accuracy", "f1_score": "f1", "mean_squared_error": "mse",
    "mean_absolute_error": "mae", "r2_score": "r2",
}


def names() -> list[str]:
    """Every name :func:`get` accepts."""
    return sorted(set(REGISTRY) | set(ALIASES))


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
    key = spec.lower().replace("-", "_")
    key = ALIASES.get(key, key)
    try:
        return REGISTRY[key]
    except KeyError:
        raise ValueError(f"unknown metric {spec!r}; valid names: {', '.join(names())}") from None


# -- helpers ------------------------------------------------------------------------------------
def _as_array(y, where, role):
    try:
        arr = np.asarray(y)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{where}: {role} could not be read as an array ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{where}: {role} must be numeric, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{where}: {role} must be real, got dtype {arr.dtype}")
    if arr.ndim == 0 or arr.ndim > 2:
        raise ValueError(f"{where}: {role} must have shape (n,) or (n, k), got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{where}: {role} has no samples (shape {arr.shape})")
    check_finite(arr, where, role)
    return arr


def _to_labels(arr, where, role):
    """1-D labels from ``arr`` (see the module docstring); ``role`` is "y_true" or "y_pred"."""
    if arr.ndim == 2 and arr.shape[1] > 1:
        if role == "y_true":
            sums = arr.sum(axis=1, dtype=np.float64)
            bad = np.abs(sums - 1.0) > _ROW_SUM_TOL
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(
                    f"{where}: y_true row {i} sums to {sums[i]:.4g}; a (n, k) y_true must hold one-hot "
                    f"(or probability) rows. Multi-label targets are not supported"
                )
        return arr.argmax(axis=1)
    flat = arr.reshape(-1)
    if flat.dtype == bool or np.issubdtype(flat.dtype, np.integer):
        return flat.astype(np.int64)
    integral = flat == np.round(flat)
    if integral.all():
        return flat.astype(np.int64)
    if role == "y_pred" and np.all((flat >= 0) & (flat <= 1)):
        return (flat > 0.5).astype(np.int64)
    i = int(np.argmin(integral))
    found = f"the non-integer {flat[i].item()!r} at row {i}"
    if role == "y_pred":  # not all in [0, 1]: name a value outside too
        j = int(np.argmax((flat < 0) | (flat > 1)))
        raise ValueError(f"{where}: y_pred of shape {arr.shape} holds {found} and {flat[j].item()!r} at row {j}; "
                         f"expected class labels, or probabilities in [0, 1]")
    raise ValueError(f"{where}: y_true of shape {arr.shape} holds {found}; expected integer class labels")


def _label_pair(where, y_true, y_pred):
    t_arr, p_arr = _as_array(y_true, where, "y_true"), _as_array(y_pred, where, "y_pred")
    t_cols = t_arr.shape[1] if t_arr.ndim == 2 else 1
    p_cols = p_arr.shape[1] if p_arr.ndim == 2 else 1
    if t_arr.shape[0] != p_arr.shape[0] or (t_cols > 1 and p_cols > 1 and t_cols != p_cols):
        raise ValueError(f"{where}: y_true has shape {t_arr.shape} but y_pred has shape {p_arr.shape}")
    return _to_labels(t_arr, where, "y_true"), _to_labels(p_arr, where, "y_pred")


def _classes(where, labels, t, p):
    if labels is None:
        return np.union1d(t, p)
    classes = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError(f"{where}: labels must be a non-empty sequence of class labels, "
                         f"got shape {classes.shape}")
    if not (np.issubdtype(classes.dtype, np.integer) or classes.dtype == bool):
        if not (np.issubdtype(classes.dtype, np.floating) and np.all(classes == np.round(classes))):
            raise ValueError(f"{where}: labels must be integers, got {classes.tolist()!r}")
    classes = classes.astype(np.int64)
    if np.unique(classes).size != classes.size:
        raise ValueError(f"{where}: labels repeat a class: {classes.tolist()}")
    return classes


def _index_in(classes, values):
    """Position of each value in ``classes`` (any order), or -1 where it is absent."""
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    pos = np.clip(np.searchsorted(sorted_classes, values), 0, len(classes) - 1)
    found = sorted_classes[pos] == values
    return np.where(found, order[pos], -1)


def _safe_divide(numerator, denominator):
    """``numerator / denominator`` element-wise, 0 where the denominator is 0."""
    out = np.zeros(len(numerator), dtype=np.float64)
    nonzero = denominator > 0
    out[nonzero] = numerator[nonzero] / denominator[nonzero]
    return out


def _regression_pair(where, y_true, y_pred):
    t = _as_array(y_true, where, "y_true").astype(np.float64)
    p = _as_array(y_pred, where, "y_pred").astype(np.float64)
    t2 = t[:, None] if t.ndim == 1 else t
    p2 = p[:, None] if p.ndim == 1 else p
    if t2.shape != p2.shape:
        raise ValueError(f"{where}: y_true has shape {t.shape} but y_pred has shape {p.shape}")
    return t2, p2


def _format_count(value):
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}"  # a normalised matrix
    return str(int(value))
