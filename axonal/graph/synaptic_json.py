"""Synaptic's JSON (``Network.toJSON()`` / ``Network.fromJSON()``), read and written.

Synaptic lists neurons, each with ``bias``, ``squash`` and ``layer`` (``"input"``, a
hidden layer's index, ``"output"``), and synapses ``{from, to, weight, gater}`` by
neuron index, a self-connection being ``from == to``. Reading groups them back into
layers and gathers each layer pair's synapses into connections:

* all synapses of the pair → ``all_to_all``; the diagonal of equal-sized layers →
  ``one_to_one``; any other pattern → ``all_to_all`` with a mask;
* synapses gated by one layer become their own connection, with ``input`` gating when
  gater neuron ``k`` gates the synapses into neuron ``k``, ``output`` when it gates
  those leaving neuron ``k``, and ``synapse`` gating (each synapse naming its gater)
  otherwise;
* self-connections become the layer's self-connection (weight 0 where a neuron has
  none), gated one-to-one when gater neuron ``k`` gates neuron ``k``'s.

Anything that has no per-layer form (a layer mixing squash functions, a layer's
self-connections gated by several layers) is refused with an error naming the layer.
Synaptic activates the neurons of a layer one after another; a layer whose neurons
depend on one another within a step is therefore split into one-neuron layers (see
:func:`from_synaptic`), so every network computes exactly what Synaptic computes.
Writing is the reverse; Synaptic fixes self-connection weights at 1 and trains every
weight, so a network with other self weights cannot be written. Traces and gains
are not part of the format (Synaptic does not save them either).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

import numpy as np

from .blueprint import Graph

__all__ = ["SQUASH_TO_ACTIVATION", "from_synaptic", "to_synaptic"]

SQUASH_TO_ACTIVATION = {"LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "HLIM": "step",
                        "RELU": "relu", None: "logistic"}
ACTIVATION_TO_SQUASH = {"logistic": "LOGISTIC", "tanh": "TANH", "identity": "IDENTITY", "step": "HLIM",
                        "relu": "RELU"}


def _read(data) -> dict:
    if isinstance(data, (str, os.PathLike)) and not (isinstance(data, str) and data.lstrip().startswith("{")):
        try:
            with open(data, encoding="utf-8") as fh:
                return json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Synaptic JSON: {data}: not valid JSON ({exc})") from None
    if isinstance(data, str):
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Synaptic JSON: not valid JSON ({exc})") from None
    return data


def _layers_to_split(connections, layer_of) -> set:
    """Layers whose neurons read one another within a step: synapses inside the layer, or a
    gater in the same layer as the neuron it gates."""
    split = set()
    for conn in connections:
        try:
            src, dst, gater = layer_of[conn["from"]], layer_of[conn["to"]], conn.get("gater")
        except (KeyError, TypeError):
            continue                      # reported with its index below
        if src == dst and conn["from"] != conn["to"] or gater is not None and layer_of.get(gater) == dst:
            split.add(dst)
    return split


def from_synaptic(data, *, dtype="float64", seed=None, return_sequences: bool = True, split_layers: bool = True):
    """A :class:`~axonal.graph.GraphNetwork` from Synaptic's ``toJSON()`` output.

    ``data`` is the parsed dict, a JSON string or a path. Layers are named ``input``,
    ``hidden_0``, ``hidden_1``, ... (Synaptic's hidden-layer indices) and ``output``.

    Synaptic activates the neurons of a layer one after another, so a neuron sees the
    new activation of an earlier neuron of its own layer. Where that matters (synapses
    inside a layer, a layer gating its own synapses) the layer is split into one-neuron
    layers ``hidden_3_0``, ``hidden_3_1``, ..., which reproduces Synaptic exactly;
    ``split_layers=False`` keeps it whole (each neuron then reads its layer's previous step).
    """
    from .network import GraphNetwork

    data = _read(data)
    if not isinstance(data, dict) or not isinstance(data.get("neurons"), list) \
            or not isinstance(data.get("connections"), list):
        raise ValueError("Synaptic JSON: expected an object with 'neurons' and 'connections' lists")
    neurons = data["neurons"]
    members = defaultdict(list)          # layer key -> neuron indices, in order
    for n, neuron in enumerate(neurons):
        if not isinstance(neuron, dict) or "layer" not in neuron:
            raise ValueError(f"Synaptic JSON: neuron {n} has no 'layer'")
        key = neuron["layer"]
        if key not in ("input", "output"):
            try:
                key = int(key)
            except (TypeError, ValueError):
                raise ValueError(f"Synaptic JSON: neuron {n} has layer {neuron['layer']!r}; expected 'input', "
                                 f"'output' or a hidden-layer index") from None
        members[key].append(n)
    if "input" not in members or "output" not in members:
        raise ValueError("Synaptic JSON: the network needs input and output neurons")
    keys = ["input"] + sorted(k for k in members if isinstance(k, int)) + ["output"]
    names = {k: k if isinstance(k, str) else f"hidden_{k}" for k in keys}
    layer_of = {n: k for k in keys for n in members[k]}
    split = set()
    if split_layers:
        split = _layers_to_split(data["connections"], layer_of) - {"input", "output"}
    units = []                           # (unit name, layer key, neuron indices) in activation order
    for k in keys:
        if k in split:
            units += [(f"{names[k]}_{pos}", k, [n]) for pos, n in enumerate(members[k])]
        else:
            units.append((names[k], k, members[k]))
    where = {}                           # neuron index -> (unit name, position)
    for name, _, indices in units:
        for pos, n in enumerate(indices):
            where[n] = (name, pos)

    g = Graph()
    for name, k, indices in units:
        squashes = {neurons[n].get("squash") for n in indices}
        if len(squashes) > 1:
            raise ValueError(f"Synaptic JSON: layer {name!r} mixes squash functions {sorted(map(str, squashes))}; "
                             f"axonal needs one activation per layer")
        squash = squashes.pop()
        if squash not in SQUASH_TO_ACTIVATION:
            raise ValueError(f"Synaptic JSON: layer {name!r} uses unknown squash {squash!r}")
        g.layer(name, len(indices), SQUASH_TO_ACTIVATION[squash], bias=k != "input")

    groups = defaultdict(list)           # (from layer, to layer, gater layer, copy) -> synapses
    taken = set()
    selfs = defaultdict(list)
    for c, conn in enumerate(data["connections"]):
        try:
            src, dst, weight, gater = conn["from"], conn["to"], float(conn["weight"]), conn.get("gater")
            (a, i), (b, j) = where[src], where[dst]
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"Synaptic JSON: connection {c} is malformed: {conn!r:.80}") from None
        if not np.isfinite(weight):
            raise ValueError(f"Synaptic JSON: connection {c} has a non-finite weight")
        gate = None
        if gater is not None:
            if gater not in where:
                raise ValueError(f"Synaptic JSON: connection {c} names gater {gater!r}, which is no neuron")
            gate = where[gater]
        if src == dst:
            selfs[a].append((i, weight, gate))
            continue
        copy = 0
        while (a, b, gate and gate[0], copy, i, j) in taken:
            copy += 1                     # a second synapse between the same two neurons
        taken.add((a, b, gate and gate[0], copy, i, j))
        groups[a, b, gate and gate[0], copy].append((i, j, weight, gate))

    values = {}
    for (a, b, gname, copy), synapses in groups.items():
        na, nb = g.nodes[a].size, g.nodes[b].size
        mask = np.zeros((na, nb), bool)
        w = np.zeros((na, nb))
        for i, j, weight, _ in synapses:
            mask[i, j], w[i, j] = True, weight
        diagonal = na == nb and a != b and len(synapses) == na and all(i == j for i, j, *_ in synapses)
        if diagonal:
            conn = g.connect(a, b, "one_to_one")
            values[conn.name] = np.diag(w).copy()
        else:
            kind = "all_to_else" if a == b else "all_to_all"   # a == b: no diagonal (those are self-connections)
            conn = g.connect(a, b, kind, mask=None if mask.all() else mask)
            values[conn.name] = w
        if gname is not None:
            kind = _gate_kind(synapses, g.nodes[gname].size, na, nb)
            index = None
            if kind == "synapse":
                index = np.full(conn.shape({a: na, b: nb}), -1, dtype=np.int64)
                for i, j, _, gate in synapses:
                    index[(j,) if diagonal else (i, j)] = gate[1]
            g.gate(conn, gname, kind, index=index)
    for a, entries in selfs.items():
        n = g.nodes[a].size
        w = np.zeros(n)
        gaters = {gate[0] for _, _, gate in entries if gate is not None}
        if len(gaters) > 1:
            raise ValueError(f"Synaptic JSON: the self-connections of layer {a!r} are gated by different layers "
                             f"({sorted(gaters)}); axonal gives a layer's self-connection one gating layer")
        index = np.full(n, -1, dtype=np.int64)
        for i, weight, gate in entries:
            w[i] = weight
            if gate is not None:
                index[i] = gate[1]
        conn = g.connect(a, a, "one_to_one", weights=w)
        if gaters:
            g.gate(conn, gaters.pop(), "synapse", index=index)
    net = GraphNetwork(g, dtype=dtype, seed=seed, return_sequences=return_sequences)
    layer = net.graph_layer
    for name, k, indices in units[1:]:
        layer.weight(f"{name}.bias")[...] = [float(neurons[n]["bias"]) for n in indices]
    for name, value in values.items():
        layer.weight(f"{name}.weight")[...] = value
    return net


def _gate_kind(synapses, n_gater, n_source, n_target) -> str:
    """``input`` when gater neuron k gates the synapses into neuron k, ``output`` when those
    leaving neuron k, else ``synapse`` (each synapse names its gater)."""
    if n_gater == n_target and all(gate[1] == j for _, j, _, gate in synapses):
        return "input"
    if n_gater == n_source and all(gate[1] == i for i, _, _, gate in synapses):
        return "output"
    return "synapse"


def _gater_neuron(conn, offset, i, j):
    """Index (in Synaptic's neuron list) of the neuron gating synapse ``i → j``, or ``None``."""
    if conn.gater is None:
        return None
    if conn.gate_kind == "synapse":
        k = int(conn.gate_index[j] if conn.gate_index.ndim == 1 else conn.gate_index[i, j])
        return None if k < 0 else offset + k
    return offset + (i if conn.gate_kind == "output" else j)


def to_synaptic(net) -> dict:
    """``net`` (a :class:`~axonal.graph.GraphNetwork`) as Synaptic's ``toJSON()`` would write it.

    Synaptic computes the same outputs from it. It trains every weight and bias, though: a
    fixed (``trainable=False``) connection is written as an ordinary one and a layer without
    bias as biases of 0, so training it in Synaptic (or reading it back) may change them.
    """
    layer = net.graph_layer
    order = layer.graph.order
    if layer.output_name != order[-1]:
        raise ValueError(f"Synaptic JSON: Synaptic activates its output layer last; {layer.output_name!r} is not "
                         f"the last layer of the graph")
    offsets, start = {}, 0
    neurons = []
    for position, name in enumerate(order):
        node = layer.graph.nodes[name]
        offsets[name] = start
        start += node.size
        act = layer.steps[position - 1].activation if position else None
        if act is not None and act.name not in ACTIVATION_TO_SQUASH:
            raise ValueError(f"Synaptic JSON: layer {name!r} uses {act.name!r}; Synaptic's squash functions are "
                             f"{', '.join(ACTIVATION_TO_SQUASH)}")
        key = "input" if position == 0 else "output" if position == len(order) - 1 else position - 1
        bias = layer.weight(f"{name}.bias") if position and node.bias is not False else np.zeros(node.size)
        for j in range(node.size):
            neurons.append({"trace": {"elegibility": {}, "extended": {}}, "state": 0, "old": 0, "activation": 0,
                            "bias": float(bias[j]) if position else 0,
                            "layer": key, "squash": ACTIVATION_TO_SQUASH[act.name] if act else "LOGISTIC"})
    connections = []
    for conn in layer.graph.connections:
        w = np.asarray(layer.weight(f"{conn.name}.weight"), dtype=np.float64)
        a, b = offsets[conn.source], offsets[conn.target]
        g = offsets.get(conn.gater)

        if conn.is_self:
            if np.any((w != 0) & (w != 1)):
                raise ValueError(f"Synaptic JSON: Synaptic fixes self-connection weights at 1; {conn.name!r} has "
                                 f"other values")
            for j in map(int, np.flatnonzero(w)):
                connections.append({"from": a + j, "to": a + j, "weight": 1.0, "gater": _gater_neuron(conn, g, j, j)})
        elif conn.kind == "one_to_one":
            for j in range(len(w)):
                connections.append({"from": a + j, "to": b + j, "weight": float(w[j]), "gater": _gater_neuron(conn, g, j, j)})
        else:
            present = np.ones(w.shape, bool) if conn.mask is None else conn.mask
            for i, j in zip(*np.nonzero(present)):
                connections.append({"from": a + int(i), "to": b + int(j), "weight": float(w[i, j]),
                                    "gater": _gater_neuron(conn, g, int(i), int(j))})
    return {"neurons": neurons, "connections": connections}
