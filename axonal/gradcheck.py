"""Finite-difference gradient checks for activations, losses and layers.

Backpropagation is only as good as each hand-written derivative. This module
compares every analytic gradient with the central difference

    ∂L/∂θ ≈ (L(θ + h) - L(θ - h)) / 2h

in float64, element by element, and accepts when
``|numeric - analytic| <= atol + rtol·|numeric|`` (defaults ``1e-7`` and ``1e-6``).

For a layer ``y = F(x; θ)`` the scalar checked is ``L = Σ y ⊙ R`` for a fixed
random ``R``, so ``∂L/∂y = R`` and one backward pass gives every ``∂L/∂x`` and
``∂L/∂θ`` at once. Inputs must lie away from kinks (ReLU at 0, |r| = δ in Huber),
where the derivative is not defined.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["GradientCheckError", "numerical_gradient", "compare", "check_activation",
           "check_loss", "check_layer"]

ATOL, RTOL, STEP = 1e-7, 1e-6, 1e-6


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with the finite differences."""


def numerical_gradient(f: Callable[[], float], array: np.ndarray, step: float = STEP) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to every element of ``array``.

    ``array`` is perturbed in place (and restored), so ``f`` must read it.
    """
    grad = np.zeros(array.shape, dtype=np.float64)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("numerical_gradient needs a contiguous array it can perturb in place")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + step
        up = f()
        flat[i] = original - step
        down = f()
        flat[i] = original
        gflat[i] = (up - down) / (2.0 * step)
    return grad


def compare(label: str, numeric: np.ndarray, analytic: np.ndarray, atol: float = ATOL, rtol: float = RTOL) -> None:
    """Raise :class:`GradientCheckError` describing the worst element if any is off."""
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise GradientCheckError(f"{label}: analytic gradient has shape {analytic.shape}, expected {numeric.shape}")
    excess = np.abs(numeric - analytic) - (atol + rtol * np.abs(numeric))
    if np.any(excess > 0) or not np.all(np.isfinite(analytic)):
        i = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(excess), excess, np.inf))), numeric.shape)
        raise GradientCheckError(
            f"{label}: gradient mismatch at index {tuple(int(k) for k in i)}: "
            f"numeric {numeric[i]:.10g}, analytic {analytic[i]:.10g}"
        )


def check_activation(activation, z: np.ndarray, *, seed: int = 0, atol=ATOL, rtol=RTOL) -> None:
    """Check ``activation.backward`` against differences of ``Σ f(z) ⊙ R``."""
    z = np.array(z, dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(z.shape)
    y = activation.forward(z.copy())
    analytic = activation.backward(r, z.copy(), y)
    numeric = numerical_gradient(lambda: float(np.sum(activation.forward(z.copy()) * r)), z)
    compare(f"activation {activation.name}", numeric, analytic, atol, rtol)


def check_loss(loss, y_pred: np.ndarray, y_true, *, sample_weight=None, atol=ATOL, rtol=RTOL) -> None:
    """Check ``loss.grad`` against differences of ``loss.value``."""
    y_pred = np.array(y_pred, dtype=np.float64)
    analytic = loss.grad(y_pred.copy(), y_true, sample_weight=sample_weight)
    numeric = numerical_gradient(lambda: loss.value(y_pred, y_true, sample_weight=sample_weight), y_pred)
    compare(f"loss {loss.name}", numeric, analytic, atol, rtol)


def check_layer(layer, x: np.ndarray, *, training: bool = True, seed: int = 0,
                before_forward: Callable[[], None] | None = None, atol=ATOL, rtol=RTOL) -> list[str]:
    """Check ``∂L/∂x`` and ``∂L/∂θ`` of a built float64 layer for ``L = Σ layer(x) ⊙ R``.

    ``before_forward`` runs before every forward pass (e.g. to reset a dropout
    generator so each pass draws the same mask). Returns the names checked.
    """
    if layer.dtype != np.float64:
        raise ValueError(f"check_layer needs a float64 layer; {layer.describe()} is {layer.dtype}")
    x = np.array(x, dtype=np.float64)
    reset = before_forward or (lambda: None)

    def loss_value() -> float:
        reset()
        return float(np.sum(layer.forward(x.copy(), training=training) * r))

    reset()
    y = layer.forward(x.copy(), training=training)
    r = np.random.default_rng(seed).standard_normal(y.shape)
    reset()
    layer.forward(x.copy(), training=training)
    layer.input_grad_needed = True
    grad_x = np.array(layer.backward(r.copy()), dtype=np.float64)
    analytic = {name: owner.grads[local].copy() for name, owner, local, _ in layer.named_parameters()}

    checked = ["input"]
    compare(f"{layer.describe()} input", numerical_gradient(loss_value, x), grad_x, atol, rtol)
    for name, owner, local, _ in layer.named_parameters():
        numeric = numerical_gradient(loss_value, owner.params[local])
        compare(f"{layer.describe()} parameter {name}", numeric, analytic[name], atol, rtol)
        checked.append(name)
    return checked
