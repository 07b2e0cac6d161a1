"""The NaN guard: training stops at the first NaN or Inf, keeping the last finite weights.

Every step, before the update, the loss and ``Σ g²`` over the gradient vector must
be finite (one pass over memory); the weights are copied aside; after the update
``Σ p²`` must be finite, or the copy is put back. Either way :class:`NonFiniteError`
names the step, the batch and the first layer or parameter that went wrong, with a
hint. The training loop runs inside ``np.errstate(over="ignore", invalid="ignore")``
while the guard is on, so overflow is reported once, by the guard.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["NonFiniteError", "NanGuard"]


class NonFiniteError(FloatingPointError):
    """Training produced NaN or Inf; the network keeps the weights of the last finite step.

    ``history`` holds the epochs completed before the failure.
    """

    def __init__(self, message, history=None):
        super().__init__(message)
        self.history = history


class NanGuard:
    """Refuses a step whose loss, gradient or result is not finite, keeping the last finite weights."""

    def __init__(self, net, params):
        self.net, self.params = net, params
        self.backup = np.empty_like(params.values)

    def before_step(self, value, step, epoch, batch_index, xb):
        if not math.isfinite(value):
            where = self._first_non_finite_layer(xb)
            self._fail(f"the loss is {value}", step, epoch, batch_index, where)
        g = self.params.grads
        # Σ g² is finite exactly when every gradient is finite (and not astronomically large).
        if not _finite_norm(g):
            self._fail("a gradient is NaN or Inf", step, epoch, batch_index, self._first_bad_slot(g))
        np.copyto(self.backup, self.params.values)

    def after_step(self, step, epoch, batch_index):
        p = self.params.values
        if not _finite_norm(p):
            where = self._first_bad_slot(p)
            np.copyto(p, self.backup)
            self._fail("the update made a weight NaN or Inf", step, epoch, batch_index, where)

    def _first_bad_slot(self, flat):
        for slot in self.params.slots.values():
            segment = flat[slot.offset:slot.offset + slot.size]
            if not _finite_norm(segment):
                return f"parameter {slot.name}"
        return "an unknown parameter"

    def _first_non_finite_layer(self, xb):
        out = xb
        for i, layer in enumerate(self.net.layers):
            out = layer.forward(out, training=False)
            if not np.isfinite(out).all():
                return f"the output of layer {i}, {layer.describe()}"
        largest = float(np.abs(out).max()) if out.size else 0.0
        last = len(self.net.layers) - 1
        return (f"the loss, which overflowed although the outputs are finite (the largest output of layer "
                f"{last}, {self.net.layers[last].describe()}, is {largest:.3g})")

    def _fail(self, what, step, epoch, batch_index, where):
        raise NonFiniteError(
            f"training stopped at step {step + 1} (epoch {epoch + 1}, batch {batch_index + 1}): {what}, "
            f"first in {where}. The weights of the last finite step are kept. "
            f"Try a lower learning rate, scaling the inputs (Standardize), or gradient clipping (clip_norm)."
        )


def _finite_norm(v: np.ndarray) -> bool:
    # Runs inside the training loop's errstate, so an overflow here is silent: the guard reports it.
    return math.isfinite(float(np.dot(v, v)))
