"""Arrays handed to a compiled step by address: one int64 table instead of many array arguments.

Calling a compiled function costs the unboxing of each array argument (about 0.15 µs each),
more than a small network's whole step. A *table* lists each array's data address and shape
in a fixed order; the kernel rebuilds views of them (``numba.carray``, see
:func:`axonal.kernels.graph_step.address`) and takes three arguments. Whoever makes a table
keeps its arrays alive (:class:`Table` holds them) and checks, before each call, that the
arrays it was made from are still the ones in use.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Table", "fixed_weights"]


class Table:
    """``values`` (int64): for each of ``grids`` (2-D) ``address, rows, columns``, then for each of
    ``vectors`` (1-D) ``address, length``; ``arrays`` holds them all. ``ok`` is False when one of
    them is not C-contiguous (the caller then takes its general path)."""

    __slots__ = ("values", "arrays", "ok")

    def __init__(self, grids: tuple, vectors: tuple):
        self.arrays = grids + vectors
        self.ok = all(a.flags.c_contiguous for a in self.arrays)
        row = [v for a in grids for v in (a.ctypes.data, a.shape[0], a.shape[1])]
        self.values = np.array(row + [v for a in vectors for v in (a.ctypes.data, a.size)], np.int64)


def fixed_weights(plan):
    """``(F, name, held)`` for a table: the plan's fixed weights as one array, with the name and the
    array of ``layer.state`` it views (``None, None`` without fixed weights); ``None`` when ``F`` is
    not one array that stays put (several fixed arrays, concatenated at each call; one that is not
    contiguous)."""
    names = plan.fixed_names
    if not names:
        return plan.fixed(), None, None
    held = plan.layer.state[names[0]]
    if len(names) > 1 or not held.flags.c_contiguous:
        return None
    return held.reshape(-1), names[0], held
