"""Optimizer updates in one pass over memory: each element of the parameters, the gradient
and the state slots is read once from memory and written once.

The NumPy references are the ``_update`` methods of :mod:`axonal.optimizers` (with the
penalties and clipping of :meth:`axonal.optimizers.base.Optimizer.step`): each makes
about ten whole-vector passes. The kernels here compute, element by element, the same
operations in the same order, so their results agree with the reference to rounding
(bit for bit where the compiler keeps every operation, as it does without fastmath).

Shapes: ``p``, ``g`` and every slot are flat vectors ``(n,)`` of one dtype (float32 or
float64). The scalars come in one small vector ``h`` of that dtype (the reference's Python
floats are cast to the array's dtype by NumPy before it computes; one vector is also one
argument to pass instead of ten): ``h = (l2, l1, c, s, ...)``, then each kernel's own,
as its docstring lists.

The gradient every kernel uses, ``ĝ = γ(g)``, is that of ``Optimizer.step``::

    ĝ = g + l2·w + l1·sign(w)      on the weights (each term only when its factor ≠ 0)
    ĝ ← min(max(ĝ, -c), c)         c = clip_value (∞ when there is none)
    ĝ ← s·ĝ                        s = clip_norm / ‖ĝ‖ when that is < 1, else 1

and the kernels leave ``ĝ`` in ``g``, as the reference does. ``‖ĝ‖`` needs every element
first: with ``clip_norm`` the caller runs :func:`penalise` (``g ← γ(g)`` without the
scale), takes the norm, and passes ``l2 = l1 = 0``, ``c = ∞`` and the scale to the update.

The vectors are walked in blocks, ``blocks`` ``(k, 3)`` int64 rows ``(start, stop, weights)``
from :func:`plan`: at most :data:`BLOCK` elements each, never straddling a weight range and
a bias. Where a block's gradient changes (penalty, clipping, scale), one loop makes ``ĝ``
in ``g`` and the update's loop reads it back while the block is still in cache; the
update loops themselves have no branch on the options, so they compile to vector
instructions (a branch in them, or a store taken on a condition, costs several times
the memory traffic).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["BLOCK", "adagrad", "adam", "momentum", "penalise", "plan", "rmsprop", "rprop", "sgd"]

#: Elements per block: the block of four float32 vectors (64 KiB) stays in the core's L2 cache.
BLOCK = 4096


def plan(decay_ranges, n: int):
    """The rows ``(start, stop, weights)`` that cover ``0..n`` in order: the stretches between
    the weight ranges ``decay_ranges`` (``weights`` 0) and the ranges (1), cut at ``BLOCK``."""
    rows: list = []
    start = 0
    for lo, hi in [*decay_ranges, (n, n)]:
        for a, b, weights in ((start, lo, 0), (lo, hi, 1)):
            rows.extend((i, min(i + BLOCK, b), weights) for i in range(a, b, BLOCK))
        start = hi
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


@numba.njit(cache=True, error_model="numpy")
def _prepare(w, g, weights, h):
    """``g ← γ(g)·s`` over one block (see the module docstring), ``weights`` whether the block
    holds weights; nothing when there is nothing to apply. ``l1·sign(w)`` as NumPy's ``sign``
    gives it; no literal enters the arithmetic, so a float32 element stays float32."""
    l2, l1, clip, scale = h[0], h[1], h[2], h[3]
    penalised = weights and (l2 != 0 or l1 != 0)
    if not penalised and math.isinf(clip) and scale == 1:
        return
    for i in range(g.shape[0]):
        gi = g[i]
        if penalised:
            if l2 != 0:
                gi = gi + l2 * w[i]
            if l1 != 0:
                wi = w[i]
                if wi > 0:
                    gi = gi + l1
                elif wi < 0:
                    gi = gi + -l1
                elif wi == 0:
                    gi = gi + (l1 - l1)  # sign(0) = +0
                else:
                    gi = gi + l1 * wi  # NaN
        if gi > clip:
            gi = clip
        elif gi < -clip:
            gi = -clip
        g[i] = gi * scale


@numba.njit(cache=True, error_model="numpy")
def penalise(p, g, blocks, h):
    """``g ← min(max(g + l2·w + l1·sign(w), -c), c)`` in place, the penalty on the weights only:
    the first half of ``Optimizer.step``, before the norm ``‖g‖`` that ``clip_norm`` needs.
    ``h = (l2, l1, c, 1)``."""
    for b in range(blocks.shape[0]):
        lo, hi = blocks[b, 0], blocks[b, 1]
        _prepare(p[lo:hi], g[lo:hi], blocks[b, 2] == 1, h)


# -- SGD ------------------------------------------------------------------------------------------

@numba.njit(cache=True, error_model="numpy")
def sgd(p, g, blocks, h):
    """``p ← p - η·ĝ`` (reference: ``SGD._update`` without momentum); ``h = (l2, l1, c, s, η)``."""
    lr = h[4]
    for b in range(blocks.shape[0]):
        lo, hi = blocks[b, 0], blocks[b, 1]
        ps, gs = p[lo:hi], g[lo:hi]
        _prepare(ps, gs, blocks[b, 2] == 1, h)
        for i in range(ps.shape[0]):
            ps[i] = ps[i] - gs[i] * lr


@numba.njit(cache=True, error_model="numpy")
def momentum(p, g, v, blocks, h, nesterov):
    """SGD with momentum (reference: ``SGD._update``), ``v`` (n,) the velocity::

        v ← μ·v + ĝ
        p ← p - η·v               (nesterov False)
        p ← p - η·(ĝ + μ·v)       (nesterov True; computed as (v·μ + ĝ)·η, as the reference)

    ``h = (l2, l1, c, s, η, μ)``.
    """
    lr, mu = h[4], h[5]
    for b in range(blocks.shape[0]):
        lo, hi = blocks[b, 0], blocks[b, 1]
        ps, gs, vs = p[lo:hi], g[lo:hi], v[lo:hi]
        _prepare(ps, gs, blocks[b, 2] == 1, h)
        if nesterov:
            for i in range(ps.shape[0]):
                vi = vs[i] * mu + gs[i]
                vs[i] = vi
                ps[i] = ps[i] - (vi * mu + gs[i]) * lr
        else:
            for i in range(ps.shape[0]):
                vi = vs[i] * mu + gs[i]
                vs[i] = vi
                ps[i] = ps[i] - vi * lr


# -- Adam and AdamW -------------------------------------------------------------------------------

@numba.njit(cache=True, error_model="numpy")
def adam(p, g, m, v, blocks, h):
    """Adam and AdamW (reference: ``Adam._update``, ``AdamW._update``) on the unnormalised
    moments ``m'``, ``v'`` (n,) that the optimizer keeps::

        w ← shrink·w               on the weights (AdamW: shrink = 1 - η·λ; Adam: 1)
        m' ← β1·m' + ĝ
        v' ← β2·v' + ĝ²
        p ← w - c_t·m' / (√v' + ε_t)

    ``h = (l2, l1, c, s, β1, β2, c_t, ε_t, shrink)``, ``c_t`` and ``ε_t`` from ``Adam._constants``.
    """
    beta1, beta2, step_size, eps_t, shrink = h[4], h[5], h[6], h[7], h[8]
    one = p.dtype.type(1)
    for b in range(blocks.shape[0]):
        lo, hi, weights = blocks[b, 0], blocks[b, 1], blocks[b, 2] == 1
        ps, gs, ms, vs = p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi]
        _prepare(ps, gs, weights, h)
        factor = shrink if weights else one  # w·1 = w exactly
        for i in range(ps.shape[0]):
            gi = gs[i]
            mi = ms[i] * beta1 + gi
            vi = vs[i] * beta2 + gi * gi
            ms[i] = mi
            vs[i] = vi
            ps[i] = ps[i] * factor - mi / (math.sqrt(vi) + eps_t) * step_size


# -- RMSprop and Adagrad ------------------------------------------------------------------------

@numba.njit(cache=True, error_model="numpy")
def rmsprop(p, g, s, blocks, h):
    """RMSprop (reference: ``RMSprop._update``), ``s`` (n,) the running mean of squares::

        s ← ρ·s + (1 - ρ)·ĝ²
        p ← p - η·ĝ / (√s + ε)

    ``h = (l2, l1, c, s, η, ρ, 1 - ρ, ε)``.
    """
    lr, rho, one_minus_rho, eps = h[4], h[5], h[6], h[7]
    for b in range(blocks.shape[0]):
        lo, hi = blocks[b, 0], blocks[b, 1]
        ps, gs, ss = p[lo:hi], g[lo:hi], s[lo:hi]
        _prepare(ps, gs, blocks[b, 2] == 1, h)
        for i in range(ps.shape[0]):
            gi = gs[i]
            si = ss[i] * rho + gi * gi * one_minus_rho
            ss[i] = si
            ps[i] = ps[i] - gi / (math.sqrt(si) + eps) * lr


@numba.njit(cache=True, error_model="numpy")
def adagrad(p, g, acc, blocks, h):
    """Adagrad (reference: ``Adagrad._update``), ``acc`` (n,) the sum of squares ``G``::

        G ← G + ĝ²
        p ← p - η·ĝ / (√G + ε)

    ``h = (l2, l1, c, s, η, ε)``.
    """
    lr, eps = h[4], h[5]
    for b in range(blocks.shape[0]):
        lo, hi = blocks[b, 0], blocks[b, 1]
        ps, gs, accs = p[lo:hi], g[lo:hi], acc[lo:hi]
        _prepare(ps, gs, blocks[b, 2] == 1, h)
        for i in range(ps.shape[0]):
            gi = gs[i]
            a = accs[i] + gi * gi
            accs[i] = a
            ps[i] = ps[i] - gi / (math.sqrt(a) + eps) * lr


# -- Rprop ------------------------------------------------------------------------------------------

@numba.njit(cache=True, error_model="numpy")
def rprop(p, g, step, prev, blocks, h):
    """iRprop⁻ (reference: ``Rprop._update``), ``step`` (n,) the step sizes Δ, ``prev`` (n,)
    the previous gradient ``g'``::

        a = ĝ·g'
        Δ ← Δ·η⁺ where a > 0,  Δ·η⁻ where a < 0;  then Δ ← min(max(Δ, Δ_min), Δ_max)
        ĝ ← 0 where a < 0
        p ← p - sign(ĝ)·Δ
        g' ← ĝ

    ``h = (l2, l1, c, s, η⁻, η⁺, Δ_min, Δ_max)``.
    """
    eta_minus, eta_plus, step_min, step_max = h[4], h[5], h[6], h[7]
    zero = p.dtype.type(0)
    for b in range(blocks.shape[0]):
        lo, hi = blocks[b, 0], blocks[b, 1]
        ps, gs, steps, prevs = p[lo:hi], g[lo:hi], step[lo:hi], prev[lo:hi]
        _prepare(ps, gs, blocks[b, 2] == 1, h)
        for i in range(ps.shape[0]):  # written as selects, so that it compiles to vector instructions
            gi = gs[i]
            agree = gi * prevs[i]
            s = steps[i]
            s = s * eta_plus if agree > 0 else (s * eta_minus if agree < 0 else s)
            gi = zero if agree < 0 else gi
            # np.clip's order, NaN stays NaN (min and max would name no order for NaN)
            s = step_min if s < step_min else (step_max if s > step_max else s)  # noqa: FURB136
            steps[i] = s
            gs[i] = gi
            # sign(ĝ)·Δ with sign(0) = +0 and sign(NaN) = NaN
            ps[i] = ps[i] - (s if gi > 0 else (-s if gi < 0 else (zero if gi == 0 else gi * s)))
            prevs[i] = gi
