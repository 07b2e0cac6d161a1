"""Classification metrics: accuracy, precision/recall/F1, the confusion matrix."""

from __future__ import annotations

import numpy as np

from ._arrays import _classes, _index_in, _label_pair, _safe_divide

__all__ = ["accuracy", "precision_recall_f1", "confusion_matrix", "format_confusion_matrix"]


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


def _format_count(value):
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}"  # a normalised matrix
    return str(int(value))
