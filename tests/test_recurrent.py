"""Recurrent layers beyond the shared gradient checks: masks, states, stepping, truncation, learning."""

import numpy as np
import pytest

import axonal
from axonal import GRU, LSTM, Adam, Dense, Sequential, SimpleRNN
from axonal.gradcheck import check_layer, compare, numerical_gradient

KINDS = [lambda **kw: SimpleRNN(3, **kw), lambda **kw: LSTM(3, peepholes=True, **kw), lambda **kw: GRU(3, **kw)]


def built(layer, features=2, seed=0):
    layer.build((None, features), np.random.default_rng(seed), np.float64)
    rng = np.random.default_rng(seed + 1)
    for name, value in layer.params.items():
        if name.startswith("peephole") or name.endswith("bias"):
            value[...] = rng.standard_normal(value.shape) * 0.5
    return layer


@pytest.mark.parametrize("make", KINDS)
def test_gradients_with_a_mask_over_five_steps(make):
    layer = built(make(return_sequences=True))
    x = np.random.default_rng(0).standard_normal((3, 5, 2))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], dtype=float)
    original = layer.forward
    layer.forward = lambda x, training=False: original(x, training=training, mask=mask)
    check_layer(layer, x)


@pytest.mark.parametrize("make", KINDS)
def test_gradient_of_the_initial_state(make):
    layer = built(make(return_sequences=True))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 2))
    state = tuple(rng.standard_normal((2, 3)) for _ in layer.state_names)
    r = rng.standard_normal((2, 4, 3))
    layer.forward(x, training=True, initial_state=state)
    layer.backward(r)
    analytic = layer.initial_state_grad
    for s, grad in zip(state, analytic):
        numeric = numerical_gradient(lambda: float(np.sum(layer.forward(x, initial_state=state) * r)), s)
        compare("initial state", numeric, grad)


@pytest.mark.parametrize("make", KINDS)
def test_padding_never_changes_the_result(make):
    layer = built(make())
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 4, 2))
    padded = np.concatenate([x, rng.standard_normal((1, 3, 2)) * 100], axis=1)
    mask = np.array([[1, 1, 1, 1, 0, 0, 0]], dtype=float)
    np.testing.assert_allclose(layer.forward(padded, mask=mask), layer.forward(x), rtol=1e-12)


@pytest.mark.parametrize("make", KINDS)
def test_step_by_step_equals_the_whole_sequence(make):
    whole = built(make(return_sequences=True))
    stepper = built(make(stateful=True))
    x = np.random.default_rng(3).standard_normal((2, 6, 2))
    expected = whole.forward(x)
    steps = [stepper.forward(x[:, t:t + 1]) for t in range(6)]
    np.testing.assert_allclose(np.stack(steps, axis=1), expected, rtol=1e-12)
    stepper.reset_state()
    np.testing.assert_allclose(stepper.forward(x[:, :1]), expected[:, 0], rtol=1e-12)


@pytest.mark.parametrize("make", KINDS)
def test_carried_state_is_read_and_set_to_continue_a_sequence_in_another_layer(make):
    first, second = built(make(stateful=True)), built(make(stateful=True))
    x = np.random.default_rng(6).standard_normal((2, 6, 2))
    assert first.carried_state is None
    fresh = second.forward(x[:, 3:])
    second.reset_state()
    first.forward(x[:, :3])
    second.carried_state = first.carried_state
    continued = second.forward(x[:, 3:])
    np.testing.assert_array_equal(continued, first.forward(x[:, 3:]))
    assert not np.allclose(continued, fresh)
    with pytest.raises(ValueError, match=r"must have shape \(2, 3\)"):
        second.carried_state = tuple(np.zeros((2, 5)) for _ in second.state_names)
    with pytest.raises(ValueError, match="needs"):
        second.carried_state = tuple(np.zeros((2, 3)) for _ in range(3))
    second.carried_state = None
    np.testing.assert_array_equal(second.forward(x[:, 3:]), fresh)


def test_network_stepping_with_reset_between_sequences():
    net = Sequential([LSTM(4, return_sequences=True, stateful=True), Dense(2)], input_dim=3, seed=0)
    x = np.random.default_rng(4).standard_normal((1, 5, 3))
    stepped = np.stack([net.predict(x[:, t:t + 1])[:, 0] for t in range(5)], axis=1)
    net.reset_state()
    whole = net.predict(x)
    np.testing.assert_allclose(stepped, whole, rtol=1e-5)


def test_truncated_bptt_cuts_the_gradient_at_window_edges():
    layer = built(LSTM(3, truncate=2))
    x = np.random.default_rng(5).standard_normal((2, 6, 2))
    layer.forward(x, training=True)
    grad_x = layer.backward(np.ones((2, 3)))
    assert np.abs(grad_x[:, 4:]).sum() > 0
    np.testing.assert_array_equal(grad_x[:, :4], 0)  # only the last window (steps 4, 5) is reached
    full = built(LSTM(3))
    full.forward(x, training=True)
    assert np.abs(full.backward(np.ones((2, 3)))[:, :4]).sum() > 0


def test_lstm_forget_bias_starts_at_one_and_gate_layout():
    layer = LSTM(5, input_dim=2)
    layer.build((None, 2), np.random.default_rng(0))
    bias = layer.params["bias"]
    assert bias.shape == (20,) and (bias[5:10] == 1).all() and (bias[:5] == 0).all() and (bias[10:] == 0).all()


@pytest.mark.slow
def test_an_lstm_learns_to_remember_the_first_input():
    # The sign of step 0 decides the class; 11 noise steps follow: a memory task.
    rng = np.random.default_rng(0)
    n, steps = 400, 12
    x = rng.normal(0, 1, (n, steps, 1)).astype(np.float32)
    labels = (x[:, 0, 0] > 0).astype(int)
    net = Sequential([LSTM(8), Dense(2)], input_dim=1, seed=0)
    net.fit(x, labels, loss="softmax_cross_entropy", optimizer=Adam(0.02, clip_norm=1.0), epochs=40, batch_size=32,
            seed=0)
    test = rng.normal(0, 1, (200, steps, 1)).astype(np.float32)
    accuracy = (net.predict(test).argmax(1) == (test[:, 0, 0] > 0)).mean()
    assert accuracy > 0.95


def test_sequence_to_sequence_training_with_padding():
    # Tag every real step with the running sign of the sum of inputs so far; padding is ignored.
    rng = np.random.default_rng(1)
    n, steps = 300, 8
    x = rng.normal(0, 1, (n, steps, 1)).astype(np.float32)
    lengths = rng.integers(3, steps + 1, n)
    mask = (np.arange(steps)[None, :] < lengths[:, None]).astype(np.float32)
    x[mask == 0] = 50.0  # garbage in the padding
    tags = (np.cumsum(np.where(mask[..., None] > 0, x, 0), axis=1)[..., 0] > 0).astype(int)
    net = Sequential([GRU(12, return_sequences=True), Dense(2)], input_dim=1, seed=0)
    h = net.fit(x, tags, loss="softmax_cross_entropy", optimizer=Adam(0.02), epochs=30, batch_size=32, mask=mask,
                metrics=["accuracy"], seed=0)
    assert h.metrics["accuracy"][-1] > 0.95
    pred = net.predict(x, mask=mask).argmax(-1)
    assert (pred[mask > 0] == tags[mask > 0]).mean() > 0.95


def test_recurrent_models_save_and_load(tmp_path):
    net = Sequential([LSTM(4, peepholes=True, return_sequences=True), GRU(3), Dense(2)], input_dim=2, seed=0)
    x = np.random.default_rng(6).standard_normal((3, 5, 2)).astype(np.float32)
    net.fit(x, np.zeros((3, 2)), epochs=2, optimizer="adam")
    axonal.save(net, tmp_path / "rnn.axonal")
    again = axonal.load(tmp_path / "rnn.axonal")
    np.testing.assert_array_equal(again.predict(x), net.predict(x))
    assert again.layers[0].peepholes and again.input_shape == (None, 2)


def test_bad_recurrent_input_is_named():
    net = Sequential([LSTM(4), Dense(1)], input_dim=3, seed=0)
    with pytest.raises(ValueError, match=r"LSTM\(3 → 4\) got input of shape \(2, 5\); expected \(batch, time, 3\)"):
        net.predict(np.ones((2, 5)))
    with pytest.raises(ValueError, match="mask must have shape"):
        net.fit(np.ones((2, 4, 3)), np.ones((2, 1)), mask=np.ones((2, 5)))
    with pytest.raises(ValueError, match="units must be a positive integer"):
        GRU(0)


def test_a_rate_function_gets_the_first_error_of_a_sequence_model():
    x = np.random.default_rng(7).standard_normal((16, 5, 2)).astype(np.float32)
    y = np.zeros((16, 5, 1), dtype=np.float32)
    seen = []
    net = Sequential([GRU(3, return_sequences=True), Dense(1)], input_dim=2, seed=0)
    net.fit(x, y, epochs=2, schedule=lambda epoch, error: (seen.append(error), 0.01)[1])
    assert seen[0] is not None and seen[0] > 0
