r"""The compiled form of a group of Synaptic objects: a GraphNetwork and its LSTM-g learner.

Neurons are laid out as Synaptic's JSON (:func:`axonal.synaptic.json_format.from_synaptic`
reads it): ``units`` in activation order, the first ``"input"``, hidden ones keyed
``0, 1, ...``, the last ``"output"``. Neurons of a layer that read one another are split
into one-neuron layers, so the compiled network computes, step for step, what Synaptic
computes neuron after neuron. One step (``activate``) is one call of
:meth:`axonal.graph.LSTMG.step` with ``rule="synaptic"``, one ``propagate`` one call of
:meth:`~axonal.graph.LSTMG.propagate` (compiled kernels with Numba, NumPy otherwise): no
Python runs per neuron.

Where each neuron's bias and each connection's weight landed in the compiled arrays is
found by compiling with distinct integer tags in place of the values (bias of neuron ``n``
= ``n + 1``, weight of connection ``c`` = ``c + 1``) and reading where each tag is; the
real values are written there afterwards. The neuron and connection objects then read
and write those places (:meth:`Engine.value`, :meth:`Engine.set_value`).

A squash of your own (an activation registered with :func:`axonal.register_activation`)
is written under its registered name and compiles into a layer with that activation; the
network then runs on the NumPy path (kernels cannot call Python), with the same equations.

A structural change (``project``, ``gate``, a new squash, ``Network.set``...) calls
:meth:`Engine.detach`: every value goes back into the objects (bias, weights, state, old,
activation, derivative, responsibility, gains; not the traces, which restart from 0
in the next compiled network) and the next step compiles again.
"""

from __future__ import annotations

import numpy as np

from ..json_format import from_synaptic
from ..json_read import SynapticJSONError
from .neuron import Neuron, _by_id
from .squash import is_current

__all__ = ["Engine", "FreeEngine", "free_engine"]

_STREAM = {"state": "state", "old": "old", "activation": "act", "derivative": "deriv", "responsibility": "resp"}


class Engine:
    """``units`` (``[(key, [neurons])]`` in activation order) compiled; see the module."""

    def __init__(self, units):
        self.alive = False
        neurons = [n for _, members in units for n in members]
        for old in {id(n._engine): n._engine for n in neurons if n._engine is not None}.values():
            old.detach()
        index = {n: i for i, n in enumerate(neurons)}
        doc, inputs = [], set()
        for key, members in units:
            for n in members:
                if key != "input" and not is_current(n.squash):
                    raise ValueError(f"neuron {n.ID}: its squash {n.squash.name!r} is no longer the activation "
                                     f"registered under that name (unregistered or replaced since it was set); "
                                     f"register it again, or set the neuron's squash again")
                doc.append({"layer": key, "bias": float(index[n] + 1),
                            "squash": "LOGISTIC" if key == "input" else n.squash.name})
                if key == "input":
                    inputs.add(n)
        connections, synapses = [], []
        for n in neurons:
            own = [n.selfconnection] if n.selfconnected() else []
            for c in _by_id(n.connections["projected"]) + own:
                if c.to not in index or c.to in inputs:   # an input takes its value; Synaptic never trains these
                    continue
                if c.gater is not None and c.gater not in index:
                    raise ValueError(f"connection {c.from_.ID} → {c.to.ID} is gated by neuron {c.gater.ID}, which is "
                                     f"not part of the network being compiled")
                connections.append(c)
                synapses.append({"from": index[n], "to": index[c.to], "weight": float(len(connections)),
                                 "gater": None if c.gater is None else index[c.gater]})
        try:
            net = from_synaptic({"neurons": doc, "connections": synapses}, dtype="float64", seed=0, in_order=False)
        except SynapticJSONError as exc:
            raise ValueError(str(exc).replace("Synaptic JSON: ", "cannot compile these neurons: ")) from None
        self.network, self.neurons, self.connections = net, neurons, connections
        layer = net.graph_layer
        order = list(layer.graph.order)
        n_inputs = len(units[0][1])
        self.where = {n: (0, p) for p, n in enumerate(units[0][1])}     # neuron -> (layer index, position)
        self.bias_at, self.weight_at = {}, {}
        for name in list(layer.params) + [k for k in layer.state if k not in layer.params]:
            if not name.endswith((".bias", ".weight")):
                continue
            flat = np.asarray(layer.weight(name)).reshape(-1)
            for p in np.flatnonzero(flat):
                tag = int(flat[p]) - 1
                if name.endswith(".bias"):
                    unit = order.index(name[:-len(".bias")])
                    self.bias_at[neurons[tag]] = (name, int(p))
                    self.where[neurons[tag]] = (unit, int(p))
                else:
                    self.weight_at[connections[tag]] = (name, int(p))
        if len(self.where) != len(neurons) or len(self.weight_at) != len(connections):
            raise RuntimeError("compiling Synaptic objects: some biases or weights were not placed")
        for n, (name, p) in self.bias_at.items():
            layer.weight(name).reshape(-1)[p] = n._bias
        for c, (name, p) in self.weight_at.items():
            layer.weight(name).reshape(-1)[p] = c._weight
        self.learner = net.online(0.1, rule="synaptic")
        self.learner._start(1)
        stream = self.learner
        for n, (i, p) in self.where.items():
            for what, key in _STREAM.items():
                getattr(stream, key)[i][0, p] = getattr(n, f"_{what}")
            if i in stream.gain:
                stream.gain[i][0, p] = n._gain
        for n in inputs:
            n._bias = 0.0
        self.n_inputs = n_inputs
        self.input_neurons = units[0][1]
        for n in neurons:
            n._engine = self
        self.alive = True

    # -- values ---------------------------------------------------------------------------------
    def value(self, neuron, what):
        """``bias``, ``state``, ``old``, ``activation``, ``derivative``, ``responsibility`` or ``gain``."""
        if what == "bias":
            at = self.bias_at.get(neuron)
            return neuron._bias if at is None else float(self.network.graph_layer.weight(at[0]).reshape(-1)[at[1]])
        i, p = self.where[neuron]
        if what == "gain":
            gains = self.learner.gain.get(i)
            return neuron._gain if gains is None else float(gains[0, p])
        return float(getattr(self.learner, _STREAM[what])[i][0, p])

    def set_value(self, neuron, what, value) -> bool:
        if what == "bias":
            at = self.bias_at.get(neuron)
            if at is None:
                return False
            self.network.graph_layer.weight(at[0]).reshape(-1)[at[1]] = value
            return True
        i, p = self.where[neuron]
        getattr(self.learner, _STREAM[what])[i][0, p] = value
        return True

    def weight(self, connection) -> float:
        at = self.weight_at.get(connection)
        return connection._weight if at is None else float(self.network.graph_layer.weight(at[0]).reshape(-1)[at[1]])

    def set_weight(self, connection, value) -> bool:
        at = self.weight_at.get(connection)
        if at is None:
            return False
        self.network.graph_layer.weight(at[0]).reshape(-1)[at[1]] = value
        return True

    def set_input(self, neuron, value) -> None:
        """``neuron.activate(value)``: an input of this network takes the value; any other neuron
        leaves the compiled network (it runs on its own from now on)."""
        i, p = self.where[neuron]
        if i != 0:
            self.detach()
            neuron._activation, neuron._derivative, neuron._bias = value, 0.0, 0.0
            return
        self.learner.act[i][0, p] = value
        self.learner.deriv[i][0, p] = 0.0

    # -- running ----------------------------------------------------------------------------------
    def step(self, x) -> np.ndarray:
        """One step: every neuron activated in order, traces updated; the output activations."""
        return self.learner.step(np.asarray(x, dtype=np.float64))

    def learn(self, target, rate: float) -> None:
        """Synaptic's ``propagate(rate, target)`` for the whole network."""
        self.learner.propagate(np.asarray(target, dtype=np.float64), learning_rate=rate)

    def clear_traces(self, neuron=None) -> None:
        """Synaptic's ``clear``: eligibility and extended traces and responsibilities to 0, of
        ``neuron`` (the traces of the connections into it) or of every neuron."""
        learner = self.learner
        if neuron is None:
            for table in (learner.trace, learner.xtrace):
                for array in table.values():
                    array[...] = 0
            for array in learner.resp:
                array[...] = 0
            return
        i, p = self.where[neuron]
        learner.resp[i][:, p] = 0
        if i == 0:
            return
        gated = learner.gated.get(i, {})
        for term in learner.by_index[i].terms:
            learner.trace[id(term)][..., p] = 0
            for k, entry in gated.items():
                x = learner.xtrace[id(term), k]
                if entry["full"]:
                    x[..., p, :] = 0
                else:
                    x[..., p] = 0

    def detach(self) -> None:
        """Hand every value back to the objects; this compiled form is no longer used."""
        if not self.alive:
            return
        saved = {n: {what: self.value(n, what) for what in ("bias", "gain", *_STREAM)} for n in self.neurons}
        weights = {c: self.weight(c) for c in self.connections}
        self.alive = False
        for n, values in saved.items():
            n._engine = None
            for what, v in values.items():
                setattr(n, f"_{what}", v)
        for c, w in weights.items():
            c._weight = w


class FreeEngine(Engine):
    """The compiled group of free neurons (not run by a :class:`Network`), stepped as their
    ``activate``/``propagate`` calls come: a non-input neuron's ``activate`` runs a new step
    when an input was set since the last one, or when the neuron already activated in it;
    the group learns once every output has been given its target."""

    def __init__(self, neurons):
        neurons = sorted(neurons, key=lambda n: n.ID)
        inputs = [n for n in neurons if not n.connections["inputs"]]
        outputs = [n for n in neurons if n not in inputs and not n.connections["gated"]
                   and not any(c.to is not n for c in n.connections["projected"].values())]
        hidden = [n for n in neurons if n not in inputs and n not in outputs]
        if not inputs or not outputs:
            raise ValueError(f"neuron {neurons[0].ID} and the neurons wired to it have no "
                             f"{'input (a neuron without incoming connections)' if not inputs else 'output'}; "
                             f"free neurons run from inputs activated with a value to outputs that project nothing")
        squashes = {n.squash.name for n in outputs}
        if len(squashes) > 1:
            raise ValueError(f"the output neurons {[n.ID for n in outputs]} of this group mix squash functions "
                             f"{sorted(squashes)}; give them one, or build a Network")
        super().__init__([("input", inputs)] + [(k, [n]) for k, n in enumerate(hidden)] + [("output", outputs)])
        self.outputs = outputs
        self._fresh, self._done, self._targets, self._rate = True, set(), {}, None

    def set_input(self, neuron, value) -> None:
        if neuron not in self.input_neurons:
            raise ValueError(f"neuron {neuron.ID} has incoming connections; activate it without a value")
        i, p = self.where[neuron]
        self.learner.act[i][0, p] = value
        self.learner.deriv[i][0, p] = 0.0
        self._fresh = True

    def activate(self, neuron) -> float:
        if neuron in self.input_neurons:
            raise ValueError(f"neuron {neuron.ID} has no incoming connections: activate it with a value")
        if self._fresh or neuron in self._done:
            self.step(self.learner.act[0][0].copy())
            self._fresh, self._done, self._targets = False, set(), {}
        self._done.add(neuron)
        return self.value(neuron, "activation")

    def propagate(self, neuron, rate, target) -> None:
        if neuron in self.input_neurons:
            return
        if target is None:
            if neuron in self.outputs:
                raise ValueError(f"neuron {neuron.ID} is an output (it projects nothing): propagate it with a target")
            if self._targets:
                raise ValueError(f"propagate every output neuron of the group with its target first "
                                 f"({len(self._targets)} of {len(self.outputs)} given)")
            return                                  # the group learnt when its outputs propagated
        if neuron not in self.outputs:
            raise ValueError(f"neuron {neuron.ID} projects or gates: only an output neuron takes a target")
        if self._rate is not None and self._targets and rate != self._rate:
            raise ValueError(f"the outputs of one group learn at one rate; got {rate} after {self._rate}")
        self._targets[neuron], self._rate = target, rate
        if len(self._targets) == len(self.outputs):
            self.learn([self._targets[n] for n in self.outputs], rate)
            self._targets = {}


def free_engine(neuron) -> FreeEngine:
    """The compiled group ``neuron`` runs in when it is activated on its own, compiled if needed."""
    engine = neuron._engine
    if isinstance(engine, FreeEngine) and engine.alive:
        return engine
    group, todo = {neuron}, [neuron]
    while todo:
        for other in todo.pop().neighbours():
            if other not in group:
                group.add(other)
                todo.append(other)
    return FreeEngine(group)


Neuron._group = staticmethod(free_engine)
