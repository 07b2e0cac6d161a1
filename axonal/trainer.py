"""Synaptic's ``Trainer``: train a network on a list of samples, and its built-in tasks.

``Trainer(network).train(set, **options)`` takes Synaptic's data and options
(``set = [{"input": [...], "output": [...]}, ...]``, ``rate``, ``iterations``,
``error``, ``shuffle``, ``cost``, ``log``, ``schedule``, ``cross_validate``) and
runs them through axonal's own training loop (:func:`axonal.training.fit`) with
online learning, ``batch_size=1``, and plain SGD::

    Synaptic option                      axonal
    iterations                           fit(epochs=...)
    error                                fit(error=...)  (ErrorBelow on the training loss)
    rate: number                         SGD(learning_rate=...)
    rate: [r0, r1, ...]                  RateList(rates, iterations, synaptic=True)
    rate: function(iterations, error)    FromCallable (iterations counted from 1)
    schedule: {every, do}                a Callback; ``do`` returning True aborts
    crossValidate: {testSize, testError} validation data + ErrorBelow on val_loss

Where this differs from Synaptic 1.1.4 on purpose:

* **The cost is the loss.** In Synaptic the cost only decides when to stop; every
  output neuron learns from ``δ = t - y`` whatever the cost. Here ``cost`` is the
  loss whose gradient trains the network: ``"mse"`` (the default) backpropagates
  ``∂E/∂y = 2(y - t)/K`` through the output activation, ``"cross_entropy"`` the
  binary cross-entropy, whose gradient for a logistic output is Synaptic's
  ``y - t`` (divided by the ``K`` outputs, as axonal's losses average over
  outputs where Synaptic's cross-entropy sums). So at equal ``rate`` an MSE run
  takes smaller steps than Synaptic's (by ``2·f'(z)/K <= 1/2`` for a logistic output).
  Synaptic's ``"binary"`` cost has no gradient: :meth:`Trainer.test` accepts it,
  ``train`` does not.
* **Options never stick.** Synaptic copies a call's ``iterations``, ``error``,
  ``rate``, ``cost`` and ``schedule`` into the trainer for every later call; here
  a call's options apply to that call only. Defaults come from the constructor.
* ``error=0`` is allowed (Synaptic's ``options.error || .005`` cannot express it).
* ``shuffle`` draws from ``seed`` (never a global generator), shuffles before every
  epoch including the first (Synaptic shuffles after each) and never reorders
  the caller's list (Synaptic shuffles it in place).
* ``time`` is in seconds (Synaptic: milliseconds).

Recurrent graph networks (:class:`~axonal.graph.GraphNetwork` with memory). In
Synaptic a set given to ``train`` is one stream: every sample is a time step and
the state carries on from sample to sample and from epoch to epoch. Here
``method="online"`` (the default for such networks) does the same with LSTM-g
(:meth:`GraphNetwork.online`), and ``method="bptt"`` trains the set as one
sequence with ``fit`` (backpropagation through time, the cost as the loss; each
epoch then starts from a zero state). LSTM-g's output error is always ``t - y``,
the gradient of cross-entropy for logistic outputs: with LSTM-g the cost is the
error that is measured and decides when to stop, as in Synaptic.

>>> from axonal import Dense, Sequential
>>> net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], seed=0)
>>> result = Trainer(net).xor(iterations=200, seed=0)
>>> result.iterations
200
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from .callbacks import Callback
from .optimizers import SGD
from .schedules import FromCallable, RateList
from .stopping import ErrorBelow

__all__ = ["COSTS", "TaskResult", "TestResult", "TrainResult", "Trainer"]

#: Synaptic's cost names and the axonal losses they train with (``"binary"``: test only)
COSTS = {"mse": "mse", "cross_entropy": "binary_cross_entropy", "binary": None}


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


class Trainer:
    """Train ``network`` the way Synaptic's ``Trainer`` does (see the module docstring).

    Parameters
    ----------
    network : Sequential or GraphNetwork
    rate, iterations, error, cost, cross_validate
        The defaults of every :meth:`train` call (Synaptic's constructor options:
        0.2, 100000, 0.005, "mse", none).
    rule : {"monner", "synaptic"}, default "monner"
        The LSTM-g rule for online learning of recurrent graph networks.
    """

    def __init__(self, network, *, rate=0.2, iterations: int = 100000, error: float = 0.005, cost="mse",
                 cross_validate=None, rule: str = "monner"):
        self.network = network
        self.defaults = {"rate": rate, "iterations": iterations, "error": error, "cost": cost,
                         "cross_validate": cross_validate}
        _check_rate_option(rate, iterations)
        _check_count("iterations", iterations)
        _check_error("error", error)
        _loss(cost, train=True)
        if rule not in ("monner", "synaptic"):
            raise ValueError(f"Trainer: rule must be 'monner' or 'synaptic', got {rule!r}")
        self.rule = rule
        self._learner = None

    # -- the general loop -----------------------------------------------------------------------
    def train(self, set, *, rate=None, iterations: int | None = None, error: float | None = None,
              shuffle: bool = False, cost=None, log=False, schedule=None, cross_validate=None, seed=None,
              method: str | None = None) -> TrainResult:
        """Train on ``set`` until ``iterations`` epochs or an epoch's error ``<= error``.

        Parameters
        ----------
        set : list of {"input": [...], "output": [...]}, or a pair of arrays (x, y)
            ``x`` (samples, inputs), ``y`` (samples, outputs).
        rate : float, list of float or callable, optional
            A constant rate; a list spread over the run as Synaptic does (rate ``j``
            from epoch ``j·⌊N/m⌋`` counted from 1, the first one epoch shorter); or
            ``rate(iterations, error)`` called before each epoch with the epochs so
            far plus one and the previous epoch's error (0 before the first).
        iterations : int, optional
            The most epochs.
        error : float, optional
            Stop after an epoch whose error is ``<= error``.
        shuffle : bool, default False
            Visit the samples in a new order every epoch (drawn from ``seed``).
        cost : {"mse", "cross_entropy"} or Loss, optional
            The loss that trains the network (unlike Synaptic, see the module docstring).
        log : False or int
            Print the epoch, error and rate every ``log`` epochs (not on epochs where
            ``schedule`` runs, as in Synaptic).
        schedule : {"every": n, "do": fn}, optional
            ``fn({"error", "iterations", "rate"})`` after every ``n``-th epoch; a true
            return value stops training after that epoch.
        cross_validate : {"test_size": f, "test_error": e}, optional
            Train on the first ``⌈(1 - f)·n⌉`` samples; the epoch's error is then the
            mean cost on the rest, and training also stops once it is ``<= e``.
        seed : int or Generator, optional
            For the shuffling.
        method : {"online", "bptt"}, optional
            Recurrent graph networks only (see the module docstring).

        Returns
        -------
        TrainResult
        """
        o = self._options(rate, iterations, error, cost, cross_validate)
        if not isinstance(shuffle, bool):
            raise TypeError(f"Trainer.train: shuffle must be True or False, got {shuffle!r}")
        log = _check_log(log)
        every, do = _check_schedule(schedule)
        x, y = _as_arrays(set, "Trainer.train")
        loss = _loss(o["cost"], train=True)
        if self._recurrent():
            method = "online" if method is None else method
            if method == "online":
                return self._train_online(x, y, o, loss, shuffle, log, every, do, seed)
            if method != "bptt":
                raise ValueError(f"Trainer.train: method must be 'online' or 'bptt', got {method!r}")
            if shuffle or o["cross_validate"] is not None:
                raise ValueError("Trainer.train: method='bptt' trains the set as one sequence; shuffle and "
                                 "cross_validate do not apply to it")
            x, y = x[None], y[None]
        elif method not in (None, "online"):
            raise ValueError(f"Trainer.train: method={method!r} is for recurrent graph networks; this network "
                             f"is feed-forward and trains online")

        start = time.perf_counter()
        stop, validation = [], None
        monitor = "loss"
        if o["cross_validate"] is not None:
            cut = _cross_validation_cut(o["cross_validate"], len(x))
            x, y, validation = x[:cut], y[:cut], (x[cut:], y[cut:])
            monitor = "val_loss"
            stop = [ErrorBelow(o["error"], monitor="val_loss"),
                    ErrorBelow(o["cross_validate"]["test_error"], monitor="val_loss")]
        callbacks = [_SynapticEpoch(every, do, log, monitor)]
        history = self.network.fit(
            x, y, loss=loss, optimizer=SGD(learning_rate=_first_rate(o["rate"])), epochs=o["iterations"],
            batch_size=1, shuffle=shuffle, error=None if validation is not None else o["error"],
            validation_data=validation, stop=stop, schedule=_rate_schedule(o["rate"], o["iterations"]),
            callbacks=callbacks, progress=False, seed=seed)
        final = history.val_loss if validation is not None else history.loss
        return TrainResult(error=float(final[-1]), iterations=len(history.loss),
                           time=time.perf_counter() - start, stop_reason=history.stop_reason or "", history=history)

    def test(self, set, *, cost="mse") -> TestResult:
        """Mean ``cost`` of the network's outputs over ``set`` (no learning).

        ``cost`` may also be ``"binary"``: per sample, the number of outputs with
        ``round(2t) != round(2y)``. A recurrent graph network trained online runs the set
        as a continuation of the stream it was trained on, as in Synaptic; one that has
        not learnt online (``method="bptt"``) runs it from a fresh state.
        """
        start = time.perf_counter()
        x, y = _as_arrays(set, "Trainer.test")
        if self._recurrent():
            learner = self._online_learner()
            out = np.stack([learner.step(xt) for xt in x])
        else:
            out = self.network.predict(x)
        out = np.asarray(out, dtype=np.float64).reshape(y.shape)
        return TestResult(error=_cost_value(cost, out, y), time=time.perf_counter() - start)

    # -- the built-in tasks -----------------------------------------------------------------------
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
        from .data.sequences import discrete_sequence_recall
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
        from .data.sequences import ERG_SYMBOLS, embedded_reber_grammar
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
        from .data.sequences import timing_task
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

    # -- helpers ------------------------------------------------------------------------------------
    def _options(self, rate, iterations, error, cost, cross_validate) -> dict:
        o = dict(self.defaults)
        given = {"rate": rate, "iterations": iterations, "error": error, "cost": cost,
                 "cross_validate": cross_validate}
        o.update({k: v for k, v in given.items() if v is not None})
        _check_count("iterations", o["iterations"])
        _check_error("error", o["error"])
        _check_rate_option(o["rate"], o["iterations"])
        if o["cross_validate"] is not None:
            o["cross_validate"] = _check_cross_validate(o["cross_validate"])
        return o

    def _recurrent(self) -> bool:
        layer = getattr(self.network, "graph_layer", None)
        return bool(layer is not None and layer.recurrent)

    def _online_learner(self):
        if not self._recurrent():
            raise ValueError("Trainer: this task needs a recurrent graph network (axonal.graph.GraphNetwork "
                             "with memory, e.g. architect.LSTM), learnt online by LSTM-g")
        if self._learner is None:
            self._learner = self.network.online(learning_rate=0.1, rule=self.rule)
        return self._learner

    def _check_sizes(self, n_in, n_out, task):
        net = self.network
        if not net.built:
            net.build_network((n_in,))
        got_in = net.input_shape[-1]
        got_out = net.output_shape[-1]
        if (got_in, got_out) != (n_in, n_out):
            raise ValueError(f"Trainer.{task}: the network must have {n_in} inputs and {n_out} outputs; "
                             f"it has {got_in} and {got_out}")

    def _train_online(self, x, y, o, loss, shuffle, log, every, do, seed) -> TrainResult:
        """Synaptic's loop for a recurrent network, one LSTM-g step per sample.

        Written out rather than run by ``fit``: ``fit`` trains by backpropagation of
        whole samples, while here every sample is one time step of a stream whose
        state and eligibility traces carry on from sample to sample and epoch to epoch.
        """
        learner = self._online_learner()
        schedule = _rate_schedule(o["rate"], o["iterations"])
        rate = _first_rate(o["rate"])
        rng = np.random.default_rng(seed)
        start = time.perf_counter()
        n = len(x)
        cut, cv = n, o["cross_validate"]
        if cv is not None:
            cut = _cross_validation_cut(cv, n)
        order = np.arange(cut)
        err, last, epochs, reason = 1.0, None, 0, "epochs"
        while epochs < o["iterations"]:
            if schedule is not None:
                rate = schedule.rate(epochs, last)
            if shuffle:
                rng.shuffle(order)
            total = 0.0
            for i in order:
                out = learner.step(x[i], y[i], learning_rate=rate)
                total += loss.value(out[None], y[i][None])
            err = total / cut
            if cv is not None:
                err = self.test((x[cut:], y[cut:]), cost=o["cost"]).error
            last = err
            epochs += 1
            if _report(epochs, every, do, log, {"error": err, "iterations": epochs, "rate": rate}):
                reason = "callback"
                break
            if err <= o["error"] or (cv is not None and err <= cv["test_error"]):
                reason = "error"
                break
        return TrainResult(error=float(err), iterations=epochs, time=time.perf_counter() - start,
                           stop_reason=reason)


class _SynapticEpoch(Callback):
    """After every epoch: Synaptic's ``schedule`` (every ``n``: ``do(info)``, true aborts) or
    else its ``log`` line. ``info["error"]`` is what Synaptic calls the error: the training
    loss, or the held-out loss with cross-validation (``monitor``)."""

    def __init__(self, every, do, log, monitor):
        self.every, self.do, self.log, self.monitor = every, do, log, monitor

    def on_epoch_end(self, epoch, logs):
        info = {"error": logs[self.monitor], "iterations": epoch + 1, "rate": logs["learning_rate"]}
        return _report(epoch + 1, self.every, self.do, self.log, info)


def _report(iterations, every, do, log, info) -> bool:
    if every is not None and iterations % every == 0:
        return bool(do(info))
    if log and iterations % log == 0:
        print(" ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    return False


# -- options ---------------------------------------------------------------------------------------
def _rate_schedule(rate, iterations):
    """``None`` for a constant rate, else the schedule giving Synaptic's rate at each epoch."""
    if callable(rate):
        # Synaptic calls rate(iterations, lastError) with iterations counted from 1 and 0
        # before the first error; fit counts epochs from 0 and gives the loss before training.
        return FromCallable(lambda epoch, err: rate(epoch + 1, 0.0 if epoch == 0 or err is None else err))
    if isinstance(rate, (list, tuple, np.ndarray)):
        return RateList(list(np.asarray(rate, dtype=float).ravel()), iterations=iterations, synaptic=True)
    return None


def _first_rate(rate) -> float:
    if isinstance(rate, (list, tuple, np.ndarray)):
        return float(np.asarray(rate, dtype=float).ravel()[0])
    if callable(rate):
        return 1.0  # replaced by the schedule before the first step
    return float(rate)


def _check_rate_option(rate, iterations):
    if callable(rate) and not isinstance(rate, type):
        return
    if isinstance(rate, (list, tuple, np.ndarray)):
        values = list(np.asarray(rate, dtype=object).ravel())
        if not values or not all(_is_real(v) and math.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"Trainer: rate as a list must hold finite numbers > 0, got {list(rate)!r}")
        if iterations < len(values):
            raise ValueError(f"Trainer: rate lists {len(values)} rates but iterations is {iterations}; each rate "
                             f"needs at least one epoch (iterations >= {len(values)})")
        return
    _check_positive("rate", rate)


def _check_cross_validate(cv) -> dict:
    if not isinstance(cv, dict):
        raise TypeError(f"Trainer: cross_validate must be a dict {{'test_size': f, 'test_error': e}}, got {cv!r}")
    aliases = {"testSize": "test_size", "testError": "test_error"}
    cv = {aliases.get(k, k): v for k, v in cv.items()}
    unknown = sorted(set(cv) - {"test_size", "test_error"})
    if unknown:
        raise ValueError(f"Trainer: cross_validate has unknown keys {unknown}; expected test_size, test_error")
    size = cv.get("test_size")
    if not (_is_real(size) and 0 < size < 1):
        raise ValueError(f"Trainer: cross_validate test_size must be a number in (0, 1), got {size!r}")
    test_error = cv.get("test_error", 0.0)
    _check_error("cross_validate test_error", test_error)
    return {"test_size": float(size), "test_error": float(test_error)}


def _cross_validation_cut(cv, n) -> int:
    cut = math.ceil((1 - cv["test_size"]) * n)   # Synaptic's numTrain
    if cut < 1 or cut >= n:
        raise ValueError(f"Trainer: cross_validate test_size={cv['test_size']} of {n} samples leaves {cut} for "
                         f"training and {n - cut} for testing; need at least 1 on each side")
    return cut


def _check_schedule(schedule):
    if schedule is None:
        return None, None
    if not isinstance(schedule, dict):
        raise TypeError(f"Trainer: schedule must be a dict {{'every': n, 'do': fn}}, got {schedule!r}")
    unknown = sorted(set(schedule) - {"every", "do"})
    if unknown:
        raise ValueError(f"Trainer: schedule has unknown keys {unknown}; expected every, do")
    every, do = schedule.get("every"), schedule.get("do")
    if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
        raise ValueError(f"Trainer: schedule every must be a positive integer, got {every!r}")
    if not callable(do):
        raise TypeError(f"Trainer: schedule do must be a function do(info), got {do!r}")
    return int(every), do


def _check_log(log):
    if log is False or log is None or log == 0:
        return 0
    if isinstance(log, bool) or not isinstance(log, numbers.Integral) or log < 0:
        raise ValueError(f"Trainer: log must be False or a positive integer (epochs between lines), got {log!r}")
    return int(log)


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"Trainer: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_error(name, value):
    if not (_is_real(value) and math.isfinite(value) and value >= 0):
        raise ValueError(f"Trainer: {name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_positive(name, value):
    if not (_is_real(value) and math.isfinite(value) and value > 0):
        raise ValueError(f"Trainer: {name} must be a finite number > 0, got {value!r}")
    return float(value)


def _check_fraction(name, value):
    if not (_is_real(value) and 0 < value <= 1):
        raise ValueError(f"Trainer: {name} must be a number in (0, 1], got {value!r}")
    return float(value)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _loss(cost, *, train):
    """The axonal loss for a Synaptic cost name, a loss name or a Loss."""
    if isinstance(cost, _losses.Loss):
        return cost
    if not isinstance(cost, str):
        raise TypeError(f"Trainer: cost must be 'mse', 'cross_entropy', 'binary' or an axonal loss, got {cost!r}")
    key = cost.lower()
    if key in COSTS:
        if COSTS[key] is None:
            if train:
                raise ValueError("Trainer: cost 'binary' counts wrong outputs and has no gradient, so it cannot "
                                 "train a network; use it with test(), or train with 'mse' or 'cross_entropy'")
            return None
        key = COSTS[key]
    try:
        return _losses.get(key)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"Trainer: unknown cost {cost!r}; use 'mse', 'cross_entropy', 'binary' or an "
                         f"axonal loss name ({exc})") from None


def _cost_value(cost, out, y) -> float:
    """Mean cost per sample of outputs ``out`` against targets ``y``, both (samples, outputs)."""
    loss = _loss(cost, train=False)
    if loss is None:   # Synaptic's BINARY: outputs on the wrong side of 0.25 / 0.75 steps
        return float(np.mean(np.sum(np.round(2 * y) != np.round(2 * out), axis=-1)))
    return loss.value(out, y)


def _as_arrays(set, where):
    """``(x, y)`` as float64 arrays (samples, features) from Synaptic samples or a pair of arrays."""
    if isinstance(set, tuple) and len(set) == 2:
        x, y = np.asarray(set[0], dtype=np.float64), np.asarray(set[1], dtype=np.float64)
    else:
        try:
            samples = list(set)
            x = np.array([s["input"] for s in samples], dtype=np.float64)
            y = np.array([s["output"] for s in samples], dtype=np.float64)
        except (TypeError, KeyError) as exc:
            raise ValueError(f"{where}: set must be a list of {{'input': [...], 'output': [...]}} or a pair "
                             f"(x, y) of arrays ({exc!r})") from None
    if x.ndim == 1:
        x = x[:, None]
    if y.ndim == 1:
        y = y[:, None]
    if len(x) == 0 or len(x) != len(y) or x.ndim != 2 or y.ndim != 2:
        raise ValueError(f"{where}: need inputs (samples, features) and outputs (samples, outputs) with the same "
                         f"number of samples (at least one); got {x.shape} and {y.shape}")
    return x, y
