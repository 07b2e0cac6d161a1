"""Gated recurrent layers: the LSTM's memory cell and the GRU's update gate.

Both share the machinery of :mod:`axonal.layers.recurrent` (input projection of all
steps at once, the time loop, masks, state, BPTT bookkeeping); each class documents
its cell's equations, forward and backward.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ._arguments import finite_real, flag
from .registry import REGISTRY
from .base import ArraySpec
from .recurrent import _Recurrent

__all__ = ["LSTM", "GRU"]


@REGISTRY.register
class LSTM(_Recurrent):
    r"""Long short-term memory: a memory cell whose linear self-connection (the constant
    error carousel) is opened and closed by input, forget and output gates.

    Gate layout: the ``4·units`` columns of ``kernel``, ``recurrent_kernel`` and
    ``bias`` are ``[i | f | g | o]`` (input gate, forget gate, cell input, output
    gate). With optional diagonal peepholes ``p_i, p_f, p_o`` (each ``(units,)``)::

        a = x_t·W + h_{t-1}·U + b                        (batch, 4·units)
        i = σ(a_i + p_i ⊙ c_{t-1})     f = σ(a_f + p_f ⊙ c_{t-1})     g = tanh(a_g)
        c_t = f ⊙ c_{t-1} + i ⊙ g                        the carousel
        o = σ(a_o + p_o ⊙ c_t)         h_t = o ⊙ tanh(c_t)

    Backward, with ``δh`` and ``δc`` reaching step ``t``::

        δo = δh ⊙ tanh(c_t),   δa_o = δo ⊙ o(1 - o)
        δc_t = δc + δh ⊙ o ⊙ (1 - tanh² c_t) + p_o ⊙ δa_o
        δa_i = δc_t ⊙ g ⊙ i(1 - i),  δa_f = δc_t ⊙ c_{t-1} ⊙ f(1 - f),  δa_g = δc_t ⊙ i ⊙ (1 - g²)
        δc_{t-1} = δc_t ⊙ f + p_i ⊙ δa_i + p_f ⊙ δa_f
        δh_{t-1} = δa·Uᵀ,   ∂E/∂U += h_{t-1}ᵀ·δa
        ∂E/∂p_i += Σ δa_i ⊙ c_{t-1},  ∂E/∂p_f += Σ δa_f ⊙ c_{t-1},  ∂E/∂p_o += Σ δa_o ⊙ c_t

    Parameters
    ----------
    units : int
    peepholes : bool, default False
        Connections from the cell to its gates (Gers and Schmidhuber, 2000), as
        Synaptic's LSTM has them.
    forget_bias : float, default 1.0
        Initial bias of the forget gate: 1 keeps the carousel open at the start.
    """

    gates = 4
    state_names = ("h", "c")

    def __init__(self, units, *, peepholes: bool = False, forget_bias: float = 1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.peepholes = flag(peepholes, "LSTM", "peepholes")
        self.forget_bias = finite_real(forget_bias, "LSTM", "forget_bias")

    def _extra_specs(self):
        if not self.peepholes:
            return []
        return [ArraySpec(f"peephole_{gate}", (self.units,), "zeros", False) for gate in ("i", "f", "o")]

    def _initialize_biases(self):
        self.params["bias"][self.units:2 * self.units] = self.forget_bias

    cache_names = ("h_prev", "c_prev", "c", "i", "f", "g", "o", "tc")

    def _kernels(self):
        kernels = super()._kernels()
        if kernels is not None:  # the kernels take [p_i; p_f; p_o] (3, units), or an empty (0, 0) array
            self._peeps = (np.stack([self.params[f"peephole_{gate}"] for gate in "ifo"]) if self.peepholes
                           else np.empty((0, 0), self.dtype))
        return kernels

    def _cell_forward(self, kernels, t0, t1, ax, kernel, product, state, mask, outputs, store, inside):
        kernels.lstm_forward(t0, t1, ax, kernel, product, state[0], state[1], mask, self._peeps, outputs,
                             store, inside)

    def _cell_backward(self, kernels, t0, t1, go, transposed, product, bypass, rest, mask, cache, grad_a, truncate,
                       inside):
        kernels.lstm_backward(t0, t1, go, transposed, product, bypass, rest[0], mask, self._peeps,
                              cache["store"], grad_a, truncate, inside)

    def _step(self, ax_t, state, cache, t):
        h_prev, c_prev = state
        n = self.units
        a = ax_t + h_prev @ self.params["recurrent_kernel"]
        if self.peepholes:
            a[:, :n] += c_prev * self.params["peephole_i"]
            a[:, n:2 * n] += c_prev * self.params["peephole_f"]
        i = sigmoid(a[:, :n])
        f = sigmoid(a[:, n:2 * n])
        g = np.tanh(a[:, 2 * n:3 * n])
        c = f * c_prev + i * g
        a_o = a[:, 3 * n:]
        if self.peepholes:
            a_o = a_o + c * self.params["peephole_o"]
        o = sigmoid(a_o)
        tc = np.tanh(c)
        h = o * tc
        if cache is not None:
            for key, value in (("h_prev", h_prev), ("c_prev", c_prev), ("c", c), ("i", i), ("f", f), ("g", g),
                               ("o", o), ("tc", tc)):
                cache[key][t] = value
        return h, c

    def _step_backward(self, incoming, cache, t, da):
        dh, dc = incoming
        n = self.units
        c_prev, c, i, f, g, o, tc = (cache[k][t] for k in ("c_prev", "c", "i", "f", "g", "o", "tc"))
        da_i, da_f, da_g, da_o = da[:, :n], da[:, n:2 * n], da[:, 2 * n:3 * n], da[:, 3 * n:]
        np.multiply(dh * tc, o * (1.0 - o), out=da_o)
        dct = dc + dh * o * (1.0 - tc * tc)
        if self.peepholes:
            dct += self.params["peephole_o"] * da_o
        np.multiply(dct * g, i * (1.0 - i), out=da_i)
        np.multiply(dct * c_prev, f * (1.0 - f), out=da_f)
        np.multiply(dct * i, 1.0 - g * g, out=da_g)
        dc_prev = dct * f
        if self.peepholes:
            dc_prev += self.params["peephole_i"] * da_i + self.params["peephole_f"] * da_f
        return da @ self.params["recurrent_kernel"].T, dc_prev

    def _finish(self, cache, grad_a):
        self._recurrent_grad(cache["h_prev"], grad_a)
        if self.peepholes:  # ∂E/∂p = Σ over steps and samples of δa ⊙ (the cell state it saw)
            n = self.units
            self.grads["peephole_i"][...] = np.einsum("tbu,tbu->u", grad_a[..., :n], cache["c_prev"])
            self.grads["peephole_f"][...] = np.einsum("tbu,tbu->u", grad_a[..., n:2 * n], cache["c_prev"])
            self.grads["peephole_o"][...] = np.einsum("tbu,tbu->u", grad_a[..., 3 * n:], cache["c"])

    def get_config(self):
        return {"peepholes": self.peepholes, "forget_bias": self.forget_bias, **super().get_config()}


@REGISTRY.register
class GRU(_Recurrent):
    r"""Gated recurrent unit (Cho et al., 2014), in the form PyTorch uses.

    Gate layout ``[r | z | n]`` (reset, update, candidate); ``bias`` is the input
    bias ``b_x`` and ``recurrent_bias`` the bias ``b_h`` of the recurrent product::

        a_x = x_t·W + b_x,   a_h = h_{t-1}·U + b_h        (batch, 3·units) each
        r = σ(a_x,r + a_h,r)     z = σ(a_x,z + a_h,z)
        n = tanh(a_x,n + r ⊙ a_h,n)
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

    Backward::

        δn = δh ⊙ (1 - z),  δz = δh ⊙ (h_{t-1} - n),  δa_n = δn ⊙ (1 - n²)
        δr = δa_n ⊙ a_h,n,  δa_r = δr ⊙ r(1 - r),  δa_z = δz ⊙ z(1 - z)
        δa_x = [δa_r | δa_z | δa_n],   δa_h = [δa_r | δa_z | δa_n ⊙ r]
        δh_{t-1} = δh ⊙ z + δa_h·Uᵀ,   ∂E/∂U += h_{t-1}ᵀ·δa_h,   ∂E/∂b_h += Σ δa_h
    """

    gates = 3

    def _extra_specs(self):
        return [ArraySpec("recurrent_bias", (3 * self.units,), "zeros", False)]

    cache_names = ("h_prev", "r", "z", "n", "ah_n")

    def _new_cache(self, batch, steps):
        cache = super()._new_cache(batch, steps)
        cache["dah"] = np.empty((steps, batch, 3 * self.units), self.dtype)
        return cache

    def _cell_forward(self, kernels, t0, t1, ax, kernel, product, state, mask, outputs, store, inside):
        kernels.gru_forward(t0, t1, ax, kernel, product, state[0], self.params["recurrent_bias"], mask, outputs,
                            store, inside)

    def _cell_backward(self, kernels, t0, t1, go, transposed, product, bypass, rest, mask, cache, grad_a, truncate,
                       inside):
        kernels.gru_backward(t0, t1, go, transposed, product, bypass, mask, cache["store"], grad_a, cache["dah"],
                             truncate, inside)

    def _recurrent_delta(self, cache, grad_a):
        return cache["dah"]  # [δa_r | δa_z | δa_n ⊙ r]

    def _step(self, ax_t, state, cache, t):
        h_prev = state[0]
        n_units = self.units
        ah = h_prev @ self.params["recurrent_kernel"] + self.params["recurrent_bias"]
        r = sigmoid(ax_t[:, :n_units] + ah[:, :n_units])
        z = sigmoid(ax_t[:, n_units:2 * n_units] + ah[:, n_units:2 * n_units])
        ah_n = ah[:, 2 * n_units:]
        n = np.tanh(ax_t[:, 2 * n_units:] + r * ah_n)
        h = (1.0 - z) * n + z * h_prev
        if cache is not None:
            for key, value in (("h_prev", h_prev), ("r", r), ("z", z), ("n", n), ("ah_n", ah_n)):
                cache[key][t] = value
        return (h,)

    def _step_backward(self, incoming, cache, t, dax):
        dh = incoming[0]
        n_units = self.units
        h_prev, r, z, n, ah_n = (cache[k][t] for k in ("h_prev", "r", "z", "n", "ah_n"))
        da_r, da_z, da_n = dax[:, :n_units], dax[:, n_units:2 * n_units], dax[:, 2 * n_units:]
        np.multiply(dh * (1.0 - z), 1.0 - n * n, out=da_n)
        np.multiply(dh * (h_prev - n), z * (1.0 - z), out=da_z)
        np.multiply(da_n * ah_n, r * (1.0 - r), out=da_r)
        dah = cache["dah"][t]  # the recurrent product's gradient: [δa_r | δa_z | δa_n ⊙ r]
        dah[:, :2 * n_units] = dax[:, :2 * n_units]
        np.multiply(da_n, r, out=dah[:, 2 * n_units:])
        return (dh * z + dah @ self.params["recurrent_kernel"].T,)

    def _finish(self, cache, grad_a):
        self._recurrent_grad(cache["h_prev"], cache["dah"])
        np.add.reduce(cache["dah"].reshape(-1, 3 * self.units), axis=0, out=self.grads["recurrent_bias"])
