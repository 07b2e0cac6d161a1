"""The example scripts in examples/ run and reach what they claim."""

import runpy

import numpy as np
import pytest
from example_scripts import EXAMPLES, load

SCRIPTS = ("xor", "linear_regression", "meal_price", "multiplication")


@pytest.fixture(scope="module")
def xor():
    return load("xor")


@pytest.fixture(scope="module")
def multiplication():
    return load("multiplication")


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_runs_as_main_and_prints(name, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", [str(EXAMPLES / f"{name}.py")])
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_has_docstring_and_main(name):
    module = load(name)
    assert module.__doc__ and len(module.__doc__) > 200
    assert callable(module.main)


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
    assert all(a > b for a, b in zip(values, values[1:])), values
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
