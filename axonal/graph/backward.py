r"""Backpropagation through time for :class:`~axonal.graph.GraphLayer`.

Backward walks the steps in reverse and the layers in reverse, so every ``∂E/∂a``
is complete before it is used::

    δs_L(t) = f'_L ⊙ δa_L(t) + δs_L(t+1) ⊙ w_L ⊙ γ_L(t+1)    (in order: see axonal.graph.in_order)
    δa_A   += ∂E/∂a of each term leaving A, given δu = δs_L  (e.g. all-to-all: δs·Wᵀ)
    δa_G   += ∂E/∂a_G of each term G gates                  (e.g. input-gated: δs ⊙ (a_A·W))
    ∂E/∂b   = Σ_t δs

with each connection kind's rule in :mod:`axonal.graph.terms`. The weight gradients
of a term are taken after the loop from whole series, ``(T·B)`` rows at once (one
product per shared block); a synapse-gated term, whose gains are per synapse, sums
its own step by step.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .._threads import single_blas_thread
from .in_order import order_backward, order_gradient

__all__ = ["GraphBackward"]


class GraphBackward:
    """The backward pass of a graph layer (a mixin of :class:`~axonal.graph.GraphLayer`, which
    provides the forward cache, the plan's steps and blocks, and the gain helpers)."""

    def _gain_series(self, cache, g, prev):
        acts, T = cache["acts"], cache["acts"][0].shape[0] - 1
        if not prev:
            return acts[g][1:]
        series = acts[g][:T].copy()
        series[0] = cache["start"]["gain"][g]
        return series

    def backward(self, grad_y):
        cache = self._cache
        if cache is None:
            raise RuntimeError(f"{self.describe()}: backward needs a forward(training=True) first")
        acts, states, start = cache["acts"], cache["states"], cache["start"]
        T, B, F = acts[0].shape[0] - 1, acts[0].shape[1], acts[0].shape[2]
        dt = self.dtype
        w = cache["weights"].__getitem__
        dacts = [np.zeros((T + 1, B, F), dt) if self.input_grad_needed else None]
        dacts += [np.zeros((T + 1, B, s.size), dt) for s in self.steps]
        grad_y = np.asarray(grad_y, dtype=dt)
        out = dacts[self.out_index]
        if cache["one_step"] or not self.return_sequences:
            out[T] += grad_y
        else:
            out[1:] += grad_y.transpose(1, 0, 2)
        dstates = [None] + [np.empty((T, B, s.size), dt) for s in self.steps]
        carry = {s.index: None for s in self.steps if s.self_term is not None}
        block_d = {id(blk): np.zeros((T, B, blk.width), dt) for blk in [self.input_block, *self.blocks] if blk.terms}
        term_dw = {}
        with single_blas_thread() if T > 1 else contextlib.nullcontext():
            for t in range(T - 1, -1, -1):
                k = t + 1
                for step in reversed(self.steps):
                    i = step.index
                    if step.order:
                        lower, upper = cache["order"][i]
                        ds = order_backward(step.activation, dacts[i][k], states[i][k], acts[i][k], upper,
                                            dstates[i][t], carry.get(i))
                        dacts[i][k - 1] += ds @ lower.T
                    else:
                        ds = step.activation.backward(dacts[i][k], states[i][k], acts[i][k], out=dstates[i][t])
                        if carry.get(i) is not None:
                            ds += carry[i]
                    own = step.self_term
                    if own is not None:
                        kg = k - 1 if own.gate_prev else k
                        gain = None if own.gater is None else self._term_gain(own, acts, start, k)
                        carry[i] = own.source_grad(ds, w(own.param), gain)
                        if own.gater is not None and kg > 0:
                            dacts[own.gater][kg] += own.gater_grad(ds, states[i][k - 1], w(own.param), gain)
                    for term in step.terms:
                        self._term_backward(term, step, t, k, ds, acts, start, dacts, block_d, term_dw,
                                            cache["stored"])
                for blk, wb in zip(self.blocks, cache["w_blocks"]):
                    dacts[blk.source][k - 1] += block_d[id(blk)][t] @ wb.T
        self._parameter_gradients(cache, dstates, block_d, term_dw)
        if not self.input_grad_needed:
            return None
        dx = dacts[0][1:]
        if self.input_block.terms:
            w_in = _side_by_side([w(t.param) for t in self.input_block.terms])
            dx += (block_d[id(self.input_block)].reshape(T * B, -1) @ w_in.T).reshape(T, B, F)
        if cache["one_step"]:
            return dx[0]
        return dx.transpose(1, 0, 2)

    def _term_backward(self, term, step, t, k, ds, acts, start, dacts, block_d, term_dw, stored):
        """One step of one term: ``∂E/∂a`` of its source and gater; its weight's gradient when it is
        summed step by step (else after the loop, from whole series)."""
        kg = k - 1 if term.gate_prev else k
        gain = None if term.gater is None else self._term_gain(term, acts, start, k)
        gater = term.gater is not None and kg > 0
        if term.block is not None:   # the source's gradient and the weight's come from the block's products
            cols = slice(term.offset, term.offset + step.size)
            block_d[id(term.block)][t][:, cols] = term.product_grad(ds, gain)
            if gater:
                product = self._cache["block_out"][id(term.block)][t][:, cols]
                dacts[term.gater][kg] += term.gater_grad(ds, None, None, gain, product)
            return
        ks = k - 1 if term.prev else k
        dw, da, dg = term.backward(ds, acts[term.source][ks], self._cache["weights"][term.param], gain,
                                   stored[id(term)][t] if id(term) in stored else None,
                                   source=dacts[term.source] is not None, gater=gater,
                                   weight=term.weights_per_step and term.conn.trainable)
        if da is not None:
            dacts[term.source][ks] += da
        if dg is not None:
            dacts[term.gater][kg] += dg
        if dw is not None:
            term_dw[id(term)] = term_dw[id(term)] + dw if id(term) in term_dw else dw

    def _parameter_gradients(self, cache, dstates, block_d, term_dw):
        acts, states = cache["acts"], cache["states"]
        T, B = acts[0].shape[0] - 1, acts[0].shape[1]
        grads = self.grads
        for step in self.steps:
            i = step.index
            if step.bias is not None:
                grads[step.bias][...] = dstates[i].sum(axis=(0, 1))
            if step.order:
                dw = order_gradient(acts[i], dstates[i])
                for param in step.order:
                    if param in grads:
                        grads[param][...] = dw
        for blk in [self.input_block, *self.blocks]:
            trainable = [t for t in blk.terms if t.conn.trainable]
            if not trainable:
                continue
            src = acts[blk.source][:T] if blk.prev else acts[blk.source][1:]
            d = block_d[id(blk)]
            dw = src.reshape(T * B, -1).T @ d.reshape(T * B, -1)
            for term in trainable:
                n = self.sizes[self.layer_index[term.conn.target]]
                grads[term.param][...] = dw[:, term.offset:term.offset + n]
        for step in self.steps:
            own = [] if step.self_term is None else [(step.self_term, states)]
            for term, read in own + [(term, acts) for term in step.terms]:
                if term.block is not None or not term.conn.trainable:
                    continue
                if term.weights_per_step:
                    grads[term.param][...] = term_dw.get(id(term), 0.0)
                    continue
                src = read[term.source][:T] if term.prev else read[term.source][1:]
                gain = None if term.gater is None else term.gain(self._gain_series(cache, term.gater, term.gate_prev))
                grads[term.param][...] = term.weight_grad(dstates[step.index], src, gain)
        for name, mask in self.masks.items():
            if f"{name}.weight" in grads:
                grads[f"{name}.weight"] *= mask


def _side_by_side(weights):
    """``[W_1 | W_2 | ...]``: one matrix for one product (the matrix itself when alone)."""
    return weights[0] if len(weights) == 1 else np.concatenate(weights, axis=1)
