r"""Synaptic's ``Layer`` and ``LayerConnection``: a list of neurons, wired and gated together.

``project(layer, type, weights)`` connects neuron to neuron (``weights`` for all of them,
drawn when ``None``)::

    ALL_TO_ALL   every from-neuron i → every to-neuron j                   |A|·|B| connections
    ALL_TO_ELSE  the same without i → i (a layer onto itself)
    ONE_TO_ONE   from-neuron i → to-neuron i (layers of one size)          |A| connections

``i → i`` is the neuron's self-connection. ``gate(connection, type)``, gater neuron ``k``:

    INPUT        gates every connection of ``connection`` into its to-neuron ``k``
    OUTPUT       gates every connection of ``connection`` leaving from-neuron ``k``
    ONE_TO_ONE   gates the ``k``-th connection of ``connection``

``activate`` and ``propagate`` run the layer's neurons in order (``propagate`` in reverse),
each neuron as :class:`~axonal.synaptic.objects.neuron.Neuron` runs; a layer inside a
:class:`~axonal.synaptic.objects.network.Network` is normally run by the network.

Where this follows axonal rather than Synaptic 1.1.4: an unknown connection or gate type is
an error (Synaptic silently connects or gates nothing), ONE_TO_ONE between layers of
different sizes is an error (Synaptic fails or ignores the extra neurons), ``set(bias=0)``
sets 0 (Synaptic applies only truthy values), gating a connection twice is an error, and
INPUT/OUTPUT gating of a layer's self-connections gates them (Synaptic looks for them in
the neurons' input and projected lists, where they are not, and gates nothing).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import ClassVar

import numpy as np

from .neuron import Connection, Neuron, _number
from .squash import as_squash

__all__ = ["Layer", "LayerConnection"]

_LAYER_CONNECTION_IDS = itertools.count()


class _Types:
    """A namespace of Synaptic's type values (its upper-case class attributes, ``KEY = "VALUE"``)."""

    def _values(self) -> dict[str, str]:
        return {k: v for k, v in vars(type(self)).items() if k.isupper() and isinstance(v, str)}

    def resolve(self, value, what: str) -> str:
        """``value`` (Synaptic's value ``"ALL TO ALL"`` or the key ``"ALL_TO_ALL"``) as the value."""
        values = self._values()
        for key, spelled in values.items():
            if isinstance(value, str) and value.upper() in (key, spelled):
                return spelled
        raise ValueError(f"{what} must be one of {', '.join(f'Layer.{what}.{k}' for k in values)}; "
                         f"got {value!r:.60}")

    def __repr__(self):
        return repr(self._values())


class _ConnectionTypes(_Types):
    ALL_TO_ALL: ClassVar[str] = "ALL TO ALL"
    ONE_TO_ONE: ClassVar[str] = "ONE TO ONE"
    ALL_TO_ELSE: ClassVar[str] = "ALL TO ELSE"


class _GateTypes(_Types):
    INPUT: ClassVar[str] = "INPUT"
    OUTPUT: ClassVar[str] = "OUTPUT"
    ONE_TO_ONE: ClassVar[str] = "ONE TO ONE"


CONNECTION_TYPE = _ConnectionTypes()
GATE_TYPE = _GateTypes()


class LayerConnection:
    """The neuron connections one ``Layer.project`` made: ``list`` (in creation order),
    ``connections`` (by ID), ``size``, ``type``, and ``gatedfrom`` (``[{layer, type}]``)."""

    def __init__(self, from_layer: Layer, to_layer: Layer, type=None, weights=None):
        self.ID = next(_LAYER_CONNECTION_IDS)
        self.from_, self.to = from_layer, to_layer
        self.selfconnection = to_layer is from_layer
        if type is None:
            type = CONNECTION_TYPE.ONE_TO_ONE if self.selfconnection else CONNECTION_TYPE.ALL_TO_ALL
        self.type = CONNECTION_TYPE.resolve(type, "connectionType")
        if weights is not None:
            weights = _number("weights", weights)
        self.list: list[Connection] = []
        self.gatedfrom: list[dict] = []
        if self.type == CONNECTION_TYPE.ONE_TO_ONE:
            if from_layer.size != to_layer.size:
                raise ValueError(f"Layer.project: ONE_TO_ONE needs layers of one size; got {from_layer.size} → "
                                 f"{to_layer.size}")
            pairs: Iterable[tuple[Neuron, Neuron]] = zip(from_layer.list, to_layer.list)
        else:
            pairs = ((a, b) for a in from_layer.list for b in to_layer.list
                     if not (self.type == CONNECTION_TYPE.ALL_TO_ELSE and a is b))
        for a, b in pairs:
            self.list.append(a.project(b, weights))
        self.connections = {c.ID: c for c in self.list}
        from_layer.connectedTo.append(self)

    @property
    def size(self) -> int:
        return len(self.list)

    def __repr__(self):
        return f"LayerConnection({self.type}, {self.size} connections)"


class Layer:
    """Synaptic's ``new Layer(size)``: ``size`` new neurons (each draws its bias)."""

    connectionType = CONNECTION_TYPE
    gateType = GATE_TYPE

    def __init__(self, size: int = 0):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
            raise ValueError(f"Layer: size must be a whole number >= 0, got {size!r:.40}")
        self.list: list[Neuron] = [Neuron() for _ in range(int(size))]
        self.connectedTo: list[LayerConnection] = []

    @property
    def size(self) -> int:
        return len(self.list)

    def neurons(self) -> list:
        """The neurons, in order."""
        return self.list

    def add(self, neuron: Neuron | None = None) -> None:
        """Append ``neuron`` (a new one when ``None``)."""
        neuron = Neuron() if neuron is None else neuron
        if not isinstance(neuron, Neuron):
            raise TypeError(f"Layer.add: expected a Neuron, got {type(neuron).__name__}")
        for n in self.list:
            n._structure_changed()
        neuron._structure_changed()
        self.list.append(neuron)

    # -- running ------------------------------------------------------------------------------------
    def activate(self, input=None) -> np.ndarray:
        """Activate each neuron in order (with ``input[i]`` when given); their activations."""
        if input is not None:
            values = np.asarray(input, dtype=np.float64).reshape(-1)
            if values.size != self.size:
                raise ValueError(f"Layer.activate: the layer has {self.size} neurons; got {values.size} input values")
            return np.array([n.activate(float(v)) for n, v in zip(self.list, values)])
        return np.array([n.activate() for n in self.list])

    def propagate(self, rate=None, target=None) -> None:
        """Propagate each neuron, last first (with ``target[i]`` when given)."""
        if target is not None:
            values = np.asarray(target, dtype=np.float64).reshape(-1)
            if values.size != self.size:
                raise ValueError(f"Layer.propagate: the layer has {self.size} neurons; got {values.size} targets")
            for n, t in reversed(list(zip(self.list, values))):
                n.propagate(rate, float(t))
        else:
            for n in reversed(self.list):
                n.propagate(rate)

    # -- wiring -------------------------------------------------------------------------------------
    def project(self, unit, type=None, weights=None) -> LayerConnection | None:
        """Connect to ``unit`` (a Layer, or a Network's input layer); ``None`` when this layer already
        projects to it ALL_TO_ALL or ONE_TO_ONE (as Synaptic)."""
        if not isinstance(unit, Layer) and isinstance(getattr(unit, "layers", None), dict):
            unit = unit.layers.get("input")          # a Network: its input layer
        if not isinstance(unit, Layer):
            raise TypeError(f"Layer.project: can only project to a Layer or a Network, got {unit.__class__.__name__}")
        if self.connected(unit):
            return None
        return LayerConnection(self, unit, type, weights)

    def gate(self, connection: LayerConnection, type) -> None:
        """Gate ``connection`` (see the module for the types)."""
        if not isinstance(connection, LayerConnection):
            raise TypeError(f"Layer.gate: expected a LayerConnection, got {connection.__class__.__name__}")
        kind = GATE_TYPE.resolve(type, "gateType")
        if kind == GATE_TYPE.INPUT:
            self._need(connection.to.size, "CONNECTION.TO layer", "INPUT")
            pairs = [(self.list[k], c) for k, n in enumerate(connection.to.list)
                     for c in _sorted(n.connections["inputs"]) if c.ID in connection.connections]
            if connection.selfconnection:
                pairs += [(self.list[k], n.selfconnection) for k, n in enumerate(connection.to.list)
                          if n.selfconnection.ID in connection.connections]
        elif kind == GATE_TYPE.OUTPUT:
            self._need(connection.from_.size, "CONNECTION.FROM layer", "OUTPUT")
            pairs = [(self.list[k], c) for k, n in enumerate(connection.from_.list)
                     for c in _sorted(n.connections["projected"]) if c.ID in connection.connections]
            if connection.selfconnection:
                pairs += [(self.list[k], n.selfconnection) for k, n in enumerate(connection.from_.list)
                          if n.selfconnection.ID in connection.connections]
        else:
            self._need(connection.size, "number of connections", "ONE_TO_ONE")
            pairs = list(zip(self.list, connection.list))
        for _, c in pairs:
            if c.gater is not None:
                raise ValueError(f"Layer.gate: connection {c.from_.ID} → {c.to.ID} is already gated by neuron "
                                 f"{c.gater.ID}; a connection has one gater")
        for gater, c in pairs:
            gater.gate(c)
        connection.gatedfrom.append({"layer": self, "type": kind})

    def _need(self, size, what, kind):
        if size != self.size:
            raise ValueError(f"Layer.gate: {kind} gating needs the gater layer ({self.size} neurons) and the "
                             f"{what} ({size}) to be the same size")

    def selfconnected(self) -> bool:
        """Whether every neuron is self-connected."""
        return all(n.selfconnected() for n in self.list)

    def connected(self, layer: Layer):
        """``Layer.connectionType.ALL_TO_ALL`` or ``ONE_TO_ONE`` when this layer projects to ``layer``
        so, else ``None``."""
        def projects(a, b):
            found = a.connected(b)
            return found is not None and found.type == "projected"
        if self.list and layer.list and all(projects(a, b) for a in self.list for b in layer.list):
            return CONNECTION_TYPE.ALL_TO_ALL
        if self.list and len(layer.list) >= self.size and all(projects(a, b) for a, b in zip(self.list, layer.list)):
            return CONNECTION_TYPE.ONE_TO_ONE
        return None

    def set(self, options: dict | None = None, *, squash=None, bias=None, label=None) -> Layer:
        """Give every neuron ``squash``, ``bias`` and/or ``label`` (``label_<ID>``); returns the layer."""
        options = dict(options or {})
        unknown = set(options) - {"squash", "bias", "label"}
        if unknown:
            raise ValueError(f"Layer.set: unknown options {sorted(unknown)}; expected squash, bias, label")
        squash = options.get("squash", squash)
        bias = options.get("bias", bias)
        label = options.get("label", label)
        if squash is not None:
            ids = f"{self.list[0].ID}–{self.list[-1].ID}" if self.list else "none"
            squash = as_squash(squash, f"Layer.set: the layer of {self.size} neurons (IDs {ids})")
        bias = None if bias is None else _number("bias", bias)
        for n in self.list:
            if label:
                n.label = f"{label}_{n.ID}"
            if squash is not None:
                n.squash = squash
            if bias is not None:
                n.bias = bias
        return self

    def clear(self) -> None:
        """Clear every neuron (traces and responsibilities to 0)."""
        for n in self.list:
            n.clear()

    def reset(self) -> None:
        """Reset every neuron (new weights and biases, state 0)."""
        for n in self.list:
            n.reset()

    def __repr__(self):
        return f"Layer(size={self.size})"


def _sorted(table: dict):
    return [table[k] for k in sorted(table)]
