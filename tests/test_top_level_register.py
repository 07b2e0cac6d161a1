"""``axonal.register_activation`` and ``axonal.register_loss``: the registries' own functions at the
top level, a name registered through them working wherever a name does, and ``import axonal``
still light (no Numba)."""

import subprocess
import sys

import numpy as np
import pytest

import axonal


def test_they_are_the_registries_functions():
    assert axonal.register_activation is axonal.activations.register
    assert axonal.register_loss is axonal.losses.register
    assert {"register_activation", "register_loss"} <= set(axonal.__all__)


@pytest.fixture
def restated():
    """``tanh`` and ``mse`` registered anew through the top-level functions, forgotten after the test."""
    axonal.register_activation("top_tanh", np.tanh, derivative=lambda z: 1.0 - np.tanh(z) ** 2)
    axonal.register_loss("top_mse", lambda t, y: np.mean((y - t) ** 2, axis=1),
                         gradient=lambda t, y: 2.0 * (y - t) / y.shape[1])
    try:
        yield
    finally:
        axonal.activations.unregister("top_tanh")
        axonal.losses.unregister("top_mse")


def test_names_registered_at_the_top_level_train_as_the_built_in_ones_they_restate(restated):
    """tanh and mse restated: the same float64 run, loss for loss, as with the built-in names; it learns."""
    rng = np.random.default_rng(0)
    out, target = rng.normal(size=(16, 3)), rng.normal(size=(16, 3))
    mine, builtin = axonal.losses.get("top_mse"), axonal.losses.get("mse")
    np.testing.assert_allclose(mine.value(out, target), builtin.value(out, target), rtol=0, atol=1e-12)
    np.testing.assert_allclose(mine.grad(out, target), builtin.grad(out, target), rtol=0, atol=1e-12)
    x = rng.uniform(-1, 1, (64, 2))
    y = np.sin(2 * x[:, :1]) * x[:, 1:]
    runs = []
    for activation, loss in (("top_tanh", "top_mse"), ("tanh", "mse")):
        net = axonal.Sequential([axonal.Dense(8, activation, input_dim=2), axonal.Dense(1)], seed=4,
                                dtype="float64")
        with axonal.jit.using(False):
            history = net.fit(x, y, loss=loss, optimizer=axonal.Adam(learning_rate=0.02), epochs=150,
                              batch_size=16, seed=1)
        runs.append(np.array(history.loss))
    np.testing.assert_allclose(runs[0], runs[1], rtol=0, atol=1e-12)
    assert runs[0][-1] < 0.01 * runs[0][0]


def test_import_axonal_stays_without_numba():
    code = "import sys, axonal; axonal.register_activation, axonal.register_loss; print('numba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
