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

import numpy as np

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
        self._step_state = None
        self._stepper = Stepper()

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
        the output layer's activations; the state carries on to the next call. Compiled (one kernel
        call, :mod:`axonal.graph.stepper`) unless ``AXONAL_JIT=0`` or a layer has ``in_order`` connections."""
        self._require_built("activate")
        x = np.asarray(x, dtype=self.dtype)
        single = x.ndim == 1
        x2 = x[None] if single else x
        layer = self.layers[0]
        if x2.ndim != 2 or x2.shape[1] != layer.sizes[0]:
            raise ValueError(f"activate: the input layer {layer.input_name!r} takes {layer.sizes[0]} values "
                             f"per step; got shape {x.shape}")
        state = self._step_state
        if state is not None and next(iter(state["act"].values())).shape[0] != len(x2):
            raise ValueError(f"activate: the carried state is for a batch of "
                             f"{next(iter(state['act'].values())).shape[0]}; got {len(x2)} (call reset_state())")
        if not layer.order_steps and (done := self._compiled_stepper().step(self, x2, state)) is not None:
            y, carried = done   # compiled (axonal.graph.stepper): the state lives in the stepper's buffer
            layer.final_state = self._step_state = carried
            if layer.stateful:
                layer._carried = carried
        else:
            y = layer.forward(x2, state=state if state is not None else layer.initial_state(len(x2)))
            self._step_state = layer.final_state
        return y[0].copy() if single else y.copy()

    def _compiled_stepper(self) -> Stepper:
        if getattr(self, "_stepper", None) is None:
            self._stepper = Stepper()
        return self._stepper

    def reset_state(self) -> None:
        """Forget the carried state: activations and states back to 0, gains to 1."""
        super().reset_state()
        self._step_state = None

    def online(self, learning_rate: float = 0.1, rule: str = "monner"):
        """An :class:`~axonal.graph.LSTMG` learner training this network one step at a time
        (``rule="synaptic"`` reproduces Synaptic's traces exactly, see :mod:`axonal.graph.lstm_g`)."""
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
