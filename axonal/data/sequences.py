"""Sequence tasks for recurrent networks, and a character-level text corpus.

The text corpus for character-level models is in :mod:`axonal.data.text`.

Every task returns NumPy float32 arrays shaped ``(batch, time, features)``: the
inputs ``x`` and the targets ``y``, plus a ``mask`` ``(batch, time)`` (1 = the step
is scored, 0 = it is not) for the tasks that score only some steps or pad
strings of different lengths. Every random draw comes from ``seed`` (an int or a
``numpy.random.Generator``; ``None`` draws fresh entropy), never from NumPy's
global random state, so the same seed gives the same arrays.

================================  ============================================================
task                              returns
================================  ============================================================
:func:`discrete_sequence_recall`  Synaptic's DSR: recall the targets hidden among
                                  distractors, in order, when prompted; ``x, y, mask``
:func:`embedded_reber_grammar`    embedded Reber strings, next-symbol sets as targets;
                                  ``x, y, mask``; :func:`embedded_reber_long_range` finds
                                  the step whose answer depends on the second symbol
:func:`timing_task`               Synaptic's timing task: hold 0.5 for as long as a pulse
                                  says; ``x, y``
:func:`adding_problem`            add the two marked values of a long sequence; ``x, y, mask``
:func:`copy_task`                 repeat a sequence of symbols after a delay; ``x, y, mask``
:func:`sine_wave`                 forecast the next values of a sine wave; ``x, y``
================================  ============================================================

Two kinds of mask. The embedded Reber strings differ in length, and their mask
marks padding: pass it as the ``mask=`` of a network or ``fit`` (recurrent layers
carry their state through the padded steps, and those steps are not scored). For
the other tasks every step is a real input and the mask only says which outputs
count (the recall steps of DSR with ``score="recall"`` and of the copy task, the
last step of the adding problem): use it to weight the loss per step, never as a
padding mask, which would make recurrent layers skip the steps it zeroes.

The three tasks of Synaptic's ``Trainer`` (``DSR``, ``ERG``, ``timingTask`` in its
``src/Trainer.js``) are generated as Synaptic defines them; where Synaptic has a slip
that changes the task, each docstring says what it is and what is done here instead.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["discrete_sequence_recall", "embedded_reber_grammar", "embedded_reber_long_range", "is_embedded_reber",
           "ERG_SYMBOLS", "timing_task", "adding_problem", "copy_task", "sine_wave", "SINE_FREQUENCIES"]


def _generator(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _integer(value, name: str, where: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    """``(...,)`` integer codes in ``0..width-1`` -> ``(..., width)`` float32 one-hot rows."""
    out = np.zeros(codes.shape + (width,), dtype=np.float32)
    np.put_along_axis(out, codes[..., None], 1.0, axis=-1)
    return out


# -- discrete sequence recall -------------------------------------------------------------
def _symbols(value, name: str, where: str) -> list:
    try:
        symbols = list(value)
    except TypeError:
        raise ValueError(f"{where}: {name} must be a sequence of integer symbols, got {value!r}") from None
    if not symbols or not all(isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_))
                              for s in symbols):
        raise ValueError(f"{where}: {name} must be a non-empty sequence of integer symbols, got {value!r}")
    return [int(s) for s in symbols]


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


# -- embedded Reber grammar ---------------------------------------------------------------
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
    state = 0
    for symbol in string:
        state = next((target for s, target in _ERG_EDGES[state] if s == symbol), None)
        if state is None:
            return False
    return state == _ERG_DONE


# -- timing task --------------------------------------------------------------------------
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


# -- adding problem, copy task, sine waves ------------------------------------------------
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


