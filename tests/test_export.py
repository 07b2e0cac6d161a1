"""Standalone Python and diagrams (axonal.export), checked against the networks they come from."""

import xml.etree.ElementTree as ET
from pathlib import Path

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
from axonal.export import save_diagram, save_python, to_dot, to_python, to_svg
from axonal.graph import Graph, GraphLayer, GraphNetwork

SVG = "{http://www.w3.org/2000/svg}"


def load_source(source):
    """Run generated source in a fresh namespace that holds only the builtins."""
    assert "numpy" not in source
    assert [line for line in source.splitlines() if line.startswith(("import ", "from "))] == ["import math"]
    namespace = {"__builtins__": __builtins__}
    exec(compile(source, "<standalone>", "exec"), namespace)  # noqa: S102 - the code under test, generated here
    return namespace


def close(got, want, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=1e-14)


# -- standalone Python: Sequential ------------------------------------------------------------
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu",
                                        "identity", "step", "sign"])
def test_dense_mlp_matches_predict(activation):
    rng = np.random.default_rng(0)
    net = Sequential([Dense(7, activation, input_dim=4), Dense(5, activation), Dense(3)], dtype="float64", seed=1)
    x = rng.normal(size=(25, 4))
    predict = load_source(to_python(net))["predict"]
    close([predict(list(row)) for row in x], net.predict(x))


def test_softmax_classifier_with_scaling_normalisation_dropout_and_residuals():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, size=(60, 5))
    labels = (x[:, 0] + x[:, 1] > 6).astype(int) + (x[:, 2] > 3)
    net = Sequential([Standardize(), Dense(12, "relu"), Dropout(0.3), BatchNorm(), Dense(8, "tanh"), LayerNorm(),
                      Residual([Dense(8, "elu"), Dense(8)]), Residual(Dense(4, "softplus"), projection=True),
                      Dense(3, "softmax")], input_dim=5, dtype="float64", seed=0)
    net.fit(x, labels, loss="categorical_cross_entropy", optimizer="adam", epochs=5, progress=False)
    predict = load_source(to_python(net))["predict"]
    got = np.array([predict(row.tolist()) for row in x])
    close(got, net.predict(x))
    close(got.sum(axis=1), np.ones(len(x)))


def test_minmax_scaling_and_a_custom_function_name():
    x = np.random.default_rng(2).uniform(-5, 5, size=(10, 3))
    net = Sequential([MinMaxScale((-1, 1)), Dense(2, "logistic")], input_dim=3, dtype="float64", seed=0)
    net.layers[0].adapt(x)
    namespace = load_source(to_python(net, name="score"))
    assert "predict" not in namespace
    close([namespace["score"](row) for row in x], net.predict(x))


@pytest.mark.parametrize("cell", [lambda: LSTM(6, peepholes=True, return_sequences=True), lambda: LSTM(4),
                                  lambda: GRU(5, return_sequences=True), lambda: GRU(3),
                                  lambda: SimpleRNN(4, "relu", return_sequences=True)])
def test_recurrent_sequence_models_match_predict(cell):
    rng = np.random.default_rng(3)
    layer = cell()
    net = Sequential([layer, Dense(2, "logistic")], input_dim=3, dtype="float64", seed=4)
    for value in net.parameters().values():  # peepholes and biases away from their zero start
        value[...] = rng.normal(0, 0.5, size=value.shape)
    x = rng.normal(size=(5, 7, 3))
    predict = load_source(to_python(net))["predict"]
    got = [predict(sequence.tolist()) for sequence in x]
    close(got, net.predict(x))


def test_stacked_recurrent_layers():
    rng = np.random.default_rng(5)
    net = Sequential([GRU(4, return_sequences=True), LSTM(3, return_sequences=False), Dense(2)],
                     input_dim=2, dtype="float64", seed=0)
    x = rng.normal(size=(3, 6, 2))
    predict = load_source(to_python(net))["predict"]
    close([predict(s) for s in x.tolist()], net.predict(x))


def test_float32_network_agrees_to_float32_precision():
    rng = np.random.default_rng(6)
    net = Sequential([Dense(16, "tanh", input_dim=8), Dense(4, "softmax")], seed=0)
    x = rng.normal(size=(10, 8)).astype(np.float32)
    predict = load_source(to_python(net))["predict"]
    close([predict(row.tolist()) for row in x], net.predict(x), rtol=1e-5)


def test_weights_are_written_exactly():
    net = Sequential([Dense(3, input_dim=2)], dtype="float64", seed=0)
    net.layers[0].params["weight"][...] = [[0.1, 1 / 3, -2.5e-300], [np.pi, -0.0, 1e17]]
    source = to_python(net)
    for value in (0.1, 1 / 3, -2.5e-300, np.pi, 1e17):
        assert repr(float(value)) in source


def test_bad_input_and_unsupported_layers_are_named():
    net = Sequential([Dense(2, input_dim=3)], dtype="float64", seed=0)
    predict = load_source(to_python(net))["predict"]
    with pytest.raises(ValueError, match="expected 3 values, got 2"):
        predict([1.0, 2.0])
    graph_in_sequential = Sequential([Dense(3, input_dim=2), GraphLayer(_feed_forward_graph())], seed=0)
    with pytest.raises(TypeError, match=r"layer 1 .*GraphLayer.*no standalone form"):
        to_python(graph_in_sequential)
    with pytest.raises(ValueError, match="Python identifier"):
        to_python(net, name="not a name")
    with pytest.raises(ValueError, match="not built"):
        to_python(Sequential([Dense(2)]))


def test_save_python_writes_the_module(tmp_path):
    net = Sequential([Dense(2, "tanh", input_dim=2)], dtype="float64", seed=0)
    path = save_python(net, tmp_path / "model.py")
    assert load_source((tmp_path / "model.py").read_text())["predict"]([1, 2]) == pytest.approx(
        net.predict([1.0, 2.0]).tolist(), rel=1e-12)
    assert str(path).endswith("model.py") and [p.name for p in tmp_path.iterdir()] == ["model.py"]


# -- standalone Python: classifiers (predict_proba, predict_class) --------------------------------
def _classifier(loss, outputs, classes, activation=None):
    rng = np.random.default_rng(30)
    net = Sequential([Standardize(), Dense(6, "tanh"), Dense(outputs, activation)], input_dim=3, dtype="float64",
                     seed=3, loss=loss)
    net.layers[0].adapt(rng.normal(1.0, 2.0, size=(30, 3)))
    for layer in net.layers[1:]:
        for array in layer.params.values():
            array[...] = rng.normal(size=array.shape)
    if classes is not None:
        net.classes_ = classes
    return net, rng.normal(1.0, 2.0, size=(40, 3))


@pytest.mark.parametrize("loss, outputs, classes, activation", [
    ("softmax_cross_entropy", 3, ["setosa", "</x>'; import os", "a\nb"], None),
    ("softmax_cross_entropy", 4, [10, -3, 7, 2], None),
    ("binary_cross_entropy_logits", 1, ["no", "yes"], None),
    ("categorical_cross_entropy", 3, None, "softmax"),
    ("binary_cross_entropy", 1, None, "logistic"),
])
def test_classifier_module_has_predict_proba_and_predict_class(loss, outputs, classes, activation):
    net, x = _classifier(loss, outputs, classes, activation)
    namespace = load_source(to_python(net))
    close([namespace["predict_proba"](row) for row in x.tolist()], net.predict_proba(x))
    got = [namespace["predict_class"](row) for row in x.tolist()]
    if classes is None:  # the class numbers stand for the labels
        classes = [0, 1] if outputs == 1 else list(range(outputs))
        net.classes_ = classes
    assert got == net.predict_classes(x).tolist()
    assert len(set(got)) > 1
    assert list(namespace["CLASSES"]) == classes


def test_a_regression_module_has_no_predict_proba():
    net, _ = _classifier("mse", 2, None)
    namespace = load_source(to_python(net))
    assert "predict" in namespace and "predict_proba" not in namespace and "predict_class" not in namespace
    with pytest.raises(ValueError, match="taken by the generated module"):
        to_python(net, name="predict_proba")


def test_sequence_classifier_gives_a_class_per_step():
    net = Sequential([GRU(4, return_sequences=True, input_dim=2), Dense(3)], dtype="float64", seed=4,
                     loss="softmax_cross_entropy")
    net.classes_ = ["x", "y", "z"]
    for array in net.layers[0].params.values():
        array[...] = np.random.default_rng(5).normal(size=array.shape)
    xs = np.random.default_rng(6).normal(size=(3, 5, 2))
    namespace = load_source(to_python(net))
    for seq, proba, labels in zip(xs, net.predict_proba(xs), net.predict_classes(xs)):
        close(namespace["predict_proba"](seq.tolist()), proba)
        assert namespace["predict_class"](seq.tolist()) == labels.tolist()


def test_graph_network_classifier_module():
    net = GraphNetwork(_feed_forward_graph(), dtype="float64", seed=2, loss="softmax_cross_entropy")
    net.classes_ = ["left", "right"]
    x = np.random.default_rng(7).normal(size=(12, 3))
    namespace = load_source(to_python(net))
    close([namespace["predict_proba"](row) for row in x.tolist()], net.predict_proba(x))
    assert [namespace["predict_class"](row) for row in x.tolist()] == net.predict_classes(x).tolist()


# -- standalone Python: graphs ----------------------------------------------------------------
def _feed_forward_graph():
    g = Graph()
    inp, hid, out = g.layer("input", 3), g.layer("hidden", 4, "tanh"), g.layer("output", 2, "identity")
    inp.project(hid)
    hid.project(out)
    inp.project(out, mask=np.array([[1, 0], [1, 1], [0, 1]]))
    return g


def _gated_memory_graph():
    """An LSTM-like block by hand: a self-connected memory layer, gated in, out and on its self-connection,
    with a gate that comes later in the order (read at t-1), synapse gating and a recurrent read of the output."""
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
    forget_gate.gate(memory.project(memory), "input")
    out_gate.gate(memory.project(out), "output")
    late_gate.gate(out.project(memory), "output")                    # gater after the target: read at t-1
    helper = g.layer("helper", 3, "relu", bias=False)
    memory.project(helper, "one_to_one")
    index = np.array([[0, -1], [1, 0], [-1, 1]])
    g.gate(helper.project(out), late_gate, "synapse", index=index)  # each synapse its own gater neuron
    return g


def test_graph_network_steps_like_activate_and_resets():
    net = GraphNetwork(_gated_memory_graph(), output="output", dtype="float64", seed=3)
    for value in net.parameters().values():
        value[...] = np.random.default_rng(7).normal(0, 0.8, size=value.shape)
    namespace = load_source(to_python(net))
    network = namespace["Network"]()
    xs = np.random.default_rng(8).normal(size=(9, 2))
    close([network.activate(x.tolist()) for x in xs], np.array([net.activate(x) for x in xs]))
    network.reset()
    net.reset_state()
    close([network.activate(x.tolist()) for x in xs[:3]], np.array([net.activate(x) for x in xs[:3]]))
    close(namespace["predict"](xs.tolist()), net.predict(xs[None])[0])


def test_gated_self_connection_by_synapse_index():
    g = Graph()
    inp, gate, cell = g.layer("input", 2), g.layer("gate", 2), g.layer("cell", 3, "tanh")
    inp.project(gate)
    inp.project(cell)
    g.gate(cell.project(cell, trainable=True), gate, "synapse", index=np.array([1, -1, 0]))
    net = GraphNetwork(g, dtype="float64", seed=1)
    network = load_source(to_python(net))["Network"]()
    xs = np.random.default_rng(9).normal(size=(6, 2))
    close([network.activate(x) for x in xs.tolist()], np.array([net.activate(x) for x in xs]))


def test_feed_forward_graph_is_a_plain_function():
    net = GraphNetwork(_feed_forward_graph(), dtype="float64", seed=2)
    x = np.random.default_rng(10).normal(size=(8, 3))
    predict = load_source(to_python(net))["predict"]
    close([predict(row) for row in x.tolist()], net.predict(x))


# -- diagrams -----------------------------------------------------------------------------------
def parse_svg(text):
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    for key in ("width", "height", "viewBox"):
        assert root.get(key), key
    assert len(root.get("viewBox").split()) == 4
    return root


def boxes(root):
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "layer"]


def texts(root):
    return [e.text for e in root.iter(f"{SVG}text")]


def test_graph_svg_has_a_box_per_layer_and_a_dashed_line_per_gate():
    net = GraphNetwork(_gated_memory_graph(), output="output", seed=0)
    root = parse_svg(to_svg(net))
    assert len(boxes(root)) == len(net.graph.nodes)
    labels = texts(root)
    for name in net.graph.nodes:
        assert any(t and t.startswith(name) for t in labels), name
    assert "3 neurons" in labels and "tanh" in labels
    gates = [e for e in root.iter() if e.get("class") == "gate" and e.get("stroke-dasharray")]
    assert len(gates) == sum(c.gater is not None for c in net.graph.connections) == 5
    assert len([e for e in root.iter(f"{SVG}circle") if e.get("class") == "gate-dot"]) == 5
    assert any(e.get("class") == "legend" for e in root.iter(f"{SVG}g"))


def test_svg_escapes_text_and_draws_a_sequential_chain():
    with pytest.raises(ValueError, match="Dense: name '<hidden"):
        Dense(8, "relu", name='<hidden & "wide">')
    net = Sequential([Standardize(), Dense(8, "relu")], input_dim=4, seed=0)
    net.layers[1].name = '<hidden & "wide">'  # past the check: the drawing escapes it all the same
    svg = to_svg(net)
    assert "&lt;hidden &amp;" in svg
    root = parse_svg(svg)
    assert len(boxes(root)) == len(net.layers) + 1  # and the input
    assert '1: <hidden & "wide">' in texts(root) and "relu" in texts(root)
    assert "(batch, 8)" in texts(root)
    recurrent = Sequential([LSTM(5, return_sequences=True), Dense(2)], input_dim=3, seed=0)
    root = parse_svg(to_svg(recurrent))
    assert len(boxes(root)) == 3 and "(batch, time, 5)" in texts(root)
    assert any("loop" in (e.get("class") or "") for e in root.iter(f"{SVG}g"))


def test_dot_names_every_layer_and_connection():
    net = GraphNetwork(_gated_memory_graph(), output="output", seed=0)
    dot = to_dot(net)
    assert dot.startswith("digraph") and dot.count("{") == dot.count("}")
    for name in net.graph.nodes:
        assert f'"{name}" [label="{name}' in dot
    for conn in net.graph.connections:
        if conn.gater is None:
            assert f'"{conn.source}" -> "{conn.target}"' in dot, conn.name
        else:
            assert f'"{conn.source}" -> "{conn.name}__gate"' in dot
            assert f'"{conn.gater}" -> "{conn.name}__gate" [style=dashed' in dot
    assert '"memory" -> "memory_to_memory__gate"' in dot  # the gated self-connection, a loop through its point
    seq_net = Sequential([Dense(3, "tanh", input_dim=2), Dense(1)], seed=0)
    seq_net.layers[0].name = 'say "hi"'  # past the name check: DOT quotes it all the same
    seq = to_dot(seq_net)
    assert '\\"hi\\"' in seq and seq.count("->") == 2


def test_save_diagram_picks_the_format_from_the_suffix(tmp_path):
    net = Sequential([Dense(2, input_dim=2)], seed=0)
    parse_svg(Path(save_diagram(net, tmp_path / "net.svg")).read_text())
    assert Path(save_diagram(net, tmp_path / "net.gv")).read_text().startswith("digraph")
    with pytest.raises(ValueError, match="svg or dot"):
        save_diagram(net, tmp_path / "net.png")


def test_names_with_quotes_and_backslashes_still_give_valid_python():
    from axonal.synaptic.architect import Perceptron
    net = Sequential([Dense(2), Dense(1)], input_dim=2, seed=0)
    net.layers[0].name, net.name = 'a"""b\\', 'x"""y'  # past the name check, as a crafted object could be
    namespace = {}
    exec(to_python(net), namespace)  # noqa: S102 - the module under test
    np.testing.assert_allclose(namespace["predict"]([1.0, 2.0]), net.predict(np.array([[1.0, 2.0]]))[0], rtol=1e-6)
    assert namespace["NETWORK"] == 'x"""y' and namespace["LAYERS"][0].startswith('a"""b\\')
    perceptron = Perceptron(2, 3, 1)
    perceptron.name = 'p"""\\q'
    namespace = {}
    exec(to_python(perceptron), namespace)  # noqa: S102
    assert "Network" in namespace or "predict" in namespace
