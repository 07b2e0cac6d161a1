"""Adagrad: per-parameter rates that shrink with the gradients seen so far."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_positive

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan and Singer, 2011).

    ``G`` starts at ``initial_accumulator``::

        G ← G + g²
        p ← p - η·g / (√G + ε)

    ``ε`` is added outside the square root (PyTorch's convention).

    Parameters
    ----------
    learning_rate : float, default 0.01
    epsilon : float, default 1e-10
    initial_accumulator : float, default 0
    """

    name = "adagrad"
    slots = ("accumulator",)
    non_negative_slots = ("accumulator",)

    def __init__(self, learning_rate: float = 0.01, epsilon: float = 1e-10,
                 initial_accumulator: float = 0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_positive("epsilon", epsilon, self.name)
        if not initial_accumulator >= 0:
            raise ValueError(f"adagrad: initial_accumulator must be >= 0, got {initial_accumulator!r}")
        self.epsilon = float(epsilon)
        self.initial_accumulator = float(initial_accumulator)

    def _initial_slot(self, slot, params):
        return np.full(params.size, self.initial_accumulator, dtype=params.dtype)

    def _update(self, p, g, params):
        G, tmp = self._state["accumulator"], self._tmp
        np.multiply(g, g, out=tmp)
        G += tmp
        np.sqrt(G, out=tmp)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= self.learning_rate
        p -= tmp

    def _fused_update(self, kernels, p, g, blocks, gradient):
        h = np.array([*gradient, self.learning_rate, self.epsilon], dtype=p.dtype)
        kernels.adagrad(p, g, self._state["accumulator"], blocks, h)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon,
                "initial_accumulator": self.initial_accumulator}
