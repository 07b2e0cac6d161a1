"""Reading ``y_true`` and ``y_pred`` for the metrics: numeric, finite, labels from either side."""

from __future__ import annotations

import numpy as np

from .._validation import check_finite

_ROW_SUM_TOL = 1e-3  # class-target rows must sum to 1 within this (as the losses require)


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
