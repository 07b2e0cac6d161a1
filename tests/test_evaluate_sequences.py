"""``Sequential.evaluate`` on outputs at every time step: each (sample, step) is a row of the loss,
as in ``fit``, with per-step weights and a padding mask."""

from __future__ import annotations

import numpy as np
import pytest

import axonal


def sequence_net(k=3, activation="softmax", loss="categorical_crossentropy"):
    return axonal.Sequential([axonal.LSTM(6, return_sequences=True), axonal.Dense(k, activation)], input_dim=2,
                             seed=0, loss=loss, dtype="float64")


def data(n=12, steps=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, steps, 2)), rng.integers(0, 3, (n, steps))


def cross_entropy_rows(p, labels):
    return -np.log(p.reshape(-1, p.shape[-1])[np.arange(labels.size), labels.reshape(-1)])


def test_the_loss_is_the_mean_over_every_sample_and_step():
    net, (x, y) = sequence_net(), data()
    net.fit(x, y, epochs=3, verbose=0, seed=0)
    rows = cross_entropy_rows(net.predict(x), y)
    assert net.evaluate(x, y) == pytest.approx(rows.mean(), rel=1e-12)
    got = net.evaluate(x, y, metrics=["accuracy"])
    assert got["accuracy"] == pytest.approx(np.mean(net.predict(x).argmax(-1) == y), abs=1e-12)


def test_a_mask_leaves_padded_steps_out_and_weights_weigh_rows():
    net, (x, y) = sequence_net(), data()
    net.fit(x, y, epochs=2, verbose=0, seed=0)
    rows = cross_entropy_rows(net.predict(x), y).reshape(y.shape)
    mask = np.ones(y.shape)
    mask[::2, 3:] = 0
    assert net.evaluate(x, y, mask=mask) == pytest.approx(rows[mask > 0].mean(), rel=1e-12)
    w = np.random.default_rng(3).uniform(0.1, 2.0, y.shape)
    assert net.evaluate(x, y, sample_weight=w) == pytest.approx((rows * w).sum() / w.sum(), rel=1e-12)
    per_sample = np.random.default_rng(4).uniform(0.1, 2.0, len(y))
    want = (rows * per_sample[:, None] * mask).sum() / (per_sample[:, None] * mask).sum()
    assert net.evaluate(x, y, sample_weight=per_sample, mask=mask) == pytest.approx(want, rel=1e-12)


def test_text_labels_and_regression_targets_per_step():
    x, y = data()
    names = np.array(["low", "mid", "top"])[y]
    net = sequence_net()
    net.fit(x, names, epochs=2, verbose=0, seed=0)
    codes = np.searchsorted(net.classes_, names)
    assert net.evaluate(x, names) == pytest.approx(cross_entropy_rows(net.predict(x), codes).mean(), rel=1e-12)
    reg = sequence_net(k=1, activation="identity", loss="mse")
    target = np.cumsum(x[..., :1], axis=1)
    reg.fit(x, target, epochs=2, verbose=0, seed=0)
    assert reg.evaluate(x, target) == pytest.approx(np.mean((reg.predict(x) - target) ** 2), rel=1e-12)


def test_wrong_shapes_are_named():
    net, (x, y) = sequence_net(), data()
    net.fit(x, y, epochs=1, verbose=0, seed=0)
    with pytest.raises(ValueError, match=r"evaluate: the network outputs a value at each of the 5 time steps"):
        net.evaluate(x, y[:, :4])
    with pytest.raises(ValueError, match=r"evaluate: mask must have shape \(samples, time\)"):
        net.evaluate(x, y, mask=np.ones((12, 4)))
    flat = axonal.Sequential([axonal.Dense(2)], input_dim=2, seed=0, loss="mse")
    flat.fit(np.zeros((4, 2)), np.zeros((4, 2)), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="mask is for outputs at every time step"):
        flat.evaluate(np.zeros((4, 2)), np.zeros((4, 2)), mask=np.ones((4, 1)))
