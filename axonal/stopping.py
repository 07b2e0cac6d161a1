"""Stop criteria: small objects that decide when training ends.

After every epoch the training loop hands each criterion the epoch number and the
epoch's logs (``{"loss": ..., "val_loss": ..., "accuracy": ..., ...}``); the
first criterion to answer with a reason ends training, and ``History.stop_reason``
records it. Criteria combine with ``|``::

    stop = ErrorBelow(0.005) | NoImprovement(patience=10)

Learning-rate schedules are separate (:mod:`axonal.schedules`): a criterion only
decides *whether* to go on.
"""

from __future__ import annotations

import math

from .validation import positive_int

__all__ = ["StopCriterion", "ErrorBelow", "MaxEpochs", "NoImprovement", "EarlyStopping", "AnyOf"]


class StopCriterion:
    """Base class: ``check(epoch, logs)`` returns a reason string to stop, or ``None``."""

    def reset(self) -> None:
        """Forget what earlier training runs taught this criterion."""

    def check(self, epoch: int, logs: dict) -> str | None:
        raise NotImplementedError

    def next_decision(self, epoch: int) -> int | None:
        """The first epoch, from ``epoch`` on (counted from 0), after which this criterion may stop
        training whatever the logs say; ``None`` when it may stop after any epoch. A training loop
        may run the epochs before it without asking (several in one compiled call) and then hand
        the criterion each epoch's logs in order."""
        return None

    def state_dict(self) -> dict:
        """What the criterion has learned so far (for checkpoints): its plain attributes."""
        return {k: v for k, v in vars(self).items() if v is None or isinstance(v, (bool, int, float, str))}

    def load_state_dict(self, state: dict) -> None:
        """Take back what :meth:`state_dict` returned."""
        for key, value in state.items():
            if key not in vars(self):
                raise KeyError(f"{type(self).__name__}: unknown state key {key!r}")
            setattr(self, key, value)

    def __or__(self, other: "StopCriterion") -> "AnyOf":
        return AnyOf(self, other)


def _monitored(criterion, logs):
    if criterion.monitor not in logs:
        raise ValueError(
            f"{type(criterion).__name__} monitors {criterion.monitor!r}, which training does not log; "
            f"logged: {', '.join(sorted(logs))}"
            + (" (give validation_data or validation_split)" if criterion.monitor.startswith("val_") else "")
        )
    return logs[criterion.monitor]


class ErrorBelow(StopCriterion):
    """Stop once ``logs[monitor] <= threshold`` (Synaptic's ``error``).

    With ``monitor="val_loss"`` this is Synaptic's ``crossValidate.testError``.
    """

    def __init__(self, threshold: float, monitor: str = "loss"):
        if not (math.isfinite(threshold) and threshold >= 0):
            raise ValueError(f"ErrorBelow: threshold must be a finite number >= 0, got {threshold!r}")
        self.threshold, self.monitor = float(threshold), monitor

    def check(self, epoch, logs):
        if _monitored(self, logs) <= self.threshold:
            return "error" if self.monitor == "loss" else f"{self.monitor}_below"
        return None

    def __repr__(self):
        return f"ErrorBelow({self.threshold!r}, monitor={self.monitor!r})"


class MaxEpochs(StopCriterion):
    """Stop after ``epochs`` epochs."""

    def __init__(self, epochs: int):
        self.epochs = positive_int(epochs, "MaxEpochs", "epochs")

    def check(self, epoch, logs):
        return "epochs" if epoch + 1 >= self.epochs else None

    def next_decision(self, epoch):
        return max(epoch, self.epochs - 1)

    def __repr__(self):
        return f"MaxEpochs({self.epochs})"


class NoImprovement(StopCriterion):
    """Stop after ``patience`` epochs in which ``monitor`` did not improve by ``min_delta``.

    Parameters
    ----------
    patience : int
    monitor : str, default "val_loss"
        A logged quantity; losses and errors improve downward, metrics whose
        ``greater_is_better`` (accuracy, f1, r2, ...) upward (``mode="auto"``), or say
        so with ``mode``.
    min_delta : float, default 0
    restore_best : bool, default True
        At the end of training, put back the weights of the best epoch.
    """

    def __init__(self, patience: int = 10, monitor: str = "val_loss", *, min_delta: float = 0.0,
                 restore_best: bool = True, mode: str = "auto"):
        positive_int(patience, "NoImprovement", "patience")
        if not min_delta >= 0:
            raise ValueError(f"NoImprovement: min_delta must be >= 0, got {min_delta!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"NoImprovement: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.patience, self.monitor, self.min_delta = patience, monitor, float(min_delta)
        self.restore_best = bool(restore_best)
        if mode == "auto":
            from . import metrics
            base = monitor[4:] if monitor.startswith("val_") else monitor
            known = base in metrics.names()
            mode = "max" if known and metrics.get(base).greater_is_better else "min"
        self.mode = mode
        self.reset()

    def reset(self):
        self.best = None
        self.best_epoch = None
        self.wait = 0

    def improved(self, value) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def check(self, epoch, logs):
        value = _monitored(self, logs)
        if self.improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            return None
        self.wait += 1
        return "no_improvement" if self.wait >= self.patience else None

    def __repr__(self):
        return f"NoImprovement(patience={self.patience}, monitor={self.monitor!r})"


class EarlyStopping(NoImprovement):
    """Keras's spelling of :class:`NoImprovement`, with Keras's defaults: stop once ``monitor`` went
    ``patience`` epochs without improving by more than ``min_delta`` (``patience=0``: at the first
    such epoch); ``restore_best_weights`` puts back the best epoch's weights. ``fit`` takes it
    among its ``callbacks`` or its ``stop`` criteria."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0, got {patience!r}")
        super().__init__(max(patience, 1), monitor, min_delta=min_delta, restore_best=restore_best_weights,
                         mode=mode)


class AnyOf(StopCriterion):
    """Stop when any of the criteria says so (``a | b``)."""

    def __init__(self, *criteria: StopCriterion):
        flat: list[StopCriterion] = []
        for c in criteria:
            if not isinstance(c, StopCriterion):
                raise TypeError(f"AnyOf takes stop criteria, got {type(c).__name__}")
            flat.extend(c.criteria if isinstance(c, AnyOf) else [c])  # type: ignore[has-type]
        self.criteria = flat

    def reset(self):
        for c in self.criteria:
            c.reset()

    def state_dict(self):
        return {"criteria": [c.state_dict() for c in self.criteria]}

    def load_state_dict(self, state):
        saved = state.get("criteria", [])
        if len(saved) != len(self.criteria):
            raise ValueError(f"AnyOf: the saved state holds {len(saved)} criteria; this run has "
                             f"{len(self.criteria)} ({self!r})")
        for criterion, entry in zip(self.criteria, saved):
            criterion.load_state_dict(entry)

    def check(self, epoch, logs):
        reason = None
        for c in self.criteria:  # every criterion sees every epoch, so their state stays current
            r = c.check(epoch, logs)
            reason = reason or r
        return reason

    def __repr__(self):
        return " | ".join(map(repr, self.criteria))
