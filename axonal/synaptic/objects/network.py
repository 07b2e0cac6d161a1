r"""Synaptic's ``Network``: an input layer, hidden layers and an output layer, run as one.

``activate(input)`` runs one step, layer after layer (input, ``hidden[0]``, ...,
output), every neuron as :mod:`axonal.synaptic.objects.neuron` states; ``propagate(rate,
target)`` learns from ``δ = t - y`` at the outputs back to the first hidden layer
(LSTM-g, :mod:`axonal.graph.lstm_g` with ``rule="synaptic"``).

The layers only describe the network: the first ``activate``/``propagate`` after a
change of structure compiles it (:class:`~axonal.synaptic.objects.engine.Engine`) into
a :class:`~axonal.graph.GraphNetwork` and its online learner, and every later call is
one call into that engine (one kernel call with Numba). ``neuron.bias``,
``connection.weight`` and the neurons' state read and write the compiled arrays.

Where this follows axonal rather than Synaptic 1.1.4 (tests/synaptic/NOTES.md): a
neuron that both projects and gates learns from its own responsibilities (Synaptic's
compiled code adds a stale accumulator, §c.2); a hidden neuron without projections or
gates stays hidden (Synaptic's compiler takes it for an output, §c.3); TANH saturates
(Synaptic's compiled TANH is NaN past |s| ≈ 710, §c.4); ``fromJSON`` keeps
self-connection weights (Synaptic sets 1); ``clone`` keeps each neuron's state.
``propagate`` without a rate uses 0.1; with rate 0 nothing is learnt. After a change of
structure the eligibility traces restart from 0 (Synaptic keeps them; state, activations,
weights and gains carry over).
``set_optimize``/``optimized`` are accepted and change nothing: the network is always compiled.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

from .engine import Engine
from .json_io import network_from_json, network_to_json
from .layer import Layer, LayerConnection
from .neuron import Neuron, _number

__all__ = ["Network"]


class _Layers(TypedDict):
    """``Network.layers``: Synaptic's ``{input, hidden, output}`` (input and output ``None`` until set)."""

    input: Layer | None
    hidden: list[Layer]
    output: Layer | None


class Network:
    """``Network({"input": layer, "hidden": [layers], "output": layer})`` or
    ``Network(input=..., hidden=[...], output=...)``.

    >>> from axonal.synaptic import Layer, Network
    >>> from axonal.synaptic.objects import seed
    >>> seed(1)
    >>> inp, hidden, out = Layer(2), Layer(3), Layer(1)
    >>> _ = inp.project(hidden), hidden.project(out)
    >>> net = Network(input=inp, hidden=[hidden], output=out)
    >>> xor = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
    >>> for _ in range(5000):
    ...     for x, t in xor:
    ...         _ = net.activate(x)
    ...         net.propagate(0.3, t)
    >>> [round(float(net.activate(x)[0])) for x, _ in xor]
    [0, 1, 1, 0]
    """

    def __init__(self, layers: dict | None = None, *, input=None, hidden=None, output=None):
        self.layers: _Layers = {"input": None, "hidden": [], "output": None}
        self._engine: Engine | None = None
        self._shape: tuple[tuple[int, int], ...] | None = None
        if layers is not None or input is not None or output is not None:
            self.set(layers, input=input, hidden=hidden, output=output)

    def set(self, layers: dict | None = None, *, input=None, hidden=None, output=None) -> None:
        """Set the layers (Synaptic's ``set({input, hidden, output})``)."""
        layers = dict(layers or {})
        unknown = set(layers) - {"input", "hidden", "output"}
        if unknown:
            raise ValueError(f"Network: unknown layers {sorted(unknown)}; expected input, hidden, output")
        first, last = layers.get("input", input), layers.get("output", output)
        for key, value in (("input", first), ("output", last)):
            if not isinstance(value, Layer):
                raise TypeError(f"Network: {key} must be a Layer, got {type(value).__name__}")
        chosen: _Layers = {"input": first, "hidden": list(layers.get("hidden", hidden) or []), "output": last}
        for i, layer in enumerate(chosen["hidden"]):
            if not isinstance(layer, Layer):
                raise TypeError(f"Network: hidden[{i}] must be a Layer, got {type(layer).__name__}")
        all_layers = [first, *chosen["hidden"], last]
        if len({id(layer) for layer in all_layers}) != len(all_layers):
            raise ValueError("Network: a layer appears twice among input, hidden and output")
        self._drop()
        self.layers = chosen

    # -- compiling ---------------------------------------------------------------------------------
    def _ends(self) -> tuple[Layer, Layer]:
        """The input and output layers; an error while the network has none."""
        inp, out = self.layers["input"], self.layers["output"]
        if inp is None or out is None:
            raise RuntimeError("Network: no layers yet; call set({input, hidden, output}) first")
        return inp, out

    def _units(self) -> list[tuple[str | int, list[Neuron]]]:
        inp, out = self._ends()
        hidden = self.layers["hidden"]
        units: list[tuple[str | int, list[Neuron]]] = [("input", list(inp.list))]
        key = 0
        for layer in hidden:        # a layer mixing squash functions runs as consecutive pieces
            start = 0
            for end in range(1, layer.size + 1):
                if end == layer.size or layer.list[end].squash is not layer.list[start].squash:
                    units.append((key, layer.list[start:end]))
                    key, start = key + 1, end
        units.append(("output", list(out.list)))
        return units

    def _compiled(self) -> Engine:
        shape = tuple((id(layer), layer.size) for layer in self._all_layers())
        engine = self._engine
        if engine is None or not engine.alive or shape != self._shape:
            if engine is not None:
                engine.detach()
            inp, out = self._ends()
            if not inp.size or not out.size:
                raise ValueError("Network: the input and output layers need at least one neuron each")
            engine = self._engine = Engine(self._units())
            self._shape = shape
        return engine

    def _drop(self) -> None:
        if self._engine is not None:
            self._engine.detach()
            self._engine = None

    def _all_layers(self) -> list[Layer]:
        inp, out = self._ends()
        return [inp, *self.layers["hidden"], out]

    @property
    def graph_network(self):
        """The compiled :class:`~axonal.graph.GraphNetwork` (compiled now if needed): its weights are
        this network's, so training it (e.g. with :class:`axonal.synaptic.Trainer`) trains these objects."""
        return self._compiled().network

    # -- running ------------------------------------------------------------------------------------
    def activate(self, input) -> np.ndarray:
        """One step: the output layer's activations, ``(outputs,)``."""
        engine = self._compiled()
        x = np.asarray(input, dtype=np.float64).reshape(-1)
        if x.size != engine.n_inputs:
            raise ValueError(f"Network.activate: the input layer has {engine.n_inputs} neurons; got {x.size} values")
        return engine.step(x)

    def propagate(self, rate=None, target=None) -> None:
        """Learn from ``target`` (one value per output neuron) at ``rate`` for the last step."""
        engine = self._compiled()
        if target is None:
            raise ValueError("Network.propagate: a network learns from a target, one value per output neuron")
        t = np.asarray(target, dtype=np.float64).reshape(-1)
        n_out = self._ends()[1].size
        if t.size != n_out:
            raise ValueError(f"Network.propagate: the output layer has {n_out} neurons; got {t.size} target values")
        rate = 0.1 if rate is None else _number("rate", rate)
        if rate != 0:
            engine.learn(t, rate)

    # -- wiring -------------------------------------------------------------------------------------
    def project(self, unit, type=None, weights=None) -> LayerConnection | None:
        """Project the output layer to ``unit`` (a Layer, or a Network's input layer)."""
        if isinstance(unit, Network):
            unit = unit.layers["input"]
        if not isinstance(unit, Layer):
            raise TypeError(f"Network.project: can only project to a Layer or a Network, got {unit.__class__.__name__}")
        return self._ends()[1].project(unit, type, weights)

    def gate(self, connection, type) -> None:
        """Let the output layer gate ``connection``."""
        self._ends()[1].gate(connection, type)

    def clear(self) -> None:
        """Forget the context: traces and responsibilities to 0 (state, activations, weights stay)."""
        engine = self._engine
        if engine is not None and engine.alive:
            engine.clear_traces()
        for layer in self._all_layers():
            for n in layer.list:
                if n._engine is not engine:
                    n.clear()

    def reset(self) -> None:
        """New random weights and biases, state and traces 0 (as Synaptic draws them)."""
        self._drop()
        for layer in self._all_layers():
            layer.reset()

    # -- describing ---------------------------------------------------------------------------------
    def neurons(self) -> list:
        """``[{"neuron": n, "layer": "input" | hidden index | "output"}]`` in activation order."""
        inp, out = self._ends()
        found: list[dict] = [{"neuron": n, "layer": "input"} for n in inp.list]
        for i, layer in enumerate(self.layers["hidden"]):
            found += [{"neuron": n, "layer": i} for n in layer.list]
        return found + [{"neuron": n, "layer": "output"} for n in out.list]

    def inputs(self) -> int:
        return self._ends()[0].size

    def outputs(self) -> int:
        return self._ends()[1].size

    def to_json(self) -> dict:
        """Synaptic's ``toJSON()``: neurons (state, old, activation, bias, layer, squash) and
        connections (from, to, weight, gater) by neuron index."""
        return network_to_json(self)

    @staticmethod
    def from_json(data) -> Network:
        """Synaptic's ``Network.fromJSON``: a network of new objects from ``toJSON()`` output
        (a dict, JSON text or a path)."""
        return Network(network_from_json(data))

    def clone(self) -> Network:
        """A network of new objects with the same structure, weights and state."""
        return Network.from_json(self.to_json())

    def standalone(self) -> str:
        """The network as dependency-free source: JavaScript when :func:`axonal.export.to_javascript`
        exists, else Python (:func:`axonal.export.to_python`)."""
        from ... import export
        make = getattr(export, "to_javascript", None) or export.to_python
        return make(self.graph_network)

    def set_optimize(self, flag=True) -> None:
        """Accepted for Synaptic's code; the network is always compiled (nothing changes)."""

    @property
    def optimized(self) -> bool:
        """Always ``True``: the network runs compiled (see :meth:`set_optimize`)."""
        return True

    # Synaptic's spellings
    toJSON = to_json
    fromJSON = from_json
    setOptimize = set_optimize

    def __repr__(self):
        sizes = [layer.size for layer in self._all_layers()] if self.layers["input"] is not None else []
        return f"Network(sizes={sizes})"
