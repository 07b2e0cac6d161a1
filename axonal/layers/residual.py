"""Residual (skip) connections: a block's output is added to its input.

``y = x + F(x)``, or ``y = x·P + F(x)`` with a learned linear projection ``P``
when the block changes the number of features. The skip path lets the gradient
reach earlier layers undiminished, one remedy for the vanishing gradient::

    δx = δy + F'ᵀ(δy)              (identity skip: both paths' gradients add up)
    δx = δy·Pᵀ + F'ᵀ(δy),  ∂E/∂P = xᵀ·δy   (projection)
"""

from __future__ import annotations

import numpy as np

from dataclasses import replace

from .. import initializers as _initializers
from ._arguments import flag
from .registry import REGISTRY, layer_from_spec
from .base import ArraySpec, Layer

__all__ = ["Residual"]


@REGISTRY.register
class Residual(Layer):
    """A skip connection around ``block`` (a layer, or a list of layers run in order).

    Parameters
    ----------
    block : Layer or list of Layer
    projection : bool, default False
        Learn a bias-free linear map ``P`` on the skip path. Required when the
        block's output has a different number of features than its input.
    """

    has_training_mode = True

    def __init__(self, block, *, projection: bool = False, name: str | None = None):
        super().__init__(name=name)
        if isinstance(block, (list, tuple)):
            block = REGISTRY.lookup("Sequential")(block)  # registered by axonal.network
        if not isinstance(block, Layer):
            raise TypeError(f"Residual: block must be a Layer or a list of layers, got {type(block).__name__}")
        self.block = block
        self.projection = flag(projection, "Residual", "projection")

    def children(self):
        return [self.block]

    @property
    def input_rank(self):
        return self.block.input_rank

    def plan(self, input_shape):
        block_specs, out_shape = self.block.plan(input_shape)
        specs = []
        if self.projection:
            if len(input_shape) != 1 or len(out_shape) != 1:
                raise ValueError(f"Residual: projection needs (batch, features) shapes; block maps "
                                 f"{input_shape} to {out_shape}")
            specs.append(ArraySpec("projection", (input_shape[0], out_shape[0]), "glorot_uniform", True))
        elif out_shape != tuple(input_shape):
            raise ValueError(
                f"Residual: the block maps {_features(input_shape)} to {_features(out_shape)}, so its output "
                f"cannot be added to its input; use Residual(block, projection=True)"
            )
        return specs + [replace(spec, name="block." + spec.name) for spec in block_specs], out_shape

    def _build(self, input_shape, rng):
        own, out_shape = self.plan(input_shape)
        self.block.build(input_shape, rng, self.dtype)
        for spec in own:
            if not spec.name.startswith("block."):
                init = _initializers.get(spec.init)
                self.add_parameter(spec.name, init(rng, spec.shape, self.dtype), decay=spec.decay)
        return out_shape

    def named_parameters(self, prefix=""):
        yield from super().named_parameters(prefix)
        yield from self.block.named_parameters(prefix + "block.")

    def named_state(self, prefix=""):
        yield from self.block.named_state(prefix + "block.")

    def forward(self, x, *, training=False):
        """``y = x + F(x)`` (or ``x·P + F(x)``), shape (batch, block outputs)."""
        self.check_input(x)
        fx = self.block.forward(x, training=training)
        y = self.buffer("y", fx.shape, training)
        if self.projection:
            np.matmul(x, self.params["projection"], out=y)
            y += fx
        else:
            np.add(x, fx, out=y)
        if training:
            self._x = x
        return y

    def backward(self, grad_y):
        """``δx = δy + F'ᵀ(δy)`` (or ``δy·Pᵀ + F'ᵀ(δy)``, filling ``grads["projection"] = xᵀ·δy``)."""
        grad_block = self.block.backward(grad_y)
        if self.projection:
            np.matmul(self._x.T, grad_y, out=self.grads["projection"])
        if not self.input_grad_needed:
            return None
        grad_x = self.buffer("grad_x", self._x.shape, True)
        if self.projection:
            np.matmul(grad_y, self.params["projection"].T, out=grad_x)
            grad_x += grad_block
        else:
            np.add(grad_y, grad_block, out=grad_x)
        # Both paths reach x: their gradients accumulate.
        return grad_x

    def release_buffers(self):
        super().release_buffers()
        self._x = None

    def get_config(self):
        config = {"block": {"class": type(self.block).__name__, "config": self.block.get_config()},
                  "projection": self.projection}
        config.update(super().get_config())
        return config

    @classmethod
    def from_config(cls, config):
        if not isinstance(config, dict):
            raise ValueError(f"Residual: config must be a mapping, got {type(config).__name__}")
        config = dict(config)
        try:
            config["block"] = layer_from_spec(config.get("block"))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"Residual block: {exc}") from None
        return super().from_config(config)

    def describe(self):
        label = self.name or "Residual"
        return f"{label}({self.block.describe()})"


def _features(shape):
    return f"{shape[0]} features" if len(shape) == 1 else f"shape {shape}"
