r"""One time step of a graph network, interpreted from its compiled plan's arrays.

The NumPy reference is :meth:`axonal.graph.GraphLayer._run` (one step with the state
carried, as :meth:`axonal.graph.GraphNetwork.activate` runs it) and the forward half of
:meth:`axonal.graph.LSTMG._activate`. The plan's arrays are described in
:mod:`axonal.graph.compiled_plan`; every stream array (activations, states, gains) is a
row-major ``(B, n)`` segment of one flat buffer ``flat`` at the offsets of ``lay``.

Each layer ``L`` after the input, in order, with ``a`` the activations of a term's source
(read as they stand: this step's for an earlier layer, the previous step's otherwise)
and ``γ`` its gater's gain (read the same way)::

    s_L = b_L + s_L(t-1) ⊙ w_L ⊙ γ_L + Σ_terms u             a_L = f_L(s_L)
    AllToAll     u_j = Σ_i a_i·W_ij                InputGated   u_j = γ_j·Σ_i a_i·W_ij
    OutputGated  u_j = Σ_i (γ_i·a_i)·W_ij          SynapseGated u_j = Σ_i a_i·(γ_ij·W_ij)
    OneToOne     u_j = a_j·w_j·γ_j                 (γ_ij = [a_G | 1][index_ij] under synapse gating)

and a gater layer's gain becomes its new activations once it has run.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.core import cgutils
from numba.extending import intrinsic

from . import activations as fn

# The plan's kind codes and column numbers, defined once where the plan is built.
from ..graph.compiled_plan import (
    INPUT_GATED, L_ACT, L_GAIN, L_OLD, L_SIZE, L_STATE, ONE_TO_ONE, OUTPUT_GATED, SYNAPSE_GATED, S_BIAS_OFF,
    S_BIAS_SRC, S_CODE, S_LAYER, S_SELF_GATER, S_SELF_GIDX, S_SELF_MASK, S_SELF_NG, S_SELF_OFF, S_SELF_SRC,
    S_SIZE, S_T0, S_TN, T_GATER, T_GIDX, T_KIND, T_MASK, T_NA, T_NG, T_NL, T_SRC, T_WOFF, T_WSRC,
)

#: Buffer indices are cast to unsigned (``flat[U(offset + j)]``): Numba then skips the test for a
#: negative index that it makes on every signed one, which costs as much as the arithmetic in the
#: short loops over a layer's neurons. Every offset of the plan is ``>= 0`` where it is used.
U = numba.uint64


@intrinsic
def borrowed(typingctx, array):
    """``array`` as a view that Numba does not reference-count: the same data, shape and strides with a
    null memory-info pointer. For the arrays a kernel was called with (the caller keeps them alive):
    every copy Numba makes of such a view, into an inlined function or a loop, then costs a test
    of a null pointer instead of an atomic increment and decrement."""
    def codegen(context, builder, signature, args):
        view = context.make_array(array)(context, builder, value=args[0])
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        return view._getvalue()
    return array(array), codegen


@intrinsic
def address(typingctx, value):
    """The integer ``value`` (an array's data address, ``ndarray.ctypes.data``) as a ``void*``, for
    ``numba.carray``: an array handed over by address is a view without reference counting, whose
    owner (the caller) keeps it alive."""
    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)
    return numba.types.voidptr(value), codegen


@numba.njit(cache=True, inline="always")
def gain_of(flat, g0, ng, lists, gidx, slot, j):
    """``γ`` of synapse ``slot`` (gating index position) reaching target neuron ``j``: the gater
    neuron's activation ``flat[U(g0 + ·)]``, by the index under synapse gating (``n_G``: gain 1)."""
    if gidx < 0:
        return flat[U(g0 + j)]
    g = lists[gidx + slot]
    if g == ng:
        return 1.0
    return flat[U(g0 + g)]


@numba.njit(cache=True, inline="always")
def add_term(t, terms, lists, masks, lay, W, flat, a_off, s_off, B, masked):
    """``s += u`` for term ``t`` on every stream: ``a`` at ``a_off`` (B, n_A), ``s`` at ``s_off``
    (B, n_L); the weight is multiplied by its mask first when ``masked`` (GraphLayer's
    effective weights). Mirrors each term class's ``forward`` (axonal.graph.terms)."""
    kind, na, nl = terms[t, T_KIND], terms[t, T_NA], terms[t, T_NL]
    woff, gater, gidx, ng = terms[t, T_WOFF], terms[t, T_GATER], terms[t, T_GIDX], terms[t, T_NG]
    moff = terms[t, T_MASK] if masked else -1
    g_off = lay[gater, L_GAIN] if gater >= 0 else -1
    for b in range(B):
        a0, s0, g0 = a_off + b * na, s_off + b * nl, g_off + b * ng
        if kind == ONE_TO_ONE:
            for j in range(nl):
                w = W[U(woff + j)]
                if moff >= 0:
                    w = w * masks[U(moff + j)]
                u = flat[U(a0 + j)] * w
                if gater >= 0:
                    u = u * gain_of(flat, g0, ng, lists, gidx, j, j)
                flat[U(s0 + j)] += u
            continue
        if kind == SYNAPSE_GATED or moff >= 0:
            for j in range(nl):
                acc = 0.0
                for i in range(na):
                    w = W[U(woff + i * nl + j)]
                    if moff >= 0:
                        w = w * masks[U(moff + i * nl + j)]
                    if kind == OUTPUT_GATED:
                        acc += (flat[U(g0 + i)] * flat[U(a0 + i)]) * w
                    elif kind == SYNAPSE_GATED:
                        acc += flat[U(a0 + i)] * (gain_of(flat, g0, ng, lists, gidx, i * nl + j, j) * w)
                    else:
                        acc += flat[U(a0 + i)] * w
                if kind == INPUT_GATED:
                    acc = flat[U(g0 + j)] * acc
                flat[U(s0 + j)] += acc
        elif kind == OUTPUT_GATED:          # unmasked: the same sums with the kind tested once
            for j in range(nl):
                acc = 0.0
                for i in range(na):
                    acc += (flat[U(g0 + i)] * flat[U(a0 + i)]) * W[U(woff + i * nl + j)]
                flat[U(s0 + j)] += acc
        else:
            for j in range(nl):
                acc = 0.0
                for i in range(na):
                    acc += flat[U(a0 + i)] * W[U(woff + i * nl + j)]
                if kind == INPUT_GATED:
                    acc = flat[U(g0 + j)] * acc
                flat[U(s0 + j)] += acc


@numba.njit(cache=True)
def add_term_outlined(t, terms, lists, masks, lay, W, flat, a_off, s_off, B, masked):
    """:func:`add_term` as a function of its own, for callers where it runs rarely: inlined into the
    LSTM-g step, whose common terms take :func:`axonal.kernels.lstm_g_parts.forward`, it only
    lengthens the step's code."""
    add_term(t, terms, lists, masks, lay, W, flat, a_off, s_off, B, masked)


@numba.njit(cache=True)
def squash(code, param, flat, s_off, a_off, d_off, B, n):
    """``a = f(s)`` for a layer's ``(B, n)`` rows, and ``f'`` into ``d_off`` when ``d_off >= 0``
    (as the activation's ``backward(1, s, a)`` gives it)."""
    if code == fn.SOFTMAX:
        for b in range(B):
            fn.softmax_row(flat[s_off + b * n:s_off + (b + 1) * n], flat[a_off + b * n:a_off + (b + 1) * n])
        return
    if d_off < 0:
        for k in range(B * n):
            flat[U(a_off + k)] = fn.value(code, param, flat[U(s_off + k)])
        return
    for k in range(B * n):
        z = flat[U(s_off + k)]
        y = fn.value(code, param, z)
        flat[U(a_off + k)] = y
        flat[U(d_off + k)] = fn.slope(code, param, z, y)


@numba.njit(cache=True)
def run_step(steps, terms, lists, fparam, masks, lay, P, F, flat, x):
    """One step of ``GraphLayer._run`` with the state carried in ``flat``: ``x`` (B, n_0) the
    input; activations, states and gains updated in place (see the module docstring). The self
    term is ``s_L(t-1)·w_L·γ_L`` in that order, the weights masked, as the reference computes."""
    steps, terms, lists, fparam, masks = borrowed(steps), borrowed(terms), borrowed(lists), borrowed(fparam), \
        borrowed(masks)
    lay, P, F, flat, x = borrowed(lay), borrowed(P), borrowed(F), borrowed(flat), borrowed(x)
    B = x.shape[0]
    n0 = lay[0, L_SIZE]
    for b in range(B):
        for j in range(n0):
            flat[U(lay[0, L_ACT] + b * n0 + j)] = x[b, j]
            if lay[0, L_GAIN] >= 0:
                flat[U(lay[0, L_GAIN] + b * n0 + j)] = x[b, j]
    for p in range(steps.shape[0]):
        i, n = steps[p, S_LAYER], steps[p, S_SIZE]
        s_off, o_off = lay[i, L_STATE], lay[i, L_OLD]
        for k in range(B * n):
            flat[U(o_off + k)] = flat[U(s_off + k)]
            flat[U(s_off + k)] = 0.0
        bsrc, boff = steps[p, S_BIAS_SRC], steps[p, S_BIAS_OFF]
        if bsrc >= 0:
            for b in range(B):
                for j in range(n):
                    flat[U(s_off + b * n + j)] = (P[U(boff + j)] if bsrc == 0 else F[U(boff + j)])
        ssrc = steps[p, S_SELF_SRC]
        if ssrc >= 0:
            soff, sg, smask = steps[p, S_SELF_OFF], steps[p, S_SELF_GATER], steps[p, S_SELF_MASK]
            sng, sgidx = steps[p, S_SELF_NG], steps[p, S_SELF_GIDX]
            for b in range(B):
                for j in range(n):
                    w = (P[U(soff + j)] if ssrc == 0 else F[U(soff + j)])
                    if smask >= 0:
                        w = w * masks[U(smask + j)]
                    u = flat[U(o_off + b * n + j)] * w
                    if sg >= 0:
                        u = u * gain_of(flat, lay[sg, L_GAIN] + b * sng, sng, lists, sgidx, j, j)
                    flat[U(s_off + b * n + j)] += u
        for t in range(steps[p, S_T0], steps[p, S_T0] + steps[p, S_TN]):
            if terms[t, T_WSRC] == 0:
                add_term(t, terms, lists, masks, lay, P, flat, lay[terms[t, T_SRC], L_ACT], s_off, B, True)
            else:
                add_term(t, terms, lists, masks, lay, F, flat, lay[terms[t, T_SRC], L_ACT], s_off, B, True)
        squash(steps[p, S_CODE], fparam[p], flat, s_off, lay[i, L_ACT], -1, B, n)
        if lay[i, L_GAIN] >= 0:
            for k in range(B * n):
                flat[U(lay[i, L_GAIN] + k)] = flat[U(lay[i, L_ACT] + k)]



@numba.njit(cache=True)
def activate(table, x):
    """:func:`run_step` on ``x`` (B·n_0,) (B streams' inputs, C-contiguous), the other arrays given by
    address: ``table`` is an :class:`axonal.graph.addresses.Table` of steps, terms, lay; lists, fparam,
    masks, P, F, flat (three 2-D int64 arrays, then an int64 one and five of the network's dtype), so
    that a call passes two arguments instead of ten (each array argument costs its unboxing)."""
    steps = numba.carray(address(table[0]), (table[1], table[2]), np.int64)
    terms = numba.carray(address(table[3]), (table[4], table[5]), np.int64)
    lay = numba.carray(address(table[6]), (table[7], table[8]), np.int64)
    lists = numba.carray(address(table[9]), table[10], np.int64)
    fparam = numba.carray(address(table[11]), table[12], x.dtype)
    masks = numba.carray(address(table[13]), table[14], x.dtype)
    P = numba.carray(address(table[15]), table[16], x.dtype)
    F = numba.carray(address(table[17]), table[18], x.dtype)
    flat = numba.carray(address(table[19]), table[20], x.dtype)
    n0 = lay[0, L_SIZE]
    run_step(steps, terms, lists, fparam, masks, lay, P, F, flat, x.reshape((x.shape[0] // n0, n0)))
