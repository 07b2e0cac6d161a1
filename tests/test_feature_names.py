"""A table's columns are read by name: recorded at fit, kept in the model file, matched at predict."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

import axonal  # noqa: E402
from axonal import Dense, Sequential  # noqa: E402


def table(n=80, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.normal(40, 10, n), "height": rng.normal(170, 10, n),
                          "weight": rng.normal(70, 10, n)})
    y = (0.1 * (frame["age"] - 40) + 0.5 * (frame["weight"] - 70) / 10).to_numpy()
    return frame, y


def test_reordered_columns_are_read_by_name_and_survive_a_file(tmp_path):
    frame, y = table()
    net = Sequential([Dense(8, "tanh"), Dense(1)], seed=0)
    net.fit((frame - frame.mean()) / frame.std(), y, optimizer="adam", learning_rate=0.05, epochs=50, verbose=0)
    assert net.feature_names_ == ["age", "height", "weight"]
    scaled = (frame - frame.mean()) / frame.std()
    shuffled = scaled[["weight", "age", "height"]]
    np.testing.assert_array_equal(net.predict(shuffled), net.predict(scaled))
    assert not np.allclose(net.predict(shuffled.to_numpy()), net.predict(scaled))   # an array is read by position
    axonal.save(net, tmp_path / "m.axonal")
    loaded = axonal.load(tmp_path / "m.axonal")
    assert loaded.feature_names_ == net.feature_names_
    np.testing.assert_array_equal(loaded.predict(shuffled), net.predict(scaled))
    with pytest.raises(ValueError, match=r"missing \['height'\], unexpected \['size'\]"):
        loaded.predict(scaled.rename(columns={"height": "size"}))


def test_bad_feature_names_are_never_saved(tmp_path):
    frame, y = table()
    net = Sequential([Dense(2), Dense(1)], seed=0)
    net.fit((frame - frame.mean()) / frame.std(), y, epochs=1, verbose=0)
    net.feature_names_ = ["a", "a", "b"]
    with pytest.raises(ValueError, match="feature names repeat"):
        axonal.save(net, tmp_path / "bad.axonal")
    assert not (tmp_path / "bad.axonal").exists()
    net.feature_names_ = ["a", "b"]
    with pytest.raises(ValueError, match="2 feature names for 3 input features"):
        axonal.save(net, tmp_path / "bad.axonal")
