"""Which samples each step sees: batches of arrays, validation held out, scaling layers adapted.

:class:`ArrayFeed` cuts ``(samples, ...)`` arrays into batches: ``batch_size=1`` is
online learning, the whole set full-batch gradient descent. Each epoch visits
every sample once, in a freshly shuffled order when ``shuffle=True``; the batch
rows are gathered into arrays kept across steps, so a step allocates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_input_array
from ..advice import check_validation_classes
from ..distributed.comm import current, shard_range
from ..feature_names import align_columns
from ..nan_guard import all_layers
from ..targets import check_mask, prepare_targets

__all__ = ["ArrayFeed", "Batch", "adapt_scaling_layers", "hold_out_validation"]


@dataclass(slots=True)
class Batch:
    """One step's samples: inputs ``x``, targets ``t``, loss weights ``w`` and padding ``mask``
    (``None`` when absent), their rows ``rows`` in the training set, ``index`` within the epoch
    and ``start``, the position of its first row in the epoch's order. In a data-parallel run
    ``shard`` is ``(lo, size)``: these rows are rows ``[lo, lo + len(rows))`` of a global batch
    of ``size`` rows (:mod:`axonal.distributed`); ``None`` when the batch is whole."""

    x: np.ndarray
    t: np.ndarray
    w: np.ndarray | None
    mask: np.ndarray | None
    rows: np.ndarray
    index: int
    start: int
    shard: tuple | None = None

    @property
    def stop(self) -> int:
        """The position in the epoch's order just after the global batch."""
        return self.start + len(self.rows) if self.shard is None else self.start - self.shard[0] + self.shard[1]


class ArrayFeed:
    """Batches of ``batch`` rows from ``x``, ``t`` (and ``weights``, ``mask``), reshuffled every epoch.

    A lone last sample joins the batch before it when a layer needs batch
    statistics (BatchNorm's ``min_batch``); a full batch is never shuffled (the
    gradient sums the same rows in any order).

    With a communicator ``comm`` of ``P > 1`` ranks (:mod:`axonal.distributed`), every
    rank draws the same order and yields its shard of each global batch
    (:func:`~axonal.distributed.comm.shard_range`); each shard must hold at least as
    many rows as a layer needs.
    """

    def __init__(self, net, x, t, weights=None, mask=None, *, batch: int, shuffle: bool = True, comm=None):
        self.x, self.t, self.weights, self.mask = x, t, weights, mask
        n = x.shape[0]
        self.batch = min(batch, n)
        self.shuffle = shuffle and self.batch < n
        self.bounds = _batch_bounds(net, n, self.batch)
        self.comm = current() if comm is None else comm
        if self.comm.size > 1:
            _check_shards(net, self.bounds, self.comm.size)
        self.order = np.arange(n)
        self._buffers: dict = {}
        self.info = {"samples": n, "batch_size": self.batch, "steps_per_epoch": len(self.bounds)}

    def batches(self, rng: np.random.Generator):
        if self.shuffle:
            rng.shuffle(self.order)
        ranks = self.comm.size
        whole = self.batch == self.x.shape[0] and ranks == 1
        for index, (start, end) in enumerate(self.bounds.tolist()):
            shard = None
            if ranks > 1:
                lo, hi = shard_range(end - start, self.comm.rank, ranks)
                start, end, shard = start + lo, start + hi, (lo, end - start)
            rows = self.order[start:end]
            if whole:
                xb, tb = self.x, self.t
            else:
                xb = np.take(self.x, rows, axis=0, out=self._buffer("x", self.x, len(rows)))
                tb = np.take(self.t, rows, axis=0, out=self._buffer("t", self.t, len(rows)))
            yield Batch(xb, tb, None if self.weights is None else self.weights[rows],
                        None if self.mask is None else self.mask[rows], rows, index, start, shard)

    def state(self) -> dict:
        """The sample order, which each epoch's shuffle permutes further (for checkpoints)."""
        return {"order": self.order.copy()}

    def load_state(self, arrays: dict) -> None:
        order = np.asarray(arrays["order"])
        n = len(self.order)
        if order.shape != (n,) or not np.array_equal(np.sort(order), np.arange(n)):
            raise ValueError(f"fit: the checkpoint's sample order is not a permutation of the {n} samples")
        self.order[:] = order.astype(np.int64)

    def _buffer(self, key, like, rows):
        buf = self._buffers.get((key, rows))
        if buf is None:
            buf = self._buffers[(key, rows)] = np.empty((rows,) + like.shape[1:], dtype=like.dtype)
        return buf


def _batch_bounds(net, n, batch):
    """``(S, 2)`` int64: row ``s`` is ``(start, stop)`` of batch ``s`` of an epoch, ``batch`` rows each
    (the last one shorter, or joined to the one before when a layer needs more rows than it holds)."""
    need = max(layer.min_batch for layer in all_layers(net))
    if min(batch, n) < need:
        raise ValueError(f"fit: a layer of this network (BatchNorm) needs at least {need} samples per batch; "
                         f"batch_size is {batch} and there are {n} samples")
    starts = np.arange(0, n, batch, dtype=np.int64)
    if len(starts) > 1 and n - starts[-1] < need:
        starts = starts[:-1]
    bounds = np.empty((len(starts), 2), np.int64)
    bounds[:, 0] = starts
    bounds[:-1, 1] = starts[1:]
    bounds[len(starts) - 1:, 1] = n
    return bounds


def _check_shards(net, bounds, ranks) -> None:
    """Every rank's shard of every batch must have the rows a layer needs (BatchNorm: 2; else 1)."""
    need = max(1, max(layer.min_batch for layer in all_layers(net)))
    smallest = int((bounds[:, 1] - bounds[:, 0]).min())
    if smallest // ranks < need:
        raise ValueError(f"distributed fit: a batch of {smallest} samples split over {ranks} ranks leaves "
                         f"{smallest // ranks} per rank; each needs at least {need}: use batch_size >= "
                         f"{need * ranks} (and enough samples for the last batch) or fewer ranks")


def adapt_scaling_layers(net, x) -> None:
    """Let every not-yet-adapted scaling layer of the top-level chain learn its statistics.

    Layers before it pass the data along in inference mode, so it sees what it will
    see when predicting.
    """
    if not any(layer.needs_adapting for layer in net.layers):
        return
    out = x
    for position, layer in enumerate(net.layers):
        if layer.needs_adapting:
            layer.adapt(out)
        if not any(later.needs_adapting for later in net.layers[position + 1:]):
            return
        out = layer.forward(out, training=False)


def hold_out_validation(net, loss_fn, x, t, weights, mask, validation_data, validation_split, seq_out,
                        split_rng=None):
    """``(x, t, weights, mask, val)``: the training part and ``val = (x, t, mask)`` (or ``None``).

    ``validation_split`` takes the last samples, as Synaptic's ``crossValidate`` and
    Keras do, or with ``split_rng`` (``stratify``) a random share of each class;
    ``validation_data`` is ``(x_val, y_val)`` or ``(x_val, y_val, mask_val)``.
    """
    if validation_data is not None and validation_split is not None:
        raise ValueError("fit: give validation_data or validation_split, not both")
    if validation_split is not None:
        if not (isinstance(validation_split, (int, float)) and 0 < validation_split < 1):
            raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split!r}")
        n_val = int(round(x.shape[0] * validation_split))
        if n_val < 1 or n_val >= x.shape[0]:
            raise ValueError(f"fit: validation_split={validation_split} of {x.shape[0]} samples leaves "
                             f"{n_val} for validation; need at least 1 on each side")
        if split_rng is not None:   # a random share of each class (copies)
            held = np.zeros(x.shape[0], bool)
            held[_stratified(loss_fn, t, validation_split, split_rng, seq_out)] = True
            train, val = np.flatnonzero(~held), np.flatnonzero(held)
        else:                       # the last samples (views)
            train, val = slice(0, x.shape[0] - n_val), slice(x.shape[0] - n_val, None)
            if loss_fn.probabilities:
                check_validation_classes(t[train], t[val], net.classes_)

        def part(a, rows):
            return None if a is None else a[rows]

        return (x[train], t[train], part(weights, train), part(mask, train),
                (x[val], t[val], part(mask, val)))
    if validation_data is None:
        return x, t, weights, mask, None
    if not (isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3)):
        raise ValueError("fit: validation_data must be (x_val, y_val) or (x_val, y_val, mask_val)")
    x_val = as_input_array(align_columns(validation_data[0], net.feature_names_, "fit validation_data"), net.dtype,
                           "fit validation_data")
    net.layers[0].check_input(x_val)
    t_val = prepare_targets(loss_fn, np.asarray(validation_data[1]), t.shape[-1], net.dtype, seq_out, x_val)
    if t_val.shape[0] != x_val.shape[0]:
        raise ValueError(f"fit: validation x has {x_val.shape[0]} samples but y has {t_val.shape[0]}")
    m_val = check_mask(validation_data[2], x_val) if len(validation_data) == 3 else None
    return x, t, weights, mask, (x_val, t_val, m_val)


def _stratified(loss_fn, t, share, rng, seq_out) -> np.ndarray:
    """Indices of a random ``share`` of each class's samples (rounded; one class per sample)."""
    if not loss_fn.probabilities or seq_out:
        raise ValueError("fit: stratify=True holds out a share of each class, so it needs class targets, one per "
                         f"sample (a class loss), not loss {loss_fn.name!r}" + (" on sequences" if seq_out else ""))
    codes = (t[:, 0] > 0.5).astype(int) if t.shape[-1] == 1 else np.argmax(t, axis=1)
    parts = [rng.permutation(np.flatnonzero(codes == k))[:int(round(share * np.sum(codes == k)))]
             for k in np.unique(codes)]
    held = np.sort(np.concatenate(parts))
    if len(held) == 0 or len(held) == len(t):
        raise ValueError(f"fit: stratify=True with validation_split={share} leaves {len(held)} of {len(t)} samples "
                         f"for validation; need at least 1 on each side")
    return held
