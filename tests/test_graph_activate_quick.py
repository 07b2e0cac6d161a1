"""``GraphNetwork.activate``'s quick path (``Stepper.quick``): a single stream stepped again and again
reuses the compiled step without rebuilding it; whatever changes the network in between (its
weights, its state, a copy, an online learner, compiled paths turned off) must be seen by the
next step exactly as the NumPy reference sees it."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import axonal.jit
from axonal.synaptic.architect import LSTM

pytestmark = pytest.mark.skipif(not axonal.jit.available(), reason="Numba is not installed: no compiled path")
TOL = dict(rtol=1e-12, atol=1e-12)


def pair(seed=0):
    net = LSTM(3, 4, 2, dtype="float64", seed=seed)
    return net, net.copy()


def inputs(steps, seed=1):
    return np.random.default_rng(seed).uniform(-1, 1, (steps, 3))


def run(net, xs, jit):
    with axonal.jit.using(jit):
        return np.array([net.activate(x) for x in xs])


def test_the_quick_path_runs_and_agrees_with_the_numpy_reference():
    fast, ref = pair()
    xs = inputs(40)
    got = run(fast, xs, True)
    assert fast._stepper.armed, "after a compiled step a single stream should take the quick path"
    assert not hasattr(fast._stepper.call, "overloads"), "quick calls the compiled version itself (jit.direct)"
    np.testing.assert_allclose(got, run(ref, xs, False), **TOL)
    assert not np.shares_memory(got[-1], fast._stepper.flat), "each output is a new array"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_network_pickled_before_direct_calls_existed_steps_on(dtype):
    """A stepper unpickled without ``call`` (pickled by an earlier version) makes it at its next full step."""
    net = LSTM(3, 4, 2, dtype=dtype, seed=0)
    ref = net.copy()
    xs = inputs(12).astype(dtype)
    first = run(net, xs[:4], True)
    old = pickle.loads(pickle.dumps(net))
    for name in ("call", "call_dtype"):
        old._stepper.__dict__.pop(name, None)
    rest = run(old, xs[4:], True)
    assert old._stepper.call is not None and old._stepper.call_dtype == np.dtype(dtype)
    tol = TOL if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([first, rest]), run(ref, xs, False), **tol)


def test_weights_changed_in_place_or_replaced_are_read_by_the_next_step():
    fast, ref = pair()
    xs = inputs(30)
    run(fast, xs[:10], True)
    run(ref, xs[:10], False)
    for net in (fast, ref):
        net.params_.values[...] *= 0.5                    # in place: the same array
    np.testing.assert_allclose(run(fast, xs[10:20], True), run(ref, xs[10:20], False), **TOL)
    for net in (fast, ref):
        net.params_.values = net.params_.values * 1.5      # a new array
    np.testing.assert_allclose(run(fast, xs[20:], True), run(ref, xs[20:], False), **TOL)


def test_reset_and_set_step_state_between_quick_steps():
    fast, ref = pair()
    xs = inputs(30)
    first = run(fast, xs[:10], True)
    fast.reset_state()
    np.testing.assert_allclose(run(fast, xs[:10], True), first, **TOL)
    saved = fast.get_step_state()
    later = run(fast, xs[10:20], True)
    run(fast, xs[20:], True)
    fast.set_step_state(saved)
    np.testing.assert_allclose(run(fast, xs[10:20], True), later, **TOL)
    ref.set_step_state(saved)
    np.testing.assert_allclose(run(ref, xs[10:20], False), later, **TOL)


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_a_copy_made_between_quick_steps_runs_on_its_own_state(how):
    net, _ = pair()
    xs = inputs(30)
    run(net, xs[:10], True)
    other = {"copy": lambda n: n.copy(), "deepcopy": copy.deepcopy,
             "pickle": lambda n: pickle.loads(pickle.dumps(n))}[how](net)
    want = run(net, xs[10:], True)
    got = run(other, xs[10:], True)
    np.testing.assert_allclose(got, want, **TOL)
    np.testing.assert_allclose(run(net, xs[:5], True), run(other, xs[:5], False), **TOL)


def test_inputs_of_other_types_and_layouts_take_the_full_path_with_the_same_result():
    fast, ref = pair()
    xs = np.round(inputs(12) * 8) / 8                  # exact in float32 too
    run(fast, xs[:2], True)
    run(ref, xs[:2], False)
    spaced = np.zeros((12, 6))
    spaced[:, ::2] = xs
    with axonal.jit.using(True):
        got = [fast.activate(xs[2].tolist()), fast.activate(xs[3].astype(np.float32)),
               fast.activate(spaced[:, ::2][4])]                  # a row that is not contiguous
    with axonal.jit.using(False):
        want = [ref.activate(x) for x in xs[2:5]]
    np.testing.assert_allclose(np.array(got), np.array(want), **TOL)
    with pytest.raises(ValueError, match="takes 3 values"):
        fast.activate(np.zeros(4))


def test_an_online_learner_made_after_quick_steps_continues_from_their_state():
    fast, ref = pair()
    xs, ts = inputs(30), np.random.default_rng(5).uniform(0, 1, (30, 2))
    run(fast, xs[:10], True)
    run(ref, xs[:10], False)
    outs = []
    for net, jit in ((fast, True), (ref, False)):
        learner = net.online(0.2, rule="synaptic")
        with axonal.jit.using(jit):
            outs.append(np.array([learner.step(x[None], t[None])[0] for x, t in zip(xs[10:20], ts[10:20])]
                                 + [net.activate(x) for x in xs[20:]]))
    np.testing.assert_allclose(outs[0], outs[1], **TOL)


def test_learner_steps_on_one_stream_take_the_quick_path_and_agree_with_numpy():
    fast, ref = pair(3)
    xs, ts = inputs(60, seed=7), np.random.default_rng(8).uniform(0, 1, (60, 2))
    outs = []
    for net, jit in ((fast, True), (ref, False)):
        learner = net.online(0.3, rule="monner")
        got = []
        with axonal.jit.using(jit):
            for t in range(60):
                if t % 5 == 4:
                    got.append(net.activate(xs[t]))                  # traces only, through the learner
                elif t == 30:
                    net.reset_state()                                # a new stream: the full path starts it
                    got.append(learner.step(xs[t], ts[t]))
                else:
                    got.append(learner.step(xs[t], ts[t].tolist() if t == 7 else ts[t]))
        outs.append(np.array(got))
    np.testing.assert_allclose(outs[0], outs[1], **TOL)
    np.testing.assert_allclose(fast.params_.values, ref.params_.values, **TOL)


def test_a_second_learner_takes_over_the_stream_and_wrong_sizes_are_refused():
    net, other = pair(4)
    xs, ts = inputs(20, seed=9), np.random.default_rng(10).uniform(0, 1, (20, 2))
    first = net.online(0.2, rule="synaptic")
    for t in range(5):
        first.step(xs[t], ts[t])
    second = net.online(0.2, rule="synaptic")       # starts from the network's state, its traces at 0
    with axonal.jit.using(False):
        copy_first = other.online(0.2, rule="synaptic")
        for t in range(5):
            copy_first.step(xs[t], ts[t])
        copy_second = other.online(0.2, rule="synaptic")
        want = [copy_second.step(xs[t], ts[t]) for t in range(5, 20)]
    got = [second.step(xs[t], ts[t]) for t in range(5, 20)]
    np.testing.assert_allclose(np.array(got), np.array(want), **TOL)
    with pytest.raises(ValueError, match="takes 3"):
        second.step(np.zeros(4), ts[0])
    with pytest.raises(ValueError, match="target must have 2 values"):
        second.step(xs[0], np.zeros(3))


def _refuse(*args):
    raise AssertionError("a compiled step ran while compiled paths were off")


@pytest.mark.parametrize("switch", ["using", "set_enabled"])
def test_compiled_paths_turned_off_between_quick_steps_are_obeyed_at_once(switch):
    fast, ref = pair(6)
    xs, ts = inputs(12, seed=11), np.random.default_rng(12).uniform(0, 1, (12, 2))
    run(fast, xs[:3], True)                 # armed: the stepper calls its compiled version directly
    run(ref, xs[:3], False)
    fast._stepper.call = _refuse
    if switch == "using":
        got = run(fast, xs[3:6], False)
    else:
        axonal.jit.set_enabled(False)
        try:
            got = np.array([fast.activate(x) for x in xs[3:6]])
        finally:
            axonal.jit.set_enabled(None)
    np.testing.assert_allclose(got, run(ref, xs[3:6], False), **TOL)
    learners = fast.online(0.2, rule="synaptic"), ref.online(0.2, rule="synaptic")
    with axonal.jit.using(True):
        learners[0].step(xs[6], ts[6])      # packed: the learner's compiled step
    with axonal.jit.using(False):
        learners[1].step(xs[6], ts[6])
    packed = learners[0]._packed
    packed.activate = packed.step = packed.propagate = _refuse
    with axonal.jit.using(False):
        got = [learners[0].step(xs[t], ts[t]) for t in range(7, 10)] + [fast.activate(xs[10])]
        want = [learners[1].step(xs[t], ts[t]) for t in range(7, 10)] + [ref.activate(xs[10])]
    np.testing.assert_allclose(np.array(got), np.array(want), **TOL)
