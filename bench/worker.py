"""One measurement in its own process: ``python -m bench.worker '<json spec>'``.

The runner sets the thread environment variables before this process starts; here
the library is imported, every thread pool pinned (threadpoolctl, and
``torch.set_num_threads``), the workload run, and one line printed:
``BENCH_RESULT {...}`` with the numbers, the versions, the thread pools, the load
seen before and after, and the process's peak resident memory.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import time


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _clean(value):
    """JSON without Infinity/NaN: non-finite floats become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def main(argv=None) -> int:
    spec = json.loads((argv or sys.argv)[1])
    from .peers import import_and_pin, node_versions, thread_pools, versions
    from .workloads import registry

    load_before = os.getloadavg()
    import_and_pin(spec["library"], spec["threads"])
    rss_start = _current_rss_mb()
    t0 = time.perf_counter()
    result = registry()[spec["workload"]](spec["library"], spec.get("params", {}))
    wall = time.perf_counter() - t0
    record = {
        "result": result,
        "worker_wall_s": wall,
        "rss_after_import_mb": rss_start,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "versions": {**versions(), **(node_versions() if spec["library"] == "synaptic" else {})},
        "thread_pools": thread_pools(),
    }
    if "torch" in sys.modules:
        record["torch_threads"] = sys.modules["torch"].get_num_threads()
    print("BENCH_RESULT " + json.dumps(_clean(record)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
