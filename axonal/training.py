"""The training loop: forward, loss, backward, update, batch after batch.

One step on a batch ``(x_b, t_b)``::

    ŷ  = net.forward(x_b, training=True)
    E  = loss(ŷ, t_b)               δ = ∂E/∂ŷ
    net.backward(δ)                 fills ∂E/∂p for every parameter p
    optimizer.step(net.params_)     p ← update(p, ∂E/∂p)

An epoch visits every sample once, in a freshly shuffled order when
``shuffle=True``. Online learning (Synaptic's default) is ``batch_size=1``,
full-batch gradient descent ``batch_size=None``; all run through the same
vectorised code. After each epoch the loop evaluates the validation data, sets
the next learning rate from the schedule, calls the callbacks and asks the stop
criteria whether to go on.

The NaN guard (on by default) checks every step: if the loss or a gradient is
NaN or infinite, or the update would make a weight so, the step is not applied,
the weights stay those of the last finite step, and :class:`NonFiniteError` says
which step, batch and layer went wrong.
"""

from __future__ import annotations

import contextlib
import math
import sys
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from . import optimizers as _optimizers
from ._validation import as_input_array, check_finite
from .callbacks import Callback, ProgressBar
from .stopping import AnyOf, ErrorBelow, MaxEpochs, NoImprovement, StopCriterion

__all__ = ["fit", "History", "NonFiniteError", "class_weights_to_sample_weights"]


class NonFiniteError(FloatingPointError):
    """Training produced NaN or Inf; the network keeps the weights of the last finite step.

    ``history`` holds the epochs completed before the failure.
    """

    def __init__(self, message, history=None):
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What a call to ``fit`` did, epoch by epoch.

    It reads as the sequence of per-epoch training losses (``history[-1]`` is the
    last epoch's mean loss, ``len(history)`` the number of epochs run).

    Attributes
    ----------
    loss, val_loss : list of float
        Mean training loss of each epoch (measured while the epoch trained), and the
        validation loss after it (empty without validation data).
    metrics : dict of str to list of float
        Each metric per epoch, ``"accuracy"`` on the training batches and
        ``"val_accuracy"`` on the validation data.
    learning_rate : list of float
        The rate each epoch trained with.
    stop_reason : str
        ``"epochs"``, ``"error"`` (the training loss reached ``error``),
        ``"val_loss_below"``, ``"no_improvement"``, ``"callback"`` or ``"steps"``.
    best_epoch : int or None
        The epoch (counted from 1, as printed) whose weights ``NoImprovement`` restored.
    steps : int
        Optimizer updates made.
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    learning_rate: list = field(default_factory=list)
    stop_reason: str | None = None
    best_epoch: int | None = None
    steps: int = 0

    @property
    def epochs(self) -> int:
        return len(self.loss)

    @property
    def history(self) -> dict:
        """All per-epoch series in one dict (``"loss"``, ``"val_loss"``, metrics, ``"learning_rate"``)."""
        series = {"loss": self.loss, "learning_rate": self.learning_rate, **self.metrics}
        if self.val_loss:
            series["val_loss"] = self.val_loss
        return series

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        last = f", last loss {self.loss[-1]:.6g}" if self.loss else ""
        extra = f", best epoch {self.best_epoch}" if self.best_epoch is not None else ""
        return f"History({len(self.loss)} epochs, {self.steps} steps{last}, stop_reason={self.stop_reason!r}{extra})"

    def __getitem__(self, index):
        return self.loss[index]

    def __iter__(self):
        return iter(self.loss)


def fit(net, x, y, *, loss="mse", optimizer="sgd", learning_rate: float | None = None,
        epochs: int = 100, batch_size: int | None = 32, shuffle: bool = True,
        error: float | None = None, validation_data=None, validation_split: float | None = None,
        metrics=None, patience: int | None = None, stop=None, schedule=None, callbacks=None,
        sample_weight=None, class_weight=None, mask=None, max_steps: int | None = None,
        progress: bool | None = None, nan_guard: bool = True, seed=None) -> History:
    """Train ``net`` on inputs ``x`` and targets ``y``; return the :class:`History`.

    Parameters
    ----------
    net : Sequential
    x : array (samples, features)
    y : array (samples, outputs), or (samples,) for one output or class labels
    loss : str or Loss, default "mse"
        The error ``E`` whose gradient trains the network (:mod:`axonal.losses`).
    optimizer : str, dict or Optimizer, default "sgd"
        A name builds a fresh optimizer; an instance keeps its state across calls.
    learning_rate : float, optional
        The rate for an optimizer given by name (each has its own default).
    epochs : int, default 100
        The most passes over the data (Synaptic's ``iterations``).
    batch_size : int or None, default 32
        Samples per update: 1 is online learning, ``None`` the whole set.
    shuffle : bool, default True
        Visit the samples in a new random order every epoch.
    error : float, optional
        Stop once an epoch's mean training loss is ``<= error`` (Synaptic's ``error``).
    validation_data : (x_val, y_val), optional
        Evaluated after every epoch: ``val_loss`` and ``val_<metric>``.
    validation_split : float in (0, 1), optional
        Hold out this fraction of the samples, taken from the end before any
        shuffling (Synaptic's ``crossValidate.testSize``), as validation data.
    metrics : list of str, optional
        Logged per epoch (:mod:`axonal.metrics`), e.g. ``["accuracy"]``.
    patience : int, optional
        Shortcut for ``NoImprovement(patience)`` on ``val_loss`` (``loss`` without
        validation data), restoring the best weights.
    stop : StopCriterion or list, optional
        More stop criteria (:mod:`axonal.stopping`).
    schedule : Schedule, str, list or callable, optional
        Learning rate per epoch (:mod:`axonal.schedules`); a list spreads its rates
        over the epochs and a callable is called as ``fn(epoch, error)``.
    callbacks : list of Callback, optional
    sample_weight : array (samples,), optional
        Per-sample weights in the loss (a weight ``k`` counts as ``k`` copies). For
        outputs at every time step it may be ``(samples, time)``: a weight per step
        (0 leaves a step unscored, while the recurrent layers still read it).
    class_weight : dict or "balanced", optional
        Weights per class label, multiplied into ``sample_weight``.
    mask : array (samples, time), optional
        For sequences padded to a common length: 1 at real steps, 0 at padding.
        Recurrent layers carry their state through padded steps unchanged, and
        for outputs at every step the loss counts only real steps.
    max_steps : int, optional
        Stop after this many optimizer updates.
    progress : bool, optional
        Show a progress bar; by default only when standard error is a terminal.
    nan_guard : bool, default True
        Stop with :class:`NonFiniteError` on a NaN/Inf loss, gradient or weight,
        keeping the last finite weights.
    seed : int or Generator, optional
        Seeds the shuffling; by default a stream drawn from the network's seed.

    Returns
    -------
    History
    """
    loss_fn = _losses.get(loss)
    overrides = {} if learning_rate is None else {"learning_rate": learning_rate}
    opt = _optimizers.get(optimizer, **overrides)
    _check_count("epochs", epochs)
    if batch_size is not None:
        _check_count("batch_size", batch_size)
    if max_steps is not None:
        _check_count("max_steps", max_steps)
    if error is not None and not (isinstance(error, (int, float)) and math.isfinite(error) and error >= 0):
        raise ValueError(f"fit: error must be a finite number >= 0, got {error!r}")
    metric_fns = []
    if metrics:
        from . import metrics as _metrics
        metric_fns = [_metrics.get(m) for m in metrics]
    if isinstance(callbacks, Callback):
        callbacks = [callbacks]
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"fit: callbacks must be Callback objects, got {type(cb).__name__}")

    # -- data -------------------------------------------------------------------------
    x = as_input_array(x, net.dtype, "fit")
    if x.shape[0] == 0:
        raise ValueError("fit: x has no samples")
    net._prepare_input(x[:1], "fit")  # builds the network on first use
    seq_out = _sequence_output(net)
    n_outputs = net.output_shape[-1] if seq_out else int(np.prod(net.output_shape))
    y_raw = np.asarray(y)
    if y_raw.shape[:1] != x.shape[:1]:
        raise ValueError(f"fit: x has {x.shape[0]} samples but y has {y_raw.shape[0] if y_raw.ndim else 0}")
    t = _targets(loss_fn, y_raw, n_outputs, net.dtype, seq_out, x)
    mask = _check_mask(mask, x)
    weights = _sample_weights(sample_weight, class_weight, t, loss_fn, x.shape[0], seq_out, mask)

    x, t, weights, mask, val = _hold_out_validation(net, loss_fn, x, t, weights, mask, validation_data,
                                                    validation_split, seq_out)

    _adapt_scaling_layers(net, x)

    # -- stopping, schedule, callbacks -------------------------------------------------------
    stopper = _stop_criteria(epochs, error, patience, stop, monitor="val_loss" if val is not None else "loss")
    _check_monitors(stopper, has_validation=val is not None, metric_names=[m.name for m in metric_fns])
    restorers = [c for c in stopper.criteria if isinstance(c, NoImprovement) and c.restore_best]
    sched = None
    if schedule is not None:
        from . import schedules as _schedules
        sched = _schedules.get(schedule, opt.learning_rate, epochs=int(epochs))
    bar = ProgressBar(enabled=True) if progress or (progress is None and _terminal(sys.stderr)) else None
    all_callbacks = callbacks + ([bar] if bar is not None else [])

    n = x.shape[0]
    batch = n if batch_size is None else min(int(batch_size), n)
    bounds = _batch_bounds(net, n, batch)
    rng = _shuffle_rng(net, seed)
    history = History(metrics={})
    for m in metric_fns:
        history.metrics[m.name] = []
        if val is not None:
            history.metrics["val_" + m.name] = []
    net.loss_, net.optimizer_, net.schedule_ = loss_fn, opt, sched
    if loss_fn.categorical and (net.classes_ is None or len(net.classes_) != n_outputs):
        net.classes_ = list(range(n_outputs))  # output k is class k unless the caller named them
    base_rate = opt.learning_rate

    params = net.params_
    guard = _NanGuard(net, params) if nan_guard else None
    order = np.arange(n)
    buffers: dict = {}
    epoch_pred = np.empty(t.shape, dtype=net.dtype) if metric_fns else None
    info = {"samples": n, "batch_size": batch, "epochs": int(epochs), "steps_per_epoch": len(bounds)}
    best_weights = None
    net.input_grad_needed = False  # nothing upstream of the first layer needs ∂E/∂x
    # With the guard on, overflow and NaN are reported by NonFiniteError rather than warnings.
    fp_errors = np.errstate(over="ignore", invalid="ignore") if guard is not None else contextlib.nullcontext()
    with fp_errors:
        try:
            for cb in all_callbacks:
                cb.on_train_begin(info)
            # A rate function gets a real error from the start: the loss before training.
            last_error = loss_fn.value(net.predict(x), t) if getattr(sched, "needs_error", False) else None
            for epoch in range(int(epochs)):
                if sched is not None:
                    opt.learning_rate = float(sched.rate(epoch, last_error))
                if shuffle and batch < n:  # a full batch sums the same gradient in any order
                    rng.shuffle(order)
                total, total_weight, stop_reason = 0.0, 0.0, None
                for batch_index, (start, end) in enumerate(bounds):
                    idx = order[start:end]
                    if batch == n:
                        xb, tb = x, t
                    else:  # gather the batch into reused arrays: no per-step allocation
                        xb = np.take(x, idx, axis=0, out=_batch_buffer(buffers, "x", x, len(idx)))
                        tb = np.take(t, idx, axis=0, out=_batch_buffer(buffers, "t", t, len(idx)))
                    wb = None if weights is None else weights[idx]
                    mb = None if mask is None else mask[idx]
                    y_pred = net.forward(xb, training=True, mask=mb)
                    grad_out = _batch_buffer(buffers, "grad", y_pred, len(idx))
                    if seq_out:  # every (sample, step) is a row of the loss
                        value, delta = loss_fn.value_and_grad(
                            y_pred.reshape(-1, n_outputs), tb.reshape(-1, n_outputs),
                            None if wb is None else wb.reshape(-1), out=grad_out.reshape(-1, n_outputs))
                        delta = delta.reshape(y_pred.shape)
                    else:
                        value, delta = loss_fn.value_and_grad(y_pred, tb, wb, out=grad_out)
                    if epoch_pred is not None:
                        epoch_pred[start:start + len(idx)] = y_pred
                    net.backward(delta)
                    if guard is not None:
                        guard.before_step(value, history.steps, epoch, batch_index, xb)
                    opt.step(params)
                    if guard is not None:
                        guard.after_step(history.steps, epoch, batch_index)
                    history.steps += 1
                    w_sum = float(y_pred.size // n_outputs) if wb is None else float(wb.sum())
                    total += value * w_sum
                    total_weight += w_sum
                    if callbacks:
                        batch_logs = {"loss": value, "learning_rate": opt.learning_rate}
                        if any([cb.on_batch_end(history.steps, batch_logs) for cb in callbacks]):
                            stop_reason = "callback"
                    if max_steps is not None and history.steps >= max_steps:
                        stop_reason = stop_reason or "steps"
                    if stop_reason:
                        break
                last_error = total / total_weight if total_weight else 0.0
                logs = _epoch_logs(net, last_error, opt, val, metric_fns, epoch_pred, t, order, loss_fn, end, mask)
                _record(history, logs)
                reason = stopper.check(epoch, logs)
                if any(r.best_epoch == epoch for r in restorers):
                    best_weights = net.get_weights()
                if any([cb.on_epoch_end(epoch, logs) for cb in all_callbacks]):
                    reason = reason or "callback"
                reason = stop_reason or reason
                if reason:
                    history.stop_reason = reason
                    break
            if restorers and best_weights is not None:
                net.set_weights(best_weights)
                history.best_epoch = restorers[0].best_epoch + 1
        except NonFiniteError as exc:
            exc.history = history
            history.stop_reason = "non_finite"
            raise
        finally:
            opt.learning_rate = base_rate  # a schedule's rates never outlive this call
            net.input_grad_needed = True
            net.release_buffers()
            for cb in all_callbacks:
                cb.on_train_end(history)
    return history


def _terminal(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def _batch_bounds(net, n, batch):
    """``[(start, stop), ...]`` of each batch; a lone last sample joins the batch before it
    when a layer needs batch statistics (BatchNorm)."""
    need = max(layer.min_batch for layer in _all_layers(net))
    if min(batch, n) < need:
        raise ValueError(f"fit: a layer of this network (BatchNorm) needs at least {need} samples per batch; "
                         f"batch_size is {batch} and there are {n} samples")
    starts = list(range(0, n, batch))
    if len(starts) > 1 and n - starts[-1] < need:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


def _all_layers(layer):
    yield layer
    for child in layer.children():
        yield from _all_layers(child)


def _adapt_scaling_layers(net, x):
    """Let every not-yet-adapted scaling layer of the top-level chain learn its statistics.

    Layers before it pass the data along in inference mode, so it sees what it will see
    when predicting.
    """
    if not any(layer.needs_adapting for layer in net.layers):
        return
    out = x
    for layer in net.layers:
        if layer.needs_adapting:
            layer.adapt(out)
        if not any(later.needs_adapting for later in net.layers[net.layers.index(layer) + 1:]):
            return
        out = layer.forward(out, training=False)


def _check_monitors(stopper, has_validation, metric_names):
    """Fail before training when a criterion watches something this run will not log."""
    logged = {"loss", *metric_names}
    if has_validation:
        logged |= {"val_loss", *("val_" + m for m in metric_names)}
    for c in stopper.criteria:
        monitor = getattr(c, "monitor", None)
        if monitor is not None and monitor not in logged:
            hint = " (give validation_data or validation_split)" if monitor.startswith("val_") else ""
            raise ValueError(f"{type(c).__name__} monitors {monitor!r}, which this training does not log; "
                             f"it logs {', '.join(sorted(logged))}{hint}")


def _hold_out_validation(net, loss_fn, x, t, weights, mask, validation_data, validation_split, seq_out):
    """``(x, t, weights, mask, val)``: the training part and ``val = (x, t, mask)`` (or ``None``)."""
    if validation_data is not None and validation_split is not None:
        raise ValueError("fit: give validation_data or validation_split, not both")
    if validation_split is not None:
        if not (isinstance(validation_split, (int, float)) and 0 < validation_split < 1):
            raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split!r}")
        n_val = int(round(x.shape[0] * validation_split))
        if n_val < 1 or n_val >= x.shape[0]:
            raise ValueError(f"fit: validation_split={validation_split} of {x.shape[0]} samples leaves "
                             f"{n_val} for validation; need at least 1 on each side")
        cut = x.shape[0] - n_val  # the last samples, as Synaptic's crossValidate and Keras take them

        def head(a):
            return None if a is None else a[:cut]

        return (x[:cut], t[:cut], head(weights), head(mask),
                (x[cut:], t[cut:], None if mask is None else mask[cut:]))
    if validation_data is None:
        return x, t, weights, mask, None
    if not (isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3)):
        raise ValueError("fit: validation_data must be (x_val, y_val) or (x_val, y_val, mask_val)")
    x_val = as_input_array(validation_data[0], net.dtype, "fit validation_data")
    net.layers[0].check_input(x_val)
    t_val = _targets(loss_fn, np.asarray(validation_data[1]), t.shape[-1], net.dtype, seq_out, x_val)
    if t_val.shape[0] != x_val.shape[0]:
        raise ValueError(f"fit: validation x has {x_val.shape[0]} samples but y has {t_val.shape[0]}")
    m_val = _check_mask(validation_data[2], x_val) if len(validation_data) == 3 else None
    return x, t, weights, mask, (x_val, t_val, m_val)


def _stop_criteria(epochs, error, patience, stop, monitor) -> AnyOf:
    criteria = [MaxEpochs(int(epochs))]
    if error is not None:
        criteria.append(ErrorBelow(error))
    if patience is not None:
        criteria.append(NoImprovement(patience, monitor=monitor))
    for extra in (stop if isinstance(stop, (list, tuple)) else [stop] if stop is not None else []):
        if not isinstance(extra, StopCriterion):
            raise TypeError(f"fit: stop must be stop criteria, got {type(extra).__name__}")
        criteria.append(extra)
    stopper = AnyOf(*criteria)
    stopper.reset()
    return stopper


def _epoch_logs(net, train_loss, opt, val, metric_fns, epoch_pred, t, order, loss_fn, seen, mask):
    logs = {"loss": train_loss, "learning_rate": opt.learning_rate}
    if metric_fns:
        # Training metrics from the predictions made while the epoch trained (row i of
        # epoch_pred belongs to sample order[i]); a run cut short by max_steps covers fewer rows.
        rows = order[:seen]
        pred, truth = _rows(loss_fn.link(epoch_pred[:seen]), t[rows], None if mask is None else mask[rows])
        for m in metric_fns:
            logs[m.name] = float(m(truth, pred))
    if val is not None:
        x_val, t_val, m_val = val
        out = net.predict(x_val, mask=m_val)
        pred, truth = _rows(out, t_val, m_val)
        logs["val_loss"] = loss_fn.value(pred, truth)
        if metric_fns:
            pred = loss_fn.link(pred)
            for m in metric_fns:
                logs["val_" + m.name] = float(m(truth, pred))
    return logs


def _rows(pred, truth, mask):
    """Predictions and targets as loss rows: a sequence's real steps become rows of their own."""
    if pred.ndim == 2:
        return pred, truth
    pred, truth = pred.reshape(-1, pred.shape[-1]), truth.reshape(-1, truth.shape[-1])
    if mask is None:
        return pred, truth
    keep = mask.reshape(-1) > 0
    return pred[keep], truth[keep]


def _sequence_output(net) -> bool:
    """Whether the network outputs a value at every time step: ``(batch, time, k)``."""
    return len(net.output_shape) == 2 and net.output_shape[0] is None


def _targets(loss_fn, y, n_outputs, dtype, seq_out, x):
    """Targets validated once: ``(samples, k)``, or ``(samples, time, k)`` for outputs at every step."""
    if not seq_out:
        t = np.ascontiguousarray(loss_fn.prepare_targets(y, n_outputs, dtype))
    else:
        steps = x.shape[1]
        if y.ndim < 2 or y.shape[1] != steps:
            raise ValueError(f"fit: the network outputs a value at each of the {steps} time steps, so y needs "
                             f"shape (samples, {steps}, {n_outputs}) or class labels (samples, {steps}); "
                             f"got {y.shape}")
        flat = loss_fn.prepare_targets(y.reshape((-1,) + y.shape[2:]), n_outputs, dtype)
        t = np.ascontiguousarray(flat.reshape(y.shape[0], steps, n_outputs))
    check_finite(t.reshape(t.shape[0], -1), "fit", "targets")
    return t


def _check_mask(mask, x):
    if mask is None:
        return None
    mask = np.asarray(mask)
    if x.ndim != 3 or mask.shape != x.shape[:2]:
        raise ValueError(f"fit: mask must have shape (samples, time) = {x.shape[:2]}, got {mask.shape}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("fit: mask must hold only 0 (padding) and 1 (a real step)")
    if not mask.any(axis=1).all():
        raise ValueError(f"fit: sample {int(np.argmin(mask.any(axis=1)))} has no real step in its mask")
    return mask.astype(x.dtype)


def _record(history, logs):
    history.loss.append(logs["loss"])
    history.learning_rate.append(logs["learning_rate"])
    if "val_loss" in logs:
        history.val_loss.append(logs["val_loss"])
    for name, series in history.metrics.items():
        series.append(logs[name])


class _NanGuard:
    """Refuses a step whose loss, gradient or result is not finite, keeping the last finite weights."""

    def __init__(self, net, params):
        self.net, self.params = net, params
        self.backup = np.empty_like(params.values)

    def before_step(self, value, step, epoch, batch_index, xb):
        if not math.isfinite(value):
            where = self._first_non_finite_layer(xb)
            self._fail(f"the loss is {value}", step, epoch, batch_index, where)
        g = self.params.grads
        # Σ g² is finite exactly when every gradient is finite (and not astronomically large).
        if not _finite_norm(g):
            self._fail("a gradient is NaN or Inf", step, epoch, batch_index, self._first_bad_slot(g))
        np.copyto(self.backup, self.params.values)

    def after_step(self, step, epoch, batch_index):
        p = self.params.values
        if not _finite_norm(p):
            where = self._first_bad_slot(p)
            np.copyto(p, self.backup)
            self._fail("the update made a weight NaN or Inf", step, epoch, batch_index, where)

    def _first_bad_slot(self, flat):
        for slot in self.params.slots.values():
            segment = flat[slot.offset:slot.offset + slot.size]
            if not _finite_norm(segment):
                return f"parameter {slot.name}"
        return "an unknown parameter"

    def _first_non_finite_layer(self, xb):
        out = xb
        for i, layer in enumerate(self.net.layers):
            out = layer.forward(out, training=False)
            if not np.isfinite(out).all():
                return f"the output of layer {i}, {layer.describe()}"
        largest = float(np.abs(out).max()) if out.size else 0.0
        last = len(self.net.layers) - 1
        return (f"the loss, which overflowed although the outputs are finite (the largest output of layer "
                f"{last}, {self.net.layers[last].describe()}, is {largest:.3g})")

    def _fail(self, what, step, epoch, batch_index, where):
        raise NonFiniteError(
            f"training stopped at step {step + 1} (epoch {epoch + 1}, batch {batch_index + 1}): {what}, "
            f"first in {where}. The weights of the last finite step are kept. "
            f"Try a lower learning rate, scaling the inputs (Standardize), or gradient clipping (clip_norm)."
        )


def _finite_norm(v: np.ndarray) -> bool:
    # Runs inside the training loop's errstate, so an overflow here is silent: the guard reports it.
    return math.isfinite(float(np.dot(v, v)))


def _sample_weights(sample_weight, class_weight, t, loss_fn, n, seq_out=False, mask=None):
    """Weights of the loss rows: ``(samples,)``, or ``(samples, time)`` for outputs at every step."""
    weights = None
    if sample_weight is not None and seq_out and np.ndim(sample_weight) == 2:
        weights = np.asarray(sample_weight, dtype=np.float64)  # a weight per (sample, step)
        if weights.shape != t.shape[:2]:
            raise ValueError(f"fit: per-step sample_weight must have shape (samples, time) = {t.shape[:2]}, "
                             f"got {weights.shape}")
        if not (np.isfinite(weights).all() and (weights >= 0).all()) or weights.sum() <= 0:
            raise ValueError("fit: sample_weight must be finite, >= 0 and not all 0")
    elif sample_weight is not None:
        weights = _losses.check_sample_weight(sample_weight, n)
    if class_weight is not None:
        per_row = class_weights_to_sample_weights(class_weight, t.reshape(-1, t.shape[-1]))
        per_row = per_row.reshape(t.shape[:-1])
        weights = per_row if weights is None else (weights.reshape((n,) + (1,) * (per_row.ndim - 1)) * per_row)
    if seq_out and mask is not None:
        weights = mask if weights is None else (weights.reshape(n, -1) * mask)
    if seq_out and weights is not None and weights.ndim == 1:
        weights = np.repeat(weights[:, None], t.shape[1], axis=1)
    return None if weights is None else np.ascontiguousarray(weights, dtype=t.dtype)


def class_weights_to_sample_weights(class_weight, targets: np.ndarray) -> np.ndarray:
    """Per-sample weights from class weights, for one-hot rows or a single 0/1 output.

    ``class_weight`` maps a class index to its weight, or is ``"balanced"``:
    ``w_c = n / (k·n_c)``, so every class carries the same total weight.
    """
    targets = np.asarray(targets)
    if targets.ndim == 2 and targets.shape[1] > 1:
        labels = targets.argmax(axis=1)
        k = targets.shape[1]
    else:
        flat = targets.reshape(-1)
        if not np.isin(flat, (0, 1)).all():
            raise ValueError("class_weight needs class targets: one-hot rows or a single 0/1 output")
        labels, k = flat.astype(np.int64), 2
    counts = np.bincount(labels, minlength=k)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be a dict or 'balanced', got {class_weight!r}")
        table = np.where(counts > 0, len(labels) / (k * np.maximum(counts, 1)), 0.0)
    elif isinstance(class_weight, dict):
        unknown = [c for c in class_weight if not (isinstance(c, (int, np.integer)) and 0 <= c < k)]
        if unknown:
            raise ValueError(f"class_weight names classes {unknown}; classes are 0..{k - 1}")
        table = np.ones(k)
        for c, w in class_weight.items():
            if not (w >= 0 and math.isfinite(w)):
                raise ValueError(f"class_weight for class {c} must be finite and >= 0, got {w!r}")
            table[int(c)] = float(w)
    else:
        raise TypeError(f"class_weight must be a dict or 'balanced', got {type(class_weight).__name__}")
    return table[labels]


def _shuffle_rng(net, seed):
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        return np.random.default_rng(seed)
    return net.spawn_rng()


def _batch_buffer(buffers, key, like, rows):
    """An array of ``rows`` rows shaped like ``like``, kept across steps."""
    buf = buffers.get((key, rows))
    if buf is None:
        buf = buffers[(key, rows)] = np.empty((rows,) + like.shape[1:], dtype=like.dtype)
    return buf


def _check_count(label, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"fit: {label} must be a positive integer, got {value!r}")
