"""The blueprint of an architecture-free network: layers, connections and gates.

Synaptic's model, one layer at a time instead of one neuron at a time. A
blueprint holds no weights; :class:`~axonal.graph.GraphNetwork` builds one.

* A **layer** is ``size`` neurons sharing an activation ``f``, each with a bias.
  At every time step a neuron's state and activation are::

      s_j(t) = g_jj·w_jj·s_j(t-1) + b_j + Σ_i g_ji·w_ji·a_i        a_j(t) = f(s_j(t))

  The first term is the layer's **self-connection** (a neuron feeding its own
  *state* back, the memory cell's constant error carousel); ``g`` are gains.
* A **connection** from layer ``A`` to layer ``B`` is ``all_to_all`` (a weight
  matrix ``(|A|, |B|)``), ``one_to_one`` (a weight vector, equal sizes) or
  ``all_to_else`` (all-to-all without the diagonal, for a layer projecting to
  itself). ``A`` may come before or after ``B``, or be ``B``: any topology.
  ``in_order`` joins a layer to itself as Synaptic runs one, neuron by neuron:
  ``Σ_{i<j} w_ij·a_i(t) + Σ_{i>j} w_ij·a_i(t-1)`` into neuron ``j`` (ungated; an
  elementwise activation; see :mod:`axonal.graph.in_order`).
  A layer projecting ``one_to_one`` onto itself makes its self-connection, whose
  weight is fixed at 1 unless ``trainable=True``, as in Synaptic.
* A **gate** lets a layer ``G`` scale a connection's weights by its activations (the
  articles' second-order networks): ``input`` gating scales everything reaching
  neuron ``j`` of the target by ``g = a_G[j]``; ``output`` gating scales everything
  leaving neuron ``i`` of the source by ``a_G[i]``; ``one_to_one`` gating gives each
  connection of a one-to-one connection (or self-connection) its own gater.

**Time.** Layers are activated in the order they were added, the input layer
first. A connection or gain reads the value its source has at that moment: the
current step's when the source comes earlier in the order, the previous step's
when it comes later or is the layer itself (except ``in_order``). Gains start at 1
(a gater that has not fired yet leaves its connections open), activations and states
at 0. This is Synaptic's order, layer by layer.

>>> from axonal.graph import Graph
>>> g = Graph()
>>> inp, hid, out = g.layer("input", 2), g.layer("hidden", 3), g.layer("output", 1)
>>> c = inp.project(hid)
>>> hid.project(hid).name, hid.project(out).name        # the self-connection, then hidden → output
('hidden_to_hidden', 'hidden_to_output')
>>> g.layer("gate", 3).gate(c, "input").gater
'gate'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from ..names import check_name, is_name, printable
from .limits import check_limit
from .values import activation_config as _activation_config, check_index as _check_index
from .values import check_mask as _check_mask, check_values as _check_values, is_finite_number

__all__ = ["CONNECTION_KINDS", "GATE_KINDS", "Connection", "Graph", "Node"]

CONNECTION_KINDS = ("all_to_all", "one_to_one", "all_to_else", "in_order")
GATE_KINDS = ("input", "output", "one_to_one", "synapse")


@dataclass
class Connection:
    """One connection between two layers (a block of synapses, not one synapse).

    ``weights`` is ``None`` (drawn by ``init`` when the network is built), a number
    or an array of the connection's shape. ``mask`` marks which of the ``|A|·|B|``
    synapses exist; ``all_to_else`` leaves out the diagonal by its kind, so no ``|A|²``
    array is made before the network is built (see :meth:`synapse_mask`).
    """

    name: str
    source: str
    target: str
    kind: str
    trainable: bool = True
    init: str = "synaptic"
    weights: object = None
    mask: np.ndarray | None = None
    gater: str | None = None
    gate_kind: str | None = None
    gate_index: np.ndarray | None = None

    @property
    def is_self(self) -> bool:
        """A layer's self-connection: each neuron's state feeds back to itself."""
        return self.source == self.target and self.kind == "one_to_one"

    def shape(self, sizes: dict) -> tuple:
        if self.kind == "one_to_one":
            return (sizes[self.target],)
        return (sizes[self.source], sizes[self.target])

    def synapse_mask(self, sizes: dict) -> np.ndarray | None:
        """Which synapses exist, as a boolean array of the weights' shape; ``None`` when all do.
        Allocates ``|A|²`` booleans for ``all_to_else`` and ``in_order``: call it when the network is built."""
        if self.kind in ("all_to_else", "in_order") and self.mask is None:
            present = np.ones(self.shape(sizes), dtype=bool)
            np.fill_diagonal(present, False)
            return present
        return self.mask

    def get_config(self) -> dict:
        config = {"name": self.name, "source": self.source, "target": self.target, "kind": self.kind,
                  "trainable": self.trainable, "init": self.init}
        if self.weights is not None:
            config["weights"] = (float(self.weights) if np.ndim(self.weights) == 0  # type: ignore[arg-type]
                                 else np.asarray(self.weights, dtype=np.float64).tolist())
        if self.mask is not None:
            config["mask"] = np.asarray(self.mask, dtype=np.int8).tolist()
        if self.gater is not None:
            config["gater"], config["gate_kind"] = self.gater, self.gate_kind
        if self.gate_index is not None:
            config["gate_index"] = np.asarray(self.gate_index).tolist()
        return config


@dataclass
class Node:
    """A layer of the blueprint: ``size`` neurons with one activation function.

    ``bias`` is ``True`` (drawn by ``bias_init``), ``False`` (no bias) or a number
    every neuron's bias starts at (Synaptic's gates start at 1).
    """

    name: str
    size: int
    activation: Any = "logistic"
    bias: Any = True
    bias_init: str = "synaptic"
    graph: Any = field(default=None, repr=False, compare=False)   # the Graph the layer belongs to

    def project(self, other, kind: str | None = None, **options) -> Connection:
        """Connect this layer to ``other`` (a layer or its name); see :meth:`Graph.connect`."""
        return self.graph.connect(self, other, kind, **options)

    def gate(self, connection, kind: str, *, index=None) -> Connection:
        """Let this layer gate ``connection``; see :meth:`Graph.gate`."""
        return self.graph.gate(connection, self, kind, index=index)

    def get_config(self) -> dict:
        config = {"name": self.name, "size": self.size, "activation": _activation_config(self.activation),
                  "bias": self.bias if isinstance(self.bias, bool) else float(self.bias)}
        if self.bias_init != "synaptic":
            config["bias_init"] = self.bias_init
        return config


class Graph:
    """A blueprint: layers in activation order, the connections between them, their gates.

    The first layer added is the input layer and the last is the output layer unless
    :class:`~axonal.graph.GraphNetwork` is told otherwise. Names follow :mod:`axonal.names`;
    counts stay within :mod:`axonal.graph.limits`, checked before anything is allocated.
    """

    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.connections: list[Connection] = []
        self._by_name: dict[str, Connection] = {}
        self._self_of: dict[str, Connection] = {}     # layer name -> its self-connection
        self._suffix: dict[str, int] = {}             # generated connection name -> next suffix
        self._weights = self._gates = 0               # values of all weight arrays; gated connections

    def layer(self, name: str, size: int, activation="logistic", *, bias=True,
              bias_init: str = "synaptic") -> Node:
        """Add a layer of ``size`` neurons; layers activate in the order they are added."""
        check_name(name, "graph layer")
        if name in self.nodes:
            raise ValueError(f"graph: there is already a layer named {name!r}")
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"graph: layer {name!r} needs a positive integer size, got {printable(repr(size), 40)}")
        check_limit("MAX_UNITS", int(size), f"graph: layer {name!r} neurons")
        check_limit("MAX_LAYERS", len(self.nodes) + 1, "graph: layers")
        if not isinstance(activation, (str, dict, _activations.Activation)):
            raise ValueError(f"graph: layer {name!r}: activation must be a name or a config, "
                             f"got {type(activation).__name__}")
        _activations.get(activation)
        if isinstance(bias, (np.bool_, bool)):
            bias = bool(bias)
        elif not is_finite_number(bias):
            raise ValueError(f"graph: layer {name!r}: bias must be True, False or a finite number, "
                             f"got {printable(repr(bias), 40)}")
        _initializers.get(bias_init)
        node = Node(name, int(size), activation, bias, bias_init, graph=self)
        self.nodes[name] = node
        return node

    def __getitem__(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except (KeyError, TypeError):
            raise KeyError(f"graph has no layer '{printable(name, 80)}'; layers: {self._layer_list()}") from None

    @property
    def order(self) -> list[str]:
        return list(self.nodes)

    @property
    def input_layer(self) -> str | None:
        """The first layer added: the input layer (``None`` in an empty graph)."""
        return next(iter(self.nodes), None)

    # -- connections --------------------------------------------------------------------------
    def connect(self, source, target, kind: str | None = None, *, weights=None, trainable: bool | None = None,
                init: str = "synaptic", mask=None, name: str | None = None) -> Connection:
        """Connect ``source`` to ``target`` and return the :class:`Connection`.

        ``kind`` defaults to ``one_to_one`` for a layer projecting to itself (its
        self-connection) and ``all_to_all`` otherwise. ``all_to_all`` from a layer to
        itself makes both its self-connection and an ``all_to_else`` connection, as in
        Synaptic, and returns the latter.
        """
        src, dst = self._node(source, "connect"), self._node(target, "connect")
        if kind is None:
            kind = "one_to_one" if src is dst else "all_to_all"
        if not isinstance(kind, str) or kind not in CONNECTION_KINDS:
            raise ValueError(f"graph: connection kind must be one of {', '.join(CONNECTION_KINDS)}, "
                             f"got {printable(repr(kind), 40)}")
        if trainable is not None and not isinstance(trainable, (bool, np.bool_)):
            raise ValueError(f"graph: connection {src.name!r} → {dst.name!r}: trainable must be True, False or "
                             f"None, got {printable(repr(trainable), 40)}")
        if name is not None:
            check_name(name, f"graph connection {src.name} → {dst.name}")
        if src is dst and kind == "all_to_all":
            self.connect(src, dst, "one_to_one")
            kind = "all_to_else"
        if kind == "one_to_one" and src.size != dst.size:
            raise ValueError(f"graph: a one_to_one connection needs equal sizes; {src.name!r} has {src.size} "
                             f"neurons, {dst.name!r} has {dst.size}")
        if kind == "all_to_else" and src is not dst:
            kind = "all_to_all"  # no neuron of one layer is a neuron of another: nothing to leave out
        if kind == "in_order" and src is not dst:
            raise ValueError(f"graph: an in_order connection joins a layer to itself, not {src.name!r} → {dst.name!r}")
        is_self = src is dst and kind == "one_to_one"
        if is_self and src.name in self._self_of:  # as in Synaptic, projecting onto itself again returns it
            existing = self._self_of[src.name]
            if trainable is not None and bool(trainable) != existing.trainable or \
                    name is not None and name != existing.name:
                raise ValueError(f"graph: layer {src.name!r} already has its self-connection "
                                 f"{existing.name!r}; its name and trainable flag stay as they were made")
            if weights is not None:
                existing.weights = _check_values(weights, (src.size,), f"connection {existing.name!r} weights")
            return existing
        if name is not None and name in self._by_name:
            raise ValueError(f"graph: there is already a connection named {name!r}")
        check_limit("MAX_CONNECTIONS", len(self.connections) + 1, "graph: connections")
        shape = (dst.size,) if kind == "one_to_one" else (src.size, dst.size)
        count = check_limit("MAX_WEIGHTS", self._weights + (shape[0] if len(shape) == 1 else shape[0] * shape[1]),
                            f"graph: weights with connection {src.name!r} → {dst.name!r}")
        if trainable is None:
            trainable = not is_self
        _initializers.get(init)
        conn = Connection(name or self._free_name(f"{src.name}_to_{dst.name}"), src.name, dst.name, kind,
                          bool(trainable), init)
        if is_self and weights is None:
            weights = 1.0
        if weights is not None:
            conn.weights = _check_values(weights, shape, f"connection {conn.name!r} weights")
        if mask is not None:
            if kind == "one_to_one":
                raise ValueError(f"graph: connection {conn.name!r}: a mask needs an all-to-all connection")
            conn.mask = _check_mask(mask, shape, conn.name, kind)
        self.connections.append(conn)
        self._by_name[conn.name] = conn
        if is_self:
            self._self_of[src.name] = conn
        self._weights = count
        return conn

    def gate(self, connection, gater, kind: str, *, index=None) -> Connection:
        """Let layer ``gater`` scale ``connection`` (a :class:`Connection` or its name).

        ``input``: the gater has the target's size; ``output``: the source's size;
        ``one_to_one``: one gater neuron per synapse of a one-to-one connection;
        ``synapse``: ``index`` (an integer array of the weights' shape) names the gater
        neuron of every synapse, ``-1`` leaving a synapse ungated (Synaptic's neuron-level
        gating, as in its Liquid networks).
        """
        conn = self._connection(connection)
        node = self._node(gater, "gate")
        if not isinstance(kind, str) or kind not in GATE_KINDS:
            raise ValueError(f"graph: gate kind must be one of {', '.join(GATE_KINDS)}, "
                             f"got {printable(repr(kind), 40)}")
        if conn.gater is not None:
            raise ValueError(f"graph: connection {conn.name!r} is already gated by {conn.gater!r}")
        if conn.kind == "in_order":
            raise ValueError(f"graph: the in_order connection {conn.name!r} cannot be gated")
        if node.name == self.input_layer:
            raise ValueError(f"graph: the input layer {node.name!r} cannot gate (its neurons are set, not activated)")
        check_limit("MAX_GATES", self._gates + 1, "graph: gated connections")
        src, dst = self.nodes[conn.source], self.nodes[conn.target]
        need = {"input": (dst.size, f"the target {dst.name!r}"), "output": (src.size, f"the source {src.name!r}"),
                "one_to_one": (dst.size, f"the synapses of {conn.name!r}"), "synapse": (node.size, "")}[kind]
        if kind == "one_to_one" and conn.kind != "one_to_one":
            raise ValueError(f"graph: one_to_one gating needs a one_to_one connection; {conn.name!r} is "
                             f"{conn.kind} (use input or output gating)")
        if node.size != need[0]:
            raise ValueError(f"graph: {kind} gating of {conn.name!r} needs a gater of {need[0]} neurons "
                             f"(the size of {need[1]}); {node.name!r} has {node.size}")
        if index is not None and kind != "synapse":
            raise ValueError(f"graph: index is only for synapse gating, not {kind!r}")
        if kind == "synapse":
            idx = _check_index(index, conn.shape({src.name: src.size, dst.name: dst.size}), conn.name, node)
            if conn.is_self and node.size == dst.size and np.array_equal(idx, np.arange(dst.size)):
                kind = "one_to_one"
            else:
                conn.gater, conn.gate_kind, conn.gate_index = node.name, kind, idx
                self._gates += 1
                return conn
        if conn.kind == "one_to_one" or conn.is_self:
            kind = "input"  # on a one-to-one connection every kind scales synapse j by gater neuron j
        conn.gater, conn.gate_kind = node.name, kind
        self._gates += 1
        return conn

    def get_config(self) -> dict:
        return {"layers": [n.get_config() for n in self.nodes.values()],
                "connections": [c.get_config() for c in self.connections]}

    @classmethod
    def from_config(cls, config: dict) -> Graph:
        """Rebuild a blueprint from :meth:`get_config`'s output, strictly: see :mod:`axonal.graph.config`."""
        from .config import graph_from_config
        return graph_from_config(cls(), config)

    def copy(self) -> Graph:
        """An independent copy: the same layers and connections, arrays copied."""
        g = Graph()
        g.nodes = {name: dataclasses.replace(node, graph=g) for name, node in self.nodes.items()}
        g.connections = [Connection(c.name, c.source, c.target, c.kind, c.trainable, c.init, _copied(c.weights),
                                    _copied(c.mask), c.gater, c.gate_kind, _copied(c.gate_index))
                         for c in self.connections]
        g._by_name = {c.name: c for c in g.connections}
        g._self_of = {c.source: c for c in g.connections if c.is_self}
        g._suffix, g._weights, g._gates = dict(self._suffix), self._weights, self._gates
        return g

    def summary(self) -> str:
        """A table of layers (in activation order), connections and gates."""
        lines = ["layers (activation order):"]
        first = self.input_layer
        for n in self.nodes.values():
            bias = "input" if n.name == first else "no bias" if n.bias is False else "bias"
            lines.append(f"  {n.name:<16} {n.size:>5}  {_activations.get(n.activation).name:<10} {bias}")
        lines.append("connections:")
        for c in self.connections:
            gate = f"  gated ({c.gate_kind}) by {c.gater}" if c.gater else ""
            fixed = "" if c.trainable else "  fixed"
            kind = "self" if c.is_self else c.kind
            lines.append(f"  {c.name:<24} {c.source} → {c.target}  {kind}{fixed}{gate}")
        return "\n".join(lines)

    def _layer_list(self) -> str:
        names = list(self.nodes)[:10]
        more = f", … ({len(self.nodes)} in all)" if len(self.nodes) > 10 else ""
        return (", ".join(names) + more) or "none"

    def _node(self, ref, where: str) -> Node:
        if isinstance(ref, Node):
            if ref.graph is not self:
                raise ValueError(f"graph {where}: layer {ref.name!r} belongs to another graph")
            return ref
        node = self.nodes.get(ref) if isinstance(ref, str) else None
        if node is None:
            shown = printable(ref if isinstance(ref, str) else repr(ref), 80)
            raise ValueError(f"graph {where}: no layer named '{shown}'; layers: {self._layer_list()}")
        return node

    def _connection(self, ref) -> Connection:
        if isinstance(ref, Connection):
            if self._by_name.get(ref.name) is not ref:
                raise ValueError(f"graph: connection {ref.name!r} belongs to another graph")
            return ref
        conn = self._by_name.get(ref) if isinstance(ref, str) else None
        if conn is None:
            raise ValueError(f"graph: no connection named '{printable(ref if isinstance(ref, str) else repr(ref), 80)}'")
        return conn

    def _free_name(self, base: str) -> str:
        """``base``, or ``base_2``, ``base_3``, … when taken; cut to fit the name alphabet's 64 characters."""
        name = base[:64]
        k = self._suffix.get(base, 2)
        while name in self._by_name:
            suffix = f"_{k}"
            name, k = base[:64 - len(suffix)] + suffix, k + 1
        self._suffix[base] = k
        if not is_name(name):
            check_name(name, "graph connection")
        return name


def _copied(value):
    return value.copy() if isinstance(value, np.ndarray) else value
