"""The training loop: stopping, batching modes, weights, determinism, option checks."""

import numpy as np
import pytest

from axonal import SGD, Adam, Dense, Sequential

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def xor_net(seed=0, **kw):
    return Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], seed=seed, **kw)


def test_xor_stops_when_the_error_threshold_is_reached():
    net = xor_net()
    history = net.fit(XOR_X, XOR_Y, loss="mse", optimizer=SGD(2.0), epochs=20000,
                      batch_size=None, error=0.005)
    assert history.stop_reason == "error"
    assert history[-1] <= 0.005 < history[-2]
    assert len(history) == history.epochs < 20000
    assert net.evaluate(XOR_X, XOR_Y) < 0.0051
    np.testing.assert_array_equal(np.round(net.predict(XOR_X)), XOR_Y)


def test_epochs_run_out_without_error_threshold():
    history = xor_net().fit(XOR_X, XOR_Y, optimizer=SGD(0.5), epochs=7)
    assert history.stop_reason == "epochs" and len(history) == 7


def test_same_seeds_give_bit_identical_training():
    x = np.random.default_rng(0).standard_normal((100, 4)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:2] > 0).astype(np.float32)

    def run(seed):
        net = Sequential([Dense(8, "tanh", input_dim=4), Dense(1, "logistic")], seed=1)
        h = net.fit(x, y, loss="binary_cross_entropy", optimizer="adam", epochs=5, batch_size=16, seed=seed)
        return list(h), net.get_weights()

    (la, wa), (lb, wb), (lc, _) = run(3), run(3), run(4)
    assert la == lb and la != lc
    for name in wa:
        np.testing.assert_array_equal(wa[name], wb[name])


def test_online_learning_is_the_delta_rule_sample_by_sample():
    # batch_size=1, no shuffling: each sample updates w ← w - η·(ŷ - t)·x (squared_error, linear neuron).
    x = np.array([[1.0, 2.0], [0.5, -1.0], [-2.0, 0.0]])
    t = np.array([[1.0], [0.0], [2.0]])
    net = Sequential([Dense(1, input_dim=2)], dtype="float64", seed=0)
    w = net.parameters()["layers.0.weight"].copy()
    b = net.parameters()["layers.0.bias"].copy()
    for xi, ti in zip(x, t):
        err = xi @ w + b - ti
        w -= 0.1 * np.outer(xi, err)
        b -= 0.1 * err
    net.fit(x, t, loss="squared_error", optimizer=SGD(0.1), epochs=1, batch_size=1, shuffle=False)
    np.testing.assert_allclose(net.parameters()["layers.0.weight"], w, rtol=1e-12)
    np.testing.assert_allclose(net.parameters()["layers.0.bias"], b, rtol=1e-12)


def test_full_batch_step_averages_the_gradient():
    x = np.array([[1.0, 2.0], [0.5, -1.0], [-2.0, 0.0]])
    t = np.array([[1.0], [0.0], [2.0]])
    net = Sequential([Dense(1, input_dim=2)], dtype="float64", seed=0)
    w = net.parameters()["layers.0.weight"].copy()
    b = net.parameters()["layers.0.bias"].copy()
    err = x @ w + b - t
    net.fit(x, t, loss="squared_error", optimizer=SGD(0.1), epochs=1, batch_size=None)
    np.testing.assert_allclose(net.parameters()["layers.0.weight"], w - 0.1 * x.T @ err / 3, rtol=1e-12)
    np.testing.assert_allclose(net.parameters()["layers.0.bias"], b - 0.1 * err.mean(0), rtol=1e-12)


def test_sample_weight_k_equals_duplicating_the_row_k_times():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3))
    y = rng.integers(0, 3, 6)
    w = np.array([1, 1, 3, 1, 2, 1])
    rows = np.repeat(np.arange(6), w)

    def train(xs, ys, weights):
        net = Sequential([Dense(5, "tanh", input_dim=3), Dense(3)], dtype="float64", seed=2)
        net.fit(xs, ys, loss="softmax_cross_entropy", optimizer=SGD(0.3), epochs=20, batch_size=None,
                sample_weight=weights)
        return net.get_weights()

    weighted, duplicated = train(x, y, w), train(x[rows], y[rows], None)
    for name in weighted:
        np.testing.assert_allclose(weighted[name], duplicated[name], rtol=1e-10, atol=1e-12)


def test_learns_a_nonlinear_classification_task():
    # Two interleaved spirals: no linear separation exists.
    rng = np.random.default_rng(0)
    n = 300
    theta = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    labels = rng.integers(0, 2, n)
    r = theta / (3 * np.pi) * 2
    sign = np.where(labels == 0, 1.0, -1.0)
    x = np.c_[sign * r * np.cos(theta), sign * r * np.sin(theta)] + rng.normal(0, 0.03, (n, 2))
    net = Sequential([Dense(32, "relu", input_dim=2), Dense(32, "relu"), Dense(2)], seed=0)
    net.fit(x, labels, loss="softmax_cross_entropy", optimizer=Adam(0.01), epochs=300, batch_size=32, seed=0)
    accuracy = (net.predict_proba(x).argmax(1) == labels).mean()
    assert accuracy >= 0.97


def test_one_forward_per_batch_no_per_sample_loop():
    net = Sequential([Dense(4, "relu", input_dim=3), Dense(2)], seed=0)
    calls = []
    original = net.forward
    net.forward = lambda x, **kw: (calls.append(len(x)), original(x, **kw))[1]
    net.fit(np.ones((100, 3)), np.zeros((100, 2)), epochs=2, batch_size=32)
    assert calls == [32, 32, 32, 4] * 2


def test_bad_options_say_what_was_wrong():
    net = xor_net()
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        net.fit(XOR_X, XOR_Y, epochs=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net.fit(XOR_X, XOR_Y, batch_size=-4)
    with pytest.raises(ValueError, match="error must be a finite number >= 0"):
        net.fit(XOR_X, XOR_Y, error=-1)
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        net.fit(XOR_X, XOR_Y[:3])
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        net.fit(XOR_X, XOR_Y, optimizer="adamm")
    with pytest.raises(ValueError, match="give learning_rate to the sgd optimizer itself"):
        net.fit(XOR_X, XOR_Y, optimizer=SGD(0.1), learning_rate=0.5)
    y = XOR_Y.copy()
    y[1, 0] = np.nan
    with pytest.raises(ValueError, match="targets contains nan at row 1, column 0"):
        net.fit(XOR_X, y)


def test_options_of_one_call_do_not_stick_to_the_next():
    net = xor_net()
    first = net.fit(XOR_X, XOR_Y, optimizer="sgd", learning_rate=5.0, epochs=3, error=10.0)
    assert first.stop_reason == "error" and len(first) == 1
    second = net.fit(XOR_X, XOR_Y, optimizer="sgd", epochs=3)
    assert second.stop_reason == "epochs" and len(second) == 3


def test_training_leaves_global_random_state_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    xor_net(seed=None).fit(XOR_X, XOR_Y, epochs=3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
