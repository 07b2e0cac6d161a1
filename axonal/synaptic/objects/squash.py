r"""Synaptic's squash functions and where the object API draws its random initial values.

A squash is called as Synaptic calls it, ``f(x)`` or ``f(x, True)`` for the derivative::

    LOGISTIC  f(x) = 1 / (1 + e^-x)           f'(x) = f(x)·(1 - f(x))
    TANH      f(x) = tanh x                   f'(x) = 1 - tanh² x
    IDENTITY  f(x) = x                        f'(x) = 1
    HLIM      f(x) = 1 if x > 0 else 0        f'(x) = 1
    RELU      f(x) = max(x, 0)                f'(x) = 1 if x > 0 else 0

Random values: Synaptic draws every new neuron's bias and every new connection's weight
(unless given) as ``Math.random()·0.2 - 0.1``, in creation order. :func:`seed` makes those
draws reproducible; :func:`use_random` takes any ``() -> float in [0, 1)``, such as
:func:`mulberry32`, the seeded generator Synaptic's test harness installs as ``Math.random``,
so that a port builds exactly the weights the JavaScript built.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SQUASH", "Squash", "draw", "mulberry32", "seed", "use_random"]


class Squash:
    """One of Synaptic's squash functions, named as Synaptic names it (``"LOGISTIC"``, ...)."""

    __slots__ = ("_df", "_f", "name")

    def __init__(self, name, f, df):
        self.name, self._f, self._df = name, f, df

    def __call__(self, x, derivate=False):
        return self._df(x) if derivate else self._f(x)

    def __repr__(self):
        return f"Neuron.squash.{self.name}"

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
    return _BY_NAME[name]


def as_squash(value) -> Squash:
    """``value`` (a :class:`Squash` or its name) as a :class:`Squash`; anything else is refused."""
    if isinstance(value, Squash):
        return value
    if isinstance(value, str) and value.upper() in _BY_NAME:
        return _BY_NAME[value.upper()]
    raise ValueError(f"squash must be one of Synaptic's Neuron.squash.{', '.join(_BY_NAME)} (or its name); "
                     f"got {value!r:.60}")


class _Source:
    random = np.random.default_rng().random


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
