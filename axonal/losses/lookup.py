"""Losses by name: the registry of :mod:`axonal.losses`, and losses of your own registered in it.

>>> import numpy as np
>>> from axonal import losses
>>> @losses.register("quartic", gradient=lambda target, output: 4 * (output - target) ** 3)
... def quartic(target, output):
...     return ((output - target) ** 4).sum(axis=-1)
>>> losses.get("quartic").value(np.array([[2.0]]), np.array([[0.0]]))
16.0
>>> losses.unregister("quartic")

``function(target, output)`` takes Synaptic's order, target first. Both arrays have
shape ``(batch, outputs)``; it returns the per-sample costs ``ℓ_i`` (``(batch,)``), or,
written for one sample as Synaptic's costs are, a number (it is then called row by row
with ``(outputs,)`` arrays). ``gradient(target, output)`` returns ``∂ℓ_i/∂ŷ_i``, shape
``(batch, outputs)``. As for every loss, ``E = Σ_i w_i·ℓ_i / Σ_i w_i``
(:mod:`axonal.losses`).

A registered name (or the registered function itself) is accepted wherever a loss is:
``fit(loss=...)``, ``Sequential(loss=...)``, Synaptic's ``Trainer(cost=...)``. A model
file names the loss; ``axonal.load`` finds it only in a process that registered the
same name (otherwise a ``ModelFileError`` naming it). Without a gradient a cost can only
measure (Synaptic's rule, ``Trainer(rule="synaptic")``, uses the cost only to measure);
training by its gradient asks for one. Compiled kernels cannot call Python functions:
training with a custom loss takes the NumPy path.
"""

from __future__ import annotations

import numpy as np

from ..names import printable
from ..registry import Registry
from .base import Loss
from .classification import (BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CategoricalCrossEntropy,
                             SoftmaxCrossEntropy)
from .regression import Huber, MeanAbsoluteError, MeanSquaredError, SquaredError

__all__ = ["REGISTRY", "CustomLoss", "from_function", "get", "measuring", "names", "register", "unregister"]

_HOW = ("register it with its gradient first: axonal.losses.register('name', cost, "
        "gradient=lambda target, output: dcost/doutput)")


class CustomLoss(Loss):
    """A loss from ``function(target, output)`` and optionally ``gradient(target, output)``.

    Made by :func:`register` (named, saved by name) or by :func:`measuring` (a function
    that was not registered: it measures, and cannot be saved).
    """

    def __init__(self, name: str, function, gradient=None, *, registered: bool = True):
        self.name, self.function, self.gradient, self.registered = name, function, gradient, registered

    @property
    def has_gradient(self) -> bool:
        return self.gradient is not None

    def _per_sample(self, y_pred, y_true):
        n = y_pred.shape[0]
        values = np.asarray(self.function(y_true, y_pred), dtype=np.float64)
        if values.ndim == 0 and n > 1:   # written for one sample: row by row
            values = np.array([float(self.function(y_true[i], y_pred[i])) for i in range(n)])
        values = values.reshape(-1) if values.size == n else values
        if values.shape != (n,):
            raise ValueError(f"loss {self.name!r}: the cost returned shape {values.shape} for a batch of {n}; it "
                             f"must return one number per sample (shape ({n},)), or one number for one sample")
        return values

    def _grad_unscaled(self, y_pred, y_true, out=None):
        if self.gradient is None:
            raise ValueError(f"loss {self.name!r} has no gradient, so it cannot train a network by its gradient; "
                             f"{_HOW}")
        g = np.asarray(self.gradient(y_true, y_pred))
        if g.shape != y_pred.shape:
            raise ValueError(f"loss {self.name!r}: the gradient returned shape {g.shape} for outputs of shape "
                             f"{y_pred.shape}; it must return ∂ℓ_i/∂ŷ_i of the outputs' shape")
        if out is None:
            return g.astype(y_pred.dtype, copy=True)
        np.copyto(out, g, casting="unsafe")
        return out

    def get_config(self) -> dict:
        if not self.registered:
            raise ValueError(f"the cost function {self.name!r} is not registered, so nothing can name it in a file; "
                             f"{_HOW}")
        return {"name": self.name}

    def __reduce__(self):
        if not self.registered:
            raise TypeError(f"the cost function {self.name!r} is not registered and cannot be pickled; {_HOW}")
        return get, (self.name,)


class _Maker:
    """The registry's entry for a custom loss: calling it gives the loss (no config)."""

    def __init__(self, loss: CustomLoss):
        self.loss, self.name = loss, loss.name

    def __call__(self) -> CustomLoss:
        return self.loss


def register(name: str, function=None, *, gradient=None, replace: bool = False):
    """Register ``function(target, output)`` (and its ``gradient(target, output)``) as loss ``name``.

    Usable as a decorator (returns the function unchanged) or called with the function.
    ``name`` follows the name alphabet and is looked up as other loss names are; a built-in
    name is refused, a registration of your own replaced only with ``replace=True``.
    """
    if gradient is not None and not callable(gradient):
        raise TypeError(f"register: gradient of loss {str(name)!r:.70} must be a function (target, output) -> "
                        f"∂ℓ/∂output, got {type(gradient).__name__}")

    return REGISTRY.user_decorator(name, function, lambda key, fn: _Maker(CustomLoss(key, fn, gradient)),
                                   expects="(target, output) -> cost", replace=replace)


def unregister(name: str) -> None:
    """Forget the loss of your own registered as ``name``."""
    REGISTRY.remove_user(name)


def from_function(fn) -> CustomLoss:
    """The registered loss whose function is ``fn``; a ``ValueError`` saying how to register it otherwise."""
    for key in REGISTRY.user:
        entry = REGISTRY[key]
        if entry.loss.function is fn:
            return entry.loss
    raise ValueError(f"loss: the function {_label(fn)!r} is not a registered loss; training by a loss needs its "
                     f"gradient ∂ℓ/∂output, which a plain function does not give: {_HOW}")


def measuring(fn) -> CustomLoss:
    """A loss that measures with ``fn(target, output)``: the registered one, or else an unnamed one
    without gradient (for Synaptic's rule, where the cost only measures)."""
    try:
        return from_function(fn)
    except ValueError:
        return CustomLoss(_label(fn), fn, None, registered=False)


def _label(fn) -> str:
    return printable(getattr(fn, "__name__", None) or type(fn).__name__, 64)


REGISTRY = Registry("loss", {
    cls.name: cls
    for cls in (MeanSquaredError, SquaredError, MeanAbsoluteError, Huber, BinaryCrossEntropy,
                BinaryCrossEntropyWithLogits, CategoricalCrossEntropy, SoftmaxCrossEntropy)
}, hint="one of your own must be registered in this process first: axonal.losses.register(name, cost, "
        "gradient=...)")
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
    """Return a loss from a name (``"mse"``), a config dict, an instance or a registered function.

    A function ``cost(target, output)`` that was not registered is a ``ValueError`` saying
    how to register it with its gradient (training needs the gradient).
    """
    if isinstance(spec, Loss):
        return spec
    if callable(spec) and not isinstance(spec, type):
        return from_function(spec)
    if isinstance(spec, dict):
        config = dict(spec)
        return _lookup(config.pop("name", None))(**config)
    if isinstance(spec, str):
        return _lookup(spec)()
    raise TypeError(f"loss must be a name, a config dict or a Loss, got {type(spec).__name__}")


_lookup = REGISTRY.lookup
