"""A blueprint from its config (``Graph.get_config()``'s output), read strictly.

A config comes from a model file, so it is data that may be hostile or damaged.
Every entry is checked before it is used:

* the config is ``{"layers": [...], "connections": [...]}`` and nothing else; the
  counts are compared with :mod:`~axonal.graph.limits` before either list is read;
* a layer is ``{"name", "size"}`` and optionally ``"activation"`` (a registered
  name, yours too once :func:`axonal.activations.register` has it, or an activation
  config; never code), ``"bias"`` (``true``, ``false`` or a finite
  number) and ``"bias_init"`` (a registered initializer name);
* a connection is ``{"name", "source", "target", "kind"}`` and optionally
  ``"trainable"`` (a boolean), ``"init"``, ``"weights"``, ``"mask"``, and
  ``"gater"`` with ``"gate_kind"`` (both or neither) and, for ``synapse`` gating
  only, ``"gate_index"``.

Any other key (``"Gater"`` for ``"gater"``, ``"Activation"`` for ``"activation"``)
or a value of the wrong type is a ``ValueError`` naming the layer or connection by
index and name and the key, never a default silently taken instead.

>>> from axonal.graph import Graph
>>> Graph.from_config({"layers": [{"name": "x", "size": 2}, {"name": "y", "size": 1, "Activation": "tanh"}]})
Traceback (most recent call last):
...
ValueError: graph config: layer 1 ('y'): unknown key 'Activation'; a layer has name, size, activation, bias, bias_init
"""

from __future__ import annotations

from ..names import printable
from .limits import check_limit
from .values import is_finite_number

__all__ = ["CONNECTION_KEYS", "LAYER_KEYS", "graph_from_config"]

LAYER_KEYS = ("name", "size", "activation", "bias", "bias_init")
CONNECTION_KEYS = ("name", "source", "target", "kind", "trainable", "init", "weights", "mask", "gater",
                   "gate_kind", "gate_index")
_REQUIRED = {"layer": ("name", "size"), "connection": ("name", "source", "target", "kind")}


def graph_from_config(graph, config):
    """Fill the empty blueprint ``graph`` from ``config`` and return it."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError("graph config must be a mapping with a 'layers' list")
    unknown = [k for k in config if k not in ("layers", "connections")]
    if unknown:
        raise ValueError(f"graph config: unknown key '{printable(str(unknown[0]), 40)}'; a graph config has "
                         f"layers and connections")
    layers, connections = config["layers"], config.get("connections", [])
    if not isinstance(connections, list):
        raise ValueError(f"graph config: 'connections' must be a list, got {type(connections).__name__}")
    check_limit("MAX_LAYERS", len(layers), "graph config: layers")
    check_limit("MAX_CONNECTIONS", len(connections), "graph config: connections")
    for i, spec in enumerate(layers):
        where = _entry("layer", i, spec, LAYER_KEYS)
        _expect(spec, "activation", (str, dict), "a name or an activation config", where)
        _expect(spec, "bias_init", str, "an initializer name", where)
        if "bias" in spec and not _is_bias(spec["bias"]):
            raise ValueError(f"{where}: 'bias' must be true, false or a finite number, "
                             f"got {printable(repr(spec['bias']), 40)}")
        try:
            graph.layer(spec["name"], spec["size"], spec.get("activation", "logistic"), bias=spec.get("bias", True),
                        bias_init=spec.get("bias_init", "synaptic"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{where}: {_message(exc)}") from None
    for i, spec in enumerate(connections):
        where = _entry("connection", i, spec, CONNECTION_KEYS)
        for key in ("source", "target", "kind", "init", "gater", "gate_kind"):
            _expect(spec, key, str, "a string", where)
        _expect(spec, "trainable", bool, "true or false", where)
        if ("gater" in spec) != ("gate_kind" in spec):
            raise ValueError(f"{where}: 'gater' and 'gate_kind' come together; it has only "
                             f"{'gater' if 'gater' in spec else 'gate_kind'!r}")
        if "gate_index" in spec and spec.get("gate_kind") != "synapse":
            raise ValueError(f"{where}: 'gate_index' is only for gate_kind 'synapse'")
        count = len(graph.connections)
        try:
            conn = graph.connect(spec["source"], spec["target"], spec["kind"], weights=spec.get("weights"),
                                 trainable=spec.get("trainable"), init=spec.get("init", "synaptic"),
                                 mask=spec.get("mask"), name=spec["name"])
            if len(graph.connections) != count + 1:
                raise ValueError("it repeats a self-connection or stands for two connections (write a "
                                 "self-connection and an all_to_else connection separately)")
            if "gater" in spec:
                graph.gate(conn, spec["gater"], spec["gate_kind"], index=spec.get("gate_index"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{where}: {_message(exc)}") from None
    return graph


def _entry(kind: str, index: int, spec, known) -> str:
    """Check one layer or connection entry's keys; return how messages name it."""
    if not isinstance(spec, dict):
        raise ValueError(f"graph config: {kind} {index} must be a mapping, got {type(spec).__name__}")
    name = spec.get("name")
    where = f"graph config: {kind} {index} ('{printable(name if isinstance(name, str) else repr(name), 64)}')"
    for key in spec:
        if key not in known:
            raise ValueError(f"{where}: unknown key '{printable(str(key), 40)}'; a {kind} has {', '.join(known)}")
    for key in _REQUIRED[kind]:
        if key not in spec:
            raise ValueError(f"{where}: missing key {key!r}")
    return where


def _expect(spec, key, types, expected, where):
    if key in spec and not isinstance(spec[key], types):
        raise ValueError(f"{where}: {key!r} must be {expected}, got {type(spec[key]).__name__} "
                         f"{printable(repr(spec[key]), 40)}")


def _is_bias(value) -> bool:
    return isinstance(value, bool) or is_finite_number(value)


def _message(exc) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str) else str(exc)
    return printable(text.removeprefix("graph: "), 300)
