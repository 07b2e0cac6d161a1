"""Checks of arguments, written once: each returns the value in its canonical type or raises a
``ValueError`` that names where (``"fit"``, ``"Dense"``, ``"Trainer"``) and which argument.

``bool`` is never a number here (``True`` is not an epoch count), and real numbers
must be finite unless a check says otherwise. Constructors check their arguments
with these, so the same checks serve users and configs read from files.

>>> positive_int(3, "fit", "epochs")
3
>>> positive_int(True, "fit", "epochs")
Traceback (most recent call last):
...
ValueError: fit: epochs must be a positive integer, got True
>>> in_interval(1.0, "Trainer", "success", low=0, high=1, low_open=True)
1.0
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["is_real", "positive_int", "optional_positive_int", "non_negative_int", "integer_at_least", "flag", "finite_real",
           "positive_real", "non_negative_real", "in_interval"]


def is_real(value) -> bool:
    """A real number (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value, where: str, argument: str) -> int:
    """``value`` as an ``int`` ≥ 1."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{where}: {argument} must be a positive integer, got {value!r:.40}")
    return int(value)


def optional_positive_int(value, where: str, argument: str) -> int | None:
    """``None``, or ``value`` as an ``int`` ≥ 1."""
    return None if value is None else positive_int(value, where, argument)


def non_negative_int(value, where: str, argument: str) -> int:
    """``value`` as an ``int`` ≥ 0."""
    if not _is_int(value) or value < 0:
        raise ValueError(f"{where}: {argument} must be a non-negative integer, got {value!r:.40}")
    return int(value)


def integer_at_least(value, minimum: int, where: str, argument: str) -> int:
    """``value`` as an ``int`` ≥ ``minimum``."""
    if not _is_int(value) or value < minimum:
        raise ValueError(f"{where}: {argument} must be an integer >= {minimum}, got {value!r:.40}")
    return int(value)


def flag(value, where: str, argument: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (NumPy's too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {argument} must be True or False, got {value!r:.40}")
    return bool(value)


def finite_real(value, where: str, argument: str) -> float:
    """``value`` as a finite ``float``."""
    if not is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{where}: {argument} must be a finite number, got {value!r:.40}")
    return float(value)


def positive_real(value, where: str, argument: str) -> float:
    """``value`` as a finite ``float`` > 0."""
    if not is_real(value) or not math.isfinite(float(value)) or value <= 0:
        raise ValueError(f"{where}: {argument} must be a finite number > 0, got {value!r:.40}")
    return float(value)


def non_negative_real(value, where: str, argument: str) -> float:
    """``value`` as a finite ``float`` ≥ 0."""
    if not is_real(value) or not math.isfinite(float(value)) or value < 0:
        raise ValueError(f"{where}: {argument} must be a finite number >= 0, got {value!r:.40}")
    return float(value)


def in_interval(value, where: str, argument: str, *, low: float, high: float, low_open: bool = False,
                high_open: bool = False) -> float:
    """``value`` as a ``float`` in the interval from ``low`` to ``high`` (ends open or closed)."""
    if not is_real(value) or math.isnan(float(value)) or value < low or value > high \
            or (low_open and value == low) or (high_open and value == high):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{where}: {argument} must be in {left}{low}, {high}{right}, got {value!r:.40}")
    return float(value)
