"""Sample inputs for every registered component, used by the gradient-check suite.

Adding an activation, loss or layer to its registry without a case here makes
``test_every_registered_component_has_a_case`` fail, so every component is
gradient-checked without writing a new test.
"""

import numpy as np

from axonal import activations, layers, losses
from axonal.network import Sequential

F64 = np.float64


def away_from_zero(rng, shape, margin=0.1, scale=2.0):
    """Values with |v| >= margin, so no sample sits on a kink at 0."""
    v = rng.uniform(margin, scale, size=shape)
    return v * rng.choice([-1.0, 1.0], size=shape)


# name -> (activation instance, z)
def activation_cases():
    rng = np.random.default_rng(1)
    z = away_from_zero(rng, (5, 4))
    return {
        "identity": (activations.Identity(), z),
        "logistic": (activations.Logistic(), z * 3),
        "tanh": (activations.Tanh(), z),
        "relu": (activations.ReLU(), z),
        "leaky_relu": (activations.LeakyReLU(0.1), z),
        "elu": (activations.ELU(1.0), z),
        "softplus": (activations.Softplus(), z * 3),
        "gelu": (activations.GELU(), z),
        "softmax": (activations.Softmax(), z * 2),
        # Threshold units: the exact derivative (0 away from the kink); the default
        # straight-through convention is checked in test_activations.py.
        "step": (activations.Step(gradient="zero"), z),
        "sign": (activations.Sign(gradient="zero"), z),
    }


# name -> list of (loss, y_pred, y_true, sample_weight)
def loss_cases():
    rng = np.random.default_rng(2)
    pred = rng.standard_normal((6, 3))
    target = rng.standard_normal((6, 3))
    probs = rng.uniform(0.1, 0.9, size=(6, 3))
    bits = rng.integers(0, 2, size=(6, 3)).astype(F64)
    labels = rng.integers(0, 3, size=6)
    softmax = np.exp(pred) / np.exp(pred).sum(1, keepdims=True)
    w = rng.uniform(0.2, 3.0, size=6)
    # Huber: keep |r| away from delta = 1 where the second derivative jumps.
    huber_pred = target + away_from_zero(rng, (6, 3), margin=0.05, scale=0.8) * rng.choice([1, 2.5], (6, 3))
    cases = {
        "mse": [(losses.MeanSquaredError(), pred, target)],
        "squared_error": [(losses.SquaredError(), pred, target)],
        "mae": [(losses.MeanAbsoluteError(), target + away_from_zero(rng, (6, 3)), target)],
        "huber": [(losses.Huber(1.0), huber_pred, target)],
        "binary_cross_entropy": [(losses.BinaryCrossEntropy(), probs, bits)],
        "binary_cross_entropy_logits": [(losses.BinaryCrossEntropyWithLogits(), pred * 3, bits)],
        "categorical_cross_entropy": [(losses.CategoricalCrossEntropy(), softmax, labels)],
        "softmax_cross_entropy": [(losses.SoftmaxCrossEntropy(), pred * 3, labels),
                                  (losses.SoftmaxCrossEntropy(), pred, softmax[::-1].copy())],
    }
    # Every case also runs with sample weights.
    return {name: [(l, p, t, sw) for l, p, t in items for sw in (None, w)] for name, items in cases.items()}


def _built_seq(layer, n_in, seed=0):
    layer.build((None, n_in), np.random.default_rng(seed), F64)
    return layer


def _built(layer, n_in, seed=0):
    layer.build((n_in,), np.random.default_rng(seed), F64)
    return layer


# name -> list of (label, layer, x, before_forward)
def layer_cases():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4))
    dropout = _built(layers.Dropout(0.4), 4)

    def same_mask():
        dropout.rng = np.random.default_rng(7)

    bn = _built(layers.BatchNorm(), 4)
    ln = _built(layers.LayerNorm(), 4)
    for norm in (bn, ln):  # non-trivial gain and shift
        norm.params["gain"][...] = rng.uniform(0.5, 2.0, 4)
        norm.params["bias"][...] = rng.standard_normal(4)
    standardize = _built(layers.Standardize(), 4).adapt(rng.normal(2.0, 3.0, (20, 4)))
    minmax = _built(layers.MinMaxScale((-1, 1)), 4).adapt(rng.uniform(-5, 5, (20, 4)))
    seq = rng.standard_normal((3, 4, 2))

    def rnn(layer):
        built = _built_seq(layer, 2)
        for name in built.params:  # non-zero peepholes and biases, so their terms are exercised
            if name.startswith("peephole") or name.endswith("bias"):
                built.params[name][...] = rng.standard_normal(built.params[name].shape) * 0.5
        return built

    return {
        "SimpleRNN": [("sequence out", rnn(layers.SimpleRNN(3, return_sequences=True)), seq, None),
                      ("last step, relu", rnn(layers.SimpleRNN(3, "softplus")), seq, None)],
        "LSTM": [("sequence out", rnn(layers.LSTM(3, return_sequences=True)), seq, None),
                 ("peepholes", rnn(layers.LSTM(3, peepholes=True, return_sequences=True)), seq, None),
                 ("peepholes, last step", rnn(layers.LSTM(3, peepholes=True)), seq, None),
                 ("last step", rnn(layers.LSTM(3)), seq, None)],
        "GRU": [("sequence out", rnn(layers.GRU(3, return_sequences=True)), seq, None),
                ("last step", rnn(layers.GRU(3)), seq, None)],
        "Standardize": [("adapted", standardize, x, None)],
        "MinMaxScale": [("adapted to (-1, 1)", minmax, x, None)],
        "Dense": [
            ("tanh", _built(layers.Dense(3, "tanh"), 4), x, None),
            ("logistic, no bias", _built(layers.Dense(3, "logistic", use_bias=False), 4), x, None),
            ("softmax", _built(layers.Dense(3, "softmax"), 4), x, None),
            ("identity", _built(layers.Dense(2), 4), x, None),
            ("elu", _built(layers.Dense(3, "elu"), 4), x, None),
            ("every time step of a sequence", _built_seq(layers.Dense(3, "tanh"), 2), seq, None),
        ],
        "Dropout": [("rate 0.4, fixed mask", dropout, x, same_mask)],
        "Residual": [
            ("identity skip", _built(layers.Residual([layers.Dense(4, "tanh"), layers.Dense(4)]), 4), x, None),
            ("projection", _built(layers.Residual(layers.Dense(3, "tanh"), projection=True), 4), x, None),
        ],
        "BatchNorm": [("training statistics", bn, x, None)],
        "LayerNorm": [("per sample", ln, x, None)],
        "Sequential": [(
            "LSTM then a Dense layer on every step",
            Sequential([layers.LSTM(4, peepholes=True, return_sequences=True), layers.GRU(3, return_sequences=True),
                        layers.Dense(2)], input_dim=2, dtype="float64", seed=0),
            seq, None,
        ), (
            "MLP with every layer kind",
            Sequential([layers.Dense(6, "tanh"), layers.LayerNorm(), layers.Residual(layers.Dense(6, "softplus")),
                        layers.BatchNorm(), layers.Dense(3, "logistic")], input_dim=4, dtype="float64", seed=0),
            x, None,
        )],
        "GraphLayer": [
            ("gates, self-connections, loops in every direction", graph_layer(gated_graph(), rng), seq, None),
            ("last step only", graph_layer(gated_graph(), rng, return_sequences=False), seq, None),
            ("synapse gating, masks, trainable self weights", graph_layer(synapse_graph(), rng), seq, None),
            ("feed-forward graph", graph_layer(feed_forward_graph(), rng), x[:, :2], None),
            ("a layer reading itself in order", graph_layer(in_order_graph(), rng), seq, None),
            ("gates, self-connections, loops, read at y", graph_layer(gated_graph(), rng, output="y"), seq, None),
            ("every connection kind, alone and in shared products", graph_layer(term_graph(), rng, output="y"),
             seq, None),
        ],
    }


def gated_graph():
    """Every kind of connection and gate: an LSTM-like block plus loops read from later layers."""
    from axonal.graph import Graph
    g = Graph()
    x, gi, gf = g.layer("x", 2), g.layer("gi", 3), g.layer("gf", 3)
    c, go, y = g.layer("c", 3, "tanh"), g.layer("go", 3), g.layer("h", 3, "tanh")
    out = g.layer("y", 2, "identity")
    feed = x.project(c)
    for gate in (gi, gf, go):
        x.project(gate)
        c.project(gate, "one_to_one" if gate is go else "all_to_all")
    gi.gate(feed, "input")
    gf.gate(c.project(c), "one_to_one")
    go.gate(c.project(out), "output")
    out.project(c)                        # from a later layer: the previous step
    y.project(gi)
    c.project(y, "one_to_one")
    y.project(y, "all_to_all")            # self-connection plus all-to-else
    x.project(out)
    late = g.layer("late", 3)             # gates a connection into an earlier layer
    x.project(late)
    late.gate(y.project(out), "output")
    return g


def synapse_graph():
    from axonal.graph import Graph
    g = Graph()
    x, gate, pool, out = g.layer("x", 2), g.layer("gate", 3), g.layer("pool", 4, "tanh"), g.layer("y", 2, "identity")
    x.project(gate)
    g.gate(x.project(pool), gate, "synapse", index=[[0, -1, 2, 1], [-1, 1, 0, 2]])
    g.gate(pool.project(pool, "all_to_else"), pool, "synapse", index=[[-1, 0, 3, 1], [2, -1, 0, 0], [1, 1, -1, 3], [0, 2, 3, -1]])
    g.gate(pool.project(pool, trainable=True), gate, "synapse", index=[2, -1, 0, 1])
    pool.project(out, mask=[[1, 0], [1, 1], [0, 1], [1, 1]])
    return g


def term_graph():
    """Each connection kind where the plan computes it alone or shares its product: input gating of a
    current-step source (its product kept for the gater's gradient) and of a previous-step one (in a
    shared product), gated one-to-one connections (by neuron, read at t-1, and by synapse), output gating
    of a previous-step source, and synapse gating of an all-to-all connection."""
    from axonal.graph import Graph
    g = Graph()
    x, gate, h = g.layer("x", 2), g.layer("gate", 3), g.layer("h", 3, "tanh")
    m, k, out = g.layer("m", 3, "tanh"), g.layer("k", 3), g.layer("y", 2, "identity")
    late = g.layer("late", 3)
    for layer in (gate, h, late):
        x.project(layer)
    gate.gate(h.project(m), "input")
    late.gate(m.project(h), "input")
    late.gate(gate.project(m, "one_to_one"), "input")
    g.gate(m.project(k, "one_to_one"), gate, "synapse", index=[1, -1, 0])
    g.gate(k.project(out), late, "synapse", index=[[0, 2], [-1, 1], [2, 2]])
    late.gate(k.project(h), "output")
    m.project(out)
    return g


def graph_terms():
    """``(graph layer, layer step, term)`` for every term of the test graphs, self-connections included:
    each connection kind under each gate (float64, built)."""
    from axonal.graph import GraphNetwork
    found = []
    for graph in (term_graph(), gated_graph(), synapse_graph()):
        layer = GraphNetwork(graph, dtype="float64", seed=0).graph_layer
        for step in layer.steps:
            found += [(layer, step, term) for term in [step.self_term, *step.terms] if term is not None]
    return found


def in_order_graph():
    """Synaptic's neuron-by-neuron pool: two in_order connections (one masked), a self-connection, a
    gated input and a later layer feeding the pool back."""
    from axonal.graph import Graph
    g = Graph()
    x, gate, pool = g.layer("x", 2), g.layer("gate", 4), g.layer("pool", 4, "tanh")
    out = g.layer("y", 2, "identity")
    x.project(gate)
    gate.gate(x.project(pool), "input")
    pool.project(pool, "in_order")
    pool.project(pool, "in_order", mask=[[0, 1, 0, 1], [1, 0, 0, 1], [1, 1, 0, 0], [0, 1, 1, 0]])
    pool.project(pool, trainable=True)
    pool.project(out)
    out.project(pool)
    return g


def feed_forward_graph():
    from axonal.graph import Graph
    g = Graph()
    x, h, y = g.layer("x", 2), g.layer("h", 3, "tanh"), g.layer("y", 2, "identity", bias=False)
    x.project(h)
    h.project(y)
    x.project(y)
    return g


def graph_layer(graph, rng, **options):
    from axonal.graph import GraphLayer
    layer = GraphLayer(graph, **options)
    layer.build((None, 2) if layer.input_rank == 2 else (2,), np.random.default_rng(0), F64)
    for name in layer.params:  # weights large enough that every path matters
        layer.params[name][...] = rng.uniform(-0.8, 0.8, layer.params[name].shape)
    for name, conn in ((f"{c.name}.weight", c) for c in graph.connections if c.mask is not None):
        if name in layer.params:
            layer.params[name][...] *= conn.mask
    return layer
