"""Schedules that are functions of the epoch alone: constant, step, exponential, inverse-time, cosine."""

from __future__ import annotations

import math

from .base import REGISTRY, Schedule, _check_count, _check_factor, _check_non_negative

__all__ = ["Constant", "StepDecay", "ExponentialDecay", "InverseTimeDecay", "Cosine"]


@REGISTRY.register
class Constant(Schedule):
    """``η_e = η``: the rate never changes.

    >>> Constant(base_rate=0.3).rate(100)
    0.3
    """

    name = "constant"

    def _rate(self, epoch, error):
        return self._eta


@REGISTRY.register
class StepDecay(Schedule):
    """``η_e = η·γ^⌊e/s⌋``: the rate is multiplied by ``γ`` every ``s`` epochs.

    Parameters
    ----------
    step_size : int
        ``s``, epochs per step (>= 1).
    gamma : float in (0, 1], default 0.1
        ``γ``, the factor per step.

    Examples
    --------
    >>> [StepDecay(2, 0.5, base_rate=1.0).rate(e) for e in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    name = "step_decay"
    options = ("step_size", "gamma")

    def __init__(self, step_size: int, gamma: float = 0.1, *, base_rate: float | None = None):
        self.step_size = _check_count(self, "step_size", step_size)
        self.gamma = _check_factor(self, "gamma", gamma, one_allowed=True)
        super().__init__(base_rate=base_rate)

    def _rate(self, epoch, error):
        return self._eta * self.gamma ** (epoch // self.step_size)


@REGISTRY.register
class ExponentialDecay(Schedule):
    """``η_e = η·γ^e``: the rate shrinks by the factor ``γ`` every epoch.

    Parameters
    ----------
    gamma : float in (0, 1]

    Examples
    --------
    >>> [ExponentialDecay(0.5, base_rate=1.0).rate(e) for e in range(4)]
    [1.0, 0.5, 0.25, 0.125]
    """

    name = "exponential_decay"
    options = ("gamma",)

    def __init__(self, gamma: float, *, base_rate: float | None = None):
        self.gamma = _check_factor(self, "gamma", gamma, one_allowed=True)
        super().__init__(base_rate=base_rate)

    def _rate(self, epoch, error):
        return self._eta * self.gamma ** epoch


@REGISTRY.register
class InverseTimeDecay(Schedule):
    """``η_e = η / (1 + d·e)``: the articles' "decrease the learning rate over training".

    The rate falls off like ``1/e``: halved after ``1/d`` epochs, a third after ``2/d``.

    Parameters
    ----------
    decay : float >= 0
        ``d``; 0 keeps the rate constant.

    Examples
    --------
    >>> [InverseTimeDecay(0.5, base_rate=1.0).rate(e) for e in (0, 2, 4)]
    [1.0, 0.5, 0.3333333333333333]
    """

    name = "inverse_time_decay"
    options = ("decay",)

    def __init__(self, decay: float, *, base_rate: float | None = None):
        self.decay = _check_non_negative(self, "decay", decay)
        super().__init__(base_rate=base_rate)

    def _rate(self, epoch, error):
        return self._eta / (1.0 + self.decay * epoch)


@REGISTRY.register
class Cosine(Schedule):
    """Cosine annealing from ``η`` down to ``η_min`` over ``T`` epochs, then ``η_min``.

    ``η_e = η_min + (η - η_min)·(1 + cos(π·e/T))/2`` for ``e < T``, ``η_min`` after.
    Epoch 0 trains with ``η``; the rate reaches ``η_min`` only at ``e = T``, so a run
    of ``T`` epochs never trains with ``η_min`` itself.

    Parameters
    ----------
    epochs : int
        ``T``; :func:`get` uses the run's ``epochs`` when a name or dict leaves it out.
    min_rate : float, default 0
        ``η_min``, in ``[0, η]``.

    Examples
    --------
    >>> [round(Cosine(4, base_rate=1.0).rate(e), 4) for e in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    name = "cosine"
    options = ("epochs", "min_rate")
    run_length_option = "epochs"

    def __init__(self, epochs: int, min_rate: float = 0.0, *, base_rate: float | None = None):
        self.epochs = _check_count(self, "epochs", epochs)
        self.min_rate = _check_non_negative(self, "min_rate", min_rate)
        super().__init__(base_rate=base_rate)

    def _check_base(self, base_rate):
        if self.min_rate > base_rate:
            raise ValueError(f"Cosine: min_rate ({self.min_rate}) must not exceed the base rate ({base_rate})")

    def _rate(self, epoch, error):
        if epoch >= self.epochs:
            return self.min_rate
        return self.min_rate + (self._eta - self.min_rate) * 0.5 * (1.0 + math.cos(math.pi * epoch / self.epochs))
