"""Shared test helpers, and the learning runs that several test modules check.

A task learned for seconds is learned once per test session: the fixtures below
run an example script's ``main()`` (fixed seeds, so every outcome is reproducible)
and the test modules that use them check different things about that one
result. All of them train for seconds, so every test that uses one is marked
``slow`` and ``python3 -m pytest -m "not slow"`` never starts them.
"""

import sys
from pathlib import Path

import pytest

# Lets test modules import the shared gradient-check cases (tests/cases.py) and the
# example-script helpers (tests/example_scripts.py).
sys.path.insert(0, str(Path(__file__).parent))

from example_scripts import run


@pytest.fixture(scope="session")
def dsr_lstm_layer_ten_seeds():
    """Discrete sequence recall by ``LSTM(16)`` layers, Synaptic's settings, seeds 0 to 9 (examples/dsr.py)."""
    return run("dsr", seeds=tuple(range(10)))


@pytest.fixture(scope="session")
def dsr_graph_bptt():
    """Discrete sequence recall by ``architect.LSTM(6, 7, 2)`` and BPTT (examples/dsr_architect.py)."""
    return run("dsr_architect", method="bptt")


@pytest.fixture(scope="session")
def dsr_graph_lstm_g():
    """Discrete sequence recall by ``architect.LSTM(6, 3, 2)`` and online LSTM-g (examples/dsr_architect.py)."""
    return run("dsr_architect", method="lstm_g")


@pytest.fixture(scope="session")
def adding_problem_lstm_and_rnn(tmp_path_factory):
    """The adding problem at length 50, ``LSTM(32)`` against ``SimpleRNN(32)`` (examples/vanishing_gradient.py).

    Returns the module, the result and the path the plot was asked for.
    """
    path = tmp_path_factory.mktemp("vanishing") / "curves.png"
    return run("vanishing_gradient", plot_path=path) + (path,)


LEARNING_FIXTURES = {"dsr_lstm_layer_ten_seeds", "dsr_graph_bptt", "dsr_graph_lstm_g", "adding_problem_lstm_and_rnn"}


def pytest_collection_modifyitems(config, items):
    """A test that uses one of the learning runs above is slow, marked or not."""
    for item in items:
        if LEARNING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
