"""The embedded Reber grammar (ERG): strings, next-symbol targets, and the long-range step."""

from __future__ import annotations

import numpy as np

from ._common import _generator, _integer, _one_hot

__all__ = ["ERG_SYMBOLS", "embedded_reber_grammar", "embedded_reber_long_range", "is_embedded_reber"]

ERG_SYMBOLS = "BTPSXVE"
"""The seven symbols of the (embedded) Reber grammar, in the order of the one-hot features."""

# The Reber grammar (Reber 1967; Hochreiter & Schmidhuber 1997, experiment 1). Node k lists its
# (symbol, next node) choices, taken with equal probability; None leaves the grammar.
_REBER = (
    (("B", 1),),
    (("T", 2), ("P", 3)),
    (("S", 2), ("X", 4)),
    (("T", 3), ("V", 5)),
    (("X", 3), ("S", 6)),
    (("P", 4), ("V", 6)),
    (("E", None),),
)


def _embedded_reber_automaton():
    """The embedded grammar as one automaton: B, then T or P, a Reber string, the same T or P, E.

    States: 0 before B, 1 before the branch symbol, one copy of the Reber nodes per
    branch followed by a state that repeats the branch symbol, then the state
    before the final E, then ``done``. Returns ``(edges, emit, next, legal, done)``.
    """
    inner = len(_REBER)
    base = {"T": 2, "P": 2 + inner + 1}
    end = base["P"] + inner + 1
    done = end + 1
    edges = [[("B", 1)], [("T", base["T"]), ("P", base["P"])]]
    for branch in "TP":
        close = base[branch] + inner
        edges += [[(s, close if k is None else base[branch] + k) for s, k in node] for node in _REBER]
        edges.append([(branch, end)])
    edges += [[("E", done)], []]
    emit = np.full((len(edges), 2), -1, dtype=np.int64)
    nxt = np.full((len(edges), 2), done, dtype=np.int64)
    legal = np.zeros((len(edges), len(ERG_SYMBOLS)), dtype=np.float32)
    for state, choices in enumerate(edges):
        for c, (symbol, target) in enumerate(choices * 2 if len(choices) == 1 else choices):
            emit[state, c], nxt[state, c] = ERG_SYMBOLS.index(symbol), target
            legal[state, ERG_SYMBOLS.index(symbol)] = 1.0
    return edges, emit, nxt, legal, done


_ERG_EDGES, _ERG_EMIT, _ERG_NEXT, _ERG_LEGAL, _ERG_DONE = _embedded_reber_automaton()


def embedded_reber_grammar(n, *, seed=None):
    """Strings of the embedded Reber grammar: predict the legal next symbols, step by step.

    A Reber string walks the grammar's graph from ``B`` to ``E``, choosing each edge
    with probability 1/2 (``BTSSXXTVVE``, ``BPVVE``, ...). An embedded string is
    ``B``, then ``T`` or ``P``, then a Reber string, then the same ``T`` or ``P``
    again, then ``E`` (``BTBPVVETE``). Which symbols may come next follows from the
    last few symbols at every step but one: the second-to-last symbol must repeat
    the second, remembered across the whole inner string (the long-range
    dependency).

    Parameters
    ----------
    n : int
        Number of strings.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    x : ndarray (n, T, 7) float32
        One-hot symbols in the order of :data:`ERG_SYMBOLS` (``B T P S X V E``): a
        string of ``L`` symbols fills steps ``0 .. L-2`` with all but its final
        ``E``; the rest is zero padding. ``T`` is the longest ``L - 1`` in the batch.
    y : ndarray (n, T, 7) float32
        At step t the set of symbols the grammar allows after the first ``t + 1``
        (multi-hot: one or two ones); the symbol that actually follows is always
        in it. Zero on padding.
    mask : ndarray (n, T) float32
        Ones on the ``L - 1`` steps of each string, zeros on padding.

    Raises
    ------
    ValueError
        ``n`` not a positive integer.

    See Also
    --------
    embedded_reber_long_range : the step where the second symbol must be recalled.
    is_embedded_reber : whether a string belongs to the grammar.

    Notes
    -----
    The grammar of Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*,
    Neural Computation 9(8), experiment 1 (after Reber 1967 and Cleeremans et al.
    1989), and of ``Trainer.ERG`` in Synaptic's ``src/Trainer.js``, which draws
    every edge with equal probability as here. Three differences from Synaptic's
    code: its table of symbols (B P T X S E) lacks ``V``, so every ``V`` reaches the
    network as an all-zero input and target; its embedding closes a string that
    opened with ``P`` by ``T`` and one that opened with ``T`` by ``P`` (the swap
    keeps the dependency but is not the standard grammar); and its targets are the
    one symbol that follows (one-hot), scored by argmax, while here they are the
    set of legal symbols, so that a network can be right at every step. A network
    with sigmoid outputs and binary cross-entropy learns these sets; predicting
    the long-range symbol is the test that needs memory.

    Examples
    --------
    >>> from axonal.data.sequences import ERG_SYMBOLS, embedded_reber_grammar
    >>> x, y, mask = embedded_reber_grammar(3, seed=1)
    >>> x.shape[0], x.shape[2], x.shape[:2] == y.shape[:2] == mask.shape
    (3, 7, True)
    >>> steps = int(mask[0].sum())
    >>> string = "".join(ERG_SYMBOLS[i] for i in x[0, :steps].argmax(-1)) + "E"
    >>> string[1] == string[-2], [ERG_SYMBOLS[i] for i in y[0, 0].nonzero()[0]]
    (True, ['T', 'P'])
    """
    n = _integer(n, "n", "embedded_reber_grammar")
    rng = _generator(seed)
    state = np.zeros(n, dtype=np.int64)
    emitted, after = [], []
    while (state != _ERG_DONE).any():          # all strings walk together; a finished one emits -1
        choice = rng.integers(0, 2, n)
        emitted.append(_ERG_EMIT[state, choice])
        state = _ERG_NEXT[state, choice]
        after.append(state)
    codes, after = np.stack(emitted, axis=1), np.stack(after, axis=1)
    steps = (codes >= 0).sum(axis=1) - 1       # every symbol but the final E is an input
    time = int(steps.max())
    mask = (np.arange(time) < steps[:, None]).astype(np.float32)
    x = _one_hot(np.maximum(codes[:, :time], 0), len(ERG_SYMBOLS)) * mask[..., None]
    y = _ERG_LEGAL[after[:, :time]] * mask[..., None]
    return x, y, mask


def embedded_reber_long_range(x, mask):
    """Where each embedded Reber string's long-range dependency is scored, and its answer.

    Parameters
    ----------
    x : array (batch, time, 7)
    mask : array (batch, time)
        As returned by :func:`embedded_reber_grammar`.

    Returns
    -------
    step : ndarray (batch,) int64
        The step whose input is the inner string's closing ``E`` and whose target is
        the string's second-to-last symbol: ``mask.sum(1) - 2``.
    answer : ndarray (batch,) int64
        The index in :data:`ERG_SYMBOLS` of that symbol, the string's second
        (1 for ``T``, 2 for ``P``). ``y[b, step[b]]`` is one-hot at ``answer[b]``.

    Raises
    ------
    ValueError
        Shapes that do not fit, or a string shorter than the grammar allows.

    Examples
    --------
    >>> import numpy as np
    >>> from axonal.data.sequences import embedded_reber_grammar, embedded_reber_long_range
    >>> x, y, mask = embedded_reber_grammar(4, seed=0)
    >>> step, answer = embedded_reber_long_range(x, mask)
    >>> bool(np.all(y[np.arange(4), step].argmax(-1) == answer))
    True

    A network's accuracy on it: ``np.mean(prediction[np.arange(len(step)), step].argmax(-1) == answer)``.
    """
    x, mask = np.asarray(x), np.asarray(mask)
    if x.ndim != 3 or x.shape[2] != len(ERG_SYMBOLS) or mask.shape != x.shape[:2]:
        raise ValueError(f"embedded_reber_long_range: expected x (batch, time, {len(ERG_SYMBOLS)}) and mask "
                         f"(batch, time), got x {x.shape} and mask {mask.shape}")
    step = np.rint(mask.sum(axis=1)).astype(np.int64) - 2
    if x.shape[1] < 2 or (step < 6).any():     # the shortest string, BTBPVVETE, has 8 input steps
        raise ValueError("embedded_reber_long_range: a masked string is shorter than any embedded Reber string")
    return step, x[:, 1].argmax(axis=-1).astype(np.int64)


def is_embedded_reber(string: str) -> bool:
    """Whether ``string`` (letters of ``BTPSXVE``) is a whole string of the embedded Reber grammar.

    Examples
    --------
    >>> from axonal.data.sequences import is_embedded_reber
    >>> is_embedded_reber("BTBPVVETE"), is_embedded_reber("BTBPVVEPE"), is_embedded_reber("BTBPVV")
    (True, False, False)
    """
    state: int | None = 0
    for symbol in string:
        state = next((target for s, target in _ERG_EDGES[state] if s == symbol), None)  # type: ignore[index]
        if state is None:
            return False
    return state == _ERG_DONE
