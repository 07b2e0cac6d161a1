"""Checks of layer constructor arguments: the same checks serve users and configs read from files.

Each returns the value in its canonical type or raises ``ValueError`` naming the layer
class and the argument. ``bool`` is not an integer here, and floats must be finite.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["positive_int", "optional_positive_int", "flag", "finite_real", "initializer_name"]


def positive_int(value, where: str, argument: str) -> int:
    """``value`` as an ``int`` ≥ 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {argument} must be a positive integer, got {value!r:.40}")
    return int(value)


def optional_positive_int(value, where: str, argument: str) -> int | None:
    """``None``, or ``value`` as an ``int`` ≥ 1."""
    return None if value is None else positive_int(value, where, argument)


def flag(value, where: str, argument: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (NumPy's too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {argument} must be True or False, got {value!r:.40}")
    return bool(value)


def finite_real(value, where: str, argument: str) -> float:
    """``value`` as a finite ``float`` (an int or a float, not a bool or a string)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)):
        raise ValueError(f"{where}: {argument} must be a finite number, got {value!r:.40}")
    return float(value)


def initializer_name(value, where: str, argument: str):
    """A registered initialiser name (or a callable given in Python), checked now rather than at build."""
    from .. import initializers
    if not callable(value) and not isinstance(value, str):
        raise ValueError(f"{where}: {argument} must be an initializer name, got {value!r:.40}")
    try:
        initializers.get(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {argument}: {exc}") from None
    return value
