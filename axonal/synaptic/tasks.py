"""Synaptic's built-in tasks for a ``Trainer``: XOR, discrete sequence recall, embedded
Reber grammar and the timing task, with Synaptic's defaults."""

from __future__ import annotations

import time

import numpy as np

from .options import (_check_count, _check_error, _check_fraction, _check_log, _check_positive,
                      _check_schedule, _cost_value, _report)
from .results import TaskResult, TrainResult

__all__ = ["SynapticTasks"]


class SynapticTasks:
    """The tasks of Synaptic's ``Trainer``, mixed into :class:`~axonal.synaptic.Trainer`."""

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
        rng = np.random.default_rng(seed)
        learner = self._online_learner()
        start = time.perf_counter()
        trial = correct = 0
        share, err = 0.0, 1.0
        while trial < iterations and (share < success or trial % 1000 != 0):
            if trial % 1000 == 0:
                block = min(1000, iterations - trial)
                xs, ys, _ = discrete_sequence_recall(block, targets=targets, distractors=distractors,
                                                     prompts=prompts, length=length, seed=rng)
                correct = 0
            x, y = xs[trial % 1000], ys[trial % 1000]
            right, total = True, 0.0
            for t in range(length):
                out = learner.step(x[t])
                if np.any(np.round(out) != y[t]):
                    right = False
                    learner.propagate(y[t][None], learning_rate=rate)
                total += _cost_value(cost, out[None], y[t][None])
            correct += right
            trial += 1
            share = correct / (trial % 1000 or 1000)
            err = total / length
            info = {"iterations": trial, "success": share, "error": err, "correct": correct,
                    "time": time.perf_counter() - start}
            if _report(trial, every, do, log, info):
                break
        return TaskResult(iterations=trial, error=err, time=time.perf_counter() - start, success=share)

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
        rng = np.random.default_rng(seed)
        learner = self._online_learner()
        start = time.perf_counter()
        eye = np.eye(k)
        iteration, err = 0, 1.0
        while iteration < iterations and err > error:
            if iteration % 1000 == 0:
                xs, _, masks = embedded_reber_grammar(min(1000, iterations - iteration), seed=rng)
            x, steps = xs[iteration % 1000], int(masks[iteration % 1000].sum())
            symbols = list(x[:steps].argmax(-1)) + [ERG_SYMBOLS.index("E")]
            total = 0.0
            for t in range(steps):
                target = eye[symbols[t + 1]]
                out = learner.step(eye[symbols[t]])
                if np.argmax(out) != symbols[t + 1]:
                    learner.propagate(target[None], learning_rate=rate)
                total += _cost_value(cost, out[None], target[None])
            err = total / len(symbols)
            iteration += 1
            if _report(iteration, every, do, log, {"iterations": iteration, "error": err}):
                break
        return TaskResult(iterations=iteration, error=err, time=time.perf_counter() - start)

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
