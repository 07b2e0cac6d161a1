"""The one epoch loop, with named phases, and the step rules that plug into it.

A run of training is::

    prepare()                 callbacks start; a resumed run takes back its state
    while not stopped:
        epoch()               the rate for this epoch, then step() on every batch
            step(batch)       the step rule learns from one batch: E, and the update
                              (or whole_epoch(): a compiled rule learns them all in one call)
        end_epoch()           logs, History, stop criteria, best weights, callbacks,
                              checkpoint
    finish()                  best weights back, rate restored, callbacks end

When nothing runs between epochs (no callback, schedule, checkpoint, metric, and no stop
criterion but ``ErrorBelow`` on the loss and those that decide only at known epochs, such as
``MaxEpochs``), a rule may learn several epochs in one call (:meth:`StepRule.many_epochs`);
the loop records them as if it had ended each one itself.

Everything that differs between ways of learning is in the **step rule**
(:class:`StepRule`): backpropagation through an optimizer
(:class:`~axonal.training.backprop.Backprop`: full batch, mini-batch, online, BPTT)
or LSTM-g's online rule (:class:`~axonal.training.lstm_g.LSTMGStep`). Everything
that decides which samples an epoch visits is in the **feed** (an object with
``batches(rng)`` yielding one epoch's batches, and ``info``). So stop criteria,
schedules, callbacks, the progress display, the NaN guard, ``History`` and
checkpoints work the same on every path.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from ..callbacks import Callback, CSVLogger, EpochLogger, ProgressBar
from ..history import History
from ..nan_guard import NonFiniteError
from ..stopping import ErrorBelow, MaxEpochs, StopCriterion

__all__ = ["StepRule", "TrainingLoop"]


class StepRule:
    """How one batch changes the model; subclasses implement :meth:`step`.

    ``learning_rate`` is the rate the schedule sets before each epoch.
    """

    learning_rate: float = 0.0
    #: Whether the rule's errors use NumPy's overflow reporting (off under a NaN guard).
    guarded = False

    def begin(self, loop: "TrainingLoop") -> None:
        """Called once by :meth:`TrainingLoop.prepare`."""

    def step(self, batch, loop: "TrainingLoop") -> tuple[float, float]:
        """Learn from ``batch``; return ``(E, weight)``: its mean loss and how many samples it counts for."""
        raise NotImplementedError

    def epoch_logs(self, logs: dict, loop: "TrainingLoop") -> None:
        """Add what the rule measures after an epoch (validation loss, metrics) to ``logs``."""

    def whole_epoch(self, feed, rng, loop: "TrainingLoop", max_steps: int | None) -> tuple[float, float, int] | None:
        """Learn from a whole epoch of ``feed`` in one call, where the rule can (a compiled kernel).

        Return ``(Σ E·weight, Σ weight, steps)`` over the epoch's batches, having drawn
        the epoch's order from ``rng`` exactly as ``feed.batches(rng)`` does and taken at
        most ``max_steps`` steps (``None``: no limit). Return ``None`` to have the loop
        step batch by batch instead; the model, ``feed`` and ``rng`` must then be as they
        were (a kernel that met a NaN or Inf puts them back, so that the batch-by-batch
        path finds the step and keeps the last finite one).
        """
        return None

    def many_epochs(self, feed, rng, loop: "TrainingLoop", epochs: int, stop_error: float,
                    max_steps: int | None) -> tuple | None:
        """Learn up to ``epochs`` whole epochs in one call, where the rule can; the loop asks only
        when nothing needs to run between epochs (see :meth:`TrainingLoop.run`).

        Stop after the first epoch whose mean loss is ``<= stop_error``, or once ``max_steps``
        steps are taken. Return ``(losses, steps)``: each epoch's mean loss (``Σ E·w / Σ w``,
        0 without weight) and the steps taken, the orders drawn from ``rng`` as ``epochs``
        calls of ``feed.batches(rng)`` would have (only as many as ran); or ``(losses, steps,
        logs)`` with ``logs`` a dict of per-epoch lists of what :meth:`epoch_logs` would have
        added (``{"correct": [...]}``), for the stop criteria. ``None``: the loop runs epoch by
        epoch, with the model, ``feed`` and ``rng`` as they were.
        """
        return None

    def initial_error(self) -> float | None:
        """The error before training, for a rate that depends on it (``None``: not known)."""
        return None

    def end(self) -> None:
        """Called once by :meth:`TrainingLoop.finish`, whatever happened."""

    def state(self) -> tuple[dict, dict]:
        """``(JSON data, arrays)`` a checkpoint needs to continue this rule bit for bit."""
        return {}, {}

    def load_state(self, info: dict, arrays: dict) -> None:
        """Take back what :meth:`state` returned."""


def _shows_or_writes(callback) -> bool:
    """Whether ``callback`` only displays or writes (a progress bar, a logger), which rank 0 alone runs."""
    return isinstance(callback, (ProgressBar, EpochLogger, CSVLogger)) or getattr(callback, "root_only", False)


def _decides_at_known_epochs(criterion) -> bool:
    return type(criterion).next_decision is not StopCriterion.next_decision


class TrainingLoop:
    """Run epochs of ``rule`` over ``feed`` until a stop criterion, a callback or ``max_steps`` says stop.

    Parameters
    ----------
    rule : StepRule
    feed : object with ``batches(rng)`` and ``info`` (dict: samples, batch_size, steps_per_epoch)
    stopper : axonal.stopping.AnyOf
        The stop criteria, ``MaxEpochs`` among them.
    rng : numpy.random.Generator
        Orders the samples of each epoch.
    schedule : Schedule, optional
        Sets ``rule.learning_rate`` before each epoch from the epoch and the last error.
    callbacks : list of Callback
        Every callback sees ``on_train_begin``, ``on_epoch_end`` and ``on_train_end``;
        those in ``batch_callbacks`` also ``on_batch_end``.
    max_steps : int, optional
    network : Sequential, optional
        Whose weights ``NoImprovement(restore_best=True)`` keeps and puts back.
    checkpoint : callable ``(loop) -> None``, optional
        Called after every ``checkpoint_every``-th epoch (and after the last one).
    """

    def __init__(self, rule, feed, *, stopper, rng, schedule=None, callbacks=(), batch_callbacks=(),
                 max_steps=None, network=None, checkpoint=None, checkpoint_every=1, history=None):
        self.rule, self.feed, self.stopper, self.rng = rule, feed, stopper, rng
        self.schedule, self.max_steps, self.network = schedule, max_steps, network
        if getattr(getattr(rule, "comm", None), "rank", 0) != 0:   # a data-parallel run: rank 0 shows and logs
            callbacks = [cb for cb in callbacks if not _shows_or_writes(cb)]
            batch_callbacks = [cb for cb in batch_callbacks if not _shows_or_writes(cb)]
        self.callbacks, self.batch_callbacks = list(callbacks), list(batch_callbacks)
        self.checkpoint, self.checkpoint_every = checkpoint, checkpoint_every
        self.history = History(metrics={}) if history is None else history
        self.restorers = [c for c in stopper.criteria if getattr(c, "restore_best", False)]
        self.epoch_index = 0          # the next epoch to run
        self.last_error = None        # the last epoch's error, for a rate that depends on it
        self.best_weights = None
        self.base_rate = rule.learning_rate
        self.reason = None
        self.epoch_total = 0.0        # Σ E·weight over the epoch so far
        self.epoch_weight = 0.0       # Σ weight
        self._step_reason = None
        self._quiet = False           # whether nothing runs between epochs, so the rule may run several

    # -- the phases --------------------------------------------------------------------------
    def run(self) -> History:
        """Train until stopped; return the :class:`History`."""
        errors = np.errstate(over="ignore", invalid="ignore") if self.rule.guarded else contextlib.nullcontext()
        with errors:
            try:
                self.prepare()
                while self.reason is None:
                    if not (self._quiet and self._many_epochs()):
                        self.epoch()
            except NonFiniteError as exc:
                exc.history = self.history
                self.history.stop_reason = "non_finite"
                raise
            finally:
                self.finish()
        return self.history

    def prepare(self) -> None:
        """Start the callbacks and the rule; a rate that depends on the error gets the error before training."""
        self.rule.begin(self)
        for cb in self.callbacks:
            cb.on_train_begin(dict(self.feed.info, epochs=self.epochs))
        if self.last_error is None and getattr(self.schedule, "needs_error", False):
            self.last_error = self.rule.initial_error()
        self._quiet = self._nothing_between_epochs()

    def _nothing_between_epochs(self) -> bool:
        """No callback, schedule, checkpoint, best-weights keeper, metric or stop criterion but
        ``MaxEpochs`` and ``ErrorBelow`` on the loss (whose answers follow from the losses alone)."""
        if self.batch_callbacks or self.schedule is not None or self.checkpoint is not None or self.restorers:
            return False
        if self.history.metrics or any(type(cb).on_epoch_end is not Callback.on_epoch_end
                                       and not cb.sees_the_last_epoch_only for cb in self.callbacks):
            return False
        return all((type(c) is ErrorBelow and c.monitor == "loss") or _decides_at_known_epochs(c)
                   for c in self.stopper.criteria)

    def _many_epochs(self) -> bool:
        """Let the rule learn the epochs up to the next possible stop in one call; record them as
        :meth:`end_epoch` would have, one by one (the stop criteria see each epoch's logs in order,
        with what the rule measured per epoch, such as ``correct``)."""
        criteria = self.stopper.criteria
        decisions = [c.next_decision(self.epoch_index) for c in criteria if type(c) is not ErrorBelow]
        left = min(decisions, default=self.epoch_index + (1 << 30)) - self.epoch_index + 1
        if left < 2:
            return False
        thresholds = [c.threshold for c in criteria if type(c) is ErrorBelow]
        steps_left = None if self.max_steps is None else self.max_steps - self.history.steps
        done = self.rule.many_epochs(self.feed, self.rng, self, left, max(thresholds, default=-math.inf),
                                     steps_left)
        if done is None:
            self._quiet = False  # epoch by epoch from here
            return False
        losses, steps, per_epoch = done if len(done) == 3 else (*done, {})
        h, rate, first = self.history, self.rule.learning_rate, self.epoch_index
        h.loss.extend(losses)
        h.learning_rate.extend([rate] * len(losses))
        h.steps += steps
        self.epoch_index += len(losses)
        self.last_error = losses[-1]
        replayed = [c for c in criteria if type(c) not in (MaxEpochs, ErrorBelow)]   # they count every epoch
        logs = {"learning_rate": rate}
        for i in range(len(losses) if replayed else 0):
            logs["loss"] = losses[i]
            for name, values in per_epoch.items():
                logs[name] = values[i]
            if i < len(losses) - 1:
                for c in replayed:
                    c.check(first + i, logs)
        logs.update({"loss": losses[-1]}, **{name: values[-1] for name, values in per_epoch.items()})
        reason = self.stopper.check(self.epoch_index - 1, logs)
        if self.max_steps is not None and h.steps >= self.max_steps:
            reason = "steps"
        self.reason = h.stop_reason = reason
        for cb in self.callbacks:          # displays, told of the last epoch
            cb.on_epoch_end(self.epoch_index - 1, logs)
        return True

    def epoch(self) -> None:
        """One pass over the feed: the schedule's rate, then :meth:`step` on each batch, then :meth:`end_epoch`."""
        if self.schedule is not None:
            self.rule.learning_rate = float(self.schedule.rate(self.epoch_index, self.last_error))
        self.epoch_total = self.epoch_weight = 0.0
        self._step_reason = None
        if not self.batch_callbacks and self._whole_epoch():
            self.end_epoch()
            return
        for batch in self.feed.batches(self.rng):
            self.step(batch)
            if self._step_reason:
                break
        self.end_epoch()

    def _whole_epoch(self) -> bool:
        """Let the rule learn the epoch in one call (no batch callbacks to call between steps)."""
        left = None if self.max_steps is None else self.max_steps - self.history.steps
        done = self.rule.whole_epoch(self.feed, self.rng, self, left)
        if done is None:
            return False
        total, weight, steps = done
        self.epoch_total, self.epoch_weight = float(total), float(weight)
        self.history.steps += int(steps)
        if self.max_steps is not None and self.history.steps >= self.max_steps:
            self._step_reason = "steps"
        return True

    def step(self, batch) -> None:
        """Learn from one batch; count it; ask the batch callbacks and ``max_steps`` whether to go on."""
        value, weight = self.rule.step(batch, self)
        self.history.steps += 1
        self.epoch_total += value * weight
        self.epoch_weight += weight
        if self.batch_callbacks:
            logs = {"loss": value, "learning_rate": self.rule.learning_rate}
            if any([cb.on_batch_end(self.history.steps, logs) for cb in self.batch_callbacks]):
                self._step_reason = "callback"
        if self.max_steps is not None and self.history.steps >= self.max_steps:
            self._step_reason = self._step_reason or "steps"

    def end_epoch(self) -> None:
        """Log the epoch, ask the stop criteria and callbacks, keep the best weights, write the checkpoint."""
        mean = self.epoch_total / self.epoch_weight if self.epoch_weight else 0.0
        logs = {"loss": mean, "learning_rate": self.rule.learning_rate}
        self.rule.epoch_logs(logs, self)
        self.last_error = logs["loss"]
        self._record(logs)
        epoch = self.epoch_index
        reason = self.stopper.check(epoch, logs)
        if self.network is not None and any(r.best_epoch == epoch for r in self.restorers):
            self.best_weights = self.network.get_weights()
        if any([cb.on_epoch_end(epoch, logs) for cb in self.callbacks]):
            reason = reason or "callback"
        self.reason = self._step_reason or reason
        self.history.stop_reason = self.reason
        self.epoch_index += 1
        if self.checkpoint is not None and (self.reason or self.epoch_index % self.checkpoint_every == 0):
            self.checkpoint(self)

    def finish(self) -> None:
        """Put back the best weights (``NoImprovement``), the optimizer's own rate, and end the callbacks."""
        try:
            if self.reason and self.restorers and self.best_weights is not None:
                self.network.set_weights(self.best_weights)
                self.history.best_epoch = self.restorers[0].best_epoch + 1
            self.rule.learning_rate = self.base_rate  # a schedule's rates never outlive the run
            self.rule.end()
        finally:
            for cb in self.callbacks:
                cb.on_train_end(self.history)

    # -- what a checkpoint holds -------------------------------------------------------------------
    @property
    def epochs(self) -> int | None:
        limits = [c.epochs for c in self.stopper.criteria if hasattr(c, "epochs")]
        return min(limits) if limits else None

    def state(self) -> tuple[dict, dict]:
        """``(JSON data, arrays)``: everything needed to continue this run exactly where it is."""
        rule_info, rule_arrays = self.rule.state()
        h = self.history
        info = {
            "epoch": self.epoch_index, "steps": h.steps, "last_error": self.last_error,
            "rng": self.rng.bit_generator.state, "stopper": self.stopper.state_dict(),
            "schedule": None if self.schedule is None else self.schedule.state_dict(),
            "history": h.to_dict(),   # gradient_norms included: a resumed run's History is the whole run's
            "rule": rule_info, "best": self.best_weights is not None, "reason": self.reason,
        }
        arrays = {f"rule.{k}": v for k, v in rule_arrays.items()}
        arrays.update({f"feed.{k}": v for k, v in getattr(self.feed, "state", dict)().items()})
        if self.best_weights is not None:
            arrays.update({f"best.{k}": v for k, v in self.best_weights.items()})
        return info, arrays

    def load_state(self, info: dict, arrays: dict) -> None:
        """Take back what :meth:`state` returned (the network's own weights are loaded by the caller)."""
        self.epoch_index, self.last_error = int(info["epoch"]), info["last_error"]
        self.rng.bit_generator.state = info["rng"]
        self.stopper.load_state_dict(info["stopper"])
        if self.schedule is not None and info["schedule"] is not None:
            self.schedule.load_state_dict(info["schedule"])
        h, saved = self.history, History.from_dict(info["history"])   # in place: callbacks hold ``h``
        h.loss[:], h.val_loss[:], h.learning_rate[:] = saved.loss, saved.val_loss, saved.learning_rate
        h.metrics.clear()
        h.metrics.update(saved.metrics)
        h.gradient_norms.clear()
        h.gradient_norms.update(saved.gradient_norms)
        h.stop_reason, h.steps = saved.stop_reason, int(info["steps"])
        self.best_weights = ({k[5:]: np.array(v) for k, v in arrays.items() if k.startswith("best.")}
                             if info["best"] else None)
        self.rule.load_state(info["rule"], {k[5:]: v for k, v in arrays.items() if k.startswith("rule.")})
        if hasattr(self.feed, "load_state"):
            self.feed.load_state({k[5:]: v for k, v in arrays.items() if k.startswith("feed.")})
        self.reason = info.get("reason")

    def _record(self, logs: dict) -> None:
        h = self.history
        h.loss.append(logs["loss"])
        h.learning_rate.append(logs["learning_rate"])
        if "val_loss" in logs:
            h.val_loss.append(logs["val_loss"])
        for name in list(h.metrics):
            h.metrics[name].append(logs[name])
