"""Stochastic gradient descent, with optional momentum (heavy-ball or Nesterov).

Online, mini-batch and full-batch gradient descent are the same algorithm; only
the batch size given to ``fit`` differs.
"""

from __future__ import annotations

import numpy as np

from ..validation import flag
from .base import Optimizer, _check_unit_interval

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Gradient descent ``p ← p - η·g``, optionally with momentum ``μ``.

    With momentum (the velocity ``v`` starts at 0)::

        v ← μ·v + g
        p ← p - η·v                 (heavy ball, ``nesterov=False``)
        p ← p - η·(g + μ·v)         (Nesterov: the gradient evaluated one step ahead)

    This is PyTorch's form (the rate multiplies the velocity, so changing ``η``
    mid-training rescales the remembered steps too).

    Parameters
    ----------
    learning_rate : float, default 0.01
        ``η``.
    momentum : float in [0, 1), default 0
        ``μ``.
    nesterov : bool, default False
    l1, l2, clip_norm, clip_value : see :class:`~axonal.optimizers.base.Optimizer`.
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_unit_interval("momentum", momentum, self.name)
        if nesterov is True and momentum == 0:
            raise ValueError("sgd: nesterov=True needs momentum > 0")
        self.momentum = float(momentum)
        self.nesterov = flag(nesterov, self.name, "nesterov")
        self.slots = ("velocity",) if self.momentum else ()

    def _update(self, p, g, params):
        lr = self.learning_rate
        if not self.momentum:
            np.multiply(g, lr, out=self._tmp)
            p -= self._tmp
            return
        v, step = self._state["velocity"], self._tmp
        v *= self.momentum
        v += g
        if self.nesterov:
            np.multiply(v, self.momentum, out=step)
            step += g
            step *= lr
        else:
            np.multiply(v, lr, out=step)
        p -= step

    def _fused_update(self, kernels, p, g, blocks, gradient):
        if not self.momentum:
            kernels.sgd(p, g, blocks, np.array([*gradient, self.learning_rate], dtype=p.dtype))
        else:
            h = np.array([*gradient, self.learning_rate, self.momentum], dtype=p.dtype)
            kernels.momentum(p, g, self._state["velocity"], blocks, h, self.nesterov)

    def get_config(self):
        config = super().get_config()
        if self.momentum:
            config["momentum"] = self.momentum
        if self.nesterov:
            config["nesterov"] = True
        return config
