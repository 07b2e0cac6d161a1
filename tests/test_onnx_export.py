"""ONNX export (axonal.export.to_onnx): every exported model passes the ONNX checker and onnxruntime
computes what axonal's predict, predict_proba and predict_classes compute, within float32 precision."""

import re
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx package is not installed (pip install \"axonal[onnx]\")")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install \"axonal[onnx]\")")

import axonal
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
from axonal.cli import main
from axonal.export import save_onnx, to_onnx
from axonal.graph import Graph, GraphLayer, GraphNetwork
from axonal.layers import Layer

BATCHES = (1, 4, 13)
HOSTILE = "</x>'; import os"


def randomize(layer, rng):
    """Every parameter and running statistic of ``layer`` (and its blocks) drawn at random, so no
    weight is a default zero or one that could hide a wrong layout."""
    for array in layer.params.values():
        array[...] = rng.normal(scale=0.6, size=array.shape)
    if isinstance(layer, BatchNorm):
        layer.state["running_mean"][...] = rng.normal(size=layer.state["running_mean"].shape)
        layer.state["running_var"][...] = rng.uniform(0.3, 3.0, size=layer.state["running_var"].shape)
    for child in layer.children():
        randomize(child, rng)
    return layer


def session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def inputs(net, batch, rng, steps=6):
    shape = (batch,) + tuple(steps if d is None else d for d in net.input_shape)
    return rng.normal(scale=1.5, size=shape).astype(net.dtype)


def check(net, *, dtype="float32", rtol=1e-5, atol=1e-5, seed=0, steps=6):
    """Export ``net``, check the model, and compare onnxruntime with axonal on random inputs of several
    batch sizes (1 included); returns the model."""
    model = to_onnx(net, dtype=dtype)
    onnx.checker.check_model(model, full_check=True)
    run = session(model)
    names = [o.name for o in run.get_outputs()]
    rng = np.random.default_rng(seed)
    for batch in BATCHES:
        x = inputs(net, batch, rng, steps)
        got = dict(zip(names, run.run(None, {"input": x.astype(dtype)})))
        np.testing.assert_allclose(got["output"], net.predict(x), rtol=rtol, atol=atol)
        if "probabilities" in got:
            np.testing.assert_allclose(got["probabilities"], net.predict_proba(x), rtol=rtol, atol=atol)
        if "label" in got:
            want = net.predict_classes(x)
            assert got["label"].tolist() == want.tolist()
    return model


def output_names(model):
    return [o.name for o in model.graph.output]


# -- one test per layer kind -------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus",
                                        "gelu", "softmax", "step", "sign"])
def test_dense_with_each_activation(activation):
    net = Sequential([Dense(6, activation, input_dim=4), Dense(3, activation)], seed=1)
    model = check(randomize(net, np.random.default_rng(2)))
    assert output_names(model) == ["output"]


def test_leaky_relu_and_elu_keep_their_alpha():
    from axonal.activations import ELU, LeakyReLU
    net = Sequential([Dense(5, LeakyReLU(0.2), input_dim=3), Dense(4, ELU(0.7)), Dense(2, LeakyReLU(1.5))], seed=3)
    check(randomize(net, np.random.default_rng(3)))


def test_scalers_use_the_statistics_they_learned():
    rng = np.random.default_rng(4)
    data = rng.normal(5.0, 3.0, size=(50, 4))
    for scaler in (Standardize(), MinMaxScale((-1.0, 2.0))):
        net = Sequential([scaler, Dense(3, "tanh")], input_dim=4, seed=4)
        scaler.adapt(data)
        check(net)


def test_batch_norm_uses_its_running_statistics():
    net = Sequential([Dense(6, "relu", input_dim=3), BatchNorm(epsilon=1e-3), Dense(2)], seed=5)
    check(randomize(net, np.random.default_rng(5)))


def test_layer_norm_normalises_each_sample():
    net = Sequential([Dense(7, input_dim=3), LayerNorm(epsilon=1e-4), Dense(2, "tanh")], seed=6)
    check(randomize(net, np.random.default_rng(6)))


def test_dropout_is_the_identity_at_inference():
    net = Sequential([Dense(5, "relu", input_dim=3), Dropout(0.5), Dense(2)], seed=7)
    model = check(randomize(net, np.random.default_rng(7)))
    assert not any(node.op_type == "Dropout" for node in model.graph.node)


def test_a_network_of_dropout_alone_passes_its_input_through():
    check(Sequential([Dropout(0.3)], input_dim=3, seed=0))


def test_residual_blocks_with_and_without_projection_and_nested_sequential():
    block = Sequential([Dense(5, "relu"), Dense(5)])
    net = Sequential([Dense(5, "tanh", input_dim=4), Residual(block), Residual(Dense(3, "elu"), projection=True),
                      Residual([Dense(3, "relu"), LayerNorm()]), Sequential([Dense(4, "relu"), Dense(2)])], seed=8)
    check(randomize(net, np.random.default_rng(8)))


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity", "logistic", "leaky_relu", "elu", "softplus"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn(activation, return_sequences):
    net = Sequential([SimpleRNN(5, activation, return_sequences=return_sequences, input_dim=3), Dense(2)], seed=9)
    model = check(randomize(net, np.random.default_rng(9)), atol=3e-5)
    assert [n.op_type for n in model.graph.node].count("RNN") == 1


@pytest.mark.parametrize("peepholes", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_gate_order_and_peepholes(peepholes, return_sequences):
    net = Sequential([LSTM(4, peepholes=peepholes, return_sequences=return_sequences, input_dim=3), Dense(2)],
                     seed=10)
    model = check(randomize(net, np.random.default_rng(10)))
    lstm = next(n for n in model.graph.node if n.op_type == "LSTM")
    assert (lstm.input[7] != "") if peepholes else len(lstm.input) == 4


@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_is_linear_before_reset(return_sequences):
    net = Sequential([GRU(4, return_sequences=return_sequences, input_dim=3), Dense(2)], seed=11)
    model = check(randomize(net, np.random.default_rng(11)))
    gru = next(n for n in model.graph.node if n.op_type == "GRU")
    assert {a.name: a.i for a in gru.attribute}["linear_before_reset"] == 1


@pytest.mark.parametrize("activation", ["gelu", "softmax", "step", "sign"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_with_an_activation_the_rnn_operator_lacks_runs_in_a_scan(activation, return_sequences):
    net = Sequential([SimpleRNN(4, activation, return_sequences=return_sequences, input_dim=3), Dense(2)], seed=17)
    model = check(randomize(net, np.random.default_rng(17)))
    ops = [n.op_type for n in model.graph.node]
    assert "Scan" in ops and "RNN" not in ops


@pytest.mark.parametrize("return_sequences", [False, True])
def test_float64_recurrent_layers_run_in_a_scan_and_agree_to_round_off(return_sequences):
    net = Sequential([LSTM(4, peepholes=True, return_sequences=True, input_dim=3), GRU(3, return_sequences=True),
                      SimpleRNN(3, "relu", return_sequences=True), LSTM(2, return_sequences=return_sequences),
                      Dense(2)], dtype="float64", seed=18)
    model = check(randomize(net, np.random.default_rng(18)), dtype="float64", rtol=1e-12, atol=1e-12)
    assert [n.op_type for n in model.graph.node].count("Scan") == 4
    check(net, dtype="float64", rtol=1e-12, atol=1e-12, steps=1)


def test_stacked_recurrent_layers_and_dense_on_every_step():
    net = Sequential([LSTM(5, return_sequences=True, peepholes=True, input_dim=2), Dense(4, "relu"),
                      GRU(3, return_sequences=True), SimpleRNN(3), Dense(2)], seed=12)
    check(randomize(net, np.random.default_rng(12)), atol=3e-5)
    check(net, atol=3e-5, steps=1)


def test_sequence_output_classifier_labels_every_step():
    net = Sequential([GRU(4, return_sequences=True, input_dim=3), Dense(3)], seed=13, loss="softmax_cross_entropy")
    net.classes_ = ["x", "y", "z"]
    model = check(randomize(net, np.random.default_rng(13)))
    assert output_names(model) == ["output", "probabilities", "label"]


# -- classifiers ------------------------------------------------------------------------------------
def _classifier(loss, outputs, classes, activation=None, seed=14):
    net = Sequential([Standardize(), Dense(8, "relu"), Dense(outputs, activation)], input_dim=4, seed=seed,
                     loss=loss)
    net.layers[0].adapt(np.random.default_rng(seed).normal(2.0, 3.0, size=(40, 4)))
    randomize(net.layers[1], np.random.default_rng(seed))
    randomize(net.layers[2], np.random.default_rng(seed + 1))
    if classes is not None:
        net.classes_ = classes
    return net


def test_softmax_classifier_with_string_labels():
    model = check(_classifier("softmax_cross_entropy", 3, ["setosa", "versicolor", "virginica"]))
    assert output_names(model) == ["output", "probabilities", "label"]
    assert model.graph.output[2].type.tensor_type.elem_type == onnx.TensorProto.STRING
    assert [n.op_type for n in model.graph.node][-3:] == ["Softmax", "ArgMax", "Gather"]


def test_softmax_classifier_with_integer_labels():
    model = check(_classifier("softmax_cross_entropy", 4, [10, -3, 7, 2]))
    assert model.graph.output[2].type.tensor_type.elem_type == onnx.TensorProto.INT64


def test_binary_logistic_classifier_thresholds_at_one_half():
    model = check(_classifier("binary_cross_entropy_logits", 1, ["no", "yes"]))
    ops = [n.op_type for n in model.graph.node]
    assert "Sigmoid" in ops and "Greater" in ops and "ArgMax" not in ops


def test_losses_on_probabilities_pass_the_outputs_through():
    check(_classifier("categorical_cross_entropy", 3, [0, 1, 2], activation="softmax"))
    check(_classifier("binary_cross_entropy", 1, [0, 1], activation="logistic"))


def test_a_classifier_without_labels_has_probabilities_but_no_label():
    model = check(_classifier("softmax_cross_entropy", 3, None))
    assert output_names(model) == ["output", "probabilities"]


def test_a_regression_model_has_only_its_output():
    model = check(_classifier("mse", 2, None))
    assert output_names(model) == ["output"]


def test_a_trained_classifier_matches_on_its_data():
    x, y = axonal.data.load_digits().as_tuple()
    net = Sequential([Standardize(), Dense(16, "relu"), BatchNorm(), Dropout(0.1), Dense(10)], input_dim=64, seed=0)
    net.fit(x[:300], y[:300], loss="softmax_cross_entropy", optimizer="adam", epochs=3, progress=False)
    run = session(to_onnx(net))
    _, proba, label = run.run(None, {"input": x[300:400].astype(np.float32)})
    np.testing.assert_allclose(proba, net.predict_proba(x[300:400]), rtol=1e-5, atol=1e-6)
    assert label.tolist() == net.predict_classes(x[300:400]).tolist()


# -- float64 ------------------------------------------------------------------------------------------
def test_float64_export_of_a_float64_model_agrees_to_round_off():
    net = Sequential([Standardize(), Dense(6, "gelu"), BatchNorm(), LayerNorm(), Residual(Dense(6, "softplus")),
                      Dense(3)], input_dim=4, dtype="float64", seed=15, loss="softmax_cross_entropy")
    net.layers[0].adapt(np.random.default_rng(15).normal(size=(30, 4)))
    for layer in net.layers[1:]:
        randomize(layer, np.random.default_rng(16))
    model = check(net, dtype="float64", rtol=1e-12, atol=1e-12)
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE


# -- graph networks -----------------------------------------------------------------------------------
def test_feed_forward_graph_network():
    g = Graph()
    inp, hid, out = g.layer("input", 3), g.layer("hidden", 4, "tanh"), g.layer("output", 2, "identity")
    inp.project(hid)
    hid.project(out)
    inp.project(out, mask=np.array([[1, 0], [1, 1], [0, 1]]))
    check(GraphNetwork(g, seed=2))


def test_feed_forward_graph_with_gates_and_one_to_one_connections():
    g = Graph()
    inp = g.layer("input", 3)
    gate_in = g.layer("gate_in", 4)
    hid = g.layer("hidden", 4, "tanh")
    gate_out = g.layer("gate_out", 4)
    twin = g.layer("twin", 4, "relu", bias=False)
    out = g.layer("output", 2, "identity")
    inp.project(gate_in)
    gate_in.gate(inp.project(hid), "input")
    hid.project(gate_out)
    hid.project(twin, "one_to_one")
    gate_out.gate(hid.project(out), "output")
    twin.project(out)
    check(GraphNetwork(g, seed=3))


def test_graph_layer_inside_a_sequential():
    g = Graph()
    inp, hid, out = g.layer("input", 4), g.layer("hidden", 3, "relu"), g.layer("output", 2, "tanh")
    inp.project(hid)
    hid.project(out)
    net = Sequential([Dense(4, "tanh", input_dim=3), GraphLayer(g), Dense(2)], seed=19)
    check(net)


def test_recurrent_graph_network_is_refused_with_the_reason():
    g = Graph()
    inp, hid, out = g.layer("input", 2), g.layer("hidden", 3, "tanh"), g.layer("output", 1)
    inp.project(hid)
    hid.project(hid)
    hid.project(out)
    with pytest.raises(NotImplementedError, match="recurrent"):
        to_onnx(GraphNetwork(g, seed=0))


# -- refusals -------------------------------------------------------------------------------------------
class Doubler(Layer):
    def forward(self, x, *, training=False):
        return 2 * x


def test_refusals_name_the_layer_and_the_reason():
    with pytest.raises(ValueError, match=r"layer 1 .* statistics"):
        to_onnx(Sequential([Dense(3, input_dim=2), Standardize()], seed=0))
    with pytest.raises(ValueError, match="not built"):
        to_onnx(Sequential([Dense(3)]))
    with pytest.raises(TypeError, match="Sequential or GraphNetwork"):
        to_onnx(Dense(3, input_dim=2))
    with pytest.raises(ValueError, match="dtype"):
        to_onnx(Sequential([Dense(3, input_dim=2)], seed=0), dtype="float16")
    doubler = Doubler()
    net = Sequential([Dense(3, input_dim=2), doubler], seed=0)
    with pytest.raises(TypeError, match=r"layer 1 .*Doubler.*no ONNX form"):
        to_onnx(net)


def test_a_custom_activation_is_refused():
    from axonal.activations import Tanh

    class Scaled(Tanh):
        pass

    with pytest.raises(ValueError, match="layer 0 .* no ONNX form"):
        to_onnx(Sequential([Dense(3, Scaled(), input_dim=2)], seed=0))


def test_without_onnx_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install "axonal\[onnx\]"'):
        to_onnx(Sequential([Dense(3, input_dim=2)], seed=0))


def test_importing_axonal_export_does_not_import_onnx():
    code = ("import sys, axonal, axonal.export as e; assert 'onnx' not in sys.modules; "
            "assert callable(e.to_onnx) and 'onnx' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- names are data ---------------------------------------------------------------------------------------
def test_hostile_names_and_labels_are_only_data():
    net = _classifier("softmax_cross_entropy", 3, [HOSTILE, "a\nb\u202e", "plain"])
    net.name = HOSTILE
    net.layers[1].name = HOSTILE + "\x1b[2J"
    model = check(net)
    generated = re.compile(r"t\d+_[a-z0-9_]+|input|output|probabilities|label")
    graph = model.graph
    tensors = [t.name for t in graph.initializer] + [o for n in graph.node for o in list(n.input) + list(n.output)]
    assert all(generated.fullmatch(t) for t in tensors if t)
    assert all(re.fullmatch(r"n\d+", n.name) for n in graph.node)
    assert graph.name == "axonal"
    table = next(t for t in graph.initializer if t.data_type == onnx.TensorProto.STRING)
    assert [s.decode() for s in table.string_data] == [HOSTILE, "a\nb\u202e", "plain"]
    docs = [graph.doc_string, model.doc_string] + [n.doc_string for n in graph.node]
    assert all(d.isprintable() for d in docs) and any(HOSTILE in d for d in docs)
    out = session(model).run(["label"], {"input": np.zeros((2, 4), np.float32)})[0]
    assert set(out.tolist()) <= {HOSTILE, "a\nb\u202e", "plain"}


# -- saving and the command line ------------------------------------------------------------------------
def test_save_onnx_is_atomic(tmp_path):
    net = _classifier("softmax_cross_entropy", 3, ["a", "b", "c"])
    path = tmp_path / "model.onnx"
    assert save_onnx(net, path) == str(path)
    before = path.read_bytes()
    assert onnx.load(str(path)) == to_onnx(net)
    broken = Sequential([Dense(3, input_dim=2), Doubler()], seed=0)
    with pytest.raises(TypeError):
        save_onnx(broken, path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
    with pytest.raises(IsADirectoryError):
        save_onnx(net, tmp_path)


def test_cli_exports_onnx_with_the_format_suffix(tmp_path, capsys):
    rng = np.random.default_rng(20)
    x = rng.normal(size=(40, 3))
    y = np.where(x[:, 0] > 0, "pos", "neg")
    net = Sequential([Standardize(), Dense(5, "tanh"), Dense(2)], input_dim=3, seed=0)
    net.fit(x, y, loss="softmax_cross_entropy", epochs=3, progress=False)
    model = tmp_path / "m.axonal"
    axonal.save(net, model)
    assert main(["export", str(model), "--format", "onnx"]) == 0
    path = tmp_path / "m.onnx"
    assert capsys.readouterr().out.strip() == str(path)
    run = session(onnx.load(str(path)))
    _, proba, label = run.run(None, {"input": x.astype(np.float32)})
    np.testing.assert_allclose(proba, net.predict_proba(x), rtol=1e-5, atol=1e-6)
    assert label.tolist() == net.predict_classes(x).tolist()
    other = tmp_path / "other.onnx"
    assert main(["export", str(model), "--format", "onnx", "-o", str(other)]) == 0 and other.exists()
    assert main(["export", str(model)]) == 0 and (tmp_path / "m.py").exists()   # python stays the default
    capsys.readouterr()
    assert main(["export", str(model), "--format", "pdf"]) != 0


def test_cli_js_format_calls_the_javascript_exporter(tmp_path, capsys):
    pytest.importorskip("axonal.export.javascript", reason="the JavaScript exporter is not in this tree yet")
    net = Sequential([Dense(3, "tanh", input_dim=2), Dense(1)], seed=0)
    model = tmp_path / "m.axonal"
    axonal.save(net, model)
    assert main(["export", str(model), "--format", "js"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "m.js")
    assert (tmp_path / "m.js").read_text() == axonal.export.to_javascript(axonal.load(model))


def test_metadata_holds_the_description_loss_classes_and_feature_names():
    import json
    net = _classifier("softmax_cross_entropy", 3, ["a", HOSTILE, "c"])
    net.feature_names_ = ["width", "height", "depth\n", "mass"]
    props = {p.key: p.value for p in to_onnx(net).metadata_props}
    assert props["loss"] == "softmax_cross_entropy"
    assert json.loads(props["classes"]) == ["a", HOSTILE, "c"]
    assert json.loads(props["feature_names"]) == ["width", "height", "depth\n", "mass"]
    assert props["description"].isprintable()
