"""Standalone JavaScript (axonal.export.javascript): run under node, compared with the networks it comes from.

Every module is written to a file and loaded by a small node driver (``require``), which
runs a list of calls (``predict``, ``activate``, ``reset``, ...) and prints the results as
JSON; JSON carries doubles exactly (shortest round-trip text both ways). Without node the
tests that run JavaScript skip, saying so.
"""

import json
import shutil
import subprocess

import numpy as np
import pytest

from axonal import (
    GRU,
    LSTM,
    BatchNorm,
    Dense,
    Dropout,
    LayerNorm,
    MinMaxScale,
    Residual,
    Sequential,
    SimpleRNN,
    Standardize,
)
from axonal.export.escape import js_string
from axonal.export.javascript import save_javascript, to_javascript
from axonal.export.js_audit import audit_javascript, js_tokens
from axonal.graph import Graph, GraphLayer, GraphNetwork
from axonal.synaptic.architect import LSTM as ArchitectLSTM
from axonal.synaptic.architect import Liquid, Perceptron

NODE = shutil.which("node")
requires_node = pytest.mark.skipif(NODE is None, reason="needs node (Node.js) on PATH to run the generated JavaScript")

DRIVER = r"""
const runs = [];
let input = "";
process.stdin.on("data", (d) => { input += d; });
process.stdin.on("end", () => {
  for (const [path, calls] of JSON.parse(input)) {
    const m = require(path);
    const results = [];
    const own = [];
    for (const [what, arg] of calls) {
      try {
        if (what === "get") results.push(m[arg]);
        else if (what === "create") { own.push(m.create()); results.push(own.length - 1); }
        else if (what.startsWith("own.")) results.push(own[arg[0]][what.slice(4)](arg[1]) ?? null);
        else results.push(m[what](arg) ?? null);
      } catch (e) {
        results.push({error: String(e && e.message)});
      }
    }
    runs.push(results);
  }
  process.stdout.write(JSON.stringify(runs));
});
"""


def run_many(jobs, tmp_path):
    """For each ``(source, calls)``: the results of ``calls`` (``[(what, argument), ...]``) on the module
    ``source``; one node process loads every module in turn."""
    payload = []
    for k, (source, calls) in enumerate(jobs):
        module = tmp_path / f"model_{k}.js"
        module.write_text(source, encoding="utf-8")
        payload.append([str(module), calls])
    driver = tmp_path / "driver.js"
    driver.write_text(DRIVER, encoding="utf-8")
    proc = subprocess.run([NODE, str(driver)], input=json.dumps(payload), capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def run_js(source, calls, tmp_path):
    """The results of ``calls`` on the module ``source``, run by node."""
    return run_many([(source, calls)], tmp_path)[0]


def close(got, want, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                               rtol=rtol, atol=1e-14)


def randomize(net, seed, scale=0.5):
    """Every parameter (peepholes, biases) away from its starting value."""
    rng = np.random.default_rng(seed)
    for value in net.parameters().values():
        value[...] = rng.normal(0, scale, size=value.shape)


# -- Sequential --------------------------------------------------------------------------------------
@requires_node
def test_dense_with_every_activation(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 4)) * 2
    calls, want = [], []
    sources = []
    for activation in ["logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "identity", "step",
                       "sign", "softmax"]:
        net = Sequential([Dense(7, activation, input_dim=4), Dense(5, activation), Dense(3)], dtype="float64",
                         seed=1)
        sources.append(to_javascript(net))
        want.append(net.predict(x))
    calls = [("predict", row) for row in x.tolist()] + [("activate", x[0].tolist())]
    for k, got in enumerate(run_many([(source, calls) for source in sources], tmp_path)):
        close(got[:-1], want[k])
        close(got[-1], want[k][0])


@requires_node
def test_scalers_normalisation_dropout_residuals_and_a_classifier(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, size=(60, 5))
    labels = np.array(["small", "</script>", "big\u2028"])[(x[:, 0] + x[:, 1] > 6).astype(int) + (x[:, 2] > 3)]
    net = Sequential([Standardize(), Dense(12, "relu"), Dropout(0.3), BatchNorm(), Dense(8, "tanh"), LayerNorm(),
                      Residual([Dense(8, "elu"), Dense(8)]), Residual(Dense(4, "softplus"), projection=True),
                      Sequential([Dense(6, "gelu")]), Dense(3)], input_dim=5, dtype="float64", seed=0)
    net.fit(x, labels, loss="softmax_cross_entropy", optimizer="adam", epochs=5, progress=False)
    rows = x[:20].tolist()
    got = run_js(to_javascript(net), [("predict", r) for r in rows] + [("predictProba", r) for r in rows]
                 + [("predictClass", r) for r in rows] + [("get", "classes")], tmp_path)
    close(got[:20], net.predict(x[:20]))
    close(got[20:40], net.predict_proba(x[:20]))
    assert got[40:60] == net.predict_classes(x[:20]).tolist()
    assert got[60] == list(net.classes_)


@requires_node
def test_minmax_scaling_and_a_binary_classifier_on_logits(tmp_path):
    x = np.random.default_rng(2).uniform(-5, 5, size=(30, 3))
    y = (x[:, 0] > x[:, 1]).astype(float)[:, None]
    net = Sequential([MinMaxScale((-1, 1)), Dense(4, "tanh"), Dense(1)], input_dim=3, dtype="float64", seed=0)
    net.fit(x, y, loss="binary_cross_entropy_logits", epochs=3, progress=False)
    rows = x.tolist()
    got = run_js(to_javascript(net), [("predict", r) for r in rows] + [("predictProba", r) for r in rows]
                 + [("predictClass", r) for r in rows], tmp_path)
    close(got[:30], net.predict(x))
    close(got[30:60], net.predict_proba(x))
    assert got[60:] == net.predict_classes(x).tolist() and set(got[60:]) == {0, 1}


@pytest.mark.parametrize("cell", [lambda: LSTM(6, peepholes=True, return_sequences=True), lambda: LSTM(4),
                                  lambda: GRU(5, return_sequences=True), lambda: GRU(3),
                                  lambda: SimpleRNN(4, "relu", return_sequences=True), lambda: SimpleRNN(3)])
@requires_node
def test_recurrent_layers_whole_sequences_and_steps(cell, tmp_path):
    rng = np.random.default_rng(3)
    layer = cell()
    net = Sequential([layer, Dense(2, "logistic")], input_dim=3, dtype="float64", seed=4)
    randomize(net, 3)
    x = rng.normal(size=(4, 7, 3))
    calls = [("predict", s) for s in x.tolist()]
    calls += [("activate", step) for step in x[0].tolist()] + [("reset", None)]
    calls += [("activate", step) for step in x[1, :3].tolist()]
    got = run_js(to_javascript(net), calls, tmp_path)
    want = net.predict(x)
    close(got[:4], want)
    # step t of the carried state gives what predict gives for the first t + 1 steps (its last step's output)
    def last(y):
        return y[-1] if layer.return_sequences else y
    close(got[4:11], [last(net.predict(x[:1, :t + 1])[0]) for t in range(7)])
    assert got[11] is None
    close(got[12:], [last(net.predict(x[1:2, :t + 1])[0]) for t in range(3)])


@requires_node
def test_stacked_recurrent_layers_and_independent_states(tmp_path):
    rng = np.random.default_rng(5)
    net = Sequential([Dense(3, "tanh"), GRU(4, return_sequences=True), LSTM(3, return_sequences=False),
                      Dense(2)], dtype="float64", seed=0)
    net.build((None, 2))  # a Dense layer on each time step first
    randomize(net, 5)
    x = rng.normal(size=(3, 6, 2))
    calls = [("predict", s) for s in x.tolist()] + [("create", None), ("create", None)]
    for t in range(6):  # two networks of their own, stepped in turn on different sequences
        calls += [("own.activate", [0, x[0, t].tolist()]), ("own.activate", [1, x[1, t].tolist()])]
    got = run_js(to_javascript(net), calls, tmp_path)
    close(got[:3], net.predict(x))
    close(got[5::2][-1], net.predict(x[:1])[0])
    close(got[6::2][-1], net.predict(x[1:2])[0])
    close(got[5], net.predict(x[:1, :1])[0])


@requires_node
def test_float32_network_agrees_to_float32_precision(tmp_path):
    net = Sequential([Dense(16, "tanh", input_dim=8), Dense(4, "softmax")], seed=0)
    x = np.random.default_rng(6).normal(size=(10, 8)).astype(np.float32)
    close(run_js(to_javascript(net), [("predict", r) for r in x.tolist()], tmp_path), net.predict(x), rtol=1e-5)


@requires_node
def test_weights_round_trip_exactly(tmp_path):
    net = Sequential([Dense(3, input_dim=2)], dtype="float64", seed=0)
    weights = [[0.1, 1 / 3, -2.5e-300], [np.pi, -0.0, 1e17]]
    net.layers[0].params["weight"][...] = weights
    net.layers[0].params["bias"][...] = [5e-324, -1.7976931348623157e308, 2.0 ** -1074 * 3]
    got = run_js(to_javascript(net), [("predict", [1.0, 0.0]), ("predict", [0.0, 1.0])], tmp_path)
    bias = net.layers[0].params["bias"]
    assert got[0] == (np.array(weights[0]) + bias).tolist()  # exactly, bit for bit
    assert got[1] == (np.array(weights[1]) + bias).tolist()


@requires_node
def test_bad_input_is_an_error_that_says_what_was_wrong(tmp_path):
    net = Sequential([Dense(2, input_dim=3)], dtype="float64", seed=0)
    recurrent = Sequential([GRU(2)], input_dim=3, dtype="float64", seed=0)
    got = run_js(to_javascript(net), [("predict", [1.0, 2.0]), ("predict", [1, "2", 3]), ("predict", None)], tmp_path)
    assert got[0] == {"error": "input: expected 3 values, got 2"}
    assert got[1] == {"error": "input: value 1 is not a number"} and "expected" in got[2]["error"]
    got = run_js(to_javascript(recurrent), [("predict", []), ("predict", [[1, 2]])], tmp_path)
    assert "at least one time step" in got[0]["error"] and got[1]["error"].startswith("time step 0")


def test_what_cannot_be_exported_is_named(tmp_path):
    graph_in_sequential = Sequential([Dense(3, input_dim=2), GraphLayer(_feed_forward_graph())], seed=0)
    with pytest.raises(TypeError, match=r"layer 1 .*GraphLayer.*no standalone form"):
        to_javascript(graph_in_sequential)
    with pytest.raises(ValueError, match="not built"):
        to_javascript(Sequential([Dense(2)]))
    with pytest.raises(ValueError, match="has not learned its statistics"):
        to_javascript(Sequential([Standardize(), Dense(1)], input_dim=2, seed=0))
    net = Sequential([Dense(2, input_dim=3)], seed=0)
    for bad in ("not a name", "eval", "module", "x;y", "\u00e9t\u00e9", "_private"):
        with pytest.raises(ValueError, match="global name"):
            to_javascript(net, global_name=bad)
    path = save_javascript(net, tmp_path / "net.js", global_name="myNet")
    assert str(path).endswith("net.js") and [p.name for p in tmp_path.iterdir()] == ["net.js"]
    assert "var myNet = (function () {" in (tmp_path / "net.js").read_text()


# -- graphs --------------------------------------------------------------------------------------------
def _feed_forward_graph():
    g = Graph()
    inp, hid, out = g.layer("input", 3), g.layer("hidden", 4, "tanh"), g.layer("output", 2, "identity")
    inp.project(hid)
    hid.project(out)
    inp.project(out, mask=np.array([[1, 0], [1, 1], [0, 1]]))
    return g


def _gated_memory_graph():
    """Input, output and one-to-one gating, a gater later in the order (read at t-1), synapse gating of an
    all-to-all and a self-connection, an in_order layer and a recurrent read of the output."""
    g = Graph()
    inp = g.layer("input", 2)
    in_gate, forget_gate = g.layer("input_gate", 3, bias=1.0), g.layer("forget_gate", 3, bias=1.0)
    memory = g.layer("memory", 3, "tanh")
    out_gate = g.layer("output_gate", 3)
    out = g.layer("output", 2, "identity")
    late_gate = g.layer("late_gate", 2, "logistic")
    for gate in (in_gate, forget_gate, out_gate, late_gate):
        inp.project(gate)
        memory.project(gate)
    in_gate.gate(inp.project(memory), "input")
    forget_gate.gate(memory.project(memory), "one_to_one")
    out_gate.gate(memory.project(out), "output")
    late_gate.gate(out.project(memory), "output")
    helper = g.layer("helper", 3, "relu", bias=False)
    memory.project(helper, "one_to_one")
    g.gate(helper.project(out), late_gate, "synapse", index=np.array([[0, -1], [1, 0], [-1, 1]]))
    chain = g.layer("chain", 3, "tanh")
    inp.project(chain)
    chain.project(chain, "in_order")
    chain.project(out)
    return g


def check_graph(net, xs, tmp_path, restart=3):
    """``activate`` step by step (and after ``reset``) and ``predict`` against the network."""
    source = to_javascript(net)
    calls = [("activate", x) for x in xs.tolist()] + [("reset", None)]
    calls += [("activate", x) for x in xs[:restart].tolist()]
    calls += [("predict", xs.tolist() if net.graph_layer.recurrent else xs[0].tolist())]
    got = run_js(source, calls, tmp_path)
    net.reset_state()
    want = np.array([net.activate(x) for x in xs])
    close(got[:len(xs)], want)
    close(got[len(xs) + 1:len(xs) + 1 + restart], want[:restart])
    predicted = net.predict(xs[None])[0] if net.graph_layer.recurrent else net.predict(xs[:1])[0]
    close(got[-1], predicted)
    return source


@requires_node
def test_a_gated_graph_steps_like_activate_and_resets(tmp_path):
    net = GraphNetwork(_gated_memory_graph(), output="output", dtype="float64", seed=3)
    randomize(net, 7, 0.8)
    check_graph(net, np.random.default_rng(8).normal(size=(9, 2)), tmp_path)


@requires_node
def test_gated_self_connection_by_synapse_index_and_a_feed_forward_graph(tmp_path):
    g = Graph()
    inp, gate, cell = g.layer("input", 2), g.layer("gate", 2), g.layer("cell", 3, "tanh")
    inp.project(gate)
    inp.project(cell)
    g.gate(cell.project(cell, trainable=True), gate, "synapse", index=np.array([1, -1, 0]))
    net = GraphNetwork(g, dtype="float64", seed=1)
    randomize(net, 2)
    check_graph(net, np.random.default_rng(9).normal(size=(6, 2)), tmp_path)
    forward = GraphNetwork(_feed_forward_graph(), dtype="float64", seed=2)
    x = np.random.default_rng(10).normal(size=(8, 3))
    close(run_js(to_javascript(forward), [("predict", r) for r in x.tolist()], tmp_path), forward.predict(x))


@pytest.mark.parametrize("sizes", [(2, 1), (3, 4, 2), (2, 5, 4, 3, 1)])
@requires_node
def test_architect_perceptrons(sizes, tmp_path):
    net = Perceptron(*sizes, dtype="float64", seed=0)
    x = np.random.default_rng(11).normal(size=(7, sizes[0]))
    close(run_js(to_javascript(net), [("predict", r) for r in x.tolist()], tmp_path), net.predict(x))


@pytest.mark.parametrize("options", [{}, {"peepholes": False}, {"peepholes": "one_to_one"},
                                     {"hidden_to_hidden": True, "output_to_hidden": True, "output_to_gates": True},
                                     {"return_sequences": False, "input_to_output": False}])
@requires_node
def test_architect_lstms(options, tmp_path):
    net = ArchitectLSTM(2, 3, 2, 1, dtype="float64", seed=0, **options)
    randomize(net, 12)
    check_graph(net, np.random.default_rng(13).normal(size=(8, 2)), tmp_path)


@requires_node
def test_architect_liquid(tmp_path):
    net = Liquid(2, 12, 2, connections=40, gates=10, dtype="float64", seed=1)
    source = check_graph(net, np.random.default_rng(14).normal(size=(10, 2)), tmp_path)
    assert "_synapse(" in source and "_gather(" in source  # per-synapse gating, of the pool and its self-connections


# -- names are data ----------------------------------------------------------------------------------
PAYLOADS = ["\"'); require('child_process').execSync('touch PWNED'); ('", "</script><script>alert(1)</script>",
            "x\u2028require('fs')\u2029y", "x\n}());require('child_process');(function(){//", "back\\slash\"",
            "<!-- -->", "\ud800 lone", "\U0001f600 emoji", "\x00\x1b[31m"]


@requires_node
def test_hostile_names_stay_data(tmp_path):
    from test_hostile_names import hostile_graph, hostile_sequential
    x = [[0.5, -1.0], [1.0, 0.25]]
    nets, jobs = [], []
    for name in PAYLOADS:
        for net in (hostile_sequential(name), hostile_graph(name)):
            source = to_javascript(net)
            assert source.isascii() and "</script" not in source.lower() and "<!--" not in source
            strings = [text for kind, text in js_tokens(source) if kind == "string"]
            assert js_string(name) in strings   # the name itself is one literal
            assert name not in source or name.isascii() and name.isprintable() and all(c not in name for c in "\"\\<>'")
            nets.append((name, net))
            jobs.append((source, [("get", "network"), ("get", "layerNames"),
                                  ("predict", x if isinstance(net, GraphNetwork) else x[0])]))
    for (name, net), got in zip(nets, run_many(jobs, tmp_path)):
        assert got[0] == name if isinstance(net, GraphNetwork) else got[0] == net.describe()
        if isinstance(net, GraphNetwork):
            assert got[1] == net.graph.order
            close(got[2], net.predict(np.array(x)[None])[0])
        else:
            assert got[1] == [layer.describe() for layer in net.layers]
            close(got[2], net.predict(np.array(x[:1]))[0])
    assert not (tmp_path / "PWNED").exists()


def test_every_corpus_name_gives_an_audited_module():
    from test_hostile_names import HOSTILE, hostile_graph, hostile_sequential
    for name in HOSTILE:
        if not isinstance(name, str) or len(name) > 1000:
            continue
        assert to_javascript(hostile_sequential(name)).isascii()
        source = to_javascript(hostile_graph(name))  # audited on the way out
        assert source.isascii() and js_string(name) in [text for kind, text in js_tokens(source) if kind == "string"]


@requires_node
def test_hostile_class_labels_and_a_plain_script(tmp_path):
    x = np.random.default_rng(15).normal(size=(40, 2))
    labels = np.array(PAYLOADS[:3])[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)]
    net = Sequential([Dense(3, "softmax")], input_dim=2, dtype="float64", seed=0)
    net.fit(x, labels, loss="categorical_cross_entropy", epochs=2, progress=False)
    source = to_javascript(net)
    got = run_js(source, [("predictClass", r) for r in x.tolist()] + [("get", "classes")], tmp_path)
    assert got[:40] == net.predict_classes(x).tolist() and got[40] == list(net.classes_)
    # as a plain script in a fresh context: it defines its one global and nothing else
    script = tmp_path / "script.js"
    script.write_text(source)
    check = ("const vm = require('vm'); const fs = require('fs'); const box = {};"
             f"vm.runInNewContext(fs.readFileSync({json.dumps(str(script))}, 'utf8'), box);"
             "process.stdout.write(JSON.stringify([Object.keys(box), box.axonalNetwork.predictClass([1, 1])]));")
    proc = subprocess.run([NODE, "-e", check], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    keys, label = json.loads(proc.stdout)
    assert keys == ["axonalNetwork"] and label == net.predict_classes(np.array([[1.0, 1.0]]))[0]


def test_the_audit_refuses_code_that_leaked_out_of_a_literal():
    net = Sequential([Dense(2, "tanh", input_dim=2)], dtype="float64", seed=0)
    source = to_javascript(net)
    assert audit_javascript(source, "axonalNetwork") == source
    literal = js_string(net.describe())
    tampered = [
        source.replace(literal, 'require("child_process")'),
        source.replace(literal, '[]["constructor"]["constructor"]("return 1")()'),
        source.replace(literal, '"x".constructor'),
        source.replace(literal, "process.exit(1)"),
        source.replace(literal, '"\u2028"'),
        source.replace(literal, '"</script>"'),
        source.replace("// layer 0", "// layer 0\u2028 process.exit(1)"),
        source.replace("Math.tanh", "Math.constructor"),
        source.replace("var axonalNetwork", "require('fs'); var axonalNetwork"),
        source + "module.exports = 1;\n",
        source.replace(literal, "`template`"),
    ]
    for bad in tampered:
        assert bad != source
        with pytest.raises(ValueError, match="to_javascript: the generated module holds"):
            audit_javascript(bad, "axonalNetwork")


def test_js_string_reads_back_as_the_text():
    for text in PAYLOADS + ["", "plain", "\u00e9\u2192\U0001f600", "'\"\\/"]:
        literal = js_string(text)
        assert literal.isascii() and literal.isprintable() and "<" not in literal and ">" not in literal
        # JSON is a subset of JavaScript's string syntax for the escapes js_string writes
        assert json.loads(literal) == text or "\ud800" in text
