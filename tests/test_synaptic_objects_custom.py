"""Synaptic's objects with a squash of your own: an activation registered with
``axonal.register_activation``, set by name or by its function, compiled as graph layers
compile it (the NumPy path: kernels cannot call Python), learning a real task, and the
same numbers whether compiled paths are on or off; what is not registered is refused
with an error naming the neuron or layer and how to register it.
"""

import itertools

import numpy as np
import pytest

import axonal
import axonal.jit
from axonal.synaptic import Layer, Network, Neuron
from axonal.synaptic.json_read import SynapticJSONError
from axonal.synaptic.objects import SQUASH, seed

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def soft_sign(z):
    """``f(z) = z / (1 + |z|)``."""
    return z / (1.0 + np.abs(z))


def soft_sign_derivative(z):
    """``f'(z) = 1 / (1 + |z|)²``."""
    return 1.0 / (1.0 + np.abs(z)) ** 2


def tanh_again(z):
    return np.tanh(z)


@pytest.fixture
def registered():
    """``soft_sign`` and ``tanh_again`` registered for the test, and forgotten after it."""
    axonal.register_activation("soft_sign", soft_sign, derivative=soft_sign_derivative)
    axonal.register_activation("tanh_again", tanh_again, derivative=lambda z: 1.0 - np.tanh(z) ** 2)
    try:
        yield
    finally:
        for name in ("soft_sign", "tanh_again"):
            if name in axonal.activations.REGISTRY.user:
                axonal.activations.unregister(name)


def perceptron(squash, sizes=(2, 4, 1), seed_value=3):
    seed(seed_value)
    layers = [Layer(n) for n in sizes]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    for hidden in layers[1:-1]:
        hidden.set(squash=squash)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1])


def train_xor(net, epochs, rate=0.3):
    for _ in range(epochs):
        for x, t in XOR:
            net.activate(x)
            net.propagate(rate, t)
    return np.array([net.activate(x)[0] for x, _ in XOR])


def mse(outputs):
    return float(np.mean((outputs - np.array([t[0] for _, t in XOR])) ** 2))


def weights(net):
    return np.array([c.weight for layer in net._all_layers() for n in layer.list
                     for c in n.connections["projected"].values()]
                    + [n.bias for layer in net._all_layers()[1:] for n in layer.list])


def test_a_registered_squash_learns_xor_and_agrees_with_the_numpy_path(registered):
    runs = {}
    for jit in (True, False):
        with axonal.jit.using(jit):
            net = perceptron(soft_sign)
            outputs = train_xor(net, 2000)
            runs[jit] = (outputs, weights(net))
    outputs, w = runs[True]
    assert mse(outputs) < 0.01, outputs
    assert [round(float(y)) for y in outputs] == [0, 1, 1, 0]
    np.testing.assert_allclose(outputs, runs[False][0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(w, runs[False][1], rtol=0, atol=1e-12)


def test_the_compiled_network_uses_the_registered_activation(registered):
    net = perceptron("Soft-Sign")                   # by name, folded as activation names are
    hidden = net.layers["hidden"][0]
    assert all(n.squash is hidden.list[0].squash for n in hidden.list)
    assert hidden.list[0].squash.activation is axonal.activations.get("soft_sign")
    layer = net.graph_network.graph_layer
    assert layer.steps[0].activation is axonal.activations.get("soft_sign")
    # one step by hand: y_h = f(W_ih x + b_h), y_o = logistic(W_ho y_h + b_o)
    x = np.array([0.3, -0.7])
    inp, out = net.layers["input"], net.layers["output"]
    w_ih = np.array([[a.connected(b).connection.weight for b in hidden.list] for a in inp.list])
    b_h = np.array([n.bias for n in hidden.list])
    w_ho = np.array([[a.connected(b).connection.weight for b in out.list] for a in hidden.list])
    b_o = np.array([n.bias for n in out.list])
    y_h = soft_sign(x @ w_ih + b_h)
    expected = 1.0 / (1.0 + np.exp(-(y_h @ w_ho + b_o)))
    np.testing.assert_allclose(net.activate(x), expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose([n.activation for n in hidden.list], y_h, rtol=0, atol=1e-14)
    np.testing.assert_allclose([n.derivative for n in hidden.list], soft_sign_derivative(x @ w_ih + b_h),
                               rtol=0, atol=1e-14)


def test_a_registered_squash_matches_the_built_in_one_it_restates(registered):
    """``tanh_again`` is TANH's function registered anew: training with it gives TANH's numbers."""
    with axonal.jit.using(False):
        mine = train_xor(perceptron(tanh_again, seed_value=5), 300)
        theirs = train_xor(perceptron(SQUASH.TANH, seed_value=5), 300)
    np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)


def test_the_squash_is_called_as_synaptic_calls_it(registered):
    n, other = Neuron(), Neuron()
    n.squash = soft_sign
    assert n.squash(0.5) == pytest.approx(soft_sign(0.5), abs=1e-15)
    assert n.squash(-2.0, True) == pytest.approx(soft_sign_derivative(-2.0), abs=1e-15)
    assert isinstance(n.squash(1.0), float)
    other.squash = "SOFT_SIGN"                     # the name and the function give one squash
    assert other.squash is n.squash
    assert repr(n.squash) == "Squash('soft_sign', registered)"


def test_free_neurons_with_a_registered_squash_learn(registered):
    seed(7)
    a, b = Neuron(), Neuron()
    b.squash = soft_sign
    a.project(b)
    for _ in range(500):
        a.activate(1.0)
        b.activate()
        b.propagate(0.3, -0.5)
    a.activate(1.0)
    assert abs(b.activate() + 0.5) < 0.01


def test_json_names_the_registered_squash_and_reads_it_back_while_registered(registered):
    net = perceptron(soft_sign)
    train_xor(net, 50)
    doc = net.to_json()
    assert {n["squash"] for n in doc["neurons"] if n["layer"] == 0} == {"soft_sign"}
    copy = net.clone()
    assert copy.layers["hidden"][0].list[0].squash.activation is axonal.activations.get("soft_sign")
    x = [0.2, 0.9]
    np.testing.assert_allclose(copy.activate(x), net.activate(x), rtol=0, atol=1e-15)
    axonal.activations.unregister("soft_sign")
    with pytest.raises(SynapticJSONError, match=r"neuron 2 has squash 'soft_sign'.*register_activation"):
        Network.from_json(doc)


def test_an_unregistered_function_is_refused_naming_the_neuron_and_the_fix():
    def my_squash(z):
        return z

    n = Neuron()
    with pytest.raises(ValueError, match=rf"neuron {n.ID}: the function .*my_squash.* is not a registered "
                                         r"activation.*axonal.register_activation\('my_squash', my_squash, "
                                         r"derivative="):
        n.squash = my_squash
    assert n.squash is SQUASH.LOGISTIC
    layer = Layer(3)
    first, last = layer.list[0].ID, layer.list[-1].ID
    with pytest.raises(ValueError, match=rf"Layer.set: the layer of 3 neurons \(IDs {first}–{last}\): the "
                                         r"function .* is not a registered activation"):
        layer.set(squash=np.sin)
    with pytest.raises(ValueError, match=rf"neuron {n.ID}: squash must be one of Synaptic's.*register_activation"):
        n.squash = "no_such_squash"


def test_a_squash_replaced_or_unregistered_after_it_was_set_is_named_when_compiling(registered):
    net = perceptron(soft_sign)
    hidden = net.layers["hidden"][0]
    net.activate([0, 1])
    axonal.register_activation("soft_sign", np.tanh, derivative=lambda z: 1.0 - np.tanh(z) ** 2, replace=True)
    hidden.list[0].project(hidden.list[1])           # a change of structure: the next step compiles again
    with pytest.raises(ValueError, match=rf"neuron {hidden.list[0].ID}: its squash 'soft_sign' is no longer "
                                         r"the activation registered"):
        net.activate([0, 1])
    hidden.set(squash="soft_sign")                    # set again: the new registration
    assert np.all(np.isfinite(net.activate([0, 1])))
