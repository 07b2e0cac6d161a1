"""Optimizers: update rules against hand-computed steps, penalties, clipping, state, lookup, training.

The hand values below follow the update rules written in each optimizer's
docstring, computed with plain Python arithmetic on a tiny parameter set: one
weight row (penalties and weight decay apply) and one bias (they do not).
Flat order of the values is ``weight[0, 0], weight[0, 1], bias[0]``.
"""

import math

import numpy as np
import pytest

import axonal
from axonal import optimizers
from axonal.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop, Rprop
from axonal.parameters import ParameterSet

P0 = [0.5, -1.0, 0.25]      # starting values: weight[0, 0], weight[0, 1], bias[0]
G1 = [0.2, -0.4, 0.1]       # gradient given to step 1
G2 = [-0.1, -0.3, 0.5]      # gradient given to step 2 (weight[0, 0] changes sign)


def tiny_params():
    return ParameterSet([("weight", np.array([[0.5, -1.0]]), True),
                         ("bias", np.array([0.25]), False)], np.float64)


def set_grads(params, flat):
    params.view(params.grads, "weight")[...] = [flat[:2]]
    params.view(params.grads, "bias")[...] = flat[2:]


def flat_values(params):
    return [*params["weight"].ravel(), *params["bias"]]


def two_steps(opt):
    """Run ``opt`` for two steps (G1, then G2); return the values after each."""
    params = tiny_params()
    set_grads(params, G1)
    opt.step(params)
    after1 = flat_values(params)
    set_grads(params, G2)
    opt.step(params)
    return after1, flat_values(params)


def assert_steps(opt, expected1, expected2):
    after1, after2 = two_steps(opt)
    np.testing.assert_allclose(after1, expected1, rtol=1e-12, atol=1e-15, err_msg="after step 1")
    np.testing.assert_allclose(after2, expected2, rtol=1e-12, atol=1e-15, err_msg="after step 2")


# -- the update rules, two steps each -------------------------------------------------------

def test_sgd_plain_two_steps():
    # p ← p - η·g with η = 0.1
    step1 = [0.5 - 0.1 * 0.2, -1.0 - 0.1 * -0.4, 0.25 - 0.1 * 0.1]           # [0.48, -0.96, 0.24]
    step2 = [0.48 - 0.1 * -0.1, -0.96 - 0.1 * -0.3, 0.24 - 0.1 * 0.5]          # [0.49, -0.93, 0.19]
    assert_steps(SGD(learning_rate=0.1), step1, step2)


def test_sgd_momentum_two_steps():
    # v ← μ·v + g,  p ← p - η·v  with η = 0.1, μ = 0.9; v starts at 0 so step 1 is plain SGD
    step1 = [0.48, -0.96, 0.24]
    v2 = [0.9 * 0.2 + -0.1, 0.9 * -0.4 + -0.3, 0.9 * 0.1 + 0.5]                # [0.08, -0.66, 0.59]
    step2 = [0.48 - 0.1 * v2[0], -0.96 - 0.1 * v2[1], 0.24 - 0.1 * v2[2]]     # [0.472, -0.894, 0.181]
    assert_steps(SGD(learning_rate=0.1, momentum=0.9), step1, step2)


def test_sgd_nesterov_two_steps():
    # v ← μ·v + g,  p ← p - η·(g + μ·v)  with η = 0.1, μ = 0.9
    step1 = [0.5 - 0.1 * (0.2 + 0.9 * 0.2), -1.0 - 0.1 * (-0.4 + 0.9 * -0.4),
             0.25 - 0.1 * (0.1 + 0.9 * 0.1)]                                    # [0.462, -0.924, 0.231]
    v2 = [0.08, -0.66, 0.59]
    step2 = [step1[0] - 0.1 * (-0.1 + 0.9 * v2[0]), step1[1] - 0.1 * (-0.3 + 0.9 * v2[1]),
             step1[2] - 0.1 * (0.5 + 0.9 * v2[2])]                              # [0.4648, -0.8346, 0.1279]
    assert_steps(SGD(learning_rate=0.1, momentum=0.9, nesterov=True), step1, step2)


def test_adagrad_two_steps():
    # G ← G + g²,  p ← p - η·g / (√G + ε), G starting at 0.1; a large ε pins where it is added
    lr, eps = 0.1, 0.05
    p, acc, steps = list(P0), [0.1, 0.1, 0.1], []
    for g in (G1, G2):
        for i in range(3):
            acc[i] = acc[i] + g[i] ** 2
            p[i] = p[i] - lr * g[i] / (math.sqrt(acc[i]) + eps)
        steps.append(list(p))
    assert_steps(Adagrad(learning_rate=lr, epsilon=eps, initial_accumulator=0.1), *steps)


def test_rmsprop_two_steps():
    # s ← ρ·s + (1 - ρ)·g²,  p ← p - η·g / (√s + ε), s starting at 0
    lr, rho, eps = 0.01, 0.9, 0.05
    p, s, steps = list(P0), [0.0, 0.0, 0.0], []
    for g in (G1, G2):
        for i in range(3):
            s[i] = rho * s[i] + (1 - rho) * g[i] ** 2
            p[i] = p[i] - lr * g[i] / (math.sqrt(s[i]) + eps)
        steps.append(list(p))
    assert_steps(RMSprop(learning_rate=lr, rho=rho, epsilon=eps), *steps)


def adam_by_hand(lr, b1, b2, eps, shrink=1.0):
    """Adam as the paper writes it (bias-corrected m̂, v̂; ε added to √v̂).

    ``shrink`` multiplies the weights (not the bias) before each step: AdamW's decay.
    """
    p, m, v, steps = list(P0), [0.0] * 3, [0.0] * 3, []
    for t, g in enumerate((G1, G2), start=1):
        p[0], p[1] = p[0] * shrink, p[1] * shrink
        for i in range(3):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            p[i] = p[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        steps.append(list(p))
    return steps


def test_adam_two_steps():
    # a large ε so that adding it before or after bias correction would give other numbers
    steps = adam_by_hand(lr=0.1, b1=0.9, b2=0.999, eps=0.05)
    assert_steps(Adam(learning_rate=0.1, beta1=0.9, beta2=0.999, epsilon=0.05), *steps)


def test_adamw_two_steps():
    # w ← w - η·λ·w before each Adam step: with η = 0.1, λ = 0.5 the weights shrink by 0.95
    steps = adam_by_hand(lr=0.1, b1=0.8, b2=0.99, eps=1e-8, shrink=1 - 0.1 * 0.5)
    assert_steps(AdamW(learning_rate=0.1, beta1=0.8, beta2=0.99, epsilon=1e-8, weight_decay=0.5), *steps)


def test_rprop_two_steps_with_a_sign_change_then_a_third():
    # iRprop⁻ with Δ0 = 0.05, η⁻ = 0.5, η⁺ = 1.2. Step 1 (no previous gradient): every
    # value moves by Δ0 against its gradient's sign.
    step1 = [0.5 - 0.05, -1.0 + 0.05, 0.25 - 0.05]                            # [0.45, -0.95, 0.2]
    # Step 2: weight[0, 0]'s gradient flips sign (0.2 → -0.1): Δ shrinks to 0.025, the
    # gradient is zeroed and the value stays. The others keep their sign: Δ grows to 0.06.
    step2 = [0.45, -0.95 + 0.05 * 1.2, 0.2 - 0.05 * 1.2]                       # [0.45, -0.89, 0.14]
    opt = Rprop(learning_rate=0.05, etas=(0.5, 1.2))
    params = tiny_params()
    set_grads(params, G1)
    opt.step(params)
    np.testing.assert_allclose(flat_values(params), step1, rtol=1e-12)
    set_grads(params, G2)
    opt.step(params)
    np.testing.assert_allclose(flat_values(params), step2, rtol=1e-12)
    # the flipped gradient was zeroed, so it is remembered as 0 ...
    assert params.view(params.grads, "weight")[0, 0] == 0.0
    state = opt.state_dict()["slots"]
    np.testing.assert_allclose(state["prev_grad"]["weight"], [[0.0, -0.3]])
    np.testing.assert_allclose(state["step_size"]["weight"], [[0.05 * 0.5, 0.05 * 1.2]])
    np.testing.assert_allclose(state["step_size"]["bias"], [0.05 * 1.2])
    # ... and step 3 with the same negative gradient moves it by the shrunken Δ with no
    # further change of Δ (g·g' = 0); the others keep agreeing and grow again.
    set_grads(params, [-0.1, -0.3, 0.5])
    opt.step(params)
    step3 = [0.45 + 0.025, -0.89 + 0.06 * 1.2, 0.14 - 0.06 * 1.2]
    np.testing.assert_allclose(flat_values(params), step3, rtol=1e-12)


def test_rprop_step_sizes_stay_within_bounds():
    # Δ_min = 0.04, Δ_max = 0.055: growth to 0.06 stops at 0.055, shrinking to 0.025 at 0.04
    opt = Rprop(learning_rate=0.05, etas=(0.5, 1.2), step_sizes=(0.04, 0.055))
    after1, after2 = two_steps(opt)
    np.testing.assert_allclose(after2, [0.45, -0.95 + 0.055, 0.2 - 0.055], rtol=1e-12)
    state = opt.state_dict()["slots"]["step_size"]
    np.testing.assert_allclose(state["weight"], [[0.04, 0.055]])


# -- penalties, weight decay and clipping ----------------------------------------------------

def three_params():
    """Two weights with a bias between them, so the weight segments are not adjacent."""
    return ParameterSet([("layers.0.weight", np.array([[0.5, -1.0]]), True),
                         ("layers.0.bias", np.array([0.25]), False),
                         ("layers.1.weight", np.array([[2.0], [0.0]]), True)], np.float64)


def three_grads(params):
    params.grads[:] = [0.2, -0.4, 0.1, 0.3, -0.6]


@pytest.mark.parametrize("penalty, expected", [
    # L2: g ← g + l2·w on weights only (η = 0.1, l2 = 0.5)
    ({"l2": 0.5}, [0.5 - 0.1 * (0.2 + 0.5 * 0.5), -1.0 - 0.1 * (-0.4 + 0.5 * -1.0), 0.25 - 0.1 * 0.1,
                   2.0 - 0.1 * (0.3 + 0.5 * 2.0), 0.0 - 0.1 * -0.6]),
    # L1: g ← g + l1·sign(w) on weights only (l1 = 0.2; sign(0) = 0)
    ({"l1": 0.2}, [0.5 - 0.1 * (0.2 + 0.2), -1.0 - 0.1 * (-0.4 - 0.2), 0.25 - 0.1 * 0.1,
                   2.0 - 0.1 * (0.3 + 0.2), 0.0 - 0.1 * -0.6]),
    # both at once
    ({"l2": 0.5, "l1": 0.2}, [0.5 - 0.1 * (0.2 + 0.25 + 0.2), -1.0 - 0.1 * (-0.4 - 0.5 - 0.2),
                              0.25 - 0.1 * 0.1, 2.0 - 0.1 * (0.3 + 1.0 + 0.2), 0.0 - 0.1 * -0.6]),
])
def test_penalties_apply_to_weights_not_biases(penalty, expected):
    params = three_params()
    three_grads(params)
    SGD(learning_rate=0.1, **penalty).step(params)
    np.testing.assert_allclose(params.values, expected, rtol=1e-12)
    assert params["layers.0.bias"][0] == pytest.approx(0.25 - 0.1 * 0.1, rel=1e-12)


def test_adamw_decay_is_decoupled_and_spares_biases():
    # With zero gradients Adam's step is 0, so AdamW only shrinks the weights: by
    # (1 - η·λ) = 0.95 per step; the bias stays.
    params = three_params()
    opt = AdamW(learning_rate=0.1, weight_decay=0.5)
    for _ in range(2):
        params.grads[:] = 0.0
        opt.step(params)
    np.testing.assert_allclose(params.values, [0.5 * 0.95 ** 2, -1.0 * 0.95 ** 2, 0.25,
                                               2.0 * 0.95 ** 2, 0.0], rtol=1e-12)
    # The L2 penalty in Adam is rescaled by the per-parameter rates instead: the first step
    # moves every nonzero weight by η·sign(w) whatever its size.
    params = three_params()
    params.grads[:] = 0.0
    Adam(learning_rate=0.1, l2=0.5).step(params)
    np.testing.assert_allclose(params.values, [0.4, -0.9, 0.25, 1.9, 0.0], rtol=1e-6)


def test_clip_value_clips_each_element():
    # every element into [-0.15, 0.15], biases included; η = 1 so p ← p - g
    params = tiny_params()
    set_grads(params, G1)
    SGD(learning_rate=1.0, clip_value=0.15).step(params)
    np.testing.assert_allclose(flat_values(params), [0.5 - 0.15, -1.0 + 0.15, 0.25 - 0.1], rtol=1e-12)


def test_clip_norm_rescales_the_whole_gradient():
    # g = [0.2, -0.4, 0.4] has global norm 0.6 (weight and bias together): clip_norm 0.3 halves it
    params = tiny_params()
    set_grads(params, [0.2, -0.4, 0.4])
    SGD(learning_rate=1.0, clip_norm=0.3).step(params)
    np.testing.assert_allclose(flat_values(params), [0.5 - 0.1, -1.0 + 0.2, 0.25 - 0.2], rtol=1e-12)
    # below the limit the gradient is left alone
    params = tiny_params()
    set_grads(params, [0.2, -0.4, 0.4])
    SGD(learning_rate=1.0, clip_norm=1.0).step(params)
    np.testing.assert_allclose(flat_values(params), [0.5 - 0.2, -1.0 + 0.4, 0.25 - 0.4], rtol=1e-12)


def test_penalty_then_clip_value_then_clip_norm():
    # l2 = 1: g = [0.2 + 0.5, -0.4 - 1.0, 0.1] = [0.7, -1.4, 0.1]; clip_value 0.5 gives
    # [0.5, -0.5, 0.1], norm √0.51; clip_norm 0.3 scales it by 0.3/√0.51
    params = tiny_params()
    set_grads(params, G1)
    SGD(learning_rate=1.0, l2=1.0, clip_value=0.5, clip_norm=0.3).step(params)
    scale = 0.3 / math.sqrt(0.5 ** 2 + 0.5 ** 2 + 0.1 ** 2)
    np.testing.assert_allclose(flat_values(params),
                               [0.5 - 0.5 * scale, -1.0 + 0.5 * scale, 0.25 - 0.1 * scale], rtol=1e-12)


# -- state by parameter name -------------------------------------------------------------------

FACTORIES = {
    "sgd": lambda: SGD(learning_rate=0.1),
    "momentum": lambda: SGD(learning_rate=0.1, momentum=0.9),
    "nesterov": lambda: SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda: Adagrad(learning_rate=0.1, initial_accumulator=0.1),
    "rmsprop": lambda: RMSprop(learning_rate=0.01),
    "adam": lambda: Adam(learning_rate=0.1),
    "adamw": lambda: AdamW(learning_rate=0.1, weight_decay=0.5),
    "rprop": lambda: Rprop(learning_rate=0.05),
}
EXPECTED_SLOTS = {"sgd": set(), "momentum": {"velocity"}, "nesterov": {"velocity"},
                  "adagrad": {"accumulator"}, "rmsprop": {"square_avg"}, "adam": {"m", "v"},
                  "adamw": {"m", "v"}, "rprop": {"step_size", "prev_grad"}}
GRADS = [G1, G2, [0.3, 0.2, -0.2], [0.1, -0.5, 0.4]]   # signs change, so Rprop's state moves too


def step_by_name(opt, params, flat):
    """One step with the gradient ``flat`` given by name (works for any layout order)."""
    params.view(params.grads, "weight")[...] = [flat[:2]]
    params.view(params.grads, "bias")[...] = flat[2:]
    opt.step(params)


@pytest.mark.parametrize("key", list(FACTORIES))
def test_state_round_trip_continues_identically(key):
    params = tiny_params()
    original = FACTORIES[key]()
    for g in GRADS[:3]:
        step_by_name(original, params, g)
    state = original.state_dict()
    assert state["iterations"] == 3
    assert set(state["slots"]) == EXPECTED_SLOTS[key]
    for by_name in state["slots"].values():
        assert set(by_name) == {"weight", "bias"}
        assert by_name["weight"].shape == (1, 2) and by_name["bias"].shape == (1,)

    # A copy of the parameters declared in the other order: state must follow the names.
    copy = ParameterSet([("bias", params["bias"].copy(), False),
                         ("weight", params["weight"].copy(), True)], np.float64)
    restored = FACTORIES[key]()
    restored.load_state_dict(state, copy)
    assert restored.iterations == 3
    for slot, by_name in restored.state_dict()["slots"].items():
        for name, array in by_name.items():
            np.testing.assert_array_equal(array, state["slots"][slot][name])

    before = ParameterSet([("weight", params["weight"].copy(), True),
                           ("bias", params["bias"].copy(), False)], np.float64)
    step_by_name(original, params, GRADS[3])
    step_by_name(restored, copy, GRADS[3])
    for name in ("weight", "bias"):
        np.testing.assert_array_equal(copy[name], params[name])

    if EXPECTED_SLOTS[key]:
        # the loaded state matters: a fresh optimizer would have moved elsewhere
        step_by_name(FACTORIES[key](), before, GRADS[3])
        assert not np.allclose(before.values, params.values, rtol=1e-6, atol=0)


@pytest.mark.parametrize("key", list(FACTORIES))
def test_state_buffer_holds_every_slot_and_stays_put_across_steps_and_loads(key):
    params = tiny_params()
    opt = FACTORIES[key]()
    assert opt.state_buffer.size == 0  # nothing before the first step
    opt.bind(params)
    buffer = opt.state_buffer
    assert buffer.shape == (len(EXPECTED_SLOTS[key]) * params.size,) and buffer.dtype == params.dtype
    for g in GRADS[:2]:
        step_by_name(opt, params, g)
    assert opt.state_buffer is buffer
    by_slot = opt.state_dict()["slots"]
    for i, slot in enumerate(opt.slots):  # slot i is segment i, laid out like the parameters
        segment = buffer[i * params.size:(i + 1) * params.size]
        np.testing.assert_array_equal(params.view(segment, "weight"), by_slot[slot]["weight"])
        np.testing.assert_array_equal(params.view(segment, "bias"), by_slot[slot]["bias"])
    state = opt.state_dict()
    buffer[...] = 7.0  # writing the buffer is writing the state
    assert all((a == 7.0).all() for by_name in opt.state_dict()["slots"].values() for a in by_name.values())
    opt.load_state_dict(state, params)
    for slot, by_name in opt.state_dict()["slots"].items():
        for name, array in by_name.items():
            np.testing.assert_array_equal(array, state["slots"][slot][name])
    opt.state_buffer[...] = 3.0  # a loaded state lives in the buffer too
    assert all((a == 3.0).all() for by_name in opt.state_dict()["slots"].values() for a in by_name.values())


def test_state_dict_returns_copies():
    params = tiny_params()
    opt = Adam(learning_rate=0.1)
    step_by_name(opt, params, G1)
    state = opt.state_dict()
    state["slots"]["m"]["weight"][...] = 99.0
    assert not np.any(opt.state_dict()["slots"]["m"]["weight"] == 99.0)


def adam_state_after_one_step():
    params = tiny_params()
    opt = Adam(learning_rate=0.1)
    step_by_name(opt, params, G1)
    return opt.state_dict(), params


def test_loading_state_with_a_wrong_shape_names_the_parameter():
    state, params = adam_state_after_one_step()
    state["slots"]["m"]["weight"] = np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"m/weight.*\(2, 1\).*\(1, 2\)"):
        Adam().load_state_dict(state, params)


def test_loading_state_missing_a_parameter_names_it():
    state, params = adam_state_after_one_step()
    del state["slots"]["v"]["bias"]
    with pytest.raises(KeyError, match="bias"):
        Adam().load_state_dict(state, params)


def test_loading_state_missing_or_unknown_slots_fails():
    state, params = adam_state_after_one_step()
    del state["slots"]["v"]
    with pytest.raises(KeyError, match="'v'"):
        Adam().load_state_dict(state, params)
    state, params = adam_state_after_one_step()
    with pytest.raises(KeyError, match="velocity"):
        SGD(momentum=0.9).load_state_dict(state, params)
    # an optimizer that never stepped exports no slots, and that loads anywhere
    fresh = Adam()
    fresh.load_state_dict(Adam().state_dict(), params)
    assert fresh.iterations == 0


def test_a_failed_load_leaves_the_optimizer_as_it_was():
    state, params = adam_state_after_one_step()
    opt = Adam(learning_rate=0.1)
    opt.load_state_dict(state, params)
    bad = {"iterations": 7, "slots": {"m": dict(state["slots"]["m"]), "v": {"weight": np.zeros((1, 2))}}}
    with pytest.raises(KeyError, match="bias"):
        opt.load_state_dict(bad, params)
    assert opt.iterations == 1
    np.testing.assert_array_equal(opt.state_dict()["slots"]["v"]["bias"], state["slots"]["v"]["bias"])


# -- lookup by name and config -------------------------------------------------------------------

@pytest.mark.parametrize("name, cls, attrs", [
    ("sgd", SGD, {"momentum": 0.0, "nesterov": False, "learning_rate": 0.01}),
    ("momentum", SGD, {"momentum": 0.9, "nesterov": False}),
    ("nesterov", SGD, {"momentum": 0.9, "nesterov": True}),
    ("adagrad", Adagrad, {"learning_rate": 0.01}),
    ("rmsprop", RMSprop, {"rho": 0.9, "learning_rate": 0.001}),
    ("adam", Adam, {"beta1": 0.9, "beta2": 0.999, "learning_rate": 0.001}),
    ("adamw", AdamW, {"weight_decay": 0.01}),
    ("rprop", Rprop, {"etas": (0.5, 1.2), "step_sizes": (1e-6, 50.0)}),
    ("Adam", Adam, {}),
])
def test_get_by_name(name, cls, attrs):
    opt = optimizers.get(name)
    assert type(opt) is cls
    for attr, value in attrs.items():
        assert getattr(opt, attr) == value, attr


def test_names_lists_every_optimizer():
    assert optimizers.names() == sorted(["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                         "adam", "adamw", "rprop"])


def test_get_from_config_dict_overrides_and_instances():
    opt = optimizers.get({"name": "adam", "learning_rate": 0.05, "beta1": 0.8})
    assert type(opt) is Adam and (opt.learning_rate, opt.beta1) == (0.05, 0.8)
    # keyword overrides win over the dict; presets accept overrides too
    assert optimizers.get({"name": "sgd", "learning_rate": 0.05}, learning_rate=0.2).learning_rate == 0.2
    opt = optimizers.get("nesterov", learning_rate=0.3, momentum=0.5)
    assert (opt.learning_rate, opt.momentum, opt.nesterov) == (0.3, 0.5, True)
    # get_config round-trips through a dict
    original = Rprop(learning_rate=0.02, etas=(0.4, 1.3), l2=0.1)
    again = optimizers.get({"name": "rprop", **original.get_config()})
    assert again.get_config() == original.get_config()
    # an instance is passed through unchanged, but cannot take overrides
    assert optimizers.get(original) is original
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.get(original, learning_rate=0.1)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="adamax") as info:
        optimizers.get("adamax")
    for name in optimizers.names():
        assert name in str(info.value)


@pytest.mark.parametrize("spec", ["adam", "momentum"])
def test_unknown_option_is_a_type_error_naming_it(spec):
    with pytest.raises(TypeError, match=f"{spec}:.*betaa"):
        optimizers.get(spec, betaa=0.5)


@pytest.mark.parametrize("name, options, option", [
    ("sgd", {"learning_rate": -0.1}, "learning_rate"),
    ("sgd", {"learning_rate": 0}, "learning_rate"),
    ("adam", {"learning_rate": float("nan")}, "learning_rate"),
    ("sgd", {"momentum": 1.0}, "momentum"),
    ("sgd", {"momentum": -0.5}, "momentum"),
    ("sgd", {"nesterov": True}, "nesterov"),
    ("adam", {"beta1": 1.0}, "beta1"),
    ("adam", {"beta2": -0.1}, "beta2"),
    ("adam", {"epsilon": 0.0}, "epsilon"),
    ("adamw", {"weight_decay": -0.01}, "weight_decay"),
    ("rmsprop", {"rho": 1.0}, "rho"),
    ("adagrad", {"initial_accumulator": -1.0}, "initial_accumulator"),
    ("rprop", {"etas": (1.2, 0.5)}, "etas"),
    ("rprop", {"step_sizes": (0.0, 1.0)}, "step_sizes"),
    ("sgd", {"l2": -1.0}, "l2"),
    ("sgd", {"l1": -1.0}, "l1"),
    ("sgd", {"clip_norm": 0.0}, "clip_norm"),
    ("adam", {"clip_value": -1.0}, "clip_value"),
])
def test_invalid_options_raise_naming_the_option(name, options, option):
    with pytest.raises(ValueError, match=option):
        optimizers.get(name, **options)


# -- learning -------------------------------------------------------------------------------------

_rng = np.random.default_rng(0)
X = _rng.normal(size=(64, 3)).astype(np.float32)
A = np.array([[1.0, -2.0], [0.5, 1.5], [-1.0, 0.25]], dtype=np.float32)
C = np.array([0.5, -1.0], dtype=np.float32)
Y = X @ A + C


@pytest.mark.parametrize("make, epochs, batch_size", [
    (lambda: SGD(learning_rate=0.1), 40, 16),
    (lambda: SGD(learning_rate=0.05, momentum=0.9), 40, 16),
    (lambda: SGD(learning_rate=0.05, momentum=0.9, nesterov=True), 40, 16),
    (lambda: Adagrad(learning_rate=0.5), 40, 16),
    (lambda: RMSprop(learning_rate=0.01), 80, 16),
    (lambda: Adam(learning_rate=0.05), 40, 16),
    (lambda: AdamW(learning_rate=0.05, weight_decay=0.001), 40, 16),
    (lambda: Rprop(learning_rate=0.01), 100, None),   # full batch: Rprop uses gradient signs
], ids=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "rprop"])
def test_each_optimizer_fits_a_linear_map(make, epochs, batch_size):
    net = axonal.Sequential([axonal.Dense(2, input_dim=3)], seed=0)
    start = net.evaluate(X, Y, loss="mse")
    assert start > 1.0  # the untrained network is far from the map
    net.fit(X, Y, loss="mse", optimizer=make(), epochs=epochs, batch_size=batch_size, seed=0)
    assert net.evaluate(X, Y) < 1e-2


@pytest.mark.parametrize("name, slot, value, message", [
    ("adam", "v", -1.0, "never negative"), ("rmsprop", "square_avg", -0.5, "never negative"),
    ("adagrad", "accumulator", -2.0, "never negative"), ("rprop", "step_size", 0.0, "positive"),
    ("adam", "m", np.nan, "NaN or Inf"),
])
def test_loading_a_state_with_impossible_values_is_refused_and_changes_nothing(name, slot, value, message):
    from axonal import Dense, Sequential, optimizers
    net = Sequential([Dense(3, input_dim=2)], seed=0)
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 3), np.float32)
    opt = optimizers.get(name)
    net.fit(x, y, optimizer=opt, epochs=2, batch_size=2)
    state = opt.state_dict()
    before = {s: {k: v.copy() for k, v in by.items()} for s, by in state["slots"].items()}
    state["slots"][slot]["layers.0.weight"] = np.full_like(state["slots"][slot]["layers.0.weight"], value)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state, net.params_)
    after = opt.state_dict()["slots"]
    assert all(np.array_equal(before[s][k], after[s][k]) for s in before for k in before[s])


def test_nesterov_must_be_a_flag():
    from axonal import SGD
    with pytest.raises(ValueError, match="nesterov must be True or False"):
        SGD(momentum=0.9, nesterov="yes")
