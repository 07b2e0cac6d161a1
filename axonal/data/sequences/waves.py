"""Sine-wave forecasting."""

from __future__ import annotations

import math

import numpy as np

from ._common import _generator, _integer

__all__ = ["SINE_FREQUENCIES", "sine_wave"]


SINE_FREQUENCIES = (0.02, 0.1)
"""The range of :func:`sine_wave`'s frequencies, in cycles per step (periods of 10 to 50 steps)."""


def sine_wave(n, *, length=50, horizon=1, seed=None):
    """Sine-wave forecasting: from the values so far, predict the next ``horizon`` values.

    Each sequence is ``sin(2π f t + φ)``, ``t = 0, 1, ...``, with its own frequency
    ``f`` drawn uniformly from :data:`SINE_FREQUENCIES` (0.02 to 0.1 cycles per step,
    periods of 10 to 50 steps) and phase ``φ`` uniformly from [0, 2π).

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int, default 50
        Input steps: at least two periods of the slowest wave.
    horizon : int, default 1
        How many future values each step predicts.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    x : ndarray (n, length, 1) float32
        The wave at steps ``0 .. length-1``.
    y : ndarray (n, length, horizon) float32
        ``y[:, t, h]`` is the wave at step ``t + 1 + h``; every step is scored.

    Raises
    ------
    ValueError
        ``n``, ``length`` or ``horizon`` not a positive integer.

    Notes
    -----
    No reference defines this task; the ranges are axonal's. For a many-step
    forecast, feed the network's own predictions back as the next inputs.

    Examples
    --------
    >>> from axonal.data.sequences import sine_wave
    >>> x, y = sine_wave(2, length=20, horizon=3, seed=0)
    >>> x.shape, y.shape
    ((2, 20, 1), (2, 20, 3))
    >>> bool((y[:, :-1, 0] == x[:, 1:, 0]).all() and (y[:, :-3, 2] == x[:, 3:, 0]).all())
    True
    """
    where = "sine_wave"
    n = _integer(n, "n", where)
    length = _integer(length, "length", where)
    horizon = _integer(horizon, "horizon", where)
    rng = _generator(seed)
    frequency = rng.uniform(*SINE_FREQUENCIES, size=(n, 1))
    phase = rng.uniform(0.0, 2 * math.pi, size=(n, 1))
    wave = np.sin(2 * math.pi * frequency * np.arange(length + horizon) + phase).astype(np.float32)
    y = np.lib.stride_tricks.sliding_window_view(wave[:, 1:], horizon, axis=1)
    return wave[:, :length, None].copy(), np.ascontiguousarray(y)
