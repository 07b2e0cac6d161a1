"""Sequential networks: building, naming, precision, inspection and input checks."""

import numpy as np
import pytest

from axonal import Dense, Dropout, Residual, Sequential


def mlp(**kw):
    return Sequential([Dense(4, "relu", input_dim=3), Residual([Dense(4, "tanh")]), Dense(2)], **kw)


def test_parameters_by_dotted_name_are_live_views_of_one_flat_vector():
    net = mlp(seed=0)
    params = net.parameters()
    assert list(params) == ["layers.0.weight", "layers.0.bias", "layers.1.block.layers.0.weight",
                            "layers.1.block.layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert net.params_.size == net.count_parameters() == 3 * 4 + 4 + 16 + 4 + 8 + 2
    params["layers.2.bias"][...] = 7.0
    assert (net.layers[2].params["bias"] == 7.0).all()
    assert np.shares_memory(net.layers[0].params["weight"], net.params_.values)


def test_perceptron_and_deep_mlp_share_the_api():
    x = np.random.default_rng(0).standard_normal((5, 3))
    single = Sequential([Dense(1, "step", input_dim=3)], seed=0)
    deep = Sequential([Dense(8, "relu", input_dim=3)] + [Dense(8, "relu") for _ in range(5)] + [Dense(1)], seed=0)
    for net in (single, deep):
        assert net.predict(x).shape == (5, 1)
    assert set(np.unique(single.predict(x))) <= {0.0, 1.0}


def test_float64_on_request_for_the_whole_network():
    net = mlp(dtype="float64", seed=1)
    assert net.params_.values.dtype == np.float64
    assert all(v.dtype == np.float64 for v in net.parameters().values())
    assert net.predict(np.ones((2, 3), dtype=np.float32)).dtype == np.float64
    assert mlp(seed=1).predict(np.ones((2, 3))).dtype == np.float32
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        mlp(dtype="float16")


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = mlp(seed=5).get_weights(), mlp(seed=5).get_weights(), mlp(seed=6).get_weights()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert any((a[n] != c[n]).any() for n in a)


def test_lazy_build_on_first_data():
    net = Sequential([Dense(3, "tanh"), Dense(1)], seed=0)
    assert not net.built
    with pytest.raises(RuntimeError, match="not built yet"):
        net.parameters()
    assert net.predict(np.ones((2, 5))).shape == (2, 1)
    assert net.layers[0].params["weight"].shape == (5, 3)


def test_summary_lists_shapes_and_counts():
    text = mlp(seed=0).summary()
    assert "Dense(3 → 4) relu" in text and "(batch, 2)" in text
    assert "Total parameters: 46" in text


def test_predict_one_sample_and_batches():
    net = mlp(seed=0)
    x = np.random.default_rng(0).standard_normal((10, 3))
    full = net.predict(x)
    np.testing.assert_allclose(net.predict(x, batch_size=3), full, rtol=1e-6)
    np.testing.assert_allclose(net.predict(x[4]), full[4], rtol=1e-6)
    assert net.predict(x[4]).shape == (2,)


def test_nan_or_inf_input_is_rejected_with_row_and_column():
    net = mlp(seed=0)
    x = np.ones((4, 3))
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match="predict: input contains nan at row 2, column 1"):
        net.predict(x)
    x[2, 1] = 0
    x[3, 0] = np.inf
    with pytest.raises(ValueError, match="fit: input contains inf at row 3, column 0"):
        net.fit(x, np.zeros((4, 2)), epochs=1)


def test_wrong_feature_count_names_the_first_layer():
    with pytest.raises(ValueError, match=r"Dense\(3 → 4\) got input with 5 features; expected 3"):
        mlp(seed=0).predict(np.ones((2, 5)))


def test_copy_is_independent_and_equal():
    net = mlp(seed=0)
    clone = net.copy()
    x = np.ones((2, 3))
    np.testing.assert_array_equal(clone.predict(x), net.predict(x))
    clone.parameters()["layers.0.bias"][...] += 1
    assert not np.array_equal(clone.predict(x), net.predict(x))


def test_set_weights_checks_names_and_shapes():
    net, other = mlp(seed=0), mlp(seed=9)
    other.set_weights(net.get_weights())
    np.testing.assert_array_equal(other.predict(np.ones((1, 3))), net.predict(np.ones((1, 3))))
    weights = net.get_weights()
    weights["layers.0.weight"] = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"layers.0.weight has shape \(2, 2\); expected \(3, 4\)"):
        net.set_weights(weights)
    with pytest.raises(KeyError, match="missing"):
        net.set_weights({})


def test_a_layer_object_cannot_appear_twice():
    d = Dense(3)
    with pytest.raises(ValueError, match="appears twice"):
        Sequential([d, d])
    with pytest.raises(TypeError, match="item 1 is a str"):
        Sequential([Dense(3), "relu"])


def test_dropout_only_acts_in_training():
    net = Sequential([Dense(50, input_dim=4), Dropout(0.5)], seed=0)
    x = np.ones((3, 4))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert (net.forward(x.astype(np.float32), training=True) == 0).any()


def test_input_edge_cases_get_clear_errors():
    net = mlp(seed=0)
    with pytest.raises(ValueError, match="every row needs the same number of values"):
        net.predict([[1, 2, 3], [1, 2]])
    with pytest.raises(TypeError, match="must be real numbers"):
        net.predict(np.ones((2, 3), dtype=complex))
    with pytest.raises(ValueError, match="1e\\+300 at row 0, column 2 is beyond the range of float32"):
        net.predict(np.array([[1.0, 2.0, 1e300]]))
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        net.predict(np.ones((2, 3)), batch_size=0)
    with pytest.raises(RuntimeError, match="not built"):
        Sequential([Dense(2)]).evaluate(np.ones((1, 3)), np.ones((1, 2)), loss="mse")
    with pytest.raises(RuntimeError, match=r"Dense\(\? → 2\) is not built"):
        Dense(2).forward(np.ones((1, 3)))
    one_feature = Sequential([Dense(1, input_dim=1)], seed=0)
    with pytest.raises(ValueError, match=r"for 3 samples of one feature, pass shape \(3, 1\)"):
        one_feature.predict([1.0, 2.0, 3.0])
    assert net.predict([1, 2, 3]).shape == (2,)  # a plain list is one sample
    assert net.predict(np.array([[1, 2, 3]], dtype=np.int64)).shape == (1, 2)  # integers are fine


def test_a_bad_value_deep_in_a_large_input_is_found_by_row():
    x = np.zeros((10000, 3), dtype=np.float32)
    x[9000, 2] = np.inf
    with pytest.raises(ValueError, match="inf at row 9000, column 2"):
        mlp(seed=0).predict(x)


@pytest.mark.parametrize("input_dim", [0, -1, True, 2.5, "3"])
def test_an_unbuildable_input_dim_is_refused_when_the_network_is_created(input_dim):
    with pytest.raises(ValueError, match="Sequential: input_dim must be a positive integer"):
        Sequential([Dense(2)], input_dim=input_dim)


@pytest.mark.parametrize("config, fragment", [
    ({"layers": [{"class": "Dense", "config": {"units": 2}}], "dtype": "float16"},
     "config key 'dtype' must be 'float32' or 'float64'"),
    ({"layers": [{"class": "Dense", "config": {"units": 2}}], "dtype": ["float32"]}, "config key 'dtype'"),
    ({"layers": [{"class": "Dense", "config": {"units": 2}}], "input_dim": 0}, "input_dim must be a positive"),
    ({"layers": [{"class": "Dense", "config": {"units": 2}}], "Layers": []}, "unknown config keys ['Layers']"),
    ({"layers": [{"class": "Dense", "config": {"units": 2}}, {"class": "Dense", "config": {"units": "2"}}]},
     "layer 1: Dense: units must be a positive integer, got '2'"),
    ({"layers": [{"class": "Residual", "config": {"block": {"class": "Sequential", "config": {
        "layers": [{"class": "Dropout", "config": {"rate": 2}}]}}}}]},
     "layer 0: Residual block: layer 0: Dropout: rate must be in [0, 1), got 2.0"),
    ({"layers": [{"class": "Dense", "config": {"units": 2, "name": "x\nimport os"}}]}, "layer 0: Dense: name"),
])
def test_configs_are_strict_and_name_the_layer(config, fragment):
    with pytest.raises(ValueError) as info:
        Sequential.from_config(config)
    assert fragment in str(info.value)
