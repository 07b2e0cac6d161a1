"""Adam and AdamW: momentum plus per-parameter rates, with bias correction."""

from __future__ import annotations

import math

import numpy as np

from .base import Optimizer, _check_positive, _check_unit_interval

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015).

    ``m`` and ``v`` start at 0; ``t`` counts steps from 1::

        m ← β1·m + (1 - β1)·g
        v ← β2·v + (1 - β2)·g²
        m̂ = m / (1 - β1^t),   v̂ = v / (1 - β2^t)
        p ← p - η·m̂ / (√v̂ + ε)

    Epsilon convention: ``ε`` is added to ``√v̂`` (after bias correction), as in the
    paper and PyTorch.

    The code keeps the moments unnormalised, ``m' = m/(1 - β1)`` and ``v' = v/(1 - β2)``,
    so that their updates are ``m' ← β1·m' + g`` and ``v' ← β2·v' + g²`` (two and three
    passes over memory), and folds every constant into scalars::

        p ← p - c_t·m' / (√v' + ε_t),   c_t = η·(1 - β1)/(1 - β1^t)·√((1 - β2^t)/(1 - β2)),
                                        ε_t = ε·√((1 - β2^t)/(1 - β2))

    which is the update above, exactly, in ten passes instead of twelve. The state
    slots ``"m"`` and ``"v"`` hold these ``m'`` and ``v'`` (so a saved run resumes
    bit for bit); multiply by ``1 - β1`` and ``1 - β2`` for the paper's moments.

    Parameters
    ----------
    learning_rate : float, default 0.001
    beta1 : float in [0, 1), default 0.9
    beta2 : float in [0, 1), default 0.999
    epsilon : float, default 1e-8
    """

    name = "adam"
    slots = ("m", "v")
    non_negative_slots = ("v",)

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_unit_interval("beta1", beta1, self.name)
        _check_unit_interval("beta2", beta2, self.name)
        _check_positive("epsilon", epsilon, self.name)
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)

    def _constants(self):
        """``(c_t, ε_t)`` of the docstring for the step ``t = iterations``."""
        b1, b2, t = self.beta1, self.beta2, self.iterations
        root = math.sqrt((1.0 - b2 ** t) / (1.0 - b2))
        return self.learning_rate * (1.0 - b1) / (1.0 - b1 ** t) * root, self.epsilon * root

    def _update(self, p, g, params):
        m, v, tmp = self._state["m"], self._state["v"], self._tmp  # m' and v' (see the docstring)
        step_size, eps_t = self._constants()
        m *= self.beta1                      # m' ← β1·m' + g
        m += g
        np.multiply(g, g, out=tmp)           # v' ← β2·v' + g²
        v *= self.beta2
        v += tmp
        np.sqrt(v, out=tmp)                  # p ← p - c_t·m' / (√v' + ε_t)
        tmp += eps_t
        np.divide(m, tmp, out=tmp)
        tmp *= step_size
        p -= tmp

    def _fused_update(self, kernels, p, g, blocks, gradient, shrink=1.0):
        h = np.array([*gradient, self.beta1, self.beta2, *self._constants(), shrink], dtype=p.dtype)
        kernels.adam(p, g, self._state["m"], self._state["v"], blocks, h)

    def get_config(self):
        return {**super().get_config(), "beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Before the Adam step, weights (not biases or normalisation gains) shrink
    toward zero independently of the gradient: ``w ← w - η·λ·w``. Unlike the
    ``l2`` penalty, the decay is not rescaled by Adam's per-parameter rates.

    Parameters
    ----------
    weight_decay : float, default 0.01
        ``λ``. Other parameters as :class:`Adam`.
    """

    name = "adamw"

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, weight_decay: float = 0.01, **kwargs):
        super().__init__(learning_rate, beta1, beta2, epsilon, **kwargs)
        if not weight_decay >= 0:
            raise ValueError(f"adamw: weight_decay must be >= 0, got {weight_decay!r}")
        self.weight_decay = float(weight_decay)

    def _update(self, p, g, params):
        shrink = 1.0 - self.learning_rate * self.weight_decay
        for start, stop in params.decay_ranges:
            p[start:stop] *= shrink
        super()._update(p, g, params)

    def _fused_update(self, kernels, p, g, blocks, gradient):
        super()._fused_update(kernels, p, g, blocks, gradient, shrink=1.0 - self.learning_rate * self.weight_decay)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}
