"""Named parameters stored in one flat buffer.

A network's weights and biases are named by dotted paths (``"layers.0.weight"``);
names are the public key for optimizers, saving and exports. Underneath, all
parameters live in one contiguous float vector ``values`` and all gradients in a
second one, ``grads``, of the same length; every named array is a reshaped view
into them. A layer updating its own ``weight`` view updates the flat vector, and
an optimizer updates every parameter with a few whole-vector passes instead of a
loop over arrays.

Layout: parameters are laid out in the order the network declares them; the
segment of parameter ``name`` is ``values[offset : offset + size]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ParameterSet", "Slot"]


@dataclass(frozen=True)
class Slot:
    """Where one named parameter lives in the flat vector."""

    name: str
    shape: tuple
    offset: int
    size: int
    #: ``True`` for weights (L1/L2 penalties apply), ``False`` for biases and gains.
    decay: bool


class ParameterSet:
    """Flat parameter and gradient vectors with named views.

    Parameters
    ----------
    entries : list of (name, array, decay)
        The parameters in layout order; their values are copied in.
    dtype : numpy dtype
        The dtype of both flat vectors.
    """

    def __init__(self, entries, dtype):
        self.dtype = np.dtype(dtype)
        slots, offset = [], 0
        for name, array, decay in entries:
            size = int(np.prod(array.shape, dtype=np.int64))
            slots.append(Slot(name, tuple(array.shape), offset, size, bool(decay)))
            offset += size
        names = [s.name for s in slots]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"parameter names must be unique; repeated: {', '.join(dup)}")
        self.slots = {s.name: s for s in slots}
        self.size = offset
        self.values = np.zeros(offset, dtype=self.dtype)
        self.grads = np.zeros(offset, dtype=self.dtype)
        for (_, array, _), slot in zip(entries, slots):
            self.values[slot.offset:slot.offset + slot.size] = np.asarray(array).reshape(-1)
        # Weight segments as (start, stop) ranges, adjacent ones merged.
        ranges = []
        for s in slots:
            if s.decay and s.size:
                if ranges and ranges[-1][1] == s.offset:
                    ranges[-1] = (ranges[-1][0], s.offset + s.size)
                else:
                    ranges.append((s.offset, s.offset + s.size))
        self.decay_ranges = ranges

    def view(self, flat: np.ndarray, name: str) -> np.ndarray:
        """The segment of ``flat`` (any vector with this layout) that belongs to ``name``."""
        s = self.slots[name]
        return flat[s.offset:s.offset + s.size].reshape(s.shape)

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """All named views of a vector with this layout (values, grads or optimizer state)."""
        return {name: self.view(flat, name) for name in self.slots}

    def names(self) -> list[str]:
        return list(self.slots)

    def layout(self) -> list[tuple[str, tuple]]:
        """``[(name, shape), ...]``: two sets with equal layouts can share optimizer state."""
        return [(s.name, s.shape) for s in self.slots.values()]

    def __len__(self):
        return len(self.slots)

    def __contains__(self, name):
        return name in self.slots

    def __getitem__(self, name) -> np.ndarray:
        return self.view(self.values, name)

    def __repr__(self):
        return f"ParameterSet({len(self.slots)} arrays, {self.size} values, {self.dtype})"
