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

``get("mse")`` looks a loss up by name. Your own cost is registered with
:func:`register` (the function and its gradient, vectorised NumPy; see
:mod:`axonal.losses.lookup`); a registered function is accepted where a loss is.
:class:`SynapticDelta` is Synaptic's learning rule in these terms
(:mod:`axonal.losses.synaptic`).

Modules: :mod:`~axonal.losses.base` (the contract), :mod:`~axonal.losses.regression`,
:mod:`~axonal.losses.classification`, :mod:`~axonal.losses.lookup` (names, and your own),
:mod:`~axonal.losses.synaptic` (Synaptic's rule).
"""

from __future__ import annotations

from .base import Loss, check_sample_weight
from .classification import (BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CategoricalCrossEntropy,
                             SoftmaxCrossEntropy)
from .lookup import ALIASES, REGISTRY, CustomLoss, get, names, register, unregister
from .regression import Huber, MeanAbsoluteError, MeanSquaredError, SquaredError
from .synaptic import SynapticDelta

__all__ = [
    "Loss", "MeanSquaredError", "SquaredError", "MeanAbsoluteError", "Huber",
    "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "CategoricalCrossEntropy",
    "SoftmaxCrossEntropy", "SynapticDelta", "CustomLoss", "get", "names", "REGISTRY", "check_sample_weight",
    "register", "unregister", "ALIASES",
]
