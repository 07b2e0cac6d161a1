"""Data-parallel training under ``mpiexec -n 2`` and sweeps on a Dask ``LocalCluster``: real processes.

The MPI runs (tests/distributed/worker.py, the cases of tests/distributed/dp_cases.py)
start once per session; each rank writes what its run ended with, and the tests
compare the two ranks with each other (bit for bit) and with the same case run here,
in one process, over the same global batches (1e-12 in float64). They are skipped,
with the reason, only where ``mpiexec`` or mpi4py cannot start two ranks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import axonal.distributed as distributed
from axonal import Dense, Sequential
from axonal.distributed.comm import Local, mpi, shard_range
from axonal.training.batches import ArrayFeed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "distributed"))
import dp_cases
from mpi_launch import ENV, skip_without_launcher

CASES = ["mlp", "mlp32", "lstm", "nan", "batchnorm", "resumed", "mismatch"]


@pytest.fixture(scope="module")
def mpi_runs(tmp_path_factory):
    skip_without_launcher("the MPI runs")
    out = tmp_path_factory.mktemp("mpi")
    done = subprocess.run(["mpiexec", "-n", "2", sys.executable, str(HERE / "distributed" / "worker.py"), str(out),
                           *CASES], capture_output=True, text=True, timeout=300, env=ENV, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return {name: [dict(np.load(out / f"{name}.rank{r}.npz")) for r in (0, 1)] for name in CASES}


def _same(a: dict, b: dict, skip=("calls.", "error")):
    keys = [k for k in a if not k.startswith(skip)]
    assert sorted(keys) == sorted(k for k in b if not k.startswith(skip))
    for k in keys:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k


def _close(single: dict, run: dict, tol=1e-12):
    for k, v in single.items():
        if k.startswith("calls.") or k == "error":
            continue
        if v.dtype.kind == "f":
            assert v.shape == run[k].shape and np.allclose(v, run[k], rtol=0, atol=tol), (k, np.abs(v - run[k]).max())
        else:
            assert np.array_equal(v, run[k]), (k, v, run[k])


@pytest.mark.parametrize("case, tol", [("mlp", 1e-12), ("lstm", 1e-12), ("mlp32", 1e-5)])
def test_both_ranks_end_bit_identical_and_agree_with_one_process(mpi_runs, case, tol):
    rank0, rank1 = mpi_runs[case]
    _same(rank0, rank1)
    single = dp_cases.outcome(*getattr(dp_cases, case)())
    _close(single, rank0, tol)
    assert int(rank0["calls.step"]) == int(single["h.steps"]), "one Allreduce per step"


def test_the_mlp_run_is_no_trivial_run(mpi_runs):
    """Dropout, a schedule and validation took part: the losses move and the metrics were gathered."""
    rank0 = mpi_runs["mlp"][0]
    assert rank0["h.loss"][-1] < rank0["h.loss"][0] and rank0["h.val_loss"].size == 8
    assert rank0["h.accuracy"][-1] > 0.6 and int(rank0["calls.epoch"]) == 2 * 8


def test_a_nan_on_one_rank_stops_both_at_the_same_step_with_the_last_finite_weights(mpi_runs):
    rank0, rank1 = mpi_runs["nan"]
    _same(rank0, rank1)
    net, history, message = dp_cases.nan()
    single = dp_cases.outcome(net, history, message)
    assert str(single["error"]).startswith("training stopped at step 2 ")
    assert str(rank1["error"]).startswith("training stopped at step 2 ") and "rank 1" in str(rank1["error"])
    assert str(rank0["error"]).startswith("training stopped at step 2 ") and "other rank" in str(rank0["error"])
    _close(single, rank0)
    assert all(np.isfinite(v).all() for k, v in rank0.items() if k.startswith("w."))


def test_checkpoint_and_resume_under_mpi_end_where_the_uninterrupted_run_ends(mpi_runs):
    resumed0, resumed1 = mpi_runs["resumed"]
    _same(resumed0, resumed1)
    _same(resumed0, mpi_runs["mlp"][0])


def test_batchnorm_keeps_the_ranks_identical(mpi_runs):
    """The documented rule: each rank normalises by its shard; running statistics averaged by rows."""
    rank0, rank1 = mpi_runs["batchnorm"]
    _same(rank0, rank1)
    assert rank0["h.loss"][-1] < rank0["h.loss"][0]


def test_ranks_with_other_data_are_refused(mpi_runs):
    for rank in mpi_runs["mismatch"]:
        assert "ranks [1] hold other training data than rank 0" in str(rank["error"])


# -- in one process ------------------------------------------------------------------------------------------
def test_shards_cover_each_batch_once_in_rank_order():
    for rows in range(1, 40):
        for size in range(1, 6):
            parts = [shard_range(rows, rank, size) for rank in range(size)]
            assert parts[0][0] == 0 and parts[-1][1] == rows
            assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
            assert max(hi - lo for lo, hi in parts) - min(hi - lo for lo, hi in parts) <= 1


class _Ranks(Local):
    def __init__(self, rank, size):
        self.rank, self.size = rank, size


def test_each_rank_feeds_its_shard_of_the_same_global_batches():
    net = Sequential([Dense(2, input_dim=3)], seed=0)
    x, t = np.arange(33.0).reshape(11, 3), np.zeros((11, 2))
    def batches(comm):   # copies: a feed reuses its arrays from one batch to the next
        feed = ArrayFeed(net, x, t, batch=4, comm=comm)
        return [(b.x.copy(), b) for b in feed.batches(np.random.default_rng(5))]

    whole, shards = batches(None), [batches(_Ranks(r, 2)) for r in (0, 1)]
    assert len(whole) == len(shards[0]) == len(shards[1]) == 3
    for (xb, b), (x0, s0), (x1, s1) in zip(whole, *shards):
        assert np.array_equal(np.concatenate([x0, x1]), xb) and s0.stop == s1.stop == b.stop
        assert (s0.shard, s1.shard) == ((0, len(b.rows)), (len(s0.rows), len(b.rows)))


def test_batches_too_small_for_the_ranks_are_refused():
    net = Sequential([Dense(2, input_dim=3)], seed=0)
    with pytest.raises(ValueError, match="split over 4 ranks leaves 0 per rank"):
        ArrayFeed(net, np.zeros((10, 3)), np.zeros((10, 2)), batch=3, comm=_Ranks(0, 4))


def test_the_single_process_communicator_is_the_default_and_changes_nothing():
    assert isinstance(distributed.current(), Local)
    plain, history = dp_cases.mlp(epochs=2)
    with distributed.using(Local()):
        local, history_local = dp_cases.mlp(epochs=2)
    _same(dp_cases.outcome(plain, history), dp_cases.outcome(local, history_local))


def test_missing_mpi4py_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match=r'pip install "axonal\[mpi\]"'):
        mpi()
    with pytest.raises(ImportError, match=r'pip install "axonal\[mpi\]"'):
        distributed.fit(Sequential([Dense(1, input_dim=2)]), np.zeros((4, 2)), np.zeros(4))


# -- sweeps on a Dask cluster ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("dask.distributed", reason="the sweeps on a cluster need dask[distributed]")
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def _classes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4))
    return x, (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)


@pytest.mark.filterwarnings("ignore:fit. training stopped long before convergence")
def test_a_grid_search_on_a_local_cluster_picks_what_one_process_picks(dask_client):
    import joblib
    from sklearn.model_selection import GridSearchCV, cross_val_score

    from axonal.sklearn import NeuralNetClassifier

    x, y = _classes()
    grid = {"hidden_layer_sizes": [(4,), (16,)], "learning_rate": [0.003, 0.03]}
    estimator = NeuralNetClassifier(epochs=20, batch_size=16, random_state=0)
    serial = GridSearchCV(estimator, grid, cv=3, n_jobs=1).fit(x, y)
    with joblib.parallel_backend("dask"):
        on_cluster = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(x, y)
        scores = cross_val_score(estimator, x, y, cv=3)
    assert on_cluster.best_params_ == serial.best_params_ == {"hidden_layer_sizes": (16,), "learning_rate": 0.03}
    assert np.array_equal(on_cluster.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])
    assert np.array_equal(scores, cross_val_score(estimator, x, y, cv=3)) and scores.mean() > 0.7


def _build(fold):
    return Sequential([Dense(8, "tanh", input_dim=4), Dense(1, "logistic")], seed=fold)


@pytest.mark.filterwarnings("ignore:fit. training stopped long before convergence")
def test_cross_validate_runs_its_folds_on_the_cluster(dask_client):
    from axonal.data import cross_validate

    x, y = _classes()
    options = dict(k=3, metrics=("loss", "accuracy"), seed=0, loss="binary_cross_entropy", optimizer="adam",
                   learning_rate=0.05, epochs=20, batch_size=16, progress=False)
    serial = cross_validate(_build, x, y, **options)
    parallel = cross_validate(_build, x, y, n_jobs=2, backend="dask", **options)
    threads = cross_validate(_build, x, y, n_jobs=2, backend="threading", **options)
    for name in ("loss", "accuracy"):
        assert np.array_equal(serial[name], parallel[name]) and np.array_equal(serial[name], threads[name])
    assert serial["mean_accuracy"] > 0.7
    assert [h.loss for h in serial["histories"]] == [h.loss for h in parallel["histories"]]
