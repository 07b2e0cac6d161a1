"""Checks of layer constructor arguments: the generic ones of :mod:`axonal.validation`, and
initialiser names, checked when the layer is made rather than when it is built."""

from __future__ import annotations

from ..validation import finite_real, flag, optional_positive_int, positive_int

__all__ = ["positive_int", "optional_positive_int", "flag", "finite_real", "initializer_name"]


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
