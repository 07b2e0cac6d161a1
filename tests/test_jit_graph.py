"""Graph networks in compiled code: step-by-step ``activate``, LSTM-g online learning and whole
epochs of LSTM-g (axonal.kernels.graph_step, axonal.kernels.lstm_g) against the NumPy reference.

Each case runs twice on copies of one network, ``axonal.jit.using(True)`` and ``using(False)``,
and requires agreement to 1e-12 in float64 (1e-5 in float32): outputs at every step, the
weights, and the LSTM-g stream (traces included). ``using(True)`` turns the compiled paths on
even under ``AXONAL_JIT=0``; without Numba both runs take the NumPy path and the tests compare it
with itself.
"""

import math

import numpy as np
import pytest
from cases import gated_graph, synapse_graph, term_graph

import axonal.jit
from axonal.graph import Graph, GraphNetwork
from axonal.nan_guard import NonFiniteError
from axonal.stopping import AnyOf, MaxEpochs
from axonal.synaptic.architect import LSTM, Liquid
from axonal.training import TrainingLoop
from axonal.training.lstm_g import (
    ArgmaxMatch,
    MeanSquared,
    RoundedMatch,
    StreamFeed,
)
from loop_helpers import Counting, Listener

TOL = {"float64": dict(rtol=1e-12, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}


def feed_forward():
    g = Graph()
    x, h, y = g.layer("x", 2), g.layer("h", 3, "tanh"), g.layer("y", 2, "softmax")
    x.project(h)
    h.project(y)
    x.project(y, mask=[[1, 0], [1, 1]])
    return g


def networks(dtype):
    """Graphs with every connection and gate kind (and Architect LSTMs), weights large enough that
    every path matters; each as ``(name, network)`` with 2 inputs."""
    found = []
    for name, graph in (("gated", gated_graph()), ("synapse", synapse_graph()), ("terms", term_graph())):
        net = GraphNetwork(graph, dtype=dtype, seed=0, output="y")
        rng = np.random.default_rng(len(name))
        for value in net.graph_layer.params.values():
            value[...] = rng.uniform(-0.8, 0.8, value.shape)
        found.append((name, net))
    found.append(("lstm peepholes, hidden to hidden, output to gates",
                  LSTM(2, 4, 2, hidden_to_hidden=True, output_to_gates=True, dtype=dtype, seed=1)))
    found.append(("lstm two blocks, one-to-one peepholes, output to hidden",
                  LSTM(2, 3, 2, 1, peepholes="one_to_one", output_to_hidden=True, dtype=dtype, seed=2)))
    found.append(("liquid: random synapses, some gated", Liquid(2, 8, 2, 30, 8, dtype=dtype, seed=3)))
    return found


def both(net):
    """``(compiled run's network, reference run's network)``: two copies with the same weights."""
    return net.copy(), net.copy()


def assert_same(a, b, dtype, what):
    np.testing.assert_allclose(a, b, err_msg=what, **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_activate_one_step_at_a_time_agrees_with_the_numpy_forward(dtype):
    networks_ = networks(dtype) + [("feed-forward, softmax, masked", GraphNetwork(feed_forward(), dtype=dtype,
                                                                                    seed=0))]
    rng = np.random.default_rng(0)
    for name, net in networks_:
        fast, ref = both(net)
        for batch in (1, 3):
            fast.reset_state()
            ref.reset_state()
            xs = rng.uniform(-1, 1, (60, batch, 2))
            for t, x in enumerate(xs):
                xin = x[0] if batch == 1 else x
                # the compiled path hands its state to the NumPy path and back every 20 steps
                with axonal.jit.using(t // 20 != 1):
                    got = fast.activate(xin)
                with axonal.jit.using(False):
                    want = ref.activate(xin)
                assert got.shape == want.shape
                assert_same(got, want, dtype, f"{name}, batch {batch}, step {t}")
        for part in ("act", "state", "gain") if ref._step_state is not None else ():
            for key, value in ref._step_state[part].items():
                assert_same(fast._step_state[part][key], value, dtype, f"{name}: {part} {key}")


def run_stream(net, rule, steps, batch, seed, rate, jit):
    learner = net.online(rate, rule=rule)
    rng = np.random.default_rng(seed)
    outs = []
    with axonal.jit.using(jit):
        for t in range(steps):
            x = rng.uniform(-1, 1, (batch, 2))
            target = rng.uniform(0, 1, (batch, net.graph_layer.sizes[net.graph_layer.out_index]))
            if t % 7 == 3:       # a step without a target: traces only
                outs.append(learner.step(x))
            else:
                outs.append(learner.step(x, target))
    return learner, np.array(outs)


@pytest.mark.parametrize("rule", ["monner", "synaptic"])
@pytest.mark.parametrize("batch", [1, 3])
def test_lstm_g_streams_agree_with_the_numpy_learner(rule, batch):
    for name, net in networks("float64"):
        fast, ref = both(net)
        a, out_a = run_stream(fast, rule, 400, batch, 1, 0.02, True)
        b, out_b = run_stream(ref, rule, 400, batch, 1, 0.02, False)
        assert np.isfinite(out_b).all(), name
        assert_same(out_a, out_b, "float64", f"{name}: outputs")
        for key, value in ref.get_weights().items():
            assert_same(fast.get_weights()[key], value, "float64", f"{name}: {key}")
        state_a, state_b = a.state_dict(), b.state_dict()
        assert state_a.keys() == state_b.keys()
        for key, value in state_b.items():
            assert_same(state_a[key], value, "float64", f"{name}: stream {key}")


def test_lstm_g_in_float32_agrees_with_the_numpy_learner():
    for name, net in networks("float32")[:3]:
        fast, ref = both(net)
        _, out_a = run_stream(fast, "synaptic", 100, 2, 2, 0.02, True)
        _, out_b = run_stream(ref, "synaptic", 100, 2, 2, 0.02, False)
        assert_same(out_a, out_b, "float32", name)


def train(net, x, y, *, jit, epochs=6, shuffle=False, reset=False, judge=None, cost=None, per_step=False,
          max_steps=None, rule="synaptic", rate=0.1):
    learner = net.online(rate, rule=rule)
    rule_ = Counting(learner, cost or MeanSquared(), rate, judge=judge)
    feed = StreamFeed(x, y, shuffle=shuffle, reset=learner.reset if reset else None)
    loop = TrainingLoop(rule_, feed, stopper=AnyOf(MaxEpochs(epochs)), rng=np.random.default_rng(3),
                        batch_callbacks=[Listener()] if per_step else (), max_steps=max_steps)
    with axonal.jit.using(jit):
        history = loop.run()
    return history, rule_, learner


def task(streams, steps=50, n_out=2, seed=0):
    rng = np.random.default_rng(seed)
    shape = (streams, steps) if streams else (steps,)
    x = rng.integers(0, 2, shape + (2,)).astype(float)
    y = np.stack([x[..., 0] * x[..., 1], np.maximum(x[..., 0], x[..., 1])][:n_out], axis=-1)
    return x, y


@pytest.mark.parametrize("case", [
    dict(streams=0), dict(streams=3, reset=True), dict(streams=0, shuffle=True, rule="monner"),
    dict(streams=0, judge=RoundedMatch()), dict(streams=2, judge=ArgmaxMatch(), shuffle=True),
    dict(streams=0, max_steps=130), dict(streams=0, cost="loss"),
])
def test_whole_epochs_give_the_history_of_step_by_step_training(case):
    from axonal.losses import MeanSquaredError
    case = dict(case)
    x, y = task(case.pop("streams"))
    if case.pop("cost", None):
        case["cost"] = MeanSquaredError().value
    net = LSTM(2, 3, 2, dtype="float64", seed=0)
    runs = [train(net.copy(), x, y, jit=jit, per_step=per_step, **case)
            for jit, per_step in ((True, False), (True, True), (False, False))]
    (h_whole, rule_whole, _), (h_steps, rule_steps, _), (h_ref, _, _) = runs
    assert rule_whole.whole == (len(h_ref.loss) if axonal.jit.available() else 0)
    assert rule_steps.whole == 0
    assert h_whole.steps == h_steps.steps == h_ref.steps
    for history in (h_whole, h_steps):
        np.testing.assert_allclose(history.loss, h_ref.loss, rtol=1e-12, atol=1e-12)
        assert history.stop_reason == h_ref.stop_reason
    if case.get("judge") is not None:
        assert h_whole.metrics == h_ref.metrics
    weights = [r[2].network.get_weights() for r in runs]
    for key, value in weights[2].items():
        for other in weights[:2]:
            np.testing.assert_allclose(other[key], value, rtol=1e-12, atol=1e-12, err_msg=key)


def test_a_step_that_makes_a_weight_infinite_stops_where_the_numpy_path_stops():
    x, y = task(0, steps=40)
    net = LSTM(2, 3, 2, dtype="float64", seed=0)
    results = []
    for jit in (True, False):
        copy = net.copy()
        with pytest.raises(NonFiniteError) as caught:
            train(copy, x * 1e150, y, jit=jit, rate=1e150, epochs=3)
        results.append((str(caught.value), caught.value.history.steps, copy.get_weights()))
    (msg_a, steps_a, w_a), (msg_b, steps_b, w_b) = results
    assert msg_a == msg_b and steps_a == steps_b
    for key, value in w_b.items():
        assert np.isfinite(value).all(), key
        np.testing.assert_array_equal(w_a[key], value, err_msg=key)


def test_snapshots_put_back_the_stream_and_its_named_arrays():
    net = LSTM(2, 3, 1, dtype="float64", seed=0)
    learner = net.online(0.1)
    assert learner.snapshot()[0] is None
    learner.step([1.0, 0.0], [1.0])
    snap = learner.snapshot()
    before = {k: v.copy() for k, v in learner.state_dict().items()}
    learner.step([0.0, 1.0], [0.0])
    learner.restore(snap)
    after = learner.state_dict()
    assert after.keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    assert not math.isnan(float(learner.step([1.0, 1.0])[0]))


@pytest.mark.parametrize("rule", ["monner", "synaptic"])
def test_a_long_stream_stays_within_rounding(rule):
    """Thousands of LSTM-g steps on Synaptic's LSTM: the two paths do not drift apart."""
    net = LSTM(2, 4, 1, hidden_to_hidden=True, dtype="float64", seed=4)
    fast, ref = both(net)
    _, out_a = run_stream(fast, rule, 3000, 1, 5, 0.1, True)
    _, out_b = run_stream(ref, rule, 3000, 1, 5, 0.1, False)
    assert_same(out_a, out_b, "float64", "outputs")
    for key, value in ref.get_weights().items():
        assert_same(fast.get_weights()[key], value, "float64", key)
