"""Initialisers: the documented spreads, seeded determinism, no global random state."""

import numpy as np
import pytest

from axonal import initializers


@pytest.mark.parametrize("name,expected_std", [
    ("glorot_uniform", np.sqrt(2 / (400 + 600))),
    ("glorot_normal", np.sqrt(2 / (400 + 600))),
    ("he_uniform", np.sqrt(2 / 400)),
    ("he_normal", np.sqrt(2 / 400)),
    ("lecun_uniform", np.sqrt(1 / 400)),
    ("lecun_normal", np.sqrt(1 / 400)),
    ("uniform", 0.05 / np.sqrt(3)),
    ("normal", 0.05),
])
def test_spread(name, expected_std):
    w = initializers.get(name)(np.random.default_rng(0), (400, 600), np.float64)
    assert w.shape == (400, 600)
    assert abs(w.mean()) < 0.05 * expected_std
    assert w.std() == pytest.approx(expected_std, rel=0.02)


def test_orthogonal_is_orthonormal_both_ways():
    for shape in [(30, 10), (10, 30), (16, 16)]:
        w = initializers.get("orthogonal")(np.random.default_rng(1), shape, np.float64)
        small = min(shape)
        gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
        np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_zeros_and_seeded_determinism_without_global_state():
    assert not initializers.get("zeros")(None, (3, 2)).any()
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a = initializers.get("he_normal")(np.random.default_rng(5), (8, 4))
    b = initializers.get("he_normal")(np.random.default_rng(5), (8, 4))
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global state untouched


def test_defaults_per_activation_and_unknown_names():
    assert initializers.default_for("relu").startswith("he")
    assert initializers.default_for("tanh").startswith("glorot")
    assert initializers.get("xavier_uniform") is initializers.get("glorot_uniform")
    with pytest.raises(ValueError, match="unknown initializer 'kaiming_fancy'.*valid names"):
        initializers.get("kaiming_fancy")
