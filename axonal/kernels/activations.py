"""Activation functions as Numba scalar functions, for kernels that loop over neurons.

The reference is :mod:`axonal.activations`: each function here computes the same
value by the same operations, so compiled and NumPy results agree to rounding, with
one exception: the logistic is ``σ(z) = 1/(1 + e^(-z))`` here (Synaptic's form: one
``exp`` costs less than a ``tanh``, and the LSTM-g kernels spend a fifth of a step on
their gates' logistic), where the reference computes ``(1 + tanh(z/2))/2``, which
never overflows in NumPy. Both are σ to within a few units of the last place of 1
(a far-negative ``z`` gives ``e^(-z) = ∞`` here and σ = 0, as it should).
A kernel receives an activation as two numbers, ``(code, parameter)``, from
:func:`encode`; :func:`value` gives ``y = f(z)`` and :func:`slope` gives ``f'``
from ``z`` and ``y`` (so that ``δz = δy·f'``). Softmax is not elementwise: its
code is :data:`SOFTMAX`, and kernels call :func:`softmax_row` and
:func:`softmax_vjp_row` on a whole row.
"""

from __future__ import annotations

import math

import numba

__all__ = ["encode", "value", "slope", "value_of", "slope_of", "softmax_row", "softmax_vjp_row", "IDENTITY",
           "LOGISTIC", "TANH", "RELU", "LEAKY_RELU", "ELU", "SOFTPLUS", "GELU", "SOFTMAX", "STEP", "SIGN"]

IDENTITY, LOGISTIC, TANH, RELU, LEAKY_RELU, ELU, SOFTPLUS, GELU, SOFTMAX, STEP, SIGN = range(11)
#: Added to a threshold unit's code when its gradient convention is "zero" (exact: f' = 0).
ZERO_GRADIENT = 16

_CODES = {"identity": IDENTITY, "logistic": LOGISTIC, "tanh": TANH, "relu": RELU, "leaky_relu": LEAKY_RELU,
          "elu": ELU, "softplus": SOFTPLUS, "gelu": GELU, "softmax": SOFTMAX, "step": STEP, "sign": SIGN}
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def encode(activation) -> tuple[int, float] | None:
    """``(code, parameter)`` for an :class:`~axonal.activations.Activation`, or ``None`` for one
    no kernel knows (a user's own class: the caller takes the NumPy path)."""
    from .. import activations as reference

    if type(activation) not in reference.REGISTRY.values():
        return None
    code = _CODES.get(activation.name)
    if code is None:
        return None
    if getattr(activation, "gradient", "straight_through") == "zero":
        code += ZERO_GRADIENT
    return code, float(getattr(activation, "alpha", 0.0))


@numba.njit(cache=True, inline="always")
def value(code, parameter, z):
    """``f(z)`` for an elementwise activation (not softmax)."""
    c = code % ZERO_GRADIENT
    if c == IDENTITY:
        return z
    if c == LOGISTIC:
        return 1.0 / (1.0 + math.exp(-z))
    if c == TANH:
        return math.tanh(z)
    if c == RELU:
        return z if z > 0.0 else 0.0 * z
    if c == LEAKY_RELU:
        scaled = z * parameter
        if parameter <= 1.0:
            return z if z > scaled else scaled
        return z if z < scaled else scaled
    if c == ELU:
        return (z if z > 0.0 else 0.0 * z) + parameter * math.expm1(min(z, 0.0))
    if c == SOFTPLUS:
        return (z if z > 0.0 else 0.0 * z) + math.log1p(math.exp(-abs(z)))
    if c == GELU:
        return z * 0.5 * (math.tanh(_GELU_C * (z + _GELU_K * z * z * z)) + 1.0)
    if c == STEP:
        return 1.0 if z > 0.0 else 0.0
    if c == SIGN:
        return 1.0 if z >= 0.0 else -1.0
    return math.nan


@numba.njit(cache=True, inline="always")
def slope(code, parameter, z, y):
    """``f'`` at ``z`` with ``y = f(z)`` for an elementwise activation, as the reference's
    ``backward`` computes it (threshold units: 1, straight through, or 0 with the "zero" convention)."""
    if code >= ZERO_GRADIENT:
        return 0.0
    if code == IDENTITY:
        return 1.0
    if code == LOGISTIC:
        return (1.0 - y) * y
    if code == TANH:
        return 1.0 - y * y
    if code == RELU:
        return 1.0 if y > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if y > 0.0 else parameter
    if code == ELU:
        return 1.0 if y > 0.0 else y + parameter
    if code == SOFTPLUS:
        return -math.expm1(-y)
    if code == GELU:
        t = math.tanh(_GELU_C * (z + _GELU_K * z * z * z))
        du = _GELU_C * (1.0 + 3.0 * _GELU_K * z * z)
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du
    return 1.0  # step and sign, straight through


@numba.njit(cache=True)
def value_of(code, parameter, z):
    """:func:`value` compiled once as a function of its own, for kernels that call it in a loop
    (each inlined use of :func:`value` is compiled again)."""
    return value(code, parameter, z)


@numba.njit(cache=True)
def slope_of(code, parameter, z, y):
    """:func:`slope` compiled once as a function of its own (see :func:`value_of`)."""
    return slope(code, parameter, z, y)


@numba.njit(cache=True)
def softmax_row(z, out):
    """``out_k = e^(z_k - max z) / Σ_j e^(z_j - max z)`` for one row ``z`` (k,)."""
    top = z[0]
    for k in range(1, z.shape[0]):
        if z[k] > top:
            top = z[k]
    total = 0.0
    for k in range(z.shape[0]):
        out[k] = math.exp(z[k] - top)
        total += out[k]
    for k in range(z.shape[0]):
        out[k] /= total


@numba.njit(cache=True)
def softmax_vjp_row(grad_y, y, out):
    """``out = y ⊙ (δy - Σ_j δy_j·y_j)`` for one row: softmax's vector-Jacobian product."""
    dot = 0.0
    for k in range(y.shape[0]):
        dot += grad_y[k] * y[k]
    for k in range(y.shape[0]):
        out[k] = (grad_y[k] - dot) * y[k]

