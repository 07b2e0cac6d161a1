"""Backpropagation through an optimizer: the step rule of ``fit``.

One step on a batch ``(x_b, t_b)``::

    ŷ  = net.forward(x_b, training=True)
    E  = loss(ŷ, t_b)               δ = ∂E/∂ŷ
    net.backward(δ)                 fills ∂E/∂p for every parameter p
    optimizer.step(net.params_)     p ← update(p, ∂E/∂p)

For outputs at every time step ``(batch, time, k)`` each (sample, step) is a row
of the loss, which is backpropagation through time. With the NaN guard on, the
step is checked before and after the update and rolled back whole when anything
became NaN or infinite (:mod:`axonal.nan_guard`).

For stacks of dense layers a whole epoch of these steps runs as one compiled call
when compiled paths are on (:meth:`Backprop.whole_epoch`,
:mod:`axonal.training.compiled_dense`): the same equations, the same order of
samples, the same guard.

In a data-parallel run (a communicator ``comm`` of more than one rank,
:mod:`axonal.distributed`) each rank steps on its shard of every global batch, and
between the backward pass and the update one ``Allreduce`` makes every rank's
gradient the global batch's (:class:`~axonal.distributed.exchange.Exchange`); the
compiled epochs are not used then. The single-process communicator does nothing.
"""

from __future__ import annotations

import numpy as np

from .. import jit
from ..distributed.comm import current
from ..distributed.exchange import Exchange
from ..nan_guard import NanGuard
from ..targets import loss_rows
from .loop import StepRule

__all__ = ["Backprop"]


class Backprop(StepRule):
    """Learn from each batch by ``∂E/∂p`` and an optimizer.

    Parameters
    ----------
    net : Sequential (built)
    loss : Loss
    optimizer : Optimizer
    seq_out : bool
        Whether the network outputs ``(batch, time, k)``.
    metrics : list of Metric
        Measured after each epoch on the predictions made while it trained, and on
        ``validation`` when given.
    validation : (x, t, mask) or None
    nan_guard : bool
    comm : communicator, optional
        The ranks of a data-parallel run (:mod:`axonal.distributed.comm`); by default the
        current one (single-process unless inside ``axonal.distributed.using``).
    """

    def __init__(self, net, loss, optimizer, *, seq_out, metrics=(), validation=None, nan_guard=True,
                 train_rows=None, comm=None):
        self.net, self.loss, self.optimizer, self.seq_out = net, loss, optimizer, seq_out
        self.metrics, self.validation = list(metrics), validation
        self.n_outputs = net.output_shape[-1] if seq_out else int(np.prod(net.output_shape))
        self.guard = NanGuard(net, net.params_, optimizer) if nan_guard else None
        self.guarded = self.guard is not None
        self.train_rows = train_rows      # (x, t, mask) of the training set: for metrics and the first error
        self.epoch_pred = None
        self._seen = 0                    # rows of the epoch's order learned from so far
        self._grad_buffers: dict = {}
        self._dense = None                # the compiled epoch's plan; False: the kernel does not apply
        self.comm = current() if comm is None else comm
        self.exchange = None              # what the ranks exchange (made by begin when there are several)

    @property
    def learning_rate(self) -> float:
        return self.optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.optimizer.learning_rate = value

    def begin(self, loop) -> None:
        self.net.input_grad_needed = False  # nothing upstream of the first layer needs ∂E/∂x
        if self.comm.size > 1:
            self.exchange = Exchange(self, self.comm)
            self.exchange.start(loop)
        if self.metrics:
            _, t, _ = self.train_rows
            self.epoch_pred = np.empty(t.shape, dtype=self.net.dtype)
            for m in self.metrics:
                loop.history.metrics.setdefault(m.name, [])
                if self.validation is not None:
                    loop.history.metrics.setdefault("val_" + m.name, [])

    def step(self, batch, loop) -> tuple[float, float]:
        net, guard, exchange = self.net, self.guard, self.exchange
        if guard is not None:
            guard.begin_step()
        if exchange is None:
            y_pred = net.forward(batch.x, training=True, mask=batch.mask)
        else:
            with exchange.draws(batch):
                y_pred = net.forward(batch.x, training=True, mask=batch.mask)
        grad_out = self._grad_buffer(y_pred)
        if self.seq_out:  # every (sample, step) is a row of the loss
            k = self.n_outputs
            value, delta = self.loss.value_and_grad(
                y_pred.reshape(-1, k), batch.t.reshape(-1, k), None if batch.w is None else batch.w.reshape(-1),
                out=grad_out.reshape(-1, k))
            delta = delta.reshape(y_pred.shape)
        else:
            value, delta = self.loss.value_and_grad(y_pred, batch.t, batch.w, out=grad_out)
        self._seen = batch.stop
        if self.epoch_pred is not None:
            self.epoch_pred[batch.start:batch.start + len(y_pred)] = y_pred
        net.backward(delta)
        epoch, steps = loop.epoch_index, loop.history.steps
        weight = float(y_pred.size // self.n_outputs) if batch.w is None else float(batch.w.sum())
        if exchange is not None:  # the global batch's gradient, loss and weight, on every rank
            value, weight = exchange.reduce(value, weight, batch, loop)
        elif guard is not None:
            guard.before_step(value, steps, epoch, batch.index, batch.x)
        self.optimizer.step(net.params_)
        if guard is not None:
            guard.after_step(steps, epoch, batch.index)
        return value, weight

    def whole_epoch(self, feed, rng, loop, max_steps):
        """The epoch in one compiled call for a stack of dense layers (see
        :mod:`axonal.training.compiled_dense`); ``None`` to step batch by batch."""
        dense = self.whole_epoch_plan(feed)
        return None if dense is None else dense.run(feed, rng, max_steps)

    def many_epochs(self, feed, rng, loop, epochs, stop_error, max_steps):
        """Several epochs in one compiled call (no metrics, no validation); ``None``: one at a time."""
        if self.metrics or self.validation is not None or self.whole_epoch_plan(feed) is None:
            return None
        return self._dense.run_many(feed, rng, epochs, stop_error, max_steps)

    def whole_epoch_plan(self, feed):
        """The compiled plan for ``feed`` (made once), or ``None`` when compiled paths are off or do not apply."""
        dense = self._dense
        if dense is False or self.comm.size > 1:
            return None
        kernels = jit.kernels("dense_epoch")
        if kernels is None:
            return None
        if dense is None or dense.feed is not feed:
            from .compiled_dense import DenseEpoch
            dense = self._dense = DenseEpoch.plan(self, feed, kernels) or False
        return dense or None

    def epoch_logs(self, logs, loop) -> None:
        """Training metrics from the predictions made while the epoch trained (row ``i`` of them
        belongs to sample ``order[i]``; a run cut short by ``max_steps`` covers fewer rows), then
        the validation loss and metrics."""
        if self.metrics:
            _, t, mask = self.train_rows
            rows = loop.feed.order[:self._seen]
            seen = (self.epoch_pred[:self._seen] if self.exchange is None
                    else self.exchange.gather_positions(self.epoch_pred, self._seen, loop.feed))
            pred, truth = loss_rows(self.loss.link(seen), t[rows],
                                    None if mask is None else mask[rows])
            for m in self.metrics:
                logs[m.name] = float(m(truth, pred))
        if self.validation is not None:
            x_val, t_val, m_val = self.validation
            pred = (self.net.predict(x_val, mask=m_val) if self.exchange is None
                    else self.exchange.predict(x_val, m_val))
            pred, truth = loss_rows(pred, t_val, m_val)
            logs["val_loss"] = self.loss.value(pred, truth)
            if self.metrics:
                pred = self.loss.link(pred)
                for m in self.metrics:
                    logs["val_" + m.name] = float(m(truth, pred))

    def initial_error(self) -> float:
        x, t, mask = self.train_rows
        return self.loss.value(*loss_rows(self.net.predict(x, mask=mask), t, mask))

    def end(self) -> None:
        self.exchange = None
        self.net.input_grad_needed = True
        self.net.release_buffers()

    def state(self):
        state = self.optimizer.state_dict(self.net.params_)
        arrays = {f"{slot}.{name}": value for slot, by_name in state["slots"].items()
                  for name, value in by_name.items()}
        return {"iterations": state["iterations"], "slots": sorted(state["slots"]),
                "optimizer": dict(_plain_items(self.optimizer))}, arrays

    def load_state(self, info, arrays) -> None:
        slots = {slot: {name: arrays[f"{slot}.{name}"] for name in self.net.params_.names()}
                 for slot in info["slots"]}
        self.optimizer.load_state_dict({"iterations": info["iterations"], "slots": slots}, self.net.params_)
        for key, value in info["optimizer"].items():
            setattr(self.optimizer, key, value)

    def _grad_buffer(self, like):
        buf = self._grad_buffers.get(like.shape)
        if buf is None:
            buf = self._grad_buffers[like.shape] = np.empty_like(like)
        return buf


def _plain_items(optimizer):
    """The optimizer's plain-number attributes (rates, counters), which a checkpoint keeps as JSON."""
    return {(k, v) for k, v in vars(optimizer).items()
            if not k.startswith("_") and (v is None or isinstance(v, (bool, int, float, str)))}
