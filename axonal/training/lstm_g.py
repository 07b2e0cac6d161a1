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

from ..losses.base import Loss
from ..nan_guard import NonFiniteError
from .batches import Batch
from .loop import StepRule

__all__ = ["ArgmaxMatch", "LSTMGStep", "MeanSquared", "RoundedMatch", "StreamFeed"]


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
        if self._backup is None or self._backup[0].shape != weights.shape:
            self._backup = [np.array(weights), None]
        else:
            np.copyto(self._backup[0], weights)
        self._backup[1] = learner.snapshot(self._backup[1])     # the stream: one copy of its flat buffer
        out = learner.step(batch.x)
        right = self.judge is None or self.judge(out, batch.t)
        if self.judge is None or not right:
            learner.propagate(batch.t, learning_rate=self.learning_rate)
        self.all_right = self.all_right and bool(right)
        value = float(self.cost(np.atleast_2d(out), np.atleast_2d(batch.t)))
        if not (math.isfinite(value) and learner.weights_finite()):
            np.copyto(weights, self._backup[0])
            learner.restore(self._backup[1])
            raise NonFiniteError(f"training stopped at step {loop.history.steps + 1} (epoch {loop.epoch_index + 1}): "
                                 f"LSTM-g made the error or a weight NaN or Inf; the weights, traces and state "
                                 f"of the last finite step are kept. Try a lower rate.")
        return value, 1.0

    def whole_epoch(self, feed, rng, loop, max_steps):
        """A whole epoch of a :class:`StreamFeed` in one compiled call (:func:`axonal.graph.lstm_g_compiled.run_epoch`).

        Taken when the kernels are on, the feed is a :class:`StreamFeed` and the judge (if any) is
        one the kernel knows (:class:`RoundedMatch`, :class:`ArgmaxMatch`); the epoch's start is
        copied once (weights, stream, ``rng``, the feed's order) and put back when a step makes a
        weight or an error NaN or infinite, so that the step-by-step path replays the epoch and
        names the step. Otherwise ``None``: step by step.
        """
        from ..graph import lstm_g_compiled as compiled
        learner = self.learner
        judge = 0 if self.judge is None else getattr(self.judge, "kernel_code", None)
        if judge is None or not isinstance(feed, StreamFeed) or compiled.compiled(learner) is None:
            return None
        weights = learner.network.params_.values
        if not np.isfinite(weights).all():
            return None
        x, y = feed.x, feed.y
        batch, steps = (x.shape[0], x.shape[1]) if x.ndim == 3 else (1, x.shape[0])
        n_out = learner.layer.sizes[learner.layer.out_index]
        if x.shape[-1] != learner.layer.sizes[0] or y.shape[:y.ndim - 1] != x.shape[:x.ndim - 1] \
                or y.shape[-1] != n_out or steps == 0:
            return None             # the step-by-step path says what is wrong
        saved = (weights.copy(), learner.snapshot(), rng.bit_generator.state, feed.order.copy())

        def put_back():
            np.copyto(weights, saved[0])
            learner.restore(saved[1])
            rng.bit_generator.state = saved[2]
            feed.order[:] = saved[3]

        if feed.reset is not None:
            feed.reset()
        if feed.shuffle:
            rng.shuffle(feed.order)
        if learner._batch not in (None, batch):
            put_back()
            return None
        n = steps if max_steps is None else min(steps, max(int(max_steps), 1))
        dtype = learner.layer.dtype
        xs = x.transpose(1, 0, 2) if x.ndim == 3 else x[:, None, :]
        ys = y.transpose(1, 0, 2) if y.ndim == 3 else y[:, None, :]
        done = compiled.run_epoch(learner, np.ascontiguousarray(xs, dtype=dtype), np.ascontiguousarray(ys, dtype=dtype),
                                  np.ascontiguousarray(ys, dtype=np.float64), feed.order, n, self.learning_rate, judge)
        if done is None or done[0] != n:
            put_back()
            return None
        _, outs, right = done
        values = _step_costs(self.cost, outs, y, feed.order[:n], x.ndim == 3)
        if not np.isfinite(values).all():
            put_back()
            return None
        total = float(np.cumsum(values)[-1])      # summed in order, as the loop sums step by step
        if self.judge is not None:
            self.all_right = self.all_right and bool(right.all())
        return total, float(n), n

    def many_epochs(self, feed, rng, loop, epochs, stop_error, max_steps):
        """Epochs of a sequence feed (one sequence per epoch, the state carried from one to the next,
        as in Synaptic's DSR) in one compiled call: the next ``epochs`` sequences of
        ``feed.next_sequences(rng, epochs)`` (it may give fewer: up to the end of its block) run
        as one stream (``(x (sequences, steps, inputs), y (sequences, steps, outputs), lengths)``,
        each sequence's first ``length`` steps). Returns ``(losses, steps, {"correct": [...]})``, each epoch's mean cost and
        whether every step of it was right, or ``None`` (epoch by epoch, everything as it was):
        no sequence feed, a judge the kernel does not know, a loss threshold or step limit to
        watch within the call, or a step that made a weight or an error NaN or infinite (then
        the step-by-step path replays it and names the step)."""
        from ..graph import lstm_g_compiled as compiled
        learner = self.learner
        judge = 0 if self.judge is None else getattr(self.judge, "kernel_code", None)
        if (judge is None or not hasattr(feed, "next_sequences") or stop_error != -math.inf
                or max_steps is not None or self.validation is not None
                or type(self).epoch_logs is not LSTMGStep.epoch_logs or compiled.compiled(learner) is None):
            return None
        weights = learner.network.params_.values
        if learner._batch not in (None, 1) or not np.isfinite(weights).all():
            return None
        saved = (weights.copy(), learner.snapshot(), rng.bit_generator.state, feed.tell())

        def put_back():
            np.copyto(weights, saved[0])
            learner.restore(saved[1])
            rng.bit_generator.state = saved[2]
            feed.seek(saved[3])

        xs, ys, lengths = feed.next_sequences(rng, epochs)
        n_in, dtype = learner.layer.sizes[0], learner.layer.dtype
        n_out = learner.layer.sizes[learner.layer.out_index]
        if xs.ndim != 3 or xs.shape[2] != n_in or ys.shape != xs.shape[:2] + (n_out,) or lengths.min() < 1:
            put_back()
            return None             # the step-by-step path says what is wrong
        valid = np.arange(xs.shape[1]) < lengths[:, None]          # (sequences, steps): each one's steps
        x, y = xs[valid], ys[valid]                                # one stream, sequence after sequence
        n = len(x)
        order = np.arange(n)
        done = compiled.run_epoch(learner, np.ascontiguousarray(x[:, None, :], dtype=dtype),
                                  np.ascontiguousarray(y[:, None, :], dtype=dtype),
                                  np.ascontiguousarray(y[:, None, :], dtype=np.float64), order, n,
                                  self.learning_rate, judge)
        if done is None or done[0] != n:
            put_back()
            return None
        _, outs, right = done
        values = np.zeros(valid.shape)
        values[valid] = _step_costs(self.cost, outs, y, order, False)
        if not np.isfinite(values).all():
            put_back()
            return None
        # each sequence's mean cost, summed in order as the loop sums step by step (the padding adds 0)
        losses = (np.cumsum(values, axis=1)[:, -1] / lengths).tolist()
        padded = np.ones(valid.shape, bool)
        padded[valid] = right
        correct = padded.all(axis=1).astype(float).tolist()
        return losses, n, {"correct": correct} if self.judge is not None else {}

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


class RoundedMatch:
    """A judge for :class:`LSTMGStep`: a step is right when every rounded output equals its target,
    ``not any(round(y) != t)`` (Synaptic's DSR); the compiled epoch knows it (``kernel_code``)."""

    kernel_code = 1

    def __call__(self, out, target) -> bool:
        return not np.any(np.round(out) != target)


class ArgmaxMatch:
    """A judge for :class:`LSTMGStep`: a step is right when the largest output is where the target's
    largest is, ``argmax(y) == argmax(t)`` over all streams (Synaptic's ERG); ``kernel_code`` 2."""

    kernel_code = 2

    def __call__(self, out, target) -> bool:
        return bool(np.argmax(out) == np.argmax(target))


class MeanSquared:
    """``E = mean((t - y)²)`` over every output of every stream; :meth:`per_step` gives it for every
    step of an epoch at once, ``(steps, streams, outputs) -> (steps,)``."""

    def __call__(self, out, target) -> float:
        return float(np.mean((target - out) ** 2))

    def per_step(self, outs, targets):
        return np.mean((targets - outs) ** 2, axis=(1, 2))


def _step_costs(cost, outs, y, order, streams) -> np.ndarray:
    """The cost of each step of a compiled epoch (steps,), float64, as ``cost(atleast_2d(out), atleast_2d(t))``
    gives it step by step: at once for an axonal loss's ``value`` or a cost with ``per_step``, else one
    call a step."""
    targets = y[:, order].transpose(1, 0, 2) if streams else y[order][:, None, :]
    loss = getattr(cost, "__self__", None)
    if isinstance(loss, Loss) and getattr(cost, "__func__", None) is Loss.value and not loss.categorical:
        steps, batch, n = outs.shape
        pred = outs.reshape(steps * batch, n)
        true = loss.prepare_targets(np.ascontiguousarray(targets).reshape(steps * batch, n), n, pred.dtype)
        return loss._per_sample(pred, true).reshape(steps, batch).mean(axis=1, dtype=np.float64)
    if hasattr(cost, "per_step"):
        return np.asarray(cost.per_step(outs, targets), dtype=np.float64).reshape(len(outs))
    return np.array([float(cost(out, target)) for out, target in zip(outs, targets)], dtype=np.float64)
