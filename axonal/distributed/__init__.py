"""Beyond one process: data-parallel training over MPI, and sweeps on a cluster.

Data-parallel ``fit`` (the recipe of Horovod and PyTorch's DDP): ``P`` processes,
started by ``mpiexec -n P``, each hold the whole training set and the same model
(rank 0's weights, optimizer state, generators and sample order are broadcast when
training starts). Every global batch of ``B`` rows is split into ``P`` shards; each
rank computes the gradient of its shard, and one ``Allreduce`` per step over the flat
gradient buffer gives every rank the gradient of the global batch (weighted by rows
or sample weights), so every rank applies the same update::

    g = Σ_k W_k g_k / Σ_k W_k        W_k: rank k's rows (or Σ of its sample weights)

==============  ==================================================================
module          what it holds
==============  ==================================================================
comm            communicators: :class:`Local` (one process), :class:`MPIComm`
                (mpi4py, imported lazily), :func:`using`, :func:`shard_range`
exchange        what the ranks exchange: the start, each step's gradient (NaN flag
                and BatchNorm statistics in the same buffer), each epoch's
                predictions and validation outputs
run             :func:`fit`: ``net.fit`` on every rank with a communicator; rank 0
                prints and writes; :func:`session` for programs such as the CLI;
                :func:`check_identical`: every rank holds the same weights
==============  ==================================================================

Sweeps on a cluster need nothing from this package: the scikit-learn estimators of
:mod:`axonal.sklearn` run under ``GridSearchCV`` with joblib's Dask backend, and
:func:`axonal.data.cross_validate` takes ``n_jobs`` and a joblib ``backend``
(docs/distributed.md).
"""

from .comm import Local, MPIComm, communicator, current, shard_range, using

__all__ = ["Local", "MPIComm", "check_identical", "communicator", "current", "fit", "is_root", "session",
           "shard_range", "using"]


def __getattr__(name):
    # ``run`` imports the training package, which imports ``comm``: loaded on first use, not here.
    if name in ("fit", "session", "is_root", "check_identical"):
        from . import run
        return getattr(run, name)
    raise AttributeError(f"module 'axonal.distributed' has no attribute {name!r}")
