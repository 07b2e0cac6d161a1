"""LSTM-g's online rule as a step rule of the training loop, and the feeds it learns from.

LSTM-g (:class:`axonal.graph.LSTMG`) learns while a stream runs: each step
activates one time step, updating the eligibility traces, and then (given the
target) changes the weights by ``Δw = η·δ·ε`` at once. Run through the
:class:`~axonal.training.loop.TrainingLoop`, it gets the stop criteria,
schedules (the rate ``η`` per epoch), callbacks, History and checkpoints of every
other way of training. The weights are written by LSTM-g's own rule, not by an
optimizer; a step whose update made a weight NaN or infinite is rolled back
(weights, traces and stream state) and stops training with ``NonFiniteError``.
"""

from __future__ import annotations

import math

import numpy as np

from ..nan_guard import NonFiniteError
from .batches import Batch
from .loop import StepRule

__all__ = ["LSTMGStep", "StreamFeed"]


class LSTMGStep(StepRule):
    """One LSTM-g step per batch: activate ``batch.x``, learn from ``batch.t``, measure ``cost``.

    Parameters
    ----------
    learner : LSTMG
    cost : callable ``(outputs, targets) -> float``
        The error measured at each step, on ``(streams, outputs)`` arrays; it does
        not change the rule (LSTM-g's output error is ``t - y``).
    rate : float
        ``η``; a schedule may set it per epoch.
    judge : callable ``(outputs, targets) -> bool``, optional
        Whether a step's outputs are right. With ``judge`` the rule learns only from
        wrong steps (Synaptic's tasks), and logs ``correct`` (1 when every step of the
        epoch was right).
    validation : callable ``() -> float``, optional
        The error on held-out data after each epoch (``val_loss``).
    """

    guarded = True

    def __init__(self, learner, cost, rate, *, judge=None, validation=None):
        self.learner, self.cost, self.learning_rate = learner, cost, float(rate)
        self.judge, self.validation = judge, validation
        self.all_right = True
        self._backup = None

    def step(self, batch, loop) -> tuple[float, float]:
        learner = self.learner
        weights = learner.network.params_.values
        stream = learner.state_dict()
        if self._backup is None or self._backup[1].keys() != stream.keys():
            self._backup = (np.array(weights), {k: np.array(v) for k, v in stream.items()})
        else:
            np.copyto(self._backup[0], weights)
            for key, value in stream.items():
                np.copyto(self._backup[1][key], value)
        out = learner.step(batch.x)
        right = self.judge is None or self.judge(out, batch.t)
        if self.judge is None or not right:
            learner.propagate(batch.t, learning_rate=self.learning_rate)
        self.all_right = self.all_right and bool(right)
        value = float(self.cost(np.atleast_2d(out), np.atleast_2d(batch.t)))
        if not (math.isfinite(value) and learner.weights_finite()):
            np.copyto(weights, self._backup[0])
            learner.load_state_dict(self._backup[1])
            raise NonFiniteError(f"training stopped at step {loop.history.steps + 1} (epoch {loop.epoch_index + 1}): "
                                 f"LSTM-g made the error or a weight NaN or Inf; the weights, traces and state "
                                 f"of the last finite step are kept. Try a lower rate.")
        return value, 1.0

    def epoch_logs(self, logs, loop) -> None:
        if self.judge is not None:
            logs["correct"] = 1.0 if self.all_right else 0.0
            self.all_right = True
        if self.validation is not None:
            logs["val_loss"] = float(self.validation())

    def state(self):
        return {"rate": self.learning_rate}, self.learner.state_dict()

    def load_state(self, info, arrays) -> None:
        self.learning_rate = float(info["rate"])
        self.learner.load_state_dict(arrays)


class StreamFeed:
    """The time steps of ``x``, ``y`` (``(time, features)``, or ``(streams, time, features)``) as batches.

    ``shuffle`` visits the steps in a new random order every epoch (Synaptic's
    ``shuffle`` for a training set); ``reset`` starts every epoch from a fresh
    stream state (``learner.reset()``); otherwise the state carries on from epoch
    to epoch, as in Synaptic.
    """

    def __init__(self, x, y, *, shuffle: bool = False, reset=None):
        self.x, self.y, self.shuffle, self.reset = x, y, shuffle, reset
        steps = x.shape[-2] if x.ndim == 3 else x.shape[0]
        self.order = np.arange(steps)
        self.info = {"samples": steps, "batch_size": 1, "steps_per_epoch": steps}

    def batches(self, rng):
        if self.reset is not None:
            self.reset()
        if self.shuffle:
            rng.shuffle(self.order)
        for index, t in enumerate(self.order):
            x, y = (self.x[:, t], self.y[:, t]) if self.x.ndim == 3 else (self.x[t], self.y[t])
            yield Batch(x, y, None, None, self.order[index:index + 1], index, index)

    def state(self) -> dict:
        return {"order": self.order.copy()}

    def load_state(self, arrays: dict) -> None:
        order = np.asarray(arrays["order"])
        if order.shape != self.order.shape or not np.array_equal(np.sort(order), np.arange(len(self.order))):
            raise ValueError(f"the checkpoint's step order is not a permutation of the {len(self.order)} steps")
        self.order[:] = order.astype(np.int64)
