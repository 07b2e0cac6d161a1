"""Worst cases of loading a model file under 16 MiB: CPU seconds and extra memory, each in a fresh process.

``python3 -m bench.model_file_bounds`` builds files that push each limit of
:mod:`axonal.io.limits` (and legitimate models at the largest sizes those limits
allow), loads each in a child process and prints the outcome, the CPU time of
``axonal.load`` and how far the peak resident memory rose above the size of the process
before the load (Linux: ``/proc/self/status``). The target:
every file refused or loaded within 2 s and 200 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

_CHILD = r"""
import json, sys, time
import axonal, axonal.io, axonal.graph

def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":")) / 1024

path = sys.argv[1]
with open("/proc/self/clear_refs", "w") as f:  # restart the peak (VmHWM) at the current size
    f.write("5")
before = status("VmRSS")
start = time.process_time()
try:
    axonal.load(path)
    outcome = "loaded"
except axonal.io.ModelFileError as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[1][:90]
seconds = time.process_time() - start
print(json.dumps({"outcome": outcome, "cpu_s": round(seconds, 3), "extra_mb": round(status("VmHWM") - before, 1)}))
"""


def _cases(directory):
    import numpy as np

    import axonal
    from axonal import Dense, Dropout, Sequential
    from axonal.hopfield import Hopfield
    from axonal.io import limits, to_bytes
    from axonal.io.container import seal

    def resealed(blob, change):
        n = int.from_bytes(blob[:8], "little")
        outer = json.loads(blob[8:8 + n])
        inner = json.loads(outer.pop("__metadata__")["axonal"])
        change(inner, outer)
        return seal(inner, outer, blob[8 + n:])

    small = to_bytes(Sequential([Dense(2, input_dim=3)], seed=0))
    yield "2,000 Dense(1) layers, all tensors", to_bytes(
        Sequential([Dense(1) for _ in range(limits.MAX_LAYERS)], input_dim=1, seed=0))
    yield "MAX_LAYERS + 1 layer specs", resealed(small, lambda h, t: h["architecture"].update(
        layers=[{"class": "Dropout", "config": {}}] * (limits.MAX_LAYERS + 1)))
    yield "400,000 layer specs (7 MiB)", resealed(small, lambda h, t: h["architecture"].update(
        layers=[{"class": "Dropout", "config": {}}] * 190_000))
    yield "2,000 Dropout layers, wrong tensors", resealed(small, lambda h, t: h["architecture"].update(
        layers=[{"class": "Dropout", "config": {}}] * limits.MAX_LAYERS))
    yield "nested Residual blocks 200 deep", resealed(small, lambda h, t: h["architecture"]["layers"].append(
        _nested(200)))
    yield "8 MiB of metadata (nested lists)", resealed(small, lambda h, t: h.update(
        metadata={"x": [[[i, "abc"] for i in range(490_000)]]}))
    yield "8 MiB of metadata (small numbers)", resealed(small, lambda h, t: h.update(metadata={"x": [0] * 4_150_000}))
    yield "8 MiB of metadata (one string)", resealed(small, lambda h, t: h.update(metadata={"x": "\u2028" * 1_150_000}))
    yield "header over MAX_HEADER_BYTES (9 MiB)", resealed(small, lambda h, t: h.update(metadata={"x": "a" * 9_500_000}))
    yield "class list of 100,000 labels for 2 outputs", resealed(small, lambda h, t: h.update(
        classes=[f"c{i}" for i in range(limits.MAX_CLASSES)]))
    yield "65,536 empty tensors", resealed(small, lambda h, t: t.update(
        {f"params.x{i}": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]} for i in range(limits.MAX_TENSORS)}))
    memory = Hopfield(1440, seed=0)
    memory.store(np.random.default_rng(0).choice([-1.0, 1.0], size=(20, 1440)))
    yield "Hopfield memory of 1,440 units (16 MiB)", to_bytes(memory)
    yield "Hopfield header asking for 46,340 units", resealed(to_bytes(memory), lambda h, t: h["hopfield"].update(
        size=limits.MAX_HOPFIELD_UNITS))
    yield "Dense 2,000 x 2,000 float32 (16 MiB)", to_bytes(Sequential([Dense(2000, input_dim=2000)], seed=0))
    del axonal, Dropout


def _nested(depth):
    spec = {"class": "Dropout", "config": {}}
    for _ in range(depth):
        spec = {"class": "Residual", "config": {"block": spec}}
    return spec


def main() -> int:
    worst_s = worst_mb = 0.0
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "case.axonal")
        for label, blob in _cases(directory):
            with open(path, "wb") as f:
                f.write(blob)
            run = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True, text=True, timeout=120)
            result = json.loads(run.stdout.strip().splitlines()[-1]) if run.returncode == 0 else {
                "outcome": f"child failed: {run.stderr.strip().splitlines()[-1:]}", "cpu_s": None, "extra_mb": None}
            print(f"{label:<45} {len(blob) / 2**20:6.1f} MiB  {result['cpu_s']!s:>6} s  {result['extra_mb']!s:>6} MB"
                  f"  {result['outcome']}")
            worst_s = max(worst_s, result["cpu_s"] or 0.0)
            worst_mb = max(worst_mb, result["extra_mb"] or 0.0)
    print(f"worst: {worst_s:.2f} s of CPU, {worst_mb:.0f} MB of extra peak memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
