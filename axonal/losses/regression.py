"""Losses for numbers to predict: mean squared error, the articles' ½Σ squared error, mean absolute error, Huber."""

from __future__ import annotations

import numpy as np

from .base import Loss

__all__ = ["MeanSquaredError", "SquaredError", "MeanAbsoluteError", "Huber"]


class MeanSquaredError(Loss):
    """``ℓ_i = (1/K)·Σ_k (ŷ_ik - t_ik)²``: the mean over outputs, no ½.

    This is the MSE of Synaptic, Keras and PyTorch. ``∂ℓ_i/∂ŷ_ik = 2·(ŷ_ik - t_ik)/K``.
    """

    name = "mse"

    def value_and_grad(self, y_pred, y_true, sample_weight=None, out=None):
        if sample_weight is not None:
            return super().value_and_grad(y_pred, y_true, sample_weight, out)
        # One residual r = ŷ - t serves both: E = Σ r² / (n·K), ∂E/∂ŷ = 2r / (n·K).
        r = np.subtract(y_pred, y_true, out=out)
        size = r.size
        value = float(np.vdot(r, r)) / size
        r *= 2.0 / size
        return value, r

    def _per_sample(self, y_pred, y_true):
        r = y_pred - y_true
        return np.einsum("ik,ik->i", r, r) / y_pred.shape[1]

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.subtract(y_pred, y_true, out=out)
        out *= 2.0 / y_pred.shape[1]
        return out


class SquaredError(Loss):
    """The articles' error ``ℓ_i = ½·Σ_k (t_ik - ŷ_ik)²``: half the sum over outputs.

    The ½ cancels in the derivative: ``∂ℓ_i/∂ŷ_ik = ŷ_ik - t_ik``, the delta rule's
    output error. (scikit-learn's ``squared_error`` MLP loss is this divided by K.)
    """

    name = "squared_error"

    def _per_sample(self, y_pred, y_true):
        r = y_pred - y_true
        return 0.5 * np.einsum("ik,ik->i", r, r)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        return np.subtract(y_pred, y_true, out=out)


class MeanAbsoluteError(Loss):
    """``ℓ_i = (1/K)·Σ_k |ŷ_ik - t_ik|``; ``∂ℓ_i/∂ŷ_ik = sign(ŷ_ik - t_ik)/K`` (0 at 0)."""

    name = "mae"

    def _per_sample(self, y_pred, y_true):
        return np.abs(y_pred - y_true).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.subtract(y_pred, y_true, out=out)
        np.sign(out, out=out)
        out *= 1.0 / y_pred.shape[1]
        return out


class Huber(Loss):
    """Huber loss, quadratic near 0 and linear beyond ``delta``; mean over outputs.

    With ``r = ŷ - t``: ``ρ(r) = ½r²`` if ``|r| <= δ`` else ``δ·(|r| - ½δ)``;
    ``ρ'(r) = clip(r, -δ, δ)``.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        if not delta > 0:
            raise ValueError(f"huber: delta must be > 0, got {delta!r}")
        self.delta = float(delta)

    def _per_sample(self, y_pred, y_true):
        a = np.abs(y_pred - y_true)
        quad = np.minimum(a, self.delta)
        # ½·q² + δ·(|r| - q) equals both branches of ρ.
        return (0.5 * quad * quad + self.delta * (a - quad)).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.subtract(y_pred, y_true, out=out)
        np.clip(out, -self.delta, self.delta, out=out)
        out *= 1.0 / y_pred.shape[1]
        return out

    def get_config(self):
        return {"name": self.name, "delta": self.delta}
