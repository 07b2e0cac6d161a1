"""``GraphNetwork.activate`` compiled: one time step with the state carried, in one kernel call.

The reference is :meth:`axonal.graph.GraphLayer.forward` on one step from the carried
state (:meth:`axonal.graph.GraphNetwork.activate` without Numba). The carried state is
kept as ``{"act": {i: a_i}, "state": {i: s_i}, "old": {i: s_i(t-1)}, "gain": {g: γ_g}}``
(the form of :meth:`~axonal.graph.GraphLayer.initial_state` plus every layer's previous
state, and the input layer ``0`` in ``act``, ``state`` and ``old``: see
:meth:`axonal.graph.GraphNetwork.get_step_state`), whose arrays here are views into one flat
buffer that :func:`axonal.kernels.graph_step.activate` updates in place; a state the NumPy
path or an online learner left is copied in first, so the paths may alternate.

Once a step has run this way, later single-stream steps take :meth:`Stepper.quick`: the
same kernel call without rebuilding anything, for as long as the network still carries
this stepper's state, its weights are the same array and compiled paths are on.
"""

from __future__ import annotations

import numpy as np

from .. import jit as _jit
from .addresses import Table, fixed_weights
from .compiled_plan import L_ACT, L_GAIN, L_OLD, L_STATE, CompiledPlan, stream_layout

__all__ = ["Stepper"]


class Stepper:
    """The compiled ``activate`` of one :class:`~axonal.graph.GraphNetwork`."""

    call = call_dtype = generation = None   # also for steppers unpickled from before these existed

    def __init__(self):
        self.plan = None
        self.views = None
        self.flat = None
        self.lay = None
        self.kern = None
        self.armed = False      # whether :meth:`quick` may run (set by :meth:`step`)
        self.out = None
        self.out_row = None     # the first stream's outputs (n_out,), a view: what quick copies
        self.in_shape = None
        self.table = None       # the quick step's arrays by address (axonal.graph.addresses), made by step
        self.held = None        # the fixed-weight array the table points into (None: no fixed weights)
        self.fixed_name = None  # its name in layer.state
        self.call = None        # the kernel's compiled version for one stream (jit.direct), what quick calls,
        self.call_dtype = None  # for arrays of this dtype
        self.generation = None  # axonal.jit.generation when the quick path was armed (compiled paths on)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["armed"] = False  # a copy's views no longer look into its buffer: the next step rebuilds
        state["kern"] = None    # a module: looked up again by the next full step
        state["table"] = None   # addresses of this process's arrays
        state["call"] = state["call_dtype"] = None     # machine code of this process
        return state

    def _ready(self, network):
        kern = _jit.kernels("graph_step")
        if kern is None:
            return None
        params = network.params_.values
        if self.plan is None or self.plan.params is not params:
            self.plan = CompiledPlan(network.graph_layer, params, _jit.kernels("activations").encode)
        self.kern = kern
        return kern if self.plan.ok else None

    def _start(self, layer, batch, state):
        """A flat buffer for ``batch`` streams holding ``state`` (or the initial state)."""
        size, lay, _ = stream_layout(layer, batch, lstm_g=False)
        flat = np.zeros(size, layer.dtype)
        views = {"act": {}, "state": {}, "old": {}, "gain": {}}
        for i, n in enumerate(layer.sizes):
            for part, col in (("act", L_ACT), ("state", L_STATE), ("old", L_OLD)):
                views[part][i] = flat[lay[i, col]:lay[i, col] + batch * n].reshape(batch, n)
        for g in layer.gaters:
            n = layer.sizes[g]
            views["gain"][g] = flat[lay[g, L_GAIN]:lay[g, L_GAIN] + batch * n].reshape(batch, n)
        start = layer.initial_state(batch) if state is None else state
        for part, named in views.items():
            given = start.get(part, {})
            for key, view in named.items():
                if key in given:            # absent (the input layer, "old" of a forward pass): 0
                    view[...] = given[key]
        self.flat, self.lay, self.views = flat, lay, views

    def _intact(self) -> bool:
        """Whether the views still look into the buffer (a deep copy of the network separates them)."""
        return next(iter(self.views["act"].values())).base is self.flat

    def step(self, network, x, state):
        """Run one step on ``x`` (B, n_0) from ``state`` (``None``: the initial state); returns
        ``(outputs (B, n_out) as a view, the carried state)``, or ``None`` for the NumPy path."""
        kern = self._ready(network)
        if kern is None:
            return None
        layer = network.graph_layer
        if state is None or state is not self.views or not self._intact():
            self._start(layer, len(x), state)
        plan = self.plan
        fixed = fixed_weights(plan)     # None: several fixed arrays, concatenated anew (a table for this call)
        grids = (plan.steps, plan.terms, self.lay)
        vectors = (plan.lists, plan.fparam, plan.masks, plan.params, plan.fixed() if fixed is None else fixed[0],
                   self.flat)
        table = self.table
        if table is None or any(a is not b for a, b in zip(table.arrays, grids + vectors)):
            table = Table(grids, vectors)
        if not table.ok:
            return None
        flat_x = np.ascontiguousarray(x, dtype=plan.dtype).reshape(-1)
        kern.activate(table.values, flat_x)
        self.out = self.views["act"][layer.out_index]
        self.out_row = self.out[0]
        self.in_shape = (layer.sizes[0],)
        # the quick path: one stream, a table that stays good (one fixed-weight array at most); a stateful
        # layer's carried form is rebuilt by the full path
        self.armed = len(x) == 1 and not layer.stateful and fixed is not None
        if self.armed and (self.call is None or self.call_dtype != flat_x.dtype):
            self.call, self.call_dtype = _jit.direct(kern.activate, table.values, flat_x), flat_x.dtype
        self.generation = _jit.generation
        self.table = table if fixed is not None else None
        self.fixed_name, self.held = (None, None) if fixed is None else (fixed[1], fixed[2])
        return self.out, self.views

    def quick(self, network, x):
        """One step of one stream on ``x`` (n_0,) from the state the last :meth:`step` left, the arrays
        passed by address (:class:`~axonal.graph.addresses.Table`): the outputs (n_out,) as a new array,
        or ``None`` where the full path must run (``x`` not a contiguous array of the network's dtype and
        shape, new weight or fixed-weight arrays, compiled paths turned off since). The caller has
        checked that the stepper is armed (so its table and compiled version are there) and that the
        network still carries its state and has no online learner."""
        plan = self.plan
        if (type(x) is not np.ndarray or x.dtype is not self.call_dtype and x.dtype != self.call_dtype
                or x.shape != self.in_shape or not (f := x.flags).c_contiguous or not f.aligned
                or plan.params is not network.params_.values or self.generation != _jit.generation
                or self.held is not None and plan.layer.state[self.fixed_name] is not self.held):
            return None
        self.call(self.table.values, x)     # x: exactly the dtype and layout the compiled version takes
        return self.out_row.copy()
