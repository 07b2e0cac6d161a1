r"""A layer reading itself in order: Synaptic's neuron-by-neuron activation, for one layer.

Synaptic activates the neurons of a layer one after another, so neuron ``j`` sees the
new activation of every neuron ``i < j`` of its own layer and the previous step's of
every ``i > j``. A layer's ``in_order`` connections (summed into one matrix ``W``,
its diagonal absent) add to the state of neuron ``j`` at step ``t``::

    s_j(t) += Σ_{i<j} W_ij·a_i(t) + Σ_{i>j} W_ij·a_i(t-1)        a_j(t) = f(s_j(t))

that is ``a(t-1)·L`` for the strictly lower triangle ``L`` of ``W`` (one product) and,
neuron by neuron, ``a_{<j}(t)·U_{<j,j}`` for the strictly upper triangle ``U``. The
backward pass walks the neurons in reverse, so ``∂E/∂a_j(t)`` is complete (it gains
``δs_k(t)·U_jk`` from every later neuron ``k``) before ``δs_j = f'_j·∂E/∂a_j`` is formed::

    δa_{<j}(t) += δs_j(t)·U_{<j,j}        δa(t-1) += δs(t)·Lᵀ
    ∂E/∂W = triu(Σ_t a(t)ᵀ·δs(t), 1) + tril(Σ_t a(t-1)ᵀ·δs(t), -1)
"""

from __future__ import annotations

import numpy as np

__all__ = ["order_backward", "order_forward", "order_gradient", "order_matrices"]


def order_matrices(weights) -> tuple:
    """``(L, U)``: the summed ``in_order`` weights read at the previous step and at this one."""
    total = weights[0] if len(weights) == 1 else np.sum(weights, axis=0)
    return np.tril(total, -1), np.triu(total, 1)


def order_forward(activation, state, acts, k, lower, upper) -> None:
    """Finish step ``k`` of a layer: ``state`` (B, n) holds every other term; ``acts`` (T+1, B, n)
    receives ``a(k)``, neuron by neuron."""
    state += acts[k - 1] @ lower
    a = acts[k]
    for j in range(state.shape[1]):
        if j:
            state[:, j] += a[:, :j] @ upper[:j, j]
        activation.forward(state[:, j:j + 1], out=a[:, j:j + 1])


def order_backward(activation, dact, state, act, upper, out, carry=None):
    """``δs`` of one step (written to ``out``), the neurons in reverse: ``dact`` (B, n) is
    ``∂E/∂a`` from everything outside the layer's current step and is completed in place;
    ``carry`` (B, n) is the self-connection's ``δs`` from the next step."""
    for j in range(dact.shape[1] - 1, -1, -1):
        ds = activation.backward(dact[:, j:j + 1], state[:, j:j + 1], act[:, j:j + 1], out=out[:, j:j + 1])
        if carry is not None:
            ds += carry[:, j:j + 1]
        if j:
            dact[:, :j] += ds * upper[:j, j]
    return out


def order_gradient(acts, dstates) -> np.ndarray:
    """``∂E/∂W`` of a layer's ``in_order`` weights from its activations ``(T+1, B, n)`` and
    state gradients ``(T, B, n)``."""
    T, B, n = dstates.shape
    d = dstates.reshape(T * B, n)
    now = acts[1:].reshape(T * B, n).T @ d
    before = acts[:T].reshape(T * B, n).T @ d
    return np.triu(now, 1) + np.tril(before, -1)
