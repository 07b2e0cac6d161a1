"""Recurrent cell steps as Numba kernels: the gate arithmetic between the matrix products, fused.

The references are the NumPy cells ``_step`` / ``_step_backward`` of ``SimpleRNN``
(:mod:`axonal.layers.recurrent`), ``LSTM`` and ``GRU`` (:mod:`axonal.layers.gated`),
with the masking, truncation and carry of ``_Recurrent.forward`` / ``backward``. Each
kernel runs the steps ``t0 ≤ t < t1`` (backward: ``t1 - 1`` down to ``t0``) on:

* ``ax`` (batch, time, gates·units): the input projection ``x·W + b`` of every step;
* ``P``: forward (batch, gates·units) the product ``h_{t-1}·U``, backward (batch, units)
  ``δa_{t+1}·Uᵀ``. With ``inside=False`` the caller computes it by BLAS before each
  one-step call (forward) or after it (backward); with ``inside=True`` the kernel
  computes it by :func:`_product` and runs the whole range in one call (small cells);
* the states (batch, units), updated in place; ``mask`` (batch, time) or (0, 0);
  ``store`` (k, time, batch, units): the layer's ``cache_names``, or no steps (inference);
* backward: ``go`` (batch, time, units) the gradient reaching each output, ``Th``
  (batch, units) the part of ``δh`` that bypasses the recurrent product (a masked
  step's pass-through, the GRU's ``δh ⊙ z``), ``grad_a`` (time, batch, gates·units)
  filled with every step's ``∂E/∂a``, and ``truncate`` (0: none), which zeroes the
  carry after step ``t`` when ``t % truncate = 0`` and ``t > 0``.

Every step mirrors the reference's operations in order. ``tanh`` is the C library's in
float64; in float32, Eigen's odd rational minimax ``x·p(x²)/q(x²)`` (degrees 13/6, input
clamped to ±7.9053, a few ulp), in float32 without calls so that the loops vectorize;
``σ(z) = (1 + tanh(z/2))/2`` as in :func:`axonal.activations.sigmoid`.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from . import activations as _act

__all__ = ["activation_code", "simple_forward", "simple_backward", "lstm_forward", "lstm_backward",
           "gru_forward", "gru_backward"]

#: every kernel: cached on disk; division by zero gives inf/NaN instead of raising, so that loops vectorize
_kernel = numba.njit(cache=True, error_model="numpy")


def activation_code(activation):
    """``(code, parameter)`` of an elementwise activation the kernels know, else ``None`` (softmax,
    a user's own class: the layer takes the NumPy path)."""
    encoded = _act.encode(activation)
    if encoded is None or encoded[0] % _act.ZERO_GRADIENT == _act.SOFTMAX:
        return None
    return encoded


def _like(array, value):
    return value  # ``value`` in the dtype of ``array`` (a float literal alone would be float64)


@overload(_like)
def _like_impl(array, value):
    if isinstance(array, types.Array) and array.dtype == types.float32:
        return lambda array, value: np.float32(value)
    return lambda array, value: np.float64(value)


def _tanh(x):
    return math.tanh(x)  # float64: the C library's; float32: the rational approximation


@overload(_tanh)
def _tanh_impl(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:
        def tanh32(x):
            f, c = np.float32, np.float32(7.90531110763549805)
            x = c if x > c else (-c if x < -c else x)  # comparisons leave NaN as it is
            x2 = x * x
            p = ((((((f(-2.76076847742355e-16) * x2 + f(2.00018790482477e-13)) * x2 + f(-8.60467152213735e-11)) * x2
                    + f(5.12229709037114e-08)) * x2 + f(1.48572235717979e-05)) * x2 + f(6.37261928875436e-04)) * x2
                 + f(4.89352455891786e-03)) * x
            q = ((f(1.19825839466702e-06) * x2 + f(1.18534705686654e-04)) * x2 + f(2.26843463243900e-03)) * x2 \
                + f(4.89352518554385e-03)
            return p / q
        return tanh32
    return lambda x: math.tanh(x)


@_kernel
def _product(a, b, out):
    """``out = a·b`` for a (m, k), b (k, n), out (m, n): row by row, the rows of ``b`` scaled and added
    (the inner loop runs along contiguous rows, so it vectorizes)."""
    for i in range(a.shape[0]):
        row = out[i]
        row[:] = 0
        for q in range(a.shape[1]):
            s, w = a[i, q], b[q]
            for j in range(row.shape[0]):
                row[j] += s * w[j]


@_kernel
def _cut(t, truncate, P, carried):
    """Truncated BPTT: after step ``t`` at a window edge the carried gradient is zero. Returns whether it was cut."""
    if truncate > 0 and t % truncate == 0 and t > 0:
        P[:] = 0
        for a in carried:
            a[:] = 0
        return True
    return False


@_kernel
def simple_forward(t0, t1, ax, U, P, h, mask, code, parameter, out, store, inside):
    """SimpleRNN forward (reference ``SimpleRNN._step``), for each step ``t``::

        a = ax_t + h_{t-1}·U          (batch, units)
        h_t = f(a)                    f given by (code, parameter), see kernels.activations
        h_t ← m ⊙ h_t + (1 - m) ⊙ h_{t-1}   where a mask is given
        out[:, t] = h_t;  store = [h_prev | a | h]
    """
    (one, half), (batch, n) = (_like(h, 1.0), _like(h, 0.5)), h.shape
    masked, keep = mask.shape[0] > 0, store.shape[1] > 0
    spare = np.empty(n, h.dtype)
    for t in range(t0, t1):
        if inside:
            _product(h, U, P)
        for b in range(batch):
            a, xa, hb = P[b], ax[b, t], h[b]
            hp = store[0, t, b] if keep else spare
            hp[:] = hb
            for j in range(n):
                a[j] = xa[j] + a[j]
            if code == _act.TANH:
                for j in range(n):
                    hb[j] = _tanh(a[j])
            elif code == _act.LOGISTIC:
                for j in range(n):
                    hb[j] = (_tanh(a[j] * half) + one) * half
            else:
                for j in range(n):
                    hb[j] = _act.value(code, parameter, a[j])
            if keep:
                store[1, t, b], store[2, t, b] = a, hb
            if masked:
                _blend(mask[b, t], hb, hp)
            out[b, t] = hb


@_kernel
def _blend(m, new, old):
    """``new ← m·new + (1 - m)·old``: a masked step keeps the old state."""
    rest = _like(new, 1.0) - m
    for j in range(new.shape[0]):
        new[j] = m * new[j] + rest * old[j]


@_kernel
def _incoming(t, b, P, Th, go, mask, masked, dh):
    """``δh = P + Th + go[b, t]`` into ``dh``; masked: ``Th = (1 - m)·δh``, ``δh ← m·δh``."""
    pb, tb, gb = P[b], Th[b], go[b, t]
    for j in range(dh.shape[0]):
        dh[j] = (pb[j] + tb[j]) + gb[j]
    if masked:
        _split(mask[b, t], dh, tb)


@_kernel
def _split(m, d, through):
    """A masked step's share of a gradient: ``through = (1 - m)·d`` passes by, ``d ← m·d`` goes in."""
    rest = _like(d, 1.0) - m
    for j in range(d.shape[0]):
        through[j] = rest * d[j]
        d[j] = m * d[j]


@_kernel
def simple_backward(t0, t1, go, UT, P, Th, mask, code, parameter, store, grad_a, truncate, inside):
    """SimpleRNN backward (reference ``SimpleRNN._step_backward`` in ``_Recurrent.backward``), t descending::

        δh = P + Th + go[:, t]          P = δa_{t+1}·Uᵀ (batch, units)
        masked: Th = (1 - m) ⊙ δh, δh ← m ⊙ δh
        δa_t = δh ⊙ f'(a_t)   → grad_a[t] (batch, units);  then P = δa_t·Uᵀ
    """
    one, (batch, n) = _like(P, 1.0), P.shape
    masked = mask.shape[0] > 0
    dh = np.empty(n, P.dtype)
    for t in range(t1 - 1, t0 - 1, -1):
        for b in range(batch):
            _incoming(t, b, P, Th, go, mask, masked, dh)
            da, y = grad_a[t, b], store[2, t, b]
            if code == _act.TANH:
                for j in range(n):
                    da[j] = dh[j] * (one - y[j] * y[j])
            elif code == _act.LOGISTIC:
                for j in range(n):
                    da[j] = dh[j] * ((one - y[j]) * y[j])
            else:
                a = store[1, t, b]
                for j in range(n):
                    da[j] = dh[j] * _act.slope(code, parameter, a[j], y[j])
        if not _cut(t, truncate, P, (Th,)) and inside:
            _product(grad_a[t], UT, P)


@_kernel
def lstm_forward(t0, t1, ax, U, P, h, c, mask, p, out, store, inside):
    """LSTM forward (reference ``LSTM._step``), gates ``[i | f | g | o]``, for each step ``t``::

        a = ax_t + h_{t-1}·U                                   (batch, 4·units)
        i = σ(a_i + p_i ⊙ c_{t-1})   f = σ(a_f + p_f ⊙ c_{t-1})   g = tanh(a_g)
        c_t = f ⊙ c_{t-1} + i ⊙ g
        o = σ(a_o + p_o ⊙ c_t)       h_t = o ⊙ tanh(c_t)
        masked: h_t, c_t ← m ⊙ new + (1 - m) ⊙ old
        out[:, t] = h_t;  store = [h_prev | c_prev | c | i | f | g | o | tanh c]

    ``p`` (3, units) holds ``p_i, p_f, p_o``, or is empty (0, 0) without peepholes. The gates are
    computed in place in ``P``, one gate at a time, so that every loop vectorizes.
    """
    (one, half), (batch, n) = (_like(h, 1.0), _like(h, 0.5)), h.shape
    masked, peep, keep = mask.shape[0] > 0, p.shape[0] > 0, store.shape[1] > 0
    work = np.empty((3, n), h.dtype)
    for t in range(t0, t1):
        if inside:
            _product(h, U, P)
        for b in range(batch):
            xa, hb, cb = ax[b, t], h[b], c[b]
            gi, gf, gg, og = P[b, :n], P[b, n:2 * n], P[b, 2 * n:3 * n], P[b, 3 * n:]
            xi, xf, xg, xo = xa[:n], xa[n:2 * n], xa[2 * n:3 * n], xa[3 * n:]
            hp = store[0, t, b] if keep else work[0]
            cp = store[1, t, b] if keep else work[1]
            tc = store[7, t, b] if keep else work[2]
            hp[:] = hb
            cp[:] = cb
            if peep:
                pi, pf = p[0], p[1]
                for j in range(n):
                    gi[j] = (_tanh(((xi[j] + gi[j]) + cp[j] * pi[j]) * half) + one) * half
                for j in range(n):
                    gf[j] = (_tanh(((xf[j] + gf[j]) + cp[j] * pf[j]) * half) + one) * half
            else:
                for j in range(n):
                    gi[j] = (_tanh((xi[j] + gi[j]) * half) + one) * half
                for j in range(n):
                    gf[j] = (_tanh((xf[j] + gf[j]) * half) + one) * half
            for j in range(n):
                gg[j] = _tanh(xg[j] + gg[j])
            for j in range(n):
                cb[j] = gf[j] * cp[j] + gi[j] * gg[j]
            if peep:
                po = p[2]
                for j in range(n):
                    og[j] = (_tanh(((xo[j] + og[j]) + cb[j] * po[j]) * half) + one) * half
            else:
                for j in range(n):
                    og[j] = (_tanh((xo[j] + og[j]) * half) + one) * half
            for j in range(n):
                tc[j] = _tanh(cb[j])
            for j in range(n):
                hb[j] = og[j] * tc[j]
            if keep:
                store[2, t, b], store[3, t, b], store[4, t, b], store[5, t, b], store[6, t, b] = cb, gi, gf, gg, og
            if masked:
                _blend(mask[b, t], hb, hp)
                _blend(mask[b, t], cb, cp)
            out[b, t] = hb


@_kernel
def lstm_backward(t0, t1, go, UT, P, Th, dc, mask, p, store, grad_a, truncate, inside):
    """LSTM backward (reference ``LSTM._step_backward`` in ``_Recurrent.backward``), t descending::

        δh = P + Th + go[:, t],  δc = dc                        (batch, units)
        masked: Th = (1 - m) ⊙ δh, through_c = (1 - m) ⊙ δc, δh ← m ⊙ δh, δc ← m ⊙ δc
        δa_o = δh ⊙ tanh c_t ⊙ o(1 - o)
        δc_t = δc + δh ⊙ o ⊙ (1 - tanh² c_t) + p_o ⊙ δa_o
        δa_i = δc_t ⊙ g ⊙ i(1 - i),  δa_f = δc_t ⊙ c_{t-1} ⊙ f(1 - f),  δa_g = δc_t ⊙ i ⊙ (1 - g²)
        dc = δc_t ⊙ f + p_i ⊙ δa_i + p_f ⊙ δa_f (+ through_c)
        grad_a[t] = [δa_i | δa_f | δa_g | δa_o];  then P = grad_a[t]·Uᵀ
    """
    one, (batch, n) = _like(P, 1.0), P.shape
    masked, peep = mask.shape[0] > 0, p.shape[0] > 0
    work = np.empty((3, n), P.dtype)
    dh, dct, through = work[0], work[1], work[2]
    for t in range(t1 - 1, t0 - 1, -1):
        for b in range(batch):
            _incoming(t, b, P, Th, go, mask, masked, dh)
            dcb = dc[b]
            if masked:
                _split(mask[b, t], dcb, through)
            cp, i, f = store[1, t, b], store[3, t, b], store[4, t, b]
            g, o, tc = store[5, t, b], store[6, t, b], store[7, t, b]
            da = grad_a[t, b]
            dai, daf, dag, dao = da[:n], da[n:2 * n], da[2 * n:3 * n], da[3 * n:]
            for j in range(n):
                dao[j] = (dh[j] * tc[j]) * (o[j] * (one - o[j]))
            for j in range(n):
                dct[j] = dcb[j] + dh[j] * o[j] * (one - tc[j] * tc[j])
            if peep:
                po = p[2]
                for j in range(n):
                    dct[j] += po[j] * dao[j]
            for j in range(n):
                dai[j] = (dct[j] * g[j]) * (i[j] * (one - i[j]))
            for j in range(n):
                daf[j] = (dct[j] * cp[j]) * (f[j] * (one - f[j]))
            for j in range(n):
                dag[j] = (dct[j] * i[j]) * (one - g[j] * g[j])
            for j in range(n):
                dcb[j] = dct[j] * f[j]
            if peep:
                pi, pf = p[0], p[1]
                for j in range(n):
                    dcb[j] += pi[j] * dai[j] + pf[j] * daf[j]
            if masked:
                for j in range(n):
                    dcb[j] = dcb[j] + through[j]
        if not _cut(t, truncate, P, (Th, dc)) and inside:
            _product(grad_a[t], UT, P)


@_kernel
def gru_forward(t0, t1, ax, U, P, h, bh, mask, out, store, inside):
    """GRU forward (reference ``GRU._step``), gates ``[r | z | n]``, for each step ``t``::

        a_h = h_{t-1}·U + b_h                                  (batch, 3·units)
        r = σ(ax_r + a_h,r)   z = σ(ax_z + a_h,z)   n = tanh(ax_n + r ⊙ a_h,n)
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
        masked: h_t ← m ⊙ h_t + (1 - m) ⊙ h_{t-1}
        out[:, t] = h_t;  store = [h_prev | r | z | n | a_h,n]

    The gates are computed in place in ``P``, one at a time, so that every loop vectorizes.
    """
    (one, half), (batch, n) = (_like(h, 1.0), _like(h, 0.5)), h.shape
    masked, keep = mask.shape[0] > 0, store.shape[1] > 0
    spare = np.empty(n, h.dtype)
    for t in range(t0, t1):
        if inside:
            _product(h, U, P)
        for b in range(batch):
            xa, hb, rz, gn = ax[b, t], h[b], P[b, :2 * n], P[b, 2 * n:]
            hp = store[0, t, b] if keep else spare
            hp[:] = hb
            for j in range(2 * n):
                rz[j] = (_tanh((xa[j] + (rz[j] + bh[j])) * half) + one) * half
            bn, xn = bh[2 * n:], xa[2 * n:]
            for j in range(n):
                gn[j] = gn[j] + bn[j]
            if keep:
                store[1, t, b], store[2, t, b], store[4, t, b] = rz[:n], rz[n:], gn
            for j in range(n):
                gn[j] = _tanh(xn[j] + rz[j] * gn[j])
            z = rz[n:]
            for j in range(n):
                hb[j] = (one - z[j]) * gn[j] + z[j] * hp[j]
            if keep:
                store[3, t, b] = gn
            if masked:
                _blend(mask[b, t], hb, hp)
            out[b, t] = hb


@_kernel
def gru_backward(t0, t1, go, UT, P, Th, mask, store, grad_a, dah, truncate, inside):
    """GRU backward (reference ``GRU._step_backward`` in ``_Recurrent.backward``), t descending::

        δh = P + Th + go[:, t]                                   (batch, units)
        masked: through = (1 - m) ⊙ δh, δh ← m ⊙ δh
        δa_n = δh ⊙ (1 - z) ⊙ (1 - n²),  δa_z = δh ⊙ (h_{t-1} - n) ⊙ z(1 - z),  δa_r = δa_n ⊙ a_h,n ⊙ r(1 - r)
        grad_a[t] = [δa_r | δa_z | δa_n],  dah[t] = [δa_r | δa_z | δa_n ⊙ r]   (batch, 3·units)
        Th = δh ⊙ z (+ through);  then P = dah[t]·Uᵀ
    """
    one, (batch, n) = _like(P, 1.0), P.shape
    masked = mask.shape[0] > 0
    dh = np.empty(n, P.dtype)
    for t in range(t1 - 1, t0 - 1, -1):
        for b in range(batch):
            _incoming(t, b, P, Th, go, mask, masked, dh)  # Th now holds the masked pass-through
            hp, r, z = store[0, t, b], store[1, t, b], store[2, t, b]
            nn, ahn = store[3, t, b], store[4, t, b]
            da, dr = grad_a[t, b], dah[t, b]
            dar, daz, dan = da[:n], da[n:2 * n], da[2 * n:]
            for j in range(n):
                dan[j] = (dh[j] * (one - z[j])) * (one - nn[j] * nn[j])
            for j in range(n):
                daz[j] = (dh[j] * (hp[j] - nn[j])) * (z[j] * (one - z[j]))
            for j in range(n):
                dar[j] = (dan[j] * ahn[j]) * (r[j] * (one - r[j]))
            dr[:2 * n] = da[:2 * n]
            drn, tb = dr[2 * n:], Th[b]
            for j in range(n):
                drn[j] = dan[j] * r[j]
            if masked:
                for j in range(n):
                    tb[j] = dh[j] * z[j] + tb[j]
            else:
                for j in range(n):
                    tb[j] = dh[j] * z[j]
        if not _cut(t, truncate, P, (Th,)) and inside:
            _product(dah[t], UT, P)
