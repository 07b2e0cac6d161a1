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
scratch space of at least ``B·(6·N + N²)`` values (``N`` the largest layer).

The per-term and per-entry pieces live in :mod:`axonal.kernels.lstm_g_parts` and are inlined
here (``inline="always"``), so that a step is one compiled function per entry point with no
calls passing a dozen arrays and no reference counting between them; their innermost loops
run over views of one row.
"""

from __future__ import annotations

import math

import numba

from ..graph.compiled_plan import (
    E_FULL, E_K, L_ACT, L_DECAY, L_DERIV, L_GAIN, L_OLD, L_RESP, L_SIZE, L_STATE, S_BIAS_OFF, S_BIAS_SRC,
    S_BIAS_TRAIN, S_CODE, S_E0, S_EN, S_LAYER, S_O0, S_ON, S_SELF_GATER, S_SELF_GIDX, S_SELF_NG, S_SELF_OFF,
    S_SELF_SRC, S_SIZE, S_T0, S_TN, ONE_TO_ONE, SYNAPSE_GATED, T_KIND, T_LAYER, T_MASK, T_NA, T_ONE, T_SRC,
    T_TRAIN, T_WOFF, T_WSRC,
)
from .graph_step import add_term, gain_of, squash
from .lstm_g_parts import eligibility, extended, forward, influence, source_grad


@numba.njit(cache=True)
def activate(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, x, synaptic, work):
    """``LSTMG._activate``: one step on ``x`` (B, n_0), states and traces updated in ``flat``."""
    B = x.shape[0]
    n0, in0 = lay[0, L_SIZE], lay[0, L_ACT]
    for b in range(B):
        for j in range(n0):
            flat[in0 + b * n0 + j] = x[b, j]
    for p in range(steps.shape[0]):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        s_off, o_off, d_off = lay[i, L_STATE], lay[i, L_OLD], lay[i, L_DECAY]
        # s(t-1) kept; s = 0 + b; γ_jj·w_jj as it stands now (``_self_decay``) and s += γ·w·s(t-1)
        has_bias, boff, Wb = steps[p, S_BIAS_SRC] >= 0, steps[p, S_BIAS_OFF], P if steps[p, S_BIAS_SRC] == 0 else F
        Ws = P if steps[p, S_SELF_SRC] == 0 else F
        soff, sg, sng, sgidx = steps[p, S_SELF_OFF], steps[p, S_SELF_GATER], steps[p, S_SELF_NG], \
            steps[p, S_SELF_GIDX]
        g_base = lay[sg, L_GAIN] if sg >= 0 else 0
        for b in range(B):
            for j in range(n):
                at = b * n + j
                old = flat[s_off + at]
                flat[o_off + at] = old
                s = 0.0 + Wb[boff + j] if has_bias else 0.0
                if d_off >= 0:
                    w = Ws[soff + j]
                    if sg >= 0:
                        w = gain_of(flat, g_base + b * sng, sng, lists, sgidx, j, j) * w
                    flat[d_off + at] = w
                    s += w * old
                flat[s_off + at] = s
        t0, t1 = steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]
        for t in range(t0, t1):
            src, read = terms[t, T_SRC], tlay[t, 1]
            src_act = lay[src, L_ACT]
            for m in range(B * lay[src, L_SIZE]):
                flat[read + m] = flat[src_act + m]
            W = P if terms[t, T_WSRC] == 0 else F
            if terms[t, T_KIND] == ONE_TO_ONE or terms[t, T_KIND] == SYNAPSE_GATED:
                add_term(t, terms, lists, fparam, lay, W, flat, read, s_off, B, False)
            else:
                forward(t, terms, lay, W, flat, read, s_off, B, work)
        squash(steps[p, S_CODE], fparam[p], flat, s_off, lay[i, L_ACT], lay[i, L_DERIV], B, n)
        if lay[i, L_GAIN] >= 0:
            g_off, a_off = lay[i, L_GAIN], lay[i, L_ACT]
            for m in range(B * n):
                flat[g_off + m] = flat[a_off + m]
        for t in range(t0, t1):
            eligibility(t, terms, lists, lay, tlay, flat, B, d_off)
        if synaptic:
            for q in range(steps[p, S_EN]):
                extended(p, q, t0, t1, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)
    if not synaptic:
        for p in range(steps.shape[0]):
            t0, t1 = steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]
            for q in range(steps[p, S_EN]):
                extended(p, q, t0, t1, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)


@numba.njit(cache=True, inline="always")
def _responsibility(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work):
    """``δ_j = δ^P_j + f'_j·Σ_k δ_k·∂s_k/∂a_G[j]`` of step ``p``'s layer into ``flat`` and ``δ^P`` into
    ``work[:B·n]``; ``work[B·n:]`` is scratch (the projected error, the gated one, the influences)."""
    i, n = steps[p, S_LAYER], steps[p, S_SIZE]
    r_off, dv = lay[i, L_RESP], lay[i, L_DERIV]
    proj, err, gated = work[:B * n], work[B * n:2 * B * n], work[2 * B * n:3 * B * n]
    d0 = 3 * B * n
    for m in range(B * n):
        err[m] = 0.0
        gated[m] = 0.0
    for q in range(steps[p, S_O0], steps[p, S_O0] + steps[p, S_ON]):
        t = lists[q]
        source_grad(t, terms, lists, lay, P, F, flat, lay[terms[t, T_LAYER], L_RESP], B, work, B * n)
    deriv, resp = flat[dv:dv + B * n], flat[r_off:r_off + B * n]
    for m in range(B * n):
        proj[m] = deriv[m] * err[m]
    for q in range(steps[p, S_EN]):
        e = steps[p, S_E0] + q
        k = entries[e, E_K]
        nk, rk = lay[k, L_SIZE], lay[k, L_RESP]
        f0 = d0 + B * nk
        influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work, d0, f0)
        for b in range(B):
            rb, gb = flat[rk + b * nk:rk + (b + 1) * nk], gated[b * n:(b + 1) * n]
            if entries[e, E_FULL]:
                for j in range(n):
                    spread = work[f0 + (b * n + j) * nk:f0 + (b * n + j + 1) * nk]
                    acc = 0.0
                    for kk in range(nk):
                        acc += spread[kk] * rb[kk]
                    gb[j] += acc
            else:
                diag = work[d0 + b * nk:d0 + (b + 1) * nk]
                for j in range(n):
                    gb[j] += rb[j] * diag[j]
    for m in range(B * n):
        resp[m] = proj[m] + deriv[m] * gated[m]


@numba.njit(cache=True, inline="always")
def _learn_term(t, q0, nq, entries, terms, lay, tlay, masks, W, flat, B, n, scale, work, g):
    """Eq. 24 for term ``t`` into layer ``n`` wide: ``Δw = α/B·Σ_b (δ^P·ε + Σ_k δ_k·ε^k)`` with ``δ^P``
    at ``work[:B·n]`` and the sums gathered at ``work[g:]``, a row of ``n`` at a time (the sums over
    ``b`` in order, then over ``k``). Returns whether every new weight is finite."""
    rows = 1 if terms[t, T_ONE] else terms[t, T_NA]
    woff, moff, tr = terms[t, T_WOFF], terms[t, T_MASK], tlay[t, 0]
    grads = work[g:g + rows * n]
    for m in range(rows * n):
        grads[m] = 0.0
    for b in range(B):
        proj = work[b * n:(b + 1) * n]
        for a in range(rows):
            at = tr + (b * rows + a) * n
            eps, gr = flat[at:at + n], grads[a * n:(a + 1) * n]
            for j in range(n):
                gr[j] += eps[j] * proj[j]
    for q in range(nq):
        e = q0 + q
        x, rk, nk = tlay[t, 2 + q], lay[entries[e, E_K], L_RESP], lay[entries[e, E_K], L_SIZE]
        full = entries[e, E_FULL] != 0
        for b in range(B):
            resp = flat[rk + b * nk:rk + (b + 1) * nk]
            for a in range(rows):
                at, gr = x + (b * rows + a) * n * (nk if full else 1), grads[a * n:(a + 1) * n]
                if not full:
                    ext = flat[at:at + n]
                    for j in range(n):
                        gr[j] += ext[j] * resp[j]
                elif nk == 1:
                    ext, r = flat[at:at + n], resp[0]
                    for j in range(n):
                        gr[j] += ext[j] * r
                else:
                    for j in range(n):
                        ext = flat[at + j * nk:at + (j + 1) * nk]
                        acc = 0.0
                        for kk in range(nk):
                            acc += ext[kk] * resp[kk]
                        gr[j] += acc
    weights = W[woff:woff + rows * n]
    check = 0.0                     # 0, or NaN once a weight is NaN or infinite
    if moff >= 0:
        mask = masks[moff:moff + rows * n]
        for m in range(rows * n):
            weights[m] += (grads[m] * scale) * mask[m]
            check += weights[m] * 0.0
    else:
        for m in range(rows * n):
            weights[m] += grads[m] * scale
            check += weights[m] * 0.0
    return check == 0.0


@numba.njit(cache=True)
def propagate(steps, terms, entries, lists, masks, lay, tlay, P, F, flat, target, rate, synaptic, out_step, work):
    """``LSTMG._propagate``: learn from ``target`` (B, n_out) for the step activated last. Returns
    whether every weight and bias it changed is finite."""
    B = target.shape[0]
    scale = rate / B
    finite = True
    for p in range(steps.shape[0] - 1, -1, -1):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        r_off, a_off = lay[i, L_RESP], lay[i, L_ACT]
        if p == out_step:
            for b in range(B):
                for j in range(n):
                    v = target[b, j] - flat[a_off + b * n + j]
                    work[b * n + j] = v
                    flat[r_off + b * n + j] = v
        else:
            _responsibility(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)
        for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
            if terms[t, T_TRAIN]:
                W = P if terms[t, T_WSRC] == 0 else F
                ok = _learn_term(t, steps[p, S_E0], steps[p, S_EN], entries, terms, lay, tlay, masks, W, flat, B, n,
                                 scale, work, B * n)
                finite = finite and ok
        if steps[p, S_BIAS_SRC] >= 0 and steps[p, S_BIAS_TRAIN]:
            Wb = P if steps[p, S_BIAS_SRC] == 0 else F
            boff = steps[p, S_BIAS_OFF]
            for j in range(n):
                total = 0.0
                for b in range(B):
                    total += flat[r_off + b * n + j]
                Wb[boff + j] += total * scale
                finite = finite and math.isfinite(Wb[boff + j])
    return finite


@numba.njit(cache=True)
def step(steps, terms, entries, lists, fparam, masks, lay, tlay, P, F, flat, x, target, rate, synaptic, out_step, work):
    """:func:`activate` on ``x`` then :func:`propagate` from ``target``: ``LSTMG.step(x, target)`` in one
    call. Returns whether every weight and bias it changed is finite."""
    activate(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, x, synaptic, work)
    return propagate(steps, terms, entries, lists, masks, lay, tlay, P, F, flat, target, rate, synaptic, out_step, work)
