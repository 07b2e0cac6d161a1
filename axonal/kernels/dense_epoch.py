"""One epoch of backpropagation and gradient descent for a stack of dense layers, compiled.

The NumPy reference is :class:`axonal.training.backprop.Backprop` stepping a
``Sequential`` of :class:`~axonal.layers.Dense` layers (or a feed-forward
:class:`~axonal.graph.GraphLayer` chain) with a loss of :mod:`axonal.losses` and
:class:`~axonal.optimizers.SGD`, :class:`~axonal.optimizers.Adam` or ``AdamW``;
:func:`run_epochs` runs every batch of one epoch or of several in one call, with the same equations.

For each batch ``s`` (rows ``order[bounds[s,0]:bounds[s,1]]`` of ``x`` (N, n_0) and
``t`` (N, K), ``B`` of them) and each layer ``l = 1..L`` (weights ``W_l`` (n_{l-1}, n_l)
and bias ``b_l`` (n_l,), views of the flat parameter vector ``p``)::

    z_l = a_{l-1}·W_l + b_l,   a_l = f_l(z_l)              a_0 = x_b, ŷ = a_L   (B, n_l)
    E   = Σ_r w_r·ℓ(ŷ_r, t_r) / Σ_r w_r                    (w_r = 1 without sample weights)
    δa_L = ∂E/∂ŷ,   δz_l = δa_l ⊙ f_l'(z_l)  (softmax: y ⊙ (δa - Σ δa·y))
    ∂E/∂W_l = a_{l-1}ᵀ·δz_l,   ∂E/∂b_l = Σ_r δz_l,   δa_{l-1} = δz_l·W_lᵀ

then the optimizer's step on every parameter (:mod:`axonal.optimizers.base`):
``g ← g + l2·w + l1·sign(w)`` on weights, ``g ← clip(g, ±clip_value)``, ``g ← g·c/‖g‖``
when ``‖g‖ > c = clip_norm``, and the update (SGD: ``p ← p - η·g``; momentum ``μ``:
``v ← μ·v + g``, ``p ← p - η·v`` or Nesterov ``p ← p - η·(g + μ·v)``; Adam as
:class:`~axonal.optimizers.Adam` writes it, ``p ← p - c_t·m'/(√v' + ε_t)``; AdamW first
``w ← w·(1 - η·λ)``). Without ``clip_norm`` the update of a row of ``W_l`` follows its
gradient at once (after ``δa_{l-1}`` has read the old row), the row held in a scratch
vector; the flat gradient vector ends holding the last step's gradient, as the reference
leaves it.

``ℓ`` and ``∂E/∂ŷ`` for each loss are in :mod:`axonal.kernels.dense_loss`. With
``config[OUTPUT_DELTA]`` (Synaptic's rule: :class:`axonal.losses.SynapticDelta`, the output
activation wrapped by :func:`axonal.losses.synaptic.synaptic_output`) ``E`` is the cost's and
``δz_L = (ŷ - t)/B`` (B, K) directly: no ``∂ℓ/∂ŷ``, no ``f_L'`` (unweighted only); ``= 2`` also
reads each row of ``W_l`` for ``δa_{l-1}`` after its update (Synaptic's order; plain SGD). One sample a
step without ``clip_norm`` has a kernel of its own, :func:`online_epochs`
(:mod:`axonal.kernels.dense_online`: the same arguments, results and equations).

With the NaN guard on (``config[GUARD]``) the epoch stops at the first batch whose loss
is not finite (or beyond ``hyper[LIMIT]``), at a non-finite gradient when ``clip_value``
could hide it, and fails when any weight or optimizer state is non-finite at the end:
the caller then restores the epoch's start and lets the NumPy path find the step.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from . import dense_online
from .activations import IDENTITY, SOFTMAX, ZERO_GRADIENT, slope_of, softmax_row, softmax_vjp_row, value_of
from .dense_loss import LOSSES, batch_loss
from .dense_online import adam_scales, all_finite, online_epochs

__all__ = ["run_epochs", "online_epochs", "LOSSES", "SGD", "ADAM", "ADAMW"]

SGD, ADAM, ADAMW = range(3)
# hyper (float64): the optimizer's numbers, the loss's parameter, the clip bounds, the overflow limit
LR, MOMENTUM, NESTEROV, BETA1, BETA2, EPSILON, DECAY, L1, L2, CLIP_VALUE, CLIP_NORM, LOSS_PARAM, LO, HI, LIMIT, \
    STOP_ERROR = range(16)
# config (int64)
OPTIMIZER, LOSS, ITERATIONS, GUARD, MAX_STEPS, KEEP_PRED, WEIGHTED, OUTPUT_DELTA = range(8)
# layers (int64, one row per layer)
N_IN, N_OUT, W_OFF, B_OFF, CODE, COL_IN, COL_OUT, W_DECAY = range(8)
FINISHED, NON_FINITE = 0, 1
assert all(value == globals()[name] for name, value in vars(dense_online).items()
           if name.isupper() and name in globals()), "dense_online numbers the tables as this module does"


@numba.njit(cache=True)
def _forward(values, layers, alphas, acts, zs, nb):
    """``z_l = a_{l-1}·W_l + b_l``, ``a_l = f_l(z_l)`` for the ``nb`` rows of the batch."""
    for l in range(layers.shape[0]):
        n_in, n_out, w_off, b_off = layers[l, N_IN], layers[l, N_OUT], layers[l, W_OFF], layers[l, B_OFF]
        code, c_in, c_out, alpha = layers[l, CODE], layers[l, COL_IN], layers[l, COL_OUT], alphas[l]
        for r in range(nb):
            for j in range(n_out):
                zs[r, c_out + j] = 0.0
        for i in range(n_in):
            base = w_off + i * n_out
            for r in range(nb):
                ai = acts[r, c_in + i]
                for j in range(n_out):
                    zs[r, c_out + j] += ai * values[base + j]
        for r in range(nb):
            if b_off >= 0:
                for j in range(n_out):
                    zs[r, c_out + j] += values[b_off + j]
            if code == SOFTMAX:
                softmax_row(zs[r, c_out:c_out + n_out], acts[r, c_out:c_out + n_out])
            else:
                for j in range(n_out):
                    acts[r, c_out + j] = value_of(code, alpha, zs[r, c_out + j])


@numba.njit(cache=True)
def _delta_z(layers, alphas, l, acts, zs, ds, nb):
    """``δz_l = δa_l ⊙ f_l'`` in place (softmax: its vector-Jacobian product; "zero" threshold units: 0)."""
    n, code, c, alpha = layers[l, N_OUT], layers[l, CODE], layers[l, COL_OUT], alphas[l]
    for r in range(nb):
        if code == SOFTMAX:
            softmax_vjp_row(ds[r, c:c + n], acts[r, c:c + n], ds[r, c:c + n])
        elif code >= ZERO_GRADIENT:
            for j in range(n):
                ds[r, c + j] = 0.0
        elif code != IDENTITY:
            for j in range(n):
                ds[r, c + j] = ds[r, c + j] * slope_of(code, alpha, zs[r, c + j], acts[r, c + j])


@numba.njit(cache=True, inline="always")
def _prepare(values, g, goff, lo, hi, decay, hyper, check):
    """Penalties and ``clip_value`` on the gradient of ``p[lo:hi]``, held in ``g[lo-goff:hi-goff]``;
    whether a raw gradient was non-finite (when ``check``)."""
    l1, l2 = (hyper[L1], hyper[L2]) if decay else (0.0, 0.0)
    clip = hyper[CLIP_VALUE]
    bad = False
    if l1 == 0.0 and l2 == 0.0 and clip <= 0.0:
        return bad
    for k in range(lo, hi):
        gk = g[k - goff]
        if check and not math.isfinite(gk):
            bad = True
        w = values[k]
        if l2 != 0.0:
            gk = gk + l2 * w
        if l1 != 0.0:
            gk = gk + l1 * (1.0 if w > 0 else (-1.0 if w < 0 else w * 0.0))
        if clip > 0.0:
            gk = clip if gk > clip else (-clip if gk < -clip else gk)
        g[k - goff] = gk
    return bad


@numba.njit(cache=True, inline="always")
def _apply(values, g, goff, state, lo, hi, decay, opt, hyper, n, step_size, eps_t):
    """The optimizer's update of ``p[lo:hi]`` from its gradient ``g[lo-goff:hi-goff]`` (state slots ``n`` apart)."""
    lr, mu = hyper[LR], hyper[MOMENTUM]
    if opt == SGD:
        if mu == 0.0:
            for k in range(lo, hi):
                values[k] = values[k] - g[k - goff] * lr
        elif hyper[NESTEROV] != 0.0:
            for k in range(lo, hi):
                state[k] = state[k] * mu + g[k - goff]
                values[k] = values[k] - (state[k] * mu + g[k - goff]) * lr
        else:
            for k in range(lo, hi):
                state[k] = state[k] * mu + g[k - goff]
                values[k] = values[k] - state[k] * lr
        return
    if opt == ADAMW and decay:
        shrink = 1.0 - lr * hyper[DECAY]
        for k in range(lo, hi):
            values[k] = values[k] * shrink
    b1, b2 = hyper[BETA1], hyper[BETA2]
    for k in range(lo, hi):
        gk = g[k - goff]
        state[k] = state[k] * b1 + gk
        state[n + k] = state[n + k] * b2 + gk * gk
        values[k] = values[k] - state[k] / (math.sqrt(state[n + k]) + eps_t) * step_size


@numba.njit(cache=True, inline="always")
def _dot(ds, r, c, values, base, n):
    """``Σ_j ds[r, c+j]·p[base+j]`` in four interleaved partial sums (one for ``n < 4``)."""
    s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
    j = 0
    while j + 4 <= n:
        s0 += ds[r, c + j] * values[base + j]
        s1 += ds[r, c + j + 1] * values[base + j + 1]
        s2 += ds[r, c + j + 2] * values[base + j + 2]
        s3 += ds[r, c + j + 3] * values[base + j + 3]
        j += 4
    while j < n:
        s0 += ds[r, c + j] * values[base + j]
        j += 1
    return (s0 + s1) + (s2 + s3)


@numba.njit(cache=True, inline="always")
def _gradient_row(acts, ds, nb, c_in, c_out, n_out, g, gstart):
    """``g[gstart + j] = Σ_r a[r, c_in]·δz[r, c_out + j]``, a row of ``a_{l-1}ᵀ·δz_l``
    (``c_in < 0``: the bias's ``Σ_r δz[r, c_out + j]``)."""
    if c_in >= 0:
        a = acts[0, c_in]
        for j in range(n_out):
            g[gstart + j] = a * ds[0, c_out + j]
        for r in range(1, nb):
            a = acts[r, c_in]
            for j in range(n_out):
                g[gstart + j] += a * ds[r, c_out + j]
    else:
        for j in range(n_out):
            g[gstart + j] = ds[0, c_out + j]
        for r in range(1, nb):
            for j in range(n_out):
                g[gstart + j] += ds[r, c_out + j]


@numba.njit(cache=True)
def _backward(values, grads, state, layers, alphas, acts, zs, ds, row, nb, config, hyper, step_size, eps_t, store):
    """δ from the output down, each layer's gradients and (without clip_norm) its update at once, the
    gradient kept in ``grads`` only when ``store``. Returns whether a raw gradient was non-finite where
    ``clip_value`` could hide it. Row ``i < n_in`` of a layer is row ``i`` of ``W_l``, row ``n_in`` its bias."""
    opt, n = config[OPTIMIZER], values.shape[0]
    deferred = hyper[CLIP_NORM] > 0.0
    updated_first = config[OUTPUT_DELTA] == 2
    check = config[GUARD] != 0 and hyper[CLIP_VALUE] > 0.0
    bad = False
    for l in range(layers.shape[0] - 1, -1, -1):
        n_in, n_out, w_off, b_off = layers[l, N_IN], layers[l, N_OUT], layers[l, W_OFF], layers[l, B_OFF]
        c_in, c_out, w_decay = layers[l, COL_IN], layers[l, COL_OUT], layers[l, W_DECAY] != 0
        if l != layers.shape[0] - 1 or config[OUTPUT_DELTA] == 0:   # (Synaptic's rule: no f' at the output)
            _delta_z(layers, alphas, l, acts, zs, ds, nb)
        for i in range(n_in + (1 if b_off >= 0 else 0)):
            weight = i < n_in
            base = w_off + i * n_out if weight else b_off
            if weight and l > 0 and not updated_first:   # δa_{l-1} = δz_l·W_lᵀ, from the row before its update
                for r in range(nb):
                    ds[r, c_in + i] = _dot(ds, r, c_out, values, base, n_out)
            _gradient_row(acts, ds, nb, c_in + i if weight else -1, c_out, n_out, row, 0)   # row[j]: p[base + j]'s
            if _prepare(values, row, base, base, base + n_out, weight and w_decay, hyper, check):
                bad = True
            if not deferred:
                _apply(values, row, base, state, base, base + n_out, weight and w_decay, opt, hyper, n, step_size,
                       eps_t)
            if store or deferred:
                for j in range(n_out):
                    grads[base + j] = row[j]
            if weight and l > 0 and updated_first:   # Synaptic's order: from the updated row (plain SGD)
                for r in range(nb):
                    ds[r, c_in + i] = _dot(ds, r, c_out, values, base, n_out)
    if deferred:
        squares = 0.0
        for k in range(n):
            squares += grads[k] * grads[k]
        norm = math.sqrt(squares)
        if norm > hyper[CLIP_NORM]:
            factor = hyper[CLIP_NORM] / norm
            for k in range(n):
                grads[k] = grads[k] * factor
        for l in range(layers.shape[0]):
            n_in, n_out, w_off, b_off = layers[l, N_IN], layers[l, N_OUT], layers[l, W_OFF], layers[l, B_OFF]
            for i in range(n_in + (1 if b_off >= 0 else 0)):
                weight = i < n_in
                base = w_off + i * n_out if weight else b_off
                _apply(values, grads, base - base, state, base, base + n_out, weight and layers[l, W_DECAY] != 0,
                       opt, hyper, n, step_size, eps_t)   # (a computed 0: one compiled variant of _apply)
    return bad


@numba.njit(cache=True)
def run_epochs(x, t, sw, order, perms, bounds, values, grads, state, pred, layers, alphas, hyper, config, sums):
    """Learn up to ``sums.shape[0]`` epochs, each the batches ``bounds`` of ``order``; see the module docstring.

    ``x`` (N, n_0) and ``t`` (N, K) in the parameters' dtype; ``sw`` (N,) sample weights
    (read when ``config[WEIGHTED]``); ``order`` (N,) int64, the samples in the order of
    the epoch: before epoch ``e`` it becomes ``order[perms[e]]`` (``perms`` (E, N) from
    ``Generator.permuted``, which draws as ``E`` successive shuffles do; no rows: no
    shuffling); ``bounds`` (S, 2) each batch's first and last position; ``values``,
    ``grads`` the flat parameter and gradient vectors; ``state`` the optimizer's slots
    (velocity; or m' then v'); ``pred`` (N, K) gets ``ŷ`` at each sample's position in
    the order when ``config[KEEP_PRED]``; ``layers`` (L, 8) int64 rows ``n_in, n_out,
    weight offset, bias offset (-1: none), activation code, first column of the input,
    of the output, weight decays``; ``alphas`` (L,) the activations' parameters.

    Epoch ``e`` writes ``(Σ E·Σw, Σ Σw)`` over its batches to ``sums[e]``. Stops after the
    first epoch whose mean loss is ``<= hyper[STOP_ERROR]``, after ``config[MAX_STEPS]``
    steps in all, or (NaN guard) at a non-finite value. Returns ``(epochs, steps,
    optimizer iterations, status)``, status ``FINISHED`` or ``NON_FINITE`` (then the
    caller puts back the state it started from)."""
    last_layer = layers.shape[0] - 1
    c_out, k_out, n_0 = layers[last_layer, COL_OUT], t.shape[1], x.shape[1]
    width, widest = c_out + layers[last_layer, N_OUT], 1
    for s in range(bounds.shape[0]):
        widest = max(widest, bounds[s, 1] - bounds[s, 0])
    acts = np.empty((widest, width), dtype=values.dtype)      # a_l, z_l and δ of every layer, side by side
    zs = np.empty((widest, width), dtype=values.dtype)
    ds = np.empty((widest, width), dtype=values.dtype)
    row = np.empty(width, dtype=values.dtype)                 # one row of a gradient
    shuffled = np.empty_like(order)
    guard, opt, limit = config[GUARD] != 0, config[OPTIMIZER], hyper[LIMIT]
    steps_left, iterations = config[MAX_STEPS], config[ITERATIONS]
    epochs, steps = 0, 0
    for e in range(sums.shape[0]):
        if perms.shape[0] > 0:
            for i in range(order.shape[0]):
                shuffled[i] = order[perms[e, i]]
            order[:] = shuffled
        total, weight = 0.0, 0.0
        last = min(steps_left, bounds.shape[0]) - 1
        for s in range(last + 1):
            start, nb = bounds[s, 0], bounds[s, 1] - bounds[s, 0]
            for r in range(nb):
                sample = order[start + r]
                for i in range(n_0):
                    acts[r, i] = x[sample, i]
            _forward(values, layers, alphas, acts, zs, nb)
            value_b, weight_b = batch_loss(config[LOSS], hyper[LOSS_PARAM], hyper[LO], hyper[HI],
                                           config[WEIGHTED] != 0, acts, t, sw, order, start, nb, c_out, ds)
            if config[OUTPUT_DELTA] != 0:   # Synaptic's rule: δz_L = (ŷ - t)/B, as SynapticDelta.value_and_grad
                for r in range(nb):
                    sample = order[start + r]
                    for k in range(k_out):
                        ds[r, c_out + k] = (acts[r, c_out + k] - t[sample, k]) * (1.0 / nb)
            if config[KEEP_PRED] != 0:
                for r in range(nb):
                    for k in range(k_out):
                        pred[start + r, k] = acts[r, c_out + k]
            if guard and not abs(value_b) <= limit:
                return epochs, steps, iterations, NON_FINITE
            iterations += 1
            step_size, eps_t = 0.0, 0.0
            if opt != SGD:
                step_size, eps_t = adam_scales(hyper[LR], hyper[BETA1], hyper[BETA2], hyper[EPSILON], iterations)
            if _backward(values, grads, state, layers, alphas, acts, zs, ds, row, nb, config, hyper, step_size,
                         eps_t, s == last):
                return epochs, steps, iterations, NON_FINITE
            total += value_b * weight_b
            weight += weight_b
            steps += 1
            steps_left -= 1
        sums[e, 0], sums[e, 1] = total, weight
        epochs += 1
        if steps_left <= 0 or (total / weight if weight else 0.0) <= hyper[STOP_ERROR]:
            break
    if guard and not (all_finite(values) and all_finite(state)):
        return epochs, steps, iterations, NON_FINITE
    return epochs, steps, iterations, FINISHED
