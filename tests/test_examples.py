"""The example scripts in examples/: each runs by the command its docstring gives, against
the installed package, and reaches what it claims; the first four are checked in detail here.

The commands run as the docstrings say, ``python3 examples/NAME.py [ARGS]`` from the
repository root, in child processes side by side (``example_scripts.run_commands``):
the quick ones in the default run, those that train for many seconds marked ``slow``.
"""

import ast
import itertools
import re

import numpy as np
import pytest
from example_scripts import EXAMPLES, NAMES, command, load, run_commands

from axonal.plotting import matplotlib_available


@pytest.fixture(scope="module")
def xor():
    return load("xor")


@pytest.fixture(scope="module")
def multiplication():
    return load("multiplication")


def numbers(pattern, text):
    """The numbers a pattern with one or more groups finds in ``text``, in order."""
    found = re.findall(pattern, text)
    assert found, f"{pattern!r} not in the output:\n{text}"
    return [float(v) for v in (itertools.chain.from_iterable(found) if isinstance(found[0], tuple) else found)]


# -- the commands the docstrings give ------------------------------------------------------
def test_every_script_is_an_example_with_a_command():
    assert len(NAMES) >= 16 and "xor" in NAMES and "vanishing_gradient" in NAMES
    for name in NAMES:
        assert command(name) is not None, f"examples/{name}.py: its docstring names no 'python3 examples/...' command"
        assert command(name)[0] == f"examples/{name}.py", name


def test_the_readme_gives_the_same_commands_as_the_docstrings():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8").replace("\\|", "|")
    rows = {path: re.findall(r"\[([^\]]+)\]", args)
            for path, args in re.findall(r"`python3 (examples/\w+\.py)((?: \[[^\]`]+\])*)`", readme)}
    for name in NAMES:
        path, arguments = command(name)
        if path in rows:
            assert rows[path] == arguments, name
        else:   # the sequence examples share one row and its command
            assert f"[`{name}.py`]" in readme and "`python3 examples/<name>.py`" in readme, name


@pytest.mark.parametrize("name", NAMES)
def test_the_script_imports_axonal_as_installed(name):
    tree = ast.parse((EXAMPLES / f"{name}.py").read_text(encoding="utf-8"))
    touched = [node.lineno for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys"]
    assert not touched, f"examples/{name}.py touches sys.path (line {touched[0]})"
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert "axonal" in imported


def check_xor(out, folder):
    assert "seed 4: converged after" in out
    assert np.round(numbers(r"XOR \d -> ([\d.]+)", out)).tolist() == [0, 1, 1, 0]


def check_linear_regression(out, folder):
    m, b = numbers(r"gradient descent:\s+m = ([-+\d.]+), b = ([-+\d.]+)", out)
    assert abs(m - 2.5) < 1e-3 and abs(b + 1.0) < 1e-3


def check_meal_price(out, folder):
    prices = numbers(r"learned ([\d.]+)\s+true ([\d.]+)", out)
    assert len(prices) == 6
    for learned, true in zip(prices[::2], prices[1::2]):
        assert abs(learned - true) < 1e-2


def check_multiplication(out, folder):
    assert "step neuron: all 8 correct" in out
    errors = dict(zip(*[iter(numbers(r"(?m)^\s+(\d\.\d+)\s+(\d\.\d+e-\d+)", out))] * 2, strict=True))
    assert errors[0.01] < 1e-3 and errors[0.001] < 1e-5


def check_neuron(out, folder):
    right = dict(re.findall(r"(AND|OR|XOR)\s*:.*?(\d)/4 right", out))
    assert right["AND"] == right["OR"] == "4" and int(right["XOR"]) < 4
    hand, by_axonal = numbers(r"= ([\d.]+)\s+\(by hand\)\s+([\d.]+)\s+\(axonal", out)
    assert hand == by_axonal


def check_xor_synaptic(out, folder):
    assert "seed 0: converged" in out
    outputs = numbers(r"-> ([\d.]+)\s+\(target \d; standalone module: ([\d.]+)\)", out)
    assert outputs[::2] == outputs[1::2]                       # the standalone module agrees
    assert np.round(outputs[::2]).tolist() == [0, 1, 1, 0]
    assert "import numpy" not in (folder / "xor.py").read_text(encoding="utf-8")
    assert (folder / "xor.svg").read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))


def check_hopfield_memory(out, folder):
    assert "flipped 20 pixels of 'A' (seed 1)" in out and "'A' restored exactly" in out
    assert ".########." in out and "→" in out                 # the crossbar of the recalled A; the energies
    energies = numbers(r"(-?\d+\.\d)(?= →|\n)", out.split("energy E")[1])
    assert energies == sorted(energies, reverse=True) and energies[-1] < energies[0]


def check_digits(out, folder):
    assert numbers(r"test accuracy ([\d.]+)", out)[0] >= 0.95
    assert len(re.findall(r"^\s+\d: ", out, flags=re.MULTILINE)) == 10   # the confusion matrix's rows


def check_liquid_timing(out, folder):
    (untrained,), (mean,), (trained,) = (numbers(rf"{what}\s+([\d.]+)", out)
                                          for what in ("untrained liquid", "predicting the mean", "readout trained"))
    assert trained < 0.65 * mean and trained < untrained


def check_dsr(out, folder):
    assert numbers(r"seed 0: ([\d.]+)", out)[0] >= 0.95 and "1 of 1 seeds reach 95%" in out
    assert re.search(r"wanted +(.*)\n", out).group(1) == re.search(r"recalled +(.*)\n", out).group(1)


def check_dsr_architect(out, folder):
    assert "learned by bptt" in out and "(solved: goal 95%)" in out
    steps = re.findall(r"output (\S+)\s+\(target (\S+)\)", out)
    assert len(steps) == 9 and all(said == wanted for said, wanted in steps)


def check_sequence_classification(out, folder):
    assert "(seed 0)" in out and numbers(r"fresh sequences: ([\d.]+)", out)[0] >= 0.95


def check_sequence_tagging(out, folder):
    assert numbers(r"test: ([\d.]+) of \d+ real steps", out)[0] >= 0.99
    assert numbers(r"with mask:\s+([\d.e-]+)", out)[0] < 1e-6
    assert re.search(r"parity +(\d+)", out).group(1) == re.search(r"tags +(\d+)", out).group(1)


def check_plot_line(out, path):
    if matplotlib_available():
        assert f"plot written to {path}" in out and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "plot: matplotlib is not installed" in out and not path.exists()


def check_sine_forecasting(out, folder):
    forecast = numbers(r"10 values fed back per round:\s+([\d.]+)", out)[0]
    zero = numbers(r"always predicting 0:\s+([\d.]+)", out)[0]
    assert forecast < 0.05 and forecast < zero / 10
    check_plot_line(out, folder / "forecast.png")


def check_text_generation(out, folder):
    uniform, unigram = numbers(r"uniformly ([\d.]+); knowing only character frequencies ([\d.]+)", out)
    _, train, held_out = numbers(r"(?m)^\s+(1)\s+([\d.]+)\s+([\d.]+)$", out)
    assert train < uniform and held_out < unigram < uniform
    assert "--- temperature 0.5: 'Shall I compare thee' + 200 characters ---" in out
    assert "--- temperature 1: " in out


def check_synaptic_objects(out, folder):
    answer = numbers(r"B answers ([\d.]+) to A = 1", out)[0]
    assert answer < 0.001 and "\nsolved" in out


def check_vanishing_gradient(out, folder):
    lstm, rnn = numbers(r"final test MSE: LSTM ([\d.]+), SimpleRNN ([\d.]+)", out)
    assert lstm < 0.01 and rnn > 0.1
    check_plot_line(out, folder / "curves.png")


QUICK = {"xor": ["4"], "linear_regression": [], "meal_price": [], "multiplication": [],
         "hopfield_memory": ["1", "20"]}
SLOW = {"neuron": [], "xor_synaptic": ["0", "{folder}"], "synaptic_objects": ["0"], "digits": [], "liquid_timing": [], "dsr": ["1"], "dsr_architect": ["bptt"], "sequence_classification": ["0"],
        "sequence_tagging": ["0"], "sine_forecasting": ["{folder}/forecast.png"], "text_generation": ["1"],
        "vanishing_gradient": ["{folder}/curves.png"]}


def run_all(commands, folder):
    return run_commands({name: [a.format(folder=folder) for a in args] for name, args in commands.items()})


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quick")
    return run_all(QUICK, folder), folder


@pytest.fixture(scope="module")
def slow_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slow")
    return run_all(SLOW, folder), folder


def test_every_script_is_run_by_its_command():
    assert set(QUICK) | set(SLOW) == set(NAMES) and not set(QUICK) & set(SLOW)
    for name, args in {**QUICK, **SLOW}.items():
        assert len(args) <= len(command(name)[1]), f"{name}: more arguments than its docstring's command takes"


def check_run(name, runs):
    done, folder = runs
    result = done[name]
    assert result.returncode == 0, f"python3 examples/{name}.py failed:\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) >= 5
    globals()[f"check_{name}"](result.stdout, folder)


@pytest.mark.parametrize("name", QUICK)
def test_the_command_runs_the_script_to_its_promised_outcome(name, quick_runs):
    check_run(name, quick_runs)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_the_command_runs_the_training_script_to_its_promised_outcome(name, slow_runs):
    check_run(name, slow_runs)


# -- XOR ---------------------------------------------------------------------------------
def test_xor_default_seed_converges(xor):
    result = xor.main()
    assert result["converged"]
    assert 0 < result["epochs"] < xor.MAX_EPOCHS
    assert result["mse"] < 0.005
    outputs = np.array(result["outputs"])
    np.testing.assert_array_equal(np.round(outputs), [0, 1, 1, 0])
    # MSE < 0.005 keeps every output within √(4·0.005) ≈ 0.14 of its target
    assert np.max(np.abs(outputs - np.array(result["targets"]))) < np.sqrt(4 * 0.005)


@pytest.mark.slow
def test_xor_converges_for_at_least_19_of_20_seeds(xor):
    results = [xor.main(seed) for seed in range(20)]
    converged = [r["seed"] for r in results if r["converged"] and r["mse"] < 0.005]
    assert len(converged) >= 19, f"only seeds {converged} converged"


def test_xor_seed_changes_the_run(xor):
    a, b = xor.main(0), xor.main(1)
    assert a["outputs"] != b["outputs"]
    assert xor.main(0) == a  # same seed, same run


# -- linear regression -------------------------------------------------------------------
def test_linear_regression_recovers_slope_and_intercept():
    module = load("linear_regression")
    result = module.main()
    assert result["noise"] == 0.0
    assert abs(result["m"] - 2.5) < 1e-3
    assert abs(result["b"] - (-1.0)) < 1e-3
    # it really learned: the starting point was far away
    assert abs(result["start_m"] - 2.5) > 0.5
    assert result["mse"] < 1e-9


def test_linear_regression_other_line_and_noise():
    module = load("linear_regression")
    result = module.main(m=-0.75, b=0.3)
    assert abs(result["m"] + 0.75) < 1e-3 and abs(result["b"] - 0.3) < 1e-3
    noisy = module.main(noise=0.1)
    # with noise the descent reaches the least-squares line, near but not at the truth
    assert abs(noisy["m"] - noisy["least_squares_m"]) < 1e-3
    assert abs(noisy["b"] - noisy["least_squares_b"]) < 1e-3
    assert abs(noisy["m"] - 2.5) < 0.1 and abs(noisy["b"] + 1.0) < 0.1


# -- meal price --------------------------------------------------------------------------
def test_meal_price_recovers_the_prices():
    module = load("meal_price")
    result = module.main()
    assert set(result["learned_prices"]) == {"burger", "fries", "soda"}
    for item, price in result["true_prices"].items():
        assert abs(result["learned_prices"][item] - price) < 1e-2, item
    assert result["max_price_error"] < 1e-2
    assert abs(result["example_bill"] - result["example_true_bill"]) < 5e-2


def test_meal_price_other_prices():
    module = load("meal_price")
    result = module.main(prices=(3.25, 1.0, 0.8), seed=1)
    for learned, true in zip(result["learned_prices"].values(), (3.25, 1.0, 0.8)):
        assert abs(learned - true) < 1e-2


# -- multiplication (article 003) -----------------------------------------------------------
def test_softplus_curvature_at_zero_is_a_quarter(multiplication):
    assert multiplication.softplus_second_derivative_at_0() == pytest.approx(0.25, abs=1e-6)


def test_four_neurons_multiply_to_within_1e3(multiplication):
    errors = multiplication.main()["max_error"]
    assert errors[0.01] < 1e-3
    assert errors[0.001] < 1e-5


def test_multiplication_error_shrinks_with_lambda(multiplication):
    errors = multiplication.main()["max_error"]
    lambdas = sorted(errors, reverse=True)
    values = [errors[lam] for lam in lambdas]
    assert all(a > b for a, b in itertools.pairwise(values)), values
    # O(λ²): dividing λ by 10 divides the error by about 100
    assert 80 < errors[0.1] / errors[0.01] < 120
    # and the constant is the one the Taylor expansion predicts: λ²/6 at the corners
    for lam in (0.1, 0.03, 0.01):
        assert errors[lam] == pytest.approx(lam**2 / 6, rel=0.02)


def test_multiplier_network_structure(multiplication):
    lam = 0.05
    net = multiplication.multiplier(lam)
    params = net.parameters()
    np.testing.assert_allclose(params["layers.0.weight"], lam * np.array([[1, -1, 1, -1], [1, -1, -1, 1]]))
    np.testing.assert_allclose(params["layers.1.weight"][:, 0], np.array([1, 1, -1, -1]) / (lam**2))
    assert not params["layers.0.bias"].any() and not params["layers.1.bias"].any()
    x = np.array([[0.3, -0.9], [-1.0, -1.0], [0.0, 0.6]])
    np.testing.assert_allclose(net.predict(x)[:, 0], x[:, 0] * x[:, 1], atol=lam**2 / 5)


def test_single_neuron_multiplies_three_bits(multiplication):
    result = multiplication.main()
    assert len(result["bits"]) == 8 and len({tuple(b) for b in result["bits"]}) == 8
    assert result["step_all_correct"]
    assert result["step_outputs"] == result["bit_products"] == [0, 0, 0, 0, 0, 0, 0, 1]
    assert result["logistic_max_error"] < 1e-3
    np.testing.assert_array_equal(np.round(result["logistic_outputs"]), result["bit_products"])
