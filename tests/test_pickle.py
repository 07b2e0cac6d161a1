"""A pickled network and optimizer (how joblib and scikit-learn copy them) train on exactly as the originals."""

import pickle

import numpy as np
import pytest

from axonal import LSTM, Adam, Dense, Residual, Sequential
from axonal.synaptic import architect


def cases():
    rng = np.random.default_rng(0)
    x2, y2 = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    x3, y3 = rng.random((16, 5, 2)), rng.random((16, 5, 1))
    mlp = Sequential([Dense(8, "tanh", input_dim=3), Residual([Dense(8, "relu")]), Dense(2)], seed=0)
    lstm = Sequential([LSTM(4, return_sequences=True, input_dim=2), Dense(1)], seed=0)
    return {"mlp": (mlp, x2, y2), "lstm": (lstm, x3, y3), "graph": (architect.LSTM(2, 3, 1, seed=0), x3, y3)}


@pytest.mark.parametrize("case", ["mlp", "lstm", "graph"])
def test_a_pickled_network_and_its_optimizer_go_on_training_as_the_originals(case):
    net, x, y = cases()[case]
    optimizer = Adam(0.01)
    net.fit(x, y, loss="mse", optimizer=optimizer, epochs=3, batch_size=8, progress=False, seed=0)
    twin, twin_optimizer = pickle.loads(pickle.dumps((net, optimizer)))
    first = net.fit(x, y, loss="mse", optimizer=optimizer, epochs=4, batch_size=8, progress=False, seed=1)
    second = twin.fit(x, y, loss="mse", optimizer=twin_optimizer, epochs=4, batch_size=8, progress=False, seed=1)
    assert first.loss == second.loss
    for key, value in net.get_weights().items():
        np.testing.assert_array_equal(twin.get_weights()[key], value, err_msg=key)
