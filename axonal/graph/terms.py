r"""The connection kinds of a graph network: each one a *term* of its target's state.

A connection from layer ``A`` (activations ``a``, ``(B, n_A)``) into layer ``L``
adds ``u`` ``(B, n_L)`` to ``L``'s state ``s_L = b_L + Σ u``; a gated one is scaled by
the gain ``γ`` its gater ``G`` (activations ``a_G``, ``(B, n_G)``) gives it::

    AllToAll       u = a·W                       W (n_A, n_L), absent synapses 0
    InputGated     u = γ ⊙ (a·W)                 γ = a_G (B, n_L): one per target neuron
    OutputGated    u = (γ ⊙ a)·W                 γ = a_G (B, n_A): one per source neuron
    SynapseGated   u_j = Σ_i a_i·γ_ij·W_ij       γ = [a_G | 1][index] (B, n_A, n_L)
    OneToOne       u = a ⊙ w ⊙ γ                 w (n_L,); γ = 1, a_G or [a_G | 1][index]

(``index`` names the gater neuron of each synapse, ``n_G`` for an ungated one: a
:class:`GateIndex`.) Given ``δu = ∂E/∂u`` ``(B, n_L)`` each term gives, in
:meth:`Term.backward`, the gradients of its weight, its source activation and its
gater's activations; for LSTM-g, :meth:`Term.trace_input` (what reaches each
synapse, eq. 17's ``g_ji·a_i``) and :meth:`Term.influence` (``∂u_k/∂a_G[j]``).
(The standalone exporters write each kind's ``u`` as source themselves:
:mod:`axonal.export.graph_source`.)

A layer's self-connection ``u = s_L(t-1) ⊙ w ⊙ γ`` is a :class:`OneToOne` term
reading the layer's own previous state instead of an activation.

>>> import numpy as np
>>> term = InputGated(None, "c.weight", 0, False, gater=2)
>>> a, w, g = np.ones((1, 2)), np.arange(6.0).reshape(2, 3), np.array([[1.0, 0.5, 0.0]])
>>> term.forward(a, w, term.gain(g))
array([[3. , 2.5, 0. ]])
>>> term.backward(np.ones((1, 3)), a, w, term.gain(g))[2]    # ∂E/∂a_G = δu ⊙ (a·W)
array([[3., 5., 7.]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AllToAll", "GateIndex", "InputGated", "OneToOne", "OutputGated", "SynapseGated", "Term",
           "make_term"]


def _flat(x):
    """``x`` ``(..., n)`` as rows ``(N, n)``: every leading axis (batch, time) stacked."""
    return x.reshape(-1, x.shape[-1])


def _total(x):
    """``Σ`` over every axis but the last."""
    return x.sum(axis=tuple(range(x.ndim - 1)))


class GateIndex:
    """Synapse gating: ``index`` (the weights' shape) names each synapse's gater neuron.

    ``γ = [a_G | 1][..., index]``, so a synapse indexed ``n_G`` (given as ``-1``) keeps gain 1.
    """

    def __init__(self, index, n_gater: int):
        index = np.asarray(index)
        self.index = np.where(index < 0, n_gater, index)
        self.n_gater = int(n_gater)
        self._owners: dict = {}

    def gain(self, g):
        """``γ`` ``(..., *index.shape)`` from the gater's activations ``g`` ``(..., n_G)``."""
        return np.concatenate([g, np.ones(g.shape[:-1] + (1,), g.dtype)], axis=-1)[..., self.index]

    def collect(self, dg):
        """``∂E/∂a_G`` ``(B, n_G)`` from the per-synapse ``∂E/∂γ`` ``dg`` ``(B, *index.shape)``:
        ``Σ`` over the synapses each gater neuron owns (the ungated ones dropped)."""
        batch, n = dg.shape[0], self.n_gater
        slots = (np.arange(batch)[:, None] * (n + 1) + self.index.ravel()[None]).ravel()
        summed = np.bincount(slots, weights=dg.reshape(-1), minlength=batch * (n + 1))
        return summed.reshape(batch, n + 1)[:, :n].astype(dg.dtype, copy=False)

    def owners(self, dtype):
        """One-hot ``(*index.shape, n_G)``: which gater neuron owns each synapse (kept)."""
        key = np.dtype(dtype)
        if key not in self._owners:
            self._owners[key] = np.eye(self.n_gater + 1, dtype=key)[self.index][..., :self.n_gater]
        return self._owners[key]

    def spread(self, v):
        """``∂u_k/∂a_G[j]`` ``(B, n_G, n_L)`` of a one-to-one term whose ``u = v ⊙ γ`` (``v`` ``(B, n_L)``):
        ``v_k`` where gater neuron ``j`` owns synapse ``k``."""
        return v[:, None, :] * self.owners(v.dtype).T[None]


@dataclass(eq=False)


class Term:
    """One connection into a layer: where it reads (the plan) and what it adds (its kind).

    ``source`` and ``gater`` are layer indices in activation order, read at the
    previous step when ``prev``/``gate_prev``; ``block`` and ``offset`` place an
    all-to-all product in a product shared with other terms (see :mod:`axonal.graph.plan`).
    """

    conn: object                     # the blueprint Connection
    param: str                       # its weight's local name
    source: int
    prev: bool
    gater: int | None = None
    gate_prev: bool = False
    gate_index: GateIndex | None = None
    block: object = None
    offset: int = 0

    one_to_one = False      # weights (n,) and traces (B, n), else (n_A, n_L) and (B, n_A, n_L)
    shares_product = False  # u depends on a only through a·W, which one product may compute for several terms
    needs_product = False   # backward reads a·W: a forward outside a shared product keeps it
    weights_per_step = False  # the weight gradient is summed step by step, not from whole series
    spreads = False         # a gater neuron j moves other target neurons than neuron j

    def gain(self, g):
        """``γ`` from the gater's activations ``g`` ``(..., n_G)``."""
        return g if self.gate_index is None else self.gate_index.gain(g)

    def backward(self, du, a, w, gain=None, product=None, *, source=True, gater=True, weight=True):
        """``(∂E/∂W, ∂E/∂a, ∂E/∂a_G)`` given ``δu``; ``None`` for a part not asked for (or no gater).
        ``product`` is ``a·W`` when the forward kept it."""
        return (self.weight_grad(du, a, gain) if weight else None,
                self.source_grad(du, w, gain) if source else None,
                self.gater_grad(du, a, w, gain, product) if gater and self.gater is not None else None)

    def forward(self, a, w, gain=None, product=None):
        """``u`` (B, n_L) from the source's activations ``a`` (B, n_A), the weight ``w`` and the gain;
        ``product``, when given, is ``a·W`` computed already (a term that :attr:`shares_product`)."""
        raise NotImplementedError

    def source_grad(self, du, w, gain=None):
        """``∂E/∂a`` (B, n_A) given ``δu`` (B, n_L)."""
        raise NotImplementedError

    def weight_grad(self, du, a, gain=None):
        """``∂E/∂w`` (the weight's shape) given ``δu`` (..., n_L), summed over the leading axes (batch,
        or time and batch at once)."""
        raise NotImplementedError

    def gater_grad(self, du, a, w, gain, product=None):
        """``∂E/∂a_G`` (B, n_G) given ``δu``: ``Σ_k δu_k·∂u_k/∂a_G[j]``."""
        raise NotImplementedError

    def trace_input(self, a, gain=None):
        """What reaches each synapse, ``γ_ji·a_i`` (LSTM-g's eq. 17): broadcastable to (B, n_A, n_L),
        or (B, n) one-to-one."""
        raise NotImplementedError

    def influence(self, a, w):
        """``∂u_k/∂a_G[j]``: (B, n_L), its diagonal, when gater neuron ``j`` moves only neuron ``j``
        (not :attr:`spreads`), else (B, n_G, n_L)."""
        raise NotImplementedError


class AllToAll(Term):
    r"""``u = a·W``: ``a`` (B, n_A), ``W`` (n_A, n_L).

    ``∂E/∂a = δu·Wᵀ``, ``∂E/∂W = Σ aᵀ·δu`` (over batch and time); eligibility input ``a_i``.
    """

    shares_product = True

    def product(self, a, w):
        """``a·W`` (B, n_L)."""
        return a @ w

    def forward(self, a, w, gain=None, product=None):
        return a @ w if product is None else product

    def product_grad(self, du, gain=None):
        """``∂E/∂(a·W)``: ``δu``."""
        return du

    def source_grad(self, du, w, gain=None):
        return du @ w.T

    def weight_grad(self, du, a, gain=None):
        return _flat(a).T @ _flat(du)

    def trace_input(self, a, gain=None):
        """``a_i`` reaching synapse ``(i, j)``: (B, n_A, 1), the same for every ``j``."""
        return a[:, :, None]


class InputGated(AllToAll):
    r"""``u = γ ⊙ (a·W)``: ``γ = a_G`` (B, n_L) scales everything reaching target neuron ``j``.

    ``∂E/∂a = (γ ⊙ δu)·Wᵀ``, ``∂E/∂W = Σ aᵀ·(γ ⊙ δu)``, ``∂E/∂a_G = δu ⊙ (a·W)``;
    eligibility input ``γ_j·a_i``; ``∂u_k/∂a_G[j] = (a·W)_k`` for ``j = k``, else 0.
    """

    needs_product = True

    def forward(self, a, w, gain=None, product=None):
        return gain * (a @ w if product is None else product)

    def product_grad(self, du, gain=None):
        """``∂E/∂(a·W) = γ ⊙ δu``."""
        return gain * du

    def source_grad(self, du, w, gain=None):
        return (du * gain) @ w.T

    def weight_grad(self, du, a, gain=None):
        return _flat(a).T @ _flat(gain * du)

    def gater_grad(self, du, a, w, gain, product=None):
        return du * (a @ w if product is None else product)

    def trace_input(self, a, gain=None):
        return a[:, :, None] * gain[:, None, :]

    def influence(self, a, w):
        """``∂u/∂a_G`` on its diagonal, (B, n_L): ``a·W``."""
        return a @ w


class OutputGated(Term):
    r"""``u = (γ ⊙ a)·W``: ``γ = a_G`` (B, n_A) scales everything leaving source neuron ``i``.

    ``∂E/∂a = (δu·Wᵀ) ⊙ γ``, ``∂E/∂W = Σ (γ ⊙ a)ᵀ·δu``, ``∂E/∂a_G = (δu·Wᵀ) ⊙ a``;
    eligibility input ``γ_i·a_i``; ``∂u_k/∂a_G[j] = a_j·W_jk`` (B, n_A, n_L).
    """

    spreads = True

    def forward(self, a, w, gain=None, product=None):
        return (gain * a) @ w

    def source_grad(self, du, w, gain=None):
        return (du @ w.T) * gain

    def weight_grad(self, du, a, gain=None):
        return _flat(gain * a).T @ _flat(du)

    def gater_grad(self, du, a, w, gain, product=None):
        return (du @ w.T) * a

    def backward(self, du, a, w, gain=None, product=None, *, source=True, gater=True, weight=True):
        # δu·Wᵀ once for both ∂E/∂a and ∂E/∂a_G; the same rules as source_grad and gater_grad
        back = du @ w.T if source or gater else None
        return (self.weight_grad(du, a, gain) if weight else None,
                back * gain if source else None, back * a if gater else None)

    def trace_input(self, a, gain=None):
        return (a * gain)[:, :, None]

    def influence(self, a, w):
        return a[:, :, None] * w[None]


class SynapseGated(Term):
    r"""``u_j = Σ_i a_i·γ_ij·W_ij``: each synapse its own gater neuron, ``γ = [a_G | 1][index]`` (B, n_A, n_L).

    ``∂E/∂a_i = Σ_j δu_j·γ_ij·W_ij``, ``∂E/∂W_ij = Σ a_i·γ_ij·δu_j``,
    ``∂E/∂a_G[g] = Σ_{(i,j) owned by g} a_i·W_ij·δu_j``; eligibility input ``γ_ij·a_i``;
    ``∂u_k/∂a_G[g] = Σ_{i: (i,k) owned by g} a_i·W_ik`` (B, n_G, n_L).
    """

    spreads = True
    weights_per_step = True   # γ per synapse: a series over the steps would be T times as large

    def forward(self, a, w, gain=None, product=None):
        return np.einsum("bi,bij->bj", a, gain * w)

    def source_grad(self, du, w, gain=None):
        return np.einsum("bj,bij->bi", du, gain * w)

    def weight_grad(self, du, a, gain=None):
        return np.einsum("bi,bij,bj->ij", _flat(a), gain.reshape((-1,) + gain.shape[-2:]), _flat(du))

    def gater_grad(self, du, a, w, gain, product=None):
        return self.gate_index.collect(a[:, :, None] * w * du[:, None, :])

    def trace_input(self, a, gain=None):
        return a[:, :, None] * gain

    def influence(self, a, w):
        return np.einsum("bi,ik,ikg->bgk", a, w, self.gate_index.owners(a.dtype))


class OneToOne(Term):
    r"""``u = a ⊙ w ⊙ γ``: ``a``, ``w``, ``γ`` (B, n) or (n,); ``γ = 1`` ungated, ``a_G``, or
    ``[a_G | 1][index]`` under synapse gating.

    ``∂E/∂a = δu ⊙ w ⊙ γ``, ``∂E/∂w = Σ a ⊙ γ ⊙ δu``, ``∂E/∂γ = δu ⊙ a ⊙ w`` (summed per
    gater neuron under synapse gating); eligibility input ``γ_j·a_j``.
    """

    one_to_one = True

    @property
    def spreads(self):
        return self.gate_index is not None

    def forward(self, a, w, gain=None, product=None):
        return a * w if gain is None else a * w * gain

    def source_grad(self, du, w, gain=None):
        return du * w if gain is None else du * w * gain

    def weight_grad(self, du, a, gain=None):
        return _total(a * du if gain is None else a * gain * du)

    def gater_grad(self, du, a, w, gain, product=None):
        dg = du * a * w
        return dg if self.gate_index is None else self.gate_index.collect(dg)

    def trace_input(self, a, gain=None):
        return a if gain is None else a * gain

    def influence(self, a, w):
        """``∂u/∂a_G``: its diagonal ``a ⊙ w`` (B, n), or (B, n_G, n) under synapse gating."""
        return self.spread(a * w)

    def spread(self, v):
        """``∂u/∂a_G`` of ``u = v ⊙ γ``: ``v`` itself (gater neuron ``j`` gates synapse ``j``), or spread
        over the gater neurons under synapse gating."""
        return v if self.gate_index is None else self.gate_index.spread(v)


def make_term(conn, source: int, prev: bool, gater: int | None, gate_prev: bool, n_gater: int = 0) -> Term:
    """The term of a blueprint connection (``all_to_all``/``all_to_else`` or ``one_to_one``; a
    self-connection is a one-to-one term), by its kind and its gate."""
    index = GateIndex(conn.gate_index, n_gater) if conn.gate_kind == "synapse" else None
    kind: type[Term]
    if conn.kind == "one_to_one":
        kind = OneToOne
    else:
        kind = {None: AllToAll, "input": InputGated, "output": OutputGated,
                "synapse": SynapseGated}[conn.gate_kind if gater is not None else None]
    return kind(conn, f"{conn.name}.weight", source, prev, gater, gate_prev, index)
