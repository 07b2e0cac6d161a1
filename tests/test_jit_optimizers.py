"""The fused optimizer kernels (axonal/kernels/optimizer_updates.py) against the NumPy reference.

Every optimizer and option combination runs 200 steps from the same start on the same
gradients (random, with exact zeros, all-zero steps and steps large enough to clip) on
both paths: the parameters, the gradients the step leaves, every state slot and the step
count agree (float64 to 1e-12, float32 to 1e-5). The parameter layout has weights and
biases interleaved (merged weight ranges, a bias first, a weight last, stretches longer
than a kernel block) and weights that are exactly zero, where ``sign(w)`` of the L1
penalty is 0. Then training through
``Sequential.fit`` learns the digits with each optimizer on the compiled path.
"""

import functools

import numpy as np
import pytest

import axonal
from axonal import jit
from axonal.data import load_digits, train_test_split
from axonal.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop, Rprop
from axonal.parameters import ParameterSet

TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}

OPTIMIZERS = {
    "sgd": lambda **o: SGD(learning_rate=0.05, **o),
    "momentum": lambda **o: SGD(learning_rate=0.05, momentum=0.9, **o),
    "nesterov": lambda **o: SGD(learning_rate=0.05, momentum=0.9, nesterov=True, **o),
    "adam": lambda **o: Adam(learning_rate=0.01, **o),
    "adamw": lambda **o: AdamW(learning_rate=0.01, weight_decay=0.1, **o),
    "rmsprop": lambda **o: RMSprop(learning_rate=0.01, rho=0.8, **o),
    "adagrad": lambda **o: Adagrad(learning_rate=0.1, **o),
    "adagrad_initial": lambda **o: Adagrad(learning_rate=0.1, initial_accumulator=0.1, **o),
    "rprop": lambda **o: Rprop(learning_rate=0.01, **o),
}

OPTIONS = {
    "plain": {},
    "l2": {"l2": 0.01},
    "l1": {"l1": 0.003},
    "l1_l2": {"l1": 0.002, "l2": 0.02},
    "clip_value": {"clip_value": 0.5},
    "clip_norm": {"clip_norm": 1.0},
    "everything": {"l1": 0.001, "l2": 0.01, "clip_value": 0.8, "clip_norm": 2.0},
}


def make_params(dtype):
    """A bias first, then weights in a row (one decay range, longer than a kernel block), a bias
    longer than a block, a weight last."""
    rng = np.random.default_rng(7)
    shapes = [("norm.gain", (4,), False), ("a.weight", (5, 7), True), ("a.recurrent", (7, 7), True),
              ("a.bias", (7,), False), ("b.weight", (7, 3), True), ("c.weight", (60, 90), True),
              ("c.bias", (4500,), False), ("d.weight", (3, 3), True)]
    params = ParameterSet([(name, rng.normal(size=shape), decay) for name, shape, decay in shapes], dtype)
    assert params.decay_ranges == [(4, 88), (95, 5516), (10016, 10025)]
    params.values[[4, 9, 50, 115, 3000, 10020]] = 0.0  # sign(0) = 0: the L1 penalty leaves these gradients alone
    params.values[[5, 60, 4000]] = -0.0
    return params


@functools.lru_cache(maxsize=1)
def gradients(size, steps=200):
    """The gradient of each step (steps, size): normal, a third of it exactly zero, all of it
    zero every 10th step, large (clipped) every 7th."""
    rng = np.random.default_rng(11)
    g = rng.normal(size=(steps, size)) * np.where(np.arange(steps) % 7 == 3, 4.0, 0.3)[:, None]
    g[rng.random((steps, size)) < 0.33] = 0.0
    g[np.arange(steps) % 10 == 4] = 0.0
    return g


def run(make, options, dtype, compiled, monkeypatch, steps=200):
    """``steps`` optimizer steps on one path; returns the parameters, the optimizer and how many
    times the NumPy rule (``_update``) ran."""
    params, opt = make_params(dtype), make(**options)
    calls = []
    reference = type(opt)._update

    def counted(self, p, g, ps):
        calls.append(1)
        reference(self, p, g, ps)

    with monkeypatch.context() as patch, jit.using(compiled):
        patch.setattr(type(opt), "_update", counted)
        for g in gradients(params.size)[:steps]:
            params.grads[...] = g
            opt.step(params)
    return params, opt, len(calls)


def assert_agree(a, b, dtype, what):
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_the_fused_update_follows_the_reference_for_200_steps(key, option, dtype, monkeypatch):
    make, options = OPTIMIZERS[key], OPTIONS[option]
    ref_params, ref_opt, ref_calls = run(make, options, dtype, False, monkeypatch)
    jit_params, jit_opt, jit_calls = run(make, options, dtype, True, monkeypatch)
    assert ref_calls == 200
    assert jit_calls == (0 if jit.available() else 200)  # the kernel ran, not the NumPy rule
    assert jit_opt.iterations == ref_opt.iterations == 200
    assert jit_params.values.dtype == jit_opt.state_buffer.dtype == dtype
    assert_agree(jit_params.values, ref_params.values, dtype, "parameters")
    assert_agree(jit_params.grads, ref_params.grads, dtype, "the gradient the step leaves")
    ref_state, jit_state = ref_opt.state_dict(), jit_opt.state_dict()
    assert jit_state["slots"].keys() == ref_state["slots"].keys() == set(ref_opt.slots)
    for slot in ref_opt.slots:
        assert_agree(jit_opt._state[slot], ref_opt._state[slot], dtype, f"state slot {slot}")
    # The run moved the parameters, and each slot is live (not left at its start).
    assert not np.allclose(jit_params.values, make_params(dtype).values, rtol=0, atol=1e-3)
    for slot in ref_opt.slots:
        assert not np.array_equal(jit_opt._state[slot], make(**options)._initial_slot(slot, make_params(dtype)))


def test_the_blocks_cover_the_vector_in_order_and_keep_weights_apart():
    if not jit.available():
        pytest.skip("Numba is not installed: there are no kernels to plan for")
    with jit.using(True):
        kernels = jit.kernels("optimizer_updates")
    params = make_params(np.float64)
    blocks = kernels.plan(params.decay_ranges, params.size)
    assert blocks[0, 0] == 0 and blocks[-1, 1] == params.size
    np.testing.assert_array_equal(blocks[1:, 0], blocks[:-1, 1])
    assert ((blocks[:, 1] > blocks[:, 0]) & (blocks[:, 1] - blocks[:, 0] <= kernels.BLOCK)).all()
    weights = np.zeros(params.size, dtype=bool)
    for lo, hi in params.decay_ranges:
        weights[lo:hi] = True
    for lo, hi, flag in blocks:
        assert (weights[lo:hi] == bool(flag)).all()
    assert len(blocks) == 8  # 0-4, 4-88, 88-95, 95-4191, 4191-5516, 5516-9612, 9612-10016, 10016-10025
    np.testing.assert_array_equal(kernels.plan([], 0), np.zeros((0, 3), dtype=np.int64))


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_the_two_paths_share_state_step_by_step(key, monkeypatch):
    """Alternating the paths every step gives what the NumPy path gives: both read and write the
    same state buffer in the same form (the NaN guard and checkpoints see one state)."""
    options = OPTIONS["everything"]
    ref_params, ref_opt, _ = run(OPTIMIZERS[key], options, np.float64, False, monkeypatch, steps=60)
    params, opt = make_params(np.float64), OPTIMIZERS[key](**options)
    buffer = None
    for step, g in enumerate(gradients(params.size)[:60]):
        params.grads[...] = g
        with jit.using(step % 2 == 0):
            opt.step(params)
        buffer = opt.state_buffer if buffer is None else buffer
        assert opt.state_buffer is buffer
    assert_agree(params.values, ref_params.values, np.float64, "parameters")
    assert_agree(opt.state_buffer, ref_opt.state_buffer, np.float64, "state")


def test_a_subclass_with_its_own_rule_keeps_it_on_the_compiled_path():
    class HalfStep(SGD):
        def _update(self, p, g, params):
            p -= 0.5 * self.learning_rate * g

    params = make_params(np.float64)
    start = params.values.copy()
    params.grads[...] = 1.0
    with jit.using(True):
        HalfStep(learning_rate=0.1, l2=0.5).step(params)
    decayed = np.zeros(params.size, dtype=bool)
    for lo, hi in params.decay_ranges:
        decayed[lo:hi] = True
    expected = start - 0.05 * (1.0 + np.where(decayed, 0.5 * start, 0.0))
    np.testing.assert_allclose(params.values, expected, rtol=1e-14, atol=1e-14)


# -- learning through fit ------------------------------------------------------------------------

LEARNERS = {  # optimizer, epochs, batch size, the test loss to reach
    "sgd": (lambda: SGD(0.1, l2=1e-4), 12, 32, 0.2),
    "momentum": (lambda: SGD(0.02, momentum=0.9, clip_norm=5.0), 12, 32, 0.2),
    "nesterov": (lambda: SGD(0.02, momentum=0.9, nesterov=True, l1=1e-5), 12, 32, 0.2),
    "adam": (lambda: Adam(0.003, clip_value=1.0), 12, 32, 0.2),
    "adamw": (lambda: AdamW(0.003, weight_decay=0.01), 12, 32, 0.2),
    "rmsprop": (lambda: RMSprop(0.002), 12, 32, 0.2),
    "adagrad": (lambda: Adagrad(0.05), 12, 32, 0.2),
    "rprop": (lambda: Rprop(0.003, step_sizes=(1e-6, 0.05)), 30, None, 0.2),  # full batch; small steps
}


@pytest.mark.parametrize("key", sorted(LEARNERS))
def test_each_optimizer_learns_the_digits_on_the_compiled_path(key):
    make, epochs, batch_size, bound = LEARNERS[key]
    x, y = load_digits().as_tuple()
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.2, stratify=y, seed=0)
    net = axonal.Sequential([axonal.Standardize(), axonal.Dense(32, "relu"), axonal.Dense(10)], input_dim=64, seed=0)
    with jit.using(True):
        net.fit(x_train, y_train, loss="softmax_cross_entropy", optimizer=make(), epochs=epochs,
                batch_size=batch_size, seed=0, progress=False)
    test_loss = net.evaluate(x_test, y_test)
    assert test_loss < bound, f"{key}: test loss {test_loss:.3f} after {epochs} epochs; expected below {bound}"
