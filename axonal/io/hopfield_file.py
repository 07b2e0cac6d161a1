"""A Hopfield memory in a model file: kind ``"hopfield"``, two float64 tensors.

::

    hopfield.hebbian_sum   F64 (n, n)   Σ_μ ξξᵀ with a zero diagonal (integers, exact in float64)
    hopfield.thresholds    F64 (n,)     θ

and the header field ``hopfield``: ``{"size", "units", "patterns_stored", "seed"}``.
The tensor shapes are checked against ``size`` before the memory is built, and
:meth:`~axonal.hopfield.Hopfield.from_dict` checks that the sum is one of ±1 patterns.
"""

from __future__ import annotations

import numpy as np

from ..hopfield import Hopfield
from .container import fail

__all__ = ["hopfield_tensors", "hopfield_entry", "expected_tensors", "rebuild_hopfield"]

_SUM, _THRESHOLDS = "hopfield.hebbian_sum", "hopfield.thresholds"


def hopfield_entry(net: Hopfield) -> dict:
    """The header's ``hopfield`` field."""
    data = net.to_dict()
    return {key: data[key] for key in ("size", "units", "patterns_stored", "seed")}


def hopfield_tensors(net: Hopfield) -> dict:
    data = net.to_dict()
    return {_SUM: np.asarray(data["hebbian_sum"], dtype=np.float64),
            _THRESHOLDS: np.asarray(data["thresholds"], dtype=np.float64)}


def expected_tensors(entry: dict) -> dict:
    """``{tensor name: shape}`` the header's ``hopfield`` field calls for."""
    n = entry["size"]
    return {_SUM: (n, n), _THRESHOLDS: (n,)}


def rebuild_hopfield(path, entry: dict, arrays: dict) -> Hopfield:
    """The memory from the checked header field and the tensors; ``ModelFileError`` if they do not fit."""
    try:
        return Hopfield.from_dict({**entry, "hebbian_sum": arrays[_SUM], "thresholds": arrays[_THRESHOLDS]})
    except (ValueError, TypeError) as exc:
        raise fail(path, "invalid Hopfield memory", f"{str(exc).splitlines()[0]:.300}") from None
