"""Whether ``mpiexec -n 2`` can start two mpi4py ranks here: the skip reason the MPI tests print.

Imported by tests/test_distributed.py and tests/test_distributed_cli.py (the answer is
found once per test session).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
#: The environment of every process the MPI tests start: this checkout's axonal first.
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "AXONAL_JIT": os.environ.get("AXONAL_JIT", "1")}


@functools.lru_cache(maxsize=1)
def launcher_problem() -> str | None:
    """Why ``mpiexec -n 2`` cannot start two mpi4py ranks here, or ``None`` when it can."""
    if shutil.which("mpiexec") is None:
        return "mpiexec is not on PATH (pip install \"axonal[mpi]\")"
    try:
        done = subprocess.run(["mpiexec", "-n", "2", sys.executable, "-c",
                               "import sys; from mpi4py import MPI; sys.stdout.write(str(MPI.COMM_WORLD.Get_size()))"],
                              capture_output=True, text=True, timeout=60, env=ENV)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"mpiexec -n 2 did not start: {exc}"
    if done.returncode != 0 or done.stdout.strip() != "22":
        return f"mpiexec -n 2 could not start two MPI ranks: {(done.stderr or done.stdout).strip()[-300:]}"
    return None


def skip_without_launcher(what: str) -> None:
    """Skip the calling test (printing why, so the reason shows in the log) when ``mpiexec`` cannot
    start two ranks; ``what`` names the runs skipped."""
    problem = launcher_problem()
    if problem:
        print(f"skipping {what}: {problem}")
        pytest.skip(problem)
