"""Shared test helpers, and the learning runs that several test modules check.

A task learned for seconds is learned once per test session: the fixtures below
run an example script's ``main()`` (fixed seeds, so every outcome is reproducible)
and the test modules that use them check different things about that one
result. All of them train for seconds, so every test that uses one is marked
``slow`` and ``python3 -m pytest -m "not slow"`` never starts them.

With pytest-xdist installed (the ``test`` extra has it), a run over the whole
suite (``python3 -m pytest``, no paths given) is spread over the machine's cores,
one worker per core up to four: see ``pytest_cmdline_main``. ``-n N`` chooses
the workers, ``-n 0`` or ``-p no:xdist`` runs everything in this one process, and
no test depends on xdist. The tests of one file run on one worker (a fixture
computed once per module still is; one of the session fixtures below may be
computed once on each worker).
"""

import os
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


MAX_WORKERS = 4  # each worker imports, and may compile, the Numba kernels for itself


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Spread a whole-suite run over the cores with pytest-xdist, when it is installed.

    Only when no test paths were given (pytest took ``testpaths``), none of ``-n``,
    ``--dist``, ``--tx``, ``--pdb`` or ``--collect-only`` was: a run of a few files
    stays in one process. Workers: one per usable core, at most ``MAX_WORKERS``
    (``PYTEST_XDIST_AUTO_NUM_WORKERS`` overrides that). ``--dist loadfile``: the tests
    of one file run on one worker, so a module-scoped fixture is computed once; files
    are handed out in collection order (``--no-loadscope-reorder``), so the files of
    few but long tests start early rather than last. ``tryfirst``: runs before
    xdist's own hook of this name, which turns these options into workers.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    option = config.option
    if hasattr(config, "workerinput"):
        return
    source = getattr(config, "args_source", None)
    if getattr(source, "name", None) != "TESTPATHS" or option.usepdb or option.collectonly:
        return
    if option.numprocesses is not None or option.dist != "no" or option.tx or option.distload:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = "auto" if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else min(cores, MAX_WORKERS)
    if workers == "auto" or workers > 1:
        option.numprocesses, option.dist, option.loadscopereorder = workers, "loadfile", False


def pytest_collection_modifyitems(config, items):
    """A test that uses one of the learning runs above is slow, marked or not."""
    for item in items:
        if LEARNING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
