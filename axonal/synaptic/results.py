"""What Synaptic's ``Trainer`` returns: the results of ``train``, ``test`` and the tasks."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TrainResult", "TestResult", "TaskResult"]


@dataclass
class TrainResult:
    """What :meth:`Trainer.train` returns (Synaptic's ``{error, iterations, time}``).

    ``error`` is the last epoch's error: the mean training cost measured while the
    epoch trained (each sample's output taken before its update), or with
    ``cross_validate`` the cost on the held-out samples after the epoch.
    """

    error: float
    iterations: int
    time: float
    stop_reason: str = ""
    history: object = None


@dataclass
class TestResult:
    """What :meth:`Trainer.test` returns: the mean cost over the set, and the time taken."""

    error: float
    time: float


@dataclass
class TaskResult:
    """What the sequence tasks return: ``iterations`` (sequences seen), the last ``error``,
    ``success`` (DSR), ``time``, and for the timing task ``train``/``test`` results."""

    iterations: int
    error: float
    time: float
    success: float | None = None
    train: TrainResult | None = None
    test: TestResult | None = None
    extra: dict = field(default_factory=dict)
