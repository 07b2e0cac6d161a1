r"""A :class:`~axonal.synaptic.objects.network.Network` as Synaptic's JSON, and back.

The format is Synaptic's ``toJSON()`` (tests/synaptic/NOTES.md §a)::

    {"neurons": [{"trace": {...}, "state": s, "old": s_prev, "activation": y, "bias": b,
                  "layer": "input" | hidden index | "output", "squash": "LOGISTIC" | ...}],
     "connections": [{"from": i, "to": j, "weight": w, "gater": k | null}]}

neurons in activation order; for each neuron its projections (creation order) inside
the network, then its self-connection when it has one. Reading checks the document with
:func:`axonal.synaptic.json_read.read_synaptic` (bounded, every problem named) and
then builds the objects as Synaptic's ``fromJSON`` does: one neuron per entry (each draws
a bias, then takes the saved one), connections in order with ``project`` and ``gate``.
Unlike Synaptic, a self-connection keeps its saved weight.
"""

from __future__ import annotations

import json

from ..json_read import read_synaptic
from .layer import Layer
from .neuron import _by_id

__all__ = ["network_from_json", "network_to_json"]


def network_to_json(network) -> dict:
    listed = network.neurons()
    ids = {entry["neuron"]: i for i, entry in enumerate(listed)}
    neurons, connections = [], []
    for entry in listed:
        n = entry["neuron"]
        neurons.append({"trace": {"elegibility": {}, "extended": {}}, "state": n.state, "old": n.old,
                        "activation": n.activation, "bias": n.bias, "layer": entry["layer"], "squash": n.squash.name})
    for entry in listed:
        n = entry["neuron"]
        own = [n.selfconnection] if n.selfconnected() else []
        for c in _by_id(n.connections["projected"]) + own:
            if c.to not in ids or (c.gater is not None and c.gater not in ids):
                continue
            connections.append({"from": ids[n], "to": ids[c.to], "weight": c.weight,
                                "gater": None if c.gater is None else ids[c.gater]})
    return {"neurons": neurons, "connections": connections}


def network_from_json(data) -> dict:
    """The layers (``{"input", "hidden", "output"}``) of the network ``data`` describes."""
    try:
        layer_keys, biases, squashes, synapses, states = read_synaptic(data, with_state=True)
    except TypeError:           # a json_read without the state fields
        layer_keys, biases, squashes, synapses = read_synaptic(data)
        states = _states(data, len(layer_keys))
    layers = {"input": Layer(), "output": Layer()}
    hidden: dict = {}
    neurons = []
    for key, bias, squash, (state, old, activation) in zip(layer_keys, biases, squashes, states):
        layer = layers[key] if key in ("input", "output") else hidden.setdefault(key, Layer())
        layer.add()
        n = layer.list[-1]
        n._bias, n._state, n._old, n._activation = float(bias), float(state), float(old), float(activation)
        n.squash = squash or "LOGISTIC"
        neurons.append(n)
    for src, dst, weight, gater in synapses:
        connection = neurons[src].project(neurons[dst], weight)
        if gater is not None:
            neurons[gater].gate(connection)
    return {"input": layers["input"], "hidden": [hidden[k] for k in sorted(hidden)], "output": layers["output"]}


def _states(data, count):
    """``(state, old, activation)`` per neuron, 0 where absent (for a reader that does not give them)."""
    if isinstance(data, str) and data.lstrip().startswith("{"):
        data = json.loads(data)
    elif not isinstance(data, dict):
        with open(data, encoding="utf-8") as fh:
            data = json.load(fh)
    out = []
    for neuron in data["neurons"][:count]:
        values = [neuron.get(k, 0.0) for k in ("state", "old", "activation")]
        out.append(tuple(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0
                         for v in values))
    return out
