"""The contract of an activation ``y = f(z)`` (:class:`Activation`), and the stable logistic and softmax.

:mod:`axonal.activations` holds the activations themselves and looks them up by name;
:mod:`axonal.custom_activations` makes one from your functions.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Activation", "sigmoid", "softmax"]


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z) = 1/(1 + e^(-z))`` computed as ``(1 + tanh(z/2))/2``, which never overflows."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``e^(z_k) / Σ_j e^(z_j)`` over the last axis, the row maximum subtracted first."""
    out = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


class Activation:
    """Base class: ``forward`` computes ``y = f(z)``, ``backward`` computes ``δz``.

    Subclasses set ``name`` and implement both methods. ``out=`` lets a layer
    reuse its buffers across training steps; it may be the same array as an
    input where noted.
    """

    name = "activation"
    #: ``True`` when ``backward`` needs the pre-activation ``z`` (not only ``y``).
    needs_z = False
    #: ``True`` for the threshold units whose exact derivative is zero.
    is_threshold = False

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``y = f(z)`` elementwise (softmax: over the last axis); ``z`` (batch, units) → ``y`` same shape."""
        raise NotImplementedError

    def backward(self, grad_y, z, y, out=None) -> np.ndarray:
        """Return ``δz = δy ⊙ f'(z)`` (a vector-Jacobian product for softmax).

        ``grad_y``, ``z`` and ``y = f(z)`` all have shape (batch, units); most
        activations read only ``y``.
        """
        raise NotImplementedError

    def __call__(self, z):
        """``f(z)`` for any array-like (integers become float64)."""
        z = np.asarray(z)
        if not np.issubdtype(z.dtype, np.floating):
            z = z.astype(np.float64)
        return self.forward(z)

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        extra = {k: v for k, v in self.get_config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in extra.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash(self.name)
