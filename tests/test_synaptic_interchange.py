"""Synaptic's JSON both ways, checked against Synaptic 1.1.4 itself running under node."""

import json

import numpy as np
import pytest
from synaptic_node import requires_synaptic, run_synaptic

from axonal.graph import Graph, GraphNetwork
from axonal.synaptic import SynapticJSONError, from_json, to_json


def stream(n_in, n_out, steps, seed):
    rng = np.random.default_rng(seed)
    return [{"input": rng.uniform(0, 1, n_in).tolist(), "target": rng.integers(0, 2, n_out).astype(float).tolist()}
            for _ in range(steps)]


ARCHITECTURES = [("Perceptron", [2, 4, 3, 1], {}), ("LSTM", [2, 3, 1], {}), ("LSTM", [3, 4, 2], {}),
                 ("LSTM", [2, 2, 2, 1], {"hiddenToHidden": True, "outputToGates": True})]


@requires_synaptic
@pytest.mark.parametrize("arch,sizes,options", ARCHITECTURES)
def test_a_network_exported_by_synaptic_computes_what_synaptic_computes(arch, sizes, options):
    built = run_synaptic({"op": "build", "arch": arch, "sizes": sizes, "options": options, "seed": 3})
    steps = stream(sizes[0], sizes[-1], 60, seed=0)
    ref = run_synaptic({"op": "run", "json": built["json"],
                        "stream": [{"input": s["input"], "target": None} for s in steps]})
    net = from_json(built["json"])
    ours = np.array([net.activate(s["input"]) for s in steps])
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-9)
    # the whole sequence at once is the same network
    whole = net.predict(np.array([[s["input"] for s in steps]]))[0]
    np.testing.assert_allclose(whole, ref["outputs"], rtol=0, atol=1e-9)


@pytest.mark.slow
@requires_synaptic
@pytest.mark.parametrize("arch,sizes,options", ARCHITECTURES[:3])
def test_after_1000_online_steps_lstm_g_still_agrees_with_synaptic(arch, sizes, options):
    """Synaptic's compiled network (its default) hands a gater's new gains on before updating its
    traces; ``rule="synaptic"`` does the same, so the two agree to round-off, not just 1e-5."""
    built = run_synaptic({"op": "build", "arch": arch, "sizes": sizes, "options": options, "seed": 5})
    steps = stream(sizes[0], sizes[-1], 1000, seed=1)
    ref = run_synaptic({"op": "run", "json": built["json"], "stream": steps, "rate": 0.1})
    learner = from_json(built["json"]).online(0.1, rule="synaptic")
    ours = np.array([learner.step(s["input"], s["target"]) for s in steps])
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-9)
    trained = from_json(ref["json_after"])
    np.testing.assert_allclose(trained.get_weights()["output.bias"], learner.network.get_weights()["output.bias"],
                               atol=1e-9)


def exportable_graph():
    """Gates of every kind, self-connections, loops from later layers; no synapses inside a layer
    (Synaptic runs those neuron by neuron)."""
    g = Graph()
    x, ig, fg = g.layer("input", 3), g.layer("ig", 4), g.layer("fg", 4)
    cell, og, out = g.layer("cell", 4, "tanh"), g.layer("og", 4), g.layer("output", 2, "identity")
    for gate in (ig, fg, og):
        x.project(gate)
        cell.project(gate)
    ig.gate(x.project(cell), "input")
    fg.gate(cell.project(cell), "one_to_one")
    og.gate(cell.project(out), "output")
    out.project(fg)                                       # a loop from the last layer
    g.gate(x.project(out), "ig", "synapse", index=np.array([[0, -1], [2, 3], [-1, 1]]))
    return g


@requires_synaptic
def test_synaptic_loads_and_trains_an_axonal_network_like_axonal_does():
    net = GraphNetwork(exportable_graph(), dtype="float64", seed=0)
    exported = to_json(net)
    json.dumps(exported)                                  # plain JSON
    steps = stream(3, 2, 300, seed=2)
    ref = run_synaptic({"op": "run", "json": exported, "stream": [{"input": s["input"], "target": None}
                                                                  for s in steps]})
    ours = np.array([net.activate(s["input"]) for s in steps])
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-9)
    trained = run_synaptic({"op": "run", "json": exported, "stream": steps, "rate": 0.05})
    learner = from_json(exported).online(0.05, rule="synaptic")
    ours = np.array([learner.step(s["input"], s["target"]) for s in steps])
    np.testing.assert_allclose(ours, trained["outputs"], rtol=0, atol=1e-9)


@requires_synaptic
def test_liquid_computes_what_synaptic_computes_and_round_trips_synapse_for_synapse():
    built = run_synaptic({"op": "build", "arch": "Liquid", "sizes": [2, 8, 1],
                          "options": {"connections": 20, "gates": 6}, "seed": 3})
    net = from_json(built["json"])
    assert len(net.graph.nodes) == 2 + 8          # the pool's neurons read one another: one layer each
    steps = stream(2, 1, 100, seed=4)
    ref = run_synaptic({"op": "run", "json": built["json"],
                        "stream": [{"input": s["input"], "target": None} for s in steps]})
    np.testing.assert_allclose([net.activate(s["input"]) for s in steps], ref["outputs"], rtol=0, atol=1e-9)
    whole = from_json(built["json"], split_layers=False)
    assert len(whole.graph.nodes) == 3 and any(c.gate_kind == "synapse" for c in whole.graph.connections)

    def synapses(js):
        return sorted((c["from"], c["to"], c["gater"], round(c["weight"], 12)) for c in js["connections"])

    assert synapses(to_json(net)) == synapses(built["json"])
    assert synapses(to_json(whole)) == synapses(built["json"])
    # the one-neuron layers are written as the one Synaptic layer they came from
    labels = [n["layer"] for n in built["json"]["neurons"]]
    assert [n["layer"] for n in to_json(net)["neurons"]] == labels == [n["layer"] for n in to_json(whole)["neurons"]]
    assert [n["layer"] for n in to_json(net, merge_split=False)["neurons"]] == ["input"] * 2 + list(range(8)) + ["output"]


@requires_synaptic
def test_synaptic_goes_on_from_the_state_axonal_exports():
    """After some steps in axonal, the export carries each neuron's state, old state and activation,
    and Synaptic's ``fromJSON`` of it computes what axonal computes next (a network started from
    zero would not)."""
    net = GraphNetwork(exportable_graph(), dtype="float64", seed=1)
    steps = stream(3, 2, 40, seed=9)
    for s in steps[:25]:
        net.activate(s["input"])
    exported = to_json(net)
    assert {n["activation"] for n in exported["neurons"][3:]} != {0}
    ref = run_synaptic({"op": "run", "json": exported, "stream": [{"input": s["input"], "target": None}
                                                                  for s in steps[25:]]})
    ours = np.array([net.activate(s["input"]) for s in steps[25:]])
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-12)
    zero = run_synaptic({"op": "run", "json": to_json(GraphNetwork(exportable_graph(), dtype="float64", seed=1)),
                         "stream": [{"input": s["input"], "target": None} for s in steps[25:]]})
    assert np.abs(ours - zero["outputs"]).max() > 1e-6


def test_export_then_import_is_the_same_network():
    net = GraphNetwork(exportable_graph(), dtype="float64", seed=4)
    again = from_json(json.dumps(to_json(net)))
    x = np.random.default_rng(0).uniform(0, 1, (2, 9, 3))
    np.testing.assert_allclose(again.predict(x), net.predict(x), rtol=0, atol=1e-14)


def test_bad_json_is_refused_with_the_reason(tmp_path):
    good = to_json(GraphNetwork(exportable_graph(), dtype="float64", seed=4))
    mixed = json.loads(json.dumps(good))
    mixed["neurons"][3]["squash"] = "TANH"
    with pytest.raises(ValueError, match="layer 'hidden_0' mixes squash functions"):
        from_json(mixed)
    broken = json.loads(json.dumps(good))
    broken["connections"][0]["to"] = 999
    with pytest.raises(SynapticJSONError, match="connection 0 has to 999; expected the index of one of the 21 neurons"):
        from_json(broken)
    with pytest.raises(ValueError, match="'neurons' and 'connections'"):
        from_json({"neurons": []})
    path = tmp_path / "net.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="net.json: not valid JSON"):
        from_json(path)
    softmax = Graph()
    softmax.layer("input", 2).project(softmax.layer("output", 2, "softmax"))
    with pytest.raises(ValueError, match="layer 'output' uses 'softmax'"):
        to_json(GraphNetwork(softmax))


def pool_json(n_in, n_pool, n_out, seed):
    """A pool projecting all-to-all onto itself (Synaptic's ``layer.project(layer, ALL_TO_ALL)``: every
    other neuron plus a self-connection), fed by the inputs and read by the outputs."""
    rng = np.random.default_rng(seed)
    neurons = ([{"bias": 0, "layer": "input", "squash": "LOGISTIC"}] * n_in
               + [{"bias": float(rng.uniform(-1, 1)), "layer": 0, "squash": "TANH"} for _ in range(n_pool)]
               + [{"bias": float(rng.uniform(-1, 1)), "layer": "output", "squash": "LOGISTIC"} for _ in range(n_out)])
    pool, out = range(n_in, n_in + n_pool), range(n_in + n_pool, n_in + n_pool + n_out)
    pairs = [(i, j) for i in range(n_in) for j in pool] + [(i, j) for i in pool for j in pool]
    pairs += [(i, j) for i in pool for j in out]
    return {"neurons": neurons, "connections": [{"from": i, "to": j, "weight": 1.0 if i == j else
                                                 float(rng.uniform(-1, 1)), "gater": None} for i, j in pairs]}


@requires_synaptic
def test_a_pool_reading_itself_computes_what_synaptic_computes_in_one_in_order_connection():
    data = pool_json(2, 12, 2, seed=0)
    net = from_json(data)
    assert list(net.graph.nodes) == ["input", "hidden_0", "output"]
    assert sorted(c.kind for c in net.graph.connections) == ["all_to_all", "all_to_all", "in_order", "one_to_one"]
    steps = stream(2, 2, 40, seed=6)
    ref = run_synaptic({"op": "run", "json": data, "stream": [{"input": s["input"], "target": None} for s in steps]})
    np.testing.assert_allclose([net.activate(s["input"]) for s in steps], ref["outputs"], rtol=0, atol=1e-9)
    whole = net.predict(np.array([[s["input"] for s in steps]]))[0]
    np.testing.assert_allclose(whole, ref["outputs"], rtol=0, atol=1e-9)
    again = from_json(to_json(net))
    np.testing.assert_allclose(again.predict(np.array([[s["input"] for s in steps]]))[0], ref["outputs"],
                               rtol=0, atol=1e-9)


@requires_synaptic
def test_repeated_synapses_are_read_as_synaptic_reads_them():
    neurons = ([{"bias": 0, "layer": "input", "squash": "LOGISTIC"}] * 2 + [{"bias": 0.1, "layer": 0, "squash": "TANH"}] * 2
               + [{"bias": 0.2, "layer": "output", "squash": "IDENTITY"}])
    conns = [(0, 2, 0.5), (0, 2, 0.7), (2, 3, 0.3), (3, 2, 0.4), (2, 3, 0.9), (3, 4, 1.0), (2, 4, 1.0), (1, 3, -0.6)]
    data = {"neurons": neurons, "connections": [{"from": a, "to": b, "weight": w, "gater": None} for a, b, w in conns]}
    steps = stream(2, 1, 10, seed=8)
    ref = run_synaptic({"op": "run", "json": data, "stream": [{"input": s["input"], "target": None} for s in steps]})
    net = from_json(data)
    np.testing.assert_allclose([net.activate(s["input"]) for s in steps], ref["outputs"], rtol=0, atol=1e-9)
