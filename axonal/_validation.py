"""Checks applied to data where it enters a network: shape, dtype and finiteness."""

from __future__ import annotations

import numpy as np


def as_input_array(x, dtype, where: str) -> np.ndarray:
    """Return ``x`` as a C-contiguous ``(batch, features...)`` array of ``dtype``.

    A 1-D ``x`` is one sample. NaN or Inf is rejected with the row and column
    of the first bad value.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{where}: input could not be read as an array ({_first_line(exc)}); "
                         f"every row needs the same number of values") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{where}: input must be numeric, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{where}: input must be real numbers, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{where}: input must be an array of shape (batch, features), got a scalar")
    if arr.ndim == 1:
        arr = arr[None, :]
    check_finite(arr, where)
    if arr.dtype.kind == "f" and arr.dtype.itemsize > np.dtype(dtype).itemsize:
        limit = np.finfo(dtype).max
        too_big = np.abs(arr) > limit
        if too_big.any():
            row, col = np.argwhere(too_big)[0][:2]
            raise ValueError(f"{where}: input value {arr[row, col]:.3g} at row {row}, column {col} is beyond "
                             f"the range of {np.dtype(dtype)}; scale the inputs")
    return np.ascontiguousarray(arr, dtype=dtype)


def _first_line(exc) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


_CHUNK_ROWS = 4096


def check_finite(arr: np.ndarray, where: str, what: str = "input") -> None:
    """Raise ``ValueError`` naming the row and column of the first NaN or Inf.

    Checked a block of rows at a time, so a large data set never needs a mask as
    big as itself.
    """
    if arr.dtype.kind != "f":
        return
    for start in range(0, len(arr), _CHUNK_ROWS):
        block = arr[start:start + _CHUNK_ROWS]
        if np.isfinite(block).all():
            continue
        bad = np.argwhere(~np.isfinite(block))[0]
        bad[0] += start
        value = arr[tuple(bad)]
        where_in = f"row {bad[0]}" + (f", column {bad[1]}" if len(bad) > 1 else "")
        if len(bad) > 2:
            where_in += ", " + ", ".join(f"index {i}" for i in bad[2:])
        raise ValueError(f"{where}: {what} contains {value} at {where_in}; clean or impute it first")
