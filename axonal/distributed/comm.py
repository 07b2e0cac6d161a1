"""Communicators: what the training loop asks of the other processes of a data-parallel run.

A data-parallel run has ``P`` processes (ranks ``0 … P-1``), each with the whole
training set and the same model. Every global batch of ``B`` rows is cut into ``P``
contiguous shards of its rows (:func:`shard_range`: rank ``k`` takes rows
``[lo_k, hi_k)``, the first ``B mod P`` ranks one row more); each rank learns from
its shard, and one sum over the ranks (``Allreduce``) turns the shard gradients into
the gradient of the global batch.

:class:`Local` is the single-process communicator: every reduction is the identity,
and it is what the loop uses unless a run says otherwise. :class:`MPIComm` wraps an
mpi4py communicator; mpi4py is imported only when one is made. :func:`using` makes
a communicator the default for a block, so that the feed and the step rule that
``fit`` builds inside it share it.
"""

from __future__ import annotations

import contextlib

import numpy as np

__all__ = ["Local", "MPIComm", "communicator", "current", "mpi", "shard_range", "using"]

INSTALL_HINT = 'data-parallel training needs mpi4py and an MPI library: pip install "axonal[mpi]"'


def mpi():
    """The ``mpi4py.MPI`` module; an ImportError that says what to install when it is missing."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    return MPI


def shard_range(rows: int, rank: int, size: int) -> tuple[int, int]:
    """``(lo, hi)``: the rows ``[lo, hi)`` of a batch of ``rows`` rows that rank ``rank`` of ``size`` takes.

    ``lo = rank·q + min(rank, r)`` with ``q, r = divmod(rows, size)``: contiguous,
    in rank order, sizes differing by at most one.
    """
    q, r = divmod(rows, size)
    lo = rank * q + min(rank, r)
    return lo, lo + q + (1 if rank < r else 0)


class Local:
    """One process: ``allreduce`` leaves the buffer as it is, ``bcast`` returns its argument."""

    rank = 0
    size = 1

    def allreduce(self, buffer: np.ndarray, purpose: str = "step") -> np.ndarray:
        """``Σ_ranks buffer``, in place: with one rank, the buffer itself."""
        return buffer

    def bcast_array(self, array: np.ndarray) -> None:
        """Give every rank rank 0's ``array`` (in place)."""

    def bcast(self, value):
        return value

    def allgather(self, value) -> list:
        return [value]

    def barrier(self) -> None:
        """Wait until every rank is here."""

    def __repr__(self):
        return "Local()"


class MPIComm(Local):
    """An mpi4py communicator (``MPI.COMM_WORLD`` by default) seen through the methods above.

    ``allreduce`` is one ``Allreduce(MPI.IN_PLACE, buffer, op=SUM)``; ``calls`` counts
    them by purpose (``"step"``, ``"epoch"``) for tests and measurements.
    """

    def __init__(self, comm=None):
        MPI = mpi()
        self._MPI = MPI
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.calls = {"step": 0, "epoch": 0}
        self.seconds = 0.0  # time spent inside allreduce

    def allreduce(self, buffer: np.ndarray, purpose: str = "step") -> np.ndarray:
        if self.size > 1:
            import time
            start = time.perf_counter()
            self.comm.Allreduce(self._MPI.IN_PLACE, buffer, op=self._MPI.SUM)
            self.seconds += time.perf_counter() - start
        self.calls[purpose] = self.calls.get(purpose, 0) + 1
        return buffer

    def bcast_array(self, array: np.ndarray) -> None:
        if self.size > 1 and array.size:
            contiguous = np.ascontiguousarray(array)
            self.comm.Bcast(contiguous, root=0)
            if contiguous is not array:
                array[...] = contiguous

    def bcast(self, value):
        return self.comm.bcast(value, root=0) if self.size > 1 else value

    def allgather(self, value) -> list:
        return self.comm.allgather(value) if self.size > 1 else [value]

    def barrier(self) -> None:
        if self.size > 1:
            self.comm.Barrier()

    def __repr__(self):
        return f"MPIComm(rank={self.rank}, size={self.size})"


_default: list = [Local()]


def current():
    """The communicator of the innermost :func:`using` block; :class:`Local` outside any."""
    return _default[-1]


@contextlib.contextmanager
def using(comm):
    """Make ``comm`` (anything :func:`communicator` accepts) the default communicator inside the block."""
    _default.append(communicator(comm))
    try:
        yield _default[-1]
    finally:
        _default.pop()


def communicator(spec):
    """A communicator from ``spec``: ``True`` (MPI's world), an mpi4py communicator, one of ours,
    or ``None``/``False`` (the current default, :class:`Local` unless inside :func:`using`)."""
    if spec is None or spec is False:
        return current()
    if spec is True:
        return MPIComm()
    if isinstance(spec, Local):
        return spec
    if hasattr(spec, "Allreduce") and hasattr(spec, "Get_rank"):
        return MPIComm(spec)
    raise TypeError(f"distributed must be True, False, None or an MPI communicator, got {type(spec).__name__}")
