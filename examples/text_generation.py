"""Text generation: a character-level LSTM learns Shakespeare's Sonnets, then writes.

The articles' LSTM remembers across time lags of unknown size, and text is full
of them: a word begun several characters ago decides the next letter, a line
break comes after about forty characters, a sonnet's number is followed by a
blank line. A *character-level language model* reads a text one character at a
time and, at every step, predicts the next one.

Data: ``axonal.data.load_text("sonnets")`` (the 154 sonnets, about 96,000
characters, public domain) cut by ``axonal.data.char_sequences`` into windows of
64 one-hot characters; the target at each step is the character that follows.
The first 90 % of the text trains, the last 10 % is held out to watch for
overfitting. The network: ``LSTM(128, return_sequences=True)`` and a
``Dense(V)`` at every step, ``V`` the number of distinct characters, whose
outputs are the logits of the next character; trained with softmax
cross-entropy, the average of ``-ln p(next character)``, in nats per character
(``ln V`` ≈ 4.1 for guessing uniformly).

Writing: ``axonal.data.sample_text`` feeds a prompt to a stateful copy of
the network, turns the output at the last step into probabilities
``p_k = softmax(z_k / T)``, draws a character, feeds it back, and so on. The
temperature ``T`` trades safety for variety: at ``T = 0.5`` the text keeps to the
likeliest characters (common words, often repeated), at ``T = 1`` it samples what
the network learned as it is (more invented words). After a few epochs the
network has learned spelling fragments, frequent words, punctuation and the line
structure; it takes far longer training to write sense.

Run it with ``python3 examples/text_generation.py [epochs]``.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential
from axonal.data import char_sequences, load_text, sample_text

TEXT = "sonnets"
WINDOW = 64
HELD_OUT = 0.1
UNITS = 128
EPOCHS = 8
LEARNING_RATE = 0.01
PROMPT = "Shall I compare thee"
SAMPLE_LENGTH = 200
TEMPERATURES = (0.5, 1.0)
DEFAULT_SEED = 0


def build(vocabulary_size: int, seed: int = DEFAULT_SEED, units: int = UNITS) -> Sequential:
    """One-hot characters → LSTM (every step) → logits of the next character."""
    return Sequential([LSTM(units, return_sequences=True), Dense(vocabulary_size)],
                      input_dim=vocabulary_size, seed=seed)


def unigram_entropy(text: str) -> float:
    """``-Σ p(c) ln p(c)``: the loss of a model that knows only how often each character occurs."""
    _, counts = np.unique(np.frombuffer(text.encode("ascii"), dtype=np.uint8), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def main(seed: int = DEFAULT_SEED, epochs: int = EPOCHS, units: int = UNITS, prompt: str = PROMPT,
         sample_length: int = SAMPLE_LENGTH, temperatures=TEMPERATURES) -> dict:
    """Train the character model, then sample text at each temperature; return what happened."""
    corpus = load_text(TEXT)
    vocabulary = "".join(sorted(set(corpus)))   # the whole text's characters, so the held-out part fits
    cut = int(len(corpus) * (1 - HELD_OUT))
    x, y, _ = char_sequences(corpus[:cut], WINDOW, seed=seed, vocabulary=vocabulary)
    x_val, y_val, _ = char_sequences(corpus[cut:], WINDOW, vocabulary=vocabulary)
    net = build(len(vocabulary), seed, units)
    history = net.fit(x, y, loss="softmax_cross_entropy", optimizer=Adam(LEARNING_RATE, clip_norm=1.0),
                      epochs=epochs, batch_size=32, seed=seed, progress=False, validation_data=(x_val, y_val))
    samples = {float(t): sample_text(net, vocabulary, prompt, sample_length, temperature=t, seed=seed)
               for t in temperatures}
    return {
        "seed": seed,
        "epochs": history.epochs,
        "characters": len(corpus),
        "training_windows": len(x),
        "vocabulary": vocabulary,
        "train_loss": list(history.loss),
        "held_out_loss": list(history.val_loss),
        "uniform_loss": math.log(len(vocabulary)),
        "unigram_loss": unigram_entropy(corpus[:cut]),
        "prompt": prompt,
        "samples": samples,
    }


def show(result: dict) -> None:
    """Print the outcome of :func:`main`."""
    print(f"Shakespeare's Sonnets, {result['characters']} characters ({len(result['vocabulary'])} distinct), "
          f"{result['training_windows']} training windows of {WINDOW}; LSTM({UNITS}), seed {result['seed']}.")
    print("loss in nats per character (bits = nats / ln 2):")
    print(f"  guessing uniformly {result['uniform_loss']:.3f}; knowing only character frequencies "
          f"{result['unigram_loss']:.3f}")
    print("  epoch  training  held out")
    for epoch, (train, held) in enumerate(zip(result["train_loss"], result["held_out_loss"]), start=1):
        print(f"  {epoch:5d}  {train:8.3f}  {held:8.3f}")
    for temperature, text in result["samples"].items():
        print(f"\n--- temperature {temperature:g}: {result['prompt']!r} + {len(text)} characters ---")
        print(result["prompt"] + text)


if __name__ == "__main__":
    show(main(epochs=int(sys.argv[1]) if len(sys.argv) > 1 else EPOCHS))
