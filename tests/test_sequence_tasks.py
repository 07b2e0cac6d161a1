"""Recurrent networks solve the sequence tasks of the articles and of Synaptic.

These are learning tests with fixed seeds and bounds: about half a minute in all.
"""

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential, SimpleRNN
from axonal.data import (adding_problem, discrete_sequence_recall, embedded_reber_grammar,
                         embedded_reber_long_range, timing_task)


def test_lstm_solves_discrete_sequence_recall_in_nine_of_ten_seeds():
    # Synaptic's test settings: targets [2, 4], distractors [3, 5], prompts [0, 1], length 9;
    # success as Synaptic counts it: every output of every step rounds to its target.
    x, y, mask = discrete_sequence_recall(1000, seed=100)
    x_test, y_test, _ = discrete_sequence_recall(1000, seed=101)
    solved = 0
    for seed in range(10):
        net = Sequential([LSTM(16, return_sequences=True), Dense(y.shape[-1])], input_dim=x.shape[-1], seed=seed)
        net.fit(x, y, loss="binary_cross_entropy_logits", optimizer=Adam(0.01, clip_norm=1.0), epochs=40,
                batch_size=32, sample_weight=mask, seed=seed)
        prediction = net.predict_proba(x_test)
        fully_correct = np.all(np.round(prediction) == y_test, axis=(1, 2)).mean()
        solved += fully_correct >= 0.95
    assert solved >= 9


def test_lstm_solves_the_timing_task():
    # Synaptic's stream: 7,000 steps to train on, the next 1,000 to test; test MSE < 0.05.
    x, y = timing_task(1, seed=0)
    window, stride = 100, 25
    starts = range(0, 7000 - window + 1, stride)
    xs = np.stack([x[0, s:s + window] for s in starts])
    ys = np.stack([y[0, s:s + window] for s in starts])
    weight = np.zeros(xs.shape[:2], dtype=np.float32)
    weight[:, window // 2:] = 1  # score each window's second half: its first half only warms the state up
    weight[0] = 1
    net = Sequential([LSTM(16, return_sequences=True), Dense(1)], input_dim=2, seed=0)
    net.fit(xs, ys, loss="mse", optimizer=Adam(0.01, clip_norm=1.0), epochs=30, batch_size=16,
            sample_weight=weight, seed=0)
    prediction = net.predict(x)[:, 7000:]
    assert float(((prediction - y[:, 7000:]) ** 2).mean()) < 0.05


def test_lstm_learns_the_long_range_dependency_of_the_embedded_reber_grammar():
    x, y, mask = embedded_reber_grammar(2000, seed=0)
    x_test, _, mask_test = embedded_reber_grammar(1000, seed=1)
    net = Sequential([LSTM(24, return_sequences=True), Dense(7)], input_dim=7, seed=0)
    net.fit(x, y, loss="binary_cross_entropy_logits", optimizer=Adam(0.01, clip_norm=1.0), epochs=30,
            batch_size=32, mask=mask, seed=0)
    prediction = net.predict(x_test, mask=mask_test)
    step, answer = embedded_reber_long_range(x_test, mask_test)
    closing = prediction[np.arange(len(step)), step].argmax(-1)  # the most likely of all 7 symbols
    assert (closing == answer).mean() >= 0.95


def test_adding_problem_an_lstm_solves_it_where_a_simple_rnn_cannot():
    # The vanishing gradient: at length 50 the two marked values lie far from the answer.
    x, y, _ = adding_problem(10000, length=50, seed=0)
    x_test, y_test, _ = adding_problem(1000, length=50, seed=1)
    y, y_test = y[:, -1], y_test[:, -1]
    results = {}
    for kind in (LSTM, SimpleRNN):
        net = Sequential([kind(32), Dense(1)], input_dim=2, seed=0)
        net.fit(x, y, loss="mse", optimizer=Adam(0.005, clip_norm=1.0), epochs=6, batch_size=64, seed=0)
        results[kind.__name__] = float(((net.predict(x_test) - y_test) ** 2).mean())
    assert results["LSTM"] < 0.01
    assert results["SimpleRNN"] > 0.1  # about the variance of the target: it has learned nothing
