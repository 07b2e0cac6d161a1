"""axonal.synaptic's Neuron, Layer and Network: every method, its errors, and the compiled engine.

Ports of Synaptic's own examples, checked against Synaptic under node, are in
tests/test_synaptic_ports.py; here each method is checked on its own, the compiled
(Numba) and NumPy engines are compared on the same cases, and wrong input is refused
with a message naming what is wrong.
"""

import itertools
import json
import shutil
import subprocess

import numpy as np
import pytest
from synaptic_node import requires_synaptic, run_synaptic

import axonal.jit
from axonal.synaptic import Layer, Network, Neuron
from axonal.synaptic.objects import SQUASH, mulberry32, seed, use_random

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def perceptron(sizes=(2, 3, 1)):
    layers = [Layer(n) for n in sizes]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1])


def lstm(n_in=2, blocks=3, n_out=1):
    """Synaptic's README LSTM: gates of every type, peepholes, a gated self-connection."""
    inp, ig, fg, cell, og, out = (Layer(n) for n in (n_in, blocks, blocks, blocks, blocks, n_out))
    into = inp.project(cell)
    for gate in (ig, fg, og):
        inp.project(gate)
    leaving = cell.project(out)
    own = cell.project(cell)
    for gate in (ig, fg, og):
        cell.project(gate)
    ig.gate(into, Layer.gateType.INPUT)
    fg.gate(own, Layer.gateType.ONE_TO_ONE)
    og.gate(leaving, Layer.gateType.OUTPUT)
    inp.project(out)
    return Network(input=inp, hidden=[ig, fg, cell, og], output=out)


def weights(net):
    return np.array([c["weight"] for c in net.to_json()["connections"]] + [n["bias"] for n in net.to_json()["neurons"]])


def run(net, steps, rate=0.1, seed_=0):
    rng = np.random.default_rng(seed_)
    n_in, n_out = net.inputs(), net.outputs()
    out = []
    for _ in range(steps):
        out.append(net.activate(rng.uniform(0, 1, n_in)))
        net.propagate(rate, rng.integers(0, 2, n_out).astype(float))
    return np.array(out)


# -- the engine: compiled and NumPy agree ----------------------------------------------------------------------
@pytest.mark.parametrize("make", [perceptron, lstm])
def test_compiled_and_numpy_engines_agree_on_outputs_weights_and_biases(make):
    results = []
    for compiled in (False, True):
        seed(4)
        net = make()
        with axonal.jit.using(compiled):
            results.append((run(net, 150), weights(net)))
    (out_np, w_np), (out_c, w_c) = results
    np.testing.assert_allclose(out_c, out_np, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w_c, w_np, rtol=0, atol=1e-12)


def test_the_objects_read_and_write_the_compiled_arrays():
    seed(0)
    inp, out = Layer(2), Layer(1)
    conn = inp.project(out)
    net = Network(input=inp, output=out)
    net.activate([0.5, 0.25])                       # compiled now
    a, b = conn.list
    a.weight, b.weight = 2.0, -1.0
    out.list[0].bias = 0.5
    y = net.activate([1.0, 3.0])[0]
    assert y == pytest.approx(1 / (1 + np.exp(-(2.0 - 3.0 + 0.5))), abs=1e-15)
    n = out.list[0]
    assert n.activation == y and n.state == pytest.approx(-0.5, abs=1e-15)
    assert n.derivative == pytest.approx(y * (1 - y), abs=1e-15)
    assert inp.list[1].activation == 3.0 and inp.list[0].bias == 0
    net.propagate(0.5, [1.0])                       # δ = t - y moves the bias by rate·δ
    assert n.bias == pytest.approx(0.5 + 0.5 * (1 - y), abs=1e-15)
    assert a.weight == pytest.approx(2.0 + 0.5 * (1 - y) * 1.0, abs=1e-15)


def test_a_change_of_structure_recompiles_and_keeps_state_and_weights():
    seed(1)
    net = perceptron()
    run(net, 20)
    before = net.to_json()
    extra = Layer(1)
    net.layers["output"].project(extra)             # structure changed: the engine hands values back
    assert net.to_json() == before
    assert net._engine is None or not net._engine.alive
    run(net, 1)                                     # and compiles again
    assert net._engine.alive


# -- Neuron ----------------------------------------------------------------------------------------------
def test_neuron_project_reuses_connections_and_self_connects():
    a, b = Neuron(), Neuron()
    c = a.project(b, 0.5)
    assert a.project(b) is c and c.weight == 0.5
    assert a.project(b, 0.25) is c and c.weight == 0.25
    assert a.connected(b).type == "projected" and b.connected(a).type == "inputs"
    back = b.project(a)                              # b already reads a: a new connection
    assert back is not c and a.connected(b).connection is back    # inputs are looked at first
    assert not a.selfconnected() and a.connected(a) is None
    own = a.project(a)
    assert own is a.selfconnection and own.weight == 1 and a.selfconnected()
    assert a.connected(a).type == "selfconnection"
    assert a.project(a, 0.5).weight == 0.5           # kept (Synaptic would set 1)
    g = Neuron()
    g.gate(c)
    assert c.gater is g and c.gain == 1.0 and g.connected(b).type == "gated"
    with pytest.raises(ValueError, match="already gated by neuron"):
        Neuron().gate(c)
    with pytest.raises(TypeError, match="can only project to a Neuron"):
        a.project(Layer(1))
    with pytest.raises(TypeError, match="expected a Connection"):
        g.gate(b)


def test_free_neurons_learn_in_a_group():
    seed(2)
    a, b, c = Neuron(), Neuron(), Neuron()
    a.project(b)
    b.project(c)
    for _ in range(3000):
        a.activate(1)
        b.activate()
        c.activate()
        c.propagate(0.3, 0.0)
        b.propagate(0.3)                               # hidden: it learnt with the group
    a.activate(1)
    b.activate()
    assert c.activate() < 0.05


def test_free_layers_run_like_the_network_of_the_same_layers():
    runs = []
    for as_network in (True, False):
        use_random(mulberry32(8))
        inp, hidden, out = Layer(2), Layer(3), Layer(1)
        inp.project(hidden)
        hidden.project(out)
        net = Network(input=inp, hidden=[hidden], output=out)
        outputs = []
        for _ in range(200):
            for x, t in XOR:
                if as_network:
                    outputs.append(net.activate(x)[0])
                    net.propagate(0.3, t)
                else:
                    inp.activate(x)
                    hidden.activate()
                    outputs.append(out.activate()[0])
                    out.propagate(0.3, t)
                    hidden.propagate(0.3)
        runs.append((outputs, weights(net)))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=0, atol=1e-12)


def test_free_neurons_refuse_what_has_no_meaning():
    a, b, c = Neuron(), Neuron(), Neuron()
    a.project(b)
    a.project(c)
    with pytest.raises(ValueError, match="no incoming connections: activate it with a value"):
        a.activate()
    with pytest.raises(ValueError, match="has incoming connections; activate it without a value"):
        a.activate(1)
        b.activate()
        b.activate(0.5)
    with pytest.raises(ValueError, match="is an output .* propagate it with a target"):
        b.propagate(0.1)
    with pytest.raises(ValueError, match="only an output neuron takes a target"):
        d, e = Neuron(), Neuron()
        e.project(d)
        e.activate(1)
        d.project(Neuron())
        d.activate()
        d.propagate(0.1, 1.0)
    with pytest.raises(ValueError, match="have no output"):
        lone = Neuron()
        lone.project(lone)
        lone.activate()
    c.squash = SQUASH.TANH
    with pytest.raises(ValueError, match="mix squash functions"):
        b.activate()
    with pytest.raises(TypeError, match="input must be a number"):
        a.activate("1")
    with pytest.raises(ValueError, match="rate must be finite"):
        b.propagate(float("nan"), 0.0)


def test_neuron_clear_and_reset():
    seed(5)
    a, b = Neuron(), Neuron()
    conn = a.project(b)
    a.activate(1)
    b.activate()
    b.propagate(0.3, 0)
    state, w = b.state, conn.weight
    b.clear()
    assert b.state == state and conn.weight == w
    b.reset()
    assert b.state == b.activation == b.old == 0 and conn.weight != w and -0.1 <= conn.weight < 0.1


def test_squash_functions_are_synaptics():
    assert Neuron.squash.LOGISTIC(0.0) == 0.5 and Neuron.squash.LOGISTIC(0.0, True) == 0.25
    assert SQUASH.TANH(0.5, True) == pytest.approx(1 - np.tanh(0.5) ** 2)
    assert SQUASH.HLIM(0.2) == 1.0 and SQUASH.HLIM(-1, True) == 1.0 and SQUASH.RELU(-2.0) == 0.0
    n = Neuron()
    assert n.squash is SQUASH.LOGISTIC
    n.squash = "tanh"
    assert n.squash is SQUASH.TANH
    with pytest.raises(ValueError, match="squash must be one of Synaptic's"):
        n.squash = "softmax"


# -- Layer ------------------------------------------------------------------------------------------------
def test_layer_connection_types():
    a, b = Layer(3), Layer(3)
    assert a.project(b, Layer.connectionType.ONE_TO_ONE).size == 3
    assert a.connected(b) == Layer.connectionType.ONE_TO_ONE
    assert a.project(b) is None                      # already connected
    c = Layer(2)
    full = a.project(c, "ALL_TO_ALL", 0.5)
    assert full.size == 6 and all(x.weight == 0.5 for x in full.list)
    assert a.connected(c) == Layer.connectionType.ALL_TO_ALL
    pool = Layer(3)
    inner = pool.project(pool, Layer.connectionType.ALL_TO_ELSE)
    assert inner.size == 6 and not any(n.selfconnected() for n in pool.neurons())
    own = Layer(2)
    assert own.project(own).size == 2 and own.selfconnected()       # a layer onto itself: ONE_TO_ONE
    with pytest.raises(ValueError, match="ONE_TO_ONE needs layers of one size; got 3 → 2"):
        Layer(3).project(Layer(2), Layer.connectionType.ONE_TO_ONE)
    with pytest.raises(ValueError, match="connectionType must be one of"):
        Layer(1).project(Layer(1), "SOME")
    with pytest.raises(TypeError, match="only project to a Layer or a Network"):
        Layer(1).project(Neuron())


def test_projecting_a_layer_onto_a_network_of_the_wrong_size_is_refused():
    net = perceptron((3, 2, 1))
    assert Layer(3).project(net, Layer.connectionType.ONE_TO_ONE).to is net.layers["input"]
    with pytest.raises(ValueError, match="ONE_TO_ONE needs layers of one size; got 2 → 3"):
        Layer(2).project(net, Layer.connectionType.ONE_TO_ONE)


def test_layer_gate_types_and_their_errors():
    inp, cell, out = Layer(2), Layer(3), Layer(2)
    into, leaving = inp.project(cell), cell.project(out)
    own = cell.project(cell)
    gates = Layer(3)
    gates.gate(into, Layer.gateType.INPUT)
    assert all(c.gater is gates.list[cell.list.index(c.to)] for c in into.list)
    Layer(3).gate(leaving, "OUTPUT")
    assert all(c.gater is not None for c in leaving.list)
    forget = Layer(3)
    forget.gate(own, Layer.gateType.ONE_TO_ONE)
    assert [n.selfconnection.gater for n in cell.list] == forget.list
    assert own.gatedfrom == [{"layer": forget, "type": "ONE TO ONE"}]
    with pytest.raises(ValueError, match="already gated by neuron"):
        Layer(3).gate(into, Layer.gateType.INPUT)
    with pytest.raises(ValueError, match=r"INPUT gating needs the gater layer \(2 neurons\) and the CONNECTION.TO "
                                         r"layer \(3\)"):
        Layer(2).gate(inp.project(Layer(3)), Layer.gateType.INPUT)
    with pytest.raises(ValueError, match="OUTPUT gating needs"):
        Layer(3).gate(inp.project(Layer(4)), Layer.gateType.OUTPUT)
    with pytest.raises(ValueError, match="ONE_TO_ONE gating needs .* the number of connections"):
        Layer(2).gate(Layer(2).project(Layer(2)), Layer.gateType.ONE_TO_ONE)
    with pytest.raises(ValueError, match="gateType must be one of"):
        Layer(3).gate(cell.project(Layer(3)), "SIDEWAYS")


def test_layer_set_activate_propagate_and_their_errors():
    layer = Layer(3).set({"squash": Neuron.squash.IDENTITY, "bias": 0, "label": "h"})
    assert all(n.squash is SQUASH.IDENTITY and n.bias == 0 for n in layer.neurons())
    assert layer.list[0].label == f"h_{layer.list[0].ID}"
    assert layer.set(bias=0.5).list[2].bias == 0.5
    with pytest.raises(ValueError, match="unknown options"):
        layer.set({"colour": 1})
    with pytest.raises(ValueError, match="the layer has 3 neurons; got 2 input values"):
        layer.activate([1, 2])
    with pytest.raises(ValueError, match="the layer has 3 neurons; got 1 targets"):
        layer.propagate(0.1, [1])
    with pytest.raises(ValueError, match="size must be a whole number"):
        Layer(-1)
    layer.add()
    assert layer.size == 4


# -- Network ----------------------------------------------------------------------------------------------
def test_network_construction_and_description():
    inp, hidden, out = Layer(2), Layer(3), Layer(1)
    net = Network({"input": inp, "hidden": [hidden], "output": out})
    same = Network(input=inp, hidden=[hidden], output=out)
    assert net.layers == same.layers and net.inputs() == 2 and net.outputs() == 1
    listed = net.neurons()
    assert [e["layer"] for e in listed] == ["input"] * 2 + [0] * 3 + ["output"]
    assert listed[2]["neuron"] is hidden.list[0]
    net.set_optimize(False)
    net.setOptimize(True)
    assert net.optimized is True
    with pytest.raises(TypeError, match="output must be a Layer"):
        Network(input=inp, output=[out])
    with pytest.raises(ValueError, match="a layer appears twice"):
        Network(input=inp, hidden=[inp], output=out)
    with pytest.raises(ValueError, match="unknown layers"):
        Network({"input": inp, "outputs": out})


def test_network_refuses_inputs_and_targets_of_the_wrong_length():
    net = perceptron()
    with pytest.raises(ValueError, match="the input layer has 2 neurons; got 3 values"):
        net.activate([1, 2, 3])
    net.activate([1, 0])
    with pytest.raises(ValueError, match="the output layer has 1 neurons; got 2 target values"):
        net.propagate(0.1, [1, 0])
    with pytest.raises(ValueError, match="learns from a target"):
        net.propagate(0.1)


def test_network_project_and_gate():
    first, second = perceptron((2, 3, 2)), perceptron((2, 2, 1))
    link = first.project(second, Layer.connectionType.ONE_TO_ONE)
    assert link.from_ is first.layers["output"] and link.to is second.layers["input"]
    with pytest.raises(ValueError, match="ONE_TO_ONE needs layers of one size; got 2 → 3"):
        first.project(perceptron((3, 1)), Layer.connectionType.ONE_TO_ONE)
    gated = Layer(2).project(Layer(2))
    first.gate(gated, Layer.gateType.OUTPUT)
    assert {c.gater for c in gated.list} == set(first.layers["output"].list)
    with pytest.raises(TypeError, match="only project to a Layer or a Network"):
        first.project(Neuron())


def test_clone_and_json_continue_exactly():
    seed(6)
    net = lstm()
    clone = net.clone()                               # fresh: both start alike
    np.testing.assert_allclose(run(clone, 100), run(net, 100), rtol=0, atol=1e-12)
    seed(7)
    mlp = perceptron((2, 4, 3, 1))
    run(mlp, 50)
    text = json.dumps(mlp.toJSON())                   # state, old and activation travel too
    again = Network.fromJSON(text)
    assert again.to_json() == mlp.to_json()
    np.testing.assert_allclose(run(again, 30, seed_=3), run(mlp, 30, seed_=3), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="neuron 0 has layer"):
        Network.from_json({"neurons": [{"layer": "side", "bias": 0}], "connections": []})


def test_clear_keeps_state_and_weights_and_zeroes_traces():
    seed(8)
    net = lstm()
    seed(8)
    twin = lstm()
    run(net, 30)
    run(twin, 30)
    before = net.to_json()
    net.clear()
    assert net.to_json() == before
    learner = net._engine.learner
    assert all(not t.any() for t in learner.trace.values()) and all(not x.any() for x in learner.xtrace.values())
    assert all(not r.any() for r in learner.resp)
    for layer in twin.layers["hidden"] + [twin.layers["output"]]:     # neuron by neuron: the same
        for n in layer.neurons():
            n.clear()
    other = twin._engine.learner
    assert all(not t.any() for t in other.trace.values()) and all(not x.any() for x in other.xtrace.values())
    np.testing.assert_allclose(run(twin, 20, seed_=5), run(net, 20, seed_=5), rtol=0, atol=1e-12)


def test_reset_draws_new_weights_and_zeroes_the_state():
    seed(9)
    net = perceptron()
    run(net, 30)
    before = weights(net)
    net.reset()
    after = net.to_json()
    assert all(n["state"] == n["activation"] == n["old"] == 0 for n in after["neurons"])
    assert all(-0.1 <= c["weight"] < 0.1 for c in after["connections"]) and not np.allclose(weights(net), before)


def test_same_seed_same_network():
    seed(3)
    a = perceptron()
    seed(3)
    b = perceptron()
    assert a.to_json() == b.to_json()
    np.testing.assert_array_equal(run(a, 20), run(b, 20))


def test_standalone_computes_what_the_network_computes(tmp_path):
    seed(10)
    net = perceptron()
    run(net, 40)
    x = [0.3, 0.9]
    expected = np.ravel(net.graph_network.predict(np.array([x])))
    source = net.standalone()
    if source.lstrip().startswith("//"):          # JavaScript (axonal.export.to_javascript)
        if shutil.which("node") is None:
            pytest.skip("standalone() gives JavaScript, and node is not installed to run it")
        path = tmp_path / "net.js"
        path.write_text(source, encoding="utf-8")
        script = f"const m = require({json.dumps(str(path))}); console.log(JSON.stringify(m.predict({json.dumps(x)})));"
        got = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    else:                                         # Python (axonal.export.to_python)
        space: dict = {}
        exec(compile(source, "<standalone>", "exec"), space)  # noqa: S102 - the exported module under test
        got = space["predict"](x)
    np.testing.assert_allclose(np.ravel(got), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.activate(x), expected, rtol=0, atol=1e-12)


@requires_synaptic
def test_a_hidden_layer_mixing_squash_functions_runs_as_in_synaptic():
    seed(11)
    net = perceptron((2, 4, 1))
    net.layers["hidden"][0].list[1].squash = SQUASH.TANH
    net.layers["hidden"][0].list[2].squash = SQUASH.IDENTITY
    steps = [{"input": x, "target": t} for _ in range(50) for x, t in XOR]
    ref = run_synaptic({"op": "run", "json": net.to_json(), "stream": steps, "rate": 0.2})
    outputs = []
    for s in steps:
        outputs.append(net.activate(s["input"]))
        net.propagate(0.2, s["target"])
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=1e-12)
