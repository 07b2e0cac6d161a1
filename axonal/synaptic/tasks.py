"""Synaptic's built-in tasks for a ``Trainer``: XOR, discrete sequence recall, embedded
Reber grammar and the timing task, with Synaptic's defaults."""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from ..callbacks import Callback
from ..stopping import ErrorBelow, MaxEpochs, StopCriterion
from ..training import TrainingLoop
from ..training.batches import Batch
from ..training.lstm_g import ArgmaxMatch, LSTMGStep, RoundedMatch
from .options import (_check_count, _check_error, _check_fraction, _check_log, _check_positive,
                      _check_schedule, _loss, _report)
from .results import TaskResult, TrainResult

__all__ = ["SynapticTasks"]


class SynapticTasks:
    """The tasks of Synaptic's ``Trainer``, mixed into :class:`~axonal.synaptic.Trainer`."""

    # what the Trainer provides
    train: Callable[..., TrainResult]
    test: Callable[..., Any]
    _check_sizes: Callable[[int, int, str], None]
    _online_learner: Callable[[], Any]

    def xor(self, **options) -> TrainResult:
        """Train XOR (2 inputs, 1 output), Synaptic's ``XOR``: set ``[0,0]→0, [1,0]→1, [0,1]→1,
        [1,1]→0``, options ``iterations=100000, shuffle=True, cost="mse"`` unless given."""
        self._check_sizes(2, 1, "xor")
        set_ = [{"input": [0, 0], "output": [0]}, {"input": [1, 0], "output": [1]},
                {"input": [0, 1], "output": [1]}, {"input": [1, 1], "output": [0]}]
        settings = {"iterations": 100000, "log": False, "shuffle": True, "cost": "mse"}
        settings.update(options)
        return self.train(set_, **settings)

    def dsr(self, *, targets=(2, 4, 7, 8), distractors=(3, 5, 6, 9), prompts=(0, 1), length: int = 24,
            success: float = 0.95, iterations: int = 100000, rate: float = 0.1, log=0, schedule=None,
            cost="cross_entropy", seed=None) -> TaskResult:
        """Discrete sequence recall, learnt online by LSTM-g (Synaptic's ``DSR``).

        Each trial is a fresh sequence (:func:`axonal.data.sequences.discrete_sequence_recall`);
        at each step the network is activated and learns (``rate``) only when some
        rounded output differs from its target. A sequence is correct when every
        step was. Training stops after ``iterations`` sequences, or at the end of a
        block of 1000 whose share of correct sequences is ``>= success``. The state
        is never cleared between sequences, as in Synaptic.

        Fixed Synaptic slips: its count forgets the first sequence of every block
        (``correct`` is reset after that sequence is counted), so a perfect block
        scores 0.999; here every sequence counts. It orders the target positions
        with a string sort (10 before 9); here by value. ``schedule["do"]``
        returning True stops training (Synaptic ignores the value).

        Returns
        -------
        TaskResult with ``iterations``, ``success``, ``error`` (mean cost per step of
        the last sequence) and ``time``.
        """
        from ..data.sequences import discrete_sequence_recall
        n_symbols = len(targets) + len(distractors) + len(prompts)
        self._check_sizes(n_symbols, len(targets), "dsr")
        _check_count("iterations", iterations)
        _check_fraction("success", success)
        rate = _check_positive("rate", rate)
        log = _check_log(log)
        every, do = _check_schedule(schedule or None)
        start = time.perf_counter()

        def draw(n, rng):
            xs, ys, _ = discrete_sequence_recall(n, targets=targets, distractors=distractors, prompts=prompts,
                                                 length=length, seed=rng)
            return xs, ys, np.full(n, length)

        blocks = _BlockSuccess(success)
        rule = LSTMGStep(self._online_learner(), _step_cost(cost), rate, judge=RoundedMatch())

        def info(logs, epoch):
            return {"iterations": epoch + 1, "success": blocks.share, "error": logs["loss"],
                    "correct": blocks.correct, "time": time.perf_counter() - start}

        history = _run_task(rule, _SequenceFeed(draw, iterations), MaxEpochs(iterations) | blocks, seed,
                            _TaskReport(every, do, log, info))
        return TaskResult(iterations=len(history), error=history.loss[-1], time=time.perf_counter() - start,
                          success=blocks.share)

    def erg(self, *, iterations: int = 150000, error: float = 0.05, rate: float = 0.1, log=500,
            cost="cross_entropy", schedule=None, seed=None) -> TaskResult:
        """Embedded Reber grammar, learnt online by LSTM-g (Synaptic's ``ERG``).

        Each iteration is one fresh embedded Reber string; at each step the network
        predicts the next symbol (one-hot, 7 symbols ``B T P S X V E`` in the order of
        :data:`axonal.data.sequences.ERG_SYMBOLS`) and learns only when the arg-max
        is wrong. The string's error is the summed cost divided by its length;
        training stops once it is ``<= error`` or after ``iterations`` strings.

        Fixed Synaptic slip: its symbol table has six entries and no ``V``, so a
        ``V`` step shows the network no input and asks for no output; here the
        network has 7 inputs and 7 outputs and sees every symbol.
        """
        from ..data.sequences import ERG_SYMBOLS, embedded_reber_grammar
        k = len(ERG_SYMBOLS)
        self._check_sizes(k, k, "erg")
        _check_count("iterations", iterations)
        _check_error("error", error)
        rate = _check_positive("rate", rate)
        log = _check_log(log)
        every, do = _check_schedule(schedule)
        start = time.perf_counter()
        eye = np.eye(k)
        end = ERG_SYMBOLS.index("E")

        def draw(n, rng):
            xs, _, masks = embedded_reber_grammar(n, seed=rng)
            lengths = masks.sum(axis=1).astype(int)
            codes = xs.argmax(-1)
            # step t reads symbol t and is asked for symbol t + 1; the string ends in E
            nxt = np.concatenate([codes[:, 1:], np.full((n, 1), end)], axis=1)
            nxt[np.arange(n), lengths - 1] = end
            return eye[codes], eye[nxt], lengths

        rule = _StringError(self._online_learner(), _step_cost(cost), rate, judge=ArgmaxMatch())

        def info(logs, epoch):
            return {"iterations": epoch + 1, "error": logs["loss"]}

        history = _run_task(rule, _SequenceFeed(draw, iterations), MaxEpochs(iterations) | ErrorBelow(error),
                            seed, _TaskReport(every, do, log, info))
        return TaskResult(iterations=len(history), error=history.loss[-1], time=time.perf_counter() - start)

    def timing_task(self, *, iterations: int = 200, error: float = 0.005, rate=(0.03, 0.02), log=10,
                    cost="mse", train_samples: int = 7000, test_samples: int = 1000, seed=None,
                    method: str | None = None) -> TaskResult:
        """Synaptic's timing task (2 inputs, 1 output): one stream of ``train_samples +
        test_samples`` steps (:func:`axonal.data.sequences.timing_task`); :meth:`train` on the
        first part (one sample per step, the state carried on), :meth:`test` on the rest.

        Fixed Synaptic slip: it sizes the test part by ``trainSamples``, ignoring
        ``testSamples``; here ``test_samples`` is used.
        """
        from ..data.sequences import timing_task
        self._check_sizes(2, 1, "timing_task")
        _check_count("train_samples", train_samples)
        _check_count("test_samples", test_samples)
        x, y = timing_task(1, length=max(21, train_samples + test_samples), seed=np.random.default_rng(seed))
        x, y = x[0], y[0]
        train = self.train((x[:train_samples], y[:train_samples]), rate=list(rate) if isinstance(
            rate, tuple) else rate, iterations=iterations, error=error, cost=cost, log=log, seed=seed,
            method=method)
        test = self.test((x[train_samples:], y[train_samples:]), cost=cost)
        return TaskResult(iterations=train.iterations, error=test.error, time=train.time + test.time,
                          train=train, test=test)


def _run_task(rule, feed, stopper, seed, report):
    """A task's training run: one sequence per epoch, drawn from ``seed``'s generator. The report
    listens only when it has something to do, so that a compiled rule may run a block at once."""
    callbacks = [report] if report.every is not None or report.log else []
    loop = TrainingLoop(rule, feed, stopper=stopper, rng=np.random.default_rng(seed), callbacks=callbacks)
    return loop.run()


def _step_cost(cost):
    """The cost measured at each step, ``(outputs, targets) -> float``: a loss's ``value`` (which the
    compiled path evaluates for every step at once), Synaptic's ``binary`` or a function of your own."""
    return _loss(cost, train=False).value


class _SequenceFeed:
    """One fresh sequence per epoch, its time steps as batches; drawn ``draw(n, rng) -> (x, y, lengths)``
    in blocks of 1000 sequences, as Synaptic's tasks generate them."""

    def __init__(self, draw, iterations: int, block: int = 1000):
        self.draw, self.iterations, self.block = draw, iterations, block
        self.trial = 0
        self.info = {"samples": 1, "batch_size": 1, "steps_per_epoch": None}

    def batches(self, rng):
        xs, ys, lengths = self.next_sequences(rng, 1)
        for t in range(int(lengths[0])):
            yield Batch(xs[0, t], ys[0, t], None, None, None, t, t)

    def next_sequences(self, rng, n: int):
        """The sequences of the next ``n`` epochs, at most to the end of the current block (a new
        block is drawn at its start): ``x`` (sequences, steps, inputs), ``y`` (sequences, steps,
        outputs) and ``lengths`` (sequences,), each sequence being its first ``length`` steps."""
        if self.trial % self.block == 0:
            self.xs, self.ys, self.lengths = self.draw(min(self.block, self.iterations - self.trial), rng)
        i = self.trial % self.block
        count = max(1, min(n, len(self.lengths) - i))
        self.trial += count
        return self.xs[i:i + count], self.ys[i:i + count], np.asarray(self.lengths[i:i + count], dtype=np.int64)

    def tell(self) -> int:
        """How many sequences were given so far."""
        return self.trial

    def seek(self, trial: int) -> None:
        """Go back to ``tell()``'s answer of earlier in this block, or to the start of a block (redrawn
        from the generator, which the caller puts back too)."""
        self.trial = trial


class _BlockSuccess(StopCriterion):
    """Stop at the end of a block of ``block`` sequences whose share of correct ones is ``>= success``."""

    def __init__(self, success: float, block: int = 1000):
        self.success, self.block = success, block
        self.reset()

    def reset(self):
        self.correct, self.share = 0, 0.0

    def check(self, epoch, logs):
        seen = epoch % self.block + 1
        if seen == 1:
            self.correct = 0
        self.correct += int(logs["correct"])
        self.share = self.correct / seen
        return "success" if seen == self.block and self.share >= self.success else None

    def next_decision(self, epoch):
        return epoch - epoch % self.block + self.block - 1


class _StringError(LSTMGStep):
    """The ERG error of a string: its summed cost over its length counted with the closing ``E``
    (one more than the steps learned from), as Synaptic divides it."""

    def epoch_logs(self, logs, loop):
        super().epoch_logs(logs, loop)
        logs["loss"] = loop.epoch_total / (loop.epoch_weight + 1)


class _TaskReport(Callback):
    """Synaptic's ``schedule`` / ``log`` for a task, with ``info(logs, epoch)`` as what ``do`` gets."""

    def __init__(self, every, do, log, info):
        self.every, self.do, self.log, self.info = every, do, log, info

    def on_epoch_end(self, epoch, logs):
        return _report(epoch + 1, self.every, self.do, self.log, self.info(logs, epoch))
