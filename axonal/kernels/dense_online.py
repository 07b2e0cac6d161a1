"""Online learning (one sample a step) for the compiled dense epoch (:mod:`axonal.kernels.dense_epoch`).

The NumPy reference is that module's: :class:`axonal.training.backprop.Backprop` stepping a
stack of :class:`~axonal.layers.Dense` layers with :class:`~axonal.optimizers.SGD`, ``Adam``
or ``AdamW``, here with batches of one sample ``a_0 = x_r`` (n_0,). For each layer
``l = 1..L`` (``W_l`` (n_{l-1}, n_l), ``b_l`` (n_l,), views of the flat parameter vector ``p``)::

    z_l = a_{l-1}·W_l + b_l,   a_l = f_l(z_l)                              (n_l,)
    E = ℓ(a_L, t_r)  (dense_loss.term/finish; weighted: w_r·ℓ/w_r),   δa_L = ∂E/∂a_L
    δz_l = δa_l ⊙ f_l'(z_l)    (softmax: y ⊙ (δa - Σ δa·y))
    ∂E/∂W_l[i, j] = a_{l-1,i}·δz_{l,j},   ∂E/∂b_l = δz_l,   δa_{l-1,i} = Σ_j δz_{l,j}·W_l[i, j]

With ``config[OUTPUT_DELTA]`` (Synaptic's rule, :class:`axonal.losses.SynapticDelta` with the
output activation wrapped by :func:`axonal.losses.synaptic.synaptic_output`) ``E`` is still the
cost's, but ``δz_L = a_L - t_r`` (K,): no ``∂ℓ/∂ŷ`` and no ``f_L'``; with ``config[OUTPUT_DELTA] = 2``
also Synaptic's update order, ``δa_{l-1,i}`` read from row ``i`` of ``W_l`` *after* its update
(:mod:`axonal.losses.synaptic`; plain SGD only).

Each row of ``W_l`` (then ``b_l``) is updated as soon as ``δa_{l-1,i}`` has read it,
element by element: ``g ← g + l2·w + l1·sign(w)`` (weights with decay), ``g ← clip(g,
±clip_value)``, then SGD ``p ← p - η·g`` (momentum ``v ← μ·v + g``, ``p ← p - η·v``;
Nesterov ``p ← p - η·(μ·v + g)``) or Adam/AdamW ``m' ← β1·m' + g``, ``v' ← β2·v' + g²``,
``p ← p - c_t·m'/(√v' + ε_t)`` (AdamW first ``w ← w·(1 - η·λ)`` on weights). ``clip_norm``
needs the whole gradient first: that case takes dense_epoch's batch path.

The sums run over ``i`` from 0 (``z``, then ``+ b``, in the parameters' dtype, as the batch
path's ``z``) and over ``j`` from 0 (``δa``; the batch path sums in four interleaved parts,
NumPy's matrix products in their own order: they agree to rounding).

Everything of a step is written out in :func:`online_epochs` itself, the dispatch on the
activation and on the optimizer hoisted out of the loops over neurons (logistic, tanh,
identity and plain SGD each have a loop of their own): a call of a compiled function
passing arrays costs reference counts on each array, more than a small layer's work.
The logistic is computed as ``1/(1 + e^-z)`` (``e^z/(1 + e^z)`` for ``z < 0``, so that it
never overflows; both from ``e^-|z|``, without a branch), Synaptic's form: ``exp`` costs a
third of ``tanh``, and it agrees with the reference's ``(1 + tanh(z/2))/2`` to an ulp. Buffer
indices are cast to unsigned (``U``, see :mod:`axonal.kernels.graph_step`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .activations import IDENTITY, LOGISTIC, SOFTMAX, TANH, ZERO_GRADIENT, slope_of, value_of
from .dense_loss import MSE, SOFTMAX_CE, finish, term
from .graph_step import U

__all__ = ["online_epochs"]

# dense_epoch's numbering of its tables (that module checks, when imported, that these agree with its own)
SGD, ADAM, ADAMW = range(3)
LR, MOMENTUM, NESTEROV, BETA1, BETA2, EPSILON, DECAY, L1, L2, CLIP_VALUE, CLIP_NORM, LOSS_PARAM, LO, HI, LIMIT, \
    STOP_ERROR = range(16)
OPTIMIZER, LOSS, ITERATIONS, GUARD, MAX_STEPS, KEEP_PRED, WEIGHTED, OUTPUT_DELTA = range(8)
N_IN, N_OUT, W_OFF, B_OFF, CODE, COL_IN, COL_OUT, W_DECAY = range(8)
FINISHED, NON_FINITE = 0, 1


@numba.njit(cache=True)
def all_finite(v):
    """Whether every value of the vector ``v`` is finite."""
    for k in range(v.shape[0]):
        if not math.isfinite(v[k]):
            return False
    return True


@numba.njit(cache=True)
def adam_scales(lr, b1, b2, epsilon, iterations):
    """Adam's bias corrections at step ``t``, as :class:`~axonal.optimizers.Adam` writes them:
    ``(c_t, ε_t) = (η·(1 - β1)/(1 - β1^t)·r, ε·r)`` with ``r = √((1 - β2^t)/(1 - β2))``."""
    it = float(iterations)
    root = math.sqrt((1.0 - b2 ** it) / (1.0 - b2))
    return lr * (1.0 - b1) / (1.0 - b1 ** it) * root, epsilon * root


@numba.njit(cache=True)
def online_epochs(x, t, sw, order, perms, bounds, values, grads, state, pred, layers, alphas, hyper, config, sums):
    """:func:`axonal.kernels.dense_epoch.run_epochs` (the same arguments and results) for batches of
    one sample each: ``bounds[s] = (s, s + 1)``, and no ``clip_norm`` (``hyper[CLIP_NORM] <= 0``)."""
    for s in range(bounds.shape[0]):
        if bounds[s, 1] - bounds[s, 0] != 1:
            raise ValueError("online_epochs: every batch must hold one sample")
    if hyper[CLIP_NORM] > 0.0:
        raise ValueError("online_epochs: clip_norm needs run_epochs")
    n_layers = layers.shape[0]
    width = layers[n_layers - 1, COL_OUT] + layers[n_layers - 1, N_OUT]
    a = np.empty(width, dtype=values.dtype)    # a_l, z_l and δ of every layer, side by side
    z = np.empty(width, dtype=values.dtype)
    d = np.empty(width, dtype=values.dtype)
    shuffled = np.empty_like(order)
    n_0, k_out = x.shape[1], t.shape[1]
    c_last = layers[n_layers - 1, COL_OUT]
    one, zero = values.dtype.type(1), values.dtype.type(0)
    guard, opt, limit = config[GUARD] != 0, config[OPTIMIZER], hyper[LIMIT]
    loss, param, lo, hi = config[LOSS], hyper[LOSS_PARAM], hyper[LO], hyper[HI]
    weighted, keep = config[WEIGHTED] != 0, config[KEEP_PRED] != 0
    mse_whole = loss == MSE and not weighted
    delta_rule, updated_first = config[OUTPUT_DELTA] != 0, config[OUTPUT_DELTA] == 2
    lr, mu, nesterov, b1, b2 = hyper[LR], hyper[MOMENTUM], hyper[NESTEROV] != 0.0, hyper[BETA1], hyper[BETA2]
    l1, l2, clip, shrink = hyper[L1], hyper[L2], hyper[CLIP_VALUE], 1.0 - hyper[LR] * hyper[DECAY]
    penalised = l1 != 0.0 or l2 != 0.0
    check = guard and clip > 0.0          # a non-finite gradient that clipping could hide
    n = values.shape[0]
    steps_left, iterations = config[MAX_STEPS], config[ITERATIONS]
    epochs, steps = 0, 0
    for e in range(sums.shape[0]):
        if perms.shape[0] > 0:
            for i in range(order.shape[0]):
                shuffled[i] = order[perms[e, i]]
            for i in range(order.shape[0]):
                order[i] = shuffled[i]
        total, weight = 0.0, 0.0
        last = min(steps_left, bounds.shape[0]) - 1
        for s in range(last + 1):
            start = bounds[s, 0]
            row = order[start]
            for i in range(n_0):
                a[U(i)] = x[row, i]
            # -- forward ---------------------------------------------------------------------------------
            for l in range(n_layers):
                n_in, n_out, w_off, b_off = layers[l, N_IN], layers[l, N_OUT], layers[l, W_OFF], layers[l, B_OFF]
                code, c_in, c_out = layers[l, CODE], layers[l, COL_IN], layers[l, COL_OUT]
                if n_out < 4:   # few outputs: each z_j in a register
                    for j in range(n_out):
                        acc = zero
                        for i in range(n_in):
                            acc += a[U(c_in + i)] * values[U(w_off + i * n_out + j)]
                        z[U(c_out + j)] = acc
                else:
                    for j in range(n_out):
                        z[U(c_out + j)] = zero
                    for i in range(n_in):
                        ai, base = a[U(c_in + i)], w_off + i * n_out
                        for j in range(n_out):
                            z[U(c_out + j)] += ai * values[U(base + j)]
                if b_off >= 0:
                    for j in range(n_out):
                        z[U(c_out + j)] += values[U(b_off + j)]
                if code == LOGISTIC:   # 1/(1 + e^-z), e^z/(1 + e^z) below 0 (see the module docstring)
                    for j in range(n_out):
                        zj = z[U(c_out + j)]
                        ez = math.exp(-abs(zj))             # e^-z, or e^z below 0: no branch to mispredict
                        a[U(c_out + j)] = (1.0 if zj >= 0.0 else ez) / (1.0 + ez)
                elif code == TANH:
                    for j in range(n_out):
                        a[U(c_out + j)] = math.tanh(z[U(c_out + j)])
                elif code == IDENTITY:
                    for j in range(n_out):
                        a[U(c_out + j)] = z[U(c_out + j)]
                elif code == SOFTMAX:   # e^(z_k - max z)/Σ_j e^(z_j - max z), as activations.softmax_row
                    top = z[U(c_out)]
                    for j in range(1, n_out):
                        if z[U(c_out + j)] > top:
                            top = z[U(c_out + j)]
                    sum_e = 0.0
                    for j in range(n_out):
                        a[U(c_out + j)] = math.exp(z[U(c_out + j)] - top)
                        sum_e += a[U(c_out + j)]
                    for j in range(n_out):
                        a[U(c_out + j)] /= sum_e
                else:
                    alpha = alphas[l]
                    for j in range(n_out):
                        a[U(c_out + j)] = value_of(code, alpha, z[U(c_out + j)])
            # -- the loss: E and ∂E/∂ŷ in d[c_last:], as dense_loss.batch_loss for one row ----------------
            if loss == SOFTMAX_CE:   # ℓ = logsumexp(ŷ) - Σ t·ŷ, ∂ℓ/∂ŷ = softmax(ŷ) - t (_sample_loss)
                top = a[U(c_last)]
                for k in range(1, k_out):
                    if a[U(c_last + k)] > top:
                        top = a[U(c_last + k)]
                sum_e, dot = 0.0, 0.0
                for k in range(k_out):
                    shifted = a[U(c_last + k)] - top
                    dot += t[row, k] * shifted
                    d[U(c_last + k)] = math.exp(shifted)
                    sum_e += d[U(c_last + k)]
                for k in range(k_out):
                    d[U(c_last + k)] = d[U(c_last + k)] / sum_e - t[row, k]
                ell = math.log(sum_e) - dot
            else:
                parts = 0.0
                for k in range(k_out):
                    part, dl = term(loss, param, lo, hi, a[U(c_last + k)], t[row, k], k_out, mse_whole)
                    parts += part
                    d[U(c_last + k)] = dl
                ell = finish(loss, parts, k_out)
            if weighted:   # E and the scale of ∂E/∂ŷ as dense_loss.batch_loss has them for one row
                total_w = 0.0 + sw[row]
                scale = sw[row] / total_w if total_w > 0 else 0.0
                value_b, weight_b = ((0.0 + ell * sw[row]) / total_w if total_w > 0 else 0.0), total_w
            else:
                scale = 2.0 / k_out if mse_whole else 1.0
                value_b, weight_b = (0.0 + ell) / 1, 1.0
            for k in range(k_out):
                d[U(c_last + k)] = d[U(c_last + k)] * scale
            if delta_rule:   # Synaptic's rule: δz_L = ŷ - t (the plan leaves weighted runs to NumPy)
                for k in range(k_out):
                    d[U(c_last + k)] = a[U(c_last + k)] - t[row, k]
            if keep:
                for k in range(k_out):
                    pred[start, k] = a[U(c_last + k)]
            if guard and not abs(value_b) <= limit:
                return epochs, steps, iterations, NON_FINITE
            iterations += 1
            step_size, eps_t = 0.0, 0.0
            if opt != SGD:
                step_size, eps_t = adam_scales(lr, b1, b2, hyper[EPSILON], iterations)
            # -- backward, each row updated once δa has read it ----------------------------------------------
            store = s == last      # the flat gradient ends holding the last step's
            plain_sgd = opt == SGD and mu == 0.0 and clip <= 0.0 and not store
            bad = False
            for l in range(n_layers - 1, -1, -1):
                n_in, n_out, w_off, b_off = layers[l, N_IN], layers[l, N_OUT], layers[l, W_OFF], layers[l, B_OFF]
                code, c_in, c_out, w_decay = layers[l, CODE], layers[l, COL_IN], layers[l, COL_OUT], layers[l, W_DECAY]
                if delta_rule and l == n_layers - 1:
                    pass   # Synaptic's rule: the output's f' is skipped
                elif code == LOGISTIC:
                    for j in range(n_out):
                        y = a[U(c_out + j)]
                        d[U(c_out + j)] = d[U(c_out + j)] * ((1.0 - y) * y)
                elif code == TANH:
                    for j in range(n_out):
                        y = a[U(c_out + j)]
                        d[U(c_out + j)] = d[U(c_out + j)] * (1.0 - y * y)
                elif code == SOFTMAX:   # as activations.softmax_vjp_row
                    dot = 0.0
                    for j in range(n_out):
                        dot += d[U(c_out + j)] * a[U(c_out + j)]
                    for j in range(n_out):
                        d[U(c_out + j)] = (d[U(c_out + j)] - dot) * a[U(c_out + j)]
                elif code >= ZERO_GRADIENT:
                    for j in range(n_out):
                        d[U(c_out + j)] = 0.0
                elif code != IDENTITY:
                    alpha = alphas[l]
                    for j in range(n_out):
                        d[U(c_out + j)] = d[U(c_out + j)] * slope_of(code, alpha, z[U(c_out + j)], a[U(c_out + j)])
                rows = n_in + (1 if b_off >= 0 else 0)   # row n_in: the bias, its gradient 1·δz = δz
                decay = w_decay != 0 and penalised
                if plain_sgd and not decay:   # p ← p - η·a_i·δz_j, δa_i summed from the old row on the way
                    for i in range(rows):
                        weights = i < n_in
                        ai, base = (a[U(c_in + i)], w_off + i * n_out) if weights else (one, b_off)
                        acc = 0.0
                        for j in range(n_out):
                            dj, w = d[U(c_out + j)], values[U(base + j)]
                            new = w - ai * dj * lr
                            acc += dj * (new if updated_first else w)
                            values[U(base + j)] = new
                        if l > 0 and weights:
                            d[U(c_in + i)] = acc
                    continue
                for i in range(rows):
                    weights = i < n_in
                    ai, base = (a[U(c_in + i)], w_off + i * n_out) if weights else (one, b_off)
                    if l > 0 and weights and not updated_first:   # δa_{l-1} = δz_l·W_lᵀ, the row before
                        acc = 0.0
                        for j in range(n_out):
                            acc += d[U(c_out + j)] * values[U(base + j)]
                        d[U(c_in + i)] = acc
                    penalty, shrunk = weights and decay, weights and w_decay != 0 and opt == ADAMW
                    for j in range(n_out):
                        k = base + j
                        g = ai * d[U(c_out + j)]
                        w = values[U(k)]
                        if check and not math.isfinite(g):
                            bad = True
                        if penalty:
                            if l2 != 0.0:
                                g = g + l2 * w
                            if l1 != 0.0:
                                g = g + l1 * (1.0 if w > 0 else (-1.0 if w < 0 else w * 0.0))
                        if clip > 0.0:
                            g = clip if g > clip else (-clip if g < -clip else g)
                        if store:
                            grads[U(k)] = g
                        if opt == SGD:   # (a state read back after its store: its rounding, as the batch path)
                            if mu == 0.0:
                                values[U(k)] = w - g * lr
                            else:
                                state[U(k)] = state[U(k)] * mu + g
                                values[U(k)] = w - ((state[U(k)] * mu + g) if nesterov else state[U(k)]) * lr
                        else:
                            if shrunk:
                                values[U(k)] = w * shrink
                            state[U(k)] = state[U(k)] * b1 + g
                            state[U(n + k)] = state[U(n + k)] * b2 + g * g
                            values[U(k)] = values[U(k)] - state[U(k)] / (math.sqrt(state[U(n + k)]) + eps_t) * step_size
                    if l > 0 and weights and updated_first:   # Synaptic's order: from the updated row
                        acc = 0.0
                        for j in range(n_out):
                            acc += d[U(c_out + j)] * values[U(base + j)]
                        d[U(c_in + i)] = acc
            if bad:
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
