"""LSTM-g's compiled path: the learner's steps run by :mod:`axonal.kernels.lstm_g`.

The NumPy methods of :class:`~axonal.graph.LSTMG` are the reference; these functions
run the same equations from the network's compiled plan
(:class:`~axonal.graph.compiled_plan.CompiledPlan`) on the learner's flat stream
buffer, which the NumPy path shares (:class:`~axonal.graph.lstm_g_state.StreamState`),
so either path may take any step. Each returns ``None`` (or ``False``) when the
compiled path is off (``AXONAL_JIT=0``, no Numba) or cannot run this network (an
activation no kernel knows); the caller then takes the NumPy path.
"""

from __future__ import annotations

import numpy as np

from .. import jit as _jit
from .addresses import Table, fixed_weights
from .compiled_plan import CompiledPlan

__all__ = ["Packed", "activate", "compiled", "current", "pack", "propagate", "quick", "run_epoch", "step"]


def compiled(learner):
    """``(kernel module, plan)`` for ``learner``'s network, or ``None`` for the NumPy path."""
    kern = _jit.kernels("lstm_g")
    if kern is None:
        return None
    params = learner.network.params_.values
    plan = learner._plan
    if plan is None or plan.params is not params:
        plan = learner._plan = CompiledPlan(learner.layer, params, _jit.kernels("activations").encode,
                                            learner.gated, learner.outgoing)
    return (kern, plan) if plan.ok else None


def current(learner):
    """``learner``'s :class:`Packed` for its stream as it stands (made again when the stream, plan, weights,
    fixed weights or rule changed), or ``None`` for the NumPy path. The caller has synchronised the stream."""
    pk, net = learner._packed, learner.network
    if (pk is None or learner._shared is not pk.shared or net._step_state is not pk.shared
            or learner._plan is not pk.plan or net.params_.values is not pk.params or learner.rule is not pk.rule
            or pk.generation != _jit.generation
            or pk.held is not None and learner.layer.state[pk.fixed_name] is not pk.held):
        pk = learner._packed = pack(learner)
    return pk


def activate(learner, x) -> bool:
    """``LSTMG._activate`` on ``x`` (B, n_0) compiled; ``False`` when the NumPy path must run it."""
    pk = current(learner)
    if pk is None:
        return False
    pk.activate(pk.table, np.ascontiguousarray(x, dtype=pk.dtype).reshape(-1), pk.synaptic)
    learner._expose()
    return True


def propagate(learner, target, rate) -> bool:
    """``LSTMG._propagate`` compiled (``target`` (B, n_out) in the network's dtype); ``False`` when the
    NumPy path must run it."""
    pk = current(learner)
    if pk is None:
        return False
    pk.propagate(pk.table, np.ascontiguousarray(target, dtype=pk.dtype).reshape(-1), float(rate), pk.synaptic,
                 pk.out_step)
    return True


def step(learner, x, target, rate) -> bool:
    """``LSTMG.step(x, target)`` compiled in one call (``x`` (B, n_0), ``target`` (B, n_out) in the
    network's dtype); ``False`` when the NumPy path must run it."""
    pk = current(learner)
    if pk is None:
        return False
    pk.step(pk.table, np.ascontiguousarray(x, dtype=pk.dtype).reshape(-1),
            np.ascontiguousarray(target, dtype=pk.dtype).reshape(-1), float(rate), pk.synaptic, pk.out_step)
    learner._expose()
    return True


def run_epoch(learner, xs, ts, tj, order, n_steps, rate, judge):
    """A whole stream in one call: ``xs`` (S, B, n_0), targets ``ts`` (S, B, n_out) in the network's
    dtype and ``tj`` in float64 (for the judge), steps ``order[:n_steps]``.

    Returns ``(status, outputs (n_steps, B, n_out), right (n_steps,))``: ``status`` is ``n_steps``, or
    ``-(s + 1)`` when step ``s`` made a weight NaN or infinite (the weights and stream are then as
    that step left them; the caller puts its copy back). ``None`` when the NumPy path must run.
    """
    found = compiled(learner)
    kern = _jit.kernels("lstm_g_epoch")
    if found is None or kern is None:
        return None
    plan = found[1]
    batch = xs.shape[1]
    learner._sync()
    if learner._batch is None:
        learner._start(batch)
    outs = np.empty((n_steps, batch, learner.layer.sizes[learner.layer.out_index]), plan.dtype)
    right = np.ones(n_steps, np.bool_)
    status = kern.epoch(plan.steps, plan.terms, plan.entries, plan.lists, plan.fparam, plan.masks, learner._lay,
                        learner._tlay, plan.params, plan.fixed(), learner._flat, xs, ts, tj,
                        np.ascontiguousarray(order, dtype=np.int64), int(n_steps), float(rate),
                        learner.rule == "synaptic", plan.out_step, int(judge), outs, right, learner._work)
    if n_steps:
        learner._expose()
    return status, outs, right


class Packed:
    """A learner's compiled steps with the plan's and the stream's arrays handed over by address
    (:class:`~axonal.graph.addresses.Table`, laid out as :data:`axonal.kernels.lstm_g.PACKED`): each
    call passes the table and ``x`` (and the target) instead of thirteen arrays, whose unboxing cost
    more than a small network's step.

    It holds every array it points at, so the addresses stay valid, and is used only while the learner
    runs on the same stream, plan, weights, fixed weights and rule (:func:`current`, :func:`quick`).
    A copy or pickle of a learner leaves it behind (``StreamState.__getstate__``).
    """

    __slots__ = ("table", "arrays", "shared", "plan", "params", "fixed_name", "held", "rule", "synaptic",
                 "dtype", "n_in", "n_out", "out_row", "activate", "propagate", "step", "out_step", "generation",
                 "__weakref__")


def pack(learner):
    """A :class:`Packed` for ``learner``'s stream as it stands, or ``None`` where the NumPy path must run
    (compiled paths off, an activation no kernel knows, no stream yet, an array that is not contiguous).
    With several fixed-weight arrays, ``F`` is their concatenation as they stand, good for one call only
    (its ``shared`` is ``None``, so the next call packs again)."""
    found = compiled(learner)
    if found is None or learner._batch is None:
        return None
    kern, plan = found
    fixed = fixed_weights(plan)
    table = Table((plan.steps, plan.terms, plan.entries, learner._lay, learner._tlay),
                  (plan.lists, plan.fparam, plan.masks, plan.params, plan.fixed() if fixed is None else fixed[0],
                   learner._flat, learner._work))
    if not table.ok:
        return None
    assert table.values.size == kern.PACKED
    pk = Packed()
    pk.table, pk.arrays, pk.plan, pk.params = table.values, table.arrays, plan, plan.params
    pk.shared = None if fixed is None else learner._shared
    pk.fixed_name, pk.held = (None, None) if fixed is None else (fixed[1], fixed[2])
    pk.rule, pk.synaptic, pk.dtype, pk.out_step = learner.rule, learner.rule == "synaptic", plan.dtype, plan.out_step
    pk.generation = _jit.generation     # compiled paths on (compiled() found the kernels) as of this number
    out = learner.act[learner.layer.out_index]
    pk.out_row = out[0]
    pk.n_in, pk.n_out = learner._batch * learner.layer.sizes[0], out.size     # over the B streams
    if pk.shared is None:           # a table for one call: the dispatchers
        pk.activate, pk.propagate, pk.step = kern.activate, kern.propagate, kern.step
    else:                           # the compiled versions themselves after a first call of each
        pk.activate = _jit.swapping(pk, "activate", kern.activate)
        pk.propagate = _jit.swapping(pk, "propagate", kern.propagate)
        pk.step = _jit.swapping(pk, "step", kern.step)
    return pk


def quick(self, x, target=None):
    """``LSTMG.quick`` (``self`` the learner): :meth:`~axonal.graph.LSTMG.step` for one running stream, its
    arrays by address (:class:`Packed`, made again when the stream, plan, weights or fixed weights changed).
    Returns the outputs (n_out,), or ``None`` where ``step`` must run: not one stream carried on from this
    learner, ``x`` (n_0,) or ``target`` (n_out,) not contiguous arrays of the network's dtype, the NumPy path."""
    net = self.network
    if self._batch != 1 or net._step_state is not self._shared:
        return None
    pk = current(self)
    if pk is None:
        return None
    ref = net._learner_ref
    if (type(x) is not np.ndarray or x.ndim != 1 or x.size != pk.n_in or x.dtype is not pk.dtype
            and x.dtype != pk.dtype or not (f := x.flags).c_contiguous or not f.aligned or ref is None
            or ref() is not self):
        return None
    if target is None:
        pk.activate(pk.table, x, pk.synaptic)
    elif (type(target) is np.ndarray and target.ndim == 1 and target.size == pk.n_out
          and (target.dtype is pk.dtype or target.dtype == pk.dtype) and (f := target.flags).c_contiguous
          and f.aligned):
        pk.step(pk.table, x, target, float(self.learning_rate), pk.synaptic, pk.out_step)
    else:
        return None
    if not self.read:
        self._expose()
    return pk.out_row.copy()
