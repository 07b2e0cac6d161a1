"""``GraphNetwork``: a trainable network around one architecture-free graph.

It is a :class:`~axonal.network.Sequential` holding one :class:`GraphLayer`, so
``fit``, every optimizer, schedule and stop criterion, ``predict``, ``save`` and
``load`` work unchanged; parameters keep the graph's own dotted names
(``"hidden.bias"``, ``"input_to_hidden.weight"``). On top it offers Synaptic's way
of running a network, one time step at a time (:meth:`activate`, state carried
until :meth:`reset_state`), online learning by LSTM-g (:meth:`online`) and
Synaptic's JSON (:func:`axonal.synaptic.to_json`, :func:`axonal.synaptic.from_json`).

>>> from axonal.graph import Graph, GraphNetwork
>>> g = Graph()
>>> inp, hid, out = g.layer("input", 2), g.layer("hidden", 3), g.layer("output", 1)
>>> _ = inp.project(hid), hid.project(hid), hid.project(out)
>>> net = GraphNetwork(g, seed=0)
>>> net.parameter_counts()
{'hidden.bias': 3, 'output.bias': 1, 'input_to_hidden.weight': 6, 'hidden_to_output.weight': 3}
>>> net.activate([1.0, 0.0]).shape       # one time step; the state is carried
(1,)
"""

from __future__ import annotations

import weakref

import numpy as np

from ..names import printable
from ..network import Sequential
from .blueprint import Graph
from .layer import GraphLayer
from .stepper import Stepper

__all__ = ["GraphNetwork"]


class GraphNetwork(Sequential):
    """A network built from a :class:`~axonal.graph.Graph` blueprint.

    Parameters
    ----------
    graph : Graph
        The blueprint; its first layer is the input layer.
    output : str, optional
        The layer whose activations are the network's output (default: the last).
    return_sequences : bool, default True
        Sequences in give an output at every step; ``False`` keeps the last step.
    stateful : bool, default False
        Carry the state from one ``forward`` call to the next.
    dtype, seed, name, loss, optimizer
        As for :class:`~axonal.network.Sequential`.
    """

    def __init__(self, graph, *, output: str | None = None, return_sequences: bool = True,
                 stateful: bool = False, dtype="float32", seed=None, name: str | None = None,
                 loss=None, optimizer=None, _defer_build: bool = False):
        layer = graph if isinstance(graph, GraphLayer) else GraphLayer(
            graph, output=output, return_sequences=return_sequences, stateful=stateful)
        super().__init__([layer], input_dim=layer.sizes[0], dtype=dtype, seed=seed, name=name, loss=loss,
                         optimizer=optimizer, _defer_build=_defer_build)
        self._step_state: dict | None = None
        self._stepper: Stepper | None = Stepper()
        self._learner_ref: weakref.ref | None = None

    @property
    def graph_layer(self) -> GraphLayer:
        return self.layers[0]

    @property
    def graph(self) -> Graph:
        return self.layers[0].graph

    # -- names without the container's prefix ---------------------------------------------------
    def plan(self, input_shape):
        return self.layers[0].plan(tuple(input_shape))

    def named_parameters(self, prefix=""):
        yield from self.layers[0].named_parameters(prefix)

    def named_state(self, prefix=""):
        yield from self.layers[0].named_state(prefix)

    # -- one step at a time ------------------------------------------------------------------------
    def activate(self, x) -> np.ndarray:
        """Run one time step on ``x`` (``(features,)`` or ``(batch, features)``) and return
        the output layer's activations; the state carries on to the next call (Synaptic's
        ``activate``). Compiled (one kernel call, :mod:`axonal.graph.stepper`) unless ``AXONAL_JIT=0``
        or a layer has ``in_order`` connections.

        Once :meth:`online` has made a learner (and while it is in use), the step runs through it,
        so its eligibility traces follow every step as Synaptic's ``activate`` updates them, and a
        later ``learner.step(x, target)`` continues exactly where this left off."""
        ref, stepper = self._learner_ref, self._stepper
        if ref is not None:                # an online learner's stream, carried on (LSTMG.quick)
            learner = ref()
            if learner is not None and (y := learner.quick(x)) is not None:
                return y
        elif stepper is not None and stepper.armed and self._step_state is stepper.views:
            y = stepper.quick(self, x)     # the compiled step again, nothing to rebuild
            if y is not None:
                return y
        self._require_built("activate")
        x = np.asarray(x, dtype=self.dtype)
        single = x.ndim == 1
        x2 = x[None] if single else x
        layer = self.layers[0]
        if x2.ndim != 2 or x2.shape[1] != layer.sizes[0]:
            raise ValueError(f"activate: the input layer {layer.input_name!r} takes {layer.sizes[0]} values "
                             f"per step; got shape {x.shape}")
        learner = self._learner()
        if learner is not None:         # the online learner's stream is this network's state
            y = learner.step(x2)
            return y[0].copy() if single else y
        state = self._step_state
        if state is not None and _batch_of(state) != len(x2):
            raise ValueError(f"activate: the carried state is for a batch of {_batch_of(state)}; got {len(x2)} "
                             f"(call reset_state())")
        if not layer.order_steps and (done := self._compiled_stepper().step(self, x2, state)) is not None:
            y, carried = done   # compiled (axonal.graph.stepper): the state lives in the stepper's buffer
            layer.final_state = self._step_state = carried
            if layer.stateful:
                layer._carried = _forward_form(layer, carried)
        else:
            start = state if state is not None else layer.initial_state(len(x2))
            cache = layer._run(np.ascontiguousarray(x2[None]), start)     # GraphLayer.forward, one step
            y = cache["acts"][layer.out_index][1]
            carried = layer.final_state = self._step_state = cache["final"]
            if layer.stateful:
                layer._carried = _forward_form(layer, carried)
            first = np.zeros_like(x2)       # the input layer's state and previous state (never used)
            carried["act"][0] = x2.copy()
            carried["state"][0] = start["state"].get(0, first).copy()
            carried["old"] = {i: np.array(start["state"][i], copy=True) for i in start["state"]}
            carried["old"].setdefault(0, first)
        return y[0].copy() if single else y.copy()

    def _compiled_stepper(self) -> Stepper:
        stepper = getattr(self, "_stepper", None)
        if stepper is None:
            stepper = self._stepper = Stepper()
        return stepper

    def _learner(self):
        """The online learner this network's steps run through (see :meth:`activate`), or ``None``."""
        ref = getattr(self, "_learner_ref", None)
        learner = None if ref is None else ref()
        if learner is None:
            self._learner_ref = None
        return learner

    def _attach(self, learner) -> None:
        self._learner_ref = weakref.ref(learner)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_learner_ref"] = None    # a copy or an unpickled network runs on its own
        return state

    def reset_state(self) -> None:
        """Forget the carried state: activations, states and previous states back to 0, gains to 1;
        an online learner of this network starts its next step afresh (traces 0 too). This is
        Synaptic's ``reset()`` without its new random weights."""
        super().reset_state()
        self._step_state = None

    def clear(self) -> None:
        """Synaptic's ``Network.clear()``: forget the context of learning, not the state.

        The online learner's eligibility traces ``ε_ji``, extended traces ``ε^k_ji`` and error terms
        ``δ_j`` (what Synaptic's ``Neuron.clear`` zeroes) go back to 0; the activations ``y_j``,
        states ``s_j``, previous states ``s_j(t-1)`` and gains are kept, so the next
        :meth:`activate` computes what it would have computed. Without an online learner there
        are no traces and nothing changes. (:meth:`reset_state` forgets the state as well.)
        """
        learner = self._learner()
        if learner is not None and learner._shared is not None and learner._shared is self._step_state:
            learner.clear()

    def get_step_state(self) -> dict | None:
        """A copy of the state carried from one :meth:`activate` to the next, or ``None`` (all 0, gains 1):
        ``{"act": {i: y_i}, "state": {i: s_i}, "old": {i: s_i(t-1)}, "gain": {g: γ_g}}`` with ``i`` every
        layer's position in the graph's order (``0`` the input layer, whose ``act`` is the last input)
        and ``g`` every gating layer's, each ``(batch, n_i)``; ``γ_g`` is the gain layer ``g``'s
        gates apply when read before ``g`` runs again (its last activations; 1 before it ran).
        These are Synaptic's per-neuron ``activation``, ``state`` and ``old``."""
        state = self._step_state
        if state is None:
            return None
        return {part: {key: np.array(value, copy=True) for key, value in state.get(part, {}).items()}
                for part in ("act", "state", "old", "gain")}

    def set_step_state(self, state) -> None:
        """Carry ``state`` (the form of :meth:`get_step_state`; ``None``: all 0, gains 1) into the next
        :meth:`activate`, and into the next step of an online learner (whose traces then start
        at 0, as after Synaptic's ``fromJSON``). Absent entries are 0 (gains 1); values are copied."""
        self._require_built("set_step_state")
        if state is None:
            self._step_state = None
            return
        layer = self.graph_layer
        if not isinstance(state, dict):
            raise TypeError(f"set_step_state: expected a dict or None, got {type(state).__name__}")
        if set(state) - {"act", "state", "old", "gain"}:
            raise ValueError(f"set_step_state: unknown entries {sorted(map(str, set(state)))!r:.200}; the entries "
                             f"are 'act', 'state', 'old' and 'gain'")
        shapes = {part: dict(enumerate(layer.sizes)) for part in ("act", "state", "old")}
        shapes["gain"] = {g: layer.sizes[g] for g in layer.gaters}
        batch = None
        for part, named in state.items():
            if not isinstance(named, dict):
                raise TypeError(f"set_step_state: state[{part!r}] must be a dict from layer position to values")
            for key, value in named.items():
                try:
                    value = np.asarray(value, dtype=np.float64)
                except (TypeError, ValueError):
                    raise ValueError(f"set_step_state: {part}[{printable(repr(key), 40)}] must hold numbers") from None
                if key not in shapes[part]:
                    raise ValueError(f"set_step_state: {part}[{printable(repr(key), 40)}] is not a "
                                     f"{'gating ' if part == 'gain' else ''}layer position of this network "
                                     f"({sorted(shapes[part])})")
                if value.ndim != 2 or value.shape[1] != shapes[part][key] \
                        or (batch is not None and len(value) != batch) or not np.isfinite(value).all():
                    raise ValueError(f"set_step_state: {part}[{key}] must be finite, of shape (batch, "
                                     f"{shapes[part][key]}) with one batch throughout, got {value.shape}")
                batch = len(value)
        if batch is None:
            self._step_state = None
            return
        new = {part: {key: np.zeros((batch, n), self.dtype) for key, n in shapes[part].items()}
               for part in ("act", "state", "old")}
        new["gain"] = {g: np.ones((batch, n), self.dtype) for g, n in shapes["gain"].items()}
        for part, named in state.items():
            for key, value in named.items():
                new[part][key][...] = value
        self._step_state = new

    def online(self, learning_rate: float = 0.1, rule: str = "monner"):
        """An :class:`~axonal.graph.LSTMG` learner training this network one step at a time
        (``rule="synaptic"`` reproduces Synaptic's traces exactly, see :mod:`axonal.graph.lstm_g`).

        It starts from the network's current step state (what :meth:`activate` left, or what an
        import restored) with traces at 0, and the two share that state from then on: its steps
        are the network's, and :meth:`activate` runs through it (updating its traces)."""
        from .lstm_g import LSTMG
        return LSTMG(self, learning_rate=learning_rate, rule=rule)

    # -- inspecting ---------------------------------------------------------------------------------
    def parameter_counts(self) -> dict[str, int]:
        """Trainable values by dotted parameter name."""
        self._require_built("parameter_counts")
        return {name: int(owner.params[local].size) for name, owner, local, _ in self.named_parameters()}

    def summary(self) -> str:
        head = (f"{self.name or 'GraphNetwork'}: input {self.graph_layer.input_name!r}, output "
                f"{self.graph_layer.output_name!r}, {self.dtype}")
        lines = [head, self.graph.summary()]
        if self.built:
            lines.append("parameters:")
            lines += [f"  {name:<32} {count:>8,}" for name, count in self.parameter_counts().items()]
            lines.append(f"Total parameters: {self.count_parameters():,}")
        return "\n".join(lines)

    # -- configuration ------------------------------------------------------------------------------------
    def get_config(self):
        config = {"graph_network": self.graph_layer.get_config(), "dtype": str(self.dtype)}
        if self.name:
            config["name"] = self.name
        return config

    @classmethod
    def from_config(cls, config, *, build: bool = True):
        if not isinstance(config, dict) or not isinstance(config.get("graph_network"), dict):
            raise ValueError("GraphNetwork: config must be a mapping with a 'graph_network' entry")
        unknown = set(config) - {"graph_network", "dtype", "name"}
        if unknown:
            raise ValueError(f"GraphNetwork: unknown config keys {sorted(unknown)}")
        spec = dict(config["graph_network"])
        if not isinstance(spec.get("graph"), dict):
            raise ValueError("GraphNetwork: config has no graph")
        unknown = set(spec) - {"graph", "output", "return_sequences", "stateful", "name"}
        if unknown:
            raise ValueError(f"GraphNetwork: unknown graph layer keys {sorted(unknown)}")
        layer = GraphLayer(spec.pop("graph"), **spec)
        return cls(layer, dtype=config.get("dtype", "float32"), name=config.get("name"), _defer_build=not build)

    def describe(self):
        return self.name or "GraphNetwork"

    def __repr__(self):
        g = self.graph_layer
        return (f"GraphNetwork({len(g.sizes)} layers, {len(self.graph.connections)} connections, "
                f"input={g.input_name!r}, output={g.output_name!r}, dtype={str(self.dtype)!r})")


def _batch_of(state) -> int:
    return len(next(iter(state["act"].values())))


def _forward_form(layer, carried) -> dict:
    """``carried`` in the form of :meth:`~axonal.graph.GraphLayer.initial_state` (the same arrays,
    without the input layer and the previous states), as a stateful layer carries it."""
    steps = [s.index for s in layer.steps]
    return {"act": {i: carried["act"][i] for i in steps}, "state": {i: carried["state"][i] for i in steps},
            "gain": dict(carried["gain"])}
