"""Graph networks: the blueprint's rules, the time semantics, BPTT against the LSTM layer, training."""

import functools

import numpy as np
import pytest
from cases import gated_graph, synapse_graph

import axonal
from axonal import SGD, Adam, Dense, Sequential
from axonal.graph import Graph, GraphLayer, GraphNetwork
from axonal.layers import LSTM
from axonal.synaptic.architect import from_lstm_layer, lstm_layer_graph


def small_graph():
    g = Graph()
    inp, hid, out = g.layer("input", 2), g.layer("hidden", 3, "tanh"), g.layer("output", 1)
    inp.project(hid)
    hid.project(hid)
    hid.project(out)
    return g


# -- the blueprint refuses what cannot be built, and says why ---------------------------------
def test_blueprint_errors_name_the_problem():
    g = Graph()
    a, b = g.layer("a", 2), g.layer("b", 3)
    with pytest.raises(ValueError, match="already a layer named 'a'"):
        g.layer("a", 4)
    with pytest.raises(ValueError, match="graph layer: name 'two words' is not allowed"):
        g.layer("two words", 1)
    with pytest.raises(ValueError, match="positive integer size"):
        g.layer("c", 0)
    with pytest.raises(ValueError, match="unknown activation"):
        g.layer("c", 2, "sigmoidal")
    with pytest.raises(ValueError, match="one_to_one connection needs equal sizes; 'a' has 2 neurons, 'b' has 3"):
        a.project(b, "one_to_one")
    with pytest.raises(ValueError, match="connection kind must be one of"):
        a.project(b, "some_to_some")
    conn = a.project(b)
    gate = g.layer("gate", 2)
    with pytest.raises(ValueError, match="input gating of 'a_to_b' needs a gater of 3 neurons .* 'gate' has 2"):
        gate.gate(conn, "input")
    gate.gate(conn, "output")
    with pytest.raises(ValueError, match="already gated by 'gate'"):
        g.layer("gate2", 3).gate(conn, "input")
    with pytest.raises(ValueError, match="input layer 'a' cannot gate"):
        a.gate(b.project(b), "one_to_one")
    with pytest.raises(ValueError, match="one_to_one gating needs a one_to_one connection"):
        g.layer("gate3", 6).gate(gate.project(b), "one_to_one")
    with pytest.raises(ValueError, match="index array of shape"):
        g.gate(a.project(gate), "b", "synapse", index=[1, 2])
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        g.connect("a", "nope")


def test_connections_into_the_input_layer_and_a_missing_output_are_refused():
    g = small_graph()
    g.connect("hidden", "input")
    with pytest.raises(ValueError, match="ends at the input layer 'input'"):
        GraphLayer(g)
    with pytest.raises(ValueError, match="output layer 'input' must be a layer after the input layer"):
        GraphLayer(small_graph(), output="input")


def test_projecting_all_to_all_onto_itself_makes_a_fixed_self_connection_and_all_to_else():
    g = small_graph()
    conn = g.connect("output", "output", "all_to_all")
    assert conn.kind == "all_to_else" and conn.mask is None      # the diagonal is left out by its kind
    assert not conn.synapse_mask({"output": 1}).diagonal().any()
    selfs = [c for c in g.connections if c.is_self]
    assert {c.source for c in selfs} == {"hidden", "output"}
    assert all(c.weights == 1.0 and not c.trainable for c in selfs)


def test_config_round_trip_keeps_structure_gates_and_masks():
    for g in (gated_graph(), synapse_graph()):
        again = Graph.from_config(g.get_config())
        assert again.get_config() == g.get_config()
        assert again.summary() == g.summary()


# -- time: which step every read refers to --------------------------------------------------
def test_reads_follow_the_activation_order_and_gains_start_at_one():
    """An independent loop: a (earlier, gates b→c) and c (later, feeds a) over three steps."""
    g = Graph()
    x, a, b, c = g.layer("x", 1), g.layer("a", 1), g.layer("b", 1, "identity"), g.layer("c", 1, "identity")
    x.project(a, weights=0.5)
    c.project(a, weights=2.0)                       # c comes later: a reads its previous step
    x.project(b, weights=1.0)
    bc = b.project(c, weights=3.0)
    c.gate(g.connect("x", "c", weights=-1.0), "input")   # c gates its own input: previous step, 1 at first
    a.gate(bc, "output")                            # a comes earlier: current step
    net = GraphNetwork(g, dtype="float64", seed=0)
    layer = net.graph_layer
    for name in ("a.bias", "b.bias", "c.bias"):
        layer.weight(name)[...] = 0.0
    xs = np.array([1.0, -2.0, 0.5])
    got = net.predict(xs.reshape(1, 3, 1))[0, :, 0]
    a_act = c_act = 0.0
    gain_c = 1.0
    expected = []
    for xt in xs:
        a_act = 1 / (1 + np.exp(-(0.5 * xt + 2.0 * c_act)))
        b_act = 1.0 * xt
        c_act = a_act * b_act * 3.0 + gain_c * (-1.0 * xt)
        gain_c = c_act
        expected.append(c_act)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_one_step_at_a_time_equals_the_whole_sequence():
    net = GraphNetwork(gated_graph(), dtype="float64", seed=3)
    x = np.random.default_rng(0).standard_normal((2, 7, 2))
    whole = net.predict(x)
    steps = np.stack([net.activate(x[:, t]) for t in range(7)], axis=1)
    np.testing.assert_allclose(steps, whole, rtol=1e-12, atol=1e-14)
    net.reset_state()
    np.testing.assert_allclose(net.activate(x[:, 0]), whole[:, 0], rtol=1e-12)
    with pytest.raises(ValueError, match="carried state is for a batch of 2"):
        net.activate(x[0, 0])
    with pytest.raises(ValueError, match="takes 2 values per step"):
        GraphNetwork(gated_graph()).activate([1.0, 2.0, 3.0])


def test_a_stateful_graph_carries_its_state_between_calls():
    net = GraphNetwork(gated_graph(), dtype="float64", seed=1, stateful=True)
    x = np.random.default_rng(1).standard_normal((1, 8, 2))
    whole = GraphNetwork(gated_graph(), dtype="float64", seed=1).predict(x)
    halves = np.concatenate([net.predict(x[:, :5]), net.predict(x[:, 5:])], axis=1)
    np.testing.assert_allclose(halves, whole, rtol=1e-12)
    net.reset_state()
    np.testing.assert_allclose(net.predict(x[:, :5]), whole[:, :5], rtol=1e-12)


def test_a_graph_carried_state_is_read_and_set_to_continue_elsewhere():
    first, second = (GraphNetwork(gated_graph(), dtype="float64", seed=1, stateful=True) for _ in range(2))
    x = np.random.default_rng(2).standard_normal((1, 8, 2))
    whole = GraphNetwork(gated_graph(), dtype="float64", seed=1).predict(x)
    first.predict(x[:, :5])
    layer_a, layer_b = first.layers[0], second.layers[0]
    layer_b.carried_state = layer_a.carried_state
    np.testing.assert_allclose(second.predict(x[:, 5:]), whole[:, 5:], rtol=1e-12)
    wrong_batch = {part: {k: np.zeros((2,) + v.shape[1:]) for k, v in values.items()}
                   for part, values in layer_a.carried_state.items()}
    wrong_batch["act"] = {k: v[:1] for k, v in wrong_batch["act"].items()}
    with pytest.raises(ValueError, match="must have shape"):
        layer_b.carried_state = wrong_batch
    with pytest.raises(ValueError, match="form of initial_state"):
        layer_b.carried_state = {"act": layer_a.carried_state["act"]}


def test_same_seed_same_weights_and_different_seed_different():
    a, b, c = (GraphNetwork(gated_graph(), seed=s).get_weights() for s in (5, 5, 6))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert any(not np.array_equal(a[k], c[k]) for k in a)


# -- an LSTM wired as a graph is the LSTM layer ---------------------------------------------------
@pytest.mark.parametrize("return_sequences", [True, False])
def test_lstm_as_graph_equals_the_lstm_layer_in_outputs_and_gradients(return_sequences):
    n_in, n = 3, 4
    rng = np.random.default_rng(0)
    lstm = LSTM(n, peepholes=True, return_sequences=return_sequences)
    lstm.build((None, n_in), rng, np.float64)
    for value in lstm.params.values():
        value[...] = rng.uniform(-0.7, 0.7, value.shape)
    graph = from_lstm_layer(lstm).graph_layer
    x = rng.standard_normal((5, 11, n_in))
    y_lstm, y_graph = lstm.forward(x, training=True), graph.forward(x, training=True)
    np.testing.assert_allclose(y_graph, y_lstm, rtol=0, atol=1e-14)
    delta = rng.standard_normal(y_lstm.shape)
    np.testing.assert_allclose(graph.backward(delta), lstm.backward(delta), rtol=0, atol=1e-14)
    for j, k in enumerate("ifgo"):
        cols = slice(j * n, (j + 1) * n)
        np.testing.assert_allclose(graph.grads[f"x_to_{k}.weight"], lstm.grads["kernel"][:, cols], atol=1e-13)
        np.testing.assert_allclose(graph.grads[f"h_to_{k}.weight"], lstm.grads["recurrent_kernel"][:, cols],
                                   atol=1e-13)
        np.testing.assert_allclose(graph.grads[f"{k}.bias"], lstm.grads["bias"][cols], atol=1e-13)
    for k in "ifo":
        np.testing.assert_allclose(graph.grads[f"cell_to_{k}.weight"], lstm.grads[f"peephole_{k}"], atol=1e-13)


def test_lstm_without_peepholes_as_graph():
    lstm = LSTM(3, return_sequences=True)
    lstm.build((None, 2), np.random.default_rng(4), np.float64)
    x = np.random.default_rng(5).standard_normal((2, 6, 2))
    np.testing.assert_allclose(from_lstm_layer(lstm).predict(x), lstm.forward(x), rtol=0, atol=1e-14)
    assert not any(c.source == "cell" and c.target in "ifo" for c in lstm_layer_graph(2, 3, peepholes=False).connections)


# -- the training loop, saving and inspecting --------------------------------------------------------
def test_a_graph_network_learns_xor_through_fit():
    g = Graph()
    inp, hid, out = g.layer("input", 2), g.layer("hidden", 4, "tanh"), g.layer("output", 1)
    inp.project(hid)
    hid.project(out)
    net = GraphNetwork(g, seed=0)
    assert net.input_rank == 1                      # no recurrence: rows, not sequences
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([[0], [1], [1], [0]], np.float32)
    history = net.fit(x, y, loss="mse", optimizer=SGD(learning_rate=1.0, momentum=0.9), epochs=3000,
                      batch_size=None, error=0.005)
    assert history.stop_reason == "error"
    assert np.array_equal(np.round(net.predict(x)), y)


def test_a_recurrent_graph_learns_to_sum_its_inputs_by_bptt():
    g = Graph()
    x, acc, y = g.layer("x", 1), g.layer("acc", 4, "tanh"), g.layer("y", 1, "identity")
    x.project(acc)
    acc.project(acc, "all_to_all")
    acc.project(y)
    net = GraphNetwork(g, return_sequences=False, seed=0)
    rng = np.random.default_rng(0)
    xs = rng.uniform(-0.5, 0.5, (512, 6, 1)).astype(np.float32)
    ys = xs.sum(axis=1)
    before = net.evaluate(xs, ys, loss="mse")
    net.fit(xs, ys, loss="mse", optimizer=Adam(learning_rate=0.02), epochs=60, batch_size=32, seed=0)
    after = net.evaluate(xs, ys, loss="mse")
    assert after < 0.01 < before


def test_save_and_load_give_the_same_network(tmp_path):
    net = GraphNetwork(synapse_graph(), seed=2)
    x = np.random.default_rng(2).standard_normal((3, 5, 2)).astype(np.float32)
    axonal.save(net, tmp_path / "graph.axonal")
    again = axonal.load(tmp_path / "graph.axonal")
    assert isinstance(again, GraphNetwork)
    np.testing.assert_array_equal(again.predict(x), net.predict(x))
    stack = Sequential([GraphLayer(gated_graph()), Dense(1)], input_dim=2, seed=0)
    axonal.save(stack, tmp_path / "stack.axonal")
    np.testing.assert_array_equal(axonal.load(tmp_path / "stack.axonal").predict(x), stack.predict(x))


def test_parameters_are_named_and_counted_by_layer_and_connection():
    net = GraphNetwork(small_graph(), seed=0)
    assert net.parameter_counts() == {"hidden.bias": 3, "output.bias": 1, "input_to_hidden.weight": 6,
                                      "hidden_to_output.weight": 3}
    assert "hidden_to_hidden.weight" in net.state_arrays()   # the fixed self-connection is state, not trained
    text = net.summary()
    for word in ("input_to_hidden", "hidden → hidden  self  fixed", "Total parameters: 13"):
        assert word in text
    gated = GraphNetwork(gated_graph(), seed=0).summary()
    assert "c_to_c  c → c  self  fixed  gated (input) by gf".replace("  ", " ") in " ".join(gated.split())


def test_masks_keep_absent_synapses_at_zero_through_training():
    net = GraphNetwork(synapse_graph(), seed=0)
    mask = [c for c in net.graph.connections if c.name == "pool_to_y"][0].mask
    x = np.random.default_rng(0).standard_normal((16, 4, 2)).astype(np.float32)
    y = np.random.default_rng(1).standard_normal((16, 4, 2)).astype(np.float32)
    net.fit(x, y, optimizer=Adam(learning_rate=0.05), epochs=5, batch_size=4, seed=0)
    assert np.all(net.get_weights()["pool_to_y.weight"][~mask] == 0)


def test_a_one_step_sequence_gets_a_gradient_of_its_own_shape_inside_a_stack():
    g = small_graph()
    stack = Sequential([LSTM(2, return_sequences=True), GraphLayer(g, return_sequences=False)], input_dim=3,
                       seed=0)
    x = np.random.default_rng(0).standard_normal((4, 1, 3)).astype(np.float32)
    before = stack.evaluate(x, np.zeros((4, 1)), loss="mse")
    stack.fit(x, np.zeros((4, 1)), loss="mse", optimizer=Adam(0.05), epochs=20, batch_size=4)
    assert stack.evaluate(x, np.zeros((4, 1)), loss="mse") < before


def test_the_network_keeps_its_own_copy_of_the_blueprint(tmp_path):
    g = small_graph()
    net = GraphNetwork(g, seed=0)
    g.connect("input", "output")                       # an edit after building reaches nothing
    assert len(net.graph.connections) == 3
    axonal.save(net, tmp_path / "net.axonal")
    assert len(axonal.load(tmp_path / "net.axonal").graph.connections) == 3


def test_configs_are_checked_like_hand_built_graphs():
    config = small_graph().get_config()
    config["connections"].append(dict(config["connections"][0]))
    with pytest.raises(ValueError, match=r"connection 3 \('input_to_hidden'\): there is already a connection named"):
        Graph.from_config(config)
    config = small_graph().get_config()
    config["connections"][0].update(kind="one_to_one")
    with pytest.raises(ValueError, match="one_to_one connection needs equal sizes"):
        Graph.from_config(config)
    g = small_graph()
    with pytest.raises(ValueError, match="already has its self-connection 'hidden_to_hidden'"):
        g.connect("hidden", "hidden", trainable=True)
    with pytest.raises(ValueError, match="0 time steps"):
        GraphNetwork(small_graph(), seed=0).predict(np.zeros((2, 0, 2), np.float32))


def test_in_order_joins_a_layer_to_itself_ungated_with_an_elementwise_activation():
    from axonal.graph import GraphNetwork
    g = Graph()
    x, pool, y = g.layer("x", 2), g.layer("pool", 3, "tanh"), g.layer("y", 2, "softmax")
    with pytest.raises(ValueError, match="in_order connection joins a layer to itself, not 'x' → 'pool'"):
        x.project(pool, "in_order")
    inner = pool.project(pool, "in_order")
    with pytest.raises(ValueError, match="in_order connection 'pool_to_pool' cannot be gated"):
        g.gate(inner, "y", "input")
    x.project(pool)
    pool.project(y)
    net = GraphNetwork(g, dtype="float64", seed=0)
    assert Graph.from_config(g.get_config()).connections[0].kind == "in_order"
    w = net.get_weights()["pool_to_pool.weight"]
    assert np.diag(w).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="layer 'pool' has in_order connections, which LSTM-g does not trace"):
        net.online()
    y.project(y, "in_order")
    with pytest.raises(ValueError, match="in_order connection 'y_to_y' needs an elementwise activation; layer 'y' "
                                         "uses softmax"):
        GraphNetwork(g)


def test_in_order_neuron_j_reads_earlier_neurons_now_and_later_ones_from_the_previous_step():
    from axonal.graph import GraphNetwork
    g = Graph()
    x, pool = g.layer("x", 1), g.layer("pool", 3, "identity", bias=False)
    x.project(pool, weights=np.array([[1.0, 0.0, 0.0]]))
    pool.project(pool, "in_order", weights=np.array([[0, 2.0, 0], [0, 0, 3.0], [5.0, 0, 0]]))
    net = GraphNetwork(g, dtype="float64")
    first = net.activate([1.0])               # a0 = 1, a1 = 2·a0 = 2, a2 = 3·a1 = 6 (all this step)
    second = net.activate([1.0])              # a0 = 1 + 5·a2(t-1) = 31, a1 = 62, a2 = 186
    assert first.tolist() == [1.0, 2.0, 6.0] and second.tolist() == [31.0, 62.0, 186.0]


def test_standalone_python_of_an_in_order_layer_computes_what_the_network_computes():
    from cases import in_order_graph

    from axonal.export import to_python
    net = GraphNetwork(in_order_graph(), dtype="float64", seed=0)
    namespace = {}
    exec(compile(to_python(net, name="run"), "generated", "exec"), namespace)  # noqa: S102 - our own output
    x = np.random.default_rng(1).uniform(-1, 1, (7, 2))
    np.testing.assert_allclose(namespace["run"](x.tolist()), net.predict(x[None])[0], rtol=0, atol=1e-12)


# -- each connection kind is one term class, its backward the derivative of its forward ------------
def _numeric_grad(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + eps
        up = f()
        x[i] = keep - eps
        grad[i] = (up - f()) / (2 * eps)
        x[i] = keep
    return grad


def _energy(term, du, a, w, g):
    """``E = Σ δu ⊙ u``, so that ``∂E/∂u = δu``."""
    return float(np.sum(du * term.forward(a, w, None if g is None else term.gain(g))))


def test_each_term_backward_is_the_derivative_of_its_forward():
    from cases import graph_terms
    rng = np.random.default_rng(0)
    kinds = set()
    for layer, step, term in graph_terms():
        kinds.add((type(term).__name__, term.gater is not None, term.gate_index is not None))
        a, w = rng.uniform(-1, 1, (2, 2, layer.sizes[term.source])), rng.uniform(-1, 1, layer.weight(term.param).shape)
        g = None if term.gater is None else rng.uniform(0.1, 1, (2, 2, layer.sizes[term.gater]))
        du = rng.standard_normal((2, 2, step.size))
        gain = None if g is None else term.gain(g)
        energy = functools.partial(_energy, term, du[0], a[0], w, None if g is None else g[0])
        dw, da, dg = term.backward(du[0], a[0], w, None if g is None else gain[0])
        np.testing.assert_allclose(dw, _numeric_grad(energy, w), atol=1e-8, err_msg=repr(term.conn.name))
        np.testing.assert_allclose(da, _numeric_grad(energy, a[0]), atol=1e-8, err_msg=repr(term.conn.name))
        if g is None:
            assert dg is None
        else:
            np.testing.assert_allclose(dg, _numeric_grad(energy, g[0]), atol=1e-8, err_msg=repr(term.conn.name))
        # a weight gradient over whole series is the sum of the steps'
        steps = sum(term.weight_grad(du[t], a[t], None if g is None else gain[t]) for t in range(2))
        np.testing.assert_allclose(term.weight_grad(du, a, gain), steps, rtol=1e-12, atol=1e-12)
        if term.shares_product:   # a product computed elsewhere gives the same u and gradient
            p = term.product(a[0], w)
            g0 = None if g is None else gain[0]
            np.testing.assert_array_equal(term.forward(a[0], w, g0, p), term.forward(a[0], w, g0))
            np.testing.assert_allclose(term.product_grad(du[0], g0) @ w.T, da, rtol=1e-12, atol=1e-12)
    assert kinds == {("AllToAll", False, False), ("InputGated", True, False), ("OutputGated", True, False),
                     ("SynapseGated", True, True), ("OneToOne", False, False), ("OneToOne", True, False),
                     ("OneToOne", True, True)}
