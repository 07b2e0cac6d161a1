"""Activations of your own (:func:`axonal.activations.register`): ``f`` and ``f'`` as vectorised NumPy functions.

>>> import numpy as np
>>> import axonal
>>> @axonal.activations.register("bent_identity", derivative=lambda z: z / (2 * np.sqrt(z * z + 1)) + 1)
... def bent_identity(z):
...     return (np.sqrt(z * z + 1) - 1) / 2 + z
>>> net = axonal.Sequential([axonal.Dense(3, "bent_identity", input_dim=2)], seed=0)
>>> axonal.activations.unregister("bent_identity")

``function(z)`` computes ``y = f(z)`` and ``derivative(z)`` computes ``f'(z)``, each
elementwise on an array ``z`` of any shape (``(batch, units)`` in a layer), returning an
array of ``z``'s shape; backpropagation multiplies: ``δz = δy ⊙ f'(z)``. Check a pair
with :func:`axonal.gradcheck.check_activation` before trusting it.

Once registered, the name works wherever an activation name does: ``Dense`` and the
recurrent layers, graph layers (:class:`axonal.graph.Graph`), Synaptic's architect and
``Trainer``. A model file names the function and never holds code: ``axonal.load``
rebuilds it only in a process that registered the same name, and otherwise raises a
``ModelFileError`` naming the missing function and how to register it.

Compiled kernels cannot call Python functions, so a network with a custom activation
takes the NumPy path for everything it does (the same equations; no error, no warning).
"""

from __future__ import annotations

import numpy as np

from .activation_base import Activation

__all__ = ["CustomActivation"]


class CustomActivation(Activation):
    """An activation from two functions: ``y = function(z)``, ``δz = δy ⊙ derivative(z)``.

    Made by :func:`axonal.activations.register`; ``get_config()`` is ``{"name": name}``, so a
    saved model names it.
    """

    needs_z = True

    def __init__(self, name: str, function, derivative):
        self.name, self.function, self.derivative = name, function, derivative

    def forward(self, z, out=None):
        y = _elementwise(self.function(z), z, self.name, "function")
        if out is None:
            return y.copy() if y is z else y
        np.copyto(out, y)
        return out

    def backward(self, grad_y, z, y, out=None):
        slope = _elementwise(self.derivative(z), z, self.name, "derivative")
        return np.multiply(grad_y, slope, out=out)


class _Maker:
    """The registry's entry for a custom activation: calling it gives the activation (no config)."""

    def __init__(self, activation: CustomActivation):
        self.activation = activation
        self.name = activation.name

    def __call__(self) -> CustomActivation:
        return self.activation


def _elementwise(result, z, name, what):
    """``result`` as an array of ``z``'s shape and dtype; a ``ValueError`` naming the function otherwise."""
    result = np.asarray(result)
    if result.shape != z.shape:
        raise ValueError(f"activation {name!r}: its {what} returned shape {result.shape} for input of shape "
                         f"{z.shape}; it must work elementwise on a NumPy array (vectorised)")
    return result.astype(z.dtype, copy=False)
