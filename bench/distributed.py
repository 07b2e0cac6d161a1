"""Data-parallel training: samples/s on 1 and 2 ranks, Allreduce time per step, Allreduce bandwidth,
and the efficiency a ring Allreduce model predicts at 8, 64 and 512 ranks.

    python bench/distributed.py                    # launches mpiexec -n 1 and -n 2 itself
    python bench/distributed.py --samples 4096 --epochs 1 --batch-sizes 64 256

A float32 MLP 784-256-128-10 (≈235k parameters, a realistic digits-sized model) with
Adam learns random data for ``--epochs`` epochs; each configuration is run
``--repeats`` times and the median is reported. Three ways of running:

* ``1 proc``   one process, plain ``fit`` (the compiled whole-epoch path where it applies);
* ``1 rank``   one process stepping batch by batch (the path every rank of a data-parallel run takes);
* ``2 ranks``  ``mpiexec -n 2``: each rank takes half of every global batch, one Allreduce per step.

``in allreduce ms/step`` is the time rank 0 spends inside the step's ``Allreduce``
(float64 buffer of every gradient plus 4 numbers), waiting for the slower rank
included; the bandwidth table measures the Allreduce alone, the step's buffer size among them. The bandwidth table times one
Allreduce of ``n`` float64 values between the 2 ranks (median of repeats); ``algbw``
is bytes/time, ``busbw`` the ring-equivalent ``2(P-1)/P·bytes/time``.

The results go to ``bench/results/distributed.json`` and, as their own section, into
BENCHMARKS.md (:func:`section`), which ``python -m bench --report-only`` rebuilds from
that file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(args) -> None:
    sys.path.insert(0, ROOT)
    import axonal.distributed as distributed
    from axonal import Dense, Sequential
    from axonal.callbacks import Callback
    from axonal.distributed.comm import MPIComm

    class StepByStep(Callback):   # a batch callback: the loop steps batch by batch
        def on_batch_end(self, step, logs):
            return None

    comm = MPIComm()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, 784)).astype(np.float32)
    y = rng.integers(0, 10, size=args.samples)
    results = {"ranks": comm.size, "runs": []}
    for batch in args.batch_sizes:
        for stepwise in ([False, True] if comm.size == 1 else [True]):
            walls, reduce_ms = [], []
            for _ in range(args.repeats + 1):   # the first run warms caches and is not counted
                net = Sequential([Dense(256, "relu", input_dim=784), Dense(128, "relu"), Dense(10)], seed=0)
                comm.seconds, comm.calls = 0.0, {"step": 0, "epoch": 0}
                comm.barrier()
                start = time.perf_counter()
                history = distributed.fit(net, x, y, comm=comm, loss="softmax_cross_entropy", optimizer="adam",
                                          learning_rate=1e-3, epochs=args.epochs, batch_size=batch,
                                          progress=False, callbacks=[StepByStep()] if stepwise else None)
                comm.barrier()
                walls.append(time.perf_counter() - start)
                reduce_ms.append(1e3 * comm.seconds / max(1, history.steps))
            wall = statistics.median(walls[1:])
            results["runs"].append({"batch": batch, "stepwise": stepwise, "steps": history.steps,
                                    "samples_per_s": args.samples * args.epochs / wall,
                                    "step_ms": 1e3 * wall / history.steps,
                                    "allreduce_ms": statistics.median(reduce_ms[1:]),
                                    "params": int(net.params_.size)})
    if comm.size > 1:
        results["bandwidth"] = []
        gradient = int(results["runs"][0]["params"]) + 4   # the step's buffer: every gradient and 4 numbers
        for n in sorted(set(args.buffer_sizes) | {gradient}):
            buf = np.ones(n, dtype=np.float64)
            times = []
            for _ in range(args.bw_repeats):
                comm.barrier()
                start = time.perf_counter()
                comm.allreduce(buf)
                times.append(time.perf_counter() - start)
            t = statistics.median(times)
            results["bandwidth"].append({"n": n, "bytes": 8 * n, "us": 1e6 * t, "algbw_GBps": 8 * n / t / 1e9,
                                         "busbw_GBps": 2 * (comm.size - 1) / comm.size * 8 * n / t / 1e9})
    if comm.rank == 0:
        print("RESULT " + json.dumps(results), flush=True)


def launch(n: int, argv: list) -> dict:
    env = {**os.environ, "PYTHONPATH": ROOT, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    done = subprocess.run(["mpiexec", "-n", str(n), sys.executable, os.path.abspath(__file__), "--child", *argv],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"mpiexec -n {n} failed:\n{done.stderr[-3000:]}")
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def model(compute_s: float, params: int, ranks: int, alpha_s: float, beta_Bps: float, overlap: float) -> float:
    """Weak-scaling efficiency ``t_c / (t_c + max(0, t_ar - overlap·t_c))`` with a ring Allreduce of the
    float64 gradient: ``t_ar = 2(P-1)·α + 2(P-1)/P · 8·params/β``."""
    t_ar = 2 * (ranks - 1) * alpha_s + 2 * (ranks - 1) / ranks * 8 * params / beta_Bps
    exposed = max(0.0, t_ar - overlap * compute_s)
    return compute_s / (compute_s + exposed)


RESULTS = os.path.join(ROOT, "bench", "results", "distributed.json")
HEADING = "## Data-parallel training over MPI"
NETWORKS = [("100 Gb/s InfiniBand (α 2 µs, β 12 GB/s)", 2e-6, 12e9),
            ("25 Gb/s Ethernet (α 20 µs, β 2.5 GB/s)", 20e-6, 2.5e9)]


def section(results: dict) -> str:
    """BENCHMARKS.md's section, from what :func:`main` wrote to ``bench/results/distributed.json``."""
    one, two, s = results["one"], results["two"], results["settings"]
    lines = [HEADING, "",
             f"Written by `{results['command']}` (bench/distributed.py) from `bench/results/distributed.json`, "
             f"run started {results.get('started', '?')}; `python -m bench --report-only` rebuilds this section "
             f"from that file. A float32 MLP 784-256-128-10 ({one['runs'][0]['params']:,} parameters), Adam, "
             f"{s['samples']:,} random samples, {s['epochs']} epoch{'s' if s['epochs'] != 1 else ''} per run, "
             f"median of {s['repeats']} runs after "
             f"a warm-up; one BLAS thread per rank; {results.get('mpi', 'MPI')}. \"1 proc\": plain `fit` (the "
             "compiled whole-epoch path); \"1 rank\": the batch-by-batch path every rank takes; \"2 ranks\": "
             "`mpiexec -n 2`, one Allreduce per step (\"in allreduce\" also counts the wait for the slower rank). "
             f"Machine: {results.get('machine', '?')}.", ""]
    if results.get("note"):
        lines += [results["note"], ""]
    lines += ["| global batch | 1 proc samples/s | 1 rank (stepwise) samples/s | 2 ranks samples/s | speed-up 2 vs 1 "
              "rank | step ms (2 ranks) | in allreduce ms/step |", "|---:|---:|---:|---:|---:|---:|---:|"]
    rows = _rows(one, two)
    for batch, r in rows.items():
        lines.append(f"| {batch} | {r['proc']['samples_per_s']:,.0f} | {r['rank']['samples_per_s']:,.0f} | "
                     f"{r['two']['samples_per_s']:,.0f} | {r['two']['samples_per_s'] / r['rank']['samples_per_s']:.2f} "
                     f"| {r['two']['step_ms']:.2f} | {r['two']['allreduce_ms']:.3f} |")
    lines += ["", "| Allreduce of | bytes | µs | algbw GB/s | busbw GB/s |", "|---:|---:|---:|---:|---:|"]
    for b in two["bandwidth"]:
        lines.append(f"| {b['n']:,} float64 | {b['bytes']:,} | {b['us']:.1f} | {b['algbw_GBps']:.2f} | "
                     f"{b['busbw_GBps']:.2f} |")
    small = two["bandwidth"][0]
    params = two["runs"][0]["params"]
    own = [b for b in two["bandwidth"] if b["n"] == params + 4][0]
    alpha = small["us"] * 1e-6 / 2          # 2(P-1) = 2 latency terms at P = 2
    beta = max(b["busbw_GBps"] for b in two["bandwidth"]) * 1e9
    lines += ["", f"measured: α ≈ {alpha * 1e6:.1f} µs (half the smallest Allreduce), β ≈ {beta / 1e9:.2f} GB/s "
              f"(the best bus bandwidth measured); {params:,} parameters = {8 * params / 1e6:.2f} MB per Allreduce, "
              f"{own['us'] / 1e3:.3f} ms alone", "",
              "Efficiency predicted by a ring-Allreduce model, `η = t_c / (t_c + max(0, t_ar − o·t_c))`, "
              "`t_ar = 2(P−1)α + 2(P−1)/P · M/β`, `M` = the float64 gradient, `t_c` = one rank's measured step "
              "on its shard, `o` = the fraction of the Allreduce hidden behind the backward pass (0: today; 0.8: with "
              "bucketing); docs/distributed.md reads it as a plan for 100+ nodes:", "",
              "| per-rank batch | compute ms/step (1 rank) | network | overlap | 8 ranks | 64 ranks | 512 ranks |",
              "|---:|---:|---|---:|---:|---:|---:|"]
    networks = [("this machine (shared memory)", alpha, beta), *NETWORKS]
    for batch, r in rows.items():
        per_rank = batch // 2
        compute = r["rank"]["step_ms"] * 1e-3 * per_rank / batch   # a rank's share of a step, measured on 1 rank
        for name, a, b in networks:
            for overlap in (0.0, 0.8):
                eff = [model(compute, params, p, a, b, overlap) for p in (8, 64, 512)]
                lines.append(f"| {per_rank} | {compute * 1e3:.2f} | {name} | {overlap:.0%} | "
                             + " | ".join(f"{e:.0%}" for e in eff) + " |")
    return "\n".join(lines)


def _rows(one: dict, two: dict) -> dict:
    rows: dict = {}
    for run in one["runs"]:
        rows.setdefault(run["batch"], {})["proc" if not run["stepwise"] else "rank"] = run
    for run in two["runs"]:
        rows[run["batch"]]["two"] = run
    return rows


def write_section(results: dict, markdown_path) -> None:
    """Put :func:`section` into BENCHMARKS.md in place of its previous version (or before the methods)."""
    sys.path.insert(0, ROOT)
    from bench.markdown import replace_section
    with open(markdown_path, encoding="utf-8") as handle:
        text = handle.read()
    with open(markdown_path, "w", encoding="utf-8") as handle:
        handle.write(replace_section(text, HEADING, section(results)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--buffer-sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000, 4_000_000])
    parser.add_argument("--bw-repeats", type=int, default=15)
    parser.add_argument("--out", default=RESULTS, help="results file (default: bench/results/distributed.json)")
    parser.add_argument("--no-markdown", action="store_true", help="do not rewrite BENCHMARKS.md's section")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    argv = sys.argv[1:]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    one, two = launch(1, argv), launch(2, argv)
    from mpi4py import MPI
    shown = [a for i, a in enumerate(argv) if a not in ("--out", "--no-markdown") and argv[i - 1:i] != ["--out"]]
    results = {"command": " ".join(["python bench/distributed.py", *shown]), "started": started,
               "settings": {k: v for k, v in vars(args).items() if k not in ("child", "out", "no_markdown")},
               "machine": f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end",
               "mpi": " ".join(MPI.Get_library_version().splitlines()[0].split()), "one": one, "two": two}
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
    print(section(results))
    if not args.no_markdown:
        write_section(results, os.path.join(ROOT, "BENCHMARKS.md"))
        print(f"\nwrote {os.path.relpath(args.out, ROOT)} and the section of BENCHMARKS.md")


if __name__ == "__main__":
    main()
