"""The benchmark runner: ``python -m bench [--quick]`` (or ``python bench/run.py``).

Every measurement runs in its own subprocess (bench/worker.py), one after another,
with the thread environment variables set before the library is imported and the
pools pinned again inside (threadpoolctl, ``torch.set_num_threads``): OpenBLAS and
OpenMP pools of different libraries slow each other down when mixed in one process.
Within each cell of the plan the libraries alternate, their order rotating with
each repeat. Records go to a JSON-lines file as they arrive; at the end the table
of medians is printed and, for a full run, BENCHMARKS.md and the plot are written.
A measurement during which other processes used more than a tenth of a core is
flagged ``disturbed``, kept in the records and run again (up to three times); the
medians leave disturbed records out wherever an undisturbed one exists.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from bench import machine, report
from bench.peers import LIBRARIES, missing_reason, thread_environment
from bench.workloads import imports

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
FAMILIES = ("imports", "mlp", "infer", "digits", "xor", "rnn", "graph", "online")
RNN_WORKLOADS = ("rnn_lstm", "rnn_gru", "rnn_simple", "rnn_peephole")
ATTEMPTS = 3  # a measurement disturbed by another process is kept, flagged, and run again


@dataclass
class Settings:
    repeats: int
    mlp_repeats: int              # MLP training varies most (two threads on a shared machine): more repeats
    import_repeats: int
    mlp_samples: dict             # batch size -> samples in the timed pass (a fixed number of steps)
    ceiling_seconds: float
    infer_calls: int
    synaptic_seconds: float
    synaptic_warmup: float
    xor_epochs: int
    xor_seeds: int
    rnn_steps: int = 60           # timed training steps (batches of 32 sequences of 50 steps) per measurement
    dsr_seeds: int = 5            # axonal DSR runs (network seeds); the median time over them is the statistic
    dsr_synaptic_runs: int = 3    # Synaptic DSR runs (unseeded), each capped at dsr_synaptic_seconds
    dsr_synaptic_seconds: float = 60.0
    threads: tuple = (1, 2)
    batches: tuple = (128, 16, 1)
    online_repeats: int = 3       # fresh processes per per-step task (each gives one cold figure)
    online_calls: int = 6         # calls per process of a per-step task: the cold one, then warm ones
    online_xor_seeds: int = 5     # XOR runs to solve (after the cold run), one network seed each
    online_dsr_seeds: int = 2     # DSR runs to solve (after the cold run)


FULL = Settings(repeats=3, mlp_repeats=5, import_repeats=5, mlp_samples={128: 60_000, 16: 16 * 3000, 1: 3000},
                ceiling_seconds=1.5, infer_calls=3000, synaptic_seconds=5.0, synaptic_warmup=6.0,
                xor_epochs=5000, xor_seeds=20)
QUICK = Settings(repeats=1, mlp_repeats=1, import_repeats=3, mlp_samples={128: 128 * 100, 16: 16 * 500, 1: 500},
                 ceiling_seconds=0.4, infer_calls=1000, synaptic_seconds=2.0, synaptic_warmup=3.0,
                 xor_epochs=1000, xor_seeds=5, rnn_steps=15, dsr_seeds=2, dsr_synaptic_runs=1,
                dsr_synaptic_seconds=20.0, online_repeats=1, online_calls=3, online_xor_seeds=2,
                online_dsr_seeds=1)


@dataclass
class Cell:
    """One comparison: the same workload and parameters for several libraries, repeated."""
    family: str
    workload: str
    threads: int
    params: dict
    libraries: list
    repeats: int
    jobs: list = field(default_factory=list)


def plan(s: Settings, families, libraries) -> list:
    def libs(*keys):
        return [k for k in keys if k in libraries]

    cells = []
    if "imports" in families:
        cells.append(Cell("imports", "imports", 1, {}, libs("axonal", "torch", "sklearn"), s.import_repeats))
    for t in s.threads:
        if "mlp" in families:
            for b in s.batches:
                cells.append(Cell("mlp", "mlp_train", t, {"batch": b, "samples": s.mlp_samples[b]},
                                  libs("axonal", "torch", "torch_fused", "sklearn"), s.mlp_repeats))
                cells.append(Cell("mlp", "mlp_ceiling", t, {"batch": b, "seconds": s.ceiling_seconds},
                                  libs("numpy"), s.repeats))
            cells.append(Cell("mlp", "matmul_peak", t, {"n": 2048}, libs("numpy"), s.repeats))
        if "infer" in families:
            cells.append(Cell("infer", "mlp_infer", t, {"calls": s.infer_calls}, libs("axonal", "torch", "sklearn"),
                              s.repeats))
        if "digits" in families:
            cells.append(Cell("digits", "digits", t, {"epochs": 80}, libs("axonal", "torch", "sklearn"), s.repeats))
        if "xor" in families:
            cells.append(Cell("xor", "xor_steps", t, {"epochs": s.xor_epochs},
                              libs("axonal", "torch", *(["synaptic"] if t == 1 else [])), s.repeats))
        if "rnn" in families:
            for workload in RNN_WORKLOADS:
                cells.append(Cell("rnn", workload, t, {"steps": s.rnn_steps, "warmup": 5},
                                  libs("axonal", "torch"), s.repeats))
        if "graph" in families:  # the LSTM as a graph against the fused LSTM layer
            cells.append(Cell("graph", "graph_lstm", t, {"steps": s.rnn_steps, "warmup": 5},
                              libs("axonal", "axonal_layer"), s.repeats))
    if "rnn" in families:  # small LSTMs against single-threaded JavaScript: one thread
        cells.append(Cell("rnn", "rnn_dsr", 1, {"seeds": s.dsr_seeds, "max_epochs": 40,
                                                "synaptic_runs": s.dsr_synaptic_runs,
                                                "synaptic_seconds": s.dsr_synaptic_seconds},
                          libs("axonal", "synaptic"), 1))
    if "graph" in families:  # Architect LSTM graphs on DSR, against single-threaded JavaScript: one thread
        cells.append(Cell("graph", "graph_dsr", 1, {"seeds": s.dsr_seeds, "max_epochs": 40,
                                                    "synaptic_runs": s.dsr_synaptic_runs,
                                                    "synaptic_seconds": s.dsr_synaptic_seconds},
                          libs("axonal", "synaptic"), 1))
        cells.append(Cell("graph", "graph_dsr_lstm_g", 1, {"seeds": s.dsr_seeds, "max_sequences": 40_000},
                          libs("axonal"), 1))
    if "xor" in families:  # tiny matrices: one thread only; the median over seeds is the statistic
        cells.append(Cell("xor", "xor_solve", 1, {"seeds": s.xor_seeds, "max_epochs": 20000},
                          libs("axonal", "torch", "synaptic"), 1))
    if "online" in families:  # Synaptic's regime, against single-threaded JavaScript: one thread
        cells += online_cells(s, libs("axonal", "axonal_numpy", "synaptic"))
    if "mlp" in families and "synaptic" in libraries:  # single-threaded JavaScript
        cells.append(Cell("mlp", "mlp_synaptic", 1, {"seconds": s.synaptic_seconds,
                                                     "warmup_seconds": s.synaptic_warmup},
                          ["synaptic"], s.repeats))
    for cell in cells:
        for rep in range(cell.repeats):
            k = rep % max(1, len(cell.libraries))
            for position, lib in enumerate(cell.libraries[k:] + cell.libraries[:k]):
                cell.jobs.append({"family": cell.family, "workload": cell.workload, "library": lib,
                                  "threads": cell.threads, "params": cell.params, "repeat": rep,
                                  "position": position})
    return cells


def online_cells(s: Settings, libraries: list) -> list:
    """The online family (bench/workloads/online.py): time to solve once per library (the median over
    network seeds is the statistic), per-step tasks in ``online_repeats`` fresh processes.

    Numba's compile time is measured once per engine, by the first task that uses it (XOR: the
    compiled dense epoch; LSTM(6, 4, 6): the graph step and LSTM-g step; the timing task: the
    whole LSTM-g epoch); the other tasks load those kernels from that task's cache (``cache``)."""
    calls, repeats = s.online_calls, s.online_repeats
    return [
        Cell("online", "online_xor", 1, {"seeds": s.online_xor_seeds, "numpy_seeds": min(2, s.online_xor_seeds)},
             libraries, 1),
        Cell("online", "online_sin", 1, {"calls": calls, "cache": "online_xor", "compile": False}, libraries, repeats),
        Cell("online", "online_lstm", 1, {"calls": calls, "block": 500, "activate_blocks": 6}, libraries, repeats),
        Cell("online", "online_dsr_stream", 1, {"calls": calls, "block": 450, "activate_blocks": 6,
                                                "cache": "online_lstm", "compile": False}, libraries, repeats),
        Cell("online", "online_timing", 1, {"calls": calls}, libraries, repeats),
        # DSR's kernels are the timing task's (the LSTM-g epoch): it loads them from online_timing's cache and
        # measures no compile time of its own; axonal NumPy would take minutes per run (the per-step rows show
        # that gain)
        Cell("online", "online_dsr", 1, {"seeds": s.online_dsr_seeds, "cache": "online_timing", "compile": False},
             [lib for lib in libraries if lib != "axonal_numpy"], 1),
    ]


_NUMBA_ROOT: list = []


def numba_cache(workload: str) -> str:
    """The ``NUMBA_CACHE_DIR`` of ``workload``'s axonal processes in this run: empty until the first of
    them compiles into it (bench/workloads/online.py), so each workload's compile time is measured once."""
    if not _NUMBA_ROOT:
        _NUMBA_ROOT.append(tempfile.mkdtemp(prefix="bench-numba-"))
    return os.path.join(_NUMBA_ROOT[0], workload)


def wait_for_quiet(limit_s: float = 60.0, busy_cores: float = 0.3) -> tuple:
    """Wait (up to ``limit_s``) until other processes use under ``busy_cores``; return (waited, busy)."""
    waited = 0.0
    while True:
        before, t0 = machine.busy_cpu_seconds(), time.perf_counter()
        time.sleep(0.3)
        busy = (machine.busy_cpu_seconds() - before) / (time.perf_counter() - t0)
        if busy < busy_cores or waited >= limit_s:
            return waited, busy
        time.sleep(1.0)
        waited += 1.3


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_job(job: dict, timeout: float = 900, quiet_wait: float = 60.0) -> dict:
    """Run one measurement in a fresh subprocess and return its record.

    The record also says how much CPU other processes used while it ran
    (``other_cores``: the machine's busy CPU time less this measurement's, per second).
    """
    waited, busy = wait_for_quiet(quiet_wait)
    record = {"record": "measurement", **job, "started": _now(), "quiet_wait_s": waited,
              "busy_cores_before": round(busy, 3)}
    busy0, child0 = machine.busy_cpu_seconds(), _children_cpu_seconds()
    t0 = time.perf_counter()
    try:
        if job["workload"] == "imports":
            record.update(result=imports.measure(job["library"], job["threads"]), load_before=os.getloadavg())
        else:
            spec = {k: job[k] for k in ("workload", "library", "threads", "params")}
            env = thread_environment(job["threads"], job["library"])
            if job["family"] == "online":
                env["NUMBA_CACHE_DIR"] = numba_cache(job["params"].get("cache", job["workload"]))
            proc = subprocess.run([sys.executable, "-m", "bench.worker", json.dumps(spec)], cwd=REPO,
                                  env=env, capture_output=True, text=True, timeout=timeout, check=False)
            lines = [l for l in proc.stdout.splitlines() if l.startswith("BENCH_RESULT ")]
            if proc.returncode != 0 or not lines:
                raise RuntimeError(f"worker exited {proc.returncode}: {proc.stderr.strip()[-1500:]}")
            record.update(json.loads(lines[-1][len("BENCH_RESULT "):]))
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
        record.update(record="error", error=str(exc))
    wall = time.perf_counter() - t0
    others = machine.busy_cpu_seconds() - busy0 - (_children_cpu_seconds() - child0)
    record.update(process_wall_s=wall, other_cores=round(max(0.0, others) / wall, 3))
    return record


def merge_records(old: list, new: list, families) -> list:
    """``old`` with its measurements of ``families`` replaced by those of ``new``.

    The old run record stays first (BENCHMARKS.md names it); the new run's record follows,
    marked ``merged``, with its measurements; the libraries' info records of the old run
    are kept, and the new run's added only for libraries the old one lacked. The run and end
    records of an earlier merge of no other families than these are dropped: it is superseded.
    """
    replaced = set(families)
    kept, superseded = [], False
    for r in old:
        kind = r.get("record")
        if kind == "run":  # an earlier merge of only these families: its run and end records go too
            superseded = bool(r.get("merged")) and set(r.get("families", [])) <= replaced
        if (superseded and kind in ("run", "merged_end")
                or kind in ("measurement", "error") and r.get("family") in replaced):
            continue
        kept.append(r)
    have_info = {r["library"] for r in kept if r.get("record") == "info"}
    added = []
    for r in new:
        kind = r.get("record")
        if kind == "run":
            added.append({**r, "merged": True, "families": sorted(replaced)})
        elif kind == "info" and r["library"] in have_info:
            continue
        elif kind == "end":
            added.append({**r, "record": "merged_end"})
        else:
            added.append(r)
    return kept + added


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _describe(record: dict) -> str:
    p = record.get("params", {})
    what = record["workload"] + (f" b={p['batch']}" if "batch" in p else "")
    head = f"{what:<18} t={record['threads']} {record['library']:<12}"
    if record["record"] == "error":
        return head + " ERROR " + record["error"].splitlines()[-1][:150]
    return head + " " + report.summary_of(record)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short pass (a few minutes): fewer samples, 1 repeat")
    parser.add_argument("--only", default=",".join(FAMILIES), help=f"workload families, from {','.join(FAMILIES)}")
    parser.add_argument("--libs", default=",".join(LIBRARIES), help="libraries, from " + ",".join(LIBRARIES))
    parser.add_argument("--threads", default=None, help="thread counts to pin, e.g. 1,2 (default 1,2)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repeats per comparison (default 3, 5 for MLP training; 1 with --quick)")
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON-lines file (default bench/results/latest.jsonl; quick.jsonl with --quick)")
    parser.add_argument("--markdown", action=argparse.BooleanOptionalAction, default=None,
                        help="write BENCHMARKS.md and the plot (default: yes for a full run, no with --quick)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the records of --output for the families not run now: replace only those run")
    parser.add_argument("--quiet-wait", type=float, default=60.0,
                        help="seconds to wait, at most, for a quiet machine before each measurement (default 60)")
    parser.add_argument("--attempts", type=int, default=ATTEMPTS,
                        help=f"runs of a measurement that other processes disturbed, at most (default {ATTEMPTS})")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: rebuild the table, BENCHMARKS.md and the plot from --output")
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else FULL
    if args.threads:
        settings = replace(settings, threads=tuple(int(t) for t in args.threads.split(",")))
    if args.repeats:
        settings = replace(settings, repeats=args.repeats, mlp_repeats=args.repeats, online_repeats=args.repeats)
    output = args.output or BENCH_DIR / "results" / ("quick.jsonl" if args.quick else "latest.jsonl")
    write_markdown = (not args.quick) if args.markdown is None else args.markdown
    if args.report_only:
        return report.publish(output, write_markdown)

    families = [f for f in args.only.split(",") if f]
    unknown = set(families) - set(FAMILIES) | set(args.libs.split(",")) - set(LIBRARIES)
    if unknown:
        parser.error(f"unknown names: {', '.join(sorted(unknown))}")
    wanted = [k for k in args.libs.split(",") if k]
    given = sys.argv[1:] if argv is None else list(argv)
    command = "python -m bench" + (" " + shlex.join(given) if given else "")

    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".tmp")
    started = time.perf_counter()
    with partial.open("w") as out:
        def emit(record):
            out.write(json.dumps(record) + "\n")
            out.flush()

        emit({"record": "run", "command": command, "quick": args.quick, "started": _now(),
              "attempts": args.attempts, "quiet_wait_s": args.quiet_wait,
              "settings": {k: v for k, v in vars(settings).items()}, "machine": machine.machine()})
        available = []
        for key in wanted:
            reason = missing_reason(key)
            if reason:
                print(f"skipping {LIBRARIES[key].label}: {reason}", flush=True)
                emit({"record": "skip", "library": key, "reason": reason})
            else:
                available.append(key)
        for key in available:  # versions, BLAS and thread pools as each library's process sees them
            info = run_job({"family": "info", "workload": "info", "library": key, "threads": 1, "params": {},
                            "repeat": 0, "position": 0}, quiet_wait=args.quiet_wait)
            info["record"] = "info" if info["record"] == "measurement" else "error"
            emit(info)

        cells = plan(settings, families, available)
        total = sum(len(c.jobs) for c in cells)
        done = 0
        for cell in cells:
            if cell.workload == "imports":  # untimed first imports: bytecode cache and file cache warm
                for lib in cell.libraries:
                    run_job(cell.jobs[0] | {"library": lib}, quiet_wait=args.quiet_wait)
            for job in cell.jobs:
                for attempt in range(1, args.attempts + 1):
                    record = run_job(job, quiet_wait=args.quiet_wait)
                    record["attempt"] = attempt
                    disturbed = record["record"] == "measurement" and record["other_cores"] > report.BUSY
                    record["disturbed"] = disturbed
                    emit(record)
                    print(f"[{done + 1:>3}/{total}] {_describe(record)}", flush=True)
                    if not disturbed:
                        break
                done += 1
        emit({"record": "end", "finished": _now(), "elapsed_s": time.perf_counter() - started,
              "loadavg": os.getloadavg()})
    if args.merge and output.exists():
        merged = merge_records(report.load(output), report.load(partial), families)
        partial.write_text("".join(json.dumps(r) + "\n" for r in merged))
    partial.replace(output)
    if _NUMBA_ROOT:
        shutil.rmtree(_NUMBA_ROOT.pop(), ignore_errors=True)
    print(f"\nrecords: {output.relative_to(REPO) if output.is_relative_to(REPO) else output}")
    return report.publish(output, write_markdown)


if __name__ == "__main__":
    sys.exit(main())
