"""Synaptic's timing task: hold 0.5 for as long as a pulse says."""

from __future__ import annotations

import numpy as np

from ._common import _generator, _integer

__all__ = ["timing_task"]


def _timing_stream(on: np.ndarray, gap: np.ndarray, length: int):
    """Synaptic's timing stream from its integer draws ``on``, ``gap`` (batch, pulses), each 0..20.

    Pulse k starts at ``t_k = Σ_{j<k} (on_j + gap_j)`` and is written while
    ``t_k < length - 20``; later pulses overwrite earlier ones, as Synaptic's loop
    does. Every step belongs to the last pulse begun at or before it: the pulse's
    start has channel 0 on, channel 1 shows ``on/20`` through ``t_k + on + gap``,
    and the target is 0.5 through ``t_k + on``.
    """
    n = len(on)
    start = np.cumsum(on + gap, axis=1) - (on + gap)
    rows, pulses = np.nonzero(start < length - 20)          # the written pulses: a prefix of each row
    begun = np.zeros((n, length), dtype=np.int64)
    np.add.at(begun, (rows, start[rows, pulses]), 1)
    last = np.cumsum(begun, axis=1) - 1                     # the last pulse begun at or before each step
    t = np.arange(length)
    t0 = np.take_along_axis(start, last, axis=1)
    duration = np.take_along_axis(on, last, axis=1)
    held = np.take_along_axis(gap, last, axis=1)
    x = np.zeros((n, length, 2), dtype=np.float32)
    x[..., 0] = t == t0
    x[..., 1] = np.where(t <= t0 + duration + held, duration / 20, 0.0)
    y = np.where(t <= t0 + duration, 0.5, 0.0).astype(np.float32)[..., None]
    return x, y


def timing_task(n, *, length=8000, seed=None):
    """Synaptic's timing task: output 0.5 for as long as the pulse's value says, then 0.

    One long stream per sequence, two inputs and one output. A pulse (input 0 on
    for one step) comes with a duration ``d = k / 20`` on input 1, ``k`` a whole
    number 0..20; the target is 0.5 for the ``k + 1`` steps from the pulse on, then
    0 for a gap of ``g`` steps (``g`` also 0..20) until the next pulse. Input 1
    keeps showing ``d`` through the gap, so the network must time the interval
    itself, not read its end from the input. ``k`` and ``g`` are
    ``round(20 u)`` for ``u`` uniform in [0, 1): 0 and 20 half as likely as the
    others. Pulses start while ``t < length - 20``, so the last steps may be quiet.

    Parameters
    ----------
    n : int
        Number of streams.
    length : int, default 8000
        Steps per stream, at least 21. 8000 is Synaptic's stream: its
        ``trainSamples`` 7000 plus ``testSamples`` 1000.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    x : ndarray (n, length, 2) float32
        Input 0: 1 at each pulse; input 1: the current duration ``d``.
    y : ndarray (n, length, 1) float32
        0.5 while the interval lasts, else 0. Every step is scored (MSE in Synaptic).

    Raises
    ------
    ValueError
        ``n`` or ``length`` not an integer in range.

    Notes
    -----
    ``getSamples`` in ``Trainer.timingTask`` of Synaptic's ``src/Trainer.js``, exactly:
    where a pulse begins on the step at which the previous interval ends (a gap of
    0), the later pulse's values win, as in Synaptic's loop. Synaptic draws one
    stream of 8,000 steps, trains on the first 7,000 for 200 epochs (rate
    [0.03, 0.02], MSE, error 0.005) and tests on the last 1,000 with the state
    carried on; its test (``test/synaptic.js``, ``LSTM(2, 7, 1)``) asks for test MSE
    below 0.05. For the same split: ``x[:, :7000]`` and ``x[:, 7000:]``. (A slip in
    ``timingTask`` reads ``testSamples`` from ``options.trainSamples``, so its own test,
    passing 4000 and 500, also draws 8,000 steps.) The targets are 0 or 0.5, so
    always predicting 0.25 scores an MSE of exactly 0.0625, and the best constant
    (the mean, about 0.27) about 0.062: Synaptic's bar of 0.05 is a modest one.

    Examples
    --------
    >>> from axonal.data.sequences import timing_task
    >>> x, y = timing_task(1, length=60, seed=0)
    >>> x.shape, y.shape
    ((1, 60, 2), (1, 60, 1))
    >>> start = int(x[0, :, 0].argmax())                 # the first pulse, at step 0
    >>> k = round(20 * float(x[0, start, 1]))
    >>> bool((y[0, start:start + k + 1, 0] == 0.5).all())
    True
    """
    where = "timing_task"
    n = _integer(n, "n", where)
    length = _integer(length, "length", where, minimum=21)
    rng = _generator(seed)
    pairs = length // 10 + 8                    # twice the expected number of pulses
    draws = np.zeros((n, 0, 2), dtype=np.int64)
    while not (draws.sum(axis=(1, 2)) >= length - 20).all():    # until every stream reaches its end
        more = np.floor(rng.random((n, pairs, 2)) * 20 + 0.5).astype(np.int64)   # Math.round(Math.random() * 20)
        draws = np.concatenate([draws, more], axis=1)
    return _timing_stream(draws[..., 0], draws[..., 1], length)
