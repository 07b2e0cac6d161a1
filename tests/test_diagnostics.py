"""fit's diagnostics: each failure the articles teach gives its warning, once, with the fix; a
well-conditioned run gives none; the probe changes nothing the run learns; History keeps the
per-layer gradient norms; axonal.diagnose and `axonal diagnose` report the same findings."""

import math
import warnings

import numpy as np
import pytest

import axonal
from axonal import SGD, Adam, BatchNorm, Dense, Dropout, Sequential, Standardize
from axonal.advice import AxonalWarning
from axonal.data import load_digits


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits().as_tuple()
    return x[:600].astype(np.float32), y[:600]


def axonal_warnings(fn):
    """The AxonalWarning messages ``fn()`` raises (every one, none filtered out)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return [str(w.message) for w in caught if issubclass(w.category, AxonalWarning)], result


def small_net(seed=0, **kw):
    return Sequential([Standardize(), Dense(32, "relu"), Dense(10, **kw)], input_dim=64, seed=seed)


def test_a_well_conditioned_run_warns_nothing(digits):
    x, y = digits
    messages, history = axonal_warnings(lambda: small_net().fit(
        x, y, loss="softmax_cross_entropy", optimizer="adam", epochs=20, progress=False))
    assert messages == []
    assert history[-1] < 0.2 * history[0]


def test_a_deep_logistic_network_warns_of_the_vanishing_gradient(digits):
    x, y = digits
    net = Sequential([Standardize()] + [Dense(16, "logistic") for _ in range(12)] + [Dense(10)], input_dim=64, seed=0)
    messages, history = axonal_warnings(lambda: net.fit(x, y, loss="softmax_cross_entropy", optimizer=SGD(0.1),
                                                        epochs=3, progress=False))
    vanishing = [m for m in messages if "vanishing gradient" in m]
    assert len(vanishing) == 1 and "relu" in vanishing[0]        # once, with the fix
    first = history.gradient_norms[0]
    assert first[0] is None and len(first) == len(net.layers)   # Standardize has no weights
    assert first[1] < 1e-4 * first[-1]


def test_unscaled_inputs_warn_and_saturate_logistic_units(digits):
    x, y = digits
    net = Sequential([Dense(32, "logistic"), Dense(10)], input_dim=64, seed=0)
    messages, _ = axonal_warnings(lambda: net.fit(x * 100, y, loss="softmax_cross_entropy", optimizer="adam",
                                                  epochs=2, progress=False))
    assert any("inputs far from unit scale" in m and "Standardize()" in m for m in messages)
    assert any("saturated logistic units" in m for m in messages)


def test_a_learning_rate_100_times_too_high_warns(digits):
    x, y = digits
    messages, _ = axonal_warnings(lambda: small_net().fit(x, y, loss="softmax_cross_entropy", optimizer=Adam(0.2),
                                                          epochs=20, progress=False))
    assert any(("oscillates" in m or "diverges" in m) and "lower the learning rate" in m for m in messages)


def test_a_relu_network_with_most_units_dead_warns(digits):
    x, y = digits
    net = small_net()
    net.layers[1].params["bias"][:24] = -50.0      # 24 of 32 units never fire
    messages, _ = axonal_warnings(lambda: net.fit(x, y, loss="softmax_cross_entropy", optimizer="sgd", epochs=2,
                                                  progress=False))
    assert sum("dead ReLU units: 75%" in m for m in messages) == 1


def test_a_double_softmax_warns_once_with_the_advice_text(digits):
    x, y = digits
    messages, _ = axonal_warnings(lambda: small_net(activation="softmax").fit(
        x, y, loss="softmax_cross_entropy", optimizer="adam", epochs=2, progress=False))
    assert sum("applies softmax to its input again" in m for m in messages) == 1
    report = axonal.diagnose(small_net(activation="softmax"), x, y, loss="softmax_cross_entropy")
    assert "double_link" in report.kinds()


def test_imbalanced_classes_warn_unless_weighted(digits):
    x, y = digits
    keep = (y != 1) | (np.arange(len(y)) % 20 == 0)       # class 1 at a twentieth of the others
    x2, y2 = x[keep], (y[keep] == 1).astype(int)
    net = Sequential([Standardize(), Dense(8, "relu"), Dense(2)], input_dim=64, seed=0)
    messages, _ = axonal_warnings(lambda: net.fit(x2, y2, loss="softmax_cross_entropy", optimizer="adam", epochs=2,
                                                  progress=False))
    assert any("strongly imbalanced classes" in m and "class_weight='balanced'" in m for m in messages)
    net = Sequential([Standardize(), Dense(8, "relu"), Dense(2)], input_dim=64, seed=0)
    messages, _ = axonal_warnings(lambda: net.fit(x2, y2, loss="softmax_cross_entropy", optimizer="adam", epochs=2,
                                                  class_weight="balanced", progress=False))
    assert not any("imbalanced" in m for m in messages)


def test_a_feature_equal_to_the_target_warns():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 5)).astype(np.float32)
    y = 3.0 * x[:, 2] + 1.0
    net = Sequential([Dense(8, "relu"), Dense(1)], input_dim=5, seed=0)
    messages, _ = axonal_warnings(lambda: net.fit(x, y, loss="mse", optimizer="adam", epochs=2, progress=False))
    assert any("input feature 2 equals the target" in m for m in messages)


def test_a_loss_that_does_not_fall_and_a_run_cut_short_warn(digits):
    x, y = digits
    messages, _ = axonal_warnings(lambda: small_net().fit(x, y, loss="softmax_cross_entropy", optimizer=SGD(1e-7),
                                                          epochs=10, progress=False))
    assert any("does not fall" in m for m in messages)
    messages, _ = axonal_warnings(lambda: small_net().fit(x, y, loss="softmax_cross_entropy", optimizer=SGD(3e-3),
                                                          epochs=10, progress=False))
    assert any("stopped long before convergence" in m and "more epochs" in m for m in messages)


def test_diagnostics_false_silences_everything(digits):
    x, y = digits
    net = Sequential([Dense(32, "logistic"), Dense(10)], input_dim=64, seed=0)
    messages, history = axonal_warnings(lambda: net.fit(x * 100, y, loss="softmax_cross_entropy", optimizer="adam",
                                                        epochs=2, progress=False, diagnostics=False))
    assert messages == [] and history.gradient_norms == {}


def test_the_probe_changes_nothing_the_run_learns(digits):
    """Dropout's generator, BatchNorm's running statistics and the gradient buffer are put back."""
    x, y = digits

    def train(diagnostics):
        net = Sequential([Standardize(), Dense(32, "relu"), BatchNorm(), Dropout(0.2), Dense(10)], input_dim=64,
                         seed=0)
        history = net.fit(x, y, loss="softmax_cross_entropy", optimizer="adam", epochs=5, batch_size=64,
                          progress=False, diagnostics=diagnostics, seed=1)
        return net.get_weights(), history
    with_probe, history = train(True)
    without, plain = train(False)
    assert sorted(history.gradient_norms) == [0, 1, 2, 4, 5]
    assert history.loss == plain.loss
    for name in without:
        np.testing.assert_array_equal(with_probe[name], without[name])


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 1e-5)])
def test_the_gradient_norms_agree_on_the_compiled_and_numpy_paths(digits, dtype, tolerance):
    """The probe runs between whole epochs, so the compiled epoch kernel stays on; both paths give
    the same per-layer gradient norms (to the training's own agreement, float32 within 1e-5 of the
    weights; the norms within 1e-3 relative)."""
    x, y = digits

    def run(compiled):
        with axonal.jit.using(compiled):
            net = Sequential([Standardize(), Dense(16, "relu"), Dense(10)], input_dim=64, seed=0, dtype=dtype)
            return net.fit(x, y, loss="softmax_cross_entropy", optimizer="adam", epochs=4, progress=False).gradient_norms
    numpy_norms, compiled_norms = run(False), run(True)
    assert sorted(numpy_norms) == sorted(compiled_norms) == [0, 1, 2, 4]
    for epoch in numpy_norms:
        for a, b in zip(numpy_norms[epoch], compiled_norms[epoch]):
            assert (a is None) == (b is None)
            if a is not None:
                assert math.isclose(a, b, rel_tol=1e-9 if dtype == "float64" else 1e-3, abs_tol=tolerance)


def test_history_keeps_the_gradient_norms_through_to_dict(digits):
    x, y = digits
    history = small_net().fit(x, y, loss="softmax_cross_entropy", optimizer="adam", epochs=3, progress=False)
    again = axonal.History.from_dict(history.to_dict())
    assert again.gradient_norms == history.gradient_norms and again.loss == history.loss
    assert len(history.gradient_norms[3]) == 3


def test_diagnose_reports_and_prints(digits, capsys):
    x, y = digits
    net = Sequential([Dense(32, "logistic"), Dense(10)], input_dim=64, seed=0)
    report = axonal.diagnose(net, x * 100, y, loss="softmax_cross_entropy", verbose=True)
    assert {"input_scale", "saturated_units"} <= set(report.kinds())
    assert math.isclose(report.measurements["chance_loss"], math.log(10), rel_tol=0.01)
    assert "inputs far from unit scale" in capsys.readouterr().out
    assert axonal.diagnose(small_net(), x, y, loss="softmax_cross_entropy").ok


def test_the_cli_diagnose_command_prints_the_report(tmp_path, capsys):
    from axonal.cli import main
    model = tmp_path / "m.axonal"
    assert main(["train", "--data", "xor", "--no-plot", "--no-progress", "-o", str(model), "--epochs", "3"]) == 0
    capsys.readouterr()
    assert main(["diagnose", str(model), "xor"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("diagnosis:") and "gradient_norms" in out


def test_the_gradient_norm_plot_is_drawn(digits, tmp_path):
    pytest.importorskip("matplotlib")
    from axonal.plotting import plot_gradient_norms
    x, y = digits
    history = small_net().fit(x, y, loss="softmax_cross_entropy", optimizer="adam", epochs=3, progress=False)
    path = plot_gradient_norms(history, tmp_path / "norms.png")
    assert (tmp_path / "norms.png").read_bytes()[:4] == b"\x89PNG" and path.endswith("norms.png")
    with pytest.raises(ValueError, match="no gradient norms"):
        plot_gradient_norms(axonal.History(), tmp_path / "none.png")
