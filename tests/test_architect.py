"""axonal.synaptic.architect: ready-made graph networks, built as Synaptic's Architect builds them."""

import numpy as np
import pytest
from synaptic_node import requires_synaptic, run_synaptic

import axonal.hopfield
from axonal import Adam
from axonal.synaptic.architect import LSTM, Hopfield, Liquid, Perceptron
from axonal.synaptic import from_json, to_json

LSTM_OPTIONS = {  # axonal keyword -> Synaptic option, for the non-default LSTM
    "hidden_to_hidden": ("hiddenToHidden", True),
    "output_to_hidden": ("outputToHidden", True),
    "output_to_gates": ("outputToGates", True),
    "input_to_output": ("inputToOutput", False),
    "peepholes": ("peepholes", "ONE_TO_ONE"),
}
AXONAL_OPTIONS = {"hidden_to_hidden": True, "output_to_hidden": True, "output_to_gates": True,
                  "input_to_output": False, "peepholes": "one_to_one"}
# hidden_to_hidden wires cells of one layer together, which Synaptic runs neuron by neuron
# (a cell sees the new value of the cells before it): same synapses, other numbers
SAME_TIMING_OPTIONS = {**AXONAL_OPTIONS, "hidden_to_hidden": False}


def synapses(json):
    """The set of (from, to, gater) triples of a Synaptic JSON network."""
    return {(c["from"], c["to"], c["gater"]) for c in json["connections"]}


def assert_same_structure(ours, theirs):
    assert len(ours["neurons"]) == len(theirs["neurons"])
    assert [n["layer"] for n in ours["neurons"]] == [n["layer"] for n in theirs["neurons"]]
    assert [n["squash"] for n in ours["neurons"]] == [n["squash"] for n in theirs["neurons"]]
    assert synapses(ours) == synapses(theirs)
    assert len(ours["connections"]) == len(theirs["connections"])  # no duplicate synapses on either side
    # gates start open: bias exactly 1 (Synaptic's random biases lie in [-0.1, 0.1))
    ones = [[k for k, n in enumerate(net["neurons"]) if n["bias"] == 1] for net in (ours, theirs)]
    assert ones[0] == ones[1]


def random_sequence(batch, steps, features, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(batch, steps, features))


# -- same structure as Synaptic ------------------------------------------------------------------
@requires_synaptic
@pytest.mark.parametrize("sizes", [(2, 3, 1), (3, 4, 5, 2)])
def test_perceptron_structure_equals_synaptic(sizes):
    theirs = run_synaptic({"op": "build", "arch": "Perceptron", "sizes": list(sizes), "seed": 1})["json"]
    assert_same_structure(to_json(Perceptron(*sizes, seed=0)), theirs)


@requires_synaptic
@pytest.mark.parametrize("sizes, options", [
    ((2, 3, 1), {}),
    ((3, 2, 2, 1), {}),
    ((2, 3, 2, 1), AXONAL_OPTIONS),
    ((2, 3, 1), {"peepholes": "all_to_else"}),
    ((2, 3, 1), {"peepholes": None}),
])
def test_lstm_structure_equals_synaptic(sizes, options):
    command = {"op": "build", "arch": "LSTM", "sizes": list(sizes), "seed": 1}
    if options:
        command["options"] = {LSTM_OPTIONS[k][0]: (v.upper() if k == "peepholes" and v else v)
                              for k, v in options.items()}
        if options.get("peepholes", "") is None:
            command["options"]["peepholes"] = True  # Synaptic's way to get none: a value that is no type
    theirs = run_synaptic(command)["json"]
    assert_same_structure(to_json(LSTM(*sizes, seed=0, **options)), theirs)


@requires_synaptic
@pytest.mark.parametrize("sizes, options", [((3, 2, 2, 1), {}), ((2, 3, 2, 1), SAME_TIMING_OPTIONS)])
def test_lstm_with_synaptics_weights_gives_synaptics_outputs(sizes, options):
    """Synaptic's own LSTM, its weights copied synapse by synapse into ours: the same outputs."""
    steps = 12
    xs = random_sequence(1, steps, sizes[0], seed=5)[0]
    command = {"op": "run", "arch": "LSTM", "sizes": list(sizes), "seed": 4,
               "stream": [{"input": x.tolist(), "target": None} for x in xs]}
    if options:
        command["options"] = {LSTM_OPTIONS[k][0]: (v.upper() if k == "peepholes" else v) for k, v in options.items()}
    result = run_synaptic(command)
    net = LSTM(*sizes, seed=0, dtype="float64", **options)
    load_synaptic_weights(net, result["json_before"])
    np.testing.assert_allclose(net.predict(xs[None])[0], np.array(result["outputs"]), rtol=0, atol=1e-12)


def load_synaptic_weights(net, json):
    """Copy biases and weights of a Synaptic JSON with the same neurons and synapses into ``net``."""
    layer = net.graph_layer
    offsets = dict(zip(layer.graph.order, np.cumsum([0] + layer.sizes[:-1])))
    weights = {(c["from"], c["to"]): c["weight"] for c in json["connections"]}
    assert len(weights) == len(json["connections"])
    for name in layer.graph.order[1:]:
        bias = layer.weight(f"{name}.bias")
        bias[...] = [json["neurons"][offsets[name] + j]["bias"] for j in range(len(bias))]
    for conn in layer.graph.connections:
        if conn.is_self:
            continue  # fixed at 1 on both sides
        w, a, b = layer.weight(f"{conn.name}.weight"), offsets[conn.source], offsets[conn.target]
        for index in np.ndindex(w.shape):
            i, j = (index[0], index[0]) if conn.kind == "one_to_one" else index
            w[index] = weights[a + i, b + j]


# -- Perceptron ------------------------------------------------------------------------------------
def test_perceptron_layers_and_shapes():
    net = Perceptron(3, 4, 5, 2, seed=0)
    assert net.graph.order == ["input", "hidden_1", "hidden_2", "output"]
    assert [c.kind for c in net.graph.connections] == ["all_to_all"] * 3
    assert net.predict(np.zeros((7, 3))).shape == (7, 2)
    single = Perceptron(4, 4, output_activation="identity", seed=0)
    assert single.graph.order == ["input", "output"]
    assert single.graph_layer.steps[-1].activation.name == "identity"


def test_perceptron_learns_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    net = Perceptron(2, 4, 1, seed=0)
    history = net.fit(x, y, loss="mse", optimizer=Adam(learning_rate=0.1), epochs=3000, batch_size=None,
                      error=0.005)
    assert history.stop_reason == "error" and history[-1] <= 0.005
    np.testing.assert_array_equal(net.predict(x) > 0.5, y > 0.5)


# -- LSTM --------------------------------------------------------------------------------------------
def test_lstm_layers_gates_and_shapes():
    net = LSTM(2, 3, 4, 1, seed=0)
    assert net.graph.order == ["input", "input_gate", "forget_gate", "memory_cell", "output_gate",
                               "input_gate_2", "forget_gate_2", "memory_cell_2", "output_gate_2", "output"]
    gates = {(c.source, c.target): (c.gater, c.gate_kind) for c in net.graph.connections if c.gater}
    assert gates == {
        ("input", "memory_cell"): ("input_gate", "input"),
        ("memory_cell", "memory_cell"): ("forget_gate", "input"),   # one-to-one gating, stored as input
        ("memory_cell", "output"): ("output_gate", "output"),
        ("input", "memory_cell_2"): ("input_gate_2", "input"),
        ("memory_cell", "memory_cell_2"): ("input_gate_2", "input"),
        ("memory_cell_2", "memory_cell_2"): ("forget_gate_2", "input"),
        ("memory_cell_2", "output"): ("output_gate_2", "output"),
    }
    assert [net.graph[n].bias for n in ("input_gate", "forget_gate", "memory_cell", "output_gate")] \
        == [1.0, 1.0, True, 1.0]
    x = random_sequence(4, 5, 2)
    assert net.predict(x).shape == (4, 5, 1)
    assert LSTM(2, 3, 1, return_sequences=False, seed=0).predict(x).shape == (4, 1)
    assert net.activate([0.5, 0.5]).shape == (1,)


def test_lstm_peepholes_true_is_all_to_all_and_false_is_none():
    def peepholes(net):
        return sorted((c.target, c.kind) for c in net.graph.connections
                      if c.source == "memory_cell" and c.target.endswith("gate"))

    assert peepholes(LSTM(2, 3, 1, peepholes=True)) == peepholes(LSTM(2, 3, 1)) == [
        ("forget_gate", "all_to_all"), ("input_gate", "all_to_all"), ("output_gate", "all_to_all")]
    assert peepholes(LSTM(2, 3, 1, peepholes=False)) == peepholes(LSTM(2, 3, 1, peepholes=None)) == []


@pytest.mark.parametrize("sizes, options", [((2, 3, 1), {}), ((3, 2, 2, 1), {}),
                                           ((2, 3, 2, 1), SAME_TIMING_OPTIONS)])
def test_lstm_synaptic_json_round_trip_gives_identical_outputs(sizes, options):
    net = LSTM(*sizes, seed=3, dtype="float64", **options)
    back = from_json(to_json(net))
    x = random_sequence(3, 6, sizes[0], seed=1)
    np.testing.assert_array_equal(back.predict(x), net.predict(x))


def test_same_seed_same_weights():
    x = random_sequence(2, 4, 2)
    np.testing.assert_array_equal(LSTM(2, 3, 1, seed=9).predict(x), LSTM(2, 3, 1, seed=9).predict(x))
    assert not np.array_equal(LSTM(2, 3, 1, seed=9).predict(x), LSTM(2, 3, 1, seed=10).predict(x))


# -- Liquid --------------------------------------------------------------------------------------------
def pool_synapses(net):
    """(mask of i → j synapses, i ≠ j; self-connection weights; gater per synapse, diagonal = self)."""
    conns = {c.name: c for c in net.graph.connections}
    size = net.graph["pool"].size
    recurrent, self_connection = conns.get("pool_to_pool"), conns.get("pool_self")
    mask = np.zeros((size, size), bool) if recurrent is None else recurrent.mask
    selfs = np.zeros(size) if self_connection is None else net.graph_layer.weight("pool_self.weight")
    index = np.full((size, size), -1)
    if recurrent is not None and recurrent.gater is not None:
        assert recurrent.gater == "pool" and recurrent.gate_kind == "synapse"
        index[...] = recurrent.gate_index
    if self_connection is not None and self_connection.gater is not None:
        assert self_connection.gater == "pool"
        index[np.diag_indices(size)] = (self_connection.gate_index if self_connection.gate_kind == "synapse"
                                        else np.arange(size))
    return mask, selfs, index


def test_liquid_same_seed_same_network():
    a, b = Liquid(2, 12, 1, 30, 6, seed=4), Liquid(2, 12, 1, 30, 6, seed=4)
    assert a.get_config() == b.get_config()
    for part_a, part_b in zip(pool_synapses(a), pool_synapses(b)):
        np.testing.assert_array_equal(part_a, part_b)
    x = random_sequence(2, 5, 2)
    np.testing.assert_array_equal(a.predict(x), b.predict(x))
    c = Liquid(2, 12, 1, 30, 6, seed=5)
    assert not np.array_equal(pool_synapses(a)[0], pool_synapses(c)[0])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_liquid_pool_has_at_most_connections_synapses_and_exactly_gates_gated(seed):
    connections, gates, size = 40, 9, 10
    net = Liquid(3, size, 2, connections, gates, seed=seed)
    mask, selfs, index = pool_synapses(net)
    assert set(np.unique(selfs)) <= {0.0, 1.0}
    n_synapses = int(mask.sum() + selfs.sum())
    assert 0 < n_synapses <= connections          # duplicate draws merge into one synapse
    assert not mask.diagonal().any()               # i → i is the self-connection, not a weight
    gated = index >= 0
    assert int(gated.sum()) == gates
    present = mask | np.diag(selfs == 1)
    assert np.all(present[gated])                  # only existing synapses are gated
    assert index.max() < size
    weights = net.graph_layer.weight("pool_to_pool.weight")
    assert np.all(weights[~mask] == 0) and np.all(weights[mask] != 0)
    assert [(c.source, c.target, c.kind) for c in net.graph.connections if c.source != c.target] == [
        ("input", "pool", "all_to_all"), ("pool", "output", "all_to_all")]


def test_liquid_runs_on_sequences():
    x = random_sequence(4, 7, 3)
    assert Liquid(3, 10, 2, 25, 5, seed=0).predict(x).shape == (4, 7, 2)
    assert Liquid(3, 10, 2, 25, 5, seed=0, return_sequences=False).predict(x).shape == (4, 2)
    stepwise = Liquid(3, 10, 2, 25, 5, seed=0, dtype="float64")
    whole = stepwise.predict(x[:1])[0]
    np.testing.assert_allclose([stepwise.activate(xt) for xt in x[0]], whole, rtol=0, atol=1e-12)


def test_liquid_learns_to_echo_the_previous_input():
    """y(t) = x(t-1): only the pool's memory of the last step can give it."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(32, 6, 1)).astype(np.float64)
    y = np.concatenate([np.zeros((32, 1, 1)), x[:, :-1]], axis=1)
    net = Liquid(1, 16, 1, connections=40, gates=8, seed=0, dtype="float64")
    mask = pool_synapses(net)[0]
    history = net.fit(x, y, loss="mse", optimizer=Adam(learning_rate=0.05), epochs=400, batch_size=None,
                      error=0.01)
    assert history[0] > 0.2 and history[-1] <= 0.01
    np.testing.assert_array_equal(net.predict(x)[:, 1:] > 0.5, y[:, 1:] > 0.5)
    assert np.all(net.graph_layer.weight("pool_to_pool.weight")[~mask] == 0)  # absent synapses stay absent


# -- Hopfield -------------------------------------------------------------------------------------------
def test_hopfield_is_the_hebbian_network():
    assert Hopfield is axonal.hopfield.Hopfield
    net = Hopfield(8, seed=0)
    pattern = np.array([1, 1, 1, 1, -1, -1, -1, -1])
    net.store([pattern])
    noisy = pattern.copy()
    noisy[0] = -1
    np.testing.assert_array_equal(net.recall(noisy).states, pattern)


# -- bad arguments -----------------------------------------------------------------------------------
@pytest.mark.parametrize("build, error, message", [
    (lambda: Perceptron(2), ValueError, r"Perceptron needs at least 2 layer sizes .* got 1: 2"),
    (lambda: Perceptron(), ValueError, r"got 0: none"),
    (lambda: Perceptron(2, 0, 1), ValueError, r"Perceptron: sizes\[1\] must be a positive integer, got 0"),
    (lambda: Perceptron(2.5, 1), ValueError, r"the input size must be a positive integer, got 2.5"),
    (lambda: Perceptron(2, True), ValueError, r"the output size .* got True"),
    (lambda: Perceptron(2, 3, activation="wobbly"), ValueError, r"wobbly"),
    (lambda: LSTM(2, 1), ValueError, r"LSTM needs at least 3 layer sizes"),
    (lambda: LSTM(2, -3, 1), ValueError, r"LSTM: sizes\[1\] .* got -3"),
    (lambda: LSTM(2, 3, 1, peepholes="diagonal"), ValueError, r"peepholes must be one of .* got 'diagonal'"),
    (lambda: LSTM(2, 3, 1, hidden_to_hidden="yes"), TypeError, r"hidden_to_hidden must be True or False"),
    (lambda: LSTM(2, 3, 1, input_to_output=1), TypeError, r"input_to_output .* got 1"),
    (lambda: Liquid(2, 0, 1, 5, 1), ValueError, r"Liquid: pool must be a positive integer, got 0"),
    (lambda: Liquid(0, 5, 1, 5, 1), ValueError, r"Liquid: inputs must be"),
    (lambda: Liquid(2, 5, 1.0, 5, 1), ValueError, r"Liquid: outputs must be"),
    (lambda: Liquid(2, 5, 1, -1, 0), ValueError, r"connections must be a non-negative integer, got -1"),
    (lambda: Liquid(2, 5, 1, 5, 6), ValueError, r"gates=6 is more than connections=5"),
    (lambda: Liquid(1, 1, 1, 3, 2, seed=0), ValueError, r"draws gave only 1 distinct pool synapses to gate"),
])
def test_bad_arguments_are_named(build, error, message):
    with pytest.raises(error, match=message):
        build()
