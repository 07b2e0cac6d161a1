"""Values a blueprint is given (weights, masks, gating indices, activations), checked.

Each check takes what a caller or a config file gave and returns it in the form the
blueprint keeps, or raises ``ValueError`` naming the connection and what is wrong.
Numbers are numbers (no booleans, no text) and finite; arrays have the connection's
shape; masks hold 0/1; gating indices name a neuron of the gater or -1.
"""

from __future__ import annotations

import numpy as np

from .. import activations as _activations
from ..names import printable

__all__ = ["activation_config", "check_index", "check_mask", "check_values", "is_finite_number"]


def is_finite_number(value) -> bool:
    """``True`` for a finite int or float (NumPy's too), ``False`` for booleans, text, NaN, ±inf
    and integers too large for a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return bool(np.isfinite(float(value)))
    except OverflowError:
        return False


def activation_config(activation):
    """An activation as a config holds it: its name, or its config when it has parameters."""
    act = _activations.get(activation)
    config = act.get_config()
    return act.name if config == {"name": act.name} or not config else config


def check_values(values, shape, what):
    """``values`` as a float or a float64 array of ``shape``: finite numbers only (no booleans, no text)."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"graph: {what} must be a number or an array of numbers ({printable(exc, 80)})") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"graph: {what} must be numbers, got {arr.dtype.name} values")
    if arr.ndim == 0:
        if not np.isfinite(arr):
            raise ValueError(f"graph: {what} must be finite, got {printable(repr(values), 40)}")
        return float(arr)
    arr = arr.astype(np.float64)
    if arr.shape != tuple(shape):
        raise ValueError(f"graph: {what} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"graph: {what} contain NaN or infinity")
    return arr


def check_mask(mask, shape, name, kind):
    """A boolean mask of ``shape`` from booleans or 0/1 integers; ``all_to_else`` and ``in_order`` lose
    their diagonal and become ``None`` when every other synapse is present."""
    try:
        arr = np.asarray(mask)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"graph: connection {name!r}: mask must be an array of 0/1 ({printable(exc, 80)})") from None
    if arr.shape != tuple(shape):
        raise ValueError(f"graph: connection {name!r}: mask must have shape {tuple(shape)}, got {arr.shape}")
    if arr.dtype.kind not in "biu" or (arr.dtype.kind != "b" and arr.size and (arr.min() < 0 or arr.max() > 1)):
        raise ValueError(f"graph: connection {name!r}: mask values must be 0/1 or booleans")
    arr = arr.astype(bool)
    if kind in ("all_to_else", "in_order"):
        np.fill_diagonal(arr, False)
        if int(arr.sum()) == arr.size - shape[0]:
            return None
    return arr


def check_index(index, shape, name, gater):
    """A synapse-gating index: integers of ``shape``, each -1 or a neuron of ``gater``."""
    try:
        idx = np.asarray(index if index is not None else [])
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"graph: synapse gating of {name!r}: index must be integers ({printable(exc, 80)})") from None
    if index is None or idx.shape != tuple(shape):
        raise ValueError(f"graph: synapse gating of {name!r} needs an index array of shape "
                         f"{tuple(shape)}, got {None if index is None else idx.shape}")
    if idx.dtype.kind not in "iu" and not (idx.size == 0 and idx.dtype.kind == "f"):
        raise ValueError(f"graph: synapse gating of {name!r}: index values must be integers, got {idx.dtype.name}")
    if idx.size and (idx.min() < -1 or idx.max() >= gater.size):
        raise ValueError(f"graph: synapse gating of {name!r}: index values must be -1 or a neuron "
                         f"of {gater.name!r} (0..{gater.size - 1})")
    return idx.astype(np.int64)
