"""LSTM-g's single-stream step by address (``lstm_g_compiled.Packed``): the quick path hands the kernel
a table of array addresses, so it must compute exactly what the general compiled step computes,
follow every change to the arrays it points at (new weights, new fixed weights, a new stream, another
rule), and never let a copy of a learner write through the original's addresses; a copy continues
the stream on buffers of its own."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import axonal.jit
from axonal.synaptic.architect import LSTM

pytestmark = pytest.mark.skipif(not axonal.jit.available(), reason="Numba is not installed: no compiled path")
FIXED = "memory_cell_to_memory_cell.weight"


def data(steps, seed=0, n_in=3, n_out=2):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (steps, n_in)), rng.uniform(0, 1, (steps, n_out))


def drive(learner, xs, ts, quick):
    """Steps (a learning step, every third an activation only) through the quick path (1-D arrays) or
    the general compiled one (a batch of one row)."""
    outs = []
    for t, (x, y) in enumerate(zip(xs, ts)):
        if t % 3 == 2:
            out = learner.network.activate(x) if quick else learner.network.activate(x[None])[0]
        else:
            out = learner.step(x, y) if quick else learner.step(x[None], y[None])[0]
        outs.append(out)
    return np.array(outs)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("rule", ["synaptic", "monner"])
def test_the_packed_step_equals_the_general_compiled_step_bit_for_bit(rule, dtype):
    xs, ts = data(40, seed=1)
    fast_net, ref_net = LSTM(3, 4, 2, dtype=dtype, seed=2), LSTM(3, 4, 2, dtype=dtype, seed=2)
    fast, ref = fast_net.online(0.2, rule=rule), ref_net.online(0.2, rule=rule)
    got = drive(fast, xs.astype(dtype), ts.astype(dtype), quick=True)
    want = drive(ref, xs.astype(dtype), ts.astype(dtype), quick=False)
    assert fast._packed is not None        # the reference passes (1, n) rows: quick leaves those to step
    # after their first calls the compiled versions themselves are called (axonal.jit.swapping)
    assert not hasattr(fast._packed.step, "overloads") and not hasattr(fast._packed.activate, "overloads")
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(fast._flat, ref._flat)            # every trace and state
    np.testing.assert_array_equal(fast_net.params_.values, ref_net.params_.values)


def test_the_packed_step_agrees_with_the_numpy_reference():
    xs, ts = data(40, seed=3)
    fast_net, ref_net = LSTM(3, 4, 2, dtype="float64", seed=4), LSTM(3, 4, 2, dtype="float64", seed=4)
    fast, ref = fast_net.online(0.3, rule="monner"), ref_net.online(0.3, rule="monner")
    got = drive(fast, xs, ts, quick=True)
    with axonal.jit.using(False):
        want = drive(ref, xs, ts, quick=True)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast._flat, ref._flat, rtol=1e-12, atol=1e-12)


def test_new_weights_new_fixed_weights_a_new_rate_and_a_new_stream_are_followed():
    xs, ts = data(60, seed=5)
    nets = LSTM(3, 4, 2, dtype="float64", seed=6), LSTM(3, 4, 2, dtype="float64", seed=6)
    learners = [net.online(0.2, rule="synaptic") for net in nets]
    outs = [[], []]
    for k, (net, learner, quick) in enumerate(zip(nets, learners, (True, False))):
        outs[k].append(drive(learner, xs[:10], ts[:10], quick))
        net.params_.values = net.params_.values * 0.9                    # a new weight array
        outs[k].append(drive(learner, xs[10:20], ts[10:20], quick))
        state = net.graph_layer.state
        state[FIXED] = state[FIXED] * 0.5                                # a new fixed-weight array
        outs[k].append(drive(learner, xs[20:30], ts[20:30], quick))
        learner.learning_rate = 1                                        # an int: used as 1.0
        outs[k].append(drive(learner, xs[30:40], ts[30:40], quick))
        net.reset_state()                                                # a new stream
        outs[k].append(drive(learner, xs[40:50], ts[40:50], quick))
        learner.rule = "monner"
        outs[k].append(drive(learner, xs[50:], ts[50:], quick))
    for got, want in zip(*outs):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(nets[0].params_.values, nets[1].params_.values)


@pytest.mark.parametrize("jit", [True, False])
@pytest.mark.parametrize("how", ["deepcopy", "pickle", "network copy"])
def test_a_copied_learner_never_writes_through_the_originals_addresses(how, jit, monkeypatch):
    """A copy of a learner continues its stream on buffers of its own (the stream's arrays are views
    into one buffer, which copying each array would part: the copy's outputs stood still)."""
    monkeypatch.setattr(axonal.jit, "_override", jit)
    xs, ts = data(30, seed=7)
    net = LSTM(3, 4, 2, dtype="float64", seed=8)
    learner = net.online(0.2, rule="synaptic")
    drive(learner, xs[:10], ts[:10], quick=True)
    assert (learner._packed is not None) == jit
    if how == "deepcopy":
        other = copy.deepcopy(learner)
    elif how == "pickle":
        other = pickle.loads(pickle.dumps(learner))
    else:
        other = net.copy().online(0.2, rule="synaptic")
        other.network.set_step_state(net.get_step_state())
    before_flat, before_params = learner._flat.copy(), net.params_.values.copy()
    copied = drive(other, xs[10:], ts[10:], quick=True)
    np.testing.assert_array_equal(learner._flat, before_flat)            # the original is untouched
    np.testing.assert_array_equal(net.params_.values, before_params)
    if how != "network copy":                                            # a full copy continues the same stream
        np.testing.assert_array_equal(copied, drive(learner, xs[10:], ts[10:], quick=True))


def test_inputs_the_table_cannot_take_go_the_general_way_with_the_same_results():
    xs, ts = data(20, seed=9)
    wide = np.zeros((20, 6))
    wide[:, ::2] = xs                                                    # strided rows: not contiguous
    fast_net, ref_net = LSTM(3, 4, 2, dtype="float64", seed=10), LSTM(3, 4, 2, dtype="float64", seed=10)
    fast, ref = fast_net.online(0.2, rule="synaptic"), ref_net.online(0.2, rule="synaptic")
    got = [fast.step(wide[t, ::2], ts[t] if t % 2 else ts[t].tolist()) for t in range(20)]
    want = [ref.step(xs[t][None], ts[t][None])[0] for t in range(20)]
    np.testing.assert_array_equal(np.array(got), np.array(want))
    with pytest.raises(ValueError, match="takes 3"):
        fast.step(np.zeros(4), ts[0])


def two_fixed_arrays(seed):
    """A gated network with two self-connections (two fixed-weight arrays: ``F`` is their concatenation)."""
    from axonal.graph import Graph, GraphNetwork
    g = Graph()
    x, gate, h, k, y = g.layer("x", 3), g.layer("gate", 2), g.layer("h", 2), g.layer("k", 2), g.layer("y", 2)
    x.project(gate), x.project(h), x.project(k), h.project(y), k.project(y)
    g.gate(h.project(h, "one_to_one"), gate, "one_to_one")
    k.project(k, "one_to_one")
    net = GraphNetwork(g, dtype="float64", seed=seed)
    assert len([n for n in net.graph_layer.state if n.endswith(".weight")]) == 2
    return net


def test_several_fixed_weight_arrays_take_a_table_made_for_each_call():
    xs, ts = data(30, seed=11)
    nets = two_fixed_arrays(12), two_fixed_arrays(12)
    outs = []
    for net, jit in zip(nets, (True, False)):
        with axonal.jit.using(jit):
            plain = [net.activate(x) for x in xs[:10]]                   # the stepper, no learner
            learner = net.online(0.3, rule="synaptic")
            outs.append(np.concatenate([np.array(plain), drive(learner, xs[10:], ts[10:], quick=True)]))
    assert nets[0].graph_layer.state and nets[0]._stepper.table is None   # no table kept across calls
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(nets[0].params_.values, nets[1].params_.values, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rule", ["synaptic", "monner"])
def test_the_kernels_never_write_the_tail_of_their_scratch_space(rule):
    """The kernels zero their scratch rows with the scratch space's last value (``unseen_zero``), so no
    step may write past the space they are given: the tail keeps its values through quick steps,
    batched steps and a whole stream in one call."""
    from axonal.synaptic import Trainer

    xs, ts = data(30, seed=5)
    for batch in (1, 3):
        learner = LSTM(3, 5, 2, dtype="float64", seed=6).online(0.2, rule=rule)
        learner.step(np.repeat(xs[:1], batch, 0), np.repeat(ts[:1], batch, 0))
        tail = learner._work[-8:]
        tail[:-1] = 12345.0                     # the slack before the zero: any write shows
        for x, y in zip(xs, ts):
            if batch == 1:
                learner.step(x, y)
            else:
                learner.step(np.repeat(x[None], batch, 0), np.repeat(y[None], batch, 0))
        assert tail.base is learner._work and (tail[:-1] == 12345.0).all() and tail[-1] == 0.0, (batch, tail)
    net = LSTM(3, 5, 2, dtype="float64", seed=6)
    trainer = Trainer(net, rule=rule)
    trainer.train((xs[:2], ts[:2]), iterations=1, error=0, cost="mse")
    learner = net._learner()
    tail = learner._work[-8:]
    tail[:-1] = 12345.0
    trainer.train((xs, ts), iterations=3, error=0, cost="mse")
    assert net._learner() is learner and tail.base is learner._work
    assert (tail[:-1] == 12345.0).all() and tail[-1] == 0.0
