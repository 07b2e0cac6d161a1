"""The benchmark's data and starting weights, generated the same way in every process.

Every library's subprocess calls these with the same seeds, so all of them train on
identical samples from identical initial weights (weights are stored here in
axonal's layout, ``W`` of shape ``(inputs, outputs)``; PyTorch takes ``W.T``).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

MLP_SIZES = (784, 256, 128, 10)
MNIST_SAMPLES = 60_000


def mnist_like(n: int = MNIST_SAMPLES, seed: int = 0):
    """``n`` MNIST-shaped samples, pixels uniform in [0, 1), labelled by a fixed random teacher.

    The teacher is a 784-64-10 tanh network; a sample's label is its arg-max output.
    The labels are computed in chunks so that no temporary the size of the data set
    inflates the measuring process's peak memory.

    Returns
    -------
    x : float32 array (n, 784)
    y : int64 array (n,), classes 0..9
    """
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    w1 = rng.standard_normal((784, 64), dtype=np.float32) * np.float32(4.0 / np.sqrt(784 / 12))
    w2 = rng.standard_normal((64, 10), dtype=np.float32)
    y = np.empty(n, dtype=np.int64)
    for start in range(0, n, 4096):
        h = np.tanh((x[start:start + 4096] - np.float32(0.5)) @ w1)
        y[start:start + 4096] = (h @ w2).argmax(axis=1)
    return x, y


def he_uniform_weights(sizes=MLP_SIZES, seed: int = 1) -> dict:
    """Starting weights for a ReLU MLP: ``W ~ U(±√(6/fan_in))``, biases 0, by axonal's names."""
    rng = np.random.default_rng(seed)
    weights = {}
    for i, (fan_in, fan_out) in enumerate(pairwise(sizes)):
        limit = np.sqrt(6.0 / fan_in)
        weights[f"layers.{i}.weight"] = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
        weights[f"layers.{i}.bias"] = np.zeros(fan_out, dtype=np.float32)
    return weights


def glorot_uniform_weights(sizes, seed: int) -> dict:
    """Starting weights for a sigmoid network: ``W ~ U(±√(6/(fan_in+fan_out)))``, biases 0."""
    rng = np.random.default_rng(seed)
    weights = {}
    for i, (fan_in, fan_out) in enumerate(pairwise(sizes)):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights[f"layers.{i}.weight"] = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
        weights[f"layers.{i}.bias"] = np.zeros(fan_out, dtype=np.float32)
    return weights


def count_parameters(sizes=MLP_SIZES) -> int:
    return sum(a * b + b for a, b in pairwise(sizes))


def xor():
    """The four XOR samples: x (4, 2) and y (4, 1), float32."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return x, y


def digits_split():
    """axonal's bundled digits, split 80/20 as ``axonal train`` splits them (stratified, seed 0)."""
    from axonal.data import load_digits, train_test_split
    x, y = load_digits().as_tuple()
    return train_test_split(x, y, 0.2, stratify=y, seed=0)


def load_torch_weights(model_layers, weights: dict) -> None:
    """Copy weights in axonal's layout into a list of ``torch.nn.Linear`` layers."""
    import torch
    with torch.no_grad():
        for i, layer in enumerate(model_layers):
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[f"layers.{i}.weight"].T)))
            layer.bias.copy_(torch.from_numpy(weights[f"layers.{i}.bias"]))


def load_sklearn_weights(clf, weights: dict) -> None:
    """Copy weights into a fitted MLPClassifier in place (its Adam holds references to the arrays)."""
    for i, (coef, intercept) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        coef[...] = weights[f"layers.{i}.weight"]
        intercept[...] = weights[f"layers.{i}.bias"]
