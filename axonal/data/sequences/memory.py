"""Long-memory benchmarks: the adding problem and the copy task."""

from __future__ import annotations

import numpy as np

from ._common import _generator, _integer, _one_hot

__all__ = ["adding_problem", "copy_task"]


def adding_problem(n, *, length=50, seed=None):
    """The adding problem: at the last step, output the sum of the two marked values.

    Input 0 holds ``length`` values drawn uniformly from [0, 1); input 1 is 1 at two
    steps, one drawn uniformly from the first half (``0 .. length//2 - 1``) and one
    from the second, and 0 elsewhere. The target, scored at the last step only, is
    the sum of the two values at the marked steps. Always answering 1 gives an MSE
    of 1/6 ≈ 0.167; a network must carry the first value across about ``length / 2``
    steps to do better.

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int, default 50
        Steps per sequence, at least 2.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    x : ndarray (n, length, 2) float32
        Values, markers.
    y : ndarray (n, length, 1) float32
        The sum at the last step, 0 elsewhere.
    mask : ndarray (n, length) float32
        1 at the last step only: the scored step, not padding. (Equivalently, train
        on the last output alone: ``y[:, -1]``.)

    Raises
    ------
    ValueError
        ``n`` or ``length`` not an integer in range.

    Notes
    -----
    After experiment 4 of Hochreiter & Schmidhuber (1997), *Long Short-Term
    Memory* (there: values in [-1, 1] and target ``0.5 + (x1 + x2) / 4``), in the
    form of Le, Jaitly & Hinton (2015) and Arjovsky, Shah & Bengio (2016),
    *Unitary Evolution Recurrent Neural Networks*, whose placement of the markers
    (one in each half) is used here. ``length=50`` is the length that the
    recurrent-networks milestone asks an LSTM to solve (test MSE below 0.01).

    Examples
    --------
    >>> from axonal.data.sequences import adding_problem
    >>> x, y, mask = adding_problem(2, seed=0)
    >>> x.shape, y.shape, x[:, :, 1].sum(1).tolist(), mask.sum(1).tolist()
    ((2, 50, 2), (2, 50, 1), [2.0, 2.0], [1.0, 1.0])
    >>> bool(abs((x[0, :, 0] * x[0, :, 1]).sum() - y[0, -1, 0]) < 1e-6)
    True
    """
    where = "adding_problem"
    n = _integer(n, "n", where)
    length = _integer(length, "length", where, minimum=2)
    rng = _generator(seed)
    values = rng.random((n, length))
    half = length // 2
    marks = np.stack([rng.integers(0, half, n), rng.integers(half, length, n)], axis=1)
    x = np.zeros((n, length, 2), dtype=np.float32)
    x[..., 0] = values
    np.put_along_axis(x[..., 1], marks, 1.0, axis=1)
    y = np.zeros((n, length, 1), dtype=np.float32)
    y[:, -1, 0] = np.take_along_axis(values, marks, axis=1).sum(axis=1)
    mask = np.zeros((n, length), dtype=np.float32)
    mask[:, -1] = 1.0
    return x, y, mask


def copy_task(n, *, length=10, symbols=8, delay=20, seed=None):
    """The copy task: read a sequence of symbols, wait, then write it out again.

    Classes: 0 is a blank, ``1 .. symbols`` the data symbols, ``symbols + 1`` the
    delimiter. Input: ``length`` data symbols drawn uniformly, then ``delay - 1``
    blanks, the delimiter, and ``length`` more blanks (``2 * length + delay`` steps).
    Target: blanks for the first ``length + delay`` steps, then the data symbols in
    order, so that the symbol read at step ``i`` is written at step
    ``i + length + delay``, the step after the delimiter starting the recall.

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int, default 10
        Data symbols to copy.
    symbols : int, default 8
        Size of the data alphabet.
    delay : int, default 20
        Steps from the end of the data to the start of the recall, the
        delimiter's step included; at least 1.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    x : ndarray (n, 2*length + delay, symbols + 2) float32
        One-hot inputs.
    y : ndarray (n, 2*length + delay, symbols + 1) float32
        One-hot targets (blank = class 0 outside the recall).
    mask : ndarray (n, 2*length + delay) float32
        1 on the ``length`` recall steps: the scored steps, not padding. Arjovsky
        et al. score every step (the blanks too): use ``np.ones_like(mask)`` for that.

    Raises
    ------
    ValueError
        ``n``, ``length``, ``symbols`` or ``delay`` not a positive integer.

    Notes
    -----
    The copying memory problem of Arjovsky, Shah & Bengio (2016), *Unitary
    Evolution Recurrent Neural Networks* (after Hochreiter & Schmidhuber 1997),
    whose ``T`` is ``delay`` here; ``length=10`` and ``symbols=8`` are theirs. They
    use delays of 100 to 500; the default 20 keeps the task learnable in minutes on
    a CPU. Guessing blanks, then random symbols, gives a cross-entropy of
    ``log(symbols)`` per recall step.

    Examples
    --------
    >>> from axonal.data.sequences import copy_task
    >>> x, y, mask = copy_task(1, length=3, symbols=4, delay=2, seed=0)
    >>> x[0].argmax(-1).tolist(), y[0].argmax(-1).tolist(), mask[0].tolist()
    ([4, 3, 3, 0, 5, 0, 0, 0], [0, 0, 0, 0, 0, 4, 3, 3], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    where = "copy_task"
    n = _integer(n, "n", where)
    length = _integer(length, "length", where)
    symbols = _integer(symbols, "symbols", where)
    delay = _integer(delay, "delay", where)
    rng = _generator(seed)
    steps = 2 * length + delay
    data = rng.integers(1, symbols + 1, (n, length))
    shown = np.zeros((n, steps), dtype=np.int64)
    shown[:, :length] = data
    shown[:, length + delay - 1] = symbols + 1
    wanted = np.zeros((n, steps), dtype=np.int64)
    wanted[:, length + delay:] = data
    mask = np.zeros((n, steps), dtype=np.float32)
    mask[:, length + delay:] = 1.0
    return _one_hot(shown, symbols + 2), _one_hot(wanted, symbols + 1), mask
