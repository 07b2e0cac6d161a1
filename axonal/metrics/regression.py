"""Regression metrics: mean squared error, mean absolute error, R²."""

from __future__ import annotations

import numpy as np

from ._arrays import _regression_pair

__all__ = ["mean_squared_error", "mean_absolute_error", "r2_score"]


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
