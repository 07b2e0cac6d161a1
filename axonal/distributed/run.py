"""Running ``fit`` (or a whole program) on every rank of ``mpiexec -n P``.

::

    mpiexec -n 4 python train.py        # train.py calls axonal.distributed.fit(net, x, y, ...)

Every rank runs the same program on the same data; :func:`fit` runs ``net.fit``
inside :func:`~axonal.distributed.comm.using`, so its feed shards the batches and its
step rule averages the gradients with one ``Allreduce`` per step. Only rank 0 shows
progress and writes checkpoints (the loop drops displays and loggers on the other
ranks; every rank reads a checkpoint to resume). Each rank ends with the same
weights, the same ``History`` and the same stop reason; :func:`check_identical`
proves it cheaply (one ``allgather`` of a CRC-32 of each rank's weights and state).
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

from .comm import current, using

__all__ = ["check_identical", "fit", "is_root", "session"]


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
    ``False``/``None``: this process alone), and in which only rank 0 writes to standard output and
    shows axonal's warnings.

    On the other ranks, standard output goes to ``os.devnull`` and every
    :class:`~axonal.advice.AxonalWarning` (the setup's advice and :mod:`axonal.diagnostics`'
    findings, which every rank would find alike in the same data) is ignored; both are put
    back when the block ends. Other warnings (NumPy's, Python's) still show on every rank.

    Yields the communicator; ``comm.rank == 0`` decides who writes files.
    """
    from ..advice import AxonalWarning
    with using(enabled or None) as comm:
        if comm.rank == 0:
            yield comm
            return
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink), \
                warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=AxonalWarning)
            yield comm
            sys.stdout.flush()


def check_identical(net, comm=None) -> int:
    """Fail loudly unless every rank of ``comm`` (the current communicator) holds the same ``net``.

    Each rank takes a CRC-32 of its weights and running state (every array's shape, dtype and
    bytes: the weights by name, then the state in ``named_state`` order); one ``allgather`` of those numbers
    compares them. Ranks of a data-parallel run end bit-identical, so a difference is a bug
    (or ranks that trained different networks): raises ``RuntimeError`` on every rank, naming
    the ranks that differ from rank 0, before anything is written.

    Returns the CRC-32 (the same on every rank).
    """
    from .exchange import _digest
    comm = current() if comm is None else comm
    arrays = [value for _, value in sorted(net.get_weights().items())]
    arrays += [owner.state[local] for _, owner, local in net.named_state()]
    digest = _digest(*arrays)
    digests = comm.allgather(digest)
    differ = [rank for rank, d in enumerate(digests) if d != digests[0]]
    if differ:
        raise RuntimeError(f"data-parallel run: ranks {differ} ended with other weights than rank 0 "
                           f"(CRC-32 {[f'{d:08x}' for d in digests]}); nothing was written")
    return digest
