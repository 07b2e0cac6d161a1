"""The losses of :mod:`axonal.losses` for the compiled dense epoch (:mod:`axonal.kernels.dense_epoch`).

The reference is each loss's ``value_and_grad`` (:mod:`axonal.losses.regression`,
:mod:`axonal.losses.classification`): per sample ``ℓ`` and ``∂ℓ/∂ŷ`` (K outputs,
``r = ŷ - t``, ``p`` the probability clipped into ``[lo, hi]``, ``lo``/``hi`` being
``1e-7`` and ``1 - 1e-7`` rounded to the data's dtype)::

    mse                 ℓ = Σ r²/K                          ∂ℓ/∂ŷ = 2r/K
    squared_error       ℓ = ½ Σ r²                          ∂ℓ/∂ŷ = r
    mae                 ℓ = Σ |r|/K                         ∂ℓ/∂ŷ = sign(r)/K
    huber (δ)           ℓ = Σ (½q² + δ(|r| - q))/K          ∂ℓ/∂ŷ = clip(r, ±δ)/K,  q = min(|r|, δ)
    binary CE           ℓ = -Σ [t ln p + (1-t) ln(1-p)]/K   ∂ℓ/∂ŷ = (p - t)/(p(1-p))/K
    binary CE, logits   ℓ = Σ [max(z,0) - z·t + ln(1+e^-|z|)]/K   ∂ℓ/∂z = (σ(z) - t)/K
    categorical CE      ℓ = -Σ t ln p  (p = max(ŷ, lo))     ∂ℓ/∂ŷ = -t/p
    softmax CE          ℓ = logsumexp(z) - Σ t·z            ∂ℓ/∂z = softmax(z) - t

and the batch ``E = Σ_r w_r·ℓ_r / Σ_r w_r`` with ``∂E/∂ŷ_r = w_r/Σw · ∂ℓ_r/∂ŷ_r``
(``w_r = 1`` without sample weights; unweighted mse as the reference fuses it,
``∂E/∂ŷ = 2r/(B·K)``).
"""

from __future__ import annotations

import math

import numba

__all__ = ["batch_loss", "term", "finish", "LOSSES"]

MSE, SQUARED_ERROR, MAE, HUBER, BCE, BCE_LOGITS, CCE, SOFTMAX_CE = range(8)
#: loss name -> code
LOSSES = {"mse": MSE, "squared_error": SQUARED_ERROR, "mae": MAE, "huber": HUBER, "binary_cross_entropy": BCE,
          "binary_cross_entropy_logits": BCE_LOGITS, "categorical_cross_entropy": CCE,
          "softmax_cross_entropy": SOFTMAX_CE}


@numba.njit(cache=True)
def term(code, param, lo, hi, y, tk, k_out, scale_mse):
    """One output's part of ``ℓ`` (before :func:`finish`) and its ``∂ℓ/∂ŷ`` (unscaled), from ``ŷ = y`` and
    ``t = tk``; every loss but softmax CE (scalars only: a call costs no reference counting)."""
    inv_k = 1.0 / k_out
    e = y - tk
    if code == MSE:
        return e * e, (e if scale_mse else e * (2.0 / k_out))
    if code == SQUARED_ERROR:
        return e * e, e
    if code == MAE:
        return abs(e), (1.0 if e > 0 else (-1.0 if e < 0 else e * 0.0)) * inv_k   # sign(NaN) = NaN
    if code == HUBER:
        a = abs(e)
        q = param if a > param else a
        return 0.5 * q * q + param * (a - q), (param if e > param else (-param if e < -param else e)) * inv_k
    if code == BCE:
        p = lo if y < lo else (hi if y > hi else y)
        return tk * math.log(p) + (1.0 - tk) * math.log1p(-p), (p - tk) / (p * (1.0 - p)) * inv_k
    if code == BCE_LOGITS:
        return ((y if y > 0.0 else 0.0) - y * tk + math.log1p(math.exp(-abs(y))),
                ((math.tanh(y * 0.5) + 1.0) * 0.5 - tk) * inv_k)
    p = lo if y < lo else y   # CCE
    return tk * math.log(p), -(tk / p)


@numba.njit(cache=True)
def finish(code, total, k_out):
    """``ℓ`` from the sum of its outputs' parts (:func:`term`)."""
    if code == MSE or code == MAE or code == HUBER:
        return total / k_out
    if code == SQUARED_ERROR:
        return 0.5 * total
    if code == BCE:
        return -(total / k_out)
    if code == BCE_LOGITS:
        return total / k_out
    return -total


@numba.njit(cache=True)
def _sample_loss(code, param, lo, hi, acts, r, c, t, row, ds, scale_mse):
    """``ℓ`` of one sample; writes ``∂ℓ/∂ŷ`` (unscaled) into ``ds[r, c:c+K]``."""
    k_out = t.shape[1]
    if code == SOFTMAX_CE:
        top = acts[r, c]
        for k in range(1, k_out):
            if acts[r, c + k] > top:
                top = acts[r, c + k]
        sums, dot = 0.0, 0.0
        for k in range(k_out):
            s = acts[r, c + k] - top
            dot += t[row, k] * s
            ds[r, c + k] = math.exp(s)
            sums += ds[r, c + k]
        for k in range(k_out):
            ds[r, c + k] = ds[r, c + k] / sums - t[row, k]
        return math.log(sums) - dot
    total = 0.0
    for k in range(k_out):
        part, slope = term(code, param, lo, hi, acts[r, c + k], t[row, k], k_out, scale_mse)
        total += part
        ds[r, c + k] = slope
    return finish(code, total, k_out)


@numba.njit(cache=True)
def batch_loss(code, param, lo, hi, weighted, acts, t, sw, order, start, nb, c, ds):
    """The batch's ``(E, Σw)`` for rows ``order[start:start+nb]``; ``ds[:, c:c+K]`` becomes ``∂E/∂ŷ``."""
    mse_whole = code == MSE and not weighted   # the reference's fused form: ∂E/∂ŷ = 2r/(B·K)
    total_w = 0.0
    if weighted:
        for r in range(nb):
            total_w += sw[order[start + r]]
    k_out = t.shape[1]
    value_sum = 0.0
    for r in range(nb):
        row = order[start + r]
        ell = _sample_loss(code, param, lo, hi, acts, r, c, t, row, ds, mse_whole)
        if weighted:
            value_sum += ell * sw[row]
            scale = sw[row] / total_w if total_w > 0 else 0.0
        else:
            value_sum += ell
            scale = 2.0 / (nb * k_out) if mse_whole else 1.0 / nb
        for k in range(k_out):
            ds[r, c + k] = ds[r, c + k] * scale
    if not weighted:
        return value_sum / nb, float(nb)
    return (value_sum / total_w if total_w > 0 else 0.0), total_w
