"""What the benchmark ran on: CPU, cores, memory, load, the commit, and each library's BLAS.

``machine()`` runs in the runner (it imports no numerical library); ``library_info``
runs in a worker subprocess, after the library is imported and pinned.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _cpuinfo() -> dict:
    info = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return info


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        return None
    return None


def _git(*args) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10,
                             check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def busy_cpu_seconds() -> float:
    """CPU seconds all processes have spent busy since boot (/proc/stat), or 0 where unknown."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def machine() -> dict:
    cpu = _cpuinfo()
    flags = set(cpu.get("flags", "").split())
    return {
        "cpu": cpu.get("model name") or platform.processor() or "unknown",
        "cpu_family_model": f"{cpu.get('cpu family', '?')}/{cpu.get('model', '?')}",
        "simd": [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if f in flags],
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "loadavg": os.getloadavg(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "tree_dirty": bool(_git("status", "--porcelain", "--", "axonal")),
    }


def library_info(library: str, params: dict) -> dict:
    """BLAS and threading as the library reports them (run as a worker 'workload')."""
    import numpy as np
    out = {}
    try:
        config = np.show_config(mode="dicts")
        deps = config.get("Build Dependencies", {})
        out["numpy_blas"] = {k: deps.get("blas", {}).get(k) for k in ("name", "version", "openblas configuration")}
        out["numpy_simd"] = config.get("SIMD Extensions", {})
    except TypeError:  # NumPy < 1.25 has no mode="dicts"
        out["numpy_blas"] = "see numpy.show_config()"
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        out["torch_parallel"] = torch.__config__.parallel_info()
        out["torch_build"] = [line.strip(" -") for line in torch.__config__.show().splitlines()[1:]
                              if line.strip().startswith("-") and "Build settings" not in line]
        out["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    if library == "synaptic":
        from .peers import node_versions
        out.update(node_versions())
    return out
