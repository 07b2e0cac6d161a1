"""Losses for classes: binary cross-entropy on probabilities and on logits, categorical cross-entropy,
and softmax cross-entropy fused on logits."""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid, softmax
from .base import _PROB_EPS, Loss, _class_targets

__all__ = ["BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "CategoricalCrossEntropy", "SoftmaxCrossEntropy"]


class BinaryCrossEntropy(Loss):
    """Cross-entropy of independent probabilities ``p = ŷ`` in (0, 1); mean over outputs.

    ``ℓ_i = -(1/K)·Σ_k [t·ln p + (1 - t)·ln(1 - p)]``,
    ``∂ℓ_i/∂p = (p - t) / (p·(1 - p)) / K``. ``p`` is clipped into ``[1e-7, 1 - 1e-7]``.
    Prefer ``binary_cross_entropy_logits`` after a linear output layer: it is exact
    where this one has to clip.
    """

    name = "binary_cross_entropy"
    probabilities = True

    def _per_sample(self, y_pred, y_true):
        p = np.clip(y_pred, _PROB_EPS, 1.0 - _PROB_EPS)
        return -(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p)).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        p = np.clip(y_pred, _PROB_EPS, 1.0 - _PROB_EPS)
        out = np.subtract(p, y_true, out=out)
        out /= p * (1.0 - p)
        out *= 1.0 / y_pred.shape[1]
        return out


class BinaryCrossEntropyWithLogits(Loss):
    """Binary cross-entropy on logits ``z`` (``p = σ(z)``), stable; mean over outputs.

    ``ℓ_i = (1/K)·Σ_k [max(z, 0) - z·t + ln(1 + e^(-|z|))]`` (never overflows),
    ``∂ℓ_i/∂z = (σ(z) - t)/K``. ``link`` returns ``σ(z)``.
    """

    name = "binary_cross_entropy_logits"
    probabilities = True

    def _per_sample(self, y_pred, y_true):
        z = y_pred
        return (np.maximum(z, 0.0) - z * y_true + np.log1p(np.exp(-np.abs(z)))).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = sigmoid(y_pred, out=out)
        out -= y_true
        out *= 1.0 / y_pred.shape[1]
        return out

    def link(self, y_pred):
        return sigmoid(np.asarray(y_pred))


class CategoricalCrossEntropy(Loss):
    """Cross-entropy of class probabilities ``p = ŷ`` (rows summing to 1, e.g. a softmax layer).

    ``ℓ_i = -Σ_k t_ik·ln p_ik``, ``∂ℓ_i/∂p_ik = -t_ik / p_ik``; ``p`` clipped at 1e-7.
    Targets are one-hot (or probability) rows, or integer class labels.
    """

    name = "categorical_cross_entropy"
    probabilities = True
    categorical = True

    def prepare_targets(self, y_true, n_outputs, dtype):
        return _class_targets(self.name, y_true, n_outputs, dtype)

    def _per_sample(self, y_pred, y_true):
        return -np.einsum("ik,ik->i", y_true, np.log(np.clip(y_pred, _PROB_EPS, None)))

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.divide(y_true, np.clip(y_pred, _PROB_EPS, None), out=out)
        np.negative(out, out=out)
        return out


class SoftmaxCrossEntropy(Loss):
    """Softmax and cross-entropy fused, on logits ``z`` (a linear output layer).

    ``p = softmax(z)``, ``ℓ_i = -Σ_k t_ik·ln p_ik = logsumexp(z_i) - Σ_k t_ik·z_ik``
    (targets summing to 1), computed with the row maximum subtracted so it never
    overflows. The gradient is the clean ``∂ℓ_i/∂z_ik = p_ik - t_ik``: the softmax
    Jacobian and the ``1/p`` of the logarithm cancel. ``link`` returns ``p``.
    """

    name = "softmax_cross_entropy"
    probabilities = True
    categorical = True

    def value_and_grad(self, y_pred, y_true, sample_weight=None, out=None):
        if sample_weight is not None:
            return super().value_and_grad(y_pred, y_true, sample_weight, out)
        # s = z - max z;  E = mean(log Σ e^s) - Σ t·s / n;  ∂E/∂z = (e^s / Σ e^s - t) / n
        n = y_pred.shape[0]
        s = np.subtract(y_pred, y_pred.max(axis=1, keepdims=True), out=out)
        target_term = float(np.vdot(y_true, s))
        np.exp(s, out=s)
        sums = s.sum(axis=1, keepdims=True)
        value = (float(np.log(sums).sum(dtype=np.float64)) - target_term) / n
        s /= sums
        s -= y_true
        s *= 1.0 / n
        return value, s

    def prepare_targets(self, y_true, n_outputs, dtype):
        return _class_targets(self.name, y_true, n_outputs, dtype)

    def _per_sample(self, y_pred, y_true):
        shifted = y_pred - y_pred.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1))
        return log_sum - np.einsum("ik,ik->i", y_true, shifted)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = softmax(y_pred, out=out)
        out -= y_true
        return out

    def link(self, y_pred):
        return softmax(np.asarray(y_pred))
