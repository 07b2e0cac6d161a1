"""What the ranks of a data-parallel run exchange: the start, each step's gradient, each epoch's predictions.

Rank ``k`` learns from the rows ``S_k`` of each global batch ``S`` (its shard), with
sample weights ``w_i`` (1 without them) and per-row losses ``ℓ_i``::

    W_k = Σ_{i∈S_k} w_i                     E_k = Σ_{i∈S_k} w_i ℓ_i / W_k
    g_k = ∂E_k/∂p                           (n,) the flat gradient of its shard

One ``Allreduce`` (a sum over the ranks) of the buffer
``[W_k·g_k (n), W_k, W_k·E_k, f_k, r_k·s_k (m), r_k]`` (float64) gives every rank::

    W = Σ_k W_k,   g = Σ_k W_k g_k / W,   E = Σ_k W_k E_k / W

which are the global batch's weight, gradient and loss as one process computes them
(``g = Σ_{i∈S} w_i ∂ℓ_i/∂p / W``; equal up to rounding, the sums being taken in
another order). ``f_k`` is 1 when the NaN guard refused rank ``k``'s loss or
gradient: a positive sum stops every rank at this step, each putting back its last
finite step. ``s_k`` are the running statistics of the BatchNorm layers after rank
``k``'s forward pass over its ``r_k`` rows: every rank takes their row-weighted mean
``Σ r_k s_k / Σ r_k``, so all ranks keep the same statistics.

**BatchNorm rule.** Each rank normalises with its own shard's batch statistics (as
PyTorch's ``DistributedDataParallel`` does without ``SyncBatchNorm``), so a network
with BatchNorm learns as if each global batch were ``P`` batches of a shard each
whose gradients are averaged; the running mean, averaged by rows, is the global
batch's, and the running variance is the row-weighted mean of the shards' unbiased
variances. Networks without BatchNorm learn exactly what one process learns.

**Dropout.** One process draws a dropout mask of ``(B, …)`` values for a global
batch of ``B`` rows, row after row. Each rank draws the same ``(B, …)`` values from
the same generator state and keeps rows ``[lo_k, hi_k)``, so its masks are the ones
one process would have used for its rows, and every generator stays in step.
"""

from __future__ import annotations

import contextlib
import zlib

import numpy as np

from ..layers.normalization import BatchNorm
from ..nan_guard import NonFiniteError, all_layers, layer_generators, stateful_layers
from .comm import shard_range

__all__ = ["Exchange"]


class Exchange:
    """The ranks' exchanges for one :class:`~axonal.training.backprop.Backprop` rule and its loop.

    Made by the rule's ``begin`` when its communicator has more than one rank: it
    gives every rank rank 0's starting point (:meth:`start`), then serves each step
    (:meth:`draws`, :meth:`reduce`) and each epoch's logs (:meth:`gather_positions`,
    :meth:`predict`).
    """

    def __init__(self, rule, comm):
        net = rule.net
        if stateful_layers(net):
            raise ValueError("distributed fit: layers with stateful=True carry each batch's rows into the next; "
                             "a data-parallel run cannot share that state between ranks (use stateful=False)")
        self.rule, self.comm, self.net = rule, comm, net
        self.params = net.params_
        self.statistics = [layer.state[key] for layer in _unique(all_layers(net)) if isinstance(layer, BatchNorm)
                           for key in ("running_mean", "running_var") if key in layer.state]
        n = self.params.size
        m = sum(a.size for a in self.statistics)
        self.buffer = np.zeros(n + 3 + m + 1, dtype=np.float64)
        self.n = n

    # -- the start --------------------------------------------------------------------------------
    def start(self, loop) -> None:
        """Give every rank rank 0's weights, state, optimizer state, generators and sample order, after
        checking that every rank holds the same training data (an error names the ranks that differ)."""
        comm, net, feed = self.comm, self.net, loop.feed
        digest = _digest(feed.x, feed.t, getattr(feed, "weights", None), getattr(feed, "mask", None))
        digests = comm.allgather(digest)
        if len(set(digests)) > 1:
            differ = [r for r, d in enumerate(digests) if d != digests[0]]
            raise ValueError(f"distributed fit: ranks {differ} hold other training data than rank 0 (x, y, "
                             f"sample weights or mask differ); every rank must load the same data")
        comm.bcast_array(self.params.values)
        for _, owner, local in net.named_state():
            comm.bcast_array(owner.state[local])
        optimizer = self.rule.optimizer
        optimizer.bind(self.params)
        comm.bcast_array(optimizer.state_buffer)
        optimizer.iterations = comm.bcast(getattr(optimizer, "iterations", 0))
        loop.rng.bit_generator.state = comm.bcast(loop.rng.bit_generator.state)
        generators = layer_generators(net)
        for rng, state in zip(generators, comm.bcast([g.bit_generator.state for g in generators])):
            rng.bit_generator.state = state
        if hasattr(feed, "order"):
            comm.bcast_array(feed.order)

    # -- a step -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def draws(self, batch):
        """Inside the block, each dropout layer draws the global batch's mask and keeps this rank's rows."""
        if batch.shard is None:
            yield
            return
        lo, rows = batch.shard
        hi = lo + len(batch.rows)
        layers = [layer for layer in _unique(all_layers(self.net))
                  if isinstance(getattr(layer, "rng", None), np.random.Generator)]
        saved = [layer.rng for layer in layers]
        for layer in layers:
            layer.rng = _RowsOfGlobalDraws(layer.rng, lo, hi, rows)
        try:
            yield
        finally:
            for layer, rng in zip(layers, saved):
                layer.rng = rng

    def reduce(self, value: float, weight: float, batch, loop) -> tuple[float, float]:
        """Average the shard gradients into the global batch's (one Allreduce); return ``(E, W)``.

        With the NaN guard on, a rank whose loss or gradient is not finite makes every
        rank stop here with :class:`NonFiniteError`, each with its last finite step put back.
        """
        buf, n, g = self.buffer, self.n, self.params.grads
        guard, refused = self.rule.guard, None
        if guard is not None:
            try:
                guard.before_step(value, loop.history.steps, loop.epoch_index, batch.index, batch.x)
            except NonFiniteError as exc:   # the guard has put this rank's step back
                refused = exc
        np.multiply(g, weight, out=buf[:n])
        buf[n:n + 3] = weight, value * weight, 0.0 if refused is None else 1.0
        rows, at = float(len(batch.rows)), n + 3
        for a in self.statistics:
            np.multiply(a.reshape(-1), rows, out=buf[at:at + a.size])
            at += a.size
        buf[at] = rows
        self.comm.allreduce(buf, "step")
        if buf[n + 2] > 0:
            self._stop(refused, int(buf[n + 2]), loop, batch)
        total = buf[n]
        if total > 0:
            np.multiply(buf[:n], 1.0 / total, out=g, casting="unsafe")
        else:
            g[...] = 0.0
        at = n + 3
        for a in self.statistics:
            a.reshape(-1)[...] = buf[at:at + a.size] / buf[-1]
            at += a.size
        return (float(buf[n + 1] / total) if total > 0 else 0.0), float(total)

    def _stop(self, refused, ranks, loop, batch):
        if refused is not None:
            raise NonFiniteError(f"{refused} (rank {self.comm.rank}; every rank stopped at this step)") from refused
        self.rule.guard.rollback()
        raise NonFiniteError(
            f"training stopped at step {loop.history.steps + 1} (epoch {loop.epoch_index + 1}, batch "
            f"{batch.index + 1}): {ranks} other rank(s) found a NaN or Inf loss or gradient in their shard; "
            f"every rank stopped at this step and keeps the weights, running statistics and optimizer state "
            f"of the last finite step")

    # -- an epoch's logs --------------------------------------------------------------------------
    def gather_positions(self, pred: np.ndarray, seen: int, feed) -> np.ndarray:
        """Every rank's rows of ``pred[:seen]`` (row ``j``: the ``j``-th sample of the epoch's order),
        so that each rank holds the predictions the whole epoch made (one Allreduce of zeros and rows)."""
        own = np.zeros(seen, dtype=bool)
        for start, end in feed.bounds.tolist():
            lo, hi = shard_range(end - start, self.comm.rank, self.comm.size)
            own[min(start + lo, seen):min(start + hi, seen)] = True
        buf = np.zeros((seen,) + pred.shape[1:], dtype=np.float64)
        buf[own] = pred[:seen][own]
        return self.comm.allreduce(buf, "epoch").astype(pred.dtype)

    def predict(self, x: np.ndarray, mask) -> np.ndarray:
        """``net.predict(x)``, each rank predicting its share of the rows (one Allreduce)."""
        if x.shape[0] < self.comm.size:   # too few rows to share: each rank predicts them all
            return self.net.predict(x, mask=mask)
        lo, hi = shard_range(x.shape[0], self.comm.rank, self.comm.size)
        out = self.net.predict(x[lo:hi], mask=None if mask is None else mask[lo:hi])
        buf = np.zeros((x.shape[0],) + out.shape[1:], dtype=np.float64)
        buf[lo:hi] = out
        return self.comm.allreduce(buf, "epoch").astype(out.dtype)


class _RowsOfGlobalDraws:
    """A generator's stand-in that draws ``(rows, …)`` values and hands out rows ``[lo, hi)``."""

    def __init__(self, rng, lo, hi, rows):
        self.rng, self.lo, self.hi, self.rows = rng, lo, hi, rows

    def random(self, size=None, dtype=np.float64, out=None):
        shape = out.shape if out is not None else tuple(np.atleast_1d(size))
        full = self.rng.random((self.rows,) + tuple(shape[1:]), dtype=dtype)
        if out is None:
            return full[self.lo:self.hi].copy()
        out[...] = full[self.lo:self.hi]
        return out

    def __getattr__(self, name):
        raise AttributeError(f"distributed fit: a layer draws {name}() while training; only random() draws are "
                             f"split row by row between ranks")


def _digest(*arrays) -> int:
    crc = 0
    for a in arrays:
        if a is not None:
            a = np.ascontiguousarray(a)
            crc = zlib.crc32(repr((a.shape, a.dtype.str)).encode(), crc)
            crc = zlib.crc32(a.reshape(-1).view(np.uint8).data, crc)
    return crc


def _unique(layers):
    seen, out = set(), []
    for layer in layers:
        if id(layer) not in seen:
            seen.add(id(layer))
            out.append(layer)
    return out
