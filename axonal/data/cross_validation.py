"""k-fold cross-validation: how well a way of building and training a network generalises.

The samples are split into ``k`` folds; for each fold a fresh network is trained
on the other ``k - 1`` and scored on it. The mean of the ``k`` scores estimates
the score on unseen data, and their spread how much it depends on the split.

Synaptic's ``crossValidate = {testSize, testError}`` (hold out the last part of
the set and stop when its error is low enough) is ``fit(validation_split=testSize,
stop=ErrorBelow(testError, monitor="val_loss"))``.

The folds are independent, so they may run at once: ``n_jobs`` and ``backend``
hand them to joblib (``backend="dask"`` inside a ``dask.distributed.Client`` runs
them on a cluster's workers). Each fold's network comes from ``build(fold)`` and
the folds from ``seed``, so the scores are the same however the folds are run.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import metrics as _metrics
from ..optimizers import Optimizer
from .split import kfold_indices

__all__ = ["cross_validate"]


def cross_validate(build, x, y, *, k: int = 5, metrics=("loss",), stratify=None, seed=None, n_jobs=None,
                   backend=None, **fit_options) -> dict:
    """Train a fresh network on each of ``k`` folds and score it on the held-out fold.

    Parameters
    ----------
    build : callable ``(fold) -> Sequential``
        Makes a new, untrained network for fold ``fold`` (0-based); seed it from
        ``fold`` for reproducible runs.
    x : array (samples, features)
    y : array (samples, ...)
    k : int, default 5
    metrics : sequence of str, default ("loss",)
        ``"loss"`` (the training loss on the held-out fold) and any name of
        :mod:`axonal.metrics`, computed on the network's linked outputs
        (probabilities for losses on logits).
    stratify : array (samples,), optional
        Class labels whose proportions every fold keeps (usually ``y`` for classification).
    seed : int or Generator, optional
        Seeds the assignment of samples to folds.
    n_jobs : int, optional
        Folds trained at once, through joblib (``None`` or 1: one after another, in
        this process, without joblib; -1: as many as the backend has workers).
    backend : str, optional
        A joblib backend (``"loky"``, ``"threading"``, ``"dask"`` with a running
        ``dask.distributed.Client``, ...); by default joblib's current one. With a
        process backend, ``build`` must be picklable (a module-level function).
    **fit_options
        Passed to ``fit`` (``loss``, ``optimizer``, ``epochs``, ...). Give an
        optimizer by name or config: each fold needs its own fresh state.

    Returns
    -------
    dict
        ``{name: array (k,)}`` of scores per fold, plus ``"mean_<name>"`` and
        ``"std_<name>"`` floats, and ``"histories"``: the ``History`` of each fold.
    """
    if isinstance(fit_options.get("optimizer"), Optimizer):
        raise ValueError("cross_validate: give the optimizer by name or config dict, so each fold starts "
                         "with fresh optimizer state")
    x = np.asarray(x)
    y = np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"cross_validate: x has {x.shape[0]} samples but y has {y.shape[0]}")
    scorers = {name: None if name == "loss" else _metrics.get(name) for name in metrics}
    folds = list(kfold_indices(len(x), k, shuffle=True, seed=seed, stratify=stratify))
    jobs = [(build, fold, x, y, train_idx, test_idx, scorers, fit_options)
            for fold, (train_idx, test_idx) in enumerate(folds)]
    if (n_jobs is None or n_jobs == 1) and backend is None:
        done = [_fold(*job) for job in jobs]
    else:
        try:
            import joblib
        except ImportError as exc:
            raise ImportError('cross_validate: n_jobs and backend run the folds through joblib: pip install joblib '
                              '(scikit-learn installs it)') from exc
        with joblib.parallel_backend(backend) if backend is not None else contextlib.nullcontext():
            done = joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(_fold)(*job) for job in jobs)
    histories = [history for history, _ in done]
    scores = {name: [fold_scores[name] for _, fold_scores in done] for name in scorers}
    result: dict = {"histories": histories}
    for name, values in scores.items():
        arr = np.asarray(values, dtype=np.float64)
        result[name] = arr
        result[f"mean_{name}"] = float(arr.mean())
        result[f"std_{name}"] = float(arr.std())
    return result


def _fold(build, fold, x, y, train_idx, test_idx, scorers, fit_options):
    """``(History, {metric: score})`` of fold ``fold``: a fresh ``build(fold)`` trained on ``train_idx``,
    scored on ``test_idx``."""
    net = build(fold)
    history = net.fit(x[train_idx], y[train_idx], **fit_options)
    outputs = net.predict(x[test_idx])
    scores = {}
    for name, metric in scorers.items():
        if metric is None:
            scores[name] = net.loss_.value(outputs, y[test_idx])
        else:
            truth = net.loss_.prepare_targets(y[test_idx], outputs.shape[1], outputs.dtype)
            scores[name] = float(metric(truth, net.loss_.link(outputs)))
    return history, scores

