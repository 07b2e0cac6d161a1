"""Training runs that tests/test_distributed.py makes both in one process and under ``mpiexec -n 2``.

Each case trains a fresh network on fixed data and returns ``(net, history)``; each
run's outcome (weights, History, optimizer state, the error of a stopped run) is
written by :func:`outcome` so the test can compare processes. Float64 networks, so
that a data-parallel run agrees with one process to 1e-12.
"""

from __future__ import annotations

import numpy as np

from axonal import LSTM, BatchNorm, Dense, Dropout, NonFiniteError, Sequential
from axonal.callbacks import Callback


def _classes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 6))
    y = ((x[:, 0] * x[:, 1] > 0) + (x[:, 2] > 1)).astype(int)
    weights = rng.uniform(0.2, 2.0, size=150)
    return x, y, weights


def mlp(dtype="float64", **extra):
    """Adam, dropout, a cosine schedule, validation, a metric, sample weights and uneven shards (15 = 8 + 7)."""
    x, y, weights = _classes()
    net = Sequential([Dense(24, "relu", input_dim=6), Dropout(0.3), Dense(16, "tanh"), Dropout(0.2), Dense(3)],
                     seed=1, dtype=dtype)
    options = dict(loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.01, epochs=8, batch_size=15,
                   schedule="cosine", validation_split=0.2, metrics=["accuracy"], sample_weight=weights, seed=3,
                   progress=False)
    options.update(extra)
    return net, net.fit(x, y, **options)


def mlp32():
    """The MLP case in float32."""
    return mlp(dtype="float32")


def lstm(**extra):
    """An LSTM trained by backpropagation through time on outputs at every step (9 = 5 + 4 per batch)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(45, 7, 3))
    y = np.cumsum(x[..., :1], axis=1) * 0.3
    net = Sequential([LSTM(8, return_sequences=True, input_dim=3), Dropout(0.1), Dense(1)], seed=2,
                     dtype="float64")
    options = dict(loss="mse", optimizer="rmsprop", learning_rate=0.01, epochs=5, batch_size=9, seed=4,
                   progress=False)
    options.update(extra)
    return net, net.fit(x, y, **options)


def nan():
    """Row 13 overflows the network; with batches of 8 in order it is in rank 1's half of the second batch."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 4))
    x[13] = 1e300
    y = x[:, :1] * 0.5
    net = Sequential([Dense(6, "tanh", input_dim=4), Dense(1)], seed=3, dtype="float64")
    try:
        net.fit(x, y, loss="mse", optimizer="adam", epochs=3, batch_size=8, shuffle=False, progress=False)
    except NonFiniteError as exc:
        return net, exc.history, str(exc)
    return net, None, ""


def batchnorm():
    x, y, _ = _classes()
    net = Sequential([Dense(16, "relu", input_dim=6), BatchNorm(), Dense(3)], seed=5, dtype="float64")
    return net, net.fit(x, y, loss="softmax_cross_entropy", optimizer="sgd", learning_rate=0.1, epochs=4,
                        batch_size=20, seed=1, progress=False)


def mismatch():
    """Each rank loads other data (rank r adds r): every rank refuses to start."""
    from axonal.distributed import current
    x, y, _ = _classes()
    net = Sequential([Dense(3, input_dim=6)], seed=0, dtype="float64")
    try:
        net.fit(x + current().rank, y, loss="softmax_cross_entropy", epochs=1, progress=False)
    except ValueError as exc:
        return net, None, str(exc)
    return net, None, ""


class Interrupt(Callback):
    """Stops the run with KeyboardInterrupt at the end of an epoch, after that epoch's checkpoint."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def resumed(path):
    """The MLP case interrupted after epoch 4 (checkpoint written every epoch), then resumed."""
    try:
        mlp(checkpoint=path, callbacks=[Interrupt(4)])
    except KeyboardInterrupt:
        pass
    return mlp(checkpoint=path, resume=path)


def outcome(net, history, error=""):
    """What a run ends with, as arrays and a summary (for ``np.savez``)."""
    out = {f"w.{k}": v for k, v in net.get_weights().items()}
    for name, owner, local in net.named_state():
        out[f"s.{name}"] = owner.state[local]
    state = net.optimizer_.state_dict() if net.optimizer_ is not None else {"slots": {}}
    for slot, by_name in state["slots"].items():
        for name, value in by_name.items():
            out[f"o.{slot}.{name}"] = value
    if history is not None:
        out["h.loss"] = np.array(history.loss)
        out["h.val_loss"] = np.array(history.val_loss)
        for name, values in history.metrics.items():
            out[f"h.{name}"] = np.array(values)
        out["h.steps"] = np.array(history.steps)
        out["h.stop_reason"] = np.array(str(history.stop_reason))
    out["error"] = np.array(error)
    return out
