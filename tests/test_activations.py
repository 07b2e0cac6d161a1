"""Activation values against plain formulas, stability at extremes, and the registry."""

import math

import numpy as np
import pytest

from axonal import activations

Z = np.array([[-30.0, -2.0, -0.5, 0.0], [0.3, 1.0, 4.0, 30.0]])


def reference(name, z):
    f = {
        "identity": lambda v: v,
        "logistic": lambda v: 1 / (1 + math.exp(-v)),
        "tanh": math.tanh,
        "relu": lambda v: max(v, 0.0),
        "leaky_relu": lambda v: v if v > 0 else 0.01 * v,
        "elu": lambda v: v if v > 0 else math.exp(v) - 1,
        "softplus": lambda v: math.log1p(math.exp(v)),
        "gelu": lambda v: 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3))),
        "step": lambda v: 1.0 if v > 0 else 0.0,
        "sign": lambda v: 1.0 if v >= 0 else -1.0,
    }[name]
    return np.vectorize(f)(z)


@pytest.mark.parametrize("name", ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu",
                                  "softplus", "gelu", "step", "sign"])
def test_forward_matches_plain_formula(name):
    act = activations.get(name)
    np.testing.assert_allclose(act.forward(Z.copy()), reference(name, Z), rtol=1e-12, atol=1e-12)


def test_softmax_rows_are_probabilities_and_shift_invariant():
    sm = activations.get("softmax")
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    y = sm.forward(z)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    np.testing.assert_allclose(y[0], y[1])  # no overflow at 1000
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(y[0], e / e.sum())


@pytest.mark.parametrize("name", ["logistic", "tanh", "softplus", "elu", "gelu", "softmax"])
def test_extreme_inputs_stay_finite_in_float32(name):
    act = activations.get(name)
    z = np.array([[-1e4, -100.0, 100.0, 1e4]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise"):
        y = act.forward(z.copy())
        g = act.backward(np.ones_like(z), z, y)
    assert y.dtype == np.float32 and np.isfinite(y).all() and np.isfinite(g).all()


def test_threshold_units_pass_gradient_straight_through_by_default():
    # Synaptic's HLIM convention: f'(z) := 1, so a threshold unit can sit in a trained net.
    for name in ("step", "sign", "hard_limit"):
        act = activations.get(name)
        delta = np.array([[0.5, -2.0, 3.0]])
        z = np.array([[-1.0, 0.2, 4.0]])
        np.testing.assert_array_equal(act.backward(delta, z, act.forward(z)), delta)
    exact = activations.Step(gradient="zero")
    assert not exact.backward(np.ones((1, 3)), z, exact.forward(z)).any()


def test_aliases_and_unknown_names():
    assert isinstance(activations.get("sigmoid"), activations.Logistic)
    assert isinstance(activations.get("HLIM"), activations.Step)
    assert isinstance(activations.get(None), activations.Identity)
    with pytest.raises(ValueError, match="unknown activation 'swishy'.*valid names:.*relu"):
        activations.get("swishy")
    with pytest.raises(ValueError, match="gradient convention"):
        activations.Step(gradient="half")


def test_config_round_trip():
    for name in activations.REGISTRY:
        act = activations.get(name)
        assert activations.get(act.get_config()) == act
    assert activations.get({"name": "leaky_relu", "alpha": 0.2}).alpha == 0.2


def test_backward_writes_into_given_buffer():
    act = activations.Tanh()
    z = np.linspace(-1, 1, 6).reshape(2, 3)
    y = act.forward(z)
    out = np.empty_like(z)
    result = act.backward(np.ones_like(z), z, y, out=out)
    assert result is out
    np.testing.assert_allclose(out, 1 - np.tanh(z) ** 2)
