r"""A graph network as one layer: forward through time (backpropagation through time
in :mod:`axonal.graph.backward`).

At step ``t`` each layer ``L`` after the input, in order, computes (see
:mod:`axonal.graph.blueprint` for which step each read refers to)::

    s_L(t) = b_L + s_L(t-1) ⊙ w_L ⊙ γ_L + Σ_terms u          a_L(t) = f_L(s_L(t))

where ``γ_L`` is the self-connection's gain and each term ``u`` is its connection kind's
(:mod:`axonal.graph.terms`: ``u = a_A·W``, ``u = γ ⊙ (a_A·W)``, ``u = (γ ⊙ a_A)·W``,
``u_j = Σ_i a_i·γ_ij·W_ij``, ``u = a_A ⊙ w ⊙ γ``); a layer with ``in_order`` connections then
activates neuron by neuron (:mod:`axonal.graph.in_order`). Arrays are time-major, ``(T+1, B, n)``,
slot 0 holding the state carried in.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import initializers as _initializers
from .._threads import single_blas_thread
from ..layers import REGISTRY as _LAYERS
from ..layers.base import ArraySpec, Layer
from .backward import GraphBackward, _side_by_side
from .blueprint import Graph
from .in_order import order_forward, order_matrices
from .plan import compile_graph

__all__ = ["GraphLayer"]


@_LAYERS.register
class GraphLayer(GraphBackward, Layer):
    """An architecture-free network (a :class:`~axonal.graph.Graph`) as a layer.

    Input ``(batch, time, features)`` gives ``(batch, time, outputs)`` (or the last
    step, ``return_sequences=False``); ``(batch, features)`` is one time step. A graph
    without recurrence (no self-connections, nothing read from the previous step) is
    a feed-forward layer taking ``(batch, features)``.

    Parameters are named ``"<layer>.bias"`` and ``"<connection>.weight"``; fixed
    weights (a self-connection's 1, ``trainable=False``) are model state, not trained.
    ``stateful=True`` carries the state from one call to the next until
    :meth:`reset_state`.
    """

    has_training_mode = False

    def __init__(self, graph, *, output: str | None = None, return_sequences: bool = True,
                 stateful: bool = False, name: str | None = None):
        super().__init__(name=name)
        if not isinstance(graph, (Graph, dict)):
            raise TypeError(f"GraphLayer needs a Graph blueprint, got {type(graph).__name__}")
        for option, value in (("return_sequences", return_sequences), ("stateful", stateful)):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name or 'GraphLayer'}: {option} must be True or False, got {type(value).__name__}")
        if output is not None and not isinstance(output, str):
            raise TypeError(f"{name or 'GraphLayer'}: output must be a layer name, got {type(output).__name__}")
        # a copy: later edits of the caller's blueprint cannot reach a compiled network
        graph = Graph.from_config(graph) if isinstance(graph, dict) else graph.copy()
        if len(graph.nodes) < 2:
            raise ValueError("GraphLayer: a graph needs an input layer and at least one more layer")
        self.graph = graph
        order = graph.order
        self.input_name = order[0]
        self.output_name = output if output is not None else order[-1]
        self.steps, self.input_block, self.blocks, self.recurrent = compile_graph(graph, self.output_name)
        self.input_rank = 2 if self.recurrent else 1
        self.return_sequences = bool(return_sequences)
        self.stateful = bool(stateful)
        self.sizes = [graph.nodes[n].size for n in order]
        self.layer_index = {name: i for i, name in enumerate(order)}
        self.out_index = self.layer_index[self.output_name]
        self.masks: dict = {}    # connection name -> which synapses exist, made when built
        self.gaters = sorted({t.gater for s in self.steps for t in s.terms + [s.self_term]
                              if t is not None and t.gater is not None})
        self._carried: dict | None = None
        self._cache = None
        self.final_state = None
        self.order_steps = any(s.order for s in self.steps)   # in_order layers: NumPy only

    # -- shapes and parameters ------------------------------------------------------------
    def plan(self, input_shape):
        if len(input_shape) not in (1, 2):
            raise ValueError(f"{self.describe()} takes (batch, features) or (batch, time, features); "
                             f"got feature shape {tuple(input_shape)}")
        features = input_shape[-1]
        if features != self.sizes[0]:
            raise ValueError(f"{self.describe()}: the input layer {self.input_name!r} has {self.sizes[0]} neurons "
                             f"but the data has {features} features")
        specs = []
        for name, node in self.graph.nodes.items():
            if name != self.input_name and node.bias is not False:
                specs.append(ArraySpec(f"{name}.bias", (node.size,), node.bias_init, False))
        sizes = dict(zip(self.graph.order, self.sizes))
        for conn in self.graph.connections:
            specs.append(ArraySpec(f"{conn.name}.weight", conn.shape(sizes), conn.init,
                                   True if conn.trainable else None))
        n_out = self.sizes[self.out_index]
        return specs, ((None, n_out) if self.input_rank == 2 and self.return_sequences else (n_out,))

    def build(self, input_shape, rng, dtype=np.float32):
        shape = (None, input_shape[-1]) if self.input_rank == 2 else (input_shape[-1],)
        self.input_shape = shape
        self.dtype = np.dtype(dtype)
        self.output_shape = tuple(self._build(shape, rng))
        return self.output_shape

    def _build(self, input_shape, rng):
        specs, out = self.plan(input_shape)
        conns = {f"{c.name}.weight": c for c in self.graph.connections}
        sizes = dict(zip(self.graph.order, self.sizes))
        self.masks = {c.name: m for c in self.graph.connections if (m := c.synapse_mask(sizes)) is not None}
        for spec in specs:
            value = _initializers.get(spec.init)(rng, spec.shape, self.dtype)
            given = None
            if spec.name in conns:
                conn = conns[spec.name]
                given = conn.weights
                if conn.name in self.masks:
                    value = value * self.masks[conn.name]
            else:
                bias = self.graph.nodes[spec.name[:-5]].bias
                given = None if isinstance(bias, bool) else bias
            if given is not None:
                value = np.broadcast_to(np.asarray(given, dtype=self.dtype), spec.shape).copy()
            if spec.decay is None:
                self.state[spec.name] = np.ascontiguousarray(value, dtype=self.dtype)
            else:
                self.add_parameter(spec.name, value, decay=spec.decay)
        return out

    def weight(self, local: str) -> np.ndarray:
        """A weight or bias array by local name, trainable or fixed."""
        return self.params[local] if local in self.params else self.state[local]

    def effective_weights(self) -> dict:
        """Every weight and bias by local name, masked connections with their absent synapses at 0."""
        weights = dict(self.params)
        weights.update(self.state)
        for name, mask in self.masks.items():
            weights[f"{name}.weight"] = weights[f"{name}.weight"] * mask
        return weights

    def weights_into(self) -> list[dict[str, int]]:
        """Per layer, in the graph's order (the input layer first, with none), the trained weights of
        the connections into it, ``{local name: synapses}`` (a masked connection counts the synapses
        that exist): ``W`` of every ``A → L``, the self-connection and ``in_order`` connections
        included; fixed weights and biases left out."""
        into: list[dict[str, int]] = [{} for _ in self.sizes]
        for conn in self.graph.connections:
            local = f"{conn.name}.weight"
            if local in self.params:
                mask = self.masks.get(conn.name)
                into[self.layer_index[conn.target]][local] = int(self.params[local].size if mask is None
                                                                 else np.count_nonzero(mask))
        return into

    # -- state ------------------------------------------------------------------------------
    def reset_state(self) -> None:
        """Forget the carried state: activations and states 0, gains 1."""
        self._carried = None

    @property
    def carried_state(self) -> dict | None:
        """The state a stateful graph starts its next call from (the form of :meth:`initial_state`),
        or ``None`` (start from :meth:`initial_state`)."""
        return self._carried

    @carried_state.setter
    def carried_state(self, state) -> None:
        if state is None:
            self._carried = None
            return
        try:
            batch = len(next(iter(state["act"].values())))
            like = self.initial_state(batch)
            copy = {part: {key: np.array(state[part][key], dtype=self.dtype) for key in like[part]}
                    for part in like}
        except (TypeError, KeyError, StopIteration) as exc:
            raise ValueError(f"{self.describe()}: carried_state takes the form of initial_state(batch) "
                             f"(missing {exc})") from None
        for part in like:
            if set(state[part]) != set(like[part]):
                raise ValueError(f"{self.describe()}: carried_state[{part!r}] must have the keys "
                                 f"{sorted(like[part])}, got {sorted(state[part])!r:.200}")
            for key, value in copy[part].items():
                if value.shape != like[part][key].shape:
                    raise ValueError(f"{self.describe()}: carried_state[{part!r}][{key}] must have shape "
                                     f"{like[part][key].shape}, got {value.shape}")
        self._carried = copy

    def initial_state(self, batch: int) -> dict:
        """The state of a network that has not run yet: activations, states 0; gains 1."""
        zeros = {s.index: np.zeros((batch, s.size), self.dtype) for s in self.steps}
        return {"act": zeros, "state": {i: z.copy() for i, z in zeros.items()},
                "gain": {g: np.ones((batch, self.sizes[g]), self.dtype) for g in self.gaters}}

    def _start(self, batch: int) -> dict:
        carried = self._carried if self.stateful else None
        if carried is None:
            return self.initial_state(batch)
        held = next(iter(carried["act"].values())).shape[0]
        if held != batch:
            raise ValueError(f"{self.describe()} is stateful and carries a state for a batch of {held}; "
                             f"got a batch of {batch} (call reset_state())")
        return carried

    # -- forward -----------------------------------------------------------------------------
    def forward(self, x, *, training=False, mask=None, state=None):
        """Outputs for ``x``; ``state`` (a dict from :meth:`initial_state` or ``final_state``)
        overrides the starting state."""
        if mask is not None:
            raise ValueError(f"{self.describe()} does not take a mask: give sequences of equal length "
                             f"(or run them one by one)")
        x = np.asarray(x)
        self.check_input(x)
        one_step = x.ndim == 2
        xs = x[None] if one_step else x.transpose(1, 0, 2)
        if xs.shape[0] == 0:
            raise ValueError(f"{self.describe()} got sequences of 0 time steps")
        if state is not None:
            held = next(iter(state["act"].values()), np.zeros((xs.shape[1], 0))).shape[0]
            if held != xs.shape[1]:
                raise ValueError(f"{self.describe()}: the state given is for a batch of {held}; got a batch of "
                                 f"{xs.shape[1]}")
        start = self._start(xs.shape[1]) if state is None else state
        cache = self._run(np.ascontiguousarray(xs, dtype=self.dtype), start,
                          keep_final=self.recurrent and (self.stateful or state is not None))
        self.final_state = cache["final"]
        if self.stateful:
            self._carried = cache["final"]
        cache["one_step"] = one_step
        self._cache = cache if training else None
        y = cache["acts"][self.out_index][1:]
        if one_step:
            return y[0]
        return y.transpose(1, 0, 2) if self.return_sequences else y[-1]

    def check_input(self, x) -> None:
        """Rows ``(batch, features)`` (one step) or sequences ``(batch, time, features)``."""
        self._require_built()
        if x.ndim not in (2, 3) or x.shape[-1] != self.sizes[0]:
            raise ValueError(f"{self.describe()}: expected (batch, {self.sizes[0]}) or (batch, time, "
                             f"{self.sizes[0]}) input for the input layer {self.input_name!r}; got {x.shape}")

    def _require_built(self):
        if not self.built:
            raise RuntimeError(f"{self.describe()} is not built: put it in a network or call build()")

    @staticmethod
    def _term_gain(term, acts, start, k):
        """The gain ``γ`` a gated term applies at step ``k`` (its gater read at ``k`` or ``k-1``)."""
        kg = k - 1 if term.gate_prev else k
        return term.gain(start["gain"][term.gater] if kg == 0 else acts[term.gater][kg])

    def _run(self, xs, start, keep_final=True):
        T, B, F = xs.shape
        dt = self.dtype
        acts = [np.empty((T + 1, B, F), dt)]
        acts[0][1:] = xs
        acts[0][0] = 0
        states = [None]
        for s in self.steps:
            a = np.empty((T + 1, B, s.size), dt)
            a[0] = start["act"][s.index]
            st = np.empty((T + 1, B, s.size), dt)
            st[0] = start["state"][s.index]
            acts.append(a)
            states.append(st)
        wts = self.effective_weights()
        w = wts.__getitem__
        block_out = {}
        if self.input_block.terms:
            w_in = _side_by_side([w(t.param) for t in self.input_block.terms])
            block_out[id(self.input_block)] = (xs.reshape(T * B, F) @ w_in).reshape(T, B, -1)
        w_blocks = []
        for blk in self.blocks:
            w_blocks.append(_side_by_side([w(t.param) for t in blk.terms]))
            block_out[id(blk)] = np.empty((T, B, blk.width), dt)
        stored = {}
        order = {s.index: order_matrices([w(p) for p in s.order]) for s in self.steps if s.order}
        with single_blas_thread() if T > 1 else contextlib.nullcontext():
            for t in range(T):
                k = t + 1
                for blk, wb in zip(self.blocks, w_blocks):
                    np.matmul(acts[blk.source][k - 1], wb, out=block_out[id(blk)][t])
                for step in self.steps:
                    s = states[step.index][k]
                    if step.bias is not None:
                        s[...] = w(step.bias)
                    else:
                        s.fill(0)
                    own = step.self_term
                    if own is not None:
                        gain = None if own.gater is None else self._term_gain(own, acts, start, k)
                        s += own.forward(states[step.index][k - 1], w(own.param), gain)
                    for term in step.terms:
                        a = acts[term.source][k - 1 if term.prev else k]
                        if term.block is not None:
                            p = block_out[id(term.block)][t][:, term.offset:term.offset + step.size]
                        elif term.needs_product:   # kept for the gater's gradient
                            p = stored.setdefault(id(term), np.empty((T, B, step.size), dt))[t] = \
                                term.product(a, w(term.param))
                        else:
                            p = None
                        gain = None if term.gater is None else self._term_gain(term, acts, start, k)
                        s += term.forward(a, w(term.param), gain, p)
                    if step.order:
                        order_forward(step.activation, s, acts[step.index], k, *order[step.index])
                    else:
                        step.activation.forward(s, out=acts[step.index][k])
        final = None
        if keep_final:
            final = {"act": {s.index: acts[s.index][T].copy() for s in self.steps},
                     "state": {s.index: states[s.index][T].copy() for s in self.steps},
                     "gain": {g: (acts[g][T].copy() if T else start["gain"][g].copy()) for g in self.gaters}}
        return {"acts": acts, "states": states, "start": start, "block_out": block_out, "stored": stored,
                "w_blocks": w_blocks, "final": final, "weights": wts, "order": order}

    # -- describing ----------------------------------------------------------------------------
    def get_config(self):
        config = {"graph": self.graph.get_config(), "output": self.output_name,
                  "return_sequences": self.return_sequences, "stateful": self.stateful}
        if self.name:
            config["name"] = self.name
        return config

    def describe(self) -> str:
        return self.name or f"GraphLayer({self.input_name} → {self.output_name})"
