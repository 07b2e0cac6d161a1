"""RMSprop: rates scaled by a running average of squared gradients."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_positive, _check_unit_interval

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman and Hinton, 2012).

    ``s`` starts at 0::

        s ← ρ·s + (1 - ρ)·g²
        p ← p - η·g / (√s + ε)

    ``ε`` is added outside the square root (PyTorch's convention).

    Parameters
    ----------
    learning_rate : float, default 0.001
    rho : float in [0, 1), default 0.9
    epsilon : float, default 1e-8
    """

    name = "rmsprop"
    slots = ("square_avg",)
    non_negative_slots = ("square_avg",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-8, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_unit_interval("rho", rho, self.name)
        _check_positive("epsilon", epsilon, self.name)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def _update(self, p, g, params):
        s, tmp = self._state["square_avg"], self._tmp
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.rho
        s *= self.rho
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= self.learning_rate
        p -= tmp

    def _fused_update(self, kernels, p, g, blocks, gradient):
        h = np.array([*gradient, self.learning_rate, self.rho, 1.0 - self.rho, self.epsilon], dtype=p.dtype)
        kernels.rmsprop(p, g, self._state["square_avg"], blocks, h)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
