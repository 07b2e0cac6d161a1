"""``axonal train --distributed``: the command run by ``mpiexec -n 2`` against the same command in one process.

The two ranks start in two empty working directories (MPMD: ``mpiexec -n 1 -wdir A
CMD : -n 1 -wdir B CMD``) with relative output paths, so anything rank 1 wrote would
land in B; each rank's standard error goes to its own file (``-errfile-pattern``).
The data has a column equal to the target, so the diagnostics warn: rank 0 shows
the warning, rank 1 must not.

Byte identity with one process is impossible in float32: OpenBLAS's ``x @ W`` gives the
rows of a batch other bits than the same rows alone (rows 0..15 of a 32-row batch against
those 16 rows: docs/distributed.md shows the numbers), so each rank's forward pass on its
shard already differs in the last place from one process's pass over the global batch. The test asks of the predicted
probabilities what float32 rounding allows: 1e-5 relative (measured: about 1e-6).
With one rank (no ``mpiexec``) the command is the single-process run, byte for byte.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import axonal.cli
import axonal.io
from axonal.distributed import check_identical
from axonal.distributed.comm import Local

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "distributed"))
from mpi_launch import ENV, skip_without_launcher

#: Predicted probabilities of the data-parallel model against the single-process one (float32 rounding).
PROBABILITY_RTOL = 1e-5


def _write_data(path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4))
    labels = np.where(x[:, 0] + x[:, 1] * x[:, 2] > 0, "yes", "no")
    path.write_text("a,b,c,d,leak,y\n" + "".join(",".join(f"{v:.4f}" for v in row) + f",{int(t == 'yes')},{t}\n"
                                                   for row, t in zip(x, labels)))


def _args(data: Path) -> list:
    """Dropout, a cosine schedule (the default) and Adam over 4 epochs of batches of 16 (8 rows per rank)."""
    return ["train", "--data", str(data), "--target", "y", "--epochs", "4", "--batch-size", "16",
            "--dropout", "0.2", "--no-progress", "--checkpoint", "run.ckpt", "--output", "model.axonal"]


def _crc(stdout: str) -> int:
    found = re.findall(r"\(CRC-32 ([0-9a-f]{8})\)", stdout)
    assert len(found) == 1, stdout[-2000:]
    return int(found[0], 16)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The data-parallel run (2 ranks) and the single-process run of the same command."""
    skip_without_launcher("the mpiexec runs of axonal train")
    top = tmp_path_factory.mktemp("cli")
    data = top / "data.csv"
    _write_data(data)
    rank0, rank1, single = top / "rank0", top / "rank1", top / "single"
    for folder in (rank0, rank1, single):
        folder.mkdir()
    command = [sys.executable, "-m", "axonal", *_args(data), "--distributed"]
    done = subprocess.run(["mpiexec", "-errfile-pattern", str(top / "stderr.%r"),
                           "-n", "1", "-wdir", str(rank0), *command, ":", "-n", "1", "-wdir", str(rank1), *command],
                          capture_output=True, text=True, timeout=300, env=ENV)
    stderr = {r: (top / f"stderr.{r}").read_text() if (top / f"stderr.{r}").exists() else "" for r in (0, 1)}
    assert done.returncode == 0, done.stdout[-2000:] + stderr[0][-3000:] + stderr[1][-3000:] + done.stderr[-2000:]
    alone = subprocess.run([sys.executable, "-m", "axonal", *_args(data)], capture_output=True, text=True,
                           timeout=300, env=ENV, cwd=single)
    assert alone.returncode == 0, alone.stderr[-3000:]
    return {"top": top, "data": data, "stdout": done.stdout, "stderr": stderr, "rank0": rank0, "rank1": rank1,
            "single": single}


def test_rank_0_alone_prints_and_writes_every_file(runs):
    assert runs["stdout"].count("model written to") == 1 and "2 ranks ended with identical weights" in runs["stdout"]
    assert sorted(p.name for p in runs["rank1"].iterdir()) == [], "rank 1 wrote nothing"
    written = sorted(p.name for p in runs["rank0"].iterdir())
    assert written == sorted(p.name for p in runs["single"].iterdir())
    assert {"model.axonal", "run.ckpt"} <= set(written)


def test_the_file_holds_what_every_rank_holds_and_agrees_with_one_process(runs):
    model = axonal.io.load(runs["rank0"] / "model.axonal")
    single = axonal.io.load(runs["single"] / "model.axonal")
    assert check_identical(model, Local()) == _crc(runs["stdout"]), "the file is the weights both ranks agreed on"
    assert model.metadata_ == single.metadata_   # options, results, columns: no trace of --distributed
    saved = [axonal.io.read_header(runs[r] / "run.ckpt")["metadata"]["train_options"] for r in ("rank0", "single")]
    assert saved[0] == saved[1] and "distributed" not in saved[0]   # --resume continues either way
    x = np.random.default_rng(5).normal(size=(200, 5)).astype(np.float32)
    p, q = model.predict_proba(x), single.predict_proba(x)
    assert np.allclose(p, q, rtol=PROBABILITY_RTOL, atol=0), np.max(np.abs(p - q) / q)
    w, v = model.get_weights(), single.get_weights()
    assert not all(np.array_equal(w[k], v[k]) for k in w), "float32 shards round differently from one process"


def test_axonal_warnings_show_on_rank_0_only(runs):
    assert "AxonalWarning: fit: input feature 4 equals the target" in runs["stderr"][0]
    assert "AxonalWarning" not in runs["stderr"][1] and "Warning" not in runs["stderr"][1], runs["stderr"][1][-2000:]


def test_one_rank_without_mpiexec_is_the_single_process_run(runs, tmp_path):
    command = [sys.executable, "-m", "axonal", *_args(runs["data"])]
    done = subprocess.run([*command, "--distributed"], capture_output=True, text=True, timeout=300, env=ENV,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "one rank (no mpiexec)" in done.stdout
    assert (tmp_path / "model.axonal").read_bytes() == (runs["single"] / "model.axonal").read_bytes()


def test_a_distributed_checkpoint_resumes_with_or_without_the_flag(runs):
    parser = axonal.cli.build_parser()
    from axonal.cli.options import train_options
    for extra in ([], ["--distributed"]):
        options = train_options(parser.parse_args(["train", "--resume", str(runs["rank0"] / "run.ckpt"), *extra]))
        assert options["distributed"] is bool(extra) and options["epochs"] == 4


def test_task_runs_are_refused(tmp_path):
    done = subprocess.run([sys.executable, "-m", "axonal", "train", "--task", "adding", "--distributed"],
                          capture_output=True, text=True, timeout=120, env=ENV, cwd=tmp_path)
    assert done.returncode == 2 and "--distributed is for training on a table" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_rank_that_cannot_start_stops_every_rank_with_its_reason(runs, tmp_path):
    """Rank 1's data file is missing (as on a node without it): both ranks stop before training."""
    command = [sys.executable, "-m", "axonal", *_args(runs["data"]), "--distributed"]
    elsewhere = [*command[:5], str(tmp_path / "missing.csv"), *command[6:]]
    assert command[4] == "--data"
    done = subprocess.run(["mpiexec", "-n", "1", "-wdir", str(tmp_path), *command, ":",
                           "-n", "1", "-wdir", str(tmp_path), *elsewhere],
                          capture_output=True, text=True, timeout=120, env=ENV)
    assert done.returncode != 0
    assert "rank 1 of the data-parallel run could not start: data file" in done.stderr
    assert "missing.csv does not exist" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_mpi4py_names_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    data = tmp_path / "data.csv"
    _write_data(data)
    code = axonal.cli.main([*_args(data)[:-2], "--output", str(tmp_path / "m.axonal"), "--distributed"])
    assert code == 2 and 'pip install "axonal[mpi]"' in capsys.readouterr().err
    assert not (tmp_path / "m.axonal").exists()


def test_the_flag_comes_from_a_toml_file_too(tmp_path):
    from axonal.cli.options import saved_options, train_options
    data = tmp_path / "data.csv"
    _write_data(data)
    config = tmp_path / "run.toml"
    config.write_text(f'[train]\ndata = "{data.as_posix()}"\ntarget = "y"\ndistributed = true\n')
    options = train_options(axonal.cli.build_parser().parse_args(["train", "--config", str(config)]))
    assert options["distributed"] is True and "distributed" not in saved_options(options)
    config.write_text(f'[train]\ndata = "{data.as_posix()}"\ntarget = "y"\ndistributed = "yes"\n')
    assert axonal.cli.main(["train", "--config", str(config)]) == 2


class _Rank(Local):
    """Rank ``rank`` of ``size``, in this process: ``allgather`` answers with ``others`` for the other ranks."""

    def __init__(self, rank, size, others=None):
        self.rank, self.size, self.others = rank, size, others

    def allgather(self, value):
        return [value if r == self.rank else (value if self.others is None else self.others) for r in range(self.size)]


def test_a_session_on_another_rank_hides_axonal_warnings_and_output_until_it_ends(capsys):
    import warnings

    import axonal.distributed as distributed
    from axonal.advice import AxonalWarning, warn_user
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with distributed.session(_Rank(1, 2)):
            warn_user("on rank 1")
            warnings.warn("a NumPy-like warning", RuntimeWarning)
            print("rank 1 says this")
        warn_user("after the session")
        with distributed.session(_Rank(0, 2)):
            warn_user("on rank 0")
    assert [(w.category, str(w.message)) for w in seen] == [
        (RuntimeWarning, "a NumPy-like warning"), (AxonalWarning, "after the session"), (AxonalWarning, "on rank 0")]
    assert "rank 1 says this" not in capsys.readouterr().out


def test_ranks_that_ended_apart_fail_loudly():
    from axonal import Dense, Sequential
    net = Sequential([Dense(3, input_dim=2)], seed=0)
    digest = check_identical(net, Local())
    assert check_identical(net, _Rank(0, 3)) == digest
    with pytest.raises(RuntimeError, match=r"ranks \[1, 2\] ended with other weights than rank 0"):
        check_identical(net, _Rank(0, 3, others=digest ^ 1))
    bias = net.layers[0].params["bias"]
    bias[0] = np.nextafter(bias[0], np.inf)   # one unit in the last place
    assert check_identical(net, Local()) != digest
