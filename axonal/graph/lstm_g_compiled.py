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
from .compiled_plan import CompiledPlan

__all__ = ["activate", "compiled", "propagate", "run_epoch", "step"]


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


def activate(learner, x) -> bool:
    """``LSTMG._activate`` on ``x`` (B, n_0) compiled; ``False`` when the NumPy path must run it."""
    found = compiled(learner)
    if found is None:
        return False
    kern, plan = found
    x = np.ascontiguousarray(x, dtype=plan.dtype)
    kern.activate(plan.steps, plan.terms, plan.entries, plan.lists, plan.fparam, learner._lay, learner._tlay,
                  plan.params, plan.fixed(), learner._flat, x, learner.rule == "synaptic", learner._work)
    learner._expose()
    return True


def propagate(learner, target, rate) -> bool:
    """``LSTMG._propagate`` compiled (``target`` (B, n_out) in the network's dtype); ``False`` when the
    NumPy path must run it."""
    found = compiled(learner)
    if found is None:
        return False
    kern, plan = found
    kern.propagate(plan.steps, plan.terms, plan.entries, plan.lists, plan.masks, learner._lay, learner._tlay,
                   plan.params, plan.fixed(), learner._flat, np.ascontiguousarray(target, dtype=plan.dtype),
                   float(rate), learner.rule == "synaptic", plan.out_step, learner._work)
    return True


def step(learner, x, target, rate) -> bool:
    """``LSTMG.step(x, target)`` compiled in one call (``x`` (B, n_0), ``target`` (B, n_out) in the
    network's dtype); ``False`` when the NumPy path must run it."""
    found = compiled(learner)
    if found is None:
        return False
    kern, plan = found
    kern.step(plan.steps, plan.terms, plan.entries, plan.lists, plan.fparam, plan.masks, learner._lay, learner._tlay,
              plan.params, plan.fixed(), learner._flat, np.ascontiguousarray(x, dtype=plan.dtype),
              np.ascontiguousarray(target, dtype=plan.dtype), float(rate), learner.rule == "synaptic", plan.out_step,
              learner._work)
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
