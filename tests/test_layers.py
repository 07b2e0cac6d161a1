"""Layer behaviour beyond gradients: modes, running statistics, shapes and messages."""

import numpy as np
import pytest

from axonal import GRU, LSTM, BatchNorm, Dense, Dropout, LayerNorm, MinMaxScale, Residual, Sequential, SimpleRNN


def built(layer, n_in, dtype=np.float64, seed=0):
    layer.build((n_in,), np.random.default_rng(seed), dtype)
    return layer


def test_dense_is_a_layer_of_neurons():
    layer = built(Dense(2, "logistic"), 3)
    w, b = layer.params["weight"], layer.params["bias"]
    x = np.array([[1.0, -2.0, 0.5]])
    z = x @ w + b
    np.testing.assert_allclose(layer.forward(x), 1 / (1 + np.exp(-z)))
    assert not built(Dense(2, use_bias=False), 3).params.keys() - {"weight"}


def test_dropout_inverted_scaling_and_identity_in_inference():
    drop = built(Dropout(0.25, seed=0), 1000, dtype=np.float32)
    x = np.ones((50, 1000), dtype=np.float32)
    y = drop.forward(x, training=True)
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02  # expected activation unchanged
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), y)  # same mask backward
    assert drop.forward(x, training=False) is x


def test_dropout_masks_follow_the_network_seed():
    def masks(seed):
        net = Sequential([Dense(20, input_dim=5), Dropout(0.5)], seed=seed)
        return net.forward(np.ones((4, 5), dtype=np.float32), training=True) != 0
    np.testing.assert_array_equal(masks(3), masks(3))
    assert (masks(3) != masks(4)).any()


def test_batchnorm_uses_batch_statistics_in_training_and_running_ones_in_inference():
    bn = built(BatchNorm(momentum=0.5), 3)
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 3.0, size=(64, 3))
    y = bn.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1, atol=1e-3)
    np.testing.assert_allclose(bn.state["running_mean"], 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(bn.state["running_var"], 0.5 + 0.5 * x.var(axis=0, ddof=1))
    for _ in range(40):
        bn.forward(x, training=True)
    single = bn.forward(x[:1], training=False)  # one sample alone: running statistics
    expected = (x[:1] - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + 1e-5)
    np.testing.assert_allclose(single, expected, rtol=1e-3)
    with pytest.raises(ValueError, match="at least 2 samples"):
        bn.forward(x[:1], training=True)


def test_layernorm_normalises_each_sample():
    ln = built(LayerNorm(), 6)
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(4, 6))
    y = ln.forward(x)
    np.testing.assert_allclose(y.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=1), 1, atol=1e-5)


def test_residual_shape_check_and_projection():
    with pytest.raises(ValueError, match="maps 4 features to 3 features.*projection=True"):
        built(Residual(Dense(3)), 4)
    res = built(Residual(Dense(3, "tanh"), projection=True), 4)
    x = np.random.default_rng(0).standard_normal((2, 4))
    expected = x @ res.params["projection"] + np.tanh(x @ res.block.params["weight"] + res.block.params["bias"])
    np.testing.assert_allclose(res.forward(x), expected)


def test_shape_errors_name_the_layer_and_both_shapes():
    layer = built(Dense(10, input_dim=64), 64)
    with pytest.raises(ValueError, match=r"Dense\(64 → 10\) got input with 32 features; expected 64"):
        layer.forward(np.zeros((5, 32)))
    with pytest.raises(ValueError, match="input_dim=3 but receives 5 features"):
        built(Dense(2, input_dim=3), 5)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        Dense(0)
    with pytest.raises(ValueError, match="unknown activation 'sigmoidal'"):
        Dense(3, "sigmoidal")
    with pytest.raises(ValueError, match="rate must be in"):
        Dropout(1.0)


def test_inference_outputs_are_never_overwritten_later():
    net = Sequential([Dense(3, "tanh", input_dim=2), Dense(2)], seed=0)
    a = net.predict(np.ones((4, 2)))
    kept = a.copy()
    net.predict(np.zeros((4, 2)))
    np.testing.assert_array_equal(a, kept)


def test_scaling_layers_adapt_and_keep_their_statistics():
    from axonal import MinMaxScale, Standardize
    rng = np.random.default_rng(0)
    x = rng.normal([10.0, -3.0, 0.0], [5.0, 0.1, 0.0], size=(200, 3))
    std = built(Standardize(), 3).adapt(x)
    y = std.forward(x)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-9)
    np.testing.assert_allclose(y.std(0), [1, 1, 0], atol=1e-9)  # a constant feature stays finite
    mm = MinMaxScale((-1, 1)).adapt(x)  # adapting before build is kept
    built(mm, 3)
    z = mm.forward(x)
    np.testing.assert_allclose([z[:, :2].min(0), z[:, :2].max(0)], [[-1, -1], [1, 1]], atol=1e-12)
    with pytest.raises(ValueError, match="adapt got 2 features; expected 3"):
        std.adapt(x[:, :2])


def test_fit_adapts_a_leading_scaling_layer_so_predict_takes_raw_inputs():
    from axonal import Standardize
    rng = np.random.default_rng(0)
    x = rng.normal(1000.0, 200.0, size=(256, 2))
    y = (x[:, :1] > 1000).astype(float)
    net = Sequential([Standardize(), Dense(8, "tanh"), Dense(1, "logistic")], input_dim=2, seed=0)
    net.fit(x, y, loss="binary_cross_entropy", optimizer="adam", learning_rate=0.01, epochs=60, seed=0)
    assert net.layers[0].adapted
    np.testing.assert_allclose(net.layers[0].state["shift"], x.mean(0), rtol=1e-5)
    assert ((net.predict(x) > 0.5) == (y > 0.5)).mean() > 0.95


# -- constructor arguments: the checks that serve users and model files alike ---------------------------
@pytest.mark.parametrize("make, fragment", [
    (lambda: Dense(0), "Dense: units must be a positive integer, got 0"),
    (lambda: Dense(True), "Dense: units must be a positive integer, got True"),
    (lambda: Dense(2.0), "Dense: units must be a positive integer, got 2.0"),
    (lambda: Dense(2, input_dim=0), "Dense: input_dim must be a positive integer"),
    (lambda: Dense(2, use_bias="yes"), "Dense: use_bias must be True or False"),
    (lambda: Dense(2, kernel_initializer=3), "Dense: kernel_initializer must be an initializer name"),
    (lambda: Dense(2, bias_initializer="os.system"), "Dense: bias_initializer: unknown initializer"),
    (lambda: Dense(2, {"name": "elu", "alpha": float("inf")}), "elu: alpha must be a finite number > 0"),
    (lambda: Dense(2, {"name": "leaky_relu", "alpha": True}), "leaky_relu: alpha must be a finite number > 0"),
    (lambda: Dropout(True), "Dropout: rate must be a finite number, got True"),
    (lambda: Dropout(float("nan")), "Dropout: rate must be a finite number, got nan"),
    (lambda: Dropout("0.5"), "Dropout: rate must be a finite number"),
    (lambda: Dropout(0.5, seed=-1), "Dropout: seed must be a non-negative integer or None"),
    (lambda: Dropout(0.5, seed=1.5), "Dropout: seed must be a non-negative integer or None"),
    (lambda: Residual([Dense(2)], projection=1), "Residual: projection must be True or False"),
    (lambda: MinMaxScale((0, float("inf"))), "MinMaxScale: feature_range must be a finite number"),
    (lambda: MinMaxScale((True, 2)), "MinMaxScale: feature_range must be a finite number"),
    (lambda: MinMaxScale("ab"), "MinMaxScale: feature_range must be (low, high)"),
    (lambda: LSTM(3, return_sequences="no"), "LSTM: return_sequences must be True or False"),
    (lambda: GRU(3, stateful=1), "GRU: stateful must be True or False"),
    (lambda: SimpleRNN(3, truncate=0), "SimpleRNN: truncate must be a positive integer"),
    (lambda: LSTM(3, forget_bias=float("inf")), "LSTM: forget_bias must be a finite number"),
    (lambda: LSTM(3, peepholes="true"), "LSTM: peepholes must be True or False"),
    (lambda: LSTM(3, recurrent_initializer="nope"), "LSTM: recurrent_initializer: unknown initializer"),
    (lambda: GRU(3, input_dim=-2), "GRU: input_dim must be a positive integer"),
])
def test_bad_constructor_arguments_name_the_layer_and_the_argument(make, fragment):
    with pytest.raises(ValueError) as info:
        make()
    assert fragment in str(info.value)


def test_wrong_config_types_and_unknown_keys_are_errors_not_defaults():
    with pytest.raises(ValueError, match="LSTM: return_sequences must be True or False, got 'false'"):
        LSTM.from_config({"units": 2, "return_sequences": "false"})
    with pytest.raises(ValueError, match="Dense: invalid config .*'Activation'"):
        Dense.from_config({"units": 2, "Activation": "tanh"})
    with pytest.raises(ValueError, match="Residual block: unknown layer 'Gater'"):
        Residual.from_config({"block": {"class": "Gater", "config": {}}})


def test_containers_check_the_state_of_every_layer_inside():
    class Impossible(Dense):
        def check_state(self):
            raise ValueError(f"{self.describe()}: impossible")

    net = Sequential([Dense(2, input_dim=2), Residual([Sequential([Impossible(2)])])], seed=0)
    with pytest.raises(ValueError, match="impossible"):
        net.check_state()
    Sequential([Dense(2, input_dim=2), Residual([Dense(2)])], seed=0).check_state()  # nothing to refuse
