"""Helpers shared by the sequence tasks: the seeded generator, argument checks, one-hot rows."""

from __future__ import annotations

import numpy as np

from ...validation import integer_at_least


def _generator(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _integer(value, name: str, where: str, minimum: int = 1) -> int:
    return integer_at_least(value, minimum, where, name)


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    """``(...,)`` integer codes in ``0..width-1`` -> ``(..., width)`` float32 one-hot rows."""
    out = np.zeros(codes.shape + (width,), dtype=np.float32)
    np.put_along_axis(out, codes[..., None], 1.0, axis=-1)
    return out


def _symbols(value, name: str, where: str) -> list:
    try:
        symbols = list(value)
    except TypeError:
        raise ValueError(f"{where}: {name} must be a sequence of integer symbols, got {value!r}") from None
    if not symbols or not all(isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_))
                              for s in symbols):
        raise ValueError(f"{where}: {name} must be a non-empty sequence of integer symbols, got {value!r}")
    return [int(s) for s in symbols]
