"""A training run for the kill tests: ``python checkpoint_child.py DIR``.

Trains an MLP with dropout, a cosine schedule and early stopping on shuffled
mini-batches, writing ``DIR/run.ckpt`` after every epoch and resuming from it when
it exists; prints ``epoch N`` after each epoch (before that epoch's checkpoint is
written) and, when training is over, writes the final weights to ``DIR/final.npz``.
"""

import os
import sys

import numpy as np

from axonal import Dense, Dropout, Sequential
from axonal.callbacks import Callback


class Announce(Callback):
    def on_epoch_end(self, epoch, logs):
        print(f"epoch {epoch}", flush=True)


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(320, 8)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1] > 0) + (x[:, 2] > 0.5)).astype(int)
    return x, y


def build():
    return Sequential([Dense(32, "relu", input_dim=8), Dropout(0.2), Dense(3)], seed=5)


OPTIONS = dict(loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.005, epochs=45, batch_size=8,
               schedule="cosine", validation_split=0.2, patience=12, metrics=["accuracy"], seed=7)


def main(folder):
    x, y = data()
    net = build()
    checkpoint = os.path.join(folder, "run.ckpt")
    history = net.fit(x, y, checkpoint=checkpoint, resume=True, callbacks=[Announce()], **OPTIONS)
    final = os.path.join(folder, "final.npz")
    np.savez(final + ".tmp.npz", loss=np.array(history.loss), **net.get_weights())
    os.replace(final + ".tmp.npz", final)


if __name__ == "__main__":
    main(sys.argv[1])
