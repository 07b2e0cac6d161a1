"""Checks of the training data, made once before training.

* **inputs far from unit scale** (the articles: a unit's state ``z = Σ w_i·x_i + b`` with inputs
  in the hundreds starts saturated or huge, and the error surface is stretched along the large
  features, so no single learning rate suits every weight). Measured: each feature's root mean
  square ``√(mean_n x²)`` over the rows the first layer sees, unless that layer is a scaling layer
  (``Standardize``, ``MinMaxScale``, ``BatchNorm``, ``LayerNorm``). Threshold: the largest above
  ``MAX_INPUT_RMS`` = 50 (pixels 0..16 pass, 0..255 do not), or the largest spread ``std`` over the smallest non-zero one above
  ``MAX_SPREAD_RATIO`` = 1000.
* **strongly imbalanced classes** (a classifier that always answers the majority class already
  has a low loss, and the rare class's gradient is drowned). Measured: the (weighted) count of
  the most frequent class over the least frequent present one; threshold ``MAX_IMBALANCE`` = 10,
  unless ``class_weight`` was given (and not for a class per time step, such as a character
  model's next character, whose frequencies are the data's own).
* **a feature that equals the target** (a leak: the network learns to copy it and nothing else).
  Measured: the correlation ``|r|`` of each feature with each target column (and with the class
  codes), on at most 5000 rows; threshold ``|r| >= MIN_LEAK_CORRELATION`` = 0.9999 (a copy up to a
  linear map) when there are two features or more. With a single feature a perfect line is the
  task itself (a linear regression), so only an exact copy counts there.
"""

from __future__ import annotations

import numpy as np

from .findings import Finding

__all__ = ["input_scale", "class_balance", "target_leak", "MAX_INPUT_RMS", "MAX_SPREAD_RATIO", "MAX_IMBALANCE",
           "MIN_LEAK_CORRELATION"]

MAX_INPUT_RMS = 50.0
MAX_SPREAD_RATIO = 1000.0
MAX_IMBALANCE = 10.0
MIN_LEAK_CORRELATION = 0.9999
_SCALERS = ("Standardize", "MinMaxScale", "BatchNorm", "LayerNorm")
_ROWS = 5000


def _table(x):
    """``x`` as rows of features ``(n, d)`` (a sequence's steps become rows), at most ``_ROWS`` rows."""
    x = np.asarray(x)
    if x.ndim != 2:
        x = x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x.reshape(len(x), -1)
    return x[:: max(1, len(x) // _ROWS)][:_ROWS].astype(np.float64, copy=False)


def input_scale(net, x) -> Finding | None:
    """Inputs far from unit scale, where the first layer does not rescale them itself."""
    layers = getattr(net, "layers", None)
    if not layers or type(layers[0]).__name__ in _SCALERS:
        return None
    rows = _table(x)
    if rows.size == 0:
        return None
    rms = np.sqrt(np.mean(rows ** 2, axis=0))
    spread = rows.std(axis=0)
    live = spread[spread > 0]
    ratio = float(live.max() / live.min()) if live.size else 1.0
    worst = int(np.argmax(rms))
    if rms[worst] <= MAX_INPUT_RMS and ratio <= MAX_SPREAD_RATIO:
        return None
    names = getattr(net, "feature_names_", None)
    column = repr(names[worst]) if names is not None and worst < len(names) else f"{worst}"
    measured = (f"input feature {column} has root mean square {rms[worst]:.3g} (more than {MAX_INPUT_RMS:g})"
                if rms[worst] > MAX_INPUT_RMS else
                f"the input features' spreads differ {ratio:.3g}-fold (more than {MAX_SPREAD_RATIO:g}-fold)")
    return Finding("input_scale", f"inputs far from unit scale: {measured}",
                   "put a Standardize() layer first (it learns the mean and spread on the first fit and keeps them "
                   "in the model), or scale the inputs to mean 0 and standard deviation 1")


def class_balance(t, weights=None, classes=None) -> Finding | None:
    """Strongly imbalanced classes: one-hot (or probability) rows ``(n, K)``, or one logistic column."""
    t = np.asarray(t)
    t = t.reshape(-1, t.shape[-1]) if t.ndim > 1 else t.reshape(-1, 1)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if w is not None and w.size != t.shape[0]:
        w = None
    codes = (t[:, 0] > 0.5).astype(np.int64) if t.shape[1] == 1 else np.argmax(t, axis=1)
    counts = np.bincount(codes, weights=w, minlength=max(2, t.shape[1]))
    present = counts[counts > 0]
    if present.size < 2:
        return None
    ratio = float(present.max() / present.min())
    if ratio <= MAX_IMBALANCE:
        return None
    names = list(classes) if classes is not None and len(classes) == len(counts) else list(range(len(counts)))
    rare = names[int(np.argmin(np.where(counts > 0, counts, np.inf)))]
    common = names[int(np.argmax(counts))]
    return Finding("class_imbalance",
                   f"strongly imbalanced classes: class {common!r} has {ratio:.3g} times the samples of class "
                   f"{rare!r} (more than {MAX_IMBALANCE:g})",
                   "pass class_weight='balanced' to fit (or resample the data), and judge the model by a per-class "
                   "score such as macro F1, not accuracy")


def target_leak(net, x, t, codes=None) -> Finding | None:
    """A feature equal to the target (up to a linear map): ``|corr(x_j, t_k)| >= MIN_LEAK_CORRELATION``."""
    rows = _table(x)
    t = np.asarray(t)
    if t.ndim > 2 or rows.shape[0] != t.shape[0] or rows.shape[0] < 3:
        return None
    step = max(1, len(t) // _ROWS)
    targets = t.reshape(len(t), -1)[::step][:_ROWS].astype(np.float64)
    if codes is not None:
        targets = np.column_stack([targets, np.asarray(codes, dtype=np.float64)[::step][:_ROWS]])
    xc, tc = rows - rows.mean(axis=0), targets - targets.mean(axis=0)
    sx, st = np.sqrt((xc ** 2).sum(axis=0)), np.sqrt((tc ** 2).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(xc.T @ tc) / np.outer(sx, st)
    r[~np.isfinite(r)] = 0.0
    if r.size == 0 or r.max() < MIN_LEAK_CORRELATION:
        return None
    if rows.shape[1] < 2:
        exact = np.abs(rows[:, :1] - targets) <= 1e-6 * (1.0 + np.abs(targets))
        if not exact.all(axis=0).any():
            return None
    j = int(np.unravel_index(np.argmax(r), r.shape)[0])
    names = getattr(net, "feature_names_", None)
    column = repr(names[j]) if names is not None and j < len(names) else f"{j}"
    return Finding("target_leak",
                   f"input feature {column} equals the target (correlation {r.max():.6f}): the network can copy it "
                   f"and learn nothing else",
                   "remove that column from the inputs (it is the target or computed from it); a feature known "
                   "only after the fact cannot be used to predict")
