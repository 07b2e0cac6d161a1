"""Ready-made training runs for the sequence tasks: what ``axonal train --task NAME`` does.

Each recipe generates its data (:mod:`axonal.data.sequences`, :mod:`axonal.data.text`),
builds a recurrent network, trains it and scores it on fresh data with the task's
own measure of success:

=======  ==================================================================  ==========================
task     data and network                                                    success
=======  ==================================================================  ==========================
dsr      Synaptic's discrete sequence recall (its test settings); LSTM(16)    fully correct sequences
erg      embedded Reber grammar; LSTM(24); next-symbol sets                   long-range symbol right
timing   Synaptic's timing task (7,000 steps to learn, 1,000 to test)         test MSE
adding   the adding problem at length 50; LSTM(32)                           test MSE
copy     copy 10 symbols after a delay of 20; LSTM(64)                        recall accuracy
text     characters of Shakespeare's Sonnets; LSTM(128); then sample text     test loss, a sample
=======  ==================================================================  ==========================

It uses the public API only.
"""

from __future__ import annotations

import numpy as np

from .. import GRU, LSTM, Adam, Dense, Sequential, SimpleRNN
from ..data import sequences, text

from .options import check_outputs
from .output import maybe_plot, say

__all__ = ["TASKS", "run", "train_task"]

CELLS = {"lstm": LSTM, "gru": GRU, "simple_rnn": SimpleRNN}
# task -> (units, epochs, learning rate)
TASKS = {"dsr": (16, 40, 0.01), "erg": (24, 30, 0.01), "timing": (16, 30, 0.01), "adding": (32, 6, 0.005),
         "copy": (64, 40, 0.005), "text": (128, 20, 0.005)}


def run(task: str, *, units=None, epochs=None, learning_rate=None, cell="lstm", seed=0, progress=None):
    """Train on ``task``; return ``(network, history, results, metadata)``."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; valid: {', '.join(TASKS)}")
    if cell not in CELLS:
        raise ValueError(f"unknown cell {cell!r}; valid: {', '.join(CELLS)}")
    default_units, default_epochs, default_rate = TASKS[task]
    units = units or default_units
    options = dict(epochs=epochs or default_epochs, batch_size=32, seed=seed, progress=progress,
                   optimizer=Adam(learning_rate or default_rate, clip_norm=1.0))
    return _RECIPES[task](CELLS[cell], units, options, seed)


def _sequence_net(cell, units, n_in, n_out, seed, return_sequences=True):
    return Sequential([cell(units, return_sequences=return_sequences), Dense(n_out)], input_dim=n_in, seed=seed)


def _dsr(cell, units, options, seed):
    x, y, mask = sequences.discrete_sequence_recall(1000, seed=seed)
    x_test, y_test, _ = sequences.discrete_sequence_recall(1000, seed=seed + 1)
    net = _sequence_net(cell, units, x.shape[-1], y.shape[-1], seed)
    history = net.fit(x, y, loss="binary_cross_entropy_logits", sample_weight=mask, **options)
    correct = np.all(np.round(net.predict_proba(x_test)) == y_test, axis=(1, 2)).mean()
    return net, history, {"fully_correct_sequences": float(correct)}, {}


def _erg(cell, units, options, seed):
    x, y, mask = sequences.embedded_reber_grammar(2000, seed=seed)
    x_test, _, mask_test = sequences.embedded_reber_grammar(1000, seed=seed + 1)
    net = _sequence_net(cell, units, x.shape[-1], y.shape[-1], seed)
    history = net.fit(x, y, loss="binary_cross_entropy_logits", mask=mask, **options)
    prediction = net.predict(x_test, mask=mask_test)
    step, answer = sequences.embedded_reber_long_range(x_test, mask_test)
    right = (prediction[np.arange(len(step)), step].argmax(-1) == answer).mean()
    return net, history, {"long_range_accuracy": float(right)}, {}


def _timing(cell, units, options, seed):
    x, y = sequences.timing_task(1, seed=seed)
    window, stride = 100, 25
    starts = range(0, 7000 - window + 1, stride)
    xs = np.stack([x[0, s:s + window] for s in starts])
    ys = np.stack([y[0, s:s + window] for s in starts])
    weight = np.zeros(xs.shape[:2], dtype=np.float32)
    weight[:, window // 2:] = 1  # a window's first half warms the state up
    weight[0] = 1
    net = _sequence_net(cell, units, 2, 1, seed)
    history = net.fit(xs, ys, loss="mse", sample_weight=weight, **options)
    mse = float(((net.predict(x)[:, 7000:] - y[:, 7000:]) ** 2).mean())
    return net, history, {"test_mse": mse}, {}


def _adding(cell, units, options, seed):
    x, y, _ = sequences.adding_problem(10000, length=50, seed=seed)
    x_test, y_test, _ = sequences.adding_problem(1000, length=50, seed=seed + 1)
    net = _sequence_net(cell, units, 2, 1, seed, return_sequences=False)
    history = net.fit(x, y[:, -1], loss="mse", validation_data=(x_test, y_test[:, -1]),
                      **{**options, "batch_size": 64})
    mse = float(((net.predict(x_test) - y_test[:, -1]) ** 2).mean())
    return net, history, {"test_mse": mse}, {}


def _copy(cell, units, options, seed):
    x, y, mask = sequences.copy_task(4000, seed=seed)
    x_test, y_test, mask_test = sequences.copy_task(500, seed=seed + 1)
    net = _sequence_net(cell, units, x.shape[-1], y.shape[-1], seed)
    history = net.fit(x, y, loss="softmax_cross_entropy", sample_weight=mask, **options)
    predicted = net.predict(x_test).argmax(-1)
    scored = mask_test > 0
    accuracy = (predicted[scored] == y_test.argmax(-1)[scored]).mean()
    return net, history, {"recall_accuracy": float(accuracy)}, {}


def _text(cell, units, options, seed):
    from ..data.text import sample_text
    corpus = text.load_text("sonnets")
    cut = int(len(corpus) * 0.9)
    x, y, vocabulary = text.char_sequences(corpus[:cut], 64, seed=seed)
    x_test, y_test, _ = text.char_sequences(corpus[cut:], 64, vocabulary=vocabulary)
    net = _sequence_net(cell, units, len(vocabulary), len(vocabulary), seed)
    history = net.fit(x, y, loss="softmax_cross_entropy", **options)
    test_loss = net.loss_.value(net.predict(x_test).reshape(-1, len(vocabulary)), y_test.reshape(-1, len(vocabulary)))
    sample = sample_text(net, vocabulary, "Shall I compare thee", 240, temperature=0.7, seed=seed)
    return net, history, {"test_loss": float(test_loss), "sample": sample}, {"vocabulary": vocabulary}


_RECIPES = {"dsr": _dsr, "erg": _erg, "timing": _timing, "adding": _adding, "copy": _copy, "text": _text}


def train_task(o, given) -> int:
    """``axonal train --task NAME``: a ready-made recurrent run (see :func:`run`)."""
    import axonal
    check_outputs(o)
    units = o["hidden_sizes"][0] if "hidden" in given and o["hidden_sizes"] else None
    say(f"task: {o['task']}, cell: {o['cell']}")
    net, history, results, extra = run(
        o["task"], units=units, epochs=o["epochs"] if "epochs" in given else None,
        learning_rate=o["learning_rate"] if "learning_rate" in given else None, cell=o["cell"], seed=o["seed"],
        progress=o["progress"])
    say(net.summary())
    say(f"trained {len(history)} epochs; final training loss {history[-1]:.5g}")
    for key, value in results.items():
        say(f"{key}: {value:.5g}" if isinstance(value, float) else f"{key}:\n{value}")
    metadata = {"task": o["task"], "cell": o["cell"], "seed": o["seed"], "epochs_trained": len(history),
                "results": {k: round(v, 6) for k, v in results.items() if isinstance(v, float)}, **extra}
    axonal.io.save(net, o["output"], metadata=metadata)
    say(f"model written to {o['output']}")
    maybe_plot(history, o)
    return 0
