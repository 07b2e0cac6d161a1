r"""The pieces of one LSTM-g step that :mod:`axonal.kernels.lstm_g` assembles, each a whole layer or term.

The NumPy reference is :class:`axonal.graph.LSTMG` (``_influence``, ``_update_eligibility``,
``_update_extended``, ``_propagate``'s sums); the plan's arrays are those of
:mod:`axonal.graph.compiled_plan` and the stream arrays segments of the flat buffer ``flat``
placed by ``lay`` and ``tlay`` (see :mod:`axonal.kernels.lstm_g` for the equations). Scratch
space is passed as offsets into ``work``. Every loop reads its plan values into locals first,
tests the term kind outside the loops over neurons, and indexes the buffers directly with
unsigned indices (``U``, see :mod:`axonal.kernels.graph_step`): no array views and no array
chosen by a condition (a weight is ``P[k] if src == 0 else F[k]``), each of which would cost
reference-count updates in the inner loops. A *plain* term's eligibility trace is read from
the activations it read (``ε_ji = a_i``, see :mod:`axonal.graph.compiled_plan`).
"""

from __future__ import annotations

import numba

from ..graph.compiled_plan import (
    E_FULL, E_GATER, E_K, E_KSTEP, E_SELF, E_T0, E_TN, INPUT_GATED, L_ACT, L_DECAY, L_DERIV, L_GAIN, L_OLD,
    L_SIZE, L_STATE, ONE_TO_ONE, OUTPUT_GATED, SYNAPSE_GATED, S_E0, S_SELF_GATER, S_SELF_GIDX, S_SELF_NG, S_SELF_OFF,
    S_SELF_SRC, T_GATER, T_GIDX, T_KIND, T_NA, T_NG, T_NL, T_ONE, T_PLAIN, T_SRC, T_WOFF, T_WSRC,
)
from .graph_step import U, gain_of


@numba.njit(cache=True, inline="always")
def unseen_zero(work):
    """0.0, read from the last value of the scratch space ``work``, which no kernel writes (the learner
    allocates it zeroed, with room to spare: :meth:`axonal.graph.lstm_g_state.StreamState._start`).
    A loop that stores the constant 0.0 is compiled into a call of ``memset``, and around each call
    the registers of the whole step are saved and restored, which costs more than zeroing a
    small layer's few values; storing a zero the compiler cannot see keeps the loop a loop."""
    return work[U(work.shape[0] - 1)]


@numba.njit(cache=True, inline="always")
def influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work, d0, f0):
    """``∂s_k/∂a_G[j]`` of entry ``e`` (gater layer ``i``, gated layer ``k``) into ``work``: at ``d0``
    (B, n_k) when gater neuron ``j`` moves only neuron ``j`` of ``k``, else at ``f0`` (B, n_i, n_k); ``n_k``
    values after those are scratch.
    Mirrors ``LSTMG._influence``: the diagonal parts summed first (the self-connection, then the
    terms in order), added onto the spread ones' diagonal, then the spread parts."""
    i, k, ks = entries[e, E_GATER], entries[e, E_K], entries[e, E_KSTEP]
    nk, ni, is_full = lay[k, L_SIZE], lay[i, L_SIZE], entries[e, E_FULL]
    k_old, k_act, k_state = lay[k, L_OLD], lay[k, L_ACT], lay[k, L_STATE]
    q0, q1 = entries[e, E_T0], entries[e, E_T0] + entries[e, E_TN]
    tmp = f0 + (B * ni * nk if is_full else 0)      # n_k more values of scratch
    zero = unseen_zero(work)
    for m in range(B * nk):
        work[U(d0 + m)] = zero
    if is_full:
        for m in range(B * ni * nk):
            work[U(f0 + m)] = zero
    own = entries[e, E_SELF] != 0
    sgidx, sws = steps[ks, S_SELF_GIDX], steps[ks, S_SELF_SRC]
    swoff, sng = steps[ks, S_SELF_OFF], steps[ks, S_SELF_NG]
    for phase in range(2):        # 0: parts on the diagonal, 1: parts spread over the gater's neurons
        if phase == 1:
            if not is_full:
                return
            for b in range(B):
                for kk in range(nk):
                    work[U(f0 + b * ni * nk + kk * nk + kk)] += work[U(d0 + b * nk + kk)]
        if own and (sgidx < 0) == (phase == 0):
            s_src = k_old if (synaptic or k > i) else k_state
            for b in range(B):
                for kk in range(nk):
                    w = (P[U(swoff + kk)] if sws == 0 else F[U(swoff + kk)])
                    at = b * nk + kk
                    if synaptic:
                        v = flat[U(k_old + at)] + w * flat[U(k_act + at)]
                    else:
                        v = w * flat[U(s_src + at)]
                    if sgidx < 0:
                        work[U(d0 + at)] += v
                    elif lists[sgidx + kk] < sng:
                        work[U(f0 + b * ni * nk + lists[sgidx + kk] * nk + kk)] += v
        for q in range(q0, q1):
            t = lists[q]
            kind, gidx = terms[t, T_KIND], terms[t, T_GIDX]
            on_diag = kind == INPUT_GATED or (kind == ONE_TO_ONE and gidx < 0)
            if on_diag != (phase == 0):
                continue
            ws, woff, na, ng = terms[t, T_WSRC], terms[t, T_WOFF], terms[t, T_NA], terms[t, T_NG]
            a_base = lay[terms[t, T_SRC], L_ACT] if synaptic else tlay[t, 1]
            for b in range(B):
                a0, fb = a_base + b * na, f0 + b * ni * nk
                if kind == ONE_TO_ONE:
                    for kk in range(nk):
                        v = flat[U(a0 + kk)] * (P[U(woff + kk)] if ws == 0 else F[U(woff + kk)])
                        if gidx < 0:
                            work[U(d0 + b * nk + kk)] += v
                        elif lists[gidx + kk] < ng:
                            work[U(fb + lists[gidx + kk] * nk + kk)] += v
                elif kind == INPUT_GATED:      # Σ_a a·W per kk at ``tmp``, a row of W at a time
                    for kk in range(nk):
                        work[U(tmp + kk)] = zero
                    for a in range(na):
                        x, row = flat[U(a0 + a)], woff + a * nk
                        for kk in range(nk):
                            work[U(tmp + kk)] += x * (P[U(row + kk)] if ws == 0 else F[U(row + kk)])
                    for kk in range(nk):
                        work[U(d0 + b * nk + kk)] += work[U(tmp + kk)]
                elif kind == OUTPUT_GATED:
                    for a in range(na):
                        x, row, fa = flat[U(a0 + a)], woff + a * nk, fb + a * nk
                        for kk in range(nk):
                            work[U(fa + kk)] += x * (P[U(row + kk)] if ws == 0 else F[U(row + kk)])
                else:   # synapse gating: Σ over the synapses (a, kk) gater neuron g owns
                    for kk in range(nk):
                        for g in range(ng):
                            acc = 0.0
                            for a in range(na):
                                if lists[gidx + a * nk + kk] == g:
                                    at = woff + a * nk + kk
                                    acc += flat[U(a0 + a)] * (P[U(at)] if ws == 0 else F[U(at)])
                            work[U(fb + g * nk + kk)] += acc


@numba.njit(cache=True, inline="always")
def eligibility(t, terms, lists, lay, tlay, flat, B, d_off):
    """Eq. 17 for term ``t`` (``_update_eligibility``): ``ε ← γ·w·ε + g·a`` with the target layer's
    self decays at ``d_off`` (B, n_L), or ``ε ← g·a`` when it has none (``d_off < 0``)."""
    kind, na, nl, gater = terms[t, T_KIND], terms[t, T_NA], terms[t, T_NL], terms[t, T_GATER]
    gidx, ng = terms[t, T_GIDX], terms[t, T_NG]
    a_off, tr = lay[terms[t, T_SRC], L_ACT], tlay[t, 0]
    g_off = lay[gater, L_GAIN] if gater >= 0 else -1
    decays = d_off >= 0
    for b in range(B):
        a0, g0, db = a_off + b * na, g_off + b * ng, d_off + b * nl
        if kind == ONE_TO_ONE:
            for j in range(nl):
                inp = flat[U(a0 + j)]
                if gater >= 0:
                    inp = inp * gain_of(flat, g0, ng, lists, gidx, j, j)
                at = tr + b * nl + j
                flat[U(at)] = flat[U(at)] * flat[U(db + j)] + inp if decays else inp
            continue
        if kind == SYNAPSE_GATED:
            for a in range(na):
                for j in range(nl):
                    inp = flat[U(a0 + a)] * gain_of(flat, g0, ng, lists, gidx, a * nl + j, j)
                    at = tr + (b * na + a) * nl + j
                    flat[U(at)] = flat[U(at)] * flat[U(db + j)] + inp if decays else inp
            continue
        for a in range(na):
            x = flat[U(a0 + a)]
            if kind == OUTPUT_GATED:
                x = x * flat[U(g0 + a)]
            row = tr + (b * na + a) * nl
            if kind == INPUT_GATED:
                if decays:
                    for j in range(nl):
                        flat[U(row + j)] = flat[U(row + j)] * flat[U(db + j)] + x * flat[U(g0 + j)]
                else:
                    for j in range(nl):
                        flat[U(row + j)] = x * flat[U(g0 + j)]
            elif decays:
                for j in range(nl):
                    flat[U(row + j)] = flat[U(row + j)] * flat[U(db + j)] + x
            else:
                for j in range(nl):
                    flat[U(row + j)] = x


@numba.njit(cache=True, inline="always")
def extended(p, q, t0, t1, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work):
    """Eq. 18 for entry ``q`` of step ``p``'s layer (gated layer ``k``) on the terms ``t0 .. t1``
    (``_update_extended``): ``ε^k ← γ_kk·w_kk·ε^k + f'_j·ε·∂s_k/∂a_G[j]``."""
    e = steps[p, S_E0] + q
    i, k, ks = entries[e, E_GATER], entries[e, E_K], entries[e, E_KSTEP]
    ni, nk, is_full = lay[i, L_SIZE], lay[k, L_SIZE], entries[e, E_FULL]
    dv = lay[i, L_DERIV]
    # work: [kd (B, n_k) | ∂s_k/∂a_G on the diagonal (B, n_k) | spread f'·∂s_k/∂a_G (B, n_i) or (B, n_i, n_k),
    # made in place of the full influence]
    kd, d0 = 0, B * nk
    f0 = sp = 2 * B * nk
    influence(e, steps, terms, entries, lists, lay, tlay, P, F, flat, B, synaptic, work, d0, f0)
    has_decay = steps[ks, S_SELF_SRC] >= 0
    if has_decay:
        if synaptic:       # γ_kk·w_kk as it stands now (``_self_decay``)
            sws, soff, sg = steps[ks, S_SELF_SRC], steps[ks, S_SELF_OFF], steps[ks, S_SELF_GATER]
            sng, sgidx = steps[ks, S_SELF_NG], steps[ks, S_SELF_GIDX]
            g_base = lay[sg, L_GAIN] if sg >= 0 else 0
            for b in range(B):
                for kk in range(nk):
                    w = (P[U(soff + kk)] if sws == 0 else F[U(soff + kk)])
                    if sg >= 0:
                        w = gain_of(flat, g_base + b * sng, sng, lists, sgidx, kk, kk) * w
                    work[U(kd + b * nk + kk)] = w
        else:
            k_dec = lay[k, L_DECAY]
            for m in range(B * nk):
                work[U(kd + m)] = flat[U(k_dec + m)]
    if is_full:
        for m in range(B * ni * nk):
            work[U(sp + m)] = flat[U(dv + m // nk)] * work[U(f0 + m)]
    else:
        for b in range(B):
            for j in range(ni):
                work[U(sp + b * ni + j)] = flat[U(dv + b * ni + j)] * work[U(d0 + b * nk + j)]
    for t in range(t0, t1):
        one, na, tr, x = terms[t, T_ONE], terms[t, T_NA], tlay[t, 0], tlay[t, 2 + q]
        plain, read = terms[t, T_PLAIN] != 0, tlay[t, 1]
        es = 0 if plain else 1          # a plain term's ε row is the one value it read
        rows = 1 if one else na
        for b in range(B):
            kdb, spb = kd + b * nk, sp + b * ni
            for a in range(rows):
                base = (b * rows + a) * ni
                eps, ext = (read + b * na + a) if plain else tr + base, x + base
                if not is_full or nk == 1:     # ε^k (n_i,) for this row (one gated neuron when full)
                    if has_decay and is_full:
                        decay = work[U(kdb)]
                        for j in range(ni):
                            flat[U(ext + j)] = flat[U(ext + j)] * decay + flat[U(eps + j * es)] * work[U(spb + j)]
                    elif has_decay:
                        for j in range(ni):
                            flat[U(ext + j)] = (flat[U(ext + j)] * work[U(kdb + j)]
                                                + flat[U(eps + j * es)] * work[U(spb + j)])
                    else:
                        for j in range(ni):
                            flat[U(ext + j)] = 0.0 + flat[U(eps + j * es)] * work[U(spb + j)]
                    continue
                for j in range(ni):
                    trace = flat[U(eps + j * es)]
                    at, s0 = x + (base + j) * nk, sp + (b * ni + j) * nk
                    if has_decay:
                        for kk in range(nk):
                            flat[U(at + kk)] = flat[U(at + kk)] * work[U(kdb + kk)] + trace * work[U(s0 + kk)]
                    else:
                        for kk in range(nk):
                            flat[U(at + kk)] = 0.0 + trace * work[U(s0 + kk)]


@numba.njit(cache=True, inline="always")
def source_grad(t, terms, lists, lay, P, F, flat, du_off, B, work, err):
    """``err += ∂E/∂a`` (B, n_A) of term ``t`` at ``work[err:]``, given ``δu`` at ``flat[du_off:]``
    (each term's ``source_grad``)."""
    kind, na, nl = terms[t, T_KIND], terms[t, T_NA], terms[t, T_NL]
    ws, woff, gater, gidx, ng = terms[t, T_WSRC], terms[t, T_WOFF], terms[t, T_GATER], terms[t, T_GIDX], terms[t, T_NG]
    g_off = lay[gater, L_GAIN] if gater >= 0 else -1
    for b in range(B):
        d0, g0, e0 = du_off + b * nl, g_off + b * ng, err + b * na
        if kind == ONE_TO_ONE:
            for j in range(nl):
                v = flat[U(d0 + j)] * (P[U(woff + j)] if ws == 0 else F[U(woff + j)])
                if gater >= 0:
                    v = v * gain_of(flat, g0, ng, lists, gidx, j, j)
                work[U(e0 + j)] += v
        elif kind == SYNAPSE_GATED:
            for a in range(na):
                acc = 0.0
                for j in range(nl):
                    acc += flat[U(d0 + j)] * (gain_of(flat, g0, ng, lists, gidx, a * nl + j, j) *
                                           (P[U(woff + a * nl + j)] if ws == 0 else F[U(woff + a * nl + j)]))
                work[U(e0 + a)] += acc
        else:   # Σ_j over each row of W (n_A, n_L)
            for a in range(na):
                row = woff + a * nl
                acc = 0.0
                if kind == INPUT_GATED:
                    for j in range(nl):
                        acc += (flat[U(d0 + j)] * flat[U(g0 + j)]) * (P[U(row + j)] if ws == 0 else F[U(row + j)])
                else:
                    for j in range(nl):
                        acc += flat[U(d0 + j)] * (P[U(row + j)] if ws == 0 else F[U(row + j)])
                if kind == OUTPUT_GATED:
                    acc = acc * flat[U(g0 + a)]
                work[U(e0 + a)] += acc


@numba.njit(cache=True, inline="always")
def forward(t, terms, lay, P, F, flat, a_off, s_off, B):
    """``s += u`` for an unmasked all-to-all, input-gated or output-gated term ``t`` (``forward`` of
    :mod:`axonal.graph.terms`): ``u_j = [γ_j]·Σ_i ([γ_i]·a_i)·W_ij``, each sum in a register, taken over
    ``i`` in order as :func:`axonal.kernels.graph_step.add_term` takes it (a column of ``W`` at a time)."""
    kind, na, nl, ws = terms[t, T_KIND], terms[t, T_NA], terms[t, T_NL], terms[t, T_WSRC]
    woff, gater = terms[t, T_WOFF], terms[t, T_GATER]
    g_off = lay[gater, L_GAIN] if gater >= 0 else -1
    for b in range(B):
        a0, s0 = a_off + b * na, s_off + b * nl
        g0 = g_off + b * (na if kind == OUTPUT_GATED else nl)
        for j in range(nl):
            acc = 0.0
            for i in range(na):
                x = flat[U(a0 + i)]
                if kind == OUTPUT_GATED:
                    x = flat[U(g0 + i)] * x
                acc += x * (P[U(woff + i * nl + j)] if ws == 0 else F[U(woff + i * nl + j)])
            if kind == INPUT_GATED:
                flat[U(s0 + j)] += flat[U(g0 + j)] * acc
            else:
                flat[U(s0 + j)] += acc
