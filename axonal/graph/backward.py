r"""Backpropagation through time for :class:`~axonal.graph.GraphLayer`.

Backward walks the steps in reverse and the layers in reverse, so every ``∂E/∂a``
is complete before it is used::

    δs_L(t) = f'_L ⊙ δa_L(t) + γ_L(t+1) ⊙ w_L ⊙ δs_L(t+1)    (in order: see axonal.graph.in_order)
    δa_A   += δs·Wᵀ (input-gated: (g ⊙ δs)·Wᵀ),   δg += δs ⊙ (a_A·W)
    ∂E/∂W   = Σ_t a_Aᵀ·(g ⊙ δs),   ∂E/∂b = Σ_t δs

and the weight gradients of each term are one ``(T·B)``-row product after the loop.
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
        carry = {s.index: None for s in self.steps if s.self_param is not None}
        block_d = {id(blk): np.zeros((T, B, blk.width), dt) for blk in [self.input_block, *self.blocks] if blk.terms}
        term_d = {}
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
                    if step.self_param is not None:
                        ws = w(step.self_param)
                        if step.self_gater is not None:
                            kg = k - 1 if step.self_gate_prev else k
                            carry[i] = ds * ws * self._self_gain(step, self._gain(acts, start, step.self_gater, kg))
                            if kg > 0:
                                dg = ds * ws * states[i][k - 1]
                                if step.self_index is not None:
                                    dg = self._gater_grad(dg, step.self_index, self.sizes[step.self_gater])
                                dacts[step.self_gater][kg] += dg
                        else:
                            carry[i] = ds * ws
                    for term in step.terms:
                        self._term_backward(term, step, t, k, ds, acts, start, dacts, block_d, term_d,
                                            cache["stored"])
                for blk, wb in zip(self.blocks, cache["w_blocks"]):
                    dacts[blk.source][k - 1] += block_d[id(blk)][t] @ wb.T
        self._parameter_gradients(cache, dstates, block_d, term_d)
        if not self.input_grad_needed:
            return None
        dx = dacts[0][1:]
        if self.input_block.terms:
            w_in = _side_by_side([w(t.param) for t in self.input_block.terms])
            dx += (block_d[id(self.input_block)].reshape(T * B, -1) @ w_in.T).reshape(T, B, F)
        if cache["one_step"]:
            return dx[0]
        return dx.transpose(1, 0, 2)

    def _term_backward(self, term, step, t, k, ds, acts, start, dacts, block_d, term_d, stored):
        w = self._cache["weights"].__getitem__
        ks = k - 1 if term.prev else k
        source_grad = dacts[term.source]
        if term.gate_kind == "synapse":
            kg = k - 1 if term.gate_prev else k
            g = self._synapse_gains(acts, start, term, kg)
            weight, a = w(term.param), acts[term.source][ks]
            if term.one_to_one:
                if source_grad is not None:
                    source_grad[ks] += ds * weight * g
                dw, dg = (ds * a * g).sum(axis=0), ds * a * weight
            else:
                if source_grad is not None:
                    source_grad[ks] += np.einsum("bj,bij->bi", ds, g * weight)
                dw = np.einsum("bi,bij,bj->ij", a, g, ds)
                dg = a[:, :, None] * weight * ds[:, None, :]
            if id(term) in term_d:
                term_d[id(term)] += dw
            else:
                term_d[id(term)] = dw
            if kg > 0:
                dacts[term.gater][kg] += self._gater_grad(dg, term.synapse_index, self.sizes[term.gater])
            return
        if term.gate_kind == "input":
            kg = k - 1 if term.gate_prev else k
            g = self._gain(acts, start, term.gater, kg)
            d = ds * g
            if kg > 0:
                if term.block is not None:
                    u = self._cache["block_out"][id(term.block)][t][:, term.offset:term.offset + step.size]
                else:
                    u = stored[id(term)][t]
                dacts[term.gater][kg] += ds * u
        else:
            d = ds
        if term.block is not None:
            block_d[id(term.block)][t][:, term.offset:term.offset + step.size] = d
            return
        if term.gate_kind == "input":
            term_d.setdefault(id(term), np.empty((acts[0].shape[0] - 1,) + ds.shape, ds.dtype))[t] = d
        if term.one_to_one:
            if source_grad is not None:
                source_grad[ks] += d * w(term.param)
        elif term.gate_kind == "output":
            kg = k - 1 if term.gate_prev else k
            v = ds @ w(term.param).T
            if source_grad is not None:
                source_grad[ks] += v * self._gain(acts, start, term.gater, kg)
            if kg > 0:
                dacts[term.gater][kg] += v * acts[term.source][ks]
        elif source_grad is not None:
            source_grad[ks] += d @ w(term.param).T

    def _parameter_gradients(self, cache, dstates, block_d, term_d):
        acts, states = cache["acts"], cache["states"]
        T, B = acts[0].shape[0] - 1, acts[0].shape[1]
        grads = self.grads
        for step in self.steps:
            i = step.index
            if step.bias is not None:
                grads[step.bias][...] = dstates[i].sum(axis=(0, 1))
            if step.self_param is not None and step.self_trainable:
                prod = dstates[i] * states[i][:T]
                if step.self_gater is not None:
                    prod *= self._self_gain(step, self._gain_series(cache, step.self_gater, step.self_gate_prev))
                grads[step.self_param][...] = prod.sum(axis=(0, 1))
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
            for term in step.terms:
                if term.block is not None or not term.conn.trainable:
                    continue
                if term.gate_kind == "synapse":
                    grads[term.param][...] = term_d.get(id(term), 0.0)
                    continue
                src = acts[term.source][:T] if term.prev else acts[term.source][1:]
                d = term_d[id(term)] if id(term) in term_d else dstates[step.index]
                if term.one_to_one:
                    grads[term.param][...] = (src * d).sum(axis=(0, 1))
                    continue
                if term.gate_kind == "output":
                    src = src * self._gain_series(cache, term.gater, term.gate_prev)
                grads[term.param][...] = src.reshape(T * B, -1).T @ d.reshape(T * B, -1)
        for name, mask in self.masks.items():
            if f"{name}.weight" in grads:
                grads[f"{name}.weight"] *= mask


def _side_by_side(weights):
    """``[W_1 | W_2 | ...]``: one matrix for one product (the matrix itself when alone)."""
    return weights[0] if len(weights) == 1 else np.concatenate(weights, axis=1)
