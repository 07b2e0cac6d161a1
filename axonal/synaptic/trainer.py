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

The learning rule (``rule=``):

* ``rule="synaptic"`` is Synaptic's: every output neuron learns from ``δ = t - y``
  with no derivative of its squash, whatever the cost, and the cost only measures
  (the error reported, ``error=`` to stop). In backpropagation's terms the error at
  the output pre-activation is ``ŷ - t`` (:mod:`axonal.losses.synaptic`): for a
  logistic output that is binary cross-entropy's gradient (summed over outputs);
  for other squashes it is no cost's gradient. Hidden layers learn by the delta rule
  in Synaptic's update order: each layer's weights are updated before the layer
  below reads them for its error (for chains of all-to-all layers, Synaptic's
  ``Perceptron``; other networks get the output error alone). From Synaptic's own
  weights this gives Synaptic's weights to 1e-12, and XOR with Synaptic's defaults
  takes a median of 1,266 epochs over seeds 1..20 where Synaptic takes 1,274
  (``rule="axonal"``: 3,697).
  The compiled online epochs run it too. Recurrent graph networks learnt online use
  LSTM-g's ``"synaptic"`` variant (Synaptic's compiled order of gain updates; its
  output error is ``t - y`` under either rule). The cost may then be any function
  ``cost(target, output) -> float``, registered or not, or ``"binary"``.
* ``rule="axonal"`` (the default; ``"monner"``, LSTM-g's name for it, is the same):
  **the cost is the loss.** ``cost`` is the loss whose gradient trains the network:
  ``"mse"`` (the default) backpropagates
  ``∂E/∂y = 2(y - t)/K`` through the output activation, ``"cross_entropy"`` the
  binary cross-entropy, whose gradient for a logistic output is Synaptic's
  ``y - t`` (divided by the ``K`` outputs, as axonal's losses average over
  outputs where Synaptic's cross-entropy sums). So at equal ``rate`` an MSE run
  takes smaller steps than Synaptic's (by ``2·f'(z)/K <= 1/2`` for a logistic output).
  Synaptic's ``"binary"`` cost has no gradient: :meth:`Trainer.test` accepts it,
  ``train`` does not; a cost given as a function needs a registered gradient
  (:func:`axonal.losses.register`).

Where this differs from Synaptic 1.1.4 on purpose:

* With ``rule="axonal"`` every error of a step is computed from the weights the step
  began with (plain backpropagation); Synaptic updates as it propagates.
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

import contextlib
import os
import time

import numpy as np

from ..callbacks import Callback
from ..losses.synaptic import SynapticDelta, synaptic_output
from ..optimizers import SGD
from ..stopping import AnyOf, ErrorBelow, MaxEpochs
from ..training import TrainingLoop
from ..training.checkpoint import Checkpointer, store_for
from ..training.lstm_g import LSTMGStep, StreamFeed
from .options import (_as_arrays, _check_count, _check_cross_validate, _check_error, _check_log,
                      _check_rate_option, _check_schedule, _cost_value, _cross_validation_cut, _first_rate, _loss,
                      _rate_schedule, _report)
from .results import TestResult, TrainResult
from .tasks import SynapticTasks

__all__ = ["Trainer"]


class Trainer(SynapticTasks):
    """Train ``network`` the way Synaptic's ``Trainer`` does (see the module docstring).

    Parameters
    ----------
    network : Sequential or GraphNetwork
    rate, iterations, error, cost, cross_validate
        The defaults of every :meth:`train` call (Synaptic's constructor options:
        0.2, 100000, 0.005, "mse", none).
    rule : {"axonal", "synaptic", "monner"}, default "axonal"
        How the network learns (see the module docstring): ``"synaptic"`` from Synaptic's
        output error ``t - y``, the cost only measuring; ``"axonal"`` from the cost's
        gradient. For recurrent graph networks learnt online, the LSTM-g variant
        (``"monner"`` is ``"axonal"``).
    """

    def __init__(self, network, *, rate=0.2, iterations: int = 100000, error: float = 0.005, cost="mse",
                 cross_validate=None, rule: str = "axonal"):
        self.network = network
        self.defaults = {"rate": rate, "iterations": iterations, "error": error, "cost": cost,
                         "cross_validate": cross_validate}
        _check_rate_option(rate, iterations)
        _check_count("iterations", iterations)
        _check_error("error", error)
        if rule not in ("axonal", "monner", "synaptic"):
            raise ValueError(f"Trainer: rule must be 'axonal' (the cost's gradient), 'synaptic' (Synaptic's t - y, "
                             f"the cost only measuring) or 'monner' (LSTM-g's name for 'axonal'), got {rule!r:.40}")
        self.rule = "axonal" if rule == "monner" else rule
        self._learner = None
        _loss(cost, train=not self._measures_only())

    # -- the general loop -----------------------------------------------------------------------
    def train(self, set, *, rate=None, iterations: int | None = None, error: float | None = None,
              shuffle: bool = False, cost=None, log=False, schedule=None, cross_validate=None, seed=None,
              method: str | None = None, checkpoint=None, checkpoint_every: int = 1, resume=None,
              diagnostics: bool = False) -> TrainResult:
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
        cost : {"mse", "cross_entropy", "binary"}, Loss or function, optional
            With ``rule="axonal"`` the loss that trains the network (unlike Synaptic, see
            the module docstring; a function needs a registered gradient); with
            ``rule="synaptic"`` what measures the error, as in Synaptic.
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
        checkpoint, checkpoint_every, resume
            Checkpoints of the run, as for :func:`axonal.training.fit`; online LSTM-g
            learning continues bit for bit too (weights, traces, stream state).
        diagnostics : bool, default False
            ``fit``'s checks and warnings (:mod:`axonal.diagnostics`). Off, as Synaptic's
            Trainer has none: their probe before and after each call would cost more than a
            short call's training (a few epochs of one-sample updates).

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
        recurrent = self._recurrent()
        method = ("online" if recurrent else None) if method is None else method
        loss = _loss(o["cost"], train=not self._measures_only(method))
        if recurrent:
            if method == "online":
                saving = {"checkpoint": checkpoint, "checkpoint_every": checkpoint_every, "resume": resume}
                return self._train_online(x, y, o, loss, shuffle, log, every, do, seed, saving)
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
        callbacks = _epoch_callbacks(every, do, log, monitor)
        synaptic = self.rule == "synaptic"
        before = self.network.loss_
        try:
            optimizer = SGD(learning_rate=_first_rate(o["rate"]))
            with synaptic_output(self.network, order=optimizer) if synaptic else contextlib.nullcontext():
                history = self.network.fit(
                    x, y, loss=SynapticDelta(loss) if synaptic else loss,
                    optimizer=optimizer, epochs=o["iterations"], batch_size=1,
                    shuffle=shuffle, error=None if validation is not None else o["error"], validation_data=validation,
                    stop=stop, schedule=_rate_schedule(o["rate"], o["iterations"]), callbacks=callbacks,
                    progress=False, seed=seed, checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume,
                    diagnostics=bool(diagnostics))
        finally:
            if synaptic:   # the network keeps the cost that measured it, when a file can name it
                self.network.loss_ = loss if getattr(loss, "registered", True) else before
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

    def _measures_only(self, method=None) -> bool:
        """Whether the cost only measures: Synaptic's rule, or LSTM-g (whose output error is ``t - y``)."""
        return self.rule == "synaptic" or (self._recurrent() and method in (None, "online"))

    def _recurrent(self) -> bool:
        layer = getattr(self.network, "graph_layer", None)
        return bool(layer is not None and layer.recurrent)

    def _online_learner(self):
        if not self._recurrent():
            raise ValueError("Trainer: this task needs a recurrent graph network (axonal.graph.GraphNetwork "
                             "with memory, e.g. architect.LSTM), learnt online by LSTM-g")
        if self._learner is None:
            self._learner = self.network.online(learning_rate=0.1,
                                                rule="synaptic" if self.rule == "synaptic" else "monner")
        return self._learner

    def _check_sizes(self, n_in, n_out, task):
        net = self.network
        if not net.built:
            net.build((n_in,))
        got_in = net.input_shape[-1]
        got_out = net.output_shape[-1]
        if (got_in, got_out) != (n_in, n_out):
            raise ValueError(f"Trainer.{task}: the network must have {n_in} inputs and {n_out} outputs; "
                             f"it has {got_in} and {got_out}")

    def _train_online(self, x, y, o, loss, shuffle, log, every, do, seed, saving) -> TrainResult:
        """Synaptic's loop for a recurrent network: one LSTM-g step per sample of one stream, whose
        state and eligibility traces carry on from sample to sample and epoch to epoch; run by the
        training loop with the :class:`~axonal.training.lstm_g.LSTMGStep` rule."""
        learner = self._online_learner()
        start = time.perf_counter()
        cv = o["cross_validate"]
        cut = len(x) if cv is None else _cross_validation_cut(cv, len(x))
        validation = None if cv is None else (lambda: self.test((x[cut:], y[cut:]), cost=o["cost"]).error)
        rule = LSTMGStep(learner, loss.value, _first_rate(o["rate"]), validation=validation)
        monitor = "loss" if cv is None else "val_loss"
        criteria = [MaxEpochs(o["iterations"]), ErrorBelow(o["error"], monitor=monitor)]
        if cv is not None:
            criteria.append(ErrorBelow(cv["test_error"], monitor="val_loss"))
        fingerprint = {"samples": int(cut), "iterations": int(o["iterations"]), "shuffle": shuffle,
                       "rule": learner.rule, "cost": loss.name}
        writer = None if saving["checkpoint"] is None else Checkpointer(self.network,
                                                                        store_for(saving["checkpoint"]), fingerprint)
        loop = TrainingLoop(rule, StreamFeed(x[:cut], y[:cut], shuffle=shuffle), stopper=AnyOf(*criteria),
                            rng=np.random.default_rng(seed), schedule=_rate_schedule(o["rate"], o["iterations"]),
                            callbacks=_epoch_callbacks(every, do, log, monitor), network=self.network,
                            checkpoint=writer, checkpoint_every=saving["checkpoint_every"])
        resume = saving["resume"]
        if resume is True:
            resume = saving["checkpoint"] if os.path.exists(saving["checkpoint"] or "") else None
        if resume is not None:
            Checkpointer.resume(loop, self.network, store_for(resume), fingerprint)
        history = loop.run()
        final = history.val_loss if cv is not None else history.loss
        return TrainResult(error=float(final[-1]), iterations=len(history.loss), time=time.perf_counter() - start,
                           stop_reason=history.stop_reason or "", history=history)


def _epoch_callbacks(every, do, log, monitor) -> list:
    """Synaptic's per-epoch ``schedule``/``log`` as a callback, only when one is asked for: with none,
    nothing listens between epochs and a compiled rule may learn many epochs in one call."""
    return [_SynapticEpoch(every, do, log, monitor)] if every is not None or log else []


class _SynapticEpoch(Callback):
    """After every epoch: Synaptic's ``schedule`` (every ``n``: ``do(info)``, true aborts) or
    else its ``log`` line. ``info["error"]`` is what Synaptic calls the error: the training
    loss, or the held-out loss with cross-validation (``monitor``)."""

    def __init__(self, every, do, log, monitor):
        self.every, self.do, self.log, self.monitor = every, do, log, monitor

    def on_epoch_end(self, epoch, logs):
        info = {"error": logs[self.monitor], "iterations": epoch + 1, "rate": logs["learning_rate"]}
        return _report(epoch + 1, self.every, self.do, self.log, info)
