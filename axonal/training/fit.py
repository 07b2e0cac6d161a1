"""``fit``: train a network by backpropagation, through the one training loop.

``fit`` checks its options, prepares the data once (targets, loss weights,
validation), and runs a :class:`~axonal.training.loop.TrainingLoop` with the
:class:`~axonal.training.backprop.Backprop` step rule over an
:class:`~axonal.training.batches.ArrayFeed`.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from .. import losses as _losses
from .. import optimizers as _optimizers
from .._validation import as_input_array
from ..validation import positive_int
from ..advice import check_output_link
from ..distributed.comm import communicator
from ..callbacks import Callback, ProgressBar
from ..class_labels import is_text_labels, label_codes
from ..feature_names import align_columns, check_feature_names, column_names
from ..history import History
from ..stopping import AnyOf, ErrorBelow, MaxEpochs, NoImprovement, StopCriterion
from ..targets import check_mask, loss_weights, prepare_targets, sequence_output
from .backprop import Backprop
from .batches import ArrayFeed, adapt_scaling_layers, hold_out_validation
from .checkpoint import Checkpointer, store_for
from .loop import TrainingLoop

__all__ = ["fit", "budget_epochs"]

#: The default training budget of ``axonal train`` and the estimators, in optimizer updates (80 epochs
#: of 45 batches: the digits), and the range of epochs it may become.
UPDATES, MIN_EPOCHS, MAX_EPOCHS = 3600, 20, 2000


def budget_epochs(samples: int, batch_size: int | None, updates: int = UPDATES, most: int = MAX_EPOCHS) -> int:
    """Epochs that make about ``updates`` optimizer updates on ``samples`` samples in batches of
    ``batch_size`` (``None``: the whole set): ``⌈updates / ⌈samples / batch⌉⌉``, within
    ``[MIN_EPOCHS, most]``. A budget counted in updates, not epochs, gives a 150-row table
    as many steps of the optimizer as a 1,500-row one (an epoch of 150 rows is 5 batches of 32)."""
    batch = samples if not batch_size else min(int(batch_size), samples)
    steps = max(1, math.ceil(samples / max(1, batch)))
    return int(min(most, max(MIN_EPOCHS, math.ceil(updates / steps))))


def fit(net, x, y, *, loss=None, optimizer=None, learning_rate: float | None = None,
        epochs: int = 100, batch_size: int | None = 32, shuffle: bool = True,
        error: float | None = None, validation_data=None, validation_split: float | None = None,
        stratify: bool = False, metrics=None, patience: int | None = None, stop=None, schedule=None, callbacks=None,
        sample_weight=None, class_weight=None, mask=None, max_steps: int | None = None,
        progress: bool | None = None, verbose: int | None = None, nan_guard: bool = True, seed=None, checkpoint=None,
        checkpoint_every: int = 1, resume=None, diagnostics: bool = True, distributed=None) -> History:
    """Train ``net`` on inputs ``x`` and targets ``y``; return the :class:`History`.

    Parameters
    ----------
    net : Sequential
    x : array (samples, features)
    y : array (samples, outputs), or (samples,) for one output or class labels
    loss : str or Loss, optional
        The error ``E`` whose gradient trains the network (:mod:`axonal.losses`). By
        default the network's own (``Sequential(..., loss=...)``, the last ``fit``'s, or
        the one a loaded model file names), else ``"mse"``.
    optimizer : str, dict or Optimizer, optional
        A name builds a fresh optimizer; an instance keeps its state across calls. By
        default the network's own (given at construction, kept from the last ``fit``
        or loaded with its state), so a second ``fit`` continues; else ``"sgd"``.
    learning_rate : float, optional
        The rate for an optimizer given by name (each has its own default); with the
        network's own optimizer, a fresh one of its kind at this rate.
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
        shuffling (Synaptic's ``crossValidate.testSize``), as validation data; a
        warning says when the tail's classes differ from the rest's.
    stratify : bool, default False
        With ``validation_split`` and a class loss: hold out that share of each
        class, drawn at random (from ``seed``), instead of the last samples.
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
        Stop criteria given here (Keras's ``EarlyStopping``) join ``stop``.
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
        ``False`` shows nothing. Otherwise progress goes to standard error: on a
        terminal a bar that keeps the loss and validation numbers readable; elsewhere
        (a log, CI) a plain line at most per epoch and per few seconds (a run of a few
        seconds writes nothing).
    verbose : int, optional
        Keras's spelling: 0 is ``progress=False``, 1 or 2 ``progress=True``.
    nan_guard : bool, default True
        Stop with :class:`NonFiniteError` on a NaN/Inf loss, gradient, weight,
        optimizer state or running statistic, keeping the last finite step's model.
    seed : int or Generator, optional
        Seeds the shuffling; by default a stream drawn from the network's seed.
    checkpoint : str or path-like, optional
        Write a checkpoint here (atomically) after every ``checkpoint_every``-th
        epoch and after the last: the model, the optimizer's state, every random
        generator, the schedule and stop criteria, the counters, the best weights
        and the History (:mod:`axonal.training.checkpoint`).
    checkpoint_every : int, default 1
        Epochs between checkpoints.
    resume : str, path-like or True, optional
        Continue the run saved in this checkpoint: the result is bit for bit the
        one of an uninterrupted run given the same arguments. ``True`` resumes
        from ``checkpoint`` when that file exists and starts afresh otherwise.
    diagnostics : bool, default True
        Watch for what makes training fail and warn once per kind, with the fix
        (:mod:`axonal.diagnostics`): inputs far from unit scale, imbalanced classes, a
        feature equal to the target (from the data, before training); vanishing or
        exploding gradients, dead ReLU and saturated units (a probe of a fixed
        subsample between epochs, which also fills ``History.gradient_norms``); a loss
        that diverges, oscillates, does not fall or still falls when the epochs run
        out. It changes nothing the run learns. ``False`` silences it.
    distributed : bool or MPI communicator, optional
        ``True``: data-parallel over the ranks of ``mpiexec`` (``MPI.COMM_WORLD``); an
        mpi4py communicator: over its ranks (:mod:`axonal.distributed`). ``batch_size``
        is then the global batch; each rank takes its shard of it. Needs
        ``pip install "axonal[mpi]"``.

    Returns
    -------
    History
    """
    loss_fn = _losses.get(loss if loss is not None else (net.loss_ or "mse"))
    opt = _optimizer(net, optimizer, learning_rate)
    for label, value in (("epochs", epochs), ("batch_size", batch_size), ("max_steps", max_steps),
                         ("checkpoint_every", checkpoint_every)):
        if value is not None:
            check_count(label, value)
    if error is not None and not (isinstance(error, (int, float)) and math.isfinite(error) and error >= 0):
        raise ValueError(f"fit: error must be a finite number >= 0, got {error!r}")
    metric_fns = _metric_functions(metrics)
    callbacks, stop_callbacks = _callbacks(callbacks)
    resume = _resume_target(resume, checkpoint)

    progress = _progress_option(progress, verbose)
    split_rng = None
    if stratify and validation_split is not None:
        split_rng = seed if isinstance(seed, np.random.Generator) else (
            np.random.default_rng(seed) if seed is not None else net.spawn_rng())
    x, t, weights, mask, val, seq_out = _training_data(net, loss_fn, x, y, sample_weight, class_weight, mask,
                                                       validation_data, validation_split, split_rng)
    check_output_link(net, loss_fn)
    if diagnostics:
        from ..diagnostics.monitor import check_data
        check_data(net, loss_fn, x, t, weights, class_weight)
    stopper = _stop_criteria(epochs, error, patience, _as_list(stop) + stop_callbacks,
                             monitor="val_loss" if val is not None else "loss")
    _check_monitors(stopper, has_validation=val is not None, metric_names=[m.name for m in metric_fns])
    sched = None
    if schedule is not None:
        from .. import schedules as _schedules
        sched = _schedules.get(schedule, opt.learning_rate, epochs=int(epochs))
    bar = None if progress is False else ProgressBar()

    comm = communicator(distributed)
    feed = ArrayFeed(net, x, t, weights, mask, batch=x.shape[0] if batch_size is None else int(batch_size),
                     shuffle=shuffle, comm=comm)
    net.loss_, net.optimizer_, net.schedule_ = loss_fn, opt, sched
    n_outputs = t.shape[-1]
    if loss_fn.categorical and (net.classes_ is None or len(net.classes_) != n_outputs):
        net.classes_ = list(range(n_outputs))  # output k is class k unless the caller named them
    rule = Backprop(net, loss_fn, opt, seq_out=seq_out, metrics=metric_fns, validation=val, nan_guard=nan_guard,
                    train_rows=(x, t, mask), comm=comm)
    rng = seed if isinstance(seed, np.random.Generator) else (
        np.random.default_rng(seed) if seed is not None else net.spawn_rng())
    fingerprint = {"samples": int(x.shape[0]), "batch_size": feed.batch, "loss": loss_fn.name,
                   "optimizer": opt.name, "epochs": int(epochs), "shuffle": bool(shuffle)}
    writer = None if checkpoint is None else Checkpointer(net, store_for(checkpoint), fingerprint)
    history = History(metrics={})
    if diagnostics:
        from ..diagnostics.monitor import Diagnostics
        callbacks = callbacks + [Diagnostics(net, loss_fn, x, t, history, weights=weights,
                                             probe=mask is None)]
    loop = TrainingLoop(rule, feed, stopper=stopper, rng=rng, schedule=sched, history=history,
                        callbacks=callbacks + ([bar] if bar is not None else []),
                        batch_callbacks=[cb for cb in callbacks if _listens_to_batches(cb)],
                        max_steps=max_steps, network=net, checkpoint=writer, checkpoint_every=checkpoint_every)
    if resume is not None:
        Checkpointer.resume(loop, net, store_for(resume), fingerprint)
    return loop.run()


def check_count(label, value) -> None:
    """``value`` must be a positive integer (not a bool); the error names ``label``."""
    positive_int(value, "fit", label)


def _optimizer(net, optimizer, learning_rate):
    """The optimizer asked for, or the network's own (with a new ``learning_rate``: a fresh one of its kind)."""
    rate = {} if learning_rate is None else {"learning_rate": learning_rate}
    own = getattr(net, "optimizer_", None)
    if optimizer is None and own is not None:
        return own if not rate else _optimizers.get({"name": own.name, **own.get_config(), **rate})
    return _optimizers.get("sgd" if optimizer is None else optimizer, **rate)


def _progress_option(progress, verbose):
    """``progress`` from itself or from Keras's ``verbose`` (0: off; 1, 2: on)."""
    if verbose is None:
        return progress
    if progress is not None:
        raise ValueError("fit: give progress or verbose (Keras's spelling), not both")
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"fit: verbose must be 0, 1 or 2, got {verbose!r:.40}")
    return verbose > 0


def _listens_to_batches(callback) -> bool:
    """Whether ``callback`` has its own ``on_batch_end`` (the others let an epoch run in one call)."""
    return getattr(type(callback), "on_batch_end", None) is not Callback.on_batch_end


def _metric_functions(metrics) -> list:
    if not metrics:
        return []
    from .. import metrics as _metrics
    return [_metrics.get(m) for m in metrics]


def _callbacks(callbacks) -> tuple[list, list]:
    """``(callbacks, stop criteria given among them)``: Keras users put ``EarlyStopping`` there."""
    if isinstance(callbacks, (Callback, StopCriterion)):
        callbacks = [callbacks]
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, (Callback, StopCriterion)):
            raise TypeError(f"fit: callbacks must be Callback objects, got {type(cb).__name__}")
    return ([cb for cb in callbacks if isinstance(cb, Callback)],
            [cb for cb in callbacks if isinstance(cb, StopCriterion)])


def _resume_target(resume, checkpoint):
    """The checkpoint to resume from, or ``None`` to start afresh."""
    if resume is True:
        if checkpoint is None:
            raise ValueError("fit: resume=True resumes from checkpoint=...; give a checkpoint path")
        return checkpoint if isinstance(checkpoint, (str, os.PathLike)) and os.path.exists(checkpoint) else None
    if resume is False or resume is None:
        return None
    if isinstance(resume, (str, os.PathLike)) and not os.path.exists(resume):
        raise FileNotFoundError(f"fit: the checkpoint to resume, {os.fspath(resume)}, does not exist")
    return resume


def _training_data(net, loss_fn, x, y, sample_weight, class_weight, mask, validation_data, validation_split,
                   split_rng):
    """Inputs, targets, loss weights, mask and validation data, checked and shaped once; a table's
    column names become ``net.feature_names_`` (or are matched with them)."""
    names = column_names(x)
    x = as_input_array(align_columns(x, net.feature_names_, "fit"), net.dtype, "fit")
    if x.shape[0] == 0:
        raise ValueError("fit: x has no samples")
    net.prepare_input(x[:1], "fit")  # builds the network on first use
    if names is not None and net.feature_names_ is None:
        net.feature_names_ = check_feature_names(names, int(np.prod(net.input_shape[-1:])), "fit")
    seq_out = sequence_output(net)
    n_outputs = net.output_shape[-1] if seq_out else int(np.prod(net.output_shape))
    y_raw = np.asarray(y)
    if y_raw.shape[:1] != x.shape[:1]:
        raise ValueError(f"fit: x has {x.shape[0]} samples but y has {y_raw.shape[0] if y_raw.ndim else 0}")
    if is_text_labels(y_raw):
        y_raw, validation_data = _text_labels(net, loss_fn, y_raw, n_outputs, validation_data)
    t = prepare_targets(loss_fn, y_raw, n_outputs, net.dtype, seq_out, x)
    mask = check_mask(mask, x)
    weights = loss_weights(sample_weight, class_weight, t, loss_fn, x.shape[0], seq_out, mask)
    x, t, weights, mask, val = hold_out_validation(net, loss_fn, x, t, weights, mask, validation_data,
                                                   validation_split, seq_out, split_rng)
    adapt_scaling_layers(net, x)
    return x, t, weights, mask, val, seq_out


def _text_labels(net, loss_fn, y, n_outputs, validation_data):
    """Text class labels as codes of ``net.classes_`` (learnt from ``y`` when the network has no
    named classes yet), for ``y`` and the validation targets."""
    if not (loss_fn.categorical or (loss_fn.probabilities and n_outputs == 1)):
        raise ValueError(f"fit: y holds class labels such as {str(y.reshape(-1)[0])!r:.40}, but loss {loss_fn.name!r} "
                         f"needs numbers; train a classifier with loss='softmax_cross_entropy' (a linear output "
                         f"layer of one unit per class) or 'binary_cross_entropy_logits' (one output, two classes)")
    known = net.classes_
    if known is not None and all(isinstance(c, int) for c in known):
        known = None    # the default 0..K-1 of a network never given named classes
    codes, net.classes_ = label_codes(y, known, n_outputs, "fit")
    if validation_data is not None and len(validation_data) >= 2 and is_text_labels(validation_data[1]):
        val_codes, _ = label_codes(validation_data[1], net.classes_, n_outputs, "fit validation_data")
        validation_data = (validation_data[0], val_codes, *validation_data[2:])
    return codes, validation_data


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


def _as_list(stop) -> list:
    return list(stop) if isinstance(stop, (list, tuple)) else [stop] if stop is not None else []


def _stop_criteria(epochs, error, patience, stop, monitor) -> AnyOf:
    criteria: list[StopCriterion] = [MaxEpochs(int(epochs))]
    if error is not None:
        criteria.append(ErrorBelow(error))
    if patience is not None:
        criteria.append(NoImprovement(patience, monitor=monitor))
    for extra in stop:
        if not isinstance(extra, StopCriterion):
            raise TypeError(f"fit: stop must be stop criteria, got {type(extra).__name__}")
        criteria.append(extra)
    stopper = AnyOf(*criteria)
    stopper.reset()
    return stopper
