"""What recall in a Hopfield network found: :class:`Recall`, returned by :meth:`axonal.hopfield.Hopfield.recall`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Recall"]


@dataclass(frozen=True)
class Recall:
    """What :meth:`Hopfield.recall` found.

    For a single input ``(n,)`` the fields are scalars and ``(n,)`` arrays; for a
    batch ``(b, n)`` each field gains a leading batch axis.

    Attributes
    ----------
    states : ndarray, (n,) or (b, n)
        The final states, in the network's alphabet (±1 or 0/1).
    converged : bool or ndarray of bool, (b,)
        A fixed point was reached: a full sweep changed nothing.
    cycle : bool or ndarray of bool, (b,)
        Synchronous recall ended in a 2-cycle (``states`` is its last state);
        always False for asynchronous recall, which cannot cycle.
    sweeps : int or ndarray of int, (b,)
        Sweeps used (one sweep updates every unit once), counting the last
        one, which confirmed the fixed point or closed the cycle; ``max_sweeps``
        when neither happened.
    trajectory : ndarray or None, (T, n) or (T, b, n)
        With ``trajectory="sweep"``: the input, then the state after each sweep;
        with ``"update"`` (asynchronous recall): the state after every single
        unit update. Rows finished early repeat their final state.
    energies : ndarray or None, (T,) or (T, b)
        ``E`` of each ``trajectory`` state.
    """

    states: np.ndarray
    converged: np.ndarray | bool
    cycle: np.ndarray | bool
    sweeps: np.ndarray | int
    trajectory: np.ndarray | None = None
    energies: np.ndarray | None = None
