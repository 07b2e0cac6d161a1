"""The training loop: forward, loss, backward, update, batch after batch.

One step on a batch ``(x_b, t_b)``::

    ŷ  = net.forward(x_b, training=True)
    E  = loss(ŷ, t_b)               δ = ∂E/∂ŷ
    net.backward(δ)                 fills ∂E/∂p for every parameter p
    optimizer.step(net.params_)     p ← update(p, ∂E/∂p)

An epoch visits every sample once, in a freshly shuffled order when
``shuffle=True``. Online learning (Synaptic's default) is ``batch_size=1``, full-batch
gradient descent ``batch_size=None``; all run through the same vectorised code.
Training stops when the epoch's mean loss falls to ``error`` (Synaptic's
threshold) or after ``epochs`` epochs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from . import optimizers as _optimizers
from ._validation import as_input_array, check_finite

__all__ = ["fit", "History"]


@dataclass
class History:
    """What a call to ``fit`` did.

    It behaves as the sequence of per-epoch training losses (``history[-1]`` is the
    last epoch's mean loss, ``len(history)`` the number of epochs run).
    """

    loss: list = field(default_factory=list)
    #: why training ended: ``"error"`` (the loss reached ``error``) or ``"epochs"``
    stop_reason: str | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def __len__(self):
        return len(self.loss)

    def __getitem__(self, index):
        return self.loss[index]

    def __iter__(self):
        return iter(self.loss)


def fit(net, x, y, *, loss="mse", optimizer="sgd", learning_rate: float | None = None,
        epochs: int = 100, batch_size: int | None = 32, shuffle: bool = True,
        error: float | None = None, sample_weight=None, seed=None) -> History:
    """Train ``net`` on inputs ``x`` and targets ``y``.

    Parameters
    ----------
    net : Sequential
    x : array (samples, features)
    y : array (samples, outputs), or (samples,) for one output or class labels
    loss : str or Loss, default "mse"
        The error ``E`` whose gradient trains the network; see :mod:`axonal.losses`.
    optimizer : str, dict or Optimizer, default "sgd"
        A name builds a fresh optimizer; an instance keeps its state across calls.
    learning_rate : float, optional
        The rate for an optimizer given by name (each has its own default).
    epochs : int, default 100
        The most passes over the data.
    batch_size : int or None, default 32
        Samples per update: 1 is online learning, ``None`` the whole set.
    shuffle : bool, default True
        Visit the samples in a new random order every epoch.
    error : float, optional
        Stop as soon as an epoch's mean training loss is ``<= error``.
    sample_weight : array (samples,), optional
        Per-sample weights in the loss (a weight ``k`` counts as ``k`` copies).
    seed : int or Generator, optional
        Seeds the shuffling. The same seeds give the same training, bit for bit.

    Returns
    -------
    History
        The per-epoch mean training losses and the reason training stopped.
    """
    loss_fn = _losses.get(loss)
    overrides = {} if learning_rate is None else {"learning_rate": learning_rate}
    opt = _optimizers.get(optimizer, **overrides)
    _check_count("epochs", epochs)
    if batch_size is not None:
        _check_count("batch_size", batch_size)
    if error is not None and not (np.isfinite(error) and error >= 0):
        raise ValueError(f"fit: error must be a finite number >= 0, got {error!r}")

    x = as_input_array(x, net.dtype, "fit")
    n = x.shape[0]
    if n == 0:
        raise ValueError("fit: x has no samples")
    net._prepare_input(x[:1], "fit")  # builds the network on first use
    if net.layers[0].needs_adapting:  # a leading Standardize/MinMaxScale learns its statistics
        net.layers[0].adapt(x)
    n_outputs = int(np.prod(net.output_shape))
    y = loss_fn.prepare_targets(y, n_outputs, net.dtype)
    if y.shape[0] != n:
        raise ValueError(f"fit: x has {n} samples but y has {y.shape[0]}")
    check_finite(y, "fit", "targets")
    weights = None
    if sample_weight is not None:
        weights = _losses._check_weights(sample_weight, n).astype(net.dtype)
    y = np.ascontiguousarray(y)

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    batch = n if batch_size is None else min(int(batch_size), n)
    history = History()
    params = net.params_
    net.loss_ = loss_fn
    net.input_grad_needed = False  # nothing upstream of the first layer needs ∂E/∂x
    order = np.arange(n)
    buffers: dict = {}
    try:
        for _ in range(int(epochs)):
            if shuffle:
                rng.shuffle(order)
            total, total_weight = 0.0, 0.0
            for start in range(0, n, batch):
                idx = order[start:start + batch]
                if batch == n and not shuffle:
                    xb, yb = x, y
                else:  # gather the batch into reused arrays: no per-step allocation
                    xb = np.take(x, idx, axis=0, out=_batch_buffer(buffers, "x", x, len(idx)))
                    yb = np.take(y, idx, axis=0, out=_batch_buffer(buffers, "y", y, len(idx)))
                wb = None if weights is None else weights[idx]
                y_pred = net.forward(xb, training=True)
                grad_out = _batch_buffer(buffers, "grad", y_pred, len(idx))
                value, delta = loss_fn.value_and_grad(y_pred, yb, wb, out=grad_out)
                net.backward(delta)
                opt.step(params)
                w_sum = float(len(idx)) if wb is None else float(wb.sum())
                total += value * w_sum
                total_weight += w_sum
            epoch_loss = total / total_weight if total_weight else 0.0
            history.loss.append(epoch_loss)
            if error is not None and epoch_loss <= error:
                history.stop_reason = "error"
                break
        else:
            history.stop_reason = "epochs"
    finally:
        net.input_grad_needed = True
        net.release_buffers()
    return history


def _batch_buffer(buffers, key, like, rows):
    """An array of ``rows`` rows shaped like ``like``, kept across steps."""
    shape = (rows,) + like.shape[1:]
    buf = buffers.get((key, rows))
    if buf is None:
        buf = buffers[(key, rows)] = np.empty(shape, dtype=like.dtype)
    return buf


def _check_count(label, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"fit: {label} must be a positive integer, got {value!r}")
