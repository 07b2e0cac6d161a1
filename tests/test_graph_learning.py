"""A graph with gated self-connections (Synaptic's LSTM) learns DSR by BPTT and by LSTM-g.

DSR with the settings of Synaptic's own test: targets 2, 4, distractors 3, 5, prompts 0, 1,
sequences of 9 steps (6 symbols in, so 6 inputs: Synaptic's test builds 5). Solved means at
least 95% of 500 fresh sequences right at every step, as Synaptic's DSR counts a sequence.

Each way is learned once per session by a fixture of tests/conftest.py, the run of
examples/dsr_architect.py (whose own tests check what it reports); these tests check
that the run learned what this module claims, with the budgets of Synaptic's task.
"""

import numpy as np
import pytest

from axonal.data.sequences import discrete_sequence_recall
from axonal.synaptic.architect import LSTM

pytestmark = pytest.mark.slow


def fully_right(net, x, y):
    return float(np.all(np.round(net.predict(x)) == y, axis=(1, 2)).mean())


def check_start(r, untrained):
    """The run's first score, recomputed from the untrained network on the same 500 fresh
    sequences: the run scores with Synaptic's criterion, and it started unable to do the task."""
    x_test, y_test, _ = discrete_sequence_recall(500, seed=12345)
    assert r["example_symbols"] == x_test[0].argmax(axis=1).tolist()
    assert r["parameters"] == sum(untrained.parameter_counts().values())
    assert r["scores"][0] == pytest.approx(fully_right(untrained, x_test, y_test), abs=1e-12)
    assert r["scores"][0] < 0.5


def test_dsr_by_backpropagation_through_time(dsr_graph_bptt):
    _, r = dsr_graph_bptt
    check_start(r, LSTM(6, 7, 2, seed=0))
    assert r["passes"] <= 40                     # epochs over 1,000 sequences
    assert r["fully_right"] == r["scores"][-1] >= 0.95


def test_dsr_online_by_lstm_g(dsr_graph_lstm_g):
    """16 streams in parallel, one step at a time, the state cleared between sequences."""
    _, r = dsr_graph_lstm_g
    check_start(r, LSTM(6, 3, 2, dtype="float64", seed=0))
    assert r["passes"] <= 150                    # blocks of 160 sequences
    assert r["fully_right"] == r["scores"][-1] >= 0.95
