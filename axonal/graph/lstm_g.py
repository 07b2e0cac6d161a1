r"""LSTM-g: online learning of a graph network from eligibility traces (Monner & Reggia, 2012).

Backpropagation through time unrolls a sequence and walks it backwards: its memory grows
with the sequence length. LSTM-g learns at every step from *traces* kept per synapse
instead, so memory is constant however long the stream — at the price of truncating the
gradient to what flows through self-connections and gates (exact for an LSTM's memory
cells, approximate elsewhere). This is Synaptic's algorithm, per layer instead of per neuron.

Activating layer ``j`` (after its state and activation, and after its gains are
handed to the connections it gates)::

    ε_ji  ←  γ_jj·w_jj·ε_ji + g_ji·a_i                              eligibility   (eq. 17)
    ε^k_ji ←  γ_kk·w_kk·ε^k_ji + f'_j(s_j)·ε_ji·(Σ w_kl·a_l [+ w_kk·s_k^old])  extended  (eq. 18)

for every neuron ``k`` whose connections (or self-connection) ``j`` gates, the bracket
summing the connections into ``k`` that ``j`` gates. Learning from a target, layers
in reverse order::

    δ_out = t - y                                                   (eq. 10)
    δ^P_j = f'_j·Σ_k δ_k·g_kj·w_kj      δ^G_j = f'_j·Σ_k δ_k·(bracket above)
    δ_j = δ^P_j + δ^G_j
    Δw_ji = α·(δ^P_j·ε_ji + Σ_k δ_k·ε^k_ji),      Δb_j = α·δ_j          (eq. 24)

Each connection kind's part is its term's (:mod:`axonal.graph.terms`): ``g_ji·a_i`` is
:meth:`~axonal.graph.terms.Term.trace_input`, the bracket :meth:`~axonal.graph.terms.Term.influence`,
``Σ_k δ_k·g_kj·w_kj`` :meth:`~axonal.graph.terms.Term.source_grad` given ``δu = δ_k``.
Each value is read as it stands when the layer is reached, in Synaptic's order
(see :mod:`axonal.graph.blueprint`); gains are handed on before the traces are
updated, which is the order of Synaptic's compiled (default) network. The output
error ``t - y`` is the gradient of cross-entropy for logistic outputs (of squared
error for linear ones) with respect to the output state. Self-connection weights are
not learned. With a batch of ``B`` streams, the updates are averaged over the streams.

Compiled: with Numba (unless ``AXONAL_JIT=0``) each step runs as one kernel call interpreting the
network's compiled plan (:mod:`axonal.graph.lstm_g_compiled`, :mod:`axonal.kernels.lstm_g`), and a
training loop over a :class:`~axonal.training.lstm_g.StreamFeed` learns a whole epoch per call; the
stream lives in one flat buffer both paths share, so they agree (to rounding) and may alternate.

State: the learner starts from the network's step state (what
:meth:`~axonal.graph.GraphNetwork.activate` left, or the ``state``, ``old`` and ``activation`` an
import of Synaptic's JSON restored) with its traces at 0, and from then on its stream *is* the
network's step state: the network's ``activate`` runs through it (updating the traces, as
Synaptic's ``activate`` does), ``GraphNetwork.clear()`` / :meth:`LSTMG.clear` zero the traces and
error terms only (Synaptic's ``clear``), ``GraphNetwork.reset_state()`` / :meth:`LSTMG.reset` forget
the state as well.

When to use which: BPTT (``fit``) computes the exact gradient over a whole sequence with
batches and any optimizer, and costs ``O(T)`` memory; LSTM-g learns while the stream runs
with ``O(1)`` memory in ``T`` (``O(|A|·|B|·|K|)`` per gated synapse), one step at a time.
"""

from __future__ import annotations

import numpy as np

from ..stopping import AnyOf, MaxEpochs
from ..training.loop import TrainingLoop
from ..training.lstm_g import LSTMGStep, MeanSquared, StreamFeed
from . import lstm_g_compiled as _compiled
from .lstm_g_state import StreamState

__all__ = ["LSTMG"]


class LSTMG(StreamState):
    """Online learner for a :class:`~axonal.graph.GraphNetwork`.

    >>> import numpy as np
    >>> from axonal.graph import Graph, GraphNetwork
    >>> g = Graph()
    >>> x, h, y = g.layer("x", 1), g.layer("h", 2), g.layer("y", 1)
    >>> _ = x.project(h), h.project(h), h.project(y)
    >>> learner = GraphNetwork(g, dtype="float64", seed=0).online(learning_rate=0.5)
    >>> errors = [learner.step([1.0], [0.0]) for _ in range(200)]
    >>> bool(abs(learner.step([1.0], [0.0])[0]) < 0.1)
    True
    """

    def __init__(self, network, *, learning_rate: float = 0.1, rule: str = "monner"):
        network._require_built("online learning")
        if rule not in ("monner", "synaptic"):
            raise ValueError(f"LSTM-g: rule must be 'monner' or 'synaptic', got {rule!r}")
        self.rule = rule
        self.network = network
        self.layer = layer = network.graph_layer
        for step in layer.steps:
            if step.activation.name == "softmax" or step.order:
                problem = ("has in_order connections, which LSTM-g does not trace; train it with fit (BPTT), or "
                           "import Synaptic's JSON with in_order=False" if step.order else
                           "uses softmax, which couples its neurons; LSTM-g needs elementwise activations")
                raise ValueError(f"LSTM-g: layer {step.name!r} {problem}")
        self.learning_rate = _check_rate(learning_rate)
        self.steps = layer.steps
        self.n_layers = len(layer.sizes)
        # connections leaving each layer (for the projected error) and what each layer gates
        self.outgoing: dict[int, list] = {i: [] for i in range(self.n_layers)}
        self.gated = {}
        for step in self.steps:
            for term in step.terms:
                self.outgoing[term.source].append((step, term))
                if term.gater is not None:
                    self._gated_entry(term.gater, step.index)["terms"].append(term)
            if step.self_term is not None and step.self_term.gater is not None:
                self._gated_entry(step.self_term.gater, step.index)["self"] = True
        self.by_index = {s.index: s for s in self.steps}
        for entries in self.gated.values():   # whether a gater neuron may reach other neurons of k than its own
            for k, entry in entries.items():
                entry["full"] = (any(term.spreads for term in entry["terms"])
                                 or entry["self"] and self.by_index[k].self_term.spreads)
        for name, mask in layer.masks.items():  # absent synapses hold 0, so updates can skip the mask
            layer.weight(f"{name}.weight")[...] *= mask
        self._batch = None
        self._shared = None     # the stream as the network's step state (StreamState._publish)
        network._attach(self)
        self._plan = None       # the compiled plan (axonal.graph.lstm_g_compiled), made at the first compiled step
        self._packed = None     # its steps by address (lstm_g_compiled.Packed), made at the first compiled step

    def _gated_entry(self, gater, k) -> dict:
        """What layer ``gater`` gates in layer ``k``: its self-connection and the terms into it."""
        return self.gated.setdefault(gater, {}).setdefault(k, {"self": False, "terms": [], "full": False})

    # -- state --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the stream: activations, states, traces and errors back to 0, gains to 1 (the
        network's step state too: :meth:`~axonal.graph.GraphNetwork.reset_state`). :meth:`clear`
        forgets the traces only."""
        if self._shared is not None and self.network._step_state is self._shared:
            self.network._step_state = None
        self._batch, self._shared = None, None

    # -- running -------------------------------------------------------------------------------
    def step(self, x, target=None, *, learning_rate: float | None = None) -> np.ndarray:
        """Activate one time step (updating the traces) and, given ``target``, learn from it.

        Returns the output layer's activations before learning. The step starts from the
        network's step state (what :meth:`~axonal.graph.GraphNetwork.activate` or an import left)
        and leaves its own there.
        """
        if learning_rate is None and (y := self.quick(x, target)) is not None:
            return y
        self._sync()
        x = np.asarray(x, dtype=self.layer.dtype)
        single = x.ndim == 1
        x2 = x[None] if single else x
        if x2.ndim != 2 or x2.shape[1] != self.layer.sizes[0]:
            raise ValueError(f"LSTM-g: the input layer {self.layer.input_name!r} takes {self.layer.sizes[0]} "
                             f"values per step; got shape {x.shape}")
        if self._batch != len(x2):
            if self._batch is not None:
                raise ValueError(f"LSTM-g: the stream (the network's step state) has {self._batch} parallel "
                                 f"sequences; got a batch of {len(x2)} (call reset())")
            self._start(len(x2))
        out = self.layer.out_index
        shape = (len(x2), self.layer.sizes[out])
        if target is not None and np.size(target) == shape[0] * shape[1] and (
                learning_rate is None or _valid_rate(learning_rate)):   # both halves in one compiled call
            rate = self.learning_rate if learning_rate is None else float(learning_rate)
            if _compiled.step(self, x2, np.asarray(target, dtype=self.layer.dtype).reshape(shape), rate):
                y = self.act[out].copy()        # learning leaves the activations as they were
                return y[0] if single else y
        if not _compiled.activate(self, x2):
            self._activate(x2)
        y = self.act[out].copy()
        if target is not None:
            self.propagate(target, learning_rate=learning_rate)
        return y[0] if single else y

    #: :meth:`step` for one running stream, its arrays by address: :func:`.lstm_g_compiled.quick`
    quick = _compiled.quick

    def propagate(self, target, *, learning_rate: float | None = None) -> None:
        """Learn from ``target`` for the step activated last (Synaptic's ``propagate``)."""
        self._sync()
        if self._batch is None:
            raise RuntimeError("LSTM-g: propagate needs a step first (call step(x))")
        shape = self.act[self.layer.out_index].shape
        if np.size(target) != np.prod(shape):
            raise ValueError(f"LSTM-g: target must have {shape[-1]} values per stream; got shape {np.shape(target)}")
        rate = self.learning_rate if learning_rate is None else _check_rate(learning_rate)
        target = np.asarray(target, dtype=self.layer.dtype).reshape(shape)
        if not _compiled.propagate(self, target, rate):
            self._propagate(target, rate)

    def train(self, x, y, *, epochs: int = 1, learning_rate: float | None = None,
              reset_between: bool = True) -> list[float]:
        """Learn sequences ``x`` (``(time, features)`` or ``(streams, time, features)``) against
        targets at every step; returns the mean squared error of each epoch (measured before
        each step's update), run by the training loop. ``reset_between`` starts every epoch afresh."""
        x = np.asarray(x, dtype=self.layer.dtype)
        y = np.asarray(y, dtype=self.layer.dtype)
        if x.ndim == 2:
            x, y = x[None], y.reshape(1, len(y), -1)
        if x.ndim != 3 or y.shape[:2] != x.shape[:2]:
            raise ValueError(f"LSTM-g train: x (streams, time, features) and y (streams, time, outputs) must "
                             f"agree; got {x.shape} and {y.shape}")
        if x.shape[1] == 0:
            raise ValueError("LSTM-g train: got sequences of 0 time steps")
        rate = self.learning_rate if learning_rate is None else _check_rate(learning_rate)
        rule = LSTMGStep(self, MeanSquared(), rate)
        feed = StreamFeed(x, y, reset=self.reset if reset_between else None)
        return TrainingLoop(rule, feed, stopper=AnyOf(MaxEpochs(int(epochs))), rng=np.random.default_rng(0)).run().loss

    # -- activation with traces ----------------------------------------------------------------------
    def _weight(self, local):
        return self.layer.weight(local)

    def _gain(self, term):
        """The gain ``γ`` ``term`` applies now (``None`` ungated)."""
        return None if term.gater is None else term.gain(self.gain[term.gater])

    def _self_decay(self, step):
        """``γ_jj·w_jj`` as it stands now, or ``None`` without a self-connection."""
        own = step.self_term
        if own is None:
            return None
        decay = self._weight(own.param)
        if own.gater is not None:
            decay = self._gain(own) * decay
        return np.broadcast_to(decay, (self._batch, step.size))

    def _influence(self, gater, k, entry):
        """How neuron ``j`` of ``gater`` moves the state of neuron ``k`` of layer ``k`` (each term's
        :meth:`~axonal.graph.terms.Term.influence`): (B, n) when gater neuron j reaches only
        neuron j, else (B, n_gater, n_k)."""
        target = self.by_index[k]
        parts = []
        if entry["self"]:
            own = target.self_term
            w_self = self._weight(own.param)
            if self.rule == "synaptic":
                # Synaptic counts the gated self-connection twice: the old state, and
                # again as a gated connection from the neuron's own activation.
                parts.append(own.spread(self.old[k] + w_self * self.act[k]))
            else:
                # the state the gater's gain multiplies: s_k(t-1) when k runs after the gater, else s_k(t)
                parts.append(own.spread(w_self * (self.old[k] if k > gater else self.state[k])))
        source = self.act if self.rule == "synaptic" else None
        for term in entry["terms"]:
            a = source[term.source] if source else self.read[id(term)]
            parts.append(term.influence(a, self._weight(term.param)))
        diag, on_diagonal = np.zeros((self._batch, target.size), self.layer.dtype), False
        for part in parts:
            if part.ndim == 2:
                diag += part
                on_diagonal = True
        if not entry["full"]:
            return diag
        full = np.zeros((self._batch, self.layer.sizes[gater], target.size), self.layer.dtype)
        if on_diagonal:   # gater neuron j reaches neuron j
            idx = np.arange(target.size)
            full[:, idx, idx] += diag
        for part in parts:
            if part.ndim == 3:
                full += part
        return full

    def _activate(self, x):
        self.act[0][...] = x
        w = self._weight
        for step in self.steps:
            i = step.index
            self.old[i][...] = self.state[i]
            s = np.zeros((self._batch, step.size), self.layer.dtype)
            if step.bias is not None:
                s += w(step.bias)
            decay = self._self_decay(step)
            self.used_decay[i] = None if decay is None else self._decay[i]
            if decay is not None:
                self._decay[i][...] = decay
                s += decay * self.old[i]
            for term in step.terms:
                a = self.read[id(term)] = self._reads[id(term)]
                a[...] = self.act[term.source]
                s += term.forward(a, w(term.param), self._gain(term))
            self.state[i][...] = s
            act = step.activation.forward(s)
            self.act[i][...] = act
            self.deriv[i][...] = step.activation.backward(np.ones_like(s), s, act)
            if i in self.gain:
                self.gain[i][...] = act
            self._update_eligibility(step)
            if self.rule == "synaptic":
                self._update_extended(step)
        if self.rule == "monner":  # once every layer has run, with the values each one used
            for step in self.steps:
                self._update_extended(step)

    def _update_eligibility(self, step):
        """Eq. 17 for every synapse into ``step``'s layer, from the values it just read."""
        decay = self.used_decay[step.index]
        for term in step.terms:
            trace = self.trace[id(term)]
            if decay is not None:
                trace *= decay if term.one_to_one else decay[:, None, :]
                trace += term.trace_input(self.act[term.source], self._gain(term))
            else:
                trace[...] = term.trace_input(self.act[term.source], self._gain(term))

    def _update_extended(self, step):
        """Eq. 18 for every layer ``k`` whose connections ``step``'s layer gates."""
        i = step.index
        gated = self.gated.get(i, {})
        if not gated:
            return
        influences = {k: self._influence(i, k, entry) for k, entry in gated.items()}
        for term in step.terms:
            trace = self.trace[id(term)]
            for k, infl in influences.items():
                x = self.xtrace[id(term), k]
                if self.rule == "synaptic":
                    k_decay = self._self_decay(self.by_index[k])    # the gain as it stands now
                else:
                    k_decay = self.used_decay[k]                    # the gain k's state was built with
                if infl.ndim == 2:  # gater neuron j reaches neuron j of k
                    if k_decay is not None:
                        x *= k_decay if term.one_to_one else k_decay[:, None, :]
                    else:
                        x[...] = 0
                    spread = self.deriv[i] * infl
                    x += trace * (spread if term.one_to_one else spread[:, None, :])
                else:
                    if k_decay is not None:
                        x *= k_decay[:, None, :] if term.one_to_one else k_decay[:, None, None, :]
                    else:
                        x[...] = 0
                    spread = self.deriv[i][:, :, None] * infl          # (B, n_j, n_k)
                    x += trace[..., None] * (spread if term.one_to_one else spread[:, None, :, :])

    # -- learning --------------------------------------------------------------------------------------
    def _propagate(self, target, rate):
        w = self._weight
        out = self.layer.out_index
        for step in reversed(self.steps):
            i = step.index
            if i == out:
                projected = target - self.act[i]
                self.resp[i][...] = projected
            else:
                err = np.zeros((self._batch, step.size), self.layer.dtype)
                for to_step, term in self.outgoing[i]:   # δ^P: each term's ∂E/∂a given δu = δ_k
                    err += term.source_grad(self.resp[to_step.index], w(term.param), self._gain(term))
                projected = self.deriv[i] * err
                gated_err = np.zeros_like(err)
                for k, entry in self.gated.get(i, {}).items():
                    infl = self._influence(i, k, entry)
                    gated_err += self.resp[k] * infl if infl.ndim == 2 else np.einsum("bjk,bk->bj", infl, self.resp[k])
                self.resp[i][...] = projected + self.deriv[i] * gated_err
            for term in step.terms:
                if not term.conn.trainable:
                    continue
                trace = self.trace[id(term)]
                # Σ over the streams of (δ^P_j·ε_ji + Σ_k δ_k·ε^k_ji), without (B, ...) temporaries
                grad = np.einsum("b...j,bj->...j", trace, projected)
                for k in self.gated.get(i, {}):
                    x = self.xtrace[id(term), k]
                    if x.ndim == trace.ndim:
                        grad += np.einsum("b...j,bj->...j", x, self.resp[k])
                    else:
                        grad += np.einsum("b...k,bk->...", x, self.resp[k])
                delta = grad * (rate / self._batch)
                mask = self.layer.masks.get(term.conn.name)
                if mask is not None:
                    delta *= mask
                w(term.param)[...] += delta
            if step.bias is not None and step.bias in self.layer.params:
                w(step.bias)[...] += np.add.reduce(self.resp[i], axis=0) * (rate / self._batch)


def _valid_rate(rate) -> bool:
    return not isinstance(rate, bool) and isinstance(rate, (int, float, np.floating)) and bool(np.isfinite(rate)) \
        and bool(rate > 0)


def _check_rate(rate):
    if not _valid_rate(rate):
        raise ValueError(f"LSTM-g: learning_rate must be a positive number, got {rate!r}")
    return float(rate)
