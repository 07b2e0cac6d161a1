"""Normalisation layers: re-centre and re-scale activations, then learn a gain and shift.

Both layers compute, over an axis of ``N`` values::

    μ = mean(x),  σ² = mean((x - μ)²),  x̂ = (x - μ)/√(σ² + ε),  y = γ ⊙ x̂ + β

``BatchNorm`` normalises each feature over the batch (axis 0) and keeps running
statistics for inference; ``LayerNorm`` normalises each sample over its features.
Backward, with ``g = δy ⊙ γ`` (the gradient reaching ``x̂``)::

    ∂E/∂γ = Σ_batch δy ⊙ x̂,   ∂E/∂β = Σ_batch δy
    δx = (1/N)·(1/√(σ² + ε)) ⊙ (N·g - Σ g - x̂ ⊙ Σ (g ⊙ x̂))      (sums over the axis)
"""

from __future__ import annotations

import math

import numpy as np

from ._arguments import finite_real
from .registry import REGISTRY
from .base import ArraySpec, Layer

__all__ = ["BatchNorm", "LayerNorm"]


def _normalize_backward(grad_xhat, xhat, inv_std, axis):
    """``δx`` from ``δx̂`` for ``x̂ = (x - mean)·inv_std`` taken along ``axis``."""
    n = xhat.shape[axis]
    sum_g = grad_xhat.sum(axis=axis, keepdims=True)
    sum_gx = np.einsum("ij,ij->j" if axis == 0 else "ij,ij->i", grad_xhat, xhat)
    sum_gx = sum_gx[None, :] if axis == 0 else sum_gx[:, None]
    return (inv_std / n) * (n * grad_xhat - sum_g - xhat * sum_gx)


class _Normalization(Layer):
    def __init__(self, *, epsilon: float, name):
        super().__init__(name=name)
        epsilon = finite_real(epsilon, type(self).__name__, "epsilon")
        if not epsilon > 0:
            raise ValueError(f"{type(self).__name__}: epsilon must be > 0, got {epsilon!r}")
        self.epsilon = epsilon

    def plan(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(f"{type(self).__name__} takes (batch, features) input; got feature shape {input_shape}")
        n = input_shape[0]
        return [ArraySpec("gain", (n,), "ones", False), ArraySpec("bias", (n,), "zeros", False)], tuple(input_shape)

    def _affine(self, xhat, training):
        y = np.multiply(xhat, self.params["gain"], out=self.buffer("y", xhat.shape, training))
        y += self.params["bias"]
        return y

    def _backward(self, grad_y, axis):
        """``δx`` from ``δy`` by the formula in the module docstring; fills the gain and bias gradients."""
        xhat, inv_std = self._xhat, self._inv_std
        np.einsum("ij,ij->j", grad_y, xhat, out=self.grads["gain"])
        np.sum(grad_y, axis=0, out=self.grads["bias"])
        if not self.input_grad_needed:
            return None
        return _normalize_backward(grad_y * self.params["gain"], xhat, inv_std, axis)

    def release_buffers(self):
        super().release_buffers()
        self._xhat = self._inv_std = None


@REGISTRY.register
class BatchNorm(_Normalization):
    """Batch normalisation (Ioffe and Szegedy, 2015) of ``(batch, features)`` input.

    Training normalises with the batch's own mean and (biased) variance and updates
    the running statistics ``r ← (1 - momentum)·r + momentum·batch_stat`` (the
    running variance uses the unbiased batch variance). Inference normalises with
    the running statistics, so a prediction does not depend on the rest of its batch.

    Parameters
    ----------
    momentum : float in (0, 1], default 0.1
    epsilon : float, default 1e-5
    """

    has_training_mode = True
    min_batch = 2

    def __init__(self, *, momentum: float = 0.1, epsilon: float = 1e-5, name: str | None = None):
        super().__init__(epsilon=epsilon, name=name)
        momentum = finite_real(momentum, "BatchNorm", "momentum")
        if not 0.0 < momentum <= 1.0:
            raise ValueError(f"BatchNorm: momentum must be in (0, 1], got {momentum!r}")
        self.momentum = momentum

    def plan(self, input_shape):
        specs, shape = super().plan(input_shape)
        n = input_shape[0]
        return specs + [ArraySpec("running_mean", (n,), "zeros", None),
                        ArraySpec("running_var", (n,), "ones", None)], shape

    def forward(self, x, *, training=False):
        self.check_input(x)
        if training:
            if x.shape[0] < 2:
                raise ValueError(f"{self.describe()}: batch statistics need at least 2 samples per batch "
                                 f"in training; got a batch of {x.shape[0]}")
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            m, n = self.momentum, x.shape[0]
            self.state["running_mean"] *= 1.0 - m
            self.state["running_mean"] += m * mean
            self.state["running_var"] *= 1.0 - m
            self.state["running_var"] += (m * n / (n - 1)) * var
        else:
            mean, var = self.state["running_mean"], self.state["running_var"]
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = np.subtract(x, mean, out=self.buffer("xhat", x.shape, training))
        xhat *= inv_std
        if training:
            self._xhat, self._inv_std = xhat, inv_std[None, :]
        return self._affine(xhat, training)

    def backward(self, grad_y):
        return self._backward(grad_y, axis=0)

    def check_state(self):
        """Raise ``ValueError`` naming this layer, the statistic and the feature when a running
        mean is not finite or a running variance is not a finite number ``>= 0``."""
        for key in ("running_mean", "running_var"):
            values = self.state.get(key)
            if values is None or not values.size:
                continue
            flat = values.reshape(-1)
            low, high = float(flat.min()), float(flat.max())  # a NaN anywhere makes both NaN
            if -math.inf < low and high < math.inf and (key == "running_mean" or low >= 0):
                continue
            bad = ~np.isfinite(flat) if key == "running_mean" else ~(np.isfinite(flat) & (flat >= 0))
            i = int(np.flatnonzero(bad)[0])
            need = "finite" if key == "running_mean" else "a finite number >= 0"
            raise ValueError(f"{self.describe()}: {key} is {float(flat[i])} at feature {i}; it must be {need}")

    def get_config(self):
        return {"momentum": self.momentum, "epsilon": self.epsilon, **super().get_config()}


@REGISTRY.register
class LayerNorm(_Normalization):
    """Layer normalisation (Ba, Kiros and Hinton, 2016): each sample over its features.

    Behaves the same in training and inference.

    Parameters
    ----------
    epsilon : float, default 1e-5
    """

    def __init__(self, *, epsilon: float = 1e-5, name: str | None = None):
        super().__init__(epsilon=epsilon, name=name)

    def forward(self, x, *, training=False):
        self.check_input(x)
        mean = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = np.subtract(x, mean, out=self.buffer("xhat", x.shape, training))
        xhat *= inv_std
        if training:
            self._xhat, self._inv_std = xhat, inv_std
        return self._affine(xhat, training)

    def backward(self, grad_y):
        return self._backward(grad_y, axis=1)

    def get_config(self):
        return {"epsilon": self.epsilon, **super().get_config()}
