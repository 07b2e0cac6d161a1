"""Synaptic JSON and graph configs from elsewhere: one clear error or a correct network, in bounded
time and memory. Bounds are asserted in child processes under ``resource`` limits, never by timing."""

import copy
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from axonal.graph import Graph, GraphLayer, GraphNetwork
from axonal.graph.limits import MAX_UNITS
from axonal.synaptic.json_read import MAX_SYNAPTIC_DEPTH
from axonal.synaptic import SynapticJSONError, from_json, to_json


def fixture_json():
    """A network with every gate kind and self-connections, exported to Synaptic's format."""
    g = Graph()
    x, ig, cell, og, out = (g.layer("input", 3), g.layer("ig", 4), g.layer("cell", 4, "tanh"), g.layer("og", 4),
                            g.layer("output", 2, "identity"))
    for gate in (ig, og):
        x.project(gate)
    ig.gate(x.project(cell), "input")
    ig.gate(cell.project(cell), "one_to_one")
    og.gate(cell.project(out), "output")
    g.gate(x.project(out), "ig", "synapse", index=np.array([[0, -1], [2, 3], [-1, 1]]))
    return to_json(GraphNetwork(g, dtype="float64", seed=1))


def hidden_all_to_all(n_in, n_hidden, n_out):
    """Synaptic's Perceptron(n_in, n_hidden, n_out) with its hidden layer projecting all-to-all onto itself."""
    neurons = ([{"bias": 0.0, "layer": "input", "squash": "LOGISTIC"}] * n_in
               + [{"bias": 0.1, "layer": 0, "squash": "LOGISTIC"}] * n_hidden
               + [{"bias": 0.2, "layer": "output", "squash": "LOGISTIC"}] * n_out)
    hidden = range(n_in, n_in + n_hidden)
    conns = [{"from": i, "to": j, "weight": 0.01, "gater": None} for i in range(n_in) for j in hidden]
    conns += [{"from": i, "to": j, "weight": 1.0 if i == j else 0.001, "gater": None} for i in hidden for j in hidden]
    conns += [{"from": i, "to": j, "weight": 0.02, "gater": None} for i in hidden
              for j in range(n_in + n_hidden, n_in + n_hidden + n_out)]
    return {"neurons": neurons, "connections": conns}


def run_limited(code, memory_mb, cpu_s):
    """Run ``code`` in a child under RLIMIT_AS / RLIMIT_CPU; return (exit code, stdout, stderr)."""
    prelude = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} << 20, {memory_mb} << 20))
        resource.setrlimit(resource.RLIMIT_CPU, ({cpu_s}, {cpu_s}))
    """)
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], check=False, capture_output=True,
                          text=True,
                          timeout=cpu_s * 10)
    return done.returncode, done.stdout, done.stderr


# -- one error type, naming the neuron or connection --------------------------------------------
@pytest.mark.parametrize("edit,message", [
    (lambda d: d["neurons"][5].update(bias=float("nan")), r"neuron 5 has bias nan; a bias is a finite number"),
    (lambda d: d["neurons"][5].update(bias=True), r"neuron 5 has bias True"),
    (lambda d: d["neurons"][5].update(bias="0.5"), r"neuron 5 has bias '0.5'"),
    (lambda d: d["neurons"][4].pop("bias"), r"neuron 4 has no 'bias'"),
    (lambda d: d["neurons"][4].update(squash=["TANH"]), r"neuron 4 has squash \['TANH'\]"),
    (lambda d: d["neurons"][4].update(layer=-1), r"neuron 4 has layer -1"),
    (lambda d: d["neurons"][4].update(layer="9" * 5000), r"neuron 4 has layer '9999"),
    (lambda d: d["neurons"].__setitem__(2, 7), r"neuron 2 must be an object, got int"),
    (lambda d: d["connections"][3].update(weight=10 ** 400), r"connection 3 has weight 1000"),
    (lambda d: d["connections"][3].update(weight=None), r"connection 3 has weight None"),
    (lambda d: d["connections"][3].pop("weight"), r"connection 3 has no 'weight'"),
    (lambda d: d["connections"][3].update(gater=True), r"connection 3 has gater True"),
    (lambda d: d["connections"][3].update(to=2.0), r"connection 3 has to 2.0"),
    (lambda d: d["connections"][3].update({"from": 10 ** 30}), r"connection 3 has from 1000"),
    (lambda d: d["connections"].__setitem__(1, [0, 1]), r"connection 1 must be an object, got list"),
])
def test_each_bad_value_is_one_error_naming_its_neuron_or_connection(edit, message):
    data = copy.deepcopy(fixture_json())
    edit(data)
    with pytest.raises(SynapticJSONError, match=message):
        from_json(data)
    with pytest.raises(SynapticJSONError, match=message):          # the same through json text
        from_json(json.dumps(data))


def test_the_error_class_is_a_value_error_and_exported():
    import axonal.graph
    assert issubclass(SynapticJSONError, ValueError) and "SynapticJSONError" in axonal.synaptic.__all__


def test_nan_in_the_text_deep_nesting_and_huge_values_are_refused_cleanly(tmp_path):
    text = json.dumps(fixture_json())
    with pytest.raises(SynapticJSONError, match="neuron 0 has bias nan; a bias is a finite number"):
        from_json(text.replace('"bias": 0,', '"bias": NaN,', 1))
    with pytest.raises(SynapticJSONError, match="connection 0 has weight -inf"):
        from_json(text.replace('"weight": ', '"weight": -Infinity, "w": ', 1))
    deep = '{"neurons": ' + "[" * 100_000 + "]" * 100_000 + ', "connections": []}'
    with pytest.raises(SynapticJSONError, match=f"nested 100001 deep exceed the limit MAX_SYNAPTIC_DEPTH = "
                                                f"{MAX_SYNAPTIC_DEPTH}"):
        from_json(deep)
    brackets_in_strings = text.replace('"LOGISTIC"', '"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[LOGISTIC"', 1)
    with pytest.raises(SynapticJSONError, match=r"squash '\[\[\["):            # strings do not count as nesting
        from_json(brackets_in_strings)
    with pytest.raises(SynapticJSONError, match="not valid JSON"):
        from_json(text.replace('"bias": 0', '"bias": ' + "1" * 5000, 1))


def test_a_huge_string_does_not_end_up_in_the_message():
    data = copy.deepcopy(fixture_json())
    data["neurons"][4]["squash"] = "X" * 5_000_000
    with pytest.raises(SynapticJSONError) as info:
        from_json(data)
    assert "neuron 4" in str(info.value) and len(str(info.value)) < 400


def test_files_that_are_not_regular_files_are_refused_without_blocking(tmp_path):
    import os
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(SynapticJSONError, match="pipe.json: not a regular file"):
        from_json(fifo)
    with pytest.raises(SynapticJSONError, match="not a regular file"):
        from_json(tmp_path)


def test_a_few_synapses_between_big_layers_cannot_allocate_n_squared():
    neurons = [{"bias": 0, "layer": "input"}] * 20_000 + [{"bias": 0, "layer": "output"}] * 20_000
    data = {"neurons": neurons, "connections": [{"from": 0, "to": 20_000, "weight": 1.0, "gater": None}]}
    with pytest.raises(SynapticJSONError, match="would need 400000000 weight values .* the limit is max"):
        from_json(data)


@pytest.mark.slow
def test_a_300_neuron_all_to_all_hidden_layer_imports_in_linear_time_and_memory(tmp_path):
    """89,700 synapses inside one layer are one in_order connection, not 90,600 one-neuron
    connections. Bounded by CPU seconds in a child, not timed."""
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(hidden_all_to_all(3, 300, 2)))
    code = f"""
        import json
        from axonal.synaptic import from_json
        whole = from_json({str(path)!r}, split_layers=False)
        assert [c.kind for c in whole.graph.connections] == ["all_to_all", "all_to_else", "all_to_all", "one_to_one"]
        net = from_json({str(path)!r})
        assert len(net.graph.nodes) == 3 and [c.kind for c in net.graph.connections] == [
            "all_to_all", "in_order", "all_to_all", "one_to_one"], net.graph.connections
        print("ok")
    """
    rc, out, err = run_limited(code, memory_mb=3000, cpu_s=10)
    assert rc == 0 and out.strip() == "ok", err[-2000:]


def test_the_imported_network_is_the_synaptic_network():
    data = hidden_all_to_all(2, 4, 1)
    net = from_json(data)
    w = net.get_weights()
    assert list(net.graph.nodes) == ["input", "hidden_0", "output"]
    inner = w["hidden_0_to_hidden_0.weight"]
    assert inner[1, 2] == 0.001 and np.diag(inner).tolist() == [0.0] * 4
    assert w["hidden_0.bias"].tolist() == [0.1] * 4 and w["input_to_hidden_0.weight"].shape == (2, 4)
    split = from_json(data, in_order=False)
    assert len(split.graph.nodes) == 2 + 4 and split.get_weights()["hidden_0_1_to_hidden_0_2.weight"].tolist() == [0.001]
    x = np.random.default_rng(0).uniform(-2, 2, (3, 6, 2))
    np.testing.assert_allclose(net.predict(x), split.predict(x), rtol=0, atol=1e-14)


def test_repeated_synapses_mean_what_synaptic_fromjson_makes_of_them():
    """Synaptic's project() reuses a synapse (new weight) unless the target already projects back."""
    neurons = [{"bias": 0, "layer": "input"}] * 2 + [{"bias": 0.1, "layer": 0}] * 2 + [{"bias": 0.2, "layer": "output"}]
    again = [{"from": 0, "to": 2, "weight": 0.5, "gater": None}] * 100_000 + [
        {"from": 0, "to": 2, "weight": 0.7, "gater": None}, {"from": 2, "to": 4, "weight": 1.0, "gater": None}]
    net = from_json({"neurons": neurons, "connections": again})
    assert len(net.graph.connections) == 2 and net.get_weights()["input_to_hidden_0.weight"][0, 0] == 0.7
    back = [{"from": 2, "to": 3, "weight": 0.3, "gater": None}, {"from": 3, "to": 2, "weight": 0.4, "gater": None},
            {"from": 2, "to": 3, "weight": 0.9, "gater": None}, {"from": 3, "to": 4, "weight": 1.0, "gater": None}]
    net = from_json({"neurons": neurons, "connections": back})
    made = sorted((c["from"], c["to"], c["weight"]) for c in to_json(net)["connections"])
    assert made == [(2, 3, 0.3), (2, 3, 0.9), (3, 2, 0.4), (3, 4, 1.0)]
    gated = again[-2:] + [dict(again[0], gater=3), dict(again[0], gater=3)]
    with pytest.raises(SynapticJSONError, match="connection 3 gates synapse 0 → 2 again"):
        from_json({"neurons": neurons, "connections": gated})


def test_documents_past_a_limit_are_refused_naming_it(tmp_path):
    from axonal.synaptic.json_read import (
        MAX_SYNAPTIC_ARRAYS,
        MAX_SYNAPTIC_BLOCKS,
        MAX_SYNAPTIC_LAYERS,
        MAX_SYNAPTIC_NEURONS,
        MAX_SYNAPTIC_VALUES,
    )
    out = [{"bias": 0, "layer": "output"}]
    layers = {"neurons": [{"bias": 0, "layer": "input"}] + [{"bias": 0, "layer": i} for i in range(5000)] + out,
              "connections": []}
    with pytest.raises(SynapticJSONError, match=f"5002 layers .* MAX_SYNAPTIC_LAYERS = {MAX_SYNAPTIC_LAYERS}"):
        from_json(layers)
    chain = {"neurons": [{"bias": 0, "layer": "input"}] + [{"bias": 0, "layer": i} for i in range(4000)] + out,
             "connections": [{"from": i, "to": i + 1, "weight": 1, "gater": None} for i in range(4001)] * 5}
    chain["connections"] += [{"from": i + 1, "to": i, "weight": 1, "gater": None} for i in range(4001)] * 5
    with pytest.raises(SynapticJSONError, match=f"MAX_SYNAPTIC_BLOCKS = {MAX_SYNAPTIC_BLOCKS}"):
        from_json(chain)
    many = '{"connections": [], "neurons": [' + ",".join(['{"bias":0,"layer":0}'] * (MAX_SYNAPTIC_NEURONS + 5)) + "]}"
    with pytest.raises(SynapticJSONError, match=f"more than {MAX_SYNAPTIC_NEURONS} neurons .* MAX_SYNAPTIC_NEURONS"):
        from_json(many)
    (tmp_path / "values.json").write_text('{"neurons": [' + ",".join(["1"] * (MAX_SYNAPTIC_VALUES + 1)) + ']}')
    with pytest.raises(SynapticJSONError, match=f"values.json: {MAX_SYNAPTIC_VALUES + 1} values exceed the limit "
                                                f"MAX_SYNAPTIC_VALUES"):
        from_json(tmp_path / "values.json")
    arrays = '{"neurons": [' + ",".join(["[]"] * (MAX_SYNAPTIC_ARRAYS + 1)) + '], "x": "[[[["}'
    with pytest.raises(SynapticJSONError, match=f"{MAX_SYNAPTIC_ARRAYS + 2} arrays exceed the limit "
                                                f"MAX_SYNAPTIC_ARRAYS"):
        from_json(arrays)


@pytest.mark.slow
def test_a_document_of_300000_neurons_is_refused_within_the_memory_bound(tmp_path):
    path = tmp_path / "neurons.json"
    path.write_text(json.dumps({"neurons": [{"bias": 0.1, "layer": i, "squash": "LOGISTIC"} for i in range(300_000)],
                                "connections": []}))
    code = f"""
        import resource
        from axonal.synaptic import SynapticJSONError, from_json
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            from_json({str(path)!r})
        except SynapticJSONError as exc:
            assert "MAX_SYNAPTIC_NEURONS" in str(exc), exc
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        assert grown < 150 * 1024, grown          # KiB
        print("ok")
    """
    rc, out, err = run_limited(code, memory_mb=3000, cpu_s=20)
    assert rc == 0 and out.strip() == "ok", err[-2000:]


# -- a seeded mutation loop: every case ends in SynapticJSONError or a correct import ------------------
def _mutations(rng, data):
    text = json.dumps(data)
    kind = rng.integers(8)
    if kind == 0:                                    # flip a byte
        pos = int(rng.integers(len(text)))
        return text[:pos] + chr(int(rng.integers(32, 127))) + text[pos + 1:]
    if kind == 1:                                    # truncate
        return text[:int(rng.integers(len(text)))]
    mutated = copy.deepcopy(data)
    entries = mutated["neurons"] if rng.random() < 0.5 else mutated["connections"]
    entry = entries[int(rng.integers(len(entries)))]
    key = list(entry)[int(rng.integers(len(entry)))]
    if kind == 2:
        del entry[key]
    elif kind == 3:
        entry[key] = [None, True, "x", 1e308 * 10, -1, 2 ** 70, {"a": []}, [1], 1.5, "input"][int(rng.integers(10))]
    elif kind == 4:
        entry[key.capitalize()] = entry.pop(key)
    elif kind == 5:
        entries.append(copy.deepcopy(entry))
    elif kind == 6:
        entries.pop(int(rng.integers(len(entries))))
    else:
        mutated[["neurons", "connections", "extra"][int(rng.integers(3))]] = [[[[]]]] if rng.random() < 0.5 else 7
    return json.dumps(mutated) if rng.random() < 0.5 else mutated


@pytest.mark.slow
def test_seeded_mutations_end_in_the_documented_error_or_a_correct_import():
    rng = np.random.default_rng(2024)
    base = fixture_json()
    outcomes = {"error": 0, "loaded": 0}
    for _ in range(600):
        case = _mutations(rng, base)
        try:
            net = from_json(case)
        except SynapticJSONError as exc:
            assert len(str(exc)) < 600
            outcomes["error"] += 1
            continue
        y = net.predict(np.zeros((1, 2, net.graph_layer.sizes[0])))
        assert np.isfinite(y).all()
        outcomes["loaded"] += 1
    assert outcomes["error"] > 300 and outcomes["loaded"] > 20, outcomes


# -- graph configs from model files: strict and bounded ---------------------------------------------------
def graph_config():
    g = Graph()
    inp, hid, out = g.layer("input", 2), g.layer("hidden", 3, "tanh"), g.layer("output", 1)
    g.layer("gate", 3).gate(inp.project(hid), "input")
    hid.project(hid)
    hid.project(out)
    return g.get_config()


@pytest.mark.parametrize("edit,message", [
    (lambda c: c["connections"][0].__setitem__("Gater", c["connections"][0].pop("gater")),
     r"connection 0 \('input_to_hidden'\): unknown key 'Gater'"),
    (lambda c: c["layers"][1].__setitem__("Activation", c["layers"][1].pop("activation")),
     r"layer 1 \('hidden'\): unknown key 'Activation'"),
    (lambda c: c["layers"][1].update(size=True), r"layer 1 \('hidden'\): .*positive integer size"),
    (lambda c: c["layers"][1].update(size=3.0), r"layer 1 \('hidden'\): .*positive integer size"),
    (lambda c: c["layers"][1].update(bias=float("nan")), r"layer 1 \('hidden'\): 'bias' must be"),
    (lambda c: c["layers"][1].update(activation="tahn"), r"layer 1 \('hidden'\): .*unknown activation"),
    (lambda c: c["layers"][1].update(activation=["tanh"]), r"layer 1 \('hidden'\): 'activation' must be"),
    (lambda c: c["connections"][0].update(gate_kind="inptu"), r"connection 0 .*gate kind must be one of"),
    (lambda c: c["connections"][0].pop("gate_kind"), r"connection 0 .*'gater' and 'gate_kind' come together"),
    (lambda c: c["connections"][1].update(trainable=1), r"connection 1 .*'trainable' must be true or false"),
    (lambda c: c["connections"][1].update(target="nowhere"), r"connection 1 .*no layer named 'nowhere'"),
    (lambda c: c["connections"][2].update(weights=[[0.1], ["x"], [0.2]]), r"connection 2 .*must be numbers"),
    (lambda c: c["connections"][2].update(mask=[[1], [2], [0]]), r"connection 2 .*mask values must be 0/1"),
    (lambda c: c["connections"][1].update(name="x\nimport os"), r"connection 1 .*name 'x\\x0aimport os'"),
    (lambda c: c["layers"][0].update(name="input\n"), r"layer 0 .*name 'input\\x0a' is not allowed"),
    (lambda c: c.update(conections=[]), r"unknown key 'conections'"),
    (lambda c: c["layers"][1].update(size=MAX_UNITS + 1), r"exceeds the limit MAX_UNITS"),
])
def test_graph_configs_are_strict_and_name_the_entry_and_key(edit, message):
    config = graph_config()
    Graph.from_config(copy.deepcopy(config))                      # the unedited config is fine
    edit(config)
    with pytest.raises(ValueError, match=message):
        Graph.from_config(config)


def test_graph_layer_options_are_type_checked():
    with pytest.raises(TypeError, match="return_sequences must be True or False"):
        GraphLayer(graph_config(), return_sequences="no")


def test_connection_and_layer_name_checks_take_linear_time():
    """20,000 named connections (MAX_CONNECTIONS): the old blueprint scanned every name for each
    one; one more is refused before anything is built. CPU-bounded."""
    code = """
        from axonal.graph import Graph
        from axonal.graph.limits import MAX_CONNECTIONS
        layers = [{"name": "input", "size": 1}] + [{"name": f"l{i}", "size": 1} for i in range(200)]
        conns = [{"name": f"c{k}", "source": f"l{k % 200}", "target": f"l{(k * 7 + 1) % 200}",
                  "kind": "all_to_all"} for k in range(MAX_CONNECTIONS + 1)]
        g = Graph.from_config({"layers": layers, "connections": conns[:-1]})
        assert len(g.connections) == MAX_CONNECTIONS
        try:
            Graph.from_config({"layers": layers, "connections": conns})
        except ValueError as exc:
            assert "MAX_CONNECTIONS" in str(exc), exc
        else:
            raise AssertionError("over the limit, yet built")
        print("ok")
    """
    rc, out, err = run_limited(code, memory_mb=2000, cpu_s=30)
    assert rc == 0 and out.strip() == "ok", err[-2000:]


def test_a_huge_all_to_else_layer_is_sized_from_the_config_not_allocated():
    """50,000 neurons projecting all-to-else: the old blueprint built a 50,000² identity mask at once.
    Now the config is checked (here against MAX_WEIGHTS) with almost no memory."""
    code = """
        from axonal.graph import Graph, GraphNetwork
        config = {"graph_network": {"graph": {
            "layers": [{"name": "input", "size": 1}, {"name": "big", "size": 16_000}],
            "connections": [{"name": "in", "source": "input", "target": "big", "kind": "all_to_all"},
                            {"name": "loop", "source": "big", "target": "big", "kind": "all_to_else"}]}}}
        net = GraphNetwork.from_config(config, build=False)          # what a loader does first
        specs, _ = net.plan((1,))
        assert [s.shape for s in specs][-1] == (16_000, 16_000)
        config["graph_network"]["graph"]["layers"][1]["size"] = 50_000
        try:
            GraphNetwork.from_config(config, build=False)
        except ValueError as exc:
            assert "exceeds the limit MAX_WEIGHTS" in str(exc), exc
            print("ok")
    """
    rc, out, err = run_limited(code, memory_mb=600, cpu_s=20)
    assert rc == 0 and out.strip() == "ok", err[-2000:]
