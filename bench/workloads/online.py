"""Online learning and small networks against Synaptic under node: the ``online`` family.

Synaptic's regime: small networks that learn one sample at a time, stepped through time
with ``activate``/``propagate``. The tasks are in :mod:`bench.workloads.online_tasks`;
here is how they are timed, the same way for every library:

* **cold**: the first call in a fresh process, from before its network is built to its
  end (libraries imported and data made beforehand, as in every workload). For axonal
  that includes importing Numba and loading the compiled kernels from Numba's on-disk
  cache; for Synaptic, the compilation of the network into one JavaScript function (its
  ``optimize``, at the first ``activate``) and V8's first, unoptimised runs.
* **compile** (axonal only): the same first call in another fresh process whose
  ``NUMBA_CACHE_DIR`` is empty: Numba imports, compiles the kernels the task uses and
  writes them to the cache. It runs (as a child of the measuring process, same
  threads) when the cache the runner gives this workload is still empty, so once per
  workload and run; the measuring process then finds the kernels it compiled. A task
  given ``"compile": False`` and another task's cache (``"cache"``, read by the runner)
  measures none (the runner measures each engine's compile time once: bench/run.py).
* **warm**: the later calls of the same process; their median.

Libraries: ``axonal`` (compiled paths on), ``axonal_numpy`` (the same code with
``AXONAL_JIT=0``: the NumPy reference, what the compiled engine gains over) and
``synaptic`` (1.1.4 under node, bench/peers/synaptic.js, given the same networks and data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import median
from .online_tasks import KINDS, AxonalTask, synaptic_spec

REPO = Path(__file__).resolve().parent.parent.parent


def run(workload: str, library: str, params: dict) -> dict:
    if library == "synaptic":
        from ..peers.synaptic import run_node
        r = run_node(synaptic_spec(workload, params))   # one activate, with traces: also a trained network's
        if workload == "online_xor":                    # Synaptic's runs are also runs of Synaptic's rule
            r["calls"] = [{**c, "rule_seconds": c["seconds"], "rule_epochs": c["epochs"], "rule_solved": c["solved"]}
                          for c in r["calls"]]
        return summarize(workload, r["calls"], r.get("activate", []), {"maxrss_node_mb": r.get("maxrss_mb")},
                         r.get("activate", []))
    return _axonal(workload, library, params)


def _axonal(workload: str, library: str, params: dict) -> dict:
    import axonal.jit
    if library == "axonal_numpy" and "numpy_seeds" in params:   # the NumPy reference is slow to solve
        params = {**params, "seeds": params["numpy_seeds"]}
    jit = axonal.jit.enabled()
    extra = {"jit": jit}
    if library == "axonal" and jit and not params.get("first_only"):
        cache = _cache_dir()
        measure = _empty(cache) and params.get("compile", True)
        extra["numba_cache"] = ("primed by the compile measurement" if measure else
                                "empty: compiled in the first call" if _empty(cache) else "primed earlier")
        if measure:
            extra["compile"] = _first_call_in_child(workload, params, cache)
    task = AxonalTask(workload, params)
    calls = [task.call(0)]
    if params.get("first_only"):
        return {"first": calls[0], "kernels": axonal.jit.load_seconds()}
    calls += [task.call(i) for i in range(1, task.calls)]
    activate = [task.activate(i) for i in range(int(params.get("activate_blocks", 0)))]
    trained = [task.activate(i, trained=True) for i in range(int(params.get("activate_blocks", 0)))]
    extra["kernels"] = axonal.jit.load_seconds()     # the kernel modules this task loaded, and their import time
    return summarize(workload, calls, activate, extra, trained)


def _cache_dir() -> str:
    """``NUMBA_CACHE_DIR`` as the runner set it (one folder per workload and run); standalone, a new
    empty folder. Numba is not imported yet (``import axonal`` never imports it), so setting it
    here still counts."""
    if "numba" in sys.modules:
        raise RuntimeError("numba was imported before the online workload started: cold figures would be wrong")
    cache = os.environ.get("NUMBA_CACHE_DIR")
    if not cache:
        cache = os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-numba-")
    Path(cache).mkdir(parents=True, exist_ok=True)
    return cache


def _empty(folder: str) -> bool:
    return not any(Path(folder).rglob("*.nbi"))   # Numba's cache index files


def _first_call_in_child(workload: str, params: dict, cache: str) -> dict:
    """The first call in a fresh process compiling into the empty ``cache``: ``{"seconds", ...}``."""
    spec = {"workload": workload, "library": "axonal", "threads": int(os.environ.get("OMP_NUM_THREADS", "1")),
            "params": {**params, "first_only": True}}
    proc = subprocess.run([sys.executable, "-m", "bench.worker", json.dumps(spec)], cwd=REPO,
                          env={**os.environ, "NUMBA_CACHE_DIR": cache}, capture_output=True, text=True,
                          timeout=900, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the compile measurement failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}")
    result = json.loads(lines[-1][len("BENCH_RESULT "):])["result"]
    return {**result["first"], "kernels": result.get("kernels", {})}


def summarize(workload: str, calls: list, activate: list, extra: dict, trained: list = ()) -> dict:
    """The numbers of one process: the cold call, the median of the warm ones, and every call.

    ``solve`` tasks: ``cold_s``/``warm_s`` to solve (an unsolved run counts as infinitely slow),
    with ``cold_epochs``/``warm_epochs`` (epochs, or sequences for DSR), and for XOR ``rule_warm_s``/
    ``rule_warm_epochs`` of the runs with Synaptic's rule (Synaptic's own runs are those). ``steps`` tasks:
    ``cold_s`` for the whole first call, ``warm_step_s`` per step (``warm_s`` per call); ``activate_step_s``
    per ``activate`` through the learner, ``trained_step_s`` on a copy without one (Synaptic: its one
    ``activate``, which always keeps traces).
    ``compile_s``: the compile measurement's first call, when there was one.
    """
    first, warm = calls[0], calls[1:]
    out = {"kind": KINDS[workload], "cold_s": first["seconds"], "calls": calls}
    compiled = extra.pop("compile", None)
    if compiled is not None:
        out["compile_s"] = compiled["seconds"]
        out["compile_kernels"] = compiled.get("kernels", {})
    if KINDS[workload] == "solve":
        count = "epochs" if "epochs" in first else "sequences"
        out.update(cold_epochs=first[count] if first["solved"] else float("inf"), runs=len(warm), count=count)
        # XOR also runs with Synaptic's rule (online_tasks.AxonalTask.call): the same figures, prefixed rule_
        for p in ("", "rule_") if "rule_seconds" in first else ("",):
            out.update({p + "warm_s": median([c[p + "seconds"] if c[p + "solved"] else float("inf") for c in warm]),
                        p + "warm_epochs": median([c[p + count] if c[p + "solved"] else float("inf") for c in warm]),
                        p + "solved": sum(bool(c[p + "solved"]) for c in warm)})
    else:
        out.update(steps_per_call=first["steps"], warm_s=median([c["seconds"] for c in warm]),
                   warm_step_s=median([c["seconds"] / c["steps"] for c in warm]))
        for key, blocks in (("activate_step_s", activate), ("trained_step_s", trained)):
            if blocks:
                out[key] = median([c["seconds"] / c["steps"] for c in blocks[1:] or blocks])
    return {**out, **extra}


def workload(name: str):
    """The registry's function for workload ``name``."""
    def fn(library: str, params: dict) -> dict:
        return run(name, library, params)
    fn.__name__ = name
    return fn
