"""Training runs for the kill tests: ``python checkpoint_child.py CASE DIR``.

Each case trains with a checkpoint ``DIR/run.ckpt`` written after every epoch,
resuming from it when it exists; it prints ``epoch N`` after each epoch (before
that epoch's checkpoint is written) and, when training is over, writes the final
weights and the losses to ``DIR/final.npz``. The cases are those the checkpoint
must continue bit for bit:

* ``mlp``: shuffled mini-batches, dropout, a cosine schedule, early stopping;
* ``lstm_bptt``: an LSTM trained by backpropagation through time;
* ``lstm_g``: a Synaptic LSTM learning online by LSTM-g through ``Trainer``.

``run(case)`` without a folder trains the same way, uninterrupted, in this process.
"""

import os
import sys

import numpy as np

from axonal import LSTM, Dense, Dropout, Sequential
from axonal.callbacks import Callback


class Announce(Callback):
    def on_epoch_end(self, epoch, logs):
        print(f"epoch {epoch}", flush=True)


def _fit(build, x, y, options):
    def train(checkpoint):
        net = build()
        extra = dict(checkpoint=checkpoint, resume=True, callbacks=[Announce()]) if checkpoint else {}
        history = net.fit(x, y, **options, **extra)
        return net.get_weights(), history.loss
    return train


def mlp():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(320, 8)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1] > 0) + (x[:, 2] > 0.5)).astype(int)
    options = dict(loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.005, epochs=45, batch_size=8,
                   schedule="cosine", validation_split=0.2, patience=12, metrics=["accuracy"], seed=7)
    return _fit(lambda: Sequential([Dense(32, "relu", input_dim=8), Dropout(0.2), Dense(3)], seed=5), x, y, options)


def lstm_bptt():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(96, 8, 3)).astype(np.float32)
    y = np.cumsum(x[..., :1], axis=1) * 0.3
    options = dict(loss="mse", optimizer="rmsprop", learning_rate=0.005, epochs=60, batch_size=8, seed=4)
    return _fit(lambda: Sequential([LSTM(8, return_sequences=True, input_dim=3), Dense(1)], seed=2), x, y, options)


def lstm_g():
    from axonal.synaptic import Trainer
    from axonal.synaptic.architect import LSTM as ArchitectLSTM

    rng = np.random.default_rng(2)
    x = rng.integers(0, 2, size=(120, 2)).astype(float)
    y = np.roll(x[:, :1], 2, axis=0)          # the input of two steps before: needs memory

    def train(checkpoint):
        net = ArchitectLSTM(2, 4, 1, seed=5)
        extra = {}
        if checkpoint:
            announce = {"every": 1, "do": lambda data: print(f"epoch {data['iterations']}", flush=True)}
            extra = dict(checkpoint=checkpoint, resume=True, schedule=announce)
        result = Trainer(net).train((x, y), rate=[0.3, 0.1], iterations=60, error=0.0, shuffle=True, seed=9,
                                    **extra)
        return net.get_weights(), result.history.loss
    return train


CASES = {"mlp": mlp, "lstm_bptt": lstm_bptt, "lstm_g": lstm_g}


def run(case, folder=None):
    """``(weights, losses)`` of case ``case``; with ``folder``, checkpointed there and resumed from there."""
    return CASES[case]()(None if folder is None else os.path.join(folder, "run.ckpt"))


def main(case, folder):
    weights, losses = run(case, folder)
    final = os.path.join(folder, "final.npz")
    np.savez(final + ".tmp.npz", loss=np.array(losses), **weights)
    os.replace(final + ".tmp.npz", final)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
