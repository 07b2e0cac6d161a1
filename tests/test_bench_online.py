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


@pytest.mark.skipif(MISSING is not None, reason=f"needs Synaptic 1.1.4 under node: {MISSING}")
@pytest.mark.parametrize("workload", ["online_sin", "online_timing"])
def test_the_timed_training_calls_report_the_errors_synaptic_reports(workload):
    """SIN and the timing task are timed as whole ``train`` calls on both sides: with ``rule="synaptic"`` and
    Synaptic's cost (MSE) axonal learns what Synaptic learns, so each call's reported error is Synaptic's."""
    from bench.peers.synaptic import run_node
    task = online_tasks.AxonalTask(workload, {"calls": 3})
    ours = [task.call(i)["error"] for i in range(3)]
    theirs = [c["error"] for c in run_node(online_tasks.synaptic_spec(workload, {"calls": 3}), timeout=120)["calls"]]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)


def test_xor_is_summarised_for_both_rules():
    """The XOR record keeps the default rule's runs and Synaptic's rule's apart; Synaptic's own runs are both."""
    from bench.workloads.online import summarize
    calls = [{"seconds": 1.0, "epochs": 10, "solved": True, "rule_seconds": 0.5, "rule_epochs": 4, "rule_solved": True},
             {"seconds": 2.0, "epochs": 30, "solved": True, "rule_seconds": 0.25, "rule_epochs": 2, "rule_solved": True},
             {"seconds": 4.0, "epochs": 50, "solved": True, "rule_seconds": 9.0, "rule_epochs": 90,
              "rule_solved": False}]
    out = summarize("online_xor", calls, [], {})
    assert (out["warm_s"], out["warm_epochs"], out["solved"]) == (3.0, 40, 2)
    assert (out["rule_warm_s"], out["rule_solved"]) == (float("inf"), 1)    # an unsolved run: infinitely slow
    out = summarize("online_xor", calls[:2], [], {})
    assert (out["rule_warm_s"], out["rule_warm_epochs"], out["rule_solved"]) == (0.25, 2, 1)
