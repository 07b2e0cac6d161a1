"""Running ``fit`` (or a whole program) on every rank of ``mpiexec -n P``.

::

    mpiexec -n 4 python train.py        # train.py calls axonal.distributed.fit(net, x, y, ...)

Every rank runs the same program on the same data; :func:`fit` runs ``net.fit``
inside :func:`~axonal.distributed.comm.using`, so its feed shards the batches and its
step rule averages the gradients with one ``Allreduce`` per step. Only rank 0 shows
progress and writes checkpoints (the loop drops displays and loggers on the other
ranks; every rank reads a checkpoint to resume). Each rank ends with the same
weights, the same ``History`` and the same stop reason.
"""

from __future__ import annotations

import contextlib
import os
import sys

from .comm import current, using

__all__ = ["fit", "is_root", "session"]


def fit(net, x, y, *, comm=True, **fit_options):
    """``net.fit(x, y, **fit_options)`` as one data-parallel run over ``comm``.

    Parameters
    ----------
    net : Sequential
        Built the same way on every rank (rank 0's weights are broadcast at the start).
    x, y : arrays
        The whole training set, the same on every rank (checked).
    comm : True, an mpi4py communicator or a communicator of :mod:`axonal.distributed.comm`
        ``True``: ``MPI.COMM_WORLD``.
    **fit_options
        What ``fit`` takes; ``batch_size`` is the global batch (each rank takes about
        ``batch_size / P`` rows of it).

    Returns
    -------
    History
        The same on every rank.
    """
    with using(comm):
        return net.fit(x, y, **fit_options)


def is_root() -> bool:
    """Whether this process is rank 0 of the current communicator (or the only process)."""
    return current().rank == 0


@contextlib.contextmanager
def session(enabled=True):
    """A block in which ``fit`` is data-parallel over ``enabled`` (``True``: every rank of ``mpiexec``;
    ``False``/``None``: this process alone), and in which only rank 0 writes to standard output.

    Yields the communicator; ``comm.rank == 0`` decides who writes files.
    """
    with using(enabled or None) as comm:
        if comm.rank == 0:
            yield comm
            return
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            yield comm
            sys.stdout.flush()
