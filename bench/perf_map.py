"""Where a compiled online task spends its time, by kernel function, sampled with Linux ``perf``.

``perf`` cannot name the functions Numba compiles: their machine code lives in memory that no
file describes. This tool writes ``/tmp/perf-<pid>.map`` (the map ``perf report`` reads for
code generated at run time: start address, size and name of each function) for every function
of the kernels a task ran, then samples the task's warm calls::

    python -m bench.perf_map online_timing --seconds 8      # needs perf (linux-tools)

Kernels are compiled in this process (``NUMBA_CACHE_DIR`` is set to a new empty folder before
Numba is imported: a function loaded from the on-disk cache has no module to read names from). A
function inlined into its caller (``inline="always"``) is counted in the caller; to see
it on its own, profile a copy of the package with that flag removed (``--path``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def readable(symbol: str) -> str:
    """``axonal.kernels.lstm_g.activate_at`` from Numba's mangled ``_ZN6axonal7kernels6lstm_g11activate_atB2v2...``
    (the length-prefixed parts of the nested name; anything else is returned as it is)."""
    if not symbol.startswith("_ZN"):
        return symbol
    parts, i = [], 3
    while i < len(symbol) and symbol[i].isdigit():
        j = i
        while j < len(symbol) and symbol[j].isdigit():
            j += 1
        n = int(symbol[i:j])
        parts.append(symbol[j:j + n])
        i = j + n
    return ".".join(parts) or symbol


def perf_map(dispatchers) -> int:
    """Write ``/tmp/perf-<pid>.map`` for every compiled function in the libraries of ``dispatchers``
    (their compiled signatures, with everything linked into them); returns how many it lists. A
    function's size is taken up to the next function's start."""
    found = {}
    for dispatcher in dispatchers:
        for result in dispatcher.overloads.values():
            library = result.library
            engine = library._codegen._engine
            for fn in library._final_module.functions:
                if not fn.is_declaration:
                    address = engine.get_function_address(fn.name)
                    if address:
                        found[address] = fn.name
    starts = sorted(found)
    ends = starts[1:] + [starts[-1] + (1 << 16)] if starts else []
    with open(f"/tmp/perf-{os.getpid()}.map", "w", encoding="ascii", errors="replace") as out:
        for start, end in zip(starts, ends):
            out.write(f"{start:x} {end - start:x} {readable(found[start])}\n")
    return len(starts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf_map", description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", help="an online task: online_xor, online_sin, online_lstm, online_timing, "
                                         "online_dsr, online_dsr_stream")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to sample the warm calls")
    parser.add_argument("--path", default=None, help="import axonal from this folder first (a modified copy)")
    parser.add_argument("--top", type=int, default=20, help="how many functions to print")
    args = parser.parse_args(argv)
    if shutil.which("perf") is None:
        parser.error("perf is not installed (linux-tools)")
    if "numba" in sys.modules:
        parser.error("numba is already imported: the kernels would come from its cache")
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="perf-map-numba-")
    if args.path:
        sys.path.insert(0, args.path)
    import axonal.jit
    from .workloads.online_tasks import KINDS, AxonalTask
    if args.workload not in KINDS:
        parser.error(f"unknown workload {args.workload!r}; one of {', '.join(KINDS)}")
    calls = 400                                    # the stream tasks' data: calls × 500 steps, reused in turn
    task = AxonalTask(args.workload, {"calls": calls, "block": 500, "seeds": calls})
    task.call(0)                                   # compiles every kernel the task uses
    kernels = [getattr(module, name) for module in (axonal.jit.kernels(n) for n in axonal.jit.load_seconds())
               for name in dir(module) if hasattr(getattr(module, name), "overloads")]
    print(f"{perf_map(kernels)} compiled functions mapped", flush=True)
    data = os.path.join(tempfile.mkdtemp(prefix="perf-map-"), "perf.data")
    recorder = subprocess.Popen(["perf", "record", "-q", "-p", str(os.getpid()), "-o", data, "--",
                                 "sleep", str(args.seconds)])
    i, end = 1, time.perf_counter() + args.seconds
    while time.perf_counter() < end:
        task.call(1 + (i - 1) % (calls - 1))
        i += 1
    recorder.wait()
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio"],
                            capture_output=True, text=True, check=False)
    lines = [line for line in report.stdout.splitlines() if line.strip() and not line.startswith("#")]
    print("\n".join(line[:140] for line in lines[:args.top]))
    print(f"\n{i - 1} warm calls sampled; perf data: {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
