"""Import time: ``import axonal`` against ``import torch`` and ``import sklearn.neural_network``.

Each measurement is a fresh interpreter that imports nothing else first; the time is
taken inside it around the import statement alone (interpreter start-up excluded, and
recorded separately as the whole process's wall time).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from ..peers import LIBRARIES, thread_environment

_CHILD = """
import time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
import json, resource
print(json.dumps({{"import_s": t1 - t0, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(library: str, threads: int) -> dict:
    """Run one fresh interpreter that imports ``library``'s module; return its numbers."""
    module = LIBRARIES[library].module
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD.format(module=module)], capture_output=True, text=True,
                          env=thread_environment(threads), timeout=300, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"import {module} failed: {proc.stderr.strip()[-1000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(module=module, process_wall_s=wall)
    return result
