"""Input scaling layers: preprocessing that travels inside the model.

Put one first in a network and ``predict`` takes raw inputs; the statistics are
part of the model's state (saved with it, not trained by gradients).

* ``Standardize``: ``y = (x - μ) / s`` per feature, with ``μ`` the mean and ``s`` the
  standard deviation of the data it was adapted to (``s = 1`` for a constant feature).
* ``MinMaxScale``: ``y = lo + (x - min)·(hi - lo)/(max - min)`` per feature.

Both are affine per feature, ``y = (x - shift)·scale + offset``, so backward is
``δx = δy ⊙ scale``. ``adapt(x)`` computes the statistics; ``fit`` adapts a
scaling layer that is the network's first layer and has not been adapted yet.
"""

from __future__ import annotations

import numpy as np

from ._arguments import finite_real
from .registry import REGISTRY
from .base import ArraySpec, Layer

__all__ = ["Standardize", "MinMaxScale"]


class _Scaling(Layer):
    def _statistics(self, x) -> tuple:
        """``(shift, scale)`` of each feature of ``x`` (samples, features); each scaling layer has its own."""
        raise NotImplementedError

    def plan(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(f"{type(self).__name__} takes (batch, features) input; got feature shape {input_shape}")
        n = input_shape[0]
        return [ArraySpec("shift", (n,), "zeros", None), ArraySpec("scale", (n,), "ones", None),
                ArraySpec("adapted", (1,), "zeros", None)], tuple(input_shape)

    def _build(self, input_shape, rng):
        output_shape = super()._build(input_shape, rng)
        pending = getattr(self, "_pending", None)
        if pending is not None:  # adapted before it was built
            self._store(*pending)
        return output_shape

    @property
    def adapted(self) -> bool:
        return self.built and bool(self.state["adapted"][0])

    @property
    def needs_adapting(self) -> bool:
        return not self.adapted

    def adapt(self, x) -> "_Scaling":
        """Compute the statistics from ``x`` (samples, features)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError(f"{type(self).__name__}.adapt needs a non-empty (samples, features) array, "
                             f"got shape {x.shape}")
        expected = self.input_shape[0] if self.built and self.input_shape else None
        if expected is not None and x.shape[1] != expected:
            raise ValueError(f"{self.describe()}.adapt got {x.shape[1]} features; expected {expected}")
        shift, scale = self._statistics(x)
        if self.built:
            self._store(shift, scale)
        else:
            self._pending = (shift, scale)
        return self

    def _store(self, shift, scale):
        self.state["shift"][...] = shift
        self.state["scale"][...] = scale
        self.state["adapted"][...] = 1.0
        self._pending = None

    def forward(self, x, *, training=False):
        self.check_input(x)
        if not self.state["adapted"][0]:
            raise RuntimeError(f"{self.describe()} has not learned its statistics yet: call adapt(x) "
                               f"or fit the network first")
        y = np.subtract(x, self.state["shift"], out=self.buffer("y", x.shape, training))
        y *= self.state["scale"]
        y += self._offset()
        return y

    def backward(self, grad_y):
        if not self.input_grad_needed:
            return None
        return np.multiply(grad_y, self.state["scale"], out=self.buffer("grad_x", grad_y.shape, True))

    def _offset(self):
        return 0.0


@REGISTRY.register
class Standardize(_Scaling):
    """Zero mean and unit variance per feature: ``y = (x - μ) / s``."""

    def _statistics(self, x):
        std = x.std(axis=0)
        return x.mean(axis=0), 1.0 / np.where(std > 0, std, 1.0)


@REGISTRY.register
class MinMaxScale(_Scaling):
    """Each feature mapped linearly onto ``feature_range`` (``(0, 1)`` by default)."""

    def __init__(self, feature_range=(0.0, 1.0), *, name=None):
        super().__init__(name=name)
        if isinstance(feature_range, (str, bytes, dict)) or not hasattr(feature_range, "__len__") \
                or len(feature_range) != 2:
            raise ValueError(f"MinMaxScale: feature_range must be (low, high), got {feature_range!r:.60}")
        lo, hi = (finite_real(v, "MinMaxScale", "feature_range") for v in feature_range)
        if not lo < hi:
            raise ValueError(f"MinMaxScale: feature_range must be (low, high) with low < high, got {feature_range!r}")
        self.feature_range = (lo, hi)

    def _statistics(self, x):
        lo, hi = self.feature_range
        span = x.max(axis=0) - x.min(axis=0)
        return x.min(axis=0), (hi - lo) / np.where(span > 0, span, 1.0)

    def _offset(self):
        return self.feature_range[0]

    def get_config(self):
        return {"feature_range": list(self.feature_range), **super().get_config()}
