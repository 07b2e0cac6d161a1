"""Activations and losses of your own: registered by name with their derivatives, used in any
layer and graph, saved by name and loaded only where registered (never as code)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import axonal
from axonal import GRU, LSTM, Dense, Sequential, SimpleRNN
from axonal.gradcheck import GradientCheckError, check_activation, check_layer, check_loss
from axonal.graph import Graph, GraphNetwork
from axonal.io import ModelFileError
from axonal.synaptic import Trainer, architect

ROOT = Path(__file__).resolve().parents[1]
# short runs that prove a point, not that they converge: the training advice has nothing to say
pytestmark = pytest.mark.filterwarnings("ignore::axonal.advice.AxonalWarning")
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float64)


def bent(z):
    """The bent identity ``f(z) = (√(z² + 1) - 1)/2 + z``."""
    return (np.sqrt(z * z + 1.0) - 1.0) / 2.0 + z


def bent_slope(z):
    """``f'(z) = z / (2√(z² + 1)) + 1``."""
    return z / (2.0 * np.sqrt(z * z + 1.0)) + 1.0


def quartic(target, output):
    """``ℓ_i = Σ_k (ŷ_ik - t_ik)⁴``."""
    return ((output - target) ** 4).sum(axis=-1)


def quartic_gradient(target, output):
    return 4.0 * (output - target) ** 3


@pytest.fixture
def registered():
    """``bent`` as activation "bent_identity" and ``quartic`` as loss "quartic", removed afterwards."""
    axonal.activations.register("bent_identity", bent, derivative=bent_slope)
    axonal.losses.register("quartic", quartic, gradient=quartic_gradient)
    yield
    axonal.activations.unregister("bent_identity")
    axonal.losses.unregister("quartic")


def test_custom_activation_gradient_matches_finite_differences(registered):
    act = axonal.activations.get("bent_identity")
    z = np.random.default_rng(0).normal(size=(5, 4))
    check_activation(act, z)
    layer = Dense(3, "bent_identity", input_dim=4)
    layer.build((4,), np.random.default_rng(0), np.float64)
    check_layer(layer, z)
    wrong = axonal.activations.register("bent_wrong", bent, derivative=lambda z: np.ones_like(z))
    try:
        with pytest.raises(GradientCheckError):
            check_activation(axonal.activations.get("bent_wrong"), z)
    finally:
        axonal.activations.unregister("bent_wrong")
    assert wrong is bent


def test_custom_loss_gradient_matches_finite_differences(registered):
    rng = np.random.default_rng(1)
    check_loss(axonal.losses.get("quartic"), rng.normal(size=(6, 3)), rng.normal(size=(6, 3)),
               sample_weight=rng.uniform(0.5, 2.0, 6))


def test_registration_rules():
    with pytest.raises(ValueError, match="built-in"):
        axonal.activations.register("ReLU", bent, derivative=bent_slope)
    with pytest.raises(ValueError, match="built-in"):
        axonal.activations.register("sigmoid", bent, derivative=bent_slope)      # an alias
    with pytest.raises(ValueError, match="not allowed"):
        axonal.activations.register("x\nimport os", bent, derivative=bent_slope)
    with pytest.raises(TypeError, match="derivative"):
        axonal.activations.register("bent_x", bent, derivative=None)
    with pytest.raises(ValueError, match="built-in"):
        axonal.losses.register("mse", quartic, gradient=quartic_gradient)
    axonal.activations.register("Bent-X", bent, derivative=bent_slope)
    try:
        assert axonal.activations.get("bent_x").name == "bent_x"        # folded as every name is
        with pytest.raises(ValueError, match="replace=True"):
            axonal.activations.register("bent_x", bent, derivative=bent_slope)
        axonal.activations.register("bent_x", np.tanh, derivative=lambda z: 1 - np.tanh(z) ** 2, replace=True)
        assert axonal.activations.get("bent_x")(np.array([1.0]))[0] == np.tanh(1.0)
    finally:
        axonal.activations.unregister("bent_x")
    with pytest.raises(ValueError, match="unknown activation 'bent_x' \\(one of your own"):
        axonal.activations.get("bent_x")
    with pytest.raises(ValueError, match="no activation of your own"):
        axonal.activations.unregister("relu")


def test_a_function_that_is_not_elementwise_is_named():
    axonal.activations.register("row_sum", lambda z: z.sum(axis=-1), derivative=np.ones_like)
    try:
        with pytest.raises(ValueError, match="'row_sum'.*elementwise"):
            Sequential([Dense(2, "row_sum", input_dim=3)], seed=0).predict(np.ones((4, 3)))
    finally:
        axonal.activations.unregister("row_sum")


@pytest.mark.parametrize("recurrent", ["simple_rnn", "lstm", "gru"])
def test_recurrent_networks_take_a_custom_activation(registered, recurrent):
    """SimpleRNN's own activation may be yours (LSTM and GRU have fixed gates); a Dense on top too."""
    x = np.random.default_rng(2).uniform(-1, 1, (8, 5, 2))
    y = x.sum(axis=(1, 2))[:, None] / 5
    first = {"simple_rnn": SimpleRNN(3, activation="bent_identity"), "lstm": LSTM(3), "gru": GRU(3)}[recurrent]
    net = Sequential([first, Dense(1, "bent_identity")], input_dim=2, seed=0, dtype="float64")
    net.build((5, 2))
    if recurrent == "simple_rnn":
        assert isinstance(net.layers[0].activation, axonal.activations.CustomActivation)
        check_layer(net.layers[0], x)
    check_layer(net.layers[1], np.random.default_rng(3).normal(size=(4, 3)))
    before = net.evaluate(x, y, loss="mse")
    net.fit(x, y, loss="mse", optimizer=axonal.Adam(0.02), epochs=30, batch_size=8, progress=False)
    assert net.evaluate(x, y, loss="mse") < before


def _graph_net():
    g = Graph()
    x, h, y = g.layer("x", 2), g.layer("h", 4, "bent_identity"), g.layer("y", 1, "bent_identity")
    x.project(h)
    h.project(h)
    h.project(y)
    return GraphNetwork(g, return_sequences=False, seed=0, dtype="float64")


def test_graph_layers_take_a_custom_activation_compiled_or_not(registered):
    """Graph layers accept the name; BPTT, activate and LSTM-g run (on NumPy's path: no kernel
    can call Python), with the same results whether compiled paths are on or off."""
    xs = np.random.default_rng(3).uniform(-0.5, 0.5, (16, 4, 2))
    ys = xs.sum(axis=(1, 2))[:, None] / 4
    results = []
    for jit in (False, True):
        with axonal.jit.using(jit):
            net = _graph_net()
            history = net.fit(xs, ys, loss="mse", optimizer="sgd", epochs=5, batch_size=1, progress=False)
            steps = [float(net.activate(x)[0]) for x in xs[0]]
            learner = net.online(learning_rate=0.1)
            online = [float(learner.step(x, target=[0.1])[0]) for x in xs[1]]
        results.append((list(history), steps, online))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=0, atol=1e-12)
    assert results[0][0][-1] < results[0][0][0]


def test_dense_online_with_a_custom_activation_takes_the_numpy_path(registered):
    runs = []
    for jit in (False, True):
        with axonal.jit.using(jit):
            net = Sequential([Dense(3, "bent_identity", input_dim=2), Dense(1, "logistic")], seed=0,
                             dtype="float64")
            history = net.fit(XOR_X, XOR_Y, loss="mse", optimizer=axonal.SGD(0.5), epochs=20, batch_size=1,
                              progress=False, seed=0)
        runs.append((list(history), net.get_weights()))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=0, atol=1e-12)
    for name, w in runs[0][1].items():
        np.testing.assert_allclose(w, runs[1][1][name], rtol=0, atol=1e-12)


_LOAD_SCRIPT = """
import sys
import numpy as np
import axonal
if sys.argv[2] == "register":
    axonal.activations.register("bent_identity", lambda z: (np.sqrt(z * z + 1.0) - 1.0) / 2.0 + z,
                                derivative=lambda z: z / (2.0 * np.sqrt(z * z + 1.0)) + 1.0)
    axonal.losses.register("quartic", lambda t, y: ((y - t) ** 4).sum(axis=-1),
                           gradient=lambda t, y: 4.0 * (y - t) ** 3)
try:
    net = axonal.load(sys.argv[1])
except axonal.io.ModelFileError as exc:
    print("ModelFileError:", exc)
else:
    print("loaded", repr(float(net.predict(np.array([[0.25, -0.5]]))[0, 0])), net.loss_.name)
"""


def _load_elsewhere(path, mode):
    env = dict(os.environ, PYTHONPATH=str(ROOT), AXONAL_JIT="0")
    proc = subprocess.run([sys.executable, "-c", _LOAD_SCRIPT, str(path), mode], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_a_saved_model_names_the_function_and_loads_only_where_registered(registered, tmp_path):
    net = Sequential([Dense(3, "bent_identity", input_dim=2), Dense(1, "bent_identity")], seed=0,
                     dtype="float64", loss="quartic")
    net.fit(XOR_X, XOR_Y, epochs=3, batch_size=1, progress=False)
    path = tmp_path / "bent.axonal"
    axonal.save(net, path)
    assert b"bent_identity" in path.read_bytes() and b"quartic" in path.read_bytes()

    missing = _load_elsewhere(path, "bare")
    assert missing.startswith("ModelFileError:")
    assert "bent_identity" in missing and "axonal.activations.register" in missing

    loaded = _load_elsewhere(path, "register")
    expected = float(net.predict(np.array([[0.25, -0.5]]))[0, 0])
    assert loaded == f"loaded {expected!r} quartic"

    same = axonal.load(path)        # this process has both registered
    assert same.loss_.name == "quartic"
    np.testing.assert_array_equal(same.predict(XOR_X), net.predict(XOR_X))


def test_a_missing_loss_is_named_too(tmp_path, registered):
    net = Sequential([Dense(1, "logistic", input_dim=2)], seed=0, loss="quartic")
    net.build((2,))
    path = tmp_path / "loss.axonal"
    axonal.save(net, path)
    axonal.losses.unregister("quartic")
    try:
        with pytest.raises(ModelFileError, match="unknown loss 'quartic'.*axonal.losses.register"):
            axonal.load(path)
    finally:
        axonal.losses.register("quartic", quartic, gradient=quartic_gradient)


def test_fit_takes_a_registered_cost_function_and_explains_a_plain_one(registered):
    runs = []
    for loss in ("quartic", quartic):
        net = Sequential([Dense(4, "tanh", input_dim=2), Dense(1, "logistic")], seed=0, dtype="float64")
        runs.append(list(net.fit(XOR_X, XOR_Y, loss=loss, optimizer=axonal.SGD(1.0), epochs=30, batch_size=1,
                                 progress=False, seed=0)))
    assert runs[0] == runs[1] and runs[0][-1] < runs[0][0]

    def unregistered(target, output):
        return float(np.mean((target - output) ** 2))

    net = Sequential([Dense(1, "logistic", input_dim=2)], seed=0)
    with pytest.raises(ValueError, match="'unregistered' is not a registered loss.*gradient.*axonal.losses.register"):
        net.fit(XOR_X, XOR_Y, loss=unregistered, epochs=1, progress=False)
    axonal.losses.register("mse_no_gradient", unregistered)
    try:
        with pytest.raises(ValueError, match="no gradient"):
            net.fit(XOR_X, XOR_Y, loss="mse_no_gradient", epochs=1, progress=False)
    finally:
        axonal.losses.unregister("mse_no_gradient")


def test_a_per_sample_cost_is_called_row_by_row():
    """Synaptic's costs are written for one sample and return a number: each row is measured alone."""
    def sample_cost(target, output):
        return float(np.mean((target - output) ** 2))

    loss = axonal.losses.lookup.measuring(sample_cost)
    y, t = np.array([[0.2, 0.4], [1.0, 0.0]]), np.array([[0.0, 0.0], [1.0, 1.0]])
    assert loss.value(y, t) == pytest.approx(axonal.losses.get("mse").value(y, t), abs=1e-15)
    with pytest.raises(ValueError, match="not registered"):
        loss.get_config()


def test_trainer_takes_custom_functions(registered):
    net = architect.Perceptron(2, 3, 1, activation="bent_identity", output_activation="logistic", seed=0,
                               dtype="float64")
    trained = Trainer(net, cost="quartic").train((XOR_X, XOR_Y), rate=0.5, iterations=50, error=0)
    assert trained.iterations == 50

    def sample_cost(target, output):
        return float(np.sum((target - output) ** 2))

    with pytest.raises(ValueError, match="rule='synaptic'"):
        Trainer(net, cost=sample_cost)
    result = Trainer(net, rule="synaptic").xor(cost=sample_cost, iterations=30, seed=0)
    assert result.iterations == 30 and np.isfinite(result.error)
    assert net.loss_.name == "quartic"       # an unregistered cost leaves the network's loss as it was
