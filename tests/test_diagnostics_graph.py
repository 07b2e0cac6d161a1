"""fit's diagnostics on graph networks (axonal.graph, Synaptic's Architect networks): the probe sees
the graph's own layers, in activation order. A deep logistic chain warns of the vanishing gradient
naming its graph layers; a ReLU layer whose units never fire warns naming it; a well-scaled
Architect Perceptron learning XOR warns of nothing; the probe changes nothing a feed-forward or a
recurrent (BPTT) graph learns; History keeps one gradient norm per graph layer."""

import math
import warnings

import numpy as np
import pytest

import axonal
from axonal import SGD, Adam
from axonal.advice import AxonalWarning
from axonal.diagnostics.probe import feedforward_path, measure
from axonal.graph import Graph, GraphNetwork
from axonal.synaptic.architect import LSTM, Perceptron

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float64)


def axonal_warnings(fn):
    """The AxonalWarning messages ``fn()`` raises (every one, none filtered out)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return [str(w.message) for w in caught if issubclass(w.category, AxonalWarning)], result


def chain(hidden, activation, *, inputs=4, outputs=1, output_activation="identity", seed=0, dtype="float64"):
    """input → hidden_1 → … → hidden_n → output, all-to-all."""
    g = Graph()
    previous = g.layer("input", inputs)
    for k, size in enumerate(hidden, start=1):
        layer = g.layer(f"hidden_{k}", size, activation)
        previous.project(layer)
        previous = layer
    previous.project(g.layer("output", outputs, output_activation))
    return GraphNetwork(g, seed=seed, dtype=dtype)


def scale_weights(net, scale, seed=1):
    """Every trained weight matrix ``W (a, b)`` drawn again from ``U(-s, s)``, ``s = scale·√(6 / (a + b))``."""
    rng = np.random.default_rng(seed)
    for _, owner, local, decay in net.named_parameters():
        if decay:
            w = owner.params[local]
            w[...] = rng.uniform(-1, 1, w.shape) * scale * math.sqrt(6.0 / sum(w.shape))


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4))
    return x, (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3])


@pytest.fixture(scope="module")
def running_sums():
    """Sequences (batch, time, 1) and their running sums, the task of a recurrent network."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (96, 10, 1))
    return x, 0.3 * np.cumsum(x, axis=1)


def elman(seed=0):
    g = Graph()
    inp, hidden, out = g.layer("input", 1), g.layer("hidden", 6, "tanh"), g.layer("output", 1, "identity")
    inp.project(hidden)
    hidden.project(hidden, "all_to_all")       # read at t-1: backpropagation through time
    hidden.project(out)
    return GraphNetwork(g, seed=seed, dtype="float64")


def test_a_deep_logistic_chain_warns_of_the_vanishing_gradient_naming_graph_layers(regression):
    x, y = regression
    net = chain([8] * 6, "logistic")
    scale_weights(net, 1.0)                     # Glorot's weights: f'(z) <= 1/4 still shrinks δ at every layer
    messages, history = axonal_warnings(lambda: net.fit(x, y, loss="mse", optimizer=SGD(0.1), epochs=2,
                                                        progress=False))
    vanishing = [m for m in messages if "vanishing gradient" in m]
    assert len(vanishing) == 1
    assert "graph layer 'hidden_1' (2 of 8)" in vanishing[0] and "graph layer 'output' (8 of 8)" in vanishing[0]
    assert "relu" in vanishing[0]                                   # with the fix
    first = history.gradient_norms[0]
    assert len(first) == len(net.graph.order) == 8 and first[0] is None
    assert first[1] < 1e-3 * first[-1]


def test_synaptic_small_weights_make_a_deep_logistic_perceptron_fail_xor_with_the_warning():
    """The articles' case: two logistic hidden layers from Synaptic's small weights pass the output's
    δ back shrunk ~1000-fold; the warning says so before the first epoch."""
    net = Perceptron(2, 6, 6, 1, seed=0, dtype="float64")
    messages, history = axonal_warnings(lambda: net.fit(XOR_X, XOR_Y, loss="mse", optimizer=SGD(0.5), epochs=3,
                                                        batch_size=1, progress=False))
    vanishing = [m for m in messages if "vanishing gradient" in m]
    assert len(vanishing) == 1
    assert "graph layer 'hidden_1' (2 of 4)" in vanishing[0] and "graph layer 'output' (4 of 4)" in vanishing[0]


def test_a_relu_graph_layer_with_most_units_dead_warns_naming_it(regression):
    x, y = regression
    net = chain([16, 16, 16], "relu")
    net.graph_layer.params["hidden_2.bias"][:12] = -50.0          # 12 of 16 units never fire
    messages, _ = axonal_warnings(lambda: net.fit(x, y, loss="mse", optimizer="sgd", epochs=2, progress=False))
    dead = [m for m in messages if "dead ReLU units" in m]
    assert len(dead) == 1 and "dead ReLU units: 75% of the units of graph layer 'hidden_2' (3 of 5)" in dead[0]
    report = axonal.diagnose(net, x, y, loss="mse")
    assert "dead_relu" in report.kinds()
    assert report.measurements["graph_layers"] == net.graph.order
    dead_fraction = report.measurements["dead_relu_fraction"]
    assert dead_fraction[0] is None and dead_fraction[-1] is None and dead_fraction[2] == 0.75


def test_a_perceptron_learns_xor_without_a_warning():
    """Synaptic's XOR: Architect Perceptron(2, 4, 1), logistic, trained one row at a time."""
    net = Perceptron(2, 4, 1, seed=0, dtype="float64")
    messages, history = axonal_warnings(lambda: net.fit(XOR_X, XOR_Y, loss="mse", optimizer=SGD(0.5),
                                                        epochs=2000, batch_size=1, progress=False))
    assert messages == []
    assert history[-1] < 0.01
    np.testing.assert_array_equal(np.round(net.predict(XOR_X)), XOR_Y)
    assert all(len(norms) == 3 and norms[0] is None for norms in history.gradient_norms.values())


def test_a_deeper_well_scaled_perceptron_learns_xor_without_a_warning():
    """Two tanh hidden layers from Glorot-scaled weights: the gradient check runs (three weighted
    layers along the chain) and finds the gradient flowing."""
    net = Perceptron(2, 6, 6, 1, activation="tanh", output_activation="logistic", seed=0, dtype="float64")
    scale_weights(net, 1.0)
    messages, history = axonal_warnings(lambda: net.fit(XOR_X, XOR_Y, loss="mse", optimizer=Adam(0.05), epochs=300,
                                                        batch_size=4, progress=False))
    assert messages == []
    assert history[-1] < 0.01
    np.testing.assert_array_equal(np.round(net.predict(XOR_X)), XOR_Y)
    first = history.gradient_norms[0]
    assert first[0] is None and all(v > 0 for v in first[1:])
    assert feedforward_path(net.graph_layer) == [0, 1, 2, 3]


def test_the_gradient_check_follows_connections_not_the_activation_order():
    """An LSTM's gates come first in the activation order but sit one step from the input, side by
    side with the cell: the chain compared is input → memory_cell → output."""
    net = LSTM(1, 4, 1, seed=0, dtype="float64")
    order = net.graph.order
    assert order == ["input", "input_gate", "forget_gate", "memory_cell", "output_gate", "output"]
    assert [order[i] for i in feedforward_path(net.graph_layer)] == ["input", "memory_cell", "output"]
    g = Graph()                 # a skip connection does not shorten the chain
    a, b, c, d = g.layer("input", 2), g.layer("b", 3), g.layer("c", 3), g.layer("d", 1)
    a.project(b), b.project(c), c.project(d), a.project(d)
    assert feedforward_path(GraphNetwork(g, seed=0).graph_layer) == [0, 1, 2, 3]


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("make", ["perceptron", "elman", "lstm"])
def test_the_probe_changes_nothing_a_graph_learns(make, compiled, regression, running_sums):
    """Feed-forward, and recurrent graphs trained by backpropagation through time in ``fit``: the
    same weights, bit for bit, and the same losses with diagnostics as without."""
    if compiled and not axonal.jit.available():
        pytest.skip("numba is not installed: no compiled path to compare")
    recurrent = make != "perceptron"
    x, y = running_sums if recurrent else regression

    def train(diagnostics):
        net = {"perceptron": lambda: Perceptron(4, 8, 8, 1, output_activation="identity", seed=0, dtype="float64"),
               "elman": elman, "lstm": lambda: LSTM(1, 4, 1, seed=0, dtype="float64")}[make]()
        with axonal.jit.using(compiled):
            messages, history = axonal_warnings(lambda: net.fit(
                x, y, loss="mse", optimizer=Adam(0.01), epochs=12, batch_size=16, progress=False,
                diagnostics=diagnostics, seed=1))
        return net, history, messages
    net, history, messages = train(True)
    plain_net, plain, _ = train(False)
    assert not any("vanishing gradient" in m or "exploding gradient" in m for m in messages)
    probed = sorted(history.gradient_norms)     # a compiled rule running many epochs per call is seen after the last
    assert probed == [0, 1, 2, 4, 8, 10, 12] or (compiled and probed[0] == 0 and probed[-1] == 12)
    assert plain.gradient_norms == {}
    assert history.loss == plain.loss and history[-1] < 0.5 * history[0]
    with_probe, without = net.get_weights(), plain_net.get_weights()
    assert sorted(with_probe) == sorted(without)
    for name in without:
        np.testing.assert_array_equal(with_probe[name], without[name])
    assert (net.graph_layer._cache is None) == (plain_net.graph_layer._cache is None)   # the probe's pass not kept


def test_history_has_one_gradient_norm_series_per_graph_layer_with_weights(running_sums, tmp_path, monkeypatch):
    x, y = running_sums
    net = LSTM(1, 4, 1, seed=0, dtype="float64")
    history = net.fit(x, y, loss="mse", optimizer=Adam(0.01), epochs=3, batch_size=32, progress=False)
    order = net.graph.order
    weighted = {i for i, into in enumerate(net.graph_layer.weights_into()) if into}
    assert weighted == set(range(1, len(order)))                  # every layer but the input has incoming weights
    for norms in history.gradient_norms.values():
        assert len(norms) == len(order)
        assert [i for i, v in enumerate(norms) if v is not None] == sorted(weighted)
        assert all(v > 0 and math.isfinite(v) for v in norms if v is not None)
    again = axonal.History.from_dict(history.to_dict())
    assert again.gradient_norms == history.gradient_norms
    from axonal.plotting import matplotlib_available, plot_gradient_norms
    if not matplotlib_available():
        return
    import matplotlib.axes
    drawn, plot = [], matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot", lambda ax, *a, **k: drawn.append(k.get("label")) or plot(ax, *a, **k))
    plot_gradient_norms(history, tmp_path / "norms.png", layer_names=order)
    assert drawn == order[1:]                                     # one line per graph layer with weights


def test_a_graph_layers_norm_is_that_of_its_incoming_connections(running_sums):
    """``‖∂E/∂W_L‖₂`` over the weights of every connection into ``L``, from the gradient of the same pass."""
    x, y = running_sums
    net = elman()
    loss = axonal.losses.get("mse")
    found = measure(net, loss, x[:64], y[:64], chunk=64)
    layer = net.graph_layer
    out = layer.forward(x[:64], training=True)
    _, delta = loss.value_and_grad(out.reshape(-1, 1), y[:64].reshape(-1, 1), None)
    layer.backward(delta.reshape(out.shape))
    grads = dict(layer.grads)
    # into hidden: input → hidden (1·6) and hidden → hidden all-to-else (6·6 less the diagonal, which is the
    # self-connection, fixed at 1 and not trained)
    assert net.graph_layer.weights_into()[1] == {"input_to_hidden.weight": 6, "hidden_to_hidden_2.weight": 30}
    hidden = math.sqrt(np.sum(grads["input_to_hidden.weight"] ** 2) + np.sum(grads["hidden_to_hidden_2.weight"] ** 2))
    output = math.sqrt(np.sum(grads["hidden_to_output.weight"] ** 2))
    assert found["grad_norms"][0] is None
    assert math.isclose(found["grad_norms"][1], hidden, rel_tol=1e-12)
    assert math.isclose(found["grad_norms"][2], output, rel_tol=1e-12)
    assert math.isclose(found["grad_rms"][1], hidden / math.sqrt(6 + 30), rel_tol=1e-12)
    assert found["layers"] == ["graph layer 'input' (1 of 3)", "graph layer 'hidden' (2 of 3)",
                               "graph layer 'output' (3 of 3)"]


@pytest.mark.parametrize("dtype, rel", [("float64", 1e-9), ("float32", 1e-3)])
@pytest.mark.parametrize("make", ["perceptron", "lstm"])
def test_the_graph_gradient_norms_agree_on_the_compiled_and_numpy_paths(make, dtype, rel, regression,
                                                                         running_sums):
    """The compiled training and the NumPy one probe the same per-graph-layer norms (to the
    training's own agreement: float64 1e-12 per step, float32 1e-5)."""
    if not axonal.jit.available():
        pytest.skip("numba is not installed: no compiled path to compare")
    x, y = running_sums if make == "lstm" else regression

    def run(compiled):
        net = (LSTM(1, 4, 1, seed=0, dtype=dtype) if make == "lstm"
               else Perceptron(4, 8, 8, 1, output_activation="identity", seed=0, dtype=dtype))
        with axonal.jit.using(compiled):
            return net.fit(x.astype(dtype), y.astype(dtype), loss="mse", optimizer=Adam(0.01), epochs=4,
                           batch_size=16, progress=False).gradient_norms
    numpy_norms, compiled_norms = run(False), run(True)
    assert sorted(numpy_norms) == [0, 1, 2, 4]
    assert {0, 4} <= set(compiled_norms) <= set(numpy_norms)   # a compiled whole-run rule is seen after the last epoch
    for epoch in compiled_norms:
        assert len(numpy_norms[epoch]) == len(compiled_norms[epoch])
        for a, b in zip(numpy_norms[epoch], compiled_norms[epoch]):
            assert (a is None) == (b is None)
            if a is not None:
                assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-12 if dtype == "float64" else 1e-5)
