"""Sequence → sequence: tag every step of sequences of different lengths.

A recurrent network with ``return_sequences=True`` answers at every step, from
the input at that step and the memory its self-connections carry from the steps
before. Here it tags a stream of bits with their *running parity*: at step t,
is the number of ones seen so far odd?

    bits     0 1 1 0 1 0 0 1
    parity   0 1 0 0 1 1 1 0

No step can be tagged from its own input: the answer is the previous answer,
flipped when the bit is 1 (a flip-flop the network must learn to hold in its
state).

The sequences have different lengths (5 to 30 bits), so they are *padded* to a
common length to form one ``(batch, time, features)`` array, and a ``mask``
``(batch, time)`` says which steps are real (1) and which are padding (0). Given
``mask=`` (in ``fit`` and ``predict``), a recurrent layer carries its state through a
padded step unchanged, and the loss counts only real steps. So padding never
changes a prediction, wherever it stands and whatever it holds; the script
checks this three ways on the trained network:

1. each test sequence alone, unpadded, against the padded batch (equal up to
   float32 rounding, about 1e-6: one row and a batch of rows take different
   paths through the matrix-product library);
2. the batch padded on the *left* (before the real steps) with random junk
   (bit-for-bit equal);
3. as a contrast, the same left-padded batch without the mask: the network then
   reads the junk as bits and many tags change.

The padding here always holds random junk, in training too, to show that the
mask really keeps it out. The network: ``LSTM(16, return_sequences=True)`` and a
``Dense(1)`` applied to every step, whose output is the logit of "odd", trained
with binary cross-entropy.

Run it with ``python3 examples/sequence_tagging.py [seed]``.
"""

from __future__ import annotations

import sys

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential

MIN_LENGTH, MAX_LENGTH = 5, 30
TRAIN_SEQUENCES = 2000
TEST_SEQUENCES = 1000
UNITS = 16
EPOCHS = 10
LEARNING_RATE = 0.01
DEFAULT_SEED = 0


def running_parity(n: int, min_length: int = MIN_LENGTH, max_length: int = MAX_LENGTH, seed=None):
    """``n`` bit strings of random lengths and their running parity, padded at the end.

    Returns ``x`` (n, max_length, 1), ``y`` (n, max_length, 1), ``mask`` (n, max_length)
    and ``lengths`` (n,). Padded inputs hold random junk; padded targets are 0.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, n)
    mask = (np.arange(max_length) < lengths[:, None]).astype(np.float32)
    bits = rng.integers(0, 2, (n, max_length)) * mask
    parity = (np.cumsum(bits, axis=1) % 2) * mask
    junk = rng.normal(0.0, 1.0, (n, max_length)) * (1 - mask)
    return ((bits + junk)[..., None].astype(np.float32), parity[..., None].astype(np.float32),
            mask, lengths)


def pad_left(x, lengths, width, seed=None):
    """The real steps of each sequence moved to the end of ``width`` steps, junk before them."""
    rng = np.random.default_rng(seed)
    n = len(x)
    out = rng.normal(0.0, 1.0, (n, width, x.shape[-1])).astype(np.float32)
    mask = np.zeros((n, width), dtype=np.float32)
    for i, length in enumerate(lengths):
        out[i, width - length:] = x[i, :length]
        mask[i, width - length:] = 1.0
    return out, mask


def build(seed: int = DEFAULT_SEED, units: int = UNITS) -> Sequential:
    """Bits → LSTM (every step) → one logit per step."""
    return Sequential([LSTM(units, return_sequences=True), Dense(1)], input_dim=1, seed=seed)


def main(seed: int = DEFAULT_SEED, train_sequences: int = TRAIN_SEQUENCES, epochs: int = EPOCHS,
         units: int = UNITS) -> dict:
    """Train on padded sequences with a mask; test on fresh ones; check that padding changes nothing."""
    x, y, mask, _ = running_parity(train_sequences, seed=1000 + seed)
    x_test, y_test, mask_test, lengths = running_parity(TEST_SEQUENCES, seed=2000 + seed)
    net = build(seed, units)
    history = net.fit(x, y, loss="binary_cross_entropy_logits", optimizer=Adam(LEARNING_RATE, clip_norm=1.0),
                      epochs=epochs, batch_size=32, mask=mask, seed=seed, progress=False)

    logits = net.predict(x_test, mask=mask_test)[..., 0]
    real = mask_test > 0
    right = (logits > 0) == (y_test[..., 0] > 0.5)
    step_accuracy = float(right[real].mean())
    sequence_accuracy = float(np.all(right | ~real, axis=1).mean())

    # 1. each sequence alone, at its own length: no padding at all
    alone = max(float(np.abs(net.predict(x_test[i:i + 1, :length])[0, :, 0] - logits[i, :length]).max())
                for i, length in enumerate(lengths[:100]))
    # 2. padded on the left with junk, the mask saying where the real steps are
    width = MAX_LENGTH + 10
    x_left, mask_left = pad_left(x_test, lengths, width, seed=3000 + seed)
    left = net.predict(x_left, mask=mask_left)[..., 0]
    left_difference = max(float(np.abs(left[i, width - length:] - logits[i, :length]).max())
                          for i, length in enumerate(lengths))
    # 3. the same without the mask: the junk is read as input
    unmasked = net.predict(x_left)[..., 0]
    changed = np.concatenate([(unmasked[i, width - length:] > 0) != (logits[i, :length] > 0)
                              for i, length in enumerate(lengths)])

    example = int(np.argmax(lengths[:20] <= 16))
    length = int(lengths[example])
    return {
        "seed": seed,
        "epochs": history.epochs,
        "train_loss": list(history.loss),
        "step_accuracy": step_accuracy,
        "sequence_accuracy": sequence_accuracy,
        "real_steps": int(real.sum()),
        "padded_steps": int((~real).sum()),
        "max_difference_alone": alone,
        "max_difference_left_padded": left_difference,
        "tags_changed_without_mask": float(changed.mean()),
        "example_bits": "".join(str(int(b)) for b in x_test[example, :length, 0]),
        "example_parity": "".join(str(int(p)) for p in y_test[example, :length, 0]),
        "example_tags": "".join(str(int(z > 0)) for z in logits[example, :length]),
    }


def show(result: dict) -> None:
    """Print the outcome of :func:`main`."""
    print(f"Running parity of bit strings of {MIN_LENGTH} to {MAX_LENGTH} bits, padded to {MAX_LENGTH} "
          f"steps, LSTM({UNITS}) tagging every step (seed {result['seed']}).")
    print("training loss per epoch: " + "  ".join(f"{v:.4f}" for v in result["train_loss"]))
    print(f"test: {result['step_accuracy']:.4f} of {result['real_steps']} real steps tagged right, "
          f"{result['sequence_accuracy']:.3f} of sequences entirely right "
          f"({result['padded_steps']} padded steps not scored)")
    print(f"  bits    {result['example_bits']}")
    print(f"  parity  {result['example_parity']}")
    print(f"  tags    {result['example_tags']}")
    print("padding changes nothing (largest change of a logit on a real step):")
    print(f"  each sequence alone, unpadded:            {result['max_difference_alone']:.2g}")
    print(f"  padded on the left with junk, with mask:  {result['max_difference_left_padded']:.2g}")
    print(f"  ... and without the mask, {100 * result['tags_changed_without_mask']:.0f} % of the tags change")


if __name__ == "__main__":
    show(main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED))
