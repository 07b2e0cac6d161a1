"""Property: for any architecture, ``save → load → save`` writes the same bytes and predicts the same.

Architectures are drawn by Hypothesis: a recurrent layer first (or not), then Dense
layers of random sizes and activations, Dropout, BatchNorm, LayerNorm and Residual
blocks, with names from the name alphabet, in float32 or float64; some networks are
trained a step (optimizer moments, a step count, running statistics) and carry
class labels and user metadata.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import axonal
from axonal import GRU, LSTM, SGD, Adam, BatchNorm, Dense, Dropout, LayerNorm, Residual, Sequential, SimpleRNN

NAMES = st.one_of(st.none(), st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", fullmatch=True))
ACTIVATIONS = st.sampled_from(["identity", "tanh", "relu", "logistic", "elu", "softplus", "leaky_relu"])
JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 53, 2 ** 53), st.text(max_size=12),
                        st.floats(allow_nan=False, allow_infinity=False))
METADATA = st.dictionaries(st.text(max_size=8), st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=6),
    max_size=3)


@st.composite
def layer(draw, width):
    """One layer that keeps ``width`` features, or a Dense that changes it: ``(layer, new width)``."""
    kind = draw(st.sampled_from(["dense", "dense", "dropout", "batchnorm", "layernorm", "residual", "projection"]))
    name = draw(NAMES)
    if kind == "dense":
        units = draw(st.integers(1, 6))
        return Dense(units, draw(ACTIVATIONS), name=name), units
    if kind == "dropout":
        return Dropout(draw(st.sampled_from([0.0, 0.25])), seed=draw(st.integers(0, 9)), name=name), width
    if kind == "batchnorm":
        return BatchNorm(momentum=draw(st.sampled_from([0.1, 0.5])), name=name), width
    if kind == "layernorm":
        return LayerNorm(name=name), width
    if kind == "residual":
        return Residual([Dense(width, draw(ACTIVATIONS))], name=name), width
    units = draw(st.integers(1, 5))
    return Residual([Dense(units, draw(ACTIVATIONS)), BatchNorm()], projection=True, name=name), units


@st.composite
def networks(draw):
    """``(network, x)``: a built network and an input for it."""
    features = draw(st.integers(1, 4))
    recurrent = draw(st.sampled_from([None, LSTM, GRU, SimpleRNN]))
    layers, width = [], features
    if recurrent is not None:
        width = draw(st.integers(1, 4))
        layers.append(recurrent(width, return_sequences=False, name=draw(NAMES)))
    for _ in range(draw(st.integers(0, 4))):
        new, width = draw(layer(width))
        layers.append(new)
    outputs = draw(st.integers(1, 3))
    layers.append(Dense(outputs, draw(ACTIVATIONS), name=draw(NAMES)))
    names = [l.name for l in layers if l.name is not None]
    if len(set(names)) != len(names):  # one name per layer of a network
        for l in layers:
            l.name = None
    dtype = draw(st.sampled_from(["float32", "float64"]))
    net = Sequential(layers, input_dim=features, dtype=dtype, seed=draw(st.integers(0, 2 ** 16)),
                     name=draw(NAMES))
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    x = rng.normal(size=(8, 3, features) if recurrent else (8, features))
    if draw(st.booleans()):
        optimizer = draw(st.sampled_from([lambda: Adam(0.01), lambda: SGD(0.05, momentum=0.9)]))()
        net.fit(x, rng.normal(size=(8, outputs)), optimizer=optimizer, epochs=1, batch_size=4,
                progress=False, seed=0)
    if outputs > 1 and draw(st.booleans()):
        net.classes_ = draw(st.sampled_from([[f"class_{i}" for i in range(outputs)], list(range(outputs))[::-1]]))
    net.metadata_ = draw(METADATA)
    return net, x


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_save_load_save_is_byte_identical_and_predicts_the_same(tmp_path_factory, case):
    net, x = case
    folder = tmp_path_factory.mktemp("roundtrip")
    first, second = folder / "first.axonal", folder / "second.axonal"
    axonal.save(net, first)
    again = axonal.load(first)
    axonal.save(again, second)
    assert first.read_bytes() == second.read_bytes()
    np.testing.assert_array_equal(again.predict(x), net.predict(x))
    assert again.classes_ == net.classes_
    assert again.metadata_ == net.metadata_
    assert (again.optimizer_ is None) == (net.optimizer_ is None)
