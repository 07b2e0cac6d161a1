"""Synaptic's learning rule as an option: ``Trainer(network, rule="synaptic")`` trains from the
output error ``t - y`` (no derivative of the output squash; the cost only measures), on NumPy's
path and in the compiled dense epochs alike, and XOR then takes Synaptic's epoch counts."""

import numpy as np
import pytest

import axonal
from axonal import SGD, Dense, Sequential
from axonal.losses import SynapticDelta
from axonal.losses.synaptic import PassThrough, synaptic_output
from axonal.synaptic import Trainer, architect, from_json, to_json
from synaptic_node import requires_synaptic, run_synaptic

XOR_X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float64)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float64)
SEEDS = range(1, 21)
pytestmark = pytest.mark.filterwarnings("ignore::axonal.advice.AxonalWarning")


def _weights(net):
    return {k: np.array(v) for k, v in net.get_weights().items()}


def _trained(make, jit, **options):
    with axonal.jit.using(jit):
        net = make()
        result = Trainer(net, rule="synaptic").xor(seed=3, **options)
    return result, _weights(net)


@pytest.mark.parametrize("kind", ["graph", "sequential"])
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 1e-5)])
def test_compiled_and_numpy_paths_agree(kind, dtype, tol):
    """The online dense kernel (one sample a step, dense_online) against NumPy's Backprop."""
    def make():
        if kind == "graph":
            return architect.Perceptron(2, 3, 1, seed=5, dtype=dtype)
        return Sequential([Dense(3, "tanh", input_dim=2), Dense(1, "logistic")], seed=5, dtype=dtype)

    (numpy_result, numpy_w), (compiled_result, compiled_w) = (_trained(make, jit, iterations=400, error=0)
                                                              for jit in (False, True))
    np.testing.assert_allclose(numpy_result.history.loss, compiled_result.history.loss, rtol=0, atol=tol)
    for name, w in numpy_w.items():
        np.testing.assert_allclose(w, compiled_w[name], rtol=0, atol=tol, err_msg=name)


@pytest.mark.parametrize("ordered", [False, True])
def test_mini_batches_agree_in_the_batch_kernel(ordered):
    """dense_epoch.run_epochs (batches of 2) runs the rule too: δz_L = (ŷ - t)/B, no f' at the output;
    with Synaptic's update order (plain SGD) each δa from the updated weights, δz·W_newᵀ."""
    runs = []
    for jit in (False, True):
        with axonal.jit.using(jit):
            net = Sequential([Dense(4, "tanh", input_dim=2), Dense(3, "identity"), Dense(1, "tanh")], seed=2,
                             dtype="float64")
            opt = SGD(0.3) if ordered else SGD(0.3, momentum=0.5)
            with synaptic_output(net, order=opt if ordered else None):
                history = net.fit(XOR_X, XOR_Y, loss=SynapticDelta("mse"), optimizer=opt, epochs=50, batch_size=2,
                                  progress=False, seed=0)
            runs.append((list(history), _weights(net)))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=0, atol=1e-12)
    for name, w in runs[0][1].items():
        np.testing.assert_allclose(w, runs[1][1][name], rtol=0, atol=1e-12)
    assert net.layers[1]._linear and not isinstance(net.layers[1].activation, PassThrough)   # put back


def test_one_step_is_synaptic_output_error_and_update_order():
    """One sample, by hand: δz_out = y - t (no f'), W2 updated first, then δz_h = (δz_out·W2_newᵀ) ⊙ h(1 - h)
    from the updated weights, as Synaptic's neurons propagate; w -= η·a·δz."""
    net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "tanh")], seed=1, dtype="float64")
    w = _weights(net)
    x, t, rate = np.array([0.3, -0.7]), np.array([0.9]), 0.25
    h = 1 / (1 + np.exp(-(x @ w["layers.0.weight"] + w["layers.0.bias"])))
    y = np.tanh(h @ w["layers.1.weight"] + w["layers.1.bias"])
    d_out = y - t
    w2_new = w["layers.1.weight"] - rate * np.outer(h, d_out)
    d_h = (d_out @ w2_new.T) * h * (1 - h)
    expected = {"layers.1.weight": w2_new,
                "layers.1.bias": w["layers.1.bias"] - rate * d_out,
                "layers.0.weight": w["layers.0.weight"] - rate * np.outer(x, d_h),
                "layers.0.bias": w["layers.0.bias"] - rate * d_h}
    for jit in (False, True):
        with axonal.jit.using(jit):
            again = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "tanh")], seed=1, dtype="float64")
            result = Trainer(again, rule="synaptic").train((x[None], t[None]), rate=rate, iterations=1, error=0)
        for name, value in expected.items():
            np.testing.assert_allclose(_weights(again)[name], value, rtol=0, atol=1e-15, err_msg=name)
        assert result.error == pytest.approx(float(np.mean((y - t) ** 2)), abs=1e-15)   # the cost measures


def test_for_a_logistic_output_it_is_binary_cross_entropy():
    """With one logistic output, δz = σ(z) - t is binary cross-entropy's gradient: without hidden
    layers (where Synaptic's update order changes nothing) the two rules make the same run."""
    x, y = XOR_X, np.array([[0], [1], [1], [1]], dtype=np.float64)     # OR

    def run(rule, cost):
        net = Sequential([Dense(1, "logistic", input_dim=2)], seed=4, dtype="float64")
        result = Trainer(net, rule=rule).train((x, y), rate=0.5, iterations=300, error=0, cost=cost, seed=0,
                                               shuffle=True)
        return result, _weights(net)

    synaptic, synaptic_w = run("synaptic", "cross_entropy")
    axonal_bce, bce_w = run("axonal", "cross_entropy")
    np.testing.assert_allclose(synaptic.history.loss, axonal_bce.history.loss, rtol=1e-7, atol=0)
    for name, w in synaptic_w.items():
        np.testing.assert_allclose(w, bce_w[name], rtol=1e-7, atol=1e-9, err_msg=name)
    # ... while with MSE (the default) the two rules differ: axonal's follows 2(y - t)·f'(z)
    assert abs(run("axonal", "mse")[0].history.loss[-1] - run("synaptic", "mse")[0].history.loss[-1]) > 1e-3


def test_the_trainer_leaves_the_network_as_it_was():
    net = architect.Perceptron(2, 3, 1, seed=0, dtype="float64")
    activation = net.layers[0].steps[-1].activation
    Trainer(net, rule="synaptic").xor(iterations=5, seed=0)
    assert net.layers[0].steps[-1].activation is activation and not isinstance(activation, PassThrough)
    assert net.loss_.name == "mse"
    assert Trainer(net, rule="monner").rule == "axonal"
    with pytest.raises(ValueError, match="rule must be 'axonal'"):
        Trainer(net, rule="Synaptic")


def test_checkpoints_of_a_synaptic_run_resume_bit_for_bit(tmp_path):
    def run(**saving):
        net = architect.Perceptron(2, 3, 1, seed=6, dtype="float64")
        return Trainer(net, rule="synaptic").xor(iterations=40, seed=1, **saving), _weights(net)

    whole, whole_w = run()
    path = tmp_path / "xor.ckpt"
    first = Trainer(architect.Perceptron(2, 3, 1, seed=6, dtype="float64"), rule="synaptic")

    def killed(info):
        if info["iterations"] == 15:
            raise KeyboardInterrupt   # as if the process were stopped there

    with pytest.raises(KeyboardInterrupt):
        first.xor(iterations=40, seed=1, checkpoint=path, schedule={"every": 1, "do": killed})
    resumed, resumed_w = run(checkpoint=path, resume=path)
    assert resumed.history.loss == whole.history.loss
    for name, w in whole_w.items():
        np.testing.assert_array_equal(w, resumed_w[name])


def test_graph_networks_follow_the_rule_everywhere():
    """Feed-forward graphs learn by ``fit`` with the rule; recurrent ones online by LSTM-g's synaptic
    variant; BPTT takes it where the output layer feeds nothing else."""
    lstm = architect.LSTM(2, 2, 1, seed=0, dtype="float64")
    trainer = Trainer(lstm, rule="synaptic")
    trainer.train((XOR_X, XOR_Y), iterations=3, error=0)
    assert trainer._online_learner().rule == "synaptic"
    assert Trainer(architect.LSTM(2, 2, 1, seed=0))._online_learner().rule == "monner"
    bptt = Trainer(architect.LSTM(2, 2, 1, seed=0, dtype="float64"), rule="synaptic")
    result = bptt.train((XOR_X, XOR_Y), iterations=3, error=0, method="bptt")
    assert result.iterations == 3
    fed_back = architect.LSTM(2, 2, 1, seed=0, output_to_hidden=True)
    with pytest.raises(ValueError, match="output layer also feeds"):
        Trainer(fed_back, rule="synaptic").train((XOR_X, XOR_Y), iterations=1, method="bptt")


@requires_synaptic
@pytest.mark.parametrize("sizes", [[2, 3, 1], [3, 4, 3, 2]])
def test_online_steps_give_synaptics_weights(sizes):
    """Synaptic's own network and stream (activate, propagate(rate, target) per sample): the Trainer with
    rule="synaptic" (no shuffling, one epoch over the stream) ends with Synaptic's weights to 1e-12."""
    rng = np.random.default_rng(sum(sizes))
    x, y = rng.uniform(0, 1, (60, sizes[0])), rng.uniform(0, 1, (60, sizes[-1]))
    stream = [{"input": list(a), "target": list(b)} for a, b in zip(x, y)]
    reference = run_synaptic({"op": "run", "arch": "Perceptron", "sizes": sizes, "seed": 7, "rate": 0.3,
                              "stream": stream})
    for jit in (False, True):
        with axonal.jit.using(jit):
            net = from_json(reference["json_before"], return_sequences=False)
            Trainer(net, rule="synaptic").train((x, y), rate=0.3, iterations=1, error=0)
        ours, theirs = to_json(net), reference["json_after"]
        hidden = [i for i, n in enumerate(theirs["neurons"]) if n["layer"] != "input"]
        np.testing.assert_allclose([ours["neurons"][i]["bias"] for i in hidden],
                                   [theirs["neurons"][i]["bias"] for i in hidden], rtol=0, atol=1e-12)
        np.testing.assert_allclose([c["weight"] for c in ours["connections"]],
                                   [c["weight"] for c in theirs["connections"]], rtol=0, atol=1e-12)


@requires_synaptic
@pytest.mark.slow
def test_xor_takes_synaptics_epoch_counts():
    """Synaptic's XOR (Perceptron(2, 3, 1), rate 0.2, error 0.005, MSE, shuffled) from the very weights
    Synaptic starts from, seeds 1..20: the median epoch counts are within 10% of each other."""
    ours, theirs = [], []
    for seed in SEEDS:
        reference = run_synaptic({"op": "trainer", "arch": "Perceptron", "sizes": [2, 3, 1], "seed": seed,
                                  "task": "XOR"})
        theirs.append(reference["result"]["iterations"])
        net = from_json(reference["json_before"], return_sequences=False)
        ours.append(Trainer(net, rule="synaptic").xor(seed=seed).iterations)
    ratio = np.median(ours) / np.median(theirs)
    assert abs(ratio - 1) <= 0.10, (np.median(ours), np.median(theirs), ours, theirs)
