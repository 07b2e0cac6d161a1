"""A graph with gated self-connections (Synaptic's LSTM) learns DSR by BPTT and by LSTM-g.

DSR with the settings of Synaptic's own test: targets 2, 4, distractors 3, 5, prompts 0, 1,
sequences of 9 steps (6 symbols in, so 6 inputs: Synaptic's test builds 5). Solved means at
least 95% of 500 fresh sequences right at every step, as Synaptic's DSR counts a sequence.
"""

import numpy as np

from axonal import Adam
from axonal.architect import LSTM
from axonal.data.sequences import discrete_sequence_recall


def fully_right(net, x, y):
    return float(np.all(np.round(net.predict(x)) == y, axis=(1, 2)).mean())


def test_dsr_by_backpropagation_through_time():
    x, y, _ = discrete_sequence_recall(1000, seed=1)
    x_test, y_test, _ = discrete_sequence_recall(500, seed=2)
    net = LSTM(6, 7, 2, seed=0)
    optimizer = Adam(0.05)
    score = fully_right(net, x_test, y_test)
    assert score < 0.5
    for epoch in range(40):
        net.fit(x, y, loss="binary_cross_entropy", optimizer=optimizer, epochs=1, batch_size=32, seed=epoch,
                progress=False)
        score = fully_right(net, x_test, y_test)
        if score >= 0.95:
            break
    assert score >= 0.95


def test_dsr_online_by_lstm_g():
    """16 streams in parallel, one step at a time, the state cleared between sequences."""
    net = LSTM(6, 3, 2, dtype="float64", seed=0)
    learner = net.online(0.5)
    x_test, y_test, _ = discrete_sequence_recall(500, seed=99)
    score = fully_right(net, x_test, y_test)
    for block in range(150):
        x, y, _ = discrete_sequence_recall(160, seed=block)
        for k in range(0, 160, 16):
            learner.reset()
            for t in range(x.shape[1]):
                learner.step(x[k:k + 16, t], y[k:k + 16, t])
        score = fully_right(net, x_test, y_test)
        if score >= 0.95:
            break
    assert score >= 0.95
