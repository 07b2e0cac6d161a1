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

The NaN guard (on by default, :mod:`axonal.nan_guard`) checks every step: if the
loss, a gradient, a weight, the optimizer's state or a running statistic becomes
NaN or infinite, the step is rolled back whole (weights, running statistics,
optimizer state and step count) and :class:`NonFiniteError` says which step,
batch and layer went wrong.
"""

from __future__ import annotations

import contextlib
import math
import sys

import numpy as np

from . import losses as _losses
from . import optimizers as _optimizers
from ._validation import as_input_array
from .callbacks import Callback, ProgressBar
from .history import History
from .nan_guard import NanGuard, NonFiniteError, all_layers
from .stopping import AnyOf, ErrorBelow, MaxEpochs, NoImprovement, StopCriterion
from .targets import (check_mask, class_weights_to_sample_weights, loss_rows, loss_weights, prepare_targets,
                      sequence_output)

__all__ = ["fit", "History", "NonFiniteError", "class_weights_to_sample_weights"]


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
        Stop with :class:`NonFiniteError` on a NaN/Inf loss, gradient, weight,
        optimizer state or running statistic, keeping the last finite step's model.
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
    seq_out = sequence_output(net)
    n_outputs = net.output_shape[-1] if seq_out else int(np.prod(net.output_shape))
    y_raw = np.asarray(y)
    if y_raw.shape[:1] != x.shape[:1]:
        raise ValueError(f"fit: x has {x.shape[0]} samples but y has {y_raw.shape[0] if y_raw.ndim else 0}")
    t = prepare_targets(loss_fn, y_raw, n_outputs, net.dtype, seq_out, x)
    mask = check_mask(mask, x)
    weights = loss_weights(sample_weight, class_weight, t, loss_fn, x.shape[0], seq_out, mask)

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
    in_terminal = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    bar = ProgressBar(enabled=True) if progress or (progress is None and in_terminal) else None
    all_callbacks = callbacks + ([bar] if bar is not None else [])

    n = x.shape[0]
    batch = n if batch_size is None else min(int(batch_size), n)
    bounds = _batch_bounds(net, n, batch)
    rng = seed if isinstance(seed, np.random.Generator) else (
        np.random.default_rng(seed) if seed is not None else net.spawn_rng())
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
    guard = NanGuard(net, params, opt) if nan_guard else None
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
            last_error = None
            if getattr(sched, "needs_error", False):
                last_error = loss_fn.value(*loss_rows(net.predict(x, mask=mask), t, mask))
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
                    if guard is not None:
                        guard.begin_step()
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


def _batch_bounds(net, n, batch):
    """``[(start, stop), ...]`` of each batch; a lone last sample joins the batch before it
    when a layer needs batch statistics (BatchNorm)."""
    need = max(layer.min_batch for layer in all_layers(net))
    if min(batch, n) < need:
        raise ValueError(f"fit: a layer of this network (BatchNorm) needs at least {need} samples per batch; "
                         f"batch_size is {batch} and there are {n} samples")
    starts = list(range(0, n, batch))
    if len(starts) > 1 and n - starts[-1] < need:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


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
    t_val = prepare_targets(loss_fn, np.asarray(validation_data[1]), t.shape[-1], net.dtype, seq_out, x_val)
    if t_val.shape[0] != x_val.shape[0]:
        raise ValueError(f"fit: validation x has {x_val.shape[0]} samples but y has {t_val.shape[0]}")
    m_val = check_mask(validation_data[2], x_val) if len(validation_data) == 3 else None
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
        pred, truth = loss_rows(loss_fn.link(epoch_pred[:seen]), t[rows], None if mask is None else mask[rows])
        for m in metric_fns:
            logs[m.name] = float(m(truth, pred))
    if val is not None:
        x_val, t_val, m_val = val
        out = net.predict(x_val, mask=m_val)
        pred, truth = loss_rows(out, t_val, m_val)
        logs["val_loss"] = loss_fn.value(pred, truth)
        if metric_fns:
            pred = loss_fn.link(pred)
            for m in metric_fns:
                logs["val_" + m.name] = float(m(truth, pred))
    return logs


def _record(history, logs):
    history.loss.append(logs["loss"])
    history.learning_rate.append(logs["learning_rate"])
    if "val_loss" in logs:
        history.val_loss.append(logs["val_loss"])
    for name, series in history.metrics.items():
        series.append(logs[name])


def _batch_buffer(buffers, key, like, rows):
    """An array of ``rows`` rows shaped like ``like``, kept across steps."""
    buf = buffers.get((key, rows))
    if buf is None:
        buf = buffers[(key, rows)] = np.empty((rows,) + like.shape[1:], dtype=like.dtype)
    return buf


def _check_count(label, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"fit: {label} must be a positive integer, got {value!r}")
