"""The online benchmark family gives axonal and Synaptic the same task (bench/workloads/online_tasks.py).

Each timed task builds its network in axonal from a seed and hands Synaptic the same
network as its own JSON, with the same data; LSTM-g runs with ``rule="synaptic"``. Here
the first steps of every task run on both sides, untimed, and must give the same
outputs: along the stream with learning (activate, then propagate) for the stream
tasks, and the untrained network's outputs on the task's data for the feed-forward and
time-to-solve tasks. axonal runs on its compiled paths and on its NumPy reference.
"""

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import axonal.jit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:       # the benchmark is a package at the repository's root
    sys.path.insert(0, str(REPO))

from bench.peers import missing_reason  # noqa: E402
from bench.workloads import online_tasks  # noqa: E402

MISSING = missing_reason("synaptic")
STEPS = 200


@lru_cache(maxsize=None)
def synaptic_outputs(workload):
    from bench.peers.synaptic import run_node
    return np.array(run_node(online_tasks.synaptic_outputs_spec(workload, STEPS), timeout=120)["outputs"])


@pytest.mark.skipif(MISSING is not None, reason=f"needs Synaptic 1.1.4 under node (npm install --prefix bench): "
                                                f"{MISSING}")
@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
@pytest.mark.parametrize("workload", sorted(online_tasks.KINDS))
def test_axonal_and_synaptic_compute_the_same_task(workload, compiled):
    with axonal.jit.using(compiled):
        ours = online_tasks.axonal_outputs(workload, STEPS)
    theirs = synaptic_outputs(workload)
    assert ours.shape == theirs.shape and len(ours) >= 4
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    if online_tasks.check_inputs(workload, STEPS)[2] is not None:   # learning moved the outputs
        assert not np.allclose(ours[-1], synaptic_outputs_untrained(workload)[-1], atol=1e-6)


@lru_cache(maxsize=None)
def synaptic_outputs_untrained(workload):
    """Synaptic's outputs on the same inputs without learning: the stream tasks must differ from them."""
    from bench.peers.synaptic import run_node
    spec = online_tasks.synaptic_outputs_spec(workload, STEPS)
    return np.array(run_node({**spec, "targets": None}, timeout=120)["outputs"])
