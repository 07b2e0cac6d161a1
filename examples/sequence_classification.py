"""Sequence → one: an LSTM reads a whole sequence, then names its class.

The articles give a recurrent neuron a connection to itself, so that it sees its
own previous output along with the new input: a short-term memory. A network of
such neurons can read a sequence one step at a time and carry what matters to
the end, where a single output decides. Here the class of a sequence depends on
two symbols far apart, hidden among distractors; nothing at the last step
reveals it, so the network must remember.

The task is the *temporal order problem* of Hochreiter and Schmidhuber's LSTM
paper (1997, experiment 6a), shortened. A sequence of ``length`` symbols starts
with ``B`` and ends with ``E``; in between stand random distractors ``a b c d``,
except at two random places, one in each half, where a relevant symbol ``X`` or
``Y`` stands. The class is their order:

    B a c X d b a d c ... b c Y a d E   →   "XY"   (4 classes: XX, XY, YX, YY)

The first relevant symbol is seen between 25 and 48 steps before the answer is
asked for (with the default length of 50).

The network: ``LSTM(16)`` reads the one-hot symbols and passes only its last
output (``return_sequences=False``) to ``Dense(4)``, whose four outputs are the
logits of the classes, trained with softmax cross-entropy by Adam, the gradient
reaching the early steps by backpropagation through time. Guessing gives 25 %.

Run it with ``python3 examples/sequence_classification.py [seed]``.
"""

from __future__ import annotations

import sys

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential
from axonal.metrics import accuracy, confusion_matrix, format_confusion_matrix

#: the symbols, in the order of the one-hot features
ALPHABET = "abcdXYBE"
#: the four classes: the order of the two relevant symbols
CLASSES = ("XX", "XY", "YX", "YY")

LENGTH = 50
TRAIN_SEQUENCES = 2000
TEST_SEQUENCES = 1000
UNITS = 16
EPOCHS = 8
LEARNING_RATE = 0.01
DEFAULT_SEED = 0


def temporal_order(n: int, length: int = LENGTH, seed=None):
    """``n`` sequences of the temporal order problem.

    Returns ``x`` (n, length, 8) one-hot symbols, ``labels`` (n,) class indices
    into :data:`CLASSES`, and the sequences as strings.
    """
    if length < 8:
        raise ValueError(f"temporal_order: length must be at least 8, got {length}")
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, (n, length))                      # distractors a b c d
    codes[:, 0], codes[:, -1] = ALPHABET.index("B"), ALPHABET.index("E")
    half = length // 2
    first = rng.integers(1, half, n)                             # somewhere in the first half
    second = rng.integers(half, length - 1, n)                   # somewhere in the second half
    relevant = rng.integers(0, 2, (n, 2))                        # 0 = X, 1 = Y
    rows = np.arange(n)
    codes[rows, first] = ALPHABET.index("X") + relevant[:, 0]
    codes[rows, second] = ALPHABET.index("X") + relevant[:, 1]
    x = np.eye(len(ALPHABET), dtype=np.float32)[codes]
    labels = 2 * relevant[:, 0] + relevant[:, 1]
    strings = ["".join(ALPHABET[c] for c in row) for row in codes]
    return x, labels, strings


def build(seed: int = DEFAULT_SEED, units: int = UNITS) -> Sequential:
    """One-hot symbols → LSTM (last step only) → 4 class logits."""
    return Sequential([LSTM(units), Dense(len(CLASSES))], input_dim=len(ALPHABET), seed=seed)


def main(seed: int = DEFAULT_SEED, length: int = LENGTH, train_sequences: int = TRAIN_SEQUENCES,
         epochs: int = EPOCHS, units: int = UNITS) -> dict:
    """Train on ``train_sequences`` sequences, test on fresh ones; return what happened."""
    x, labels, _ = temporal_order(train_sequences, length, seed=1000 + seed)
    x_test, labels_test, strings_test = temporal_order(TEST_SEQUENCES, length, seed=2000 + seed)
    net = build(seed, units)
    history = net.fit(x, labels, loss="softmax_cross_entropy",
                      optimizer=Adam(LEARNING_RATE, clip_norm=1.0),
                      epochs=epochs, batch_size=32, seed=seed, progress=False,
                      validation_data=(x_test, labels_test), metrics=["accuracy"])
    probabilities = net.predict_proba(x_test)
    predicted = probabilities.argmax(-1)
    return {
        "seed": seed,
        "length": length,
        "epochs": history.epochs,
        "train_loss": list(history.loss),
        "test_accuracy_per_epoch": list(history.metrics["val_accuracy"]),
        "test_accuracy": accuracy(labels_test, probabilities),
        "chance": 1 / len(CLASSES),
        "confusion_matrix": confusion_matrix(labels_test, predicted, labels=range(len(CLASSES))).tolist(),
        "examples": [(strings_test[i], CLASSES[labels_test[i]], CLASSES[predicted[i]]) for i in range(4)],
    }


def show(result: dict) -> None:
    """Print the outcome of :func:`main`."""
    print(f"Temporal order problem, sequences of {result['length']} symbols: an LSTM({UNITS}) reads each "
          f"sequence and names the order of its two relevant symbols (seed {result['seed']}).")
    print("test accuracy per epoch: " + "  ".join(f"{a:.3f}" for a in result["test_accuracy_per_epoch"]))
    print(f"test accuracy on {TEST_SEQUENCES} fresh sequences: {result['test_accuracy']:.3f}  "
          f"(guessing: {result['chance']:.2f})")
    print(format_confusion_matrix(np.array(result["confusion_matrix"]), CLASSES))
    print("a few test sequences:")
    for string, truth, guess in result["examples"]:
        print(f"  {string}  true {truth}  predicted {guess}")


if __name__ == "__main__":
    show(main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED))
