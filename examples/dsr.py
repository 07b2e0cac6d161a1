"""Synaptic's discrete sequence recall: an LSTM remembers two symbols and recalls them on cue.

Synaptic, the JavaScript library the articles build on, tests its LSTM on
*discrete sequence recall* (DSR, ``Trainer.DSR``). Each sequence of 9 steps shows
one symbol per step:

* steps 1-7 show *distractors* (symbols 3 and 5), except at two random steps,
  where a *target* stands (symbol 2 or 4, repeats allowed);
* steps 8 and 9 show the *prompts* 0 and 1: "name the first target", "name the
  second".

For example (symbols, then what the two outputs must say)::

    step     1  2  3  4  5  6  7  8  9
    symbol   3  4  5  3  3  2  5  0  1
    output   -  -  -  -  -  -  -  4  2      ("-": both outputs off)

The network must notice the targets among the distractors, hold both in order
for up to seven steps, and give them back when prompted, while keeping its
outputs off during the body of the sequence: a small test of the memory cells,
gates and recurrent connections of the articles. The settings are those of
Synaptic's own test ("LSTM - Discrete Sequence Recall" in ``test/synaptic.js``:
targets [2, 4], distractors [3, 5], prompts [0, 1], length 9), and so is the
success criterion: a sequence counts as correct only when *every* output at
*every* step rounds to its target.

The network: one-hot symbols (6 inputs) → ``LSTM(16, return_sequences=True)`` →
``Dense(2)`` at every step, two logits saying which target (2 or 4) to recall;
trained on 1,000 sequences with sigmoid outputs and binary cross-entropy (as
Synaptic's DSR scores it) for 40 epochs with Adam, then tested on 1,000 fresh
sequences. Learning depends a little on the random start, so the script trains
one network for each of several seeds and counts how many recall at least 95 %
of the fresh sequences perfectly.

Run it with ``python3 examples/dsr.py [number of seeds]``.
"""

from __future__ import annotations

import sys

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential
from axonal.data import discrete_sequence_recall

#: Synaptic's test settings
TARGETS, DISTRACTORS, PROMPTS, LENGTH = (2, 4), (3, 5), (0, 1), 9
TRAIN_SEQUENCES = 1000
TEST_SEQUENCES = 1000
UNITS = 16
EPOCHS = 40
LEARNING_RATE = 0.01
SOLVED = 0.95
SEEDS = tuple(range(10))
DATA_SEED = 100


def data(n: int, seed: int):
    """``x`` (n, 9, 6), ``y`` (n, 9, 2) and the per-step loss weights (all 1, as Synaptic scores)."""
    return discrete_sequence_recall(n, targets=TARGETS, distractors=DISTRACTORS, prompts=PROMPTS,
                                    length=LENGTH, seed=seed, score="all")


def build(seed: int, units: int = UNITS) -> Sequential:
    """One-hot symbols → LSTM (every step) → 2 logits per step."""
    n_symbols = len(TARGETS) + len(DISTRACTORS) + len(PROMPTS)
    return Sequential([LSTM(units, return_sequences=True), Dense(len(TARGETS))], input_dim=n_symbols, seed=seed)


def fully_correct(net: Sequential, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Synaptic's criterion, per sequence: every output of every step rounds to its target."""
    return np.all(np.round(net.predict_proba(x)) == y, axis=(1, 2))


def recalled(outputs: np.ndarray) -> str:
    """The symbols a sequence's outputs name, step by step ("-" where both are off)."""
    return " ".join(str(TARGETS[int(o.argmax())]) if o.max() >= 0.5 else "-" for o in outputs)


def main(seeds=SEEDS, epochs: int = EPOCHS, units: int = UNITS, train_sequences: int = TRAIN_SEQUENCES) -> dict:
    """Train one LSTM per seed on the same data; score each on the same fresh sequences."""
    x, y, weight = data(train_sequences, DATA_SEED)
    x_test, y_test, _ = data(TEST_SEQUENCES, DATA_SEED + 1)
    scores, losses, example = {}, {}, None
    for seed in seeds:
        net = build(seed, units)
        history = net.fit(x, y, loss="binary_cross_entropy_logits", optimizer=Adam(LEARNING_RATE, clip_norm=1.0),
                          epochs=epochs, batch_size=32, sample_weight=weight, seed=seed, progress=False)
        scores[seed] = float(fully_correct(net, x_test, y_test).mean())
        losses[seed] = float(history.loss[-1])
        if example is None:
            outputs = net.predict_proba(x_test[:1])[0]
            example = {"symbols": " ".join(str(s) for s in x_test[0].argmax(-1)),
                       "wanted": recalled(y_test[0]), "recalled": recalled(outputs),
                       "outputs_at_prompts": outputs[-len(PROMPTS):].round(3).tolist()}
    solved = [seed for seed, score in scores.items() if score >= SOLVED]
    return {
        "fully_correct": scores,
        "final_loss": losses,
        "solved_seeds": solved,
        "solved_fraction": len(solved) / len(scores),
        "epochs": epochs,
        "example": example,
    }


def show(result: dict) -> None:
    """Print the outcome of :func:`main`."""
    print(f"Discrete sequence recall (Synaptic's test: targets {list(TARGETS)}, distractors {list(DISTRACTORS)}, "
          f"prompts {list(PROMPTS)}, length {LENGTH}), LSTM({UNITS}), {result['epochs']} epochs.")
    print(f"fraction of {TEST_SEQUENCES} fresh sequences fully correct (every output of every step rounds "
          f"to its target):")
    for seed, score in result["fully_correct"].items():
        mark = "solved" if score >= SOLVED else "not solved"
        print(f"  seed {seed}: {score:.3f}  ({mark}; final training loss {result['final_loss'][seed]:.5f})")
    print(f"{len(result['solved_seeds'])} of {len(result['fully_correct'])} seeds reach {SOLVED:.0%}")
    example = result["example"]
    print("a fresh sequence, first seed's network:")
    print(f"  symbols   {example['symbols']}")
    print(f"  wanted    {example['wanted']}")
    print(f"  recalled  {example['recalled']}")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else len(SEEDS)
    show(main(seeds=tuple(range(count))))
