"""The Synaptic reference harness (tests/synaptic/reference.js) itself works and is deterministic."""

import random

import pytest

from synaptic_node import REFERENCE_JS, SYNAPTIC_DIR, requires_synaptic, run_synaptic, synaptic_available

pytestmark = requires_synaptic


def perceptron(seed, sizes=(2, 3, 1)):
    return run_synaptic({"op": "build", "arch": "Perceptron", "sizes": list(sizes), "seed": seed})["json"]


def stream(n, n_in, n_out, seed=0, targets=True):
    rng = random.Random(seed)
    return [
        {
            "input": [rng.random() for _ in range(n_in)],
            "target": [rng.random() for _ in range(n_out)] if targets else None,
        }
        for _ in range(n)
    ]


def test_paths_point_at_the_harness():
    assert REFERENCE_JS.is_file()
    assert REFERENCE_JS.parent == SYNAPTIC_DIR
    assert synaptic_available()


def test_reports_the_pinned_version():
    result = run_synaptic({"op": "build", "arch": "Perceptron", "sizes": [1, 1, 1], "seed": 3})
    assert result["synaptic_version"] == "1.1.4"
    assert result["seed"] == 3


def test_same_seed_same_network_different_seed_different_network():
    assert perceptron(1) == perceptron(1)
    a, b = perceptron(1), perceptron(2)
    assert [c["weight"] for c in a["connections"]] != [c["weight"] for c in b["connections"]]


def test_perceptron_json_has_the_fields_axonal_needs():
    net = perceptron(5, (2, 3, 1))
    neurons, connections = net["neurons"], net["connections"]
    assert [n["layer"] for n in neurons] == ["input", "input", 0, 0, 0, "output"]
    for n in neurons:
        assert {"state", "old", "activation", "bias", "layer", "squash", "trace"} <= set(n)
        assert n["squash"] == "LOGISTIC"
        assert -0.1 <= n["bias"] < 0.1
    # all-to-all input->hidden then hidden->output, from-neuron order, no gates, no self-connections
    assert [(c["from"], c["to"]) for c in connections] == [
        (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 5), (3, 5), (4, 5)
    ]
    for c in connections:
        assert set(c) == {"from", "to", "weight", "gater"}
        assert c["gater"] is None
        assert -0.1 <= c["weight"] < 0.1


def test_lstm_json_records_gates_self_connections_and_peepholes():
    net = run_synaptic({"op": "build", "arch": "LSTM", "sizes": [2, 3, 1], "seed": 1})["json"]
    layers = [n["layer"] for n in net["neurons"]]
    # hidden layers per block: input gate, forget gate, memory cell, output gate
    assert layers == ["input"] * 2 + [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3 + ["output"]
    assert all(n["bias"] == 1 for n in net["neurons"] if n["layer"] in (0, 1, 3))
    by_pair = {(c["from"], c["to"]): c for c in net["connections"]}
    cells, input_gates, forget_gates, output_gates = range(8, 11), range(2, 5), range(5, 8), range(11, 14)
    for k, cell in enumerate(cells):
        self_conn = by_pair[(cell, cell)]
        assert self_conn["weight"] == 1 and self_conn["gater"] == forget_gates[k]
        assert by_pair[(cell, 14)]["gater"] == output_gates[k]
        for i in (0, 1):
            assert by_pair[(i, cell)]["gater"] == input_gates[k]
        for gate in (*input_gates, *forget_gates, *output_gates):  # default peepholes: ALL_TO_ALL
            assert by_pair[(cell, gate)]["gater"] is None
    assert by_pair[(0, 14)]["gater"] is None  # inputToOutput defaults to true
    # 2*12 input->blocks, 3*9 peepholes, 3 self, 3 cell->output, 2 input->output
    assert len(net["connections"]) == 24 + 27 + 3 + 3 + 2


def test_lstm_options_pass_through():
    no_peep = run_synaptic(
        {"op": "build", "arch": "LSTM", "sizes": [2, 3, 1], "seed": 1, "options": {"peepholes": "ONE_TO_ONE"}}
    )["json"]
    pairs = {(c["from"], c["to"]) for c in no_peep["connections"]}
    assert (8, 2) in pairs and (8, 3) not in pairs  # one-to-one peepholes only
    # Synaptic quirk: peepholes=true is not a connection type, so no peepholes at all
    quirk = run_synaptic(
        {"op": "build", "arch": "LSTM", "sizes": [2, 3, 1], "seed": 1, "options": {"peepholes": True}}
    )["json"]
    assert not any(8 <= c["from"] <= 10 and 2 <= c["to"] <= 13 and c["from"] != c["to"] for c in quirk["connections"])


def test_optimized_and_unoptimized_agree_on_an_untrained_perceptron():
    steps = stream(20, 2, 1, seed=4, targets=False)
    cmd = {"op": "run", "arch": "Perceptron", "sizes": [2, 3, 1], "seed": 9, "stream": steps, "rate": 0.3}
    fast = run_synaptic({**cmd, "optimized": True})
    slow = run_synaptic({**cmd, "optimized": False})
    assert fast["optimized"] is True and slow["optimized"] is False
    assert fast["json_before"] == slow["json_before"]
    assert len(fast["outputs"]) == 20
    for a, b in zip(fast["outputs"], slow["outputs"]):
        assert a == pytest.approx(b, abs=1e-12, rel=0)
    assert fast["json_after"]["connections"] == slow["json_after"]["connections"]


def test_run_trains_and_json_round_trips():
    steps = stream(30, 2, 1, seed=1)
    built = run_synaptic({"op": "run", "arch": "Perceptron", "sizes": [2, 4, 1], "seed": 2, "stream": steps, "rate": 0.5})
    before, after = built["json_before"], built["json_after"]
    assert [c["weight"] for c in before["connections"]] != [c["weight"] for c in after["connections"]]
    # replaying the same stream from the saved starting network gives the same outputs
    replay = run_synaptic({"op": "run", "json": before, "seed": 99, "stream": steps, "rate": 0.5, "clear_before": True})
    for a, b in zip(built["outputs"], replay["outputs"]):
        assert a == pytest.approx(b, abs=1e-12, rel=0)


def test_trainer_xor_set_reports_result_and_outputs():
    xor = [
        {"input": [0, 0], "output": [0]},
        {"input": [0, 1], "output": [1]},
        {"input": [1, 0], "output": [1]},
        {"input": [1, 1], "output": [0]},
    ]
    options = {"rate": 0.5, "iterations": 3000, "error": 0.005, "schedule": {"every": 1000}}
    cmd = {"op": "trainer", "arch": "Perceptron", "sizes": [2, 3, 1], "seed": 1, "set": xor, "options": options}
    result = run_synaptic(cmd)
    assert result == run_synaptic(cmd)  # deterministic, no wall-clock fields
    assert set(result["result"]) == {"error", "iterations"}
    assert 1 <= result["result"]["iterations"] <= 3000
    assert len(result["outputs"]) == 4 and all(len(o) == 1 for o in result["outputs"])
    assert [c["iterations"] for c in result["schedule_calls"]] == list(
        range(1000, result["result"]["iterations"] + 1, 1000)
    )


def test_errors_come_back_as_runtime_errors():
    with pytest.raises(RuntimeError, match="unknown op"):
        run_synaptic({"op": "nope"})
