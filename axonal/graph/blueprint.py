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
when it comes later or is the layer itself. Gains start at 1 (a gater that has
not fired yet leaves its connections open), activations and states at 0. This is
Synaptic's order; Synaptic goes neuron by neuron inside a layer, so a neuron there
may see a same-layer neuron's new value where axonal shows the previous step's.

>>> from axonal.graph import Graph
>>> g = Graph()
>>> inp, hid, out = g.layer("input", 2), g.layer("hidden", 3), g.layer("output", 1)
>>> c = inp.project(hid)
>>> hid.project(hid).name                      # the self-connection
'hidden_to_hidden'
>>> hid.project(out).name
'hidden_to_output'
>>> g.layer("gate", 3).gate(c, "input").gater
'gate'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers

__all__ = ["CONNECTION_KINDS", "GATE_KINDS", "Connection", "Graph", "Node"]

CONNECTION_KINDS = ("all_to_all", "one_to_one", "all_to_else")
GATE_KINDS = ("input", "output", "one_to_one", "synapse")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Connection:
    """One connection between two layers (a block of synapses, not one synapse).

    ``weights`` is ``None`` (drawn by ``init`` when the network is built), a number
    (every weight that value) or an array of the connection's shape. ``mask``
    (all-to-all only) marks which of the ``|A|·|B|`` synapses exist.
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

    def get_config(self) -> dict:
        config = {"name": self.name, "source": self.source, "target": self.target, "kind": self.kind,
                  "trainable": self.trainable, "init": self.init}
        if self.weights is not None:
            config["weights"] = (float(self.weights) if np.ndim(self.weights) == 0
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
    activation: object = "logistic"
    bias: object = True
    bias_init: str = "synaptic"
    graph: Graph = field(default=None, repr=False, compare=False)

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
    :class:`~axonal.graph.GraphNetwork` is told otherwise.
    """

    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.connections: list[Connection] = []

    # -- layers -------------------------------------------------------------------------
    def layer(self, name: str, size: int, activation="logistic", *, bias=True,
              bias_init: str = "synaptic") -> Node:
        """Add a layer of ``size`` neurons; layers activate in the order they are added."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"graph: layer name must be an identifier (letters, digits, _), got {name!r}")
        if name in self.nodes:
            raise ValueError(f"graph: there is already a layer named {name!r}")
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"graph: layer {name!r} needs a positive integer size, got {size!r}")
        _activations.get(activation)
        if not isinstance(bias, (bool, int, float, np.floating, np.integer)):
            raise ValueError(f"graph: layer {name!r}: bias must be True, False or a number, got {bias!r}")
        _initializers.get(bias_init)
        node = Node(name, int(size), activation, bias, bias_init, graph=self)
        self.nodes[name] = node
        return node

    def __getitem__(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise KeyError(f"graph has no layer {name!r}; layers: {', '.join(self.nodes) or 'none'}") from None

    @property
    def order(self) -> list[str]:
        return list(self.nodes)

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
        if kind not in CONNECTION_KINDS:
            raise ValueError(f"graph: connection kind must be one of {', '.join(CONNECTION_KINDS)}, got {kind!r}")
        if src is dst and kind == "all_to_all":
            self.connect(src, dst, "one_to_one")
            kind = "all_to_else"
        if kind == "one_to_one" and src.size != dst.size:
            raise ValueError(f"graph: a one_to_one connection needs equal sizes; {src.name!r} has {src.size} "
                             f"neurons, {dst.name!r} has {dst.size}")
        if kind == "all_to_else" and src is not dst:
            kind = "all_to_all"  # no neuron of one layer is a neuron of another: nothing to leave out
        is_self = src is dst and kind == "one_to_one"
        if is_self:
            existing = [c for c in self.connections if c.is_self and c.source == src.name]
            if existing:  # as in Synaptic, projecting onto itself again returns the self-connection
                if trainable is not None and bool(trainable) != existing[0].trainable or \
                        name is not None and name != existing[0].name:
                    raise ValueError(f"graph: layer {src.name!r} already has its self-connection "
                                     f"{existing[0].name!r}; its name and trainable flag stay as they were made")
                if weights is not None:
                    existing[0].weights = _check_values(weights, (src.size,), f"connection {existing[0].name!r} weights")
                return existing[0]
        if trainable is None:
            trainable = not is_self
        _initializers.get(init)
        conn = Connection(name or self._free_name(f"{src.name}_to_{dst.name}"), src.name, dst.name, kind,
                          bool(trainable), init)
        if is_self and weights is None:
            weights = 1.0
        if name is not None and (not _NAME.match(name) or any(c.name == name for c in self.connections)):
            raise ValueError(f"graph: connection name {name!r} is taken or not an identifier")
        sizes = {n.name: n.size for n in self.nodes.values()}
        if weights is not None:
            conn.weights = _check_values(weights, conn.shape(sizes), f"connection {conn.name!r} weights")
        if kind == "all_to_else":
            mask = ~np.eye(src.size, dtype=bool) if mask is None else np.asarray(mask, bool) & ~np.eye(src.size, dtype=bool)
        if mask is not None:
            if kind == "one_to_one":
                raise ValueError(f"graph: connection {conn.name!r}: a mask needs an all-to-all connection")
            conn.mask = np.asarray(mask, dtype=bool)
            if conn.mask.shape != conn.shape(sizes):
                raise ValueError(f"graph: connection {conn.name!r}: mask must have shape {conn.shape(sizes)}, "
                                 f"got {conn.mask.shape}")
        self.connections.append(conn)
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
        if kind not in GATE_KINDS:
            raise ValueError(f"graph: gate kind must be one of {', '.join(GATE_KINDS)}, got {kind!r}")
        if conn.gater is not None:
            raise ValueError(f"graph: connection {conn.name!r} is already gated by {conn.gater!r}")
        if node.name == self.order[0]:
            raise ValueError(f"graph: the input layer {node.name!r} cannot gate (its neurons are set, not activated)")
        src, dst = self.nodes[conn.source], self.nodes[conn.target]
        need = {"input": (dst.size, f"the target {dst.name!r}"), "output": (src.size, f"the source {src.name!r}"),
                "one_to_one": (dst.size, f"the synapses of {conn.name!r}"), "synapse": (node.size, "")}[kind]
        if kind == "one_to_one" and conn.kind != "one_to_one":
            raise ValueError(f"graph: one_to_one gating needs a one_to_one connection; {conn.name!r} is "
                             f"{conn.kind} (use input or output gating)")
        if node.size != need[0]:
            raise ValueError(f"graph: {kind} gating of {conn.name!r} needs a gater of {need[0]} neurons "
                             f"(the size of {need[1]}); {node.name!r} has {node.size}")
        if kind == "synapse" and conn.is_self and index is not None and node.size == dst.size and \
                np.array_equal(np.asarray(index), np.arange(dst.size)):
            kind, index = "one_to_one", None
        if kind == "synapse":
            sizes = {n.name: n.size for n in self.nodes.values()}
            idx = np.asarray(index if index is not None else [], dtype=np.int64)
            if index is None or idx.shape != conn.shape(sizes):
                raise ValueError(f"graph: synapse gating of {conn.name!r} needs an index array of shape "
                                 f"{conn.shape(sizes)}, got {None if index is None else idx.shape}")
            if idx.size and (idx.min() < -1 or idx.max() >= node.size):
                raise ValueError(f"graph: synapse gating of {conn.name!r}: index values must be -1 or a neuron "
                                 f"of {node.name!r} (0..{node.size - 1})")
            conn.gater, conn.gate_kind, conn.gate_index = node.name, kind, idx
            return conn
        if index is not None:
            raise ValueError(f"graph: index is only for synapse gating, not {kind!r}")
        if conn.kind == "one_to_one" or conn.is_self:
            kind = "input"  # on a one-to-one connection every kind scales synapse j by gater neuron j
        conn.gater, conn.gate_kind = node.name, kind
        return conn

    # -- describing ---------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"layers": [n.get_config() for n in self.nodes.values()],
                "connections": [c.get_config() for c in self.connections]}

    @classmethod
    def from_config(cls, config: dict) -> Graph:
        """Rebuild a blueprint from :meth:`get_config`'s output (plain data, no code)."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("graph config must be a mapping with a 'layers' list")
        g = cls()
        for spec in config["layers"]:
            try:
                g.layer(spec["name"], spec["size"], spec.get("activation", "logistic"), bias=spec.get("bias", True),
                        bias_init=spec.get("bias_init", "synaptic"))
            except (KeyError, TypeError) as exc:
                raise ValueError(f"graph config: bad layer entry {spec!r:.80} ({exc})") from None
        for spec in config.get("connections", []):
            try:
                name, source, target, kind = spec["name"], spec["source"], spec["target"], spec["kind"]
            except (KeyError, TypeError) as exc:
                raise ValueError(f"graph config: bad connection entry {spec!r:.80} ({exc})") from None
            count = len(g.connections)
            try:
                conn = g.connect(source, target, kind, weights=spec.get("weights"), trainable=spec.get("trainable"),
                                 init=spec.get("init", "synaptic"), mask=spec.get("mask"), name=name)
                if len(g.connections) != count + 1:
                    raise ValueError("it repeats a self-connection or stands for two connections (write a "
                                     "self-connection and an all_to_else connection separately)")
                if spec.get("gater") is not None:
                    g.gate(conn, spec["gater"], spec.get("gate_kind", "input"), index=spec.get("gate_index"))
            except ValueError as exc:
                raise ValueError(f"graph config: connection {name!r}: {exc}") from None
        return g

    def summary(self) -> str:
        """A table of layers (in activation order), connections and gates."""
        lines = ["layers (activation order):"]
        for n in self.nodes.values():
            bias = "input" if n.name == self.order[0] else "no bias" if n.bias is False else "bias"
            lines.append(f"  {n.name:<16} {n.size:>5}  {_activations.get(n.activation).name:<10} {bias}")
        lines.append("connections:")
        for c in self.connections:
            gate = f"  gated ({c.gate_kind}) by {c.gater}" if c.gater else ""
            fixed = "" if c.trainable else "  fixed"
            kind = "self" if c.is_self else c.kind
            lines.append(f"  {c.name:<24} {c.source} → {c.target}  {kind}{fixed}{gate}")
        return "\n".join(lines)

    # -- helpers ----------------------------------------------------------------------------
    def _node(self, ref, where: str) -> Node:
        name = ref.name if isinstance(ref, Node) else ref
        if isinstance(ref, Node) and ref.graph is not self:
            raise ValueError(f"graph {where}: layer {name!r} belongs to another graph")
        if name not in self.nodes:
            raise ValueError(f"graph {where}: no layer named {name!r}; layers: {', '.join(self.nodes) or 'none'}")
        return self.nodes[name]

    def _connection(self, ref) -> Connection:
        if isinstance(ref, Connection):
            if not any(c is ref for c in self.connections):
                raise ValueError(f"graph: connection {ref.name!r} belongs to another graph")
            return ref
        for c in self.connections:
            if c.name == ref:
                return c
        raise ValueError(f"graph: no connection named {ref!r}")

    def _free_name(self, base: str) -> str:
        taken = {c.name for c in self.connections}
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        return name


def _activation_config(activation):
    act = _activations.get(activation)
    config = act.get_config()
    return act.name if config == {"name": act.name} or not config else config


def _check_values(values, shape, what):
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        if not np.isfinite(arr):
            raise ValueError(f"graph: {what} must be finite, got {values!r}")
        return float(arr)
    if arr.shape != tuple(shape):
        raise ValueError(f"graph: {what} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"graph: {what} contain NaN or infinity")
    return arr
