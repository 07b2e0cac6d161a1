"""Defaults that work on small data: the budget in optimizer updates, early stopping from 2000
samples, output layers that start at chance, a single-layer classifier at logistic regression's
accuracy, and a default run that warns nothing."""

import math
import statistics
import warnings

import numpy as np
import pytest

import axonal
from axonal.advice import AxonalWarning
from axonal.cli import main
from axonal.cli.options import adapt_to_data
from axonal.cli.parser import DEFAULTS
from axonal.training.fit import budget_epochs

sklearn = pytest.importorskip("sklearn")


def test_the_budget_counts_optimizer_updates():
    assert budget_epochs(1437, 32) == 80            # the digits: 45 batches × 80 epochs = 3600 updates
    assert budget_epochs(120, 32) == 900            # iris' training part: 4 batches a epoch
    assert budget_epochs(10, None) == 2000          # at most 2000 epochs
    assert budget_epochs(100_000, 32) == 20         # at least 20
    assert budget_epochs(120, 200, most=500) == 500


def test_the_cli_options_adapt_to_the_data():
    base = dict(DEFAULTS, hidden_sizes=[128, 64])
    digits = adapt_to_data(base, 1437)
    assert (digits["epochs"], digits["learning_rate"], digits["validation_split"], digits["patience"]) == \
        (80, 0.002, None, None)
    single = adapt_to_data(dict(base, hidden_sizes=[]), 120)
    assert (single["epochs"], single["learning_rate"]) == (900, 0.01)
    large = adapt_to_data(base, 4000)                 # 3600 training rows after validation: 113 batches
    assert large["validation_split"] == 0.1 and large["epochs"] == 32 and large["patience"] == 10
    given = adapt_to_data(dict(base, epochs=7, learning_rate=0.5, patience=3), 4000)
    assert (given["epochs"], given["learning_rate"], given["validation_split"], given["patience"]) == (7, 0.5, None, 3)


def _iris_csv(path, x, y):
    header = ",".join([f"x{i}" for i in range(x.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.10g")


def test_a_single_layer_reaches_logistic_regression_accuracy_on_iris(tmp_path, capsys):
    """``axonal train --hidden 0`` within 2 points of LogisticRegression's median over five splits."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    x, y = load_iris(return_X_y=True)
    ours, theirs = [], []
    for seed in range(5):
        x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)
        _iris_csv(tmp_path / "train.csv", x_tr, y_tr)
        model = tmp_path / "m.axonal"
        assert main(["train", "--data", str(tmp_path / "train.csv"), "--target", "y", "--hidden", "0",
                     "--test-size", "0", "--seed", str(seed), "-o", str(model), "--no-plot", "--no-progress"]) == 0
        net = axonal.load(model)
        predicted = np.asarray(net.classes_)[net.predict(x_te.astype(np.float32)).argmax(axis=1)]
        ours.append(float(np.mean(predicted == y_te)))
        theirs.append(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x_tr, y_tr).score(x_te, y_te))
    capsys.readouterr()
    assert statistics.median(ours) >= statistics.median(theirs) - 0.02, (ours, theirs)
    assert min(ours) >= 0.85          # no split left untrained (the old defaults: 20% on one)


def test_a_fresh_cli_classifier_starts_at_chance():
    from axonal.cli.train import _build_network, bundled
    from axonal.data import load_digits
    dataset = bundled("digits")
    x, y = load_digits().as_tuple()
    for hidden in ([128, 64], []):
        net = _build_network(dict(DEFAULTS, hidden_sizes=hidden, scale="standard"), dataset, y)
        axonal.training.batches.adapt_scaling_layers(net, x.astype(np.float32))
        first = net.evaluate(x, y, loss="softmax_cross_entropy")
        first = first["loss"] if isinstance(first, dict) else first
        assert abs(first - math.log(10)) < 0.1, (hidden, first)


def test_a_fresh_estimator_starts_at_chance_and_the_regressor_learns_in_the_targets_units():
    from sklearn.datasets import load_iris
    from axonal.sklearn import NeuralNetClassifier, NeuralNetRegressor
    x, y = load_iris(return_X_y=True)
    still = NeuralNetClassifier(learning_rate=1e-12, epochs=1, random_state=0).fit((x - x.mean(0)) / x.std(0), y)
    assert abs(still.loss_curve_[0] - math.log(3)) < 0.1
    rng = np.random.default_rng(0)
    xr = rng.standard_normal((400, 3))
    yr = 5000.0 + 1000.0 * (xr @ np.array([1.0, -2.0, 0.5]))
    model = NeuralNetRegressor(hidden_layer_sizes=(16,), random_state=0).fit(xr, yr)
    assert model.score(xr, yr) > 0.99
    assert abs(model.loss_curve_[-1]) < 0.01        # the loss of the standardised targets
    warm = NeuralNetRegressor(hidden_layer_sizes=(16,), learning_rate=0.01, random_state=0)
    scores = [warm.partial_fit(xr, yr).score(xr, yr) for _ in range(60)]
    assert scores[-1] > 0.95 and scores[-1] > scores[0]   # partial fits continue in the same units


def test_the_default_job_reaches_97_percent_and_warns_nothing(tmp_path, capsys):
    """The main job (``python3 -m axonal train``) with every AxonalWarning an error."""
    model = tmp_path / "model.axonal"
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxonalWarning)
        assert main(["train", "--no-progress", "--no-plot", "-o", str(model)]) == 0
    out = capsys.readouterr().out
    header = axonal.io.read_header(model)
    assert header["metadata"]["results"]["test_accuracy"] >= 0.97
    assert header["metadata"]["epochs_trained"] == 80 and "trained 80 epochs" in out
