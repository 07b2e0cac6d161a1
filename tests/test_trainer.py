"""axonal.synaptic.Trainer: Synaptic's Trainer options on top of fit."""

import numpy as np
import pytest

from axonal import Dense, Sequential
from axonal.synaptic.architect import LSTM, Perceptron
from axonal.synaptic import Trainer

XOR = [{"input": [0, 0], "output": [0]}, {"input": [0, 1], "output": [1]},
       {"input": [1, 0], "output": [1]}, {"input": [1, 1], "output": [0]}]


def perceptron(seed=0):
    return Perceptron(2, 3, 1, seed=seed)


def recorder():
    seen = {}

    def do(info):
        seen[info["iterations"]] = dict(info)
    return seen, {"every": 1, "do": do}


# -- rates ------------------------------------------------------------------------------------------
def test_rate_list_switches_where_synaptic_does():
    # Synaptic: bucket = ⌊20/2⌋ = 10; after iterations++ rate[⌊iterations/10⌋]: .01 for 1..9, .005 from 10.
    seen, schedule = recorder()
    result = Trainer(perceptron()).train(XOR, rate=[0.01, 0.005], iterations=20, error=0, schedule=schedule)
    assert result.iterations == 20
    assert [seen[i]["rate"] for i in range(1, 21)] == [0.01] * 9 + [0.005] * 11


def test_rate_list_with_one_epoch_per_rate_skips_the_first_as_synaptic_does():
    seen, schedule = recorder()
    Trainer(perceptron()).train(XOR, rate=[0.5, 0.1], iterations=3, error=0, schedule=schedule)
    assert [seen[i]["rate"] for i in (1, 2, 3)] == [0.1, 0.1, 0.1]   # bucket 1: rate[⌊1/1⌋] from the start


def test_rate_list_of_three_keeps_the_last_rate_to_the_end():
    seen, schedule = recorder()
    Trainer(perceptron()).train(XOR, rate=[0.3, 0.2, 0.1], iterations=10, error=0, schedule=schedule)
    # bucket 3: rate[⌊i/3⌋] -> i=1,2: .3; 3..5: .2; 6..10: .1 (index 3 and up: the last rate stays)
    assert [seen[i]["rate"] for i in range(1, 11)] == [0.3, 0.3, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1]


def test_callable_rate_gets_iterations_from_one_and_the_last_error():
    calls = []

    def rate(iterations, error):
        calls.append((iterations, error))
        return 0.01 if iterations < 5 else 0.005

    seen, schedule = recorder()
    Trainer(perceptron()).train(XOR, rate=rate, iterations=8, error=0, schedule=schedule)
    assert [c[0] for c in calls] == list(range(1, 9))
    assert calls[0][1] == 0.0                                       # no error before the first epoch
    for i in range(2, 9):                                           # then the previous epoch's error
        assert calls[i - 1][1] == pytest.approx(seen[i - 1]["error"])
    assert [seen[i]["rate"] for i in range(1, 9)] == [0.01] * 4 + [0.005] * 4


# -- schedule, stopping -------------------------------------------------------------------------------
@pytest.mark.parametrize("abort_at, expected", [(6, 6), (100, 9), (None, 9)])
def test_schedule_aborts_after_the_epoch_it_returns_true(abort_at, expected):
    calls = []

    def do(info):
        calls.append(info["iterations"])
        return None if abort_at is None else info["iterations"] == abort_at

    result = Trainer(perceptron()).train(XOR, rate=1e-6, iterations=9, error=1e-6,
                                         schedule={"every": 3, "do": do})
    assert result.iterations == expected
    assert calls == [i for i in (3, 6, 9) if i <= expected]


def test_error_threshold_stops_and_error_zero_is_allowed():
    net = Sequential([Dense(1, "logistic", input_dim=2)], seed=0)
    result = Trainer(net).train(XOR, iterations=5, error=10.0)
    assert result.iterations == 1 and result.stop_reason == "error"
    assert Trainer(net).train(XOR, iterations=7, error=0).iterations == 7


def test_options_of_one_call_do_not_stick():
    trainer = Trainer(perceptron(), iterations=12, error=0)
    calls = []
    first = trainer.train(XOR, iterations=4, rate=[0.5, 0.1],
                          schedule={"every": 1, "do": lambda info: calls.append(info["rate"])})
    assert first.iterations == 4 and calls == [0.5, 0.1, 0.1, 0.1]
    seen, schedule = recorder()
    second = trainer.train(XOR, schedule=schedule)
    assert second.iterations == 12                         # the constructor's, not the last call's
    assert {info["rate"] for info in seen.values()} == {0.2}
    assert len(calls) == 4                                 # the first call's schedule is gone


def test_cross_validate_holds_out_the_tail_and_stops_on_its_error():
    rng = np.random.default_rng(0)
    x = rng.random((10, 2))
    y = (x.sum(1, keepdims=True) > 1).astype(float)
    net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], seed=0)
    trainer = Trainer(net)
    seen, schedule = recorder()
    result = trainer.train((x, y), iterations=50, error=0, cross_validate={"test_size": 0.3, "test_error": 1.0},
                           schedule=schedule)
    assert result.iterations == 1 and result.stop_reason == "val_loss_below"
    # Synaptic's split: the first ⌈0.7·10⌉ = 7 train, the last 3 test; the error is theirs
    held_out = trainer.test((x[7:], y[7:])).error
    assert result.error == pytest.approx(held_out, rel=1e-6)
    assert seen[1]["error"] == pytest.approx(held_out, rel=1e-6)
    # Synaptic's camelCase keys are accepted too; the test error never reached runs to the end
    result = trainer.train((x, y), iterations=4, error=0, cross_validate={"testSize": 0.3, "testError": 0.0})
    assert result.iterations == 4


def test_shuffle_is_reproducible_with_a_seed_and_leaves_the_set_alone():
    def weights(seed, shuffle=True):
        net = perceptron(seed=3)
        Trainer(net).train(XOR, iterations=5, error=0, shuffle=shuffle, seed=seed)
        return net.get_weights()

    original = [dict(s) for s in XOR]
    a, b, c = weights(1), weights(1), weights(2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert any(not np.array_equal(a[k], c[k]) for k in a)
    assert XOR == original


# -- the cost is the loss -------------------------------------------------------------------------------
@pytest.mark.parametrize("cost, delta", [("cross_entropy", lambda t, y: t - y),
                                         ("mse", lambda t, y: 2 * (t - y) * y * (1 - y))])
def test_the_cost_is_the_loss_that_trains(cost, delta):
    # One logistic neuron, one sample, one step: Δb = rate·(-∂E/∂z). Cross-entropy gives
    # Synaptic's output rule t - y; MSE adds 2·f'(z) (Synaptic would use t - y for both).
    net = Sequential([Dense(1, "logistic", input_dim=1)], seed=0, dtype="float64")
    before = net.get_weights()
    y0 = float(net.predict(np.array([[0.0]]))[0, 0])
    Trainer(net).train([{"input": [0.0], "output": [1.0]}], rate=0.5, iterations=1, error=0, cost=cost)
    bias = next(k for k in before if k.endswith("bias"))
    assert net.get_weights()[bias][0] - before[bias][0] == pytest.approx(0.5 * delta(1.0, y0), rel=1e-9)


def test_test_reports_mean_cost_including_synaptic_binary():
    net = Sequential([Dense(1, "logistic", input_dim=2)], seed=0, dtype="float64")
    trainer = Trainer(net)
    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    out = net.predict(x).ravel()
    y = np.array([[1.0], [0.0]])
    assert trainer.test((x, y)).error == pytest.approx(np.mean((out - y.ravel()) ** 2))
    wrong = np.sum(np.round(2 * y.ravel()) != np.round(2 * out))
    assert trainer.test((x, y), cost="binary").error == pytest.approx(wrong / 2)


# -- recurrent networks ---------------------------------------------------------------------------------------
def test_recurrent_network_trains_online_as_one_stream_or_by_bptt():
    x = np.tile([[1.0, 0.0], [0.0, 1.0]], (5, 1))
    y = np.tile([[1.0], [0.0]], (5, 1))
    net = LSTM(2, 2, 1, seed=0, dtype="float64")
    seen, schedule = recorder()
    result = Trainer(net).train((x, y), rate=[0.5, 0.1], iterations=4, error=0, schedule=schedule)
    assert result.iterations == 4 and [seen[i]["rate"] for i in (1, 2, 3, 4)] == [0.5, 0.1, 0.1, 0.1]
    assert Trainer(net).train((x, y), iterations=3, error=0, method="bptt").iterations == 3


# -- errors name the option --------------------------------------------------------------------------------------
@pytest.mark.parametrize("options, match", [
    ({"iterations": 0}, "iterations"),
    ({"error": -1}, "error"),
    ({"rate": -0.1}, "rate"),
    ({"rate": []}, "rate"),
    ({"rate": [0.1, 0.2, 0.3], "iterations": 2}, "rate"),
    ({"cost": "binary"}, "binary"),
    ({"cost": "nope"}, "cost"),
    ({"schedule": {"every": 2}}, "schedule do"),
    ({"schedule": {"every": 0, "do": print}}, "schedule every"),
    ({"cross_validate": {"test_size": 1.5}}, "test_size"),
    ({"log": -1}, "log"),
    ({"shuffle": "yes"}, "shuffle"),
    ({"method": "bptt"}, "method"),
])
def test_bad_options_are_named(options, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Trainer(perceptron()).train(XOR, **options)


def test_tasks_check_the_network_shape():
    with pytest.raises(ValueError, match="2 inputs and 1 outputs"):
        Trainer(Perceptron(3, 2, 1, seed=0)).xor()
    with pytest.raises(ValueError, match="recurrent"):
        Trainer(Perceptron(6, 3, 2, seed=0)).dsr(targets=[2, 4], distractors=[3, 5], length=9)


def test_xor_task_builds_an_unbuilt_network_and_learns_it():
    net = Sequential([Dense(3, "logistic"), Dense(1, "logistic")], seed=3)
    result = Trainer(net).xor(rate=0.5, error=0.01, iterations=20000, seed=0)
    assert net.input_shape == (2,) and result.error <= 0.01
    outputs = net.predict(np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32))[:, 0]
    assert np.array_equal(outputs.round(), [0, 1, 1, 0])


def test_fits_diagnostics_are_off_unless_asked_and_change_nothing_learnt():
    import warnings

    results = {}
    for asked in (False, True):
        net = Perceptron(2, 3, 1, dtype="float64", seed=4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = Trainer(net).train(XOR, rate=0.3, iterations=300, error=0.0, diagnostics=asked)
        results[asked] = (r, net.params_.values.copy(), [str(w.message) for w in caught])
    quiet, probed = results[False], results[True]
    assert quiet[0].history.gradient_norms == {} and quiet[2] == []
    assert 0 in probed[0].history.gradient_norms and len(probed[0].history.gradient_norms) >= 3
    np.testing.assert_array_equal(quiet[1], probed[1])       # the probe only looks
    assert quiet[0].error == probed[0].error
