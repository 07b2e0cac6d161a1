"""The fast paths of the compiled LSTM-g kernels (axonal.kernels.lstm_g, lstm_g_epoch) against the NumPy learner.

The kernels take three shortcuts that must compute what the general code computes:

* a *plain* term (the plan's ``T_PLAIN``: an ungated all-to-all term from another layer into a
  layer without a self-connection) has the eligibility trace ``ε_ji = a_i``, the activation it
  read; a whole compiled epoch leaves that trace unwritten and fills it once at the end;
* on one stream with at most one gated layer, a weight's change is summed in a register;
* the arrays are passed on as views that are not reference counted.

Every network kind (gated, synapse-gated and one-to-one terms, Architect LSTMs, a Liquid) is
trained for whole epochs three ways: compiled in one call per epoch, compiled step by step,
and by the NumPy learner. The compiled runs must agree exactly (the same operations in the
same order) and with the NumPy run to 1e-12 in float64: the history, the weights and the whole
stream, traces included.
"""

import numpy as np
import pytest
from cases import gated_graph, synapse_graph, term_graph

import axonal.jit
from axonal.graph import GraphNetwork
from axonal.graph.compiled_plan import T_PLAIN
from axonal.stopping import AnyOf, MaxEpochs
from axonal.synaptic.architect import LSTM, Liquid
from axonal.training import TrainingLoop
from axonal.training.lstm_g import MeanSquared, StreamFeed
from loop_helpers import Counting, Listener

TOL = dict(rtol=1e-12, atol=1e-12)


def networks():
    """``(name, network)`` with 2 inputs, covering every connection and gate kind."""
    found = []
    for name, graph in (("gated", gated_graph()), ("synapse", synapse_graph()), ("terms", term_graph())):
        net = GraphNetwork(graph, dtype="float64", seed=0, output="y")
        rng = np.random.default_rng(len(name))
        for value in net.graph_layer.params.values():
            value[...] = rng.uniform(-0.8, 0.8, value.shape)
        found.append((name, net))
    found.append(("lstm", LSTM(2, 4, 2, dtype="float64", seed=1)))
    found.append(("lstm hidden to hidden, output to gates",
                  LSTM(2, 3, 2, hidden_to_hidden=True, output_to_gates=True, dtype="float64", seed=2)))
    found.append(("lstm one-to-one peepholes", LSTM(2, 3, 1, peepholes="one_to_one", dtype="float64", seed=3)))
    found.append(("liquid", Liquid(2, 8, 2, 30, 8, dtype="float64", seed=4)))
    return found


def train(net, x, y, rule, *, jit, per_step):
    learner = net.online(0.05, rule=rule)
    step_rule = Counting(learner, MeanSquared(), 0.05)
    loop = TrainingLoop(step_rule, StreamFeed(x, y), stopper=AnyOf(MaxEpochs(3)), rng=np.random.default_rng(0),
                        batch_callbacks=[Listener()] if per_step else ())
    with axonal.jit.using(jit):
        history = loop.run()
    return history, step_rule, learner


@pytest.mark.parametrize("rule", ["synaptic", "monner"])
@pytest.mark.parametrize("streams", [0, 2])
def test_whole_compiled_epochs_match_steps_and_the_numpy_learner(rule, streams):
    for name, net in networks():
        n_out = net.graph_layer.sizes[net.graph_layer.out_index]
        rng = np.random.default_rng(len(name))
        shape = (streams, 60) if streams else (60,)
        x, y = rng.uniform(-1, 1, shape + (2,)), rng.uniform(0, 1, shape + (n_out,))
        runs = [train(net.copy(), x, y, rule, jit=jit, per_step=per_step)
                for jit, per_step in ((True, False), (True, True), (False, False))]
        (h_whole, r_whole, l_whole), (h_steps, r_steps, l_steps), (h_ref, _, l_ref) = runs
        assert r_whole.whole == (3 if axonal.jit.available() else 0), name
        assert r_steps.whole == 0
        np.testing.assert_array_equal(h_whole.loss, h_steps.loss, err_msg=name)
        np.testing.assert_allclose(h_whole.loss, h_ref.loss, err_msg=name, **TOL)
        for key, value in l_ref.network.get_weights().items():
            np.testing.assert_array_equal(l_whole.network.get_weights()[key], l_steps.network.get_weights()[key],
                                          err_msg=f"{name}: {key}")
            np.testing.assert_allclose(l_whole.network.get_weights()[key], value, err_msg=f"{name}: {key}", **TOL)
        whole, steps, ref = l_whole.state_dict(), l_steps.state_dict(), l_ref.state_dict()
        assert whole.keys() == steps.keys() == ref.keys()
        for key, value in ref.items():
            np.testing.assert_array_equal(whole[key], steps[key], err_msg=f"{name}: stream {key}")
            np.testing.assert_allclose(whole[key], value, err_msg=f"{name}: stream {key}", **TOL)


def test_a_plain_terms_trace_is_the_activation_it_read():
    """The plan's ``T_PLAIN`` marks exactly the terms whose NumPy trace is ``ε_ji = a_i`` for every
    ``j`` after each step, and every plain term is an ungated all-to-all term."""
    from axonal.graph.compiled_plan import CompiledPlan
    from axonal.kernels import activations
    seen = 0
    for name, net in networks():
        learner = net.online(0.05, rule="synaptic")
        rng = np.random.default_rng(0)
        n_out = net.graph_layer.sizes[net.graph_layer.out_index]
        terms = [t for s in learner.layer.steps for t in s.terms]
        with axonal.jit.using(False):
            for _ in range(5):
                learner.step(rng.uniform(-1, 1, 2), rng.uniform(0, 1, n_out))
                plan = CompiledPlan(learner.layer, learner.network.params_.values, activations.encode,
                                    learner.gated, learner.outgoing)
                assert plan.ok, name
                for n, term in enumerate(terms):
                    if not plan.terms[n, T_PLAIN]:
                        continue
                    seen += 1
                    assert term.gater is None and not term.one_to_one, name
                    trace, read = learner.trace[id(term)], np.asarray(learner.read[id(term)])
                    np.testing.assert_array_equal(trace, np.broadcast_to(read[:, :, None], trace.shape),
                                                  err_msg=f"{name}: term {n}")
    assert seen > 0
