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
"""

from __future__ import annotations

import math

import numba

from ..graph.compiled_plan import (
    E_FULL, E_GATER, E_K, E_KSTEP, E_SELF, E_T0, E_TN, INPUT_GATED, L_ACT, L_DECAY, L_DERIV, L_GAIN, L_OLD,
    L_RESP, L_SIZE, L_STATE, ONE_TO_ONE, OUTPUT_GATED, SYNAPSE_GATED, S_BIAS_OFF, S_BIAS_SRC, S_BIAS_TRAIN,
    S_CODE, S_E0, S_EN, S_LAYER, S_O0, S_ON, S_SELF_GATER, S_SELF_GIDX, S_SELF_NG, S_SELF_OFF, S_SELF_SRC,
    S_SIZE, S_T0, S_TN, T_GATER, T_GIDX, T_KIND, T_LAYER, T_MASK, T_NA, T_NG, T_NL, T_ONE, T_SRC, T_TRAIN,
    T_WOFF, T_WSRC,
)
from .graph_step import add_term, gain_of, squash


@numba.njit(cache=True)
def _self_decay(p, steps, lists, P, F, flat, lay, b, j):
    """``γ_jj·w_jj`` of step ``p``'s self-connection as it stands now (``_self_decay``)."""
    Ws = P if steps[p, S_SELF_SRC] == 0 else F
    w = Ws[steps[p, S_SELF_OFF] + j]
    sg = steps[p, S_SELF_GATER]
    if sg < 0:
        return w
    ng = steps[p, S_SELF_NG]
    return gain_of(flat, lay[sg, L_GAIN] + b * ng, ng, lists, steps[p, S_SELF_GIDX], j, j) * w


@numba.njit(cache=True)
def _influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, diag, full):
    """``∂s_k/∂a_G[j]`` of entry ``e`` (gater layer ``i``, gated layer ``k``): into ``diag`` (B, n_k)
    when gater neuron ``j`` moves only neuron ``j`` of ``k``, else into ``full`` (B, n_i, n_k).
    Mirrors ``LSTMG._influence``: the diagonal parts summed first, then the spread ones."""
    i, k, ks = entries[e, E_GATER], entries[e, E_K], entries[e, E_KSTEP]
    nk, ni, is_full = lay[k, L_SIZE], lay[i, L_SIZE], entries[e, E_FULL]
    diag[:] = 0.0
    if is_full:
        full[:] = 0.0
    for phase in range(2):        # 0: parts on the diagonal, 1: parts spread over the gater's neurons
        if phase == 1:
            if not is_full:
                return
            for b in range(B):
                for kk in range(nk):
                    full[b * ni * nk + kk * nk + kk] += diag[b * nk + kk]
        if entries[e, E_SELF]:
            sgidx = steps[ks, S_SELF_GIDX]
            if (sgidx < 0) == (phase == 0):
                Ws = P if steps[ks, S_SELF_SRC] == 0 else F
                woff, ng = steps[ks, S_SELF_OFF], steps[ks, S_SELF_NG]
                for b in range(B):
                    for kk in range(nk):
                        w = Ws[woff + kk]
                        at = b * nk + kk
                        if synaptic:
                            v = flat[lay[k, L_OLD] + at] + w * flat[lay[k, L_ACT] + at]
                        else:
                            v = w * flat[lay[k, L_OLD if k > i else L_STATE] + at]
                        if sgidx < 0:
                            diag[at] += v
                        elif lists[sgidx + kk] < ng:
                            full[b * ni * nk + lists[sgidx + kk] * nk + kk] += v
        for q in range(entries[e, E_T0], entries[e, E_T0] + entries[e, E_TN]):
            t = lists[q]
            kind, gidx = terms[t, T_KIND], terms[t, T_GIDX]
            on_diag = kind == INPUT_GATED or (kind == ONE_TO_ONE and gidx < 0)
            if on_diag != (phase == 0):
                continue
            W = P if terms[t, T_WSRC] == 0 else F
            woff, na, ng = terms[t, T_WOFF], terms[t, T_NA], terms[t, T_NG]
            a_base = lay[terms[t, T_SRC], L_ACT] if synaptic else tlay[t, 1]
            for b in range(B):
                a0 = a_base + b * na
                if kind == ONE_TO_ONE:
                    for kk in range(nk):
                        v = flat[a0 + kk] * W[woff + kk]
                        if gidx < 0:
                            diag[b * nk + kk] += v
                        elif lists[gidx + kk] < ng:
                            full[b * ni * nk + lists[gidx + kk] * nk + kk] += v
                elif kind == INPUT_GATED:
                    for kk in range(nk):
                        acc = 0.0
                        for a in range(na):
                            acc += flat[a0 + a] * W[woff + a * nk + kk]
                        diag[b * nk + kk] += acc
                elif kind == OUTPUT_GATED:
                    for a in range(na):
                        for kk in range(nk):
                            full[b * ni * nk + a * nk + kk] += flat[a0 + a] * W[woff + a * nk + kk]
                else:   # synapse gating: Σ over the synapses (a, kk) gater neuron g owns
                    for kk in range(nk):
                        for g in range(ng):
                            acc = 0.0
                            for a in range(na):
                                if lists[gidx + a * nk + kk] == g:
                                    acc += flat[a0 + a] * W[woff + a * nk + kk]
                            full[b * ni * nk + g * nk + kk] += acc


@numba.njit(cache=True)
def _eligibility(p, steps, terms, lists, lay, tlay, flat, B):
    """Eq. 17 for every term into step ``p``'s layer (``_update_eligibility``)."""
    i, nl = steps[p, S_LAYER], steps[p, S_SIZE]
    d_off = lay[i, L_DECAY]
    for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
        kind, na, gater = terms[t, T_KIND], terms[t, T_NA], terms[t, T_GATER]
        gidx, ng = terms[t, T_GIDX], terms[t, T_NG]
        a_off, tr = lay[terms[t, T_SRC], L_ACT], tlay[t, 0]
        g_off = lay[gater, L_GAIN] if gater >= 0 else -1
        for b in range(B):
            a0, g0 = a_off + b * na, g_off + b * ng
            if kind == ONE_TO_ONE:
                for j in range(nl):
                    inp = flat[a0 + j]
                    if gater >= 0:
                        inp = inp * gain_of(flat, g0, ng, lists, gidx, j, j)
                    at = tr + b * nl + j
                    flat[at] = flat[at] * flat[d_off + b * nl + j] + inp if d_off >= 0 else inp
                continue
            for a in range(na):
                for j in range(nl):
                    inp = flat[a0 + a]
                    if kind == INPUT_GATED:
                        inp = inp * flat[g0 + j]
                    elif kind == OUTPUT_GATED:
                        inp = inp * flat[g0 + a]
                    elif kind == SYNAPSE_GATED:
                        inp = inp * gain_of(flat, g0, ng, lists, gidx, a * nl + j, j)
                    at = tr + (b * na + a) * nl + j
                    flat[at] = flat[at] * flat[d_off + b * nl + j] + inp if d_off >= 0 else inp


@numba.njit(cache=True)
def _extended(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work):
    """Eq. 18 for every layer ``k`` that step ``p``'s layer gates (``_update_extended``)."""
    i, ni = steps[p, S_LAYER], steps[p, S_SIZE]
    dv = lay[i, L_DERIV]
    for q in range(steps[p, S_EN]):
        e = steps[p, S_E0] + q
        k, ks = entries[e, E_K], entries[e, E_KSTEP]
        nk, is_full = lay[k, L_SIZE], entries[e, E_FULL]
        diag, kd = work[:B * nk], work[B * nk:2 * B * nk]
        full = work[2 * B * nk:2 * B * nk + (B * ni * nk if is_full else 1)]
        _influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, diag, full)
        kd[:] = 0.0
        has_decay = steps[ks, S_SELF_SRC] >= 0
        if has_decay:
            for b in range(B):
                for kk in range(nk):
                    kd[b * nk + kk] = (_self_decay(ks, steps, lists, P, F, flat, lay, b, kk) if synaptic
                                       else flat[lay[k, L_DECAY] + b * nk + kk])
        for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
            one, na, tr, x = terms[t, T_ONE], terms[t, T_NA], tlay[t, 0], tlay[t, 2 + q]
            rows = 1 if one else na
            for b in range(B):
                for a in range(rows):
                    base = (b * rows + a) * ni
                    for j in range(ni):
                        trace = flat[tr + base + j]
                        if not is_full:
                            spread = flat[dv + b * ni + j] * diag[b * nk + j]
                            old = flat[x + base + j] * kd[b * nk + j] if has_decay else 0.0
                            flat[x + base + j] = old + trace * spread
                            continue
                        for kk in range(nk):
                            spread = flat[dv + b * ni + j] * full[(b * ni + j) * nk + kk]
                            at = x + (base + j) * nk + kk
                            old = flat[at] * kd[b * nk + kk] if has_decay else 0.0
                            flat[at] = old + trace * spread


@numba.njit(cache=True)
def activate(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, x, synaptic, work):
    """``LSTMG._activate``: one step on ``x`` (B, n_0), states and traces updated in ``flat``."""
    B = x.shape[0]
    n0 = lay[0, L_SIZE]
    for b in range(B):
        for j in range(n0):
            flat[lay[0, L_ACT] + b * n0 + j] = x[b, j]
    for p in range(steps.shape[0]):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        s_off, o_off, d_off = lay[i, L_STATE], lay[i, L_OLD], lay[i, L_DECAY]
        for k in range(B * n):
            flat[o_off + k] = flat[s_off + k]
            flat[s_off + k] = 0.0
        if steps[p, S_BIAS_SRC] >= 0:
            Wb = P if steps[p, S_BIAS_SRC] == 0 else F
            for b in range(B):
                for j in range(n):
                    flat[s_off + b * n + j] += Wb[steps[p, S_BIAS_OFF] + j]
        if d_off >= 0:
            for b in range(B):
                for j in range(n):
                    decay = _self_decay(p, steps, lists, P, F, flat, lay, b, j)
                    flat[d_off + b * n + j] = decay
                    flat[s_off + b * n + j] += flat[d_off + b * n + j] * flat[o_off + b * n + j]
        for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
            src = terms[t, T_SRC]
            na = lay[src, L_SIZE]
            for k in range(B * na):
                flat[tlay[t, 1] + k] = flat[lay[src, L_ACT] + k]
            W = P if terms[t, T_WSRC] == 0 else F
            add_term(t, terms, lists, fparam, lay, W, flat, tlay[t, 1], s_off, B, False)
        squash(steps[p, S_CODE], fparam[p], flat, s_off, lay[i, L_ACT], lay[i, L_DERIV], B, n)
        if lay[i, L_GAIN] >= 0:
            for k in range(B * n):
                flat[lay[i, L_GAIN] + k] = flat[lay[i, L_ACT] + k]
        _eligibility(p, steps, terms, lists, lay, tlay, flat, B)
        if synaptic:
            _extended(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)
    if not synaptic:
        for p in range(steps.shape[0]):
            _extended(p, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work)


@numba.njit(cache=True)
def _source_grad(t, terms, lists, lay, P, F, flat, du_off, B, err):
    """``err += ∂E/∂a`` (B, n_A) of term ``t`` given ``δu`` at ``du_off`` (each term's ``source_grad``)."""
    kind, na, nl = terms[t, T_KIND], terms[t, T_NA], terms[t, T_NL]
    W = P if terms[t, T_WSRC] == 0 else F
    woff, gater, gidx, ng = terms[t, T_WOFF], terms[t, T_GATER], terms[t, T_GIDX], terms[t, T_NG]
    g_off = lay[gater, L_GAIN] if gater >= 0 else -1
    for b in range(B):
        d0, g0 = du_off + b * nl, g_off + b * ng
        if kind == ONE_TO_ONE:
            for j in range(nl):
                v = flat[d0 + j] * W[woff + j]
                if gater >= 0:
                    v = v * gain_of(flat, g0, ng, lists, gidx, j, j)
                err[b * na + j] += v
            continue
        for a in range(na):
            acc = 0.0
            for j in range(nl):
                w = W[woff + a * nl + j]
                if kind == INPUT_GATED:
                    acc += (flat[d0 + j] * flat[g0 + j]) * w
                elif kind == SYNAPSE_GATED:
                    acc += flat[d0 + j] * (gain_of(flat, g0, ng, lists, gidx, a * nl + j, j) * w)
                else:
                    acc += flat[d0 + j] * w
            if kind == OUTPUT_GATED:
                acc = acc * flat[g0 + a]
            err[b * na + a] += acc


@numba.njit(cache=True)
def propagate(steps, terms, entries, lists, masks, lay, tlay, P, F, flat, target, rate, synaptic, out_step, work):
    """``LSTMG._propagate``: learn from ``target`` (B, n_out) for the step activated last. Returns
    whether every weight and bias it changed is finite."""
    B = target.shape[0]
    scale = rate / B
    finite = True
    for p in range(steps.shape[0] - 1, -1, -1):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        r_off, a_off, dv = lay[i, L_RESP], lay[i, L_ACT], lay[i, L_DERIV]
        proj, err = work[:B * n], work[B * n:2 * B * n]
        part, gated = work[2 * B * n:3 * B * n], work[3 * B * n:4 * B * n]
        proj[:] = 0.0
        if p == out_step:
            for b in range(B):
                for j in range(n):
                    proj[b * n + j] = target[b, j] - flat[a_off + b * n + j]
                    flat[r_off + b * n + j] = proj[b * n + j]
        else:
            err[:] = 0.0
            for q in range(steps[p, S_O0], steps[p, S_O0] + steps[p, S_ON]):
                t = lists[q]
                part[:] = 0.0
                _source_grad(t, terms, lists, lay, P, F, flat, lay[terms[t, T_LAYER], L_RESP], B, part)
                err += part
            for k in range(B * n):
                proj[k] = flat[dv + k] * err[k]
            gated[:] = 0.0
            for q in range(steps[p, S_EN]):
                e = steps[p, S_E0] + q
                k = entries[e, E_K]
                nk = lay[k, L_SIZE]
                diag = work[4 * B * n:4 * B * n + B * nk]
                full = work[4 * B * n + B * nk:4 * B * n + B * nk + (B * n * nk if entries[e, E_FULL] else 1)]
                _influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, diag, full)
                rk = lay[k, L_RESP]
                for b in range(B):
                    for j in range(n):
                        if entries[e, E_FULL]:
                            acc = 0.0
                            for kk in range(nk):
                                acc += full[(b * n + j) * nk + kk] * flat[rk + b * nk + kk]
                            gated[b * n + j] += acc
                        else:
                            gated[b * n + j] += flat[rk + b * nk + j] * diag[b * nk + j]
            for k in range(B * n):
                flat[r_off + k] = proj[k] + flat[dv + k] * gated[k]
        for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
            if not terms[t, T_TRAIN]:
                continue
            rows = 1 if terms[t, T_ONE] else terms[t, T_NA]
            W = P if terms[t, T_WSRC] == 0 else F
            woff, moff, tr = terms[t, T_WOFF], terms[t, T_MASK], tlay[t, 0]
            for a in range(rows):
                for j in range(n):
                    grad = 0.0
                    for b in range(B):
                        grad += flat[tr + (b * rows + a) * n + j] * proj[b * n + j]
                    for q in range(steps[p, S_EN]):
                        e = steps[p, S_E0] + q
                        x, rk, nk = tlay[t, 2 + q], lay[entries[e, E_K], L_RESP], lay[entries[e, E_K], L_SIZE]
                        acc = 0.0
                        for b in range(B):
                            at = (b * rows + a) * n + j
                            if entries[e, E_FULL]:
                                for kk in range(nk):
                                    acc += flat[x + at * nk + kk] * flat[rk + b * nk + kk]
                            else:
                                acc += flat[x + at] * flat[rk + b * nk + j]
                        grad += acc
                    delta = grad * scale
                    if moff >= 0:
                        delta = delta * masks[moff + a * n + j]
                    W[woff + a * n + j] += delta
                    finite = finite and math.isfinite(W[woff + a * n + j])
        if steps[p, S_BIAS_SRC] >= 0 and steps[p, S_BIAS_TRAIN]:
            Wb = P if steps[p, S_BIAS_SRC] == 0 else F
            for j in range(n):
                total = 0.0
                for b in range(B):
                    total += flat[r_off + b * n + j]
                Wb[steps[p, S_BIAS_OFF] + j] += total * scale
                finite = finite and math.isfinite(Wb[steps[p, S_BIAS_OFF] + j])
    return finite


@numba.njit(cache=True)
def step(steps, terms, entries, lists, fparam, masks, lay, tlay, P, F, flat, x, target, rate, synaptic, out_step, work):
    """:func:`activate` on ``x`` then :func:`propagate` from ``target``: ``LSTMG.step(x, target)`` in one
    call. Returns whether every weight and bias it changed is finite."""
    activate(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, x, synaptic, work)
    return propagate(steps, terms, entries, lists, masks, lay, tlay, P, F, flat, target, rate, synaptic, out_step, work)
