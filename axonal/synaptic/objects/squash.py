r"""Synaptic's squash functions and where the object API draws its random initial values.

A squash is called as Synaptic calls it, ``f(x)`` or ``f(x, True)`` for the derivative::

    LOGISTIC  f(x) = 1 / (1 + e^-x)           f'(x) = f(x)·(1 - f(x))
    TANH      f(x) = tanh x                   f'(x) = 1 - tanh² x
    IDENTITY  f(x) = x                        f'(x) = 1
    HLIM      f(x) = 1 if x > 0 else 0        f'(x) = 1
    RELU      f(x) = max(x, 0)                f'(x) = 1 if x > 0 else 0

A squash of your own is an activation registered with :func:`axonal.register_activation`
(``f`` and ``f'`` as vectorised NumPy functions): ``neuron.squash = fn`` (the registered
function) or ``neuron.squash = "name"``. It compiles as the built-in ones do, into a graph
layer with that activation (which runs on the NumPy path: kernels cannot call Python).
A function that is not registered is refused with an error naming the neuron or layer and
how to register it; a JSON file names the function and never holds code, so reading one
(``Network.fromJSON``, ``clone``) needs the same name registered.

Random values: Synaptic draws every new neuron's bias and every new connection's weight
(unless given) as ``Math.random()·0.2 - 0.1``, in creation order. :func:`seed` makes those
draws reproducible; :func:`use_random` takes any ``() -> float in [0, 1)``, such as
:func:`mulberry32`, the seeded generator Synaptic's test harness installs as ``Math.random``,
so that a port builds exactly the weights the JavaScript built.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...activations import REGISTRY as _ACTIVATIONS
from ...custom_activations import CustomActivation
from ...names import printable

__all__ = ["SQUASH", "Squash", "draw", "mulberry32", "seed", "use_random"]


class Squash:
    """One of Synaptic's squash functions, named as Synaptic names it (``"LOGISTIC"``, ...), or
    an activation of your own (``activation``, named by its registered name)."""

    __slots__ = ("_df", "_f", "activation", "name")

    def __init__(self, name: str, f: Callable[[float], float], df: Callable[[float], float],
                 activation: CustomActivation | None = None):
        self.name, self._f, self._df, self.activation = name, f, df, activation

    def __call__(self, x, derivate=False):
        return self._df(x) if derivate else self._f(x)

    def __repr__(self):
        return f"Neuron.squash.{self.name}" if self.activation is None else f"Squash({self.name!r}, registered)"

    def __reduce__(self):
        return (_squash_named, (self.name,))


def _logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


class _Squashes:
    """``Neuron.squash``: the five functions as attributes, as Synaptic spells them."""

    LOGISTIC = Squash("LOGISTIC", _logistic, lambda x: _logistic(x) * (1.0 - _logistic(x)))
    TANH = Squash("TANH", math.tanh, lambda x: 1.0 - math.tanh(x) ** 2)
    IDENTITY = Squash("IDENTITY", lambda x: x, lambda x: 1.0)
    HLIM = Squash("HLIM", lambda x: 1.0 if x > 0 else 0.0, lambda x: 1.0)
    RELU = Squash("RELU", lambda x: x if x > 0 else 0.0, lambda x: 1.0 if x > 0 else 0.0)

    def __iter__(self):
        return iter((self.LOGISTIC, self.TANH, self.IDENTITY, self.HLIM, self.RELU))

    def __repr__(self):
        return "Neuron.squash (LOGISTIC, TANH, IDENTITY, HLIM, RELU)"


SQUASH = _Squashes()
_BY_NAME = {s.name: s for s in SQUASH}


def _squash_named(name):
    return as_squash(name)


#: registered name -> the Squash made for it (one object per registration, so neurons given the
#: same function share one squash, which is how a layer is seen to have one activation)
_CUSTOM: dict[str, Squash] = {}


def _custom(activation: CustomActivation) -> Squash:
    made = _CUSTOM.get(activation.name)
    if made is None or made.activation is not activation:
        def f(x: float) -> float:
            return float(activation.forward(np.array([x], dtype=np.float64))[0])

        def df(x: float) -> float:
            z = np.array([x], dtype=np.float64)
            return float(activation.backward(np.ones(1), z, activation.forward(z))[0])

        made = _CUSTOM[activation.name] = Squash(activation.name, f, df, activation)
    return made


def registered(value) -> CustomActivation | None:
    """The activation registered with :func:`axonal.register_activation` that ``value`` is (its
    name, its function or itself), or ``None``."""
    if isinstance(value, str):
        key = _ACTIVATIONS.key(value)
        return _ACTIVATIONS[key].activation if key in _ACTIVATIONS.user else None
    for key in _ACTIVATIONS.user:
        activation = _ACTIVATIONS[key].activation
        if value is activation or value is activation.function:
            return activation
    return None


def is_current(squash: Squash) -> bool:
    """Whether ``squash`` is a built-in one or still the registration of its name."""
    return squash.activation is None or registered(squash.name) is squash.activation


def as_squash(value, where: str = "squash") -> Squash:
    """``value`` as a :class:`Squash`: a Squash, one of Synaptic's names, or an activation
    registered with :func:`axonal.register_activation` (its name or function). Anything else is
    refused with a ``ValueError`` that starts with ``where`` (the neuron or layer)."""
    if isinstance(value, Squash):
        return value
    if isinstance(value, str) and value.upper() in _BY_NAME:
        return _BY_NAME[value.upper()]
    activation = registered(value)
    if activation is not None:
        return _custom(activation)
    builtin = ", ".join(_BY_NAME)
    if callable(value):
        label = getattr(value, "__name__", None)
        label = label if isinstance(label, str) and label else repr(value)
        shown = label if label.isidentifier() else "my_squash"
        raise ValueError(f"{where}: the function {printable(repr(label), 80)} is not a registered activation; "
                         f"register it with f and f' as vectorised NumPy functions, "
                         f"axonal.register_activation({shown!r}, {shown}, derivative=lambda z: ...), then set "
                         f"it (by the function or by {shown!r}); Synaptic's own are Neuron.squash.{builtin}")
    raise ValueError(f"{where}: squash must be one of Synaptic's Neuron.squash.{builtin}, its name, or an "
                     f"activation registered with axonal.register_activation (by name or function); got "
                     f"{printable(repr(value), 60)}")


class _Source:
    """Where the initial values come from: ``random()``, a float in ``[0, 1)`` a call."""

    def __init__(self) -> None:
        self.random: Callable[[], float] = np.random.default_rng().random


_SOURCE = _Source()


def seed(value=None) -> None:
    """Draw the initial biases and weights from ``numpy.random.default_rng(value)`` from now on."""
    _SOURCE.random = np.random.default_rng(value).random


def use_random(random) -> None:
    """Draw from ``random()`` (a callable returning floats in ``[0, 1)``) from now on."""
    if not callable(random):
        raise TypeError(f"use_random needs a callable returning floats in [0, 1); got {type(random).__name__}")
    _SOURCE.random = random


def draw() -> float:
    """One initial value as Synaptic draws it: ``random()·0.2 - 0.1``, in ``[-0.1, 0.1)``."""
    return float(_SOURCE.random()) * .2 - .1


def mulberry32(state: int):
    """JavaScript's mulberry32 generator seeded with ``state`` (what Synaptic's test harness
    installs as ``Math.random``): a callable returning the same floats in the same order."""
    a = state & 0xFFFFFFFF

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def random():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(a ^ (a >> 15), 1 | a)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & 0xFFFFFFFF) ^ t
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return random
