"""Optimizers: how a gradient becomes a parameter update.

==========  ===============================================================
name        algorithm
==========  ===============================================================
sgd         gradient descent ``p ← p - η·g`` (online, mini- or full batch)
momentum    SGD with heavy-ball momentum 0.9
nesterov    SGD with Nesterov momentum 0.9
adagrad     per-parameter rates from the sum of squared gradients
rmsprop     per-parameter rates from a running mean of squared gradients
adam        momentum and RMSprop with bias correction
adamw       Adam with decoupled weight decay
rprop       iRprop⁻: sign-based step sizes, for full-batch training
==========  ===============================================================
"""

from ..registry import Registry
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Rprop", "get", "names", "REGISTRY"]

REGISTRY = Registry("optimizer", {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW, Rprop)})
#: Names that stand for an optimizer with settings: SGD with momentum, and with Nesterov's momentum.
_PRESETS = {"momentum": (SGD, {"momentum": 0.9}), "nesterov": (SGD, {"momentum": 0.9, "nesterov": True})}


def names() -> list[str]:
    return sorted(set(REGISTRY.names()) | set(_PRESETS))


def get(spec, **overrides) -> Optimizer:
    """An optimizer from a name (``"adam"``), a config dict (``{"name": "sgd", ...}``) or an instance.

    ``overrides`` (e.g. ``learning_rate=0.1``) are passed to the constructor of a
    named optimizer.
    """
    if isinstance(spec, Optimizer):
        if overrides:
            raise ValueError(f"give {', '.join(overrides)} to the {spec.name} optimizer itself, not to fit")
        return spec
    if isinstance(spec, dict):
        config = dict(spec)
        name = config.pop("name", None)
        return get(name, **{**config, **overrides})
    if not isinstance(spec, str):
        raise TypeError(f"optimizer must be a name, a config dict or an Optimizer, got {type(spec).__name__}")
    key = REGISTRY.key(spec)
    if key in _PRESETS:
        cls, preset = _PRESETS[key]
        kwargs = {**preset, **overrides}
    elif key in REGISTRY:
        cls, kwargs = REGISTRY[key], overrides
    else:
        raise ValueError(f"unknown optimizer {spec!r}; valid names: {', '.join(names())}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise TypeError(f"{key}: {exc}") from None
