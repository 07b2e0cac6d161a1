r"""A whole stream of LSTM-g steps in one call, with Synaptic's judged tasks.

The NumPy reference is the training loop stepping :class:`axonal.training.lstm_g.LSTMGStep`
over a :class:`~axonal.training.lstm_g.StreamFeed` (``LSTMGStep.step`` on every batch);
each step is :func:`axonal.kernels.lstm_g.activate_at` then, unless a judge says the step
was right, :func:`axonal.kernels.lstm_g.propagate_at` (equations in :mod:`axonal.kernels.lstm_g`).
Judges (``RoundedMatch``, ``ArgmaxMatch`` of :mod:`axonal.training.lstm_g`)::

    rounded:  right  ⇔  round(y_bj) = t_bj for every stream b and output j
    argmax:   right  ⇔  argmax over all (b, j) of y = argmax over all (b, j) of t

Numba's cache keys a function on its own module's source only, and :func:`epoch` carries the
compiled code of :mod:`axonal.kernels.lstm_g` (and of :mod:`axonal.kernels.lstm_g_parts`,
inlined there): a change to those modules must come with a change here (this line counts:
kernels of 2026-12-04 (sums in registers, unseen zeros, add_term outlined, entry rows), unsigned indices, plain terms filled once a run, borrowed arrays) or a stale
epoch is loaded.
"""

from __future__ import annotations

import numba
import numpy as np

from ..graph.compiled_plan import L_ACT, L_SIZE, S_LAYER
from .graph_step import borrowed
from .lstm_g import activate_at, fill_plain, propagate_at

#: Judges of Synaptic's tasks: learn only from wrong steps.
JUDGE_NONE, JUDGE_ROUNDED, JUDGE_ARGMAX = range(3)


@numba.njit(cache=True)
def _judge(kind, flat, a_off, tj, r, B, n):
    """Whether a step's outputs are right: every rounded output equals its target (``JUDGE_ROUNDED``),
    or the largest output is where the target's largest is, over all streams (``JUDGE_ARGMAX``)."""
    if kind == JUDGE_ROUNDED:
        for b in range(B):
            for j in range(n):
                if np.rint(flat[a_off + b * n + j]) != tj[r, b, j]:
                    return False
        return True
    best_y, best_t = 0, 0
    for k in range(1, B * n):
        if flat[a_off + k] > flat[a_off + best_y]:
            best_y = k
        if tj[r, k // n, k % n] > tj[r, best_t // n, best_t % n]:
            best_t = k
    return best_y == best_t


@numba.njit(cache=True)
def epoch(steps, terms, entries, lists, fparam, masks, lay, tlay, P, F, flat, xs, ts, tj, order, n_steps, rate,
          synaptic, out_step, judge, outs, right, work):
    """A whole stream: for ``s < n_steps``, activate ``xs[order[s]]`` (B, n_0), keep the outputs in
    ``outs[s]``, and learn from ``ts[order[s]]`` (judged on ``tj``, float64: with a judge, only
    when the step is wrong; ``right[s]`` says). Returns ``n_steps``, or ``-(s + 1)`` when step ``s``
    made a weight NaN or infinite (the caller puts back its copy of the epoch's start)."""
    steps, terms, entries, lists, fparam, masks = borrowed(steps), borrowed(terms), borrowed(entries), \
        borrowed(lists), borrowed(fparam), borrowed(masks)
    lay, tlay, P, F, flat, xs, ts, work = borrowed(lay), borrowed(tlay), borrowed(P), borrowed(F), borrowed(flat), \
        borrowed(xs), borrowed(ts), borrowed(work)
    p_out = steps[out_step, S_LAYER]
    a_out, n_out = lay[p_out, L_ACT], lay[p_out, L_SIZE]
    B = xs.shape[1]
    for s in range(n_steps):
        r = order[s]
        activate_at(steps, terms, entries, lists, fparam, lay, tlay, P, F, flat, xs, r, synaptic, True, work)
        for b in range(B):
            for j in range(n_out):
                outs[s, b, j] = flat[a_out + b * n_out + j]
        ok = True if judge == JUDGE_NONE else _judge(judge, flat, a_out, tj, r, B, n_out)
        right[s] = ok
        if (judge == JUDGE_NONE or not ok) and not propagate_at(steps, terms, entries, lists, masks, lay, tlay, P,
                                                                F, flat, ts, r, rate, synaptic, out_step, work):
            fill_plain(terms, tlay, flat, B)
            return -(s + 1)
    fill_plain(terms, tlay, flat, B)
    return n_steps
