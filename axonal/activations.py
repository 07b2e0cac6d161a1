"""Activation functions ``y = f(z)`` with their derivatives.

A neuron computes its state ``z = Σ_i w_i·x_i + b`` and passes it through an
activation (squashing) function ``y = f(z)``. Backpropagation needs the
vector-Jacobian product ``δz = δy ⊙ f'(z)``; every activation here provides it,
computed from the cached output ``y`` wherever that is possible (so the layer
does not have to keep ``z`` alive), in numerically stable forms.

All functions take arrays of shape ``(batch, units)`` and work in the array's
own dtype. ``get("relu")`` looks an activation up by name. Your own activation is
registered with :func:`register` (``f`` and ``f'`` as vectorised NumPy functions; see
:mod:`axonal.custom_activations`) and then works by name wherever these do.

Threshold units (``step`` / ``hard_limit`` and ``sign``) have derivative zero
everywhere except at 0, where it is undefined; a network of them cannot learn by
gradient descent. Following Synaptic's ``HLIM``, they pass the gradient straight
through by default (``f'(z) := 1``, the "straight-through estimator"), which lets
a threshold unit sit in a trained network. ``Step(gradient="zero")`` gives the
mathematically exact derivative instead.
"""

from __future__ import annotations

import numpy as np

from .activation_base import Activation, sigmoid, softmax
from .custom_activations import CustomActivation, _Maker
from .registry import Registry

__all__ = [
    "Activation", "Identity", "Logistic", "Tanh", "ReLU", "LeakyReLU", "ELU",
    "Softplus", "GELU", "Softmax", "Step", "Sign", "get", "names", "REGISTRY", "sigmoid", "softmax",
    "register", "unregister", "CustomActivation",
]


class Identity(Activation):
    """``f(z) = z``, ``f'(z) = 1``: the linear neuron (regression outputs, logits)."""

    name = "identity"

    def forward(self, z, out=None):
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def backward(self, grad_y, z, y, out=None):
        if out is None:
            return grad_y.copy()
        np.copyto(out, grad_y)
        return out


class Logistic(Activation):
    """Logistic sigmoid ``f(z) = 1 / (1 + e^(-z))``, ``f'(z) = y·(1 - y)``.

    Computed as ``(1 + tanh(z/2)) / 2``, an identity that never overflows.
    """

    name = "logistic"

    def forward(self, z, out=None):
        return sigmoid(z, out=out)

    def backward(self, grad_y, z, y, out=None):
        # δz = δy · y · (1 - y)
        out = np.subtract(1.0, y, out=out)
        out *= y
        out *= grad_y
        return out


class Tanh(Activation):
    """Hyperbolic tangent ``f(z) = tanh(z)``, ``f'(z) = 1 - y²``."""

    name = "tanh"

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def backward(self, grad_y, z, y, out=None):
        out = np.multiply(y, y, out=out)
        np.subtract(1.0, out, out=out)
        out *= grad_y
        return out


class ReLU(Activation):
    """Rectified linear unit ``f(z) = max(0, z)``; ``f'(z) = 1 if z > 0 else 0``.

    At the kink ``z = 0`` the derivative is taken as 0.
    """

    name = "relu"

    def forward(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def backward(self, grad_y, z, y, out=None):
        # y > 0 exactly where z > 0.
        return np.multiply(grad_y, y > 0, out=out)


class LeakyReLU(Activation):
    """``f(z) = z if z > 0 else α·z``; ``f'(z) = 1 if z > 0 else α`` (α > 0)."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        self.alpha = _positive_finite(alpha, "leaky_relu", "alpha")

    def forward(self, z, out=None):
        scaled = np.multiply(z, self.alpha)
        return np.maximum(z, scaled, out=out) if self.alpha <= 1 else np.minimum(z, scaled, out=out)

    def backward(self, grad_y, z, y, out=None):
        # With α > 0, y has the sign of z.
        slope = np.where(y > 0, 1.0, self.alpha).astype(grad_y.dtype, copy=False)
        return np.multiply(grad_y, slope, out=out)

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}


class ELU(Activation):
    """``f(z) = z if z > 0 else α·(e^z - 1)``; ``f'(z) = 1 if z > 0 else y + α``."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = _positive_finite(alpha, "elu", "alpha")

    def forward(self, z, out=None):
        # α·(e^min(z,0) - 1) is 0 for z > 0 and never overflows; max(z, 0) is 0 for z <= 0.
        negative_part = np.expm1(np.minimum(z, 0.0))
        negative_part *= self.alpha
        out = np.maximum(z, 0.0, out=out)
        out += negative_part
        return out

    def backward(self, grad_y, z, y, out=None):
        slope = np.where(y > 0, 1.0, y + self.alpha).astype(grad_y.dtype, copy=False)
        return np.multiply(grad_y, slope, out=out)

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}


class Softplus(Activation):
    """``f(z) = ln(1 + e^z)``; ``f'(z) = σ(z) = 1 - e^(-y)``.

    Computed as ``max(z, 0) + ln(1 + e^(-|z|))`` so it never overflows.
    """

    name = "softplus"

    def forward(self, z, out=None):
        tail = np.abs(z)
        np.negative(tail, out=tail)
        np.exp(tail, out=tail)
        np.log1p(tail, out=tail)
        out = np.maximum(z, 0.0, out=out)
        out += tail
        return out

    def backward(self, grad_y, z, y, out=None):
        # σ(z) = 1 - e^(-softplus(z)), so the derivative follows from y alone.
        out = np.negative(y, out=out)
        np.expm1(out, out=out)
        np.negative(out, out=out)
        out *= grad_y
        return out


class GELU(Activation):
    """Gaussian error linear unit, tanh form.

    ``f(z) = z/2 · (1 + tanh(u))`` with ``u = √(2/π)·(z + 0.044715·z³)``;
    ``f'(z) = (1 + tanh u)/2 + z/2 · (1 - tanh² u) · √(2/π)·(1 + 3·0.044715·z²)``.
    (NumPy has no ``erf``; the tanh form is the one PyTorch offers as
    ``approximate="tanh"`` and differs from the exact GELU by < 1e-3.)
    """

    name = "gelu"
    needs_z = True
    _c = np.sqrt(2.0 / np.pi)
    _k = 0.044715

    def _tanh_u(self, z):
        return np.tanh(self._c * (z + self._k * z * z * z))

    def forward(self, z, out=None):
        t = self._tanh_u(z)
        t += 1.0
        out = np.multiply(z, 0.5, out=out)
        out *= t
        return out

    def backward(self, grad_y, z, y, out=None):
        t = self._tanh_u(z)
        du = self._c * (1.0 + 3.0 * self._k * z * z)
        slope = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du
        return np.multiply(grad_y, slope, out=out)


class Softmax(Activation):
    """Softmax over the last axis ``y_k = e^(z_k) / Σ_j e^(z_j)``.

    Stable form: the row maximum is subtracted before exponentiating. Its
    Jacobian is ``∂y_k/∂z_j = y_k·(1[k=j] - y_j)``, so the vector-Jacobian
    product is ``δz = y ⊙ (δy - Σ_j δy_j·y_j)``.
    For classification prefer a linear output layer with the
    ``softmax_cross_entropy`` loss, whose gradient is simply ``p - t``.
    """

    name = "softmax"

    def forward(self, z, out=None):
        return softmax(z, out=out)

    def backward(self, grad_y, z, y, out=None):
        dot = np.einsum("...k,...k->...", grad_y, y)[..., None]
        out = np.subtract(grad_y, dot, out=out)
        out *= y
        return out


class _Threshold(Activation):
    """Shared gradient convention of the hard-limit units (see module docstring)."""

    is_threshold = True
    _conventions = ("straight_through", "zero")

    def __init__(self, gradient: str = "straight_through"):
        if gradient not in self._conventions:
            raise ValueError(
                f"{self.name}: unknown gradient convention {gradient!r}; "
                f"valid: {', '.join(self._conventions)}"
            )
        self.gradient = gradient

    def backward(self, grad_y, z, y, out=None):
        if self.gradient == "zero":
            # Exact derivative of a step function away from 0.
            if out is None:
                return np.zeros_like(grad_y)
            out[...] = 0.0
            return out
        if out is None:
            return grad_y.copy()
        np.copyto(out, grad_y)
        return out

    def get_config(self):
        return {"name": self.name, "gradient": self.gradient}


class Step(_Threshold):
    """Hard limit ``f(z) = 1 if z > 0 else 0`` (Synaptic's HLIM, the articles' threshold neuron)."""

    name = "step"

    def forward(self, z, out=None):
        if out is None:
            return (z > 0).astype(z.dtype)
        np.greater(z, 0, out=out, casting="unsafe")
        return out


class Sign(_Threshold):
    """Sign unit ``f(z) = 1 if z >= 0 else -1`` (article 003's ƒ, Hopfield units)."""

    name = "sign"

    def forward(self, z, out=None):
        if out is None:
            out = np.empty_like(z)
        np.greater_equal(z, 0, out=out, casting="unsafe")
        out *= 2.0
        out -= 1.0
        return out


ALIASES = {
    "linear": "identity",
    "sigmoid": "logistic",
    "hard_limit": "step",
    "hlim": "step",
    "heaviside": "step",
}
REGISTRY = Registry("activation", {
    cls.name: cls
    for cls in (Identity, Logistic, Tanh, ReLU, LeakyReLU, ELU, Softplus, GELU, Softmax, Step, Sign)
}, aliases=ALIASES, hint="one of your own must be registered in this process first: "
                          "axonal.activations.register(name, function, derivative=...)")
#: All names ``get`` accepts, aliases included.
names = REGISTRY.names


def _positive_finite(value, name: str, argument: str) -> float:
    """``value`` as a float if it is a finite number > 0 (not a bool), else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 < value < np.inf:
        raise ValueError(f"{name}: {argument} must be a finite number > 0, got {value!r:.40}")
    return float(value)


def get(spec: str | Activation | dict | None) -> Activation:
    """Return an activation from a name (``"relu"``), a config dict or an instance.

    ``None`` means the identity (a linear neuron).
    """
    if spec is None:
        return Identity()
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, dict):
        config = dict(spec)
        name = config.pop("name", None)
        return _lookup(name)(**config)
    if isinstance(spec, str):
        return _lookup(spec)()
    raise TypeError(f"activation must be a name, a config dict or an Activation, got {type(spec).__name__}")


_lookup = REGISTRY.lookup



def register(name: str, function=None, *, derivative, replace: bool = False):
    """Register ``function`` (``z -> f(z)``) with its ``derivative`` (``z -> f'(z)``) as activation ``name``.

    Usable as a decorator (returns the function unchanged) or called with the function.
    Both must be elementwise and vectorised (an array in, an array of its shape out).
    ``name`` follows the name alphabet (:data:`axonal.names.NAME_RULE`) and is looked up
    as other names are (case and ``-``/``_`` folded); a built-in name is refused, a
    registration of your own is replaced only with ``replace=True``. See
    :mod:`axonal.custom_activations` (saving, loading, compiled paths).
    """
    if not callable(derivative):
        raise TypeError(f"register: activation {str(name)!r:.70} needs derivative=, a function z -> f'(z) "
                        f"(backpropagation multiplies by it); got {type(derivative).__name__}")

    return REGISTRY.user_decorator(name, function, lambda key, fn: _Maker(CustomActivation(key, fn, derivative)),
                                   expects="z -> f(z)", replace=replace)


def unregister(name: str) -> None:
    """Forget the activation of your own registered as ``name``."""
    REGISTRY.remove_user(name)
