"""Dropout: randomly silence units while training, so none can rely on another.

In training each unit is kept with probability ``1 - rate``; kept units are scaled
by ``1/(1 - rate)`` ("inverted dropout") so the expected activation is unchanged
and inference needs no rescaling::

    m ~ Bernoulli(1 - rate)          (batch, features), drawn fresh every step
    y = x ⊙ m / (1 - rate)           training
    y = x                            inference
    δx = δy ⊙ m / (1 - rate)
"""

from __future__ import annotations

import numpy as np

from ._arguments import finite_real
from .registry import REGISTRY
from .base import Layer

__all__ = ["Dropout"]


@REGISTRY.register
class Dropout(Layer):
    """Inverted dropout with drop probability ``rate``.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping each unit.
    seed : int, optional
        Seeds the masks. By default the network's seed does, when the network is built.
    """

    has_training_mode = True

    def __init__(self, rate: float = 0.5, *, seed: int | None = None, name: str | None = None):
        super().__init__(name=name)
        rate = finite_real(rate, "Dropout", "rate")
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"Dropout: seed must be a non-negative integer or None, got {seed!r:.40}")
        self.rate = rate
        self.seed = None if seed is None else int(seed)
        self.rng = np.random.default_rng(seed)

    def _build(self, input_shape, rng):
        if self.seed is None:
            # A child stream of the network's generator: reproducible from the network seed.
            self.rng = np.random.default_rng(rng.integers(0, 2**63 - 1))
        return input_shape

    def forward(self, x, *, training=False):
        """``y = x ⊙ m/(1 - rate)`` with a fresh Bernoulli mask in training, ``y = x`` otherwise."""
        self.check_input(x)
        if not training or self.rate == 0.0:
            self._scaled_mask = None
            return x
        keep = 1.0 - self.rate
        mask = self.buffer("mask", x.shape, True)
        self.rng.random(out=mask, dtype=mask.dtype)
        # mask ← 1/keep where the draw < keep, else 0
        np.less(mask, keep, out=mask, casting="unsafe")
        mask *= 1.0 / keep
        self._scaled_mask = mask
        return np.multiply(x, mask, out=self.buffer("y", x.shape, True))

    def backward(self, grad_y):
        """``δx = δy ⊙ m/(1 - rate)``, with the mask of the last training forward."""
        if self._scaled_mask is None:
            return grad_y
        return np.multiply(grad_y, self._scaled_mask, out=self.buffer("grad_x", grad_y.shape, True))

    def get_config(self):
        config = {"rate": self.rate}
        if self.seed is not None:
            config["seed"] = self.seed
        config.update(super().get_config())
        return config
