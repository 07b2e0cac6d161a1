"""Schedules with a phase or a memory: warm-up before another schedule, reduce on a plateau."""

from __future__ import annotations

import math

from .base import REGISTRY, Schedule, get, _check_count, _check_factor, _check_non_negative, _check_positive

__all__ = ["WarmUp", "ReduceOnPlateau"]


@REGISTRY.register
class WarmUp(Schedule):
    """A linear ramp up to ``η`` over ``W`` epochs, then another schedule.

    ``η_e = η_0 + (η - η_0)·(e + 1)/W`` for ``e < W`` (the ramp ends on ``η`` at
    epoch ``W - 1`` and never trains with ``η_0`` itself, so ``η_0 = 0`` is fine);
    for ``e >= W``, ``η_e = then.rate(e - W, error)``: the following schedule counts
    its epochs from the end of the warm-up, its epoch 0 (epoch ``W``) getting the
    loss of the last warm-up epoch; it never sees the earlier ones.

    Parameters
    ----------
    epochs : int
        ``W``, the warm-up length.
    then : schedule spec, optional
        What follows (anything :func:`get` takes); by default ``Constant``. It gets
        the same base rate unless it has its own.
    start : float, default 0
        ``η_0``, in ``[0, η)``.

    Examples
    --------
    >>> from axonal.schedules import ExponentialDecay
    >>> s = WarmUp(4, then=ExponentialDecay(0.5), base_rate=1.0)
    >>> [s.rate(e) for e in range(7)]
    [0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.25]
    """

    name = "warmup"
    options = ("epochs", "then", "start")

    def __init__(self, epochs: int, then=None, *, start: float = 0.0, base_rate: float | None = None):
        self.epochs = _check_count(self, "epochs", epochs)
        self.start = _check_non_negative(self, "start", start)
        self.then = get(then)
        super().__init__(base_rate=base_rate)

    def _check_base(self, base_rate):
        if self.start >= base_rate:
            raise ValueError(f"WarmUp: start ({self.start}) must be below the base rate ({base_rate})")

    def _bind(self, base_rate):
        super()._bind(base_rate)
        if self.then.uses_base_rate and self.then.base_rate is None:
            self.then = self.then.with_base_rate(base_rate)

    def _rate(self, epoch, error):
        if epoch < self.epochs:
            return self.start + (self._eta - self.start) * (epoch + 1) / self.epochs
        return self.then.rate(epoch - self.epochs, error)

    def state_dict(self):
        inner = self.then.state_dict()
        return {"then": inner} if inner else {}

    def load_state_dict(self, state):
        unknown = sorted(set(state) - {"then"})
        if unknown:
            raise KeyError(f"WarmUp: unknown state keys {unknown}; expected 'then'")
        self.then.load_state_dict(state.get("then", {}))


@REGISTRY.register
class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` once ``error`` has not improved for ``patience`` epochs.

    It watches the ``error`` handed to :meth:`rate`. An error improves when it is
    below the best so far by more than ``min_delta`` (the first finite one always
    does; NaN or Inf never does). After ``patience`` errors in a row that do not::

        η ← max(η·factor, min_rate),   then the count starts again from 0

    The reduced rate applies from the epoch whose ``rate`` call saw the last of
    those errors. State (``rate_``, ``best_``, ``bad_epochs_``, ``last_epoch_``) is
    kept across calls and training runs, and saved by :meth:`state_dict`. A second
    call for the same epoch returns the same rate without counting ``error`` again.

    Parameters
    ----------
    factor : float in (0, 1), default 0.1
    patience : int >= 1, default 10
    min_delta : float >= 0, default 0
    min_rate : float >= 0, default 0
        A floor, at most the base rate.

    Examples
    --------
    >>> s = ReduceOnPlateau(factor=0.5, patience=2, base_rate=1.0)
    >>> [s.rate(e, err) for e, err in enumerate([None, 3.0, 2.0, 2.5, 2.0, 1.0])]
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]
    """

    name = "reduce_on_plateau"
    options = ("factor", "patience", "min_delta", "min_rate")

    def __init__(self, factor: float = 0.1, patience: int = 10, min_delta: float = 0.0,
                 min_rate: float = 0.0, *, base_rate: float | None = None):
        self.factor = _check_factor(self, "factor", factor, one_allowed=False)
        self.patience = _check_count(self, "patience", patience)
        self.min_delta = _check_non_negative(self, "min_delta", min_delta)
        self.min_rate = _check_non_negative(self, "min_rate", min_rate)
        #: the current rate (the base rate until the first reduction)
        self.rate_: float | None = None
        #: the lowest error seen, or None before the first finite one
        self.best_: float | None = None
        #: errors in a row that did not improve on ``best_``
        self.bad_epochs_ = 0
        #: the epoch of the last ``rate`` call
        self.last_epoch_: int | None = None
        super().__init__(base_rate=base_rate)

    def _check_base(self, base_rate):
        if self.min_rate > base_rate:
            raise ValueError(f"ReduceOnPlateau: min_rate ({self.min_rate}) must not exceed the base rate "
                             f"({base_rate})")
        if self.rate_ is None:
            self.rate_ = base_rate

    def _rate(self, epoch, error):
        if self.rate_ is None:
            self.rate_ = self._eta
        if epoch == self.last_epoch_:
            return self.rate_
        self.last_epoch_ = epoch
        if error is None:
            return self.rate_
        error = float(error)
        if math.isfinite(error) and (self.best_ is None or error < self.best_ - self.min_delta):
            self.best_, self.bad_epochs_ = error, 0
        else:
            self.bad_epochs_ += 1
            if self.bad_epochs_ >= self.patience:
                self.rate_ = max(self.rate_ * self.factor, self.min_rate)
                self.bad_epochs_ = 0
        return self.rate_

    _STATE_KEYS = ("rate", "best", "bad_epochs", "last_epoch")

    def state_dict(self):
        return {"rate": self.rate_, "best": self.best_, "bad_epochs": self.bad_epochs_,
                "last_epoch": self.last_epoch_}

    def load_state_dict(self, state):
        missing = [k for k in self._STATE_KEYS if k not in state]
        unknown = sorted(set(state) - set(self._STATE_KEYS))
        if missing or unknown:
            raise KeyError(f"ReduceOnPlateau: state must have keys {list(self._STATE_KEYS)}; "
                           f"missing {missing}, unknown {unknown}")
        rate = state["rate"]
        self.rate_ = None if rate is None else _check_positive(self, "state 'rate'", rate)
        self.best_ = None if state["best"] is None else float(state["best"])
        self.bad_epochs_ = int(state["bad_epochs"])
        self.last_epoch_ = None if state["last_epoch"] is None else int(state["last_epoch"])
