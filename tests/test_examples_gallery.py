"""The gallery in examples/README.md: every example reaches the outcome it claims.

Each example's ``main()`` runs once per module (fixed seeds, reproducible) and its
outcome is checked against fixed bounds; DSR by ``architect.LSTM`` is learned once per
session by the fixtures of tests/conftest.py, and the liquid's readout is fitted once
per module, all of them marked ``slow``. tests/test_examples.py runs every script by
its command.
"""

import re

import numpy as np
import pytest
from example_scripts import EXAMPLES, load, run

GALLERY = ("neuron", "xor_synaptic", "multiplication", "digits", "dsr_architect", "hopfield_memory",
           "liquid_timing")


@pytest.fixture(scope="module")
def neuron():
    return run("neuron")


@pytest.fixture(scope="module")
def xor():
    return run("xor_synaptic")


@pytest.fixture(scope="module")
def digits():
    return run("digits")


@pytest.fixture(scope="module")
def liquid():
    return run("liquid_timing")


# -- the gallery as a whole -------------------------------------------------------------------
def test_readme_lists_every_gallery_example_with_its_command():
    readme = (EXAMPLES / "README.md").read_text()
    for name in GALLERY:
        assert f"({name}.py)" in readme, name
        assert f"python3 examples/{name}.py" in readme, name
    # and every script in the folder is mentioned somewhere
    for path in EXAMPLES.glob("*.py"):
        assert path.name in readme, path.name
    assert "axonal plot" in readme


# -- 1. one neuron --------------------------------------------------------------------------------
def test_neuron_by_hand_equals_axonal(neuron):
    module, r = neuron
    # s = 0.8·1 - 0.4·0.5 + 0.3·(-2) + 0.1 = 0.1, computed independently here
    assert r["hand_state"] == pytest.approx(0.1, abs=1e-12)
    assert r["hand_output"] == pytest.approx(1 / (1 + np.exp(-0.1)), abs=1e-12)
    assert abs(r["axonal_output"] - r["hand_output"]) < 1e-12
    # a second, different neuron agrees too (not just the default numbers)
    state, out = module.by_hand((2.0, -1.0), (0.5, 1.5), -0.25)
    assert state == pytest.approx(-0.75)
    net = module.neuron(2, (0.5, 1.5), -0.25)
    assert float(net.predict(np.array([[2.0, -1.0]]))[0, 0]) == pytest.approx(out, abs=1e-12)


def test_one_neuron_learns_and_and_or_but_not_xor(neuron):
    _, r = neuron
    for name in ("AND", "OR"):
        t = r["trained"][name]
        assert t["correct"] == 4, name
        assert t["mse"] < 1e-3, name
        assert t["cross_entropy"] < 0.02, name
    # the learned line: AND needs a bias below -w (one input is not enough), OR above -w
    and_, or_ = r["trained"]["AND"], r["trained"]["OR"]
    assert and_["bias"] < -max(and_["weights"]) and or_["bias"] > -min(or_["weights"])
    assert r["trained"]["XOR"]["correct"] < 4
    assert r["trained"]["XOR"]["mse"] > 0.2


# -- 2. XOR, Synaptic style ---------------------------------------------------------------------------
def test_xor_perceptron_and_trainer_solve_xor(xor):
    _, r = xor
    assert r["converged"] and r["error"] <= 0.005
    assert r["iterations"] < 5000
    outputs = np.array(r["outputs"])
    assert (outputs[[0, 3]] < 0.5).all() and (outputs[[1, 2]] > 0.5).all()
    assert np.max(np.abs(outputs - np.array(r["targets"]))) < 0.15


def test_xor_exports_agree_with_the_network(xor, tmp_path):
    module, r = xor
    np.testing.assert_allclose(r["standalone_outputs"], r["outputs"], atol=1e-6)
    assert r["svg_bytes"] > 500
    again = module.main(folder=str(tmp_path))
    assert again["outputs"] == r["outputs"]          # seeded: the same run
    assert (tmp_path / "xor.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    assert "import numpy" not in (tmp_path / "xor.py").read_text()


# -- 3. the four-neuron multiplier -------------------------------------------------------------------
def test_four_neurons_multiply():
    module = load("multiplication")
    net = module.multiplier(0.01)
    assert len(net.parameters()["layers.0.bias"]) == 4   # four hidden neurons
    x = np.array([[0.7, -0.4], [0.5, 0.5], [-1.0, -1.0], [0.3, 0.9]])
    np.testing.assert_allclose(net.predict(x)[:, 0], x[:, 0] * x[:, 1], atol=1e-4)
    assert module.max_error(0.01) < 1e-3


# -- 4. digits ------------------------------------------------------------------------------------------
def test_digits_mlp_reaches_95_percent_on_unseen_images(digits):
    _, r = digits
    assert r["test_samples"] >= 350 and r["train_samples"] + r["test_samples"] == 1797
    assert r["test_accuracy"] >= 0.95
    assert r["train_accuracy"] >= r["test_accuracy"] - 0.01
    confusion = np.asarray(r["confusion"])
    assert confusion.sum() == r["test_samples"]
    assert np.trace(confusion) / confusion.sum() == pytest.approx(r["test_accuracy"], abs=1e-9)


# -- 5. DSR by Architect.LSTM -------------------------------------------------------------------------
@pytest.mark.slow
def test_dsr_architect_lstm_recalls_95_percent_of_fresh_sequences(dsr_graph_bptt):
    _, r = dsr_graph_bptt
    assert r["scores"][0] < 0.5                      # it starts unable to do it
    assert r["solved"] and r["fully_right"] >= 0.95
    assert r["passes"] <= 40
    assert r["example_outputs"] == r["example_targets"] or r["fully_right"] < 1.0


@pytest.mark.slow
def test_dsr_architect_lstm_by_lstm_g_online(dsr_graph_lstm_g):
    _, r = dsr_graph_lstm_g
    assert r["scores"][0] < 0.5 and r["solved"] and r["fully_right"] >= 0.95


def test_dsr_unknown_method_is_refused():
    module = load("dsr_architect")
    with pytest.raises(ValueError, match="bptt"):
        module.main("rmsprop")


# -- 6. Hopfield (its own test file checks the recall) ---------------------------------------------
def test_hopfield_example_is_in_the_gallery():
    assert "hopfield_memory.py" in (EXAMPLES / "README.md").read_text()
    assert callable(load("hopfield_memory").main)


# -- 7. Liquid on the timing task ---------------------------------------------------------------------
@pytest.mark.slow
def test_liquid_beats_predicting_the_mean_clearly(liquid):
    _, r = liquid
    assert 0.055 < r["baseline_mse"] < 0.07              # the task's trivial bar (about 0.062)
    assert r["test_mse"] < 0.65 * r["baseline_mse"]      # at least 35 % better on fresh streams
    assert r["test_mse"] < r["untrained_mse"]
    assert r["test_mse"] < 1.2 * r["train_mse"]          # the readout generalises


def test_liquid_readout_is_the_only_part_trained():
    module = load("liquid_timing")
    net = module.liquid(0)
    before = net.get_weights()
    x, y = module.timing_task(8, length=100, seed=5)
    module.fit_readout(net, x, y)
    after = net.get_weights()
    changed = {k for k in before if not np.array_equal(before[k], after[k])}
    assert changed == {"pool_to_output.weight", "output.bias"}


@pytest.mark.slow
def test_readme_numbers_match_the_runs(digits, liquid):
    readme = (EXAMPLES / "README.md").read_text()
    claimed = float(re.search(r"about ([\d.]+) against", readme).group(1))
    assert abs(claimed - liquid[1]["test_mse"]) < 0.005
    assert abs(0.97 - digits[1]["test_accuracy"]) < 0.02


# -- Synaptic's objects: the article's neuron and the hand-built XOR network --------------------------------
def test_synaptic_objects_neuron_and_layers_learn_what_they_are_taught():
    from axonal.synaptic.objects import seed
    module = load("synaptic_objects")
    seed(0)
    assert module.neuron_example(2000) < 0.01             # B learnt to answer 0 to A = 1
    outputs = module.xor_example(3000)
    assert [round(y) for y in outputs] == [0, 1, 1, 0] and max(abs(y - t) for y, t in zip(outputs, [0, 1, 1, 0])) < 0.05
    seed(0)
    assert module.neuron_example(2000) < 0.01 and module.xor_example(3000) == outputs   # seeded: the same run


@pytest.mark.slow
def test_synaptic_objects_example_as_run(capsys):
    _, r = run("synaptic_objects")
    outputs, targets = np.array(r["xor_outputs"]), np.array(r["xor_targets"])
    assert r["neuron_output"] < 0.001 and r["solved"] and np.max(np.abs(outputs - targets)) < 0.01
    assert "solved" in capsys.readouterr().out
