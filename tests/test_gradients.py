"""Every registered activation, loss and layer passes a float64 finite-difference check."""

import numpy as np
import pytest

from axonal import activations, layers, losses
from axonal.gradcheck import GradientCheckError, check_activation, check_layer, check_loss

from cases import activation_cases, layer_cases, loss_cases

ACTIVATIONS = activation_cases()
LOSSES = loss_cases()
LAYERS = layer_cases()


def test_every_registered_component_has_a_case():
    assert set(activations.REGISTRY) <= set(ACTIVATIONS), "activation without a gradient-check case"
    assert set(losses.REGISTRY) <= set(LOSSES), "loss without a gradient-check case"
    assert set(layers.REGISTRY) | {"Sequential", "GraphLayer"} <= set(LAYERS), "layer without a gradient-check case"


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient(name):
    activation, z = ACTIVATIONS[name]
    check_activation(activation, z)


@pytest.mark.parametrize("name,index", [(n, i) for n in sorted(LOSSES) for i in range(len(LOSSES[n]))])
def test_loss_gradient(name, index):
    loss, y_pred, y_true, weight = LOSSES[name][index]
    check_loss(loss, y_pred, y_true, sample_weight=weight)


@pytest.mark.parametrize("name,index", [(n, i) for n in sorted(LAYERS) for i in range(len(LAYERS[n]))])
def test_layer_gradient(name, index):
    label, layer, x, before = LAYERS[name][index]
    checked = check_layer(layer, x, before_forward=before)
    expected = {n for n, *_ in layer.named_parameters()}
    assert set(checked) == expected | {"input"}


def test_check_detects_a_wrong_derivative():
    class BrokenTanh(activations.Tanh):
        def backward(self, grad_y, z, y, out=None):
            return grad_y * (1 - y)  # wrong: should be 1 - y²

    with pytest.raises(GradientCheckError, match="mismatch"):
        check_activation(BrokenTanh(), np.linspace(-2, 2, 12).reshape(3, 4))


def test_residual_gradients_accumulate_over_both_paths():
    # y = x + x·A  ⇒  ∂L/∂x = δ·(I + Aᵀ): the skip path and the block path add up.
    block = layers.Dense(3, use_bias=False)
    res = layers.Residual(block)
    res.build((3,), np.random.default_rng(0), np.float64)
    a = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5], [1.0, 0.25, 0.0]])
    block.params["weight"][...] = a
    x = np.random.default_rng(1).standard_normal((2, 3))
    delta = np.random.default_rng(2).standard_normal((2, 3))
    np.testing.assert_allclose(res.forward(x, training=True), x + x @ a)
    grad_x = res.backward(delta)
    np.testing.assert_allclose(grad_x, delta @ (np.eye(3) + a.T))
    np.testing.assert_allclose(block.grads["weight"], x.T @ delta)
