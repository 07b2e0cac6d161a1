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
Synaptic activates the neurons of a layer one after another; synapses inside a layer
therefore become an ``in_order`` connection, and a layer whose neurons gate one another
is split into one-neuron layers (see :func:`from_synaptic`), so every network computes
exactly what Synaptic computes.
Each neuron's ``state`` (``s``), ``old`` (``s`` one step earlier) and ``activation``
(``y = f(s)``) are the network's step state (:meth:`~axonal.graph.GraphNetwork.get_step_state`):
reading restores them, as Synaptic's ``fromJSON`` does, so an imported network continues
where Synaptic's left off; writing saves the network's current ones.

Writing is the reverse; Synaptic fixes self-connection weights at 1 and trains every
weight, so a network with other self weights cannot be written. The one-neuron layers
reading split off (``hidden_3_0``, ``hidden_3_1``, ...) are written as one Synaptic layer
again (Synaptic activates a layer's neurons one by one in list order and propagates them
in reverse, so consecutive layers and their union compute the same). Traces and gains are
not part of the format (Synaptic does not save them either): an imported network's gains
are 1, as after Synaptic's ``fromJSON``, and its learner's traces start at 0.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from ..graph.blueprint import Graph
from ..names import printable
from .json_read import (
    MAX_SYNAPTIC_BLOCKS,
    MAX_SYNAPTIC_LAYERS,
    SQUASH_TO_ACTIVATION,
    SynapticJSONError,
    dense_limit,
    read_synaptic,
    squash_activation,
)

__all__ = ["SQUASH_TO_ACTIVATION", "SynapticJSONError", "from_synaptic", "to_synaptic"]
ACTIVATION_TO_SQUASH = {"logistic": "LOGISTIC", "tanh": "TANH", "identity": "IDENTITY", "step": "HLIM",
                        "relu": "RELU"}


def _resolve(synapses):
    """The synapses Synaptic's ``fromJSON`` makes, in order, as ``[from, to, weight, gater, copy]``.

    It calls ``from.project(to, weight)`` for each entry, and ``project`` makes a new synapse
    only when ``from`` has none to ``to`` yet or already reads ``to`` (``to → from`` exists);
    otherwise it reuses the first one, setting its weight (and its gater, when one is given).
    ``copy`` numbers the synapses made between the same two neurons. Linear time.
    """
    made, first, copies = [], {}, {}
    for c, (src, dst, weight, gater) in enumerate(synapses):
        pair = (src, dst)
        if src != dst and pair in first and (dst, src) not in first:
            record = made[first[pair]]
            record[2] = weight
            if gater is not None:
                if record[3] is not None:
                    raise SynapticJSONError(f"Synaptic JSON: connection {c} gates synapse {src} → {dst} again "
                                            f"(Synaptic would keep it in two gaters' lists); a synapse has one gater")
                record[3] = gater
            continue
        copy = copies.get(pair, 0)
        copies[pair] = copy + 1
        first.setdefault(pair, len(made))
        made.append([src, dst, weight, gater, copy])
    return made


def _inner_layers(synapses, layer_of):
    """``(ordered, split)``: layers with ungated synapses between their own neurons, and layers
    whose neurons read one another otherwise (a gated synapse inside the layer, or a gater in
    the same layer as the neuron it gates)."""
    ordered, split = set(), set()
    for src, dst, _, gater, _ in synapses:
        target = layer_of[dst]
        if gater is not None and (layer_of[gater] == target or layer_of[src] == target and src != dst):
            split.add(target)
        elif layer_of[src] == target and src != dst:
            ordered.add(target)
    return ordered - {"input", "output"}, split - {"input", "output"}


def from_synaptic(data, *, dtype="float64", seed=None, return_sequences: bool = True, split_layers: bool = True,
                  in_order: bool = True, state: bool = True, resume_gains: bool = False):
    """A :class:`~axonal.graph.GraphNetwork` from Synaptic's ``toJSON()`` output.

    ``data`` is the parsed dict, a JSON string or a path. Layers are named ``input``,
    ``hidden_0``, ``hidden_1``, ... (Synaptic's hidden-layer indices) and ``output``.
    Repeated synapses mean what they mean to Synaptic's ``fromJSON`` (see :func:`_resolve`).

    Synaptic activates the neurons of a layer one after another, so a neuron sees the
    new activation of an earlier neuron of its own layer. Ungated synapses inside a
    layer become an ``in_order`` connection, which reads its neurons in that order
    (``in_order=False``: split the layer instead). Where a layer's neurons gate one
    another's synapses the layer is split into one-neuron layers ``hidden_3_0``,
    ``hidden_3_1``, ...; both reproduce Synaptic exactly. ``split_layers=False`` keeps
    every layer whole (each neuron then reads its layer's previous step).

    Every problem raises :class:`~axonal.synaptic.json_read.SynapticJSONError` naming the
    neuron, connection, layer or limit; the limits of :mod:`axonal.synaptic.json_read` and
    :mod:`axonal.graph.limits` are checked before anything is allocated, and the time
    taken grows linearly with the number of synapses.

    ``state=True`` restores each neuron's ``state``, ``old`` and ``activation`` as the network's step
    state (batch 1, gains 1: Synaptic's ``fromJSON``), so :meth:`~axonal.graph.GraphNetwork.activate`
    and an online learner continue from them; a file whose values are all 0 (or absent) leaves
    the network without a carried state, which is the same. ``state=False`` ignores them.
    The JSON holds no gains: Synaptic's ``fromJSON`` sets them to 1, which matters where a gater
    runs after the synapses it gates (a Liquid pool). ``resume_gains=True`` sets each gain to its
    gater's restored activation instead, which is what the network that wrote the file holds
    (once it has run a step), so the import continues exactly as that network would.
    """
    for option, value in (("split_layers", split_layers), ("in_order", in_order), ("state", state),
                          ("resume_gains", resume_gains)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"from_synaptic: {option} must be True or False, got {type(value).__name__}")
    layer_keys, biases, squashes, synapses, states = read_synaptic(data, with_state=True)
    members = defaultdict(list)          # layer key -> neuron indices, in order
    for n, key in enumerate(layer_keys):
        members[key].append(n)
    if "input" not in members or "output" not in members:
        raise SynapticJSONError("Synaptic JSON: the network needs input and output neurons")
    keys = ["input"] + sorted(k for k in members if isinstance(k, int)) + ["output"]
    names = {k: k if isinstance(k, str) else f"hidden_{k}" for k in keys}
    synapses = _resolve(synapses)
    ordered, split = _inner_layers(synapses, layer_keys) if split_layers else (set(), set())
    if not in_order:
        split, ordered = split | ordered, set()
    ordered -= split
    count = sum(len(members[k]) if k in split else 1 for k in keys)
    if count > MAX_SYNAPTIC_LAYERS:
        hint = "; split_layers=False keeps them whole" if split else ""
        raise SynapticJSONError(f"Synaptic JSON: the network would have {count} layers (a layer whose neurons gate "
                                f"one another counts one per neuron{hint}); the limit is MAX_SYNAPTIC_LAYERS = "
                                f"{MAX_SYNAPTIC_LAYERS}")
    units = []                           # (unit name, layer key, neuron indices) in activation order
    for k in keys:
        if k in split:
            units += [(f"{names[k]}_{pos}", k, [n]) for pos, n in enumerate(members[k])]
        else:
            units.append((names[k], k, members[k]))
    where: list = [None] * len(layer_keys)     # neuron index -> (unit name, position)
    sizes = {}
    for name, _, indices in units:
        sizes[name] = len(indices)
        for pos, n in enumerate(indices):
            where[n] = (name, pos)

    groups = defaultdict(list)           # (from unit, to unit, gater unit, copy) -> synapses
    selfs = defaultdict(list)
    for src, dst, weight, gater, copy in synapses:
        (a, i), (b, j) = where[src], where[dst]
        gate = None if gater is None else where[gater]
        if src == dst:
            selfs[a].append((i, weight, gate))
            continue
        groups[a, b, gate and gate[0], copy].append((i, j, weight, gate))
    if len(groups) + len(selfs) > MAX_SYNAPTIC_BLOCKS:
        raise SynapticJSONError(f"Synaptic JSON: the network would have {len(groups) + len(selfs)} connections "
                                f"(one per pair of layers, gating layer and repeated synapse); the limit is "
                                f"MAX_SYNAPTIC_BLOCKS = {MAX_SYNAPTIC_BLOCKS}")
    dense = sum(sizes[a] * sizes[b] for a, b, *_ in groups) + sum(sizes[a] for a in selfs)
    if dense > dense_limit(len(synapses)):
        raise SynapticJSONError(f"Synaptic JSON: its {len(synapses)} synapses would need {dense} weight values "
                                f"between the layers they join; the limit is max(MAX_SYNAPTIC_DENSE_FACTOR · "
                                f"synapses, MIN_SYNAPTIC_DENSE) = {dense_limit(len(synapses))}")
    inner = "in_order" if ordered else "all_to_else"     # a layer read by itself keeps no diagonal
    try:
        net = _build(units, squashes, biases, groups, selfs, sizes, inner,
                     {"dtype": dtype, "seed": seed, "return_sequences": return_sequences})
    except SynapticJSONError:
        raise
    except ValueError as exc:            # a graph limit, or a structure the graph cannot hold
        raise SynapticJSONError(f"Synaptic JSON: {printable(str(exc), 300)}") from None
    if state and any(any(values) for values in states):
        parts: dict[str, dict[int, np.ndarray]] = {"act": {}, "state": {}, "old": {}}
        for position, (_, _, indices) in enumerate(units):
            for part, field in (("state", 0), ("old", 1), ("act", 2)):
                parts[part][position] = np.array([[states[n][field] for n in indices]])
        gaters = net.graph_layer.gaters if resume_gains else ()
        parts["gain"] = {g: parts["act"][g] for g in gaters if g != 0}   # input neurons hand no gain on
        net.set_step_state(parts)
    return net


def _build(units, squashes, biases, groups, selfs, sizes, inner, options):
    from ..graph.network import GraphNetwork

    g = Graph()
    for name, k, indices in units:
        kinds = {squashes[n] for n in indices}
        if len(kinds) > 1:
            raise SynapticJSONError(f"Synaptic JSON: layer {name!r} mixes squash functions "
                                    f"{sorted(map(str, kinds))}; axonal needs one activation per layer")
        g.layer(name, len(indices), squash_activation(kinds.pop()), bias=k != "input")
    values = {}
    for (a, b, gname, _), group in groups.items():
        na, nb = sizes[a], sizes[b]
        rows, cols, weights, _ = zip(*group)
        diagonal = na == nb and a != b and len(group) == na and rows == cols
        if diagonal:
            conn = g.connect(a, b, "one_to_one")
            values[conn.name] = np.zeros(na)
            values[conn.name][list(rows)] = weights
        else:
            w = np.zeros((na, nb))
            w[list(rows), list(cols)] = weights
            mask = None
            if len(group) != na * nb:
                mask = np.zeros((na, nb), bool)
                mask[list(rows), list(cols)] = True
            kind = inner if a == b else "all_to_all"   # a == b: no diagonal (those are self-connections)
            conn = g.connect(a, b, kind, mask=mask if mask is not None and not mask.all() else None)
            values[conn.name] = w
        if gname is not None:
            kind = _gate_kind(group, sizes[gname], na, nb)
            index = None
            if kind == "synapse":
                index = np.full(conn.shape(sizes), -1, dtype=np.int64)
                for i, j, _, gate in group:
                    index[(j,) if diagonal else (i, j)] = gate[1]
            g.gate(conn, gname, kind, index=index)
    for a, entries in selfs.items():
        n = sizes[a]
        w = np.zeros(n)
        gaters = {gate[0] for _, _, gate in entries if gate is not None}
        if len(gaters) > 1:
            raise SynapticJSONError(f"Synaptic JSON: the self-connections of layer {a!r} are gated by different "
                                    f"layers ({sorted(gaters)}); axonal gives a layer's self-connection one "
                                    f"gating layer")
        index = np.full(n, -1, dtype=np.int64)
        for i, weight, gate in entries:
            w[i] = weight
            if gate is not None:
                index[i] = gate[1]
        conn = g.connect(a, a, "one_to_one", weights=w)
        if gaters:
            g.gate(conn, gaters.pop(), "synapse", index=index)
    net = GraphNetwork(g, **options)
    layer = net.graph_layer
    for name, _, indices in units[1:]:
        layer.weight(f"{name}.bias")[...] = [biases[n] for n in indices]
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


_SPLIT_NAME = re.compile(r"(hidden_\d+)_(\d+)\Z")


def _labels(order, merge: bool) -> list[str | int]:
    """Synaptic's ``layer`` of each graph layer: ``"input"``, the hidden index, ``"output"``; with
    ``merge``, consecutive layers ``hidden_K_0``, ``hidden_K_1``, ... share one index."""
    labels: list[str | int] = []
    hidden = -1
    run: tuple[str, int] | None = None     # (base, next position) of the split layer being merged
    for position, name in enumerate(order):
        if position in (0, len(order) - 1):
            labels.append("input" if position == 0 else "output")
            continue
        match = _SPLIT_NAME.match(name) if merge else None
        if match and run is not None and run == (match[1], int(match[2])):
            run = (match[1], run[1] + 1)
        else:
            hidden += 1
            run = (match[1], 1) if match and match[2] == "0" else None
        labels.append(hidden)
    return labels


def _one_stream(net):
    """The network's step state (:meth:`~axonal.graph.GraphNetwork.get_step_state`), or ``None``;
    Synaptic's JSON holds one stream."""
    carried = net.get_step_state()
    if carried is not None and len(next(iter(carried["act"].values()))) != 1:
        raise ValueError(f"Synaptic JSON: the network carries a step state for a batch of "
                         f"{len(next(iter(carried['act'].values())))}; Synaptic's JSON holds one stream (call "
                         f"reset_state(), or activate one stream)")
    return carried


def _step_values(carried, position, size):
    """``(state, old, activation)`` of the ``size`` neurons of layer ``position`` (0 where none is carried)."""
    if carried is None:
        return (np.zeros(size),) * 3
    return tuple(np.asarray(carried[part].get(position, np.zeros((1, size))), np.float64)[0]
                 for part in ("state", "old", "act"))


def to_synaptic(net, *, merge_split: bool = True) -> dict:
    """``net`` (a :class:`~axonal.graph.GraphNetwork`) as Synaptic's ``toJSON()`` would write it.

    Synaptic computes the same outputs from it, starting from the network's current step state
    (each neuron's ``state``, ``old`` and ``activation``; a batch of one stream). It trains every
    weight and bias, though: a fixed (``trainable=False``) connection is written as an ordinary
    one and a layer without bias as biases of 0, so training it in Synaptic (or reading it
    back) may change them. ``merge_split`` writes the one-neuron layers :func:`from_synaptic`
    split off (``hidden_K_0``, ``hidden_K_1``, ... in a row) as the one Synaptic layer they
    came from (``False``: one Synaptic layer per graph layer); both compute the same.
    """
    if not isinstance(merge_split, (bool, np.bool_)):
        raise TypeError(f"to_synaptic: merge_split must be True or False, got {type(merge_split).__name__}")
    layer = net.graph_layer
    order = layer.graph.order
    if layer.output_name != order[-1]:
        raise ValueError(f"Synaptic JSON: Synaptic activates its output layer last; {layer.output_name!r} is not "
                         f"the last layer of the graph")
    offsets, start = {}, 0
    neurons = []
    labels = _labels(order, bool(merge_split))
    carried = _one_stream(net)
    for position, name in enumerate(order):
        node = layer.graph.nodes[name]
        offsets[name] = start
        start += node.size
        act = layer.steps[position - 1].activation if position else None
        if act is not None and act.name not in ACTIVATION_TO_SQUASH:
            raise ValueError(f"Synaptic JSON: layer {name!r} uses {act.name!r}; Synaptic's squash functions are "
                             f"{', '.join(ACTIVATION_TO_SQUASH)}")
        bias = layer.weight(f"{name}.bias") if position and node.bias is not False else np.zeros(node.size)
        states, olds, acts = _step_values(carried, position, node.size)
        for j in range(node.size):
            neurons.append({"trace": {"elegibility": {}, "extended": {}}, "state": float(states[j]),
                            "old": float(olds[j]), "activation": float(acts[j]), "bias": float(bias[j]) if position else 0,
                            "layer": labels[position], "squash": ACTIVATION_TO_SQUASH[act.name] if act else "LOGISTIC"})
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
            present = layer.masks.get(conn.name, np.ones(w.shape, bool))
            for i, j in zip(*np.nonzero(present)):
                connections.append({"from": a + int(i), "to": b + int(j), "weight": float(w[i, j]),
                                    "gater": _gater_neuron(conn, g, int(i), int(j))})
    return {"neurons": neurons, "connections": connections}
