"""Loss functions: the error ``E`` a network minimises, with its gradient ``∂E/∂ŷ``.

Every loss works on predictions ``ŷ`` of shape ``(batch, outputs)`` and targets of
the same shape, and reduces in two steps:

1. a per-sample loss ``ℓ_i`` (documented per class: a mean or a sum over outputs);
2. a weighted mean over samples ``E = Σ_i w_i·ℓ_i / Σ_i w_i`` (``w_i = 1`` when no
   ``sample_weight`` is given, which makes ``E`` the plain mean). Normalising by
   ``Σ w`` means a sample of weight ``k`` counts exactly as ``k`` copies of it.

``grad`` returns ``∂E/∂ŷ`` with the same shape as ``ŷ``; this is the ``δ`` that
backpropagation starts from. Because of the mean, it already carries the
``w_i / Σ w`` factor, so layers simply sum over the batch.

``get("mse")`` looks a loss up by name.

Modules: :mod:`~axonal.losses.base` (the contract), :mod:`~axonal.losses.regression`,
:mod:`~axonal.losses.classification`.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Loss, check_sample_weight
from .classification import (BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CategoricalCrossEntropy,
                             SoftmaxCrossEntropy)
from .regression import Huber, MeanAbsoluteError, MeanSquaredError, SquaredError

__all__ = [
    "Loss", "MeanSquaredError", "SquaredError", "MeanAbsoluteError", "Huber",
    "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "CategoricalCrossEntropy",
    "SoftmaxCrossEntropy", "get", "names", "REGISTRY", "check_sample_weight",
]

REGISTRY = Registry("loss", {
    cls.name: cls
    for cls in (MeanSquaredError, SquaredError, MeanAbsoluteError, Huber, BinaryCrossEntropy,
                BinaryCrossEntropyWithLogits, CategoricalCrossEntropy, SoftmaxCrossEntropy)
})
ALIASES = {
    "mean_squared_error": "mse", "sse": "squared_error", "half_squared_error": "squared_error",
    "mean_absolute_error": "mae", "l1": "mae", "binary_crossentropy": "binary_cross_entropy",
    "bce": "binary_cross_entropy", "bce_logits": "binary_cross_entropy_logits",
    "cross_entropy": "softmax_cross_entropy", "categorical_crossentropy": "categorical_cross_entropy",
    "sparse_categorical_crossentropy": "categorical_cross_entropy",   # Keras: probabilities, integer labels
}


REGISTRY.aliases.update(ALIASES)
names = REGISTRY.names


def get(spec) -> Loss:
    """Return a loss from a name (``"mse"``), a config dict or an instance."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, dict):
        config = dict(spec)
        return _lookup(config.pop("name", None))(**config)
    if isinstance(spec, str):
        return _lookup(spec)()
    raise TypeError(f"loss must be a name, a config dict or a Loss, got {type(spec).__name__}")


_lookup = REGISTRY.lookup
