"""LSTM-g: online learning from eligibility traces."""

import numpy as np
import pytest
from cases import gated_graph, synapse_graph

from axonal.graph import Graph, GraphNetwork


def memory_block(*, gate_input=True, gate_self=True):
    """One LSTM-like block whose gates read only the input: where LSTM-g's gradient is exact."""
    g = Graph()
    x, ig, fg = g.layer("x", 2), g.layer("ig", 3), g.layer("fg", 3)
    cell, y = g.layer("cell", 3, "tanh"), g.layer("y", 2)
    x.project(ig)
    x.project(fg)
    feed = x.project(cell)
    if gate_input:
        ig.gate(feed, "input")
    keep = cell.project(cell)
    if gate_self:
        fg.gate(keep, "one_to_one")
    cell.project(y)
    return g


def exact_gradient(net, xs, target):
    """BPTT gradient of the cross-entropy at the last step only, from the graph layer's backward."""
    layer = net.graph_layer
    y = layer.forward(xs, training=True)
    delta = np.zeros_like(y)
    p = y[:, -1]
    delta[:, -1] = (p - target) / (p * (1 - p))
    layer.backward(delta)
    return {k: layer.grads[k].copy() for k in layer.params}


@pytest.mark.parametrize("gate_input,gate_self", [(True, True), (False, True), (True, False)])
def test_the_monner_rule_follows_the_exact_gradient_through_gated_memory(gate_input, gate_self):
    net = GraphNetwork(memory_block(gate_input=gate_input, gate_self=gate_self), dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    xs, target = rng.standard_normal((1, 7, 2)), np.array([[1.0, 0.0]])
    grads = exact_gradient(net, xs, target)
    before = net.get_weights()
    rate = 1e-7                                   # small: the updates of one layer barely move the next
    learner = net.online(rate)
    for t in range(6):
        learner.step(xs[0, t])                    # no target: traces only
    learner.step(xs[0, 6], target[0])
    after = net.get_weights()
    for name in grads:
        if name.endswith(".weight"):              # biases carry no trace (as in the paper and Synaptic)
            np.testing.assert_allclose((after[name] - before[name]) / rate, -grads[name], atol=2e-8 * 1e3,
                                       rtol=1e-5, err_msg=name)


def test_synaptic_rule_reads_stale_gains_and_differs_from_the_exact_gradient():
    net = GraphNetwork(memory_block(), dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    xs, target = rng.standard_normal((1, 7, 2)), np.array([[1.0, 0.0]])
    grads = exact_gradient(net, xs, target)
    before = net.get_weights()
    learner = net.online(1e-7, rule="synaptic")
    for t in range(6):
        learner.step(xs[0, t])
    learner.step(xs[0, 6], target[0])
    moved = (net.get_weights()["x_to_fg.weight"] - before["x_to_fg.weight"]) / 1e-7
    assert np.abs(moved + grads["x_to_fg.weight"]).max() > 1e-4


def test_memory_stays_constant_however_long_the_stream():
    net = GraphNetwork(gated_graph(), dtype="float64", seed=0)
    learner = net.online(0.05)
    rng = np.random.default_rng(0)

    def held():
        arrays = list(learner.trace.values()) + list(learner.xtrace.values())
        return sum(a.nbytes for a in arrays), len(arrays)

    for _ in range(10):
        learner.step(rng.standard_normal(2), rng.uniform(0, 1, 3))
    early = held()
    for _ in range(500):
        learner.step(rng.standard_normal(2), rng.uniform(0, 1, 3))
    assert held() == early


def test_streams_in_parallel_average_their_updates_and_sizes_are_checked():
    net = GraphNetwork(synapse_graph(), dtype="float64", seed=0)
    learner = net.online(0.1)
    out = learner.step(np.ones((3, 2)), np.zeros((3, 2)))
    assert out.shape == (3, 2)
    with pytest.raises(ValueError, match="3 parallel sequences; got a batch of 1"):
        learner.step(np.ones(2))
    learner.reset()
    assert learner.step(np.ones(2)).shape == (2,)
    with pytest.raises(ValueError, match="takes 2 values per step"):
        learner.step(np.ones(3))
    with pytest.raises(ValueError, match="target must have 2 values"):
        learner.step(np.ones(2), [1.0])
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        net.online(-1)
    with pytest.raises(ValueError, match="rule must be 'monner' or 'synaptic'"):
        net.online(0.1, rule="other")


def test_train_reports_a_falling_error_on_a_sequence():
    g = Graph()
    x, h, y = g.layer("x", 1), g.layer("h", 3), g.layer("y", 1)
    x.project(h)
    h.project(y)
    learner = GraphNetwork(g, dtype="float64", seed=0).online(0.5)
    xs = np.tile([[1.0], [0.0]], (10, 1))
    errors = learner.train(xs, 1 - xs, epochs=60)
    assert errors[-1] < 0.1 * errors[0]


def test_each_term_gives_its_synapses_inputs_and_its_gains_influence():
    """Per term: eq. 17's input is ``∂u_j/∂W_ij`` (``u`` is linear in ``W``), :meth:`influence` is
    ``∂u_k/∂a_G[j]`` (its diagonal when gater neuron j moves only neuron j), and the gater's gradient
    is ``Σ_k δu_k·influence_jk``."""
    from cases import graph_terms
    rng = np.random.default_rng(1)
    for layer, step, term in graph_terms():
        a, w = rng.uniform(-1, 1, (2, layer.sizes[term.source])), rng.uniform(-1, 1, layer.weight(term.param).shape)
        g = None if term.gater is None else rng.uniform(0.1, 1, (2, layer.sizes[term.gater]))
        gain = None if g is None else term.gain(g)
        u = term.forward(a, w, gain)
        trace = term.trace_input(a, gain)
        np.testing.assert_allclose(trace * w if term.one_to_one else
                                   np.einsum("bij,ij->bj", np.broadcast_to(trace, (2, *w.shape)), w), u,
                                   rtol=1e-12, atol=1e-12, err_msg=term.conn.name)
        if g is None:
            continue
        jacobian = np.zeros((2, g.shape[1], step.size))
        for j in range(g.shape[1]):
            moved = g.copy()
            moved[:, j] += 1.0                    # u is linear in each gain
            jacobian[:, j] = term.forward(a, w, term.gain(moved)) - u
        influence = term.influence(a, w)
        assert (influence.ndim == 3) == term.spreads
        full = influence if term.spreads else np.einsum("bk,jk->bjk", influence, np.eye(step.size))
        np.testing.assert_allclose(full, jacobian, rtol=1e-10, atol=1e-12, err_msg=term.conn.name)
        du = rng.standard_normal(u.shape)
        np.testing.assert_allclose(term.gater_grad(du, a, w, gain), np.einsum("bjk,bk->bj", full, du),
                                   rtol=1e-10, atol=1e-12, err_msg=term.conn.name)
