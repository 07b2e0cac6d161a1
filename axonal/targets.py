"""Targets, masks and loss weights, checked and shaped once before training.

For outputs ``(batch, k)`` the loss rows are the samples; for outputs at every
time step ``(batch, time, k)`` each (sample, step) is a row of its own, weighted
by the padding mask and any per-step ``sample_weight``.
"""

from __future__ import annotations

import math

import numpy as np

from . import losses as _losses
from ._validation import check_finite

__all__ = ["class_weights_to_sample_weights"]


def loss_rows(pred, truth, mask):
    """Predictions and targets as loss rows: a sequence's real steps become rows of their own."""
    if pred.ndim == 2:
        return pred, truth
    pred, truth = pred.reshape(-1, pred.shape[-1]), truth.reshape(-1, truth.shape[-1])
    if mask is None:
        return pred, truth
    keep = mask.reshape(-1) > 0
    return pred[keep], truth[keep]


def sequence_output(net) -> bool:
    """Whether the network outputs a value at every time step: ``(batch, time, k)``."""
    return len(net.output_shape) == 2 and net.output_shape[0] is None


def prepare_targets(loss_fn, y, n_outputs, dtype, seq_out, x, where="fit"):
    """Targets validated once: ``(samples, k)``, or ``(samples, time, k)`` for outputs at every step."""
    if not seq_out:
        t = np.ascontiguousarray(loss_fn.prepare_targets(y, n_outputs, dtype))
    else:
        steps = x.shape[1]
        if y.ndim < 2 or y.shape[1] != steps:
            raise ValueError(f"{where}: the network outputs a value at each of the {steps} time steps, so y needs "
                             f"shape (samples, {steps}, {n_outputs}) or class labels (samples, {steps}); "
                             f"got {y.shape}")
        flat = loss_fn.prepare_targets(y.reshape((-1,) + y.shape[2:]), n_outputs, dtype)
        t = np.ascontiguousarray(flat.reshape(y.shape[0], steps, n_outputs))
    check_finite(t.reshape(t.shape[0], -1), where, "targets")
    return t


def check_mask(mask, x, where="fit"):
    if mask is None:
        return None
    mask = np.asarray(mask)
    if x.ndim != 3 or mask.shape != x.shape[:2]:
        raise ValueError(f"{where}: mask must have shape (samples, time) = {x.shape[:2]}, got {mask.shape}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"{where}: mask must hold only 0 (padding) and 1 (a real step)")
    if not mask.any(axis=1).all():
        raise ValueError(f"{where}: sample {int(np.argmin(mask.any(axis=1)))} has no real step in its mask")
    return mask.astype(x.dtype)


def loss_weights(sample_weight, class_weight, t, loss_fn, n, seq_out=False, mask=None):
    """Weights of the loss rows: ``(samples,)``, or ``(samples, time)`` for outputs at every step."""
    weights = None
    if sample_weight is not None and seq_out and np.ndim(sample_weight) == 2:
        weights = np.asarray(sample_weight, dtype=np.float64)  # a weight per (sample, step)
        if weights.shape != t.shape[:2]:
            raise ValueError(f"fit: per-step sample_weight must have shape (samples, time) = {t.shape[:2]}, "
                             f"got {weights.shape}")
        if not (np.isfinite(weights).all() and (weights >= 0).all()) or weights.sum() <= 0:
            raise ValueError("fit: sample_weight must be finite, >= 0 and not all 0")
    elif sample_weight is not None:
        weights = _losses.check_sample_weight(sample_weight, n)
    if class_weight is not None:
        per_row = class_weights_to_sample_weights(class_weight, t.reshape(-1, t.shape[-1]))
        per_row = per_row.reshape(t.shape[:-1])
        weights = per_row if weights is None else (weights.reshape((n,) + (1,) * (per_row.ndim - 1)) * per_row)
    if seq_out and mask is not None:
        weights = mask if weights is None else (weights.reshape(n, -1) * mask)
    if seq_out and weights is not None and weights.ndim == 1:
        weights = np.repeat(weights[:, None], t.shape[1], axis=1)
    return None if weights is None else np.ascontiguousarray(weights, dtype=t.dtype)


def class_weights_to_sample_weights(class_weight, targets: np.ndarray) -> np.ndarray:
    """Per-sample weights from class weights, for one-hot rows or a single 0/1 output.

    ``class_weight`` maps a class index to its weight, or is ``"balanced"``:
    ``w_c = n / (k·n_c)``, so every class carries the same total weight.
    """
    targets = np.asarray(targets)
    if targets.ndim == 2 and targets.shape[1] > 1:
        labels = targets.argmax(axis=1)
        k = targets.shape[1]
    else:
        flat = targets.reshape(-1)
        if not np.isin(flat, (0, 1)).all():
            raise ValueError("class_weight needs class targets: one-hot rows or a single 0/1 output")
        labels, k = flat.astype(np.int64), 2
    counts = np.bincount(labels, minlength=k)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be a dict or 'balanced', got {class_weight!r}")
        table = np.where(counts > 0, len(labels) / (k * np.maximum(counts, 1)), 0.0)
    elif isinstance(class_weight, dict):
        unknown = [c for c in class_weight if not (isinstance(c, (int, np.integer)) and 0 <= c < k)]
        if unknown:
            raise ValueError(f"class_weight names classes {unknown}; classes are 0..{k - 1}")
        table = np.ones(k)
        for c, w in class_weight.items():
            if not (w >= 0 and math.isfinite(w)):
                raise ValueError(f"class_weight for class {c} must be finite and >= 0, got {w!r}")
            table[int(c)] = float(w)
    else:
        raise TypeError(f"class_weight must be a dict or 'balanced', got {type(class_weight).__name__}")
    return table[labels]
