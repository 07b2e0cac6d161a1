"""Weight initialisers, all drawn from an explicit ``numpy.random.Generator``.

Each initialiser is a function ``init(rng, shape, dtype) -> array`` where
``shape = (fan_in, fan_out)`` for a weight matrix (a neuron's inputs are its
fan-in, the neurons it feeds its fan-out). Nothing here touches NumPy's global
random state: the same generator state always gives the same weights.

=================  ==========================================  ==========================
name               distribution                                suits
=================  ==========================================  ==========================
glorot_uniform     U(-a, a), a = √(6 / (fan_in + fan_out))      logistic, tanh, softmax
glorot_normal      N(0, 2 / (fan_in + fan_out))                 logistic, tanh
he_uniform         U(-a, a), a = √(6 / fan_in)                  relu family
he_normal          N(0, 2 / fan_in)                             relu family
lecun_uniform      U(-a, a), a = √(3 / fan_in)                  identity, selu-like units
lecun_normal       N(0, 1 / fan_in)
orthogonal         rows or columns orthonormal (QR of N(0,1))   deep and recurrent nets
uniform            U(-0.05, 0.05)
normal             N(0, 0.05²)
zeros              0                                            biases
=================  ==========================================  ==========================
"""

from __future__ import annotations

import numpy as np

from .registry import Registry

__all__ = ["get", "names", "default_for", "REGISTRY"]


def _fans(shape):
    if len(shape) < 2:
        n = int(shape[0]) if shape else 1
        return n, n
    return int(np.prod(shape[:-1])), int(shape[-1])


def glorot_uniform(rng, shape, dtype=np.float32):
    fan_in, fan_out = _fans(shape)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape).astype(dtype)


def glorot_normal(rng, shape, dtype=np.float32):
    fan_in, fan_out = _fans(shape)
    return (rng.standard_normal(shape) * np.sqrt(2.0 / (fan_in + fan_out))).astype(dtype)


def he_uniform(rng, shape, dtype=np.float32):
    fan_in, _ = _fans(shape)
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=shape).astype(dtype)


def he_normal(rng, shape, dtype=np.float32):
    fan_in, _ = _fans(shape)
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def lecun_uniform(rng, shape, dtype=np.float32):
    fan_in, _ = _fans(shape)
    a = np.sqrt(3.0 / fan_in)
    return rng.uniform(-a, a, size=shape).astype(dtype)


def lecun_normal(rng, shape, dtype=np.float32):
    fan_in, _ = _fans(shape)
    return (rng.standard_normal(shape) * np.sqrt(1.0 / fan_in)).astype(dtype)


def orthogonal(rng, shape, dtype=np.float32, gain: float = 1.0):
    """A matrix with orthonormal rows or columns: Q of the QR of a Gaussian matrix."""
    rows, cols = int(np.prod(shape[:-1])), int(shape[-1])
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # makes the decomposition unique, so the draw is uniform
    if rows < cols:
        q = q.T
    return (gain * q).reshape(shape).astype(dtype)


def uniform(rng, shape, dtype=np.float32, limit: float = 0.05):
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def synaptic(rng, shape, dtype=np.float32):
    """Synaptic's starting weights and biases: ``U(-0.1, 0.1)`` whatever the fan-in."""
    return rng.uniform(-0.1, 0.1, size=shape).astype(dtype)


def normal(rng, shape, dtype=np.float32, std: float = 0.05):
    return (rng.standard_normal(shape) * std).astype(dtype)


def zeros(rng, shape, dtype=np.float32):
    return np.zeros(shape, dtype=dtype)


def ones(rng, shape, dtype=np.float32):
    return np.ones(shape, dtype=dtype)


ALIASES = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal",
           "glorot": "glorot_uniform", "xavier": "glorot_uniform", "he": "he_uniform",
           "kaiming_uniform": "he_uniform", "kaiming_normal": "he_normal", "lecun": "lecun_normal"}
REGISTRY = Registry("initializer", {
    f.__name__: f
    for f in (glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform,
              lecun_normal, orthogonal, uniform, synaptic, normal, zeros, ones)
}, aliases=ALIASES)

_DEFAULT_BY_ACTIVATION = {
    "relu": "he_uniform", "leaky_relu": "he_uniform", "elu": "he_uniform",
    "gelu": "he_uniform", "softplus": "he_uniform",
    "identity": "glorot_uniform", "logistic": "glorot_uniform", "tanh": "glorot_uniform",
    "softmax": "glorot_uniform", "step": "glorot_uniform", "sign": "glorot_uniform",
}


names = REGISTRY.names


def get(name: str):
    """Look an initialiser up by name; an unknown name lists the valid ones."""
    if callable(name):
        return name
    return REGISTRY.lookup(name)


def default_for(activation_name: str) -> str:
    """The customary weight initialiser for a layer with this activation.

    He for the rectifier family (keeps the variance of ``z`` constant when half
    the units are off), Glorot for the symmetric squashing functions.
    """
    return _DEFAULT_BY_ACTIVATION.get(activation_name, "glorot_uniform")


def start_at_chance(layer, targets, loss_name: str, weight_scale: float = 0.0, sample_weight=None) -> None:
    """Set a built output :class:`~axonal.Dense` layer so that the first loss is its chance level.

    The weights are scaled by ``weight_scale`` (0: all zero), so every input starts with
    (almost) the same output ``z ≈ b``, and the bias ``b`` (units,) is set to the best
    constant prediction for the training targets:

    * ``softmax_cross_entropy``, targets ``(n,)`` class codes or ``(n, K)`` one-hot:
      ``b_k = ln p_k - mean_k(ln p_k)`` with ``p_k = (n_k + 1)/(n + K)`` the smoothed class
      priors, so ``softmax(b) = p`` and the first loss is the entropy of the priors
      (``ln K`` for balanced classes), not the several nats of random large logits;
    * ``binary_cross_entropy_logits``, targets ``(n,)`` or ``(n, 1)`` in {0, 1}:
      ``b = ln(p / (1 - p))``;
    * ``mse`` (and other losses on numbers), targets ``(n,)`` or ``(n, k)``: ``b = mean(t)``,
      so the first loss is the targets' variance.

    ``sample_weight`` (n,) weighs the samples in the priors and the mean (a weight ``k`` counts
    as ``k`` copies). Used by ``axonal train`` and the :mod:`axonal.sklearn` estimators on the networks they
    build; a layer's explicit initialisers are otherwise left alone.
    """
    weight = layer.params["weight"]
    weight *= weight_scale
    if "bias" not in layer.params:
        return
    bias = layer.params["bias"]
    t = np.asarray(targets)
    units = bias.shape[0]
    w = np.ones(t.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if loss_name == "softmax_cross_entropy":
        counts = np.bincount(t.astype(np.int64).reshape(-1), weights=w, minlength=units)[:units] if t.ndim == 1 \
            else (t.reshape(-1, units) * w[:, None]).sum(axis=0)
        p = (counts + 1.0) / (counts.sum() + units)
        bias[...] = np.log(p) - np.log(p).mean()
    elif loss_name == "binary_cross_entropy_logits":
        p = (float(np.sum(t.reshape(-1) * w)) + 1.0) / (w.sum() + 2.0)
        bias[...] = np.log(p / (1.0 - p))
    else:
        bias[...] = np.average(t.reshape(t.shape[0], -1).astype(np.float64), axis=0, weights=w)[:units]
