"""Synaptic's discrete sequence recall (DSR): recall the targets hidden among distractors, in order."""

from __future__ import annotations

import numpy as np

from ._common import _generator, _integer, _one_hot, _symbols

__all__ = ["discrete_sequence_recall"]


def discrete_sequence_recall(n, *, targets=(2, 4), distractors=(3, 5), prompts=(0, 1), length=9, seed=None,
                             score="all"):
    """Synaptic's discrete sequence recall (DSR): remember targets seen among distractors.

    Each sequence has ``length`` steps. The first ``length - len(prompts)`` steps
    (the body) show distractor symbols, except at ``len(prompts)`` distinct random
    positions, where a target symbol stands (each drawn uniformly from
    ``targets``, repeats allowed). Then the prompts are shown one per step, in
    order, and at the i-th prompt the network must name the i-th target that
    appeared, by its position in ``targets``. During the body the right output is
    all zeros.

    Parameters
    ----------
    n : int
        Number of sequences.
    targets, distractors, prompts : sequences of int, default (2, 4), (3, 5), (0, 1)
        The symbols of each kind. Together they must name each of ``0 .. S-1``
        once, where ``S = len(targets) + len(distractors) + len(prompts)``: a symbol
        is the index of the one input that is on.
    length : int, default 9
        Steps per sequence, prompts included; at least ``2 * len(prompts)``.
    seed : int or numpy.random.Generator, optional
    score : {"all", "recall"}, default "all"
        Which steps the mask selects: every step, as Synaptic scores and trains
        (its outputs must also stay off during the body), or only the prompt steps.

    Returns
    -------
    x : ndarray (n, length, S) float32
        One-hot symbols.
    y : ndarray (n, length, len(targets)) float32
        Zeros during the body; at prompt step i the one-hot index (into ``targets``)
        of the i-th target shown.
    mask : ndarray (n, length) float32
        Ones at the scored steps (see ``score``); every step is a real input.

    Raises
    ------
    ValueError
        ``n`` or ``length`` not a positive integer, symbols that repeat or fall
        outside ``0 .. S-1``, a ``length`` too short, an unknown ``score``.

    Notes
    -----
    As ``Trainer.DSR`` in Synaptic's ``src/Trainer.js``: inputs one-hot over all
    ``S`` symbols, outputs over ``len(targets)``, the i-th prompt asking for the
    i-th target in order of position, every step scored. Its success criterion
    counts a sequence as correct when every output at every step rounds to its
    target: ``np.all(np.round(prediction) == y, axis=(1, 2))``; its default cost is
    cross-entropy on sigmoid outputs. The defaults here are the settings of
    Synaptic's own test ("LSTM - Discrete Sequence Recall" in ``test/synaptic.js``:
    targets [2, 4], distractors [3, 5], prompts [0, 1], length 9, which it trains
    at rate 0.17 for up to 250,000 sequences). ``Trainer.DSR`` called without
    options uses the harder ``targets=(2, 4, 7, 8), distractors=(3, 5, 6, 9),
    prompts=(0, 1), length=24``. Two differences from Synaptic's code: its test
    builds ``LSTM(5, 3, 2)``, five inputs for six symbols, so that symbol 5 never
    reaches the network; here ``x`` always has ``S`` features. And it orders the
    target positions with JavaScript's ``sort()``, which compares numbers as
    strings (10 before 9), so with a body longer than ten steps it can ask for the
    targets out of order; here they are sorted by value.

    Examples
    --------
    >>> from axonal.data.sequences import discrete_sequence_recall
    >>> x, y, mask = discrete_sequence_recall(2, seed=0)
    >>> x.shape, y.shape, mask.shape
    ((2, 9, 6), (2, 9, 2), (2, 9))
    >>> x[0].argmax(-1)[-2:].tolist(), float(y[0, :7].sum()), y[0, 7:].sum(-1).tolist()
    ([0, 1], 0.0, [1.0, 1.0])
    """
    where = "discrete_sequence_recall"
    n = _integer(n, "n", where)
    groups = {"targets": _symbols(targets, "targets", where), "distractors": _symbols(distractors, "distractors", where),
              "prompts": _symbols(prompts, "prompts", where)}
    n_symbols = sum(len(group) for group in groups.values())
    owner = {}
    for name, group in groups.items():
        for symbol in group:
            if not 0 <= symbol < n_symbols:
                raise ValueError(f"{where}: {name} holds symbol {symbol}, outside 0..{n_symbols - 1}; targets, "
                                 f"distractors and prompts must together name each of the {n_symbols} symbols once")
            if symbol in owner:
                raise ValueError(f"{where}: symbol {symbol} appears twice (in {owner[symbol]} and {name}); targets, "
                                 f"distractors and prompts must together name each of the {n_symbols} symbols once")
            owner[symbol] = name
    length = _integer(length, "length", where)
    n_prompts = len(groups["prompts"])
    body = length - n_prompts
    if body < n_prompts:
        raise ValueError(f"{where}: length must be at least 2 * len(prompts) = {2 * n_prompts} (one body step for "
                         f"each target to recall, then the prompts), got {length}")
    if score not in ("all", "recall"):
        raise ValueError(f"{where}: score must be 'all' or 'recall', got {score!r}")
    rng = _generator(seed)
    target, distractor, prompt = (np.array(groups[k]) for k in ("targets", "distractors", "prompts"))

    sequence = np.empty((n, length), dtype=np.int64)
    sequence[:, :body] = distractor[rng.integers(0, len(distractor), (n, body))]
    which = rng.integers(0, len(target), (n, n_prompts))                      # Synaptic's `indexes`
    positions = np.sort(np.argsort(rng.random((n, body)), axis=1)[:, :n_prompts], axis=1)
    np.put_along_axis(sequence[:, :body], positions, target[which], axis=1)
    sequence[:, body:] = prompt

    x = _one_hot(sequence, n_symbols)
    y = np.zeros((n, length, len(target)), dtype=np.float32)
    y[:, body:] = _one_hot(which, len(target))
    mask = np.ones((n, length), dtype=np.float32)
    if score == "recall":
        mask[:, :body] = 0.0
    return x, y, mask
