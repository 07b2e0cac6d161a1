r"""LSTM-g (Monner & Reggia, 2012) interpreted from a graph network's compiled plan.

The NumPy reference is :class:`axonal.graph.LSTMG` (``_activate``, ``_update_eligibility``,
``_update_extended``, ``_influence``, ``_propagate``), whose docstring derives the rule;
the plan's arrays are those of :mod:`axonal.graph.compiled_plan`, and every stream
array is a row-major segment of one flat buffer ``flat`` placed by ``lay`` (per layer:
activations ``a``, states ``s``, previous states, ``f'``, responsibilities ``δ``, gains,
self decays) and ``tlay`` (per term: the eligibility trace ``ε`` (B, n_A, n_L) or (B, n),
the activation it read, its extended traces ``ε^k`` for each layer ``k`` its target gates,
(B, n_A, n_L) or with a last axis ``n_k`` when a gater neuron reaches other neurons of
``k`` than its own). Activating layer ``j`` (after its state, activation, ``f'`` and gain)::

    ε_ji  ←  γ_jj·w_jj·ε_ji + g_ji·a_i                                          (eq. 17)
    ε^k_ji ←  γ_kk·w_kk·ε^k_ji + f'_j·ε_ji·∂s_k/∂a_G[j]                            (eq. 18)

and learning from a target ``t`` with rate ``α`` over ``B`` streams, layers in reverse::

    δ_out = t - y;   δ^P_j = f'_j·Σ_k δ_k·g_kj·w_kj;   δ_j = δ^P_j + f'_j·Σ_k δ_k·∂s_k/∂a_G[j]
    Δw_ji = α/B·Σ_b (δ^P_j·ε_ji + Σ_k δ_k·ε^k_ji);    Δb_j = α/B·Σ_b δ_j              (eq. 24)

``rule`` 1 is Synaptic's (gains and influences read as they stand, the gated
self-connection counted twice), 0 Monner's (each value as the gated layer used it). ``work`` is
scratch space of at least ``B·(6·N + N²) + 1`` values (``N`` the largest layer), its last value 0
(:func:`~axonal.kernels.lstm_g_parts.unseen_zero`).

The per-term and per-entry pieces live in :mod:`axonal.kernels.lstm_g_parts` and are inlined
here (``inline="always"``), so that a step is one compiled function per entry point; the loops
index the flat buffers directly with unsigned indices (no views, no reference counting per row).
Numba's cache keys a function on its own module's source only: a change to
:mod:`axonal.kernels.lstm_g_parts` or :mod:`axonal.kernels.graph_step` must come with a change
here (this line counts: parts of 2026-12-04, add_term outlined, entry rows as the epoch's, sums in registers, unseen zeros, unsigned indices, plain terms, tables of addresses) or a
stale step is loaded.

Fast paths, each computing what the general code computes, in the same order:

* a *plain* term (ungated all-to-all into a layer without a self-connection) has ``ε_ji = a_i``,
  the activation it read: :func:`activate_at` with ``lazy`` skips writing that trace, every
  reader takes it from the read slot, and :func:`fill_plain` writes it once after the run;
* on one stream (``B = 1``) with at most one gated layer, :func:`_learn_one` sums each weight's
  change in a register and adds it at once (eq. 24 without the scratch rows of
  :func:`_learn_term` and :func:`_apply`).

The pieces take their arrays as :func:`~axonal.kernels.graph_step.borrowed` views, so that
passing them into the inlined pieces costs no atomic reference counting; the entry points
(:func:`activate`, :func:`propagate`, :func:`step`) take the plan's and the stream's arrays by
address, in one table.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..graph.compiled_plan import (
    E_FULL, E_K, L_ACT, L_DECAY, L_DERIV, L_GAIN, L_OLD, L_RESP, L_SIZE, L_STATE, S_BIAS_OFF, S_BIAS_SRC,
    S_BIAS_TRAIN, S_CODE, S_E0, S_EN, S_LAYER, S_O0, S_ON, S_SELF_GATER, S_SELF_GIDX, S_SELF_NG, S_SELF_OFF,
    S_SELF_SRC, S_SIZE, S_T0, S_TN, ONE_TO_ONE, SYNAPSE_GATED, T_KIND, T_LAYER, T_MASK, T_NA, T_NL, T_ONE,
    T_PLAIN, T_SRC, T_TRAIN, T_WOFF, T_WSRC,
)
from .graph_step import U, add_term_outlined, address, borrowed, gain_of, squash
from .lstm_g_parts import eligibility, extended, forward, influence, source_grad, unseen_zero


@numba.njit(cache=True)
def activate_at(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, xs, r, synaptic, lazy, work):
    """``LSTMG._activate``: one step on ``xs[r]`` (B, n_0), states and traces updated in ``flat``."""
    steps, terms, entries, lists, fparam = borrowed(steps), borrowed(terms), borrowed(entries), borrowed(lists), \
        borrowed(fparam)
    lay, tlay, P, F, flat, xs, work = borrowed(lay), borrowed(tlay), borrowed(P), borrowed(F), borrowed(flat), \
        borrowed(xs), borrowed(work)
    B = xs.shape[1]
    n0, in0 = lay[0, L_SIZE], lay[0, L_ACT]
    for b in range(B):
        for j in range(n0):
            flat[U(in0 + b * n0 + j)] = xs[r, b, j]
    for p in range(steps.shape[0]):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        s_off, o_off, d_off = lay[i, L_STATE], lay[i, L_OLD], lay[i, L_DECAY]
        # s(t-1) kept; s = 0 + b; γ_jj·w_jj as it stands now (``_self_decay``) and s += γ·w·s(t-1)
        bsrc, boff, ssrc = steps[p, S_BIAS_SRC], steps[p, S_BIAS_OFF], steps[p, S_SELF_SRC]
        soff, sg, sng, sgidx = steps[p, S_SELF_OFF], steps[p, S_SELF_GATER], steps[p, S_SELF_NG], \
            steps[p, S_SELF_GIDX]
        g_base = lay[sg, L_GAIN] if sg >= 0 else 0
        for b in range(B):
            for j in range(n):
                at = b * n + j
                old = flat[U(s_off + at)]
                flat[U(o_off + at)] = old
                s = 0.0 + (P[U(boff + j)] if bsrc == 0 else F[U(boff + j)]) if bsrc >= 0 else 0.0
                if d_off >= 0:
                    w = (P[U(soff + j)] if ssrc == 0 else F[U(soff + j)])
                    if sg >= 0:
                        w = gain_of(flat, g_base + b * sng, sng, lists, sgidx, j, j) * w
                    flat[U(d_off + at)] = w
                    s += w * old
                flat[U(s_off + at)] = s
        t0, t1 = steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]
        for t in range(t0, t1):
            src, read = terms[t, T_SRC], tlay[t, 1]
            src_act = lay[src, L_ACT]
            for m in range(B * lay[src, L_SIZE]):
                flat[U(read + m)] = flat[U(src_act + m)]
            kind = terms[t, T_KIND]
            if kind == ONE_TO_ONE or kind == SYNAPSE_GATED:
                if terms[t, T_WSRC] == 0:
                    add_term_outlined(t, terms, lists, fparam, lay, P, flat, read, s_off, B, False)
                else:
                    add_term_outlined(t, terms, lists, fparam, lay, F, flat, read, s_off, B, False)
            else:
                forward(t, terms, lay, P, F, flat, read, s_off, B)
        squash(steps[p, S_CODE], fparam[p], flat, s_off, lay[i, L_ACT], lay[i, L_DERIV], B, n)
        if lay[i, L_GAIN] >= 0:
            g_off, a_off = lay[i, L_GAIN], lay[i, L_ACT]
            for m in range(B * n):
                flat[U(g_off + m)] = flat[U(a_off + m)]
        for t in range(t0, t1):
            if not (lazy and terms[t, T_PLAIN]):
                eligibility(t, terms, lists, lay, tlay, flat, B, d_off)
        if synaptic:
            for q in range(steps[p, S_EN]):
                extended(p, q, t0, t1, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)
    if not synaptic:
        for p in range(steps.shape[0]):
            t0, t1 = steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]
            for q in range(steps[p, S_EN]):
                extended(p, q, t0, t1, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)


@numba.njit(cache=True)
def fill_plain(terms, tlay, flat, B):
    """Eq. 17 for the plain terms, ``ε_ji = a_i`` from the activations they read: the traces that
    :func:`activate_at` with ``lazy`` leaves unwritten (the kernels read those values from the read slot)."""
    for t in range(terms.shape[0]):
        if terms[t, T_PLAIN]:
            na, nl, tr, read = terms[t, T_NA], terms[t, T_NL], tlay[t, 0], tlay[t, 1]
            for m in range(B * na):
                v = flat[U(read + m)]
                for j in range(nl):
                    flat[U(tr + m * nl + j)] = v


@numba.njit(cache=True, inline="always")
def _responsibility(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work):
    """``δ_j = δ^P_j + f'_j·Σ_k δ_k·∂s_k/∂a_G[j]`` of step ``p``'s layer into ``flat`` and ``δ^P`` into
    ``work[:B·n]``; ``work[B·n:]`` is scratch (the projected error, the gated one, the influences)."""
    i, n = steps[p, S_LAYER], steps[p, S_SIZE]
    r_off, dv = lay[i, L_RESP], lay[i, L_DERIV]
    err, gated = B * n, 2 * B * n           # the projected error and the gated one, (B, n) each
    d0 = 3 * B * n
    zero = unseen_zero(work)
    for m in range(B * n):
        work[U(err + m)] = zero
        work[U(gated + m)] = zero
    for q in range(steps[p, S_O0], steps[p, S_O0] + steps[p, S_ON]):
        t = lists[q]
        source_grad(t, terms, lists, lay, P, F, flat, lay[terms[t, T_LAYER], L_RESP], B, work, err)
    for m in range(B * n):
        work[U(m)] = flat[U(dv + m)] * work[U(err + m)]
    for q in range(steps[p, S_EN]):
        e = steps[p, S_E0] + q
        k = entries[e, E_K]
        nk, rk = lay[k, L_SIZE], lay[k, L_RESP]
        f0 = d0 + B * nk
        influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work, d0, f0)
        for b in range(B):
            rb, gb = rk + b * nk, gated + b * n
            if entries[e, E_FULL]:
                for j in range(n):
                    spread = f0 + (b * n + j) * nk
                    acc = 0.0
                    for kk in range(nk):
                        acc += work[U(spread + kk)] * flat[U(rb + kk)]
                    work[U(gb + j)] += acc
            else:
                diag = d0 + b * nk
                for j in range(n):
                    work[U(gb + j)] += flat[U(rb + j)] * work[U(diag + j)]
    for m in range(B * n):
        flat[U(r_off + m)] = work[U(m)] + flat[U(dv + m)] * work[U(gated + m)]


@numba.njit(cache=True, inline="always")
def _learn_term(t, q0, nq, entries, terms, lay, tlay, flat, B, n, work, g):
    """The sums of eq. 24 for term ``t`` into layer ``n`` wide, ``Σ_b (δ^P·ε + Σ_k δ_k·ε^k)``, at
    ``work[g:]`` (rows, n), with ``δ^P`` at ``work[:B·n]``, a row of ``n`` at a time (the sums over
    ``b`` in order, then over ``k``)."""
    rows = 1 if terms[t, T_ONE] else terms[t, T_NA]
    plain, tr, read = terms[t, T_PLAIN] != 0, tlay[t, 0], tlay[t, 1]
    es = 0 if plain else 1          # a plain term's ε row is the one value it read
    zero = unseen_zero(work)
    for m in range(rows * n):
        work[U(g + m)] = zero
    for b in range(B):
        proj = b * n
        for a in range(rows):
            eps, gr = (read + b * rows + a) if plain else tr + (b * rows + a) * n, g + a * n
            for j in range(n):
                work[U(gr + j)] += flat[U(eps + j * es)] * work[U(proj + j)]
    for q in range(nq):
        e = q0 + q
        x, rk, nk = tlay[t, 2 + q], lay[entries[e, E_K], L_RESP], lay[entries[e, E_K], L_SIZE]
        full = entries[e, E_FULL] != 0
        for b in range(B):
            resp = rk + b * nk
            for a in range(rows):
                at, gr = x + (b * rows + a) * n * (nk if full else 1), g + a * n
                if not full:
                    for j in range(n):
                        work[U(gr + j)] += flat[U(at + j)] * flat[U(resp + j)]
                elif nk == 1:
                    r = flat[U(resp)]
                    for j in range(n):
                        work[U(gr + j)] += flat[U(at + j)] * r
                else:
                    for j in range(n):
                        ext = at + j * nk
                        acc = 0.0
                        for kk in range(nk):
                            acc += flat[U(ext + kk)] * flat[U(resp + kk)]
                        work[U(gr + j)] += acc


@numba.njit(cache=True)
def _learn_one(W, flat, work, masks, woff, moff, eps0, rs, es, rows, n, scale, x, resp, nk, how):
    """Eq. 24 for one term on one stream (``B = 1``) with each weight's sum in a register:
    ``g = 0 + δ^P_j·ε_ji [+ δ_k·ε^k_ji]`` over at most one gated layer (``how``: 0 none, 1 on the
    diagonal, 2 one gated neuron, 3 spread over ``n_k``), then ``W += g·scale [· mask]``: the
    operations of :func:`_learn_term` and :func:`_apply` in the same order. ``ε`` row ``a`` starts at
    ``eps0 + a·rs`` with stride ``es``; ``δ^P`` is at ``work[:n]``. Returns whether every new weight is finite."""
    finite = True                   # an ``and`` per weight: no chain of additions to wait on
    for a in range(rows):
        eps, wrow, mrow = eps0 + a * rs, woff + a * n, moff + a * n
        at = x + a * n * (nk if how == 3 else 1)
        for j in range(n):
            g = 0.0
            g += flat[U(eps + j * es)] * work[U(j)]
            if how == 1:
                g += flat[U(at + j)] * flat[U(resp + j)]
            elif how == 2:
                g += flat[U(at + j)] * flat[U(resp)]
            elif how == 3:
                acc = 0.0
                for kk in range(nk):
                    acc += flat[U(at + j * nk + kk)] * flat[U(resp + kk)]
                g += acc
            if moff >= 0:
                w = W[U(wrow + j)] + (g * scale) * masks[U(mrow + j)]
            else:
                w = W[U(wrow + j)] + g * scale
            W[U(wrow + j)] = w
            finite &= math.isfinite(w)
    return finite


@numba.njit(cache=True)
def _apply(W, woff, size, work, g, masks, moff, scale):
    """``W[woff:woff + size] += (work[g:] · scale) [· mask]``; returns whether every new weight is finite."""
    finite = True
    if moff >= 0:
        for m in range(size):
            W[U(woff + m)] += (work[U(g + m)] * scale) * masks[U(moff + m)]
            finite &= math.isfinite(W[U(woff + m)])
    else:
        for m in range(size):
            W[U(woff + m)] += work[U(g + m)] * scale
            finite &= math.isfinite(W[U(woff + m)])
    return finite


@numba.njit(cache=True)
def propagate_at(steps, terms, entries, lists, masks, lay, tlay, P, F, flat, ts, r, rate, synaptic, out_step, work):
    """``LSTMG._propagate``: learn from ``ts[r]`` (B, n_out) for the step activated last. Returns
    whether every weight and bias it changed is finite."""
    steps, terms, entries, lists, masks = borrowed(steps), borrowed(terms), borrowed(entries), borrowed(lists), \
        borrowed(masks)
    lay, tlay, P, F, flat, ts, work = borrowed(lay), borrowed(tlay), borrowed(P), borrowed(F), borrowed(flat), \
        borrowed(ts), borrowed(work)
    B = ts.shape[1]
    scale = rate / B
    finite = True
    for p in range(steps.shape[0] - 1, -1, -1):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        r_off, a_off = lay[i, L_RESP], lay[i, L_ACT]
        if p == out_step:
            for b in range(B):
                for j in range(n):
                    v = ts[r, b, j] - flat[U(a_off + b * n + j)]
                    work[U(b * n + j)] = v
                    flat[U(r_off + b * n + j)] = v
        else:
            _responsibility(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)
        q0, nq = steps[p, S_E0], steps[p, S_EN]
        for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
            if terms[t, T_TRAIN] and B == 1 and nq <= 1:
                plain, rows = terms[t, T_PLAIN] != 0, 1 if terms[t, T_ONE] else terms[t, T_NA]
                eps0, rs, es = (tlay[t, 1], 1, 0) if plain else (tlay[t, 0], n, 1)
                how, x, resp, nk = 0, 0, 0, 1
                if nq == 1:
                    k = entries[q0, E_K]
                    x, resp, nk = tlay[t, 2], lay[k, L_RESP], lay[k, L_SIZE]
                    how = 1 if entries[q0, E_FULL] == 0 else (2 if nk == 1 else 3)
                woff, moff = terms[t, T_WOFF], terms[t, T_MASK]
                if terms[t, T_WSRC] == 0:
                    ok = _learn_one(P, flat, work, masks, woff, moff, eps0, rs, es, rows, n, scale, x, resp, nk, how)
                else:
                    ok = _learn_one(F, flat, work, masks, woff, moff, eps0, rs, es, rows, n, scale, x, resp, nk, how)
                finite = finite and ok
            elif terms[t, T_TRAIN]:
                _learn_term(t, steps[p, S_E0], steps[p, S_EN], entries, terms, lay, tlay, flat, B, n, work, B * n)
                size = n * (1 if terms[t, T_ONE] else terms[t, T_NA])
                if terms[t, T_WSRC] == 0:
                    ok = _apply(P, terms[t, T_WOFF], size, work, B * n, masks, terms[t, T_MASK], scale)
                else:
                    ok = _apply(F, terms[t, T_WOFF], size, work, B * n, masks, terms[t, T_MASK], scale)
                finite = finite and ok
        if steps[p, S_BIAS_SRC] >= 0 and steps[p, S_BIAS_TRAIN]:
            bsrc, boff = steps[p, S_BIAS_SRC], steps[p, S_BIAS_OFF]
            for j in range(n):
                total = 0.0
                for b in range(B):
                    total += flat[U(r_off + b * n + j)]
                if bsrc == 0:
                    P[U(boff + j)] += total * scale
                    finite = finite and math.isfinite(P[U(boff + j)])
                else:
                    F[U(boff + j)] += total * scale
                    finite = finite and math.isfinite(F[U(boff + j)])
    return finite


# -- the entry points: the arrays handed over by address -------------------------------------------------
#: ``table`` (29,) int64 (an :class:`axonal.graph.addresses.Table`): for steps, terms, entries, lay, tlay
#: (2-D int64) ``address, rows, columns``; for lists (int64) and fparam, masks, P, F, flat, work (the
#: network's dtype) ``address, length``. One call then passes three to six arguments instead of thirteen
#: to seventeen: each array argument costs its unboxing, more than a small network's step.
PACKED = 29


@numba.njit(cache=True, inline="always")
def _unpack(table, dtype):
    """The arrays of ``table`` as views (no reference counting: the table's owner keeps them alive)."""
    steps = numba.carray(address(table[0]), (table[1], table[2]), np.int64)
    terms = numba.carray(address(table[3]), (table[4], table[5]), np.int64)
    entries = numba.carray(address(table[6]), (table[7], table[8]), np.int64)
    lay = numba.carray(address(table[9]), (table[10], table[11]), np.int64)
    tlay = numba.carray(address(table[12]), (table[13], table[14]), np.int64)
    lists = numba.carray(address(table[15]), table[16], np.int64)
    fparam = numba.carray(address(table[17]), table[18], dtype)
    masks = numba.carray(address(table[19]), table[20], dtype)
    P = numba.carray(address(table[21]), table[22], dtype)
    F = numba.carray(address(table[23]), table[24], dtype)
    flat = numba.carray(address(table[25]), table[26], dtype)
    work = numba.carray(address(table[27]), table[28], dtype)
    return steps, terms, entries, lay, tlay, lists, fparam, masks, P, F, flat, work


@numba.njit(cache=True)
def activate(table, x, synaptic):
    """``LSTMG._activate`` on ``x`` (B·n_0,) (B streams' inputs, C-contiguous), through :func:`activate_at`."""
    steps, terms, entries, lay, tlay, lists, fparam, masks, P, F, flat, work = _unpack(table, x.dtype)
    n0 = lay[0, L_SIZE]
    xs = x.reshape((1, x.shape[0] // n0, n0))
    # The row and ``lazy`` as :func:`axonal.kernels.lstm_g_epoch.epoch` passes them (a row index that
    # is not a constant, ``lazy`` then :func:`fill_plain`): one compiled activate_at serves both (a
    # constant argument is a type of its own to Numba, and compiling activate_at takes tens of seconds).
    activate_at(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, xs, xs.shape[0] - 1, synaptic, True,
                work)
    fill_plain(terms, tlay, flat, xs.shape[1])


@numba.njit(cache=True)
def propagate(table, target, rate, synaptic, out_step):
    """``LSTMG._propagate``: learn from ``target`` (B·n_out,) (C-contiguous) through :func:`propagate_at`.
    Returns whether every weight and bias it changed is finite."""
    steps, terms, entries, lay, tlay, lists, fparam, masks, P, F, flat, work = _unpack(table, target.dtype)
    n_out = lay[steps[out_step, S_LAYER], L_SIZE]
    ts = target.reshape((1, target.shape[0] // n_out, n_out))
    return propagate_at(steps, terms, entries, lists, masks, lay, tlay, P, F, flat, ts, ts.shape[0] - 1, rate,
                        synaptic, out_step, work)     # the row not a constant, as in activate


@numba.njit(cache=True)
def step(table, x, target, rate, synaptic, out_step):
    """:func:`activate` on ``x`` then :func:`propagate` from ``target``: ``LSTMG.step(x, target)`` in one
    call. Returns whether every weight and bias it changed is finite."""
    activate(table, x, synaptic)
    return propagate(table, target, rate, synaptic, out_step)
