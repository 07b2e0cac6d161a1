"""Rprop: step sizes adapted from the sign of the gradient alone (full-batch training)."""

from __future__ import annotations

import numpy as np

from .base import Optimizer

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""iRprop⁻ (Igel and Hüsken, 2000), resilient backpropagation.

    Each parameter keeps its own step size ``Δ`` (starting at ``learning_rate``)
    and the previous gradient ``g'`` (starting at 0)::

        if g·g' > 0:  Δ ← min(Δ·η⁺, Δ_max)
        if g·g' < 0:  Δ ← max(Δ·η⁻, Δ_min);  g ← 0     (skip this step, forget g)
        p ← p - sign(g)·Δ
        g' ← g

    Only the gradient's sign is used, so Rprop suits full-batch training; with
    small mini-batches the signs are noisy.

    Parameters
    ----------
    learning_rate : float, default 0.01
        The initial step size ``Δ_0``.
    etas : (float, float), default (0.5, 1.2)
        ``(η⁻, η⁺)`` with ``0 < η⁻ < 1 < η⁺``.
    step_sizes : (float, float), default (1e-6, 50)
        ``(Δ_min, Δ_max)``.
    """

    name = "rprop"
    slots = ("step_size", "prev_grad")
    positive_slots = ("step_size",)

    def __init__(self, learning_rate: float = 0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), **kwargs):
        super().__init__(learning_rate, **kwargs)
        eta_minus, eta_plus = map(float, etas)
        if not (0 < eta_minus < 1 < eta_plus):
            raise ValueError(f"rprop: etas must satisfy 0 < eta_minus < 1 < eta_plus, got {etas!r}")
        step_min, step_max = map(float, step_sizes)
        if not (0 < step_min <= step_max):
            raise ValueError(f"rprop: step_sizes must satisfy 0 < min <= max, got {step_sizes!r}")
        self.etas, self.step_sizes = (eta_minus, eta_plus), (step_min, step_max)

    def _initial_slot(self, slot, params):
        fill = self.learning_rate if slot == "step_size" else 0.0
        return np.full(params.size, fill, dtype=params.dtype)

    def _update(self, p, g, params):
        step, prev, agree = self._state["step_size"], self._state["prev_grad"], self._tmp
        eta_minus, eta_plus = self.etas
        np.multiply(g, prev, out=agree)
        factor = np.where(agree > 0, eta_plus, np.where(agree < 0, eta_minus, 1.0)).astype(p.dtype)
        step *= factor
        np.clip(step, *self.step_sizes, out=step)
        g[agree < 0] = 0.0
        np.sign(g, out=agree)
        agree *= step
        p -= agree
        prev[...] = g

    def _fused_update(self, kernels, p, g, blocks, gradient):
        h = np.array([*gradient, *self.etas, *self.step_sizes], dtype=p.dtype)
        kernels.rprop(p, g, self._state["step_size"], self._state["prev_grad"], blocks, h)

    def get_config(self):
        return {**super().get_config(), "etas": list(self.etas), "step_sizes": list(self.step_sizes)}
