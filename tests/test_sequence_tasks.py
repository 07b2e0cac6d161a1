"""Recurrent networks solve the sequence tasks of the articles and of Synaptic.

These are learning tests with fixed seeds and bounds, each of them seconds long, so all
are marked ``slow``. Discrete sequence recall and the adding problem are learned once
per session by the fixtures of tests/conftest.py (the runs of examples/dsr.py and
examples/vanishing_gradient.py), which the example tests check too.
"""

import numpy as np
import pytest

from axonal import LSTM, Adam, Dense, Sequential
from axonal.data import embedded_reber_grammar, embedded_reber_long_range, timing_task

pytestmark = pytest.mark.slow


def test_lstm_solves_discrete_sequence_recall_in_nine_of_ten_seeds(dsr_lstm_layer_ten_seeds):
    # Synaptic's test settings: targets [2, 4], distractors [3, 5], prompts [0, 1], length 9;
    # success as Synaptic counts it: every output of every step rounds to its target.
    module, result = dsr_lstm_layer_ten_seeds
    assert (module.TARGETS, module.DISTRACTORS, module.PROMPTS, module.LENGTH) == ((2, 4), (3, 5), (0, 1), 9)
    assert (module.UNITS, module.EPOCHS, module.TRAIN_SEQUENCES, module.TEST_SEQUENCES) == (16, 40, 1000, 1000)
    assert sorted(result["fully_correct"]) == list(range(10))
    solved = sum(score >= 0.95 for score in result["fully_correct"].values())
    assert solved >= 9
    assert sorted(result["solved_seeds"]) == [s for s, score in result["fully_correct"].items() if score >= 0.95]


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


def test_adding_problem_an_lstm_solves_it_where_a_simple_rnn_cannot(adding_problem_lstm_and_rnn):
    # The vanishing gradient: at length 50 the two marked values lie far from the answer.
    # Both networks: 32 units, Adam(0.005, clip_norm=1), 6 epochs of 10,000 sequences.
    module, result, _ = adding_problem_lstm_and_rnn
    assert (module.LENGTH, module.UNITS, module.EPOCHS, module.TRAIN_SEQUENCES) == (50, 32, 6, 10_000)
    assert result["LSTM"]["test_mse"] < 0.01
    assert result["SimpleRNN"]["test_mse"] > 0.1  # about the variance of the target: it has learned nothing
