"""The libraries the benchmark compares: how to find them, pin their threads, name their versions.

Availability is checked without importing anything (the runner process stays free
of thread pools); an absent peer is skipped with a note, never faked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
SYNAPTIC_DIR = BENCH_DIR / "node_modules" / "synaptic"
SYNAPTIC_VERSION = "1.1.4"

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS")


@dataclass(frozen=True)
class Library:
    key: str        # name in the records
    label: str      # name in the table
    module: str     # what its subprocess imports ("" for node)
    install: str    # how to get it


LIBRARIES = {
    "axonal": Library("axonal", "axonal", "axonal", "this repository"),
    # axonal's fused LSTM(128, peepholes=True) layer: a peer only of the graph family's LSTM as a graph
    "axonal_layer": Library("axonal_layer", "axonal LSTM layer", "axonal", "this repository"),
    # axonal with its compiled paths off (AXONAL_JIT=0): the NumPy reference, a peer only of the online family
    "axonal_numpy": Library("axonal_numpy", "axonal NumPy (AXONAL_JIT=0)", "axonal", "this repository"),
    "torch": Library("torch", "PyTorch", "torch", "pip install -r bench/requirements.txt"),
    "torch_fused": Library("torch_fused", "PyTorch fused Adam", "torch", "pip install -r bench/requirements.txt"),
    "sklearn": Library("sklearn", "scikit-learn", "sklearn.neural_network", "pip install -r bench/requirements.txt"),
    "synaptic": Library("synaptic", "Synaptic", "", "npm install --prefix bench"),
    "numpy": Library("numpy", "NumPy matmuls", "numpy", "pip install numpy"),
}


def missing_reason(key: str) -> str | None:
    """Why library ``key`` cannot run here, or ``None`` when it can."""
    lib = LIBRARIES[key]
    if key == "synaptic":
        if shutil.which("node") is None:
            return "node is not installed"
        package = SYNAPTIC_DIR / "package.json"
        if not package.exists():
            return f"synaptic {SYNAPTIC_VERSION} is not installed in bench/node_modules ({lib.install})"
        version = json.loads(package.read_text()).get("version")
        if version != SYNAPTIC_VERSION:
            return f"synaptic {version} is installed; the benchmark pins {SYNAPTIC_VERSION}"
        return None
    if importlib.util.find_spec(lib.module.split(".")[0]) is None:
        return f"{lib.module.split('.')[0]} is not installed ({lib.install})"
    return None


def thread_environment(threads: int, library: str | None = None) -> dict:
    """Environment for a measuring subprocess: every thread pool sized before any import.

    ``axonal_numpy`` runs with ``AXONAL_JIT=0`` (axonal's NumPy reference paths); ``axonal``
    without ``AXONAL_JIT``, whatever the runner's own environment says, so that it runs as
    installed (compiled paths on where Numba is installed).
    """
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = str(threads)
    if library == "axonal_numpy":
        env["AXONAL_JIT"] = "0"
    elif library == "axonal":
        env.pop("AXONAL_JIT", None)
    repo = str(BENCH_DIR.parent)
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Cached bytecode, as an installed package has: without it every process would compile
    # axonal from source (installed peers come precompiled). Kept out of the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH_DIR / ".pycache")
    return env


_LIMITS = []  # keeps the threadpoolctl limits alive for the life of the process


def import_and_pin(key: str, threads: int) -> None:
    """Import library ``key`` and pin every thread pool now loaded to ``threads``."""
    import numpy  # noqa: F401  (its BLAS is used for data in every process)
    lib = LIBRARIES[key]
    if lib.module:
        importlib.import_module(lib.module)
    if lib.module == "torch":
        import torch
        torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return  # the environment variables set before import still hold
    _LIMITS.append(threadpool_limits(limits=threads))


def thread_pools() -> list:
    """The BLAS and OpenMP pools loaded in this process, as threadpoolctl sees them, one string each."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed"]
    return [" ".join(str(part) for part in (info.get("internal_api"), info.get("version"), info.get("architecture"),
                                             f"threads={info.get('num_threads')}") if part)
            for info in threadpool_info()]


def versions() -> dict:
    """Versions of the libraries loaded in this process."""
    import sys
    out = {"python": sys.version.split()[0]}
    for name in ("numpy", "axonal", "numba", "torch", "sklearn", "threadpoolctl"):
        module = sys.modules.get(name)
        if module is not None:
            out[name] = getattr(module, "__version__", "?")
    return out


def node_versions() -> dict:
    node = shutil.which("node")
    out = {"node": subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()} if node else {}
    package = SYNAPTIC_DIR / "package.json"
    if package.exists():
        out["synaptic"] = json.loads(package.read_text()).get("version")
    return out
