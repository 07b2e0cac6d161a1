"""A seeded mutation fuzzer for everything axonal reads: model files, Synaptic JSON, names.

Each case is named ``target/mutator/index`` and is rebuilt from that id alone: the
seed (tests/fuzz_corpus.py) of ``target`` goes through ``mutator``
(tests/fuzz_mutators.py) driven by ``random.Random(f"{seed}:{id}")``. Targets are the
model kinds (``mlp``, ``batchnorm``, ``lstm``, ``graph_lstm``, ``hopfield`` when
``axonal.save`` accepts Hopfield memories), ``synaptic`` (Synaptic JSON import)
and ``export`` (a hostile name set on a built network, then Python, DOT and SVG export).

Every case must end in one of

* the documented error: :class:`axonal.io.ModelFileError` from ``axonal.load``,
  :data:`SYNAPTIC_ERROR` from Synaptic import, ``ValueError`` from an exporter, with
  a message of at most ``fuzz_checks.MESSAGE_LIMIT`` characters and no control characters;
* a correct load: the model's outputs on a fixed input are finite and, unless the
  mutator re-signed the file (``SIGNED``), equal to the seed's;
* valid exporter output: Python that parses, imports nothing but ``math`` and never
  runs a payload; DOT whose names stay inside strings; well-formed SVG.

Cases run in child processes under ``resource`` limits: address space
(:data:`ADDRESS_SPACE_BYTES` above the child's start), and CPU time per case
(:data:`CASE_CPU_SECONDS`; the kernel counts whole seconds, so a case is stopped
after 2 to 3 s). The peak resident memory of each case is measured (the kernel's
high-water mark, reset before the case) and must stay under :data:`CASE_MEMORY_MB`.
A child that dies or stalls for :data:`STALL_SECONDS` is reported with the case
it was running, and a fresh child takes the remaining cases. Anything else
(another exception type, a crash, a hang, a silent change, NaN outputs) is a failure.

Usage::

    python3 tests/fuzzing.py --cases 2000 --jobs 2          # what tests/test_fuzz.py runs
    python3 tests/fuzzing.py --cases 50000 --jobs 2         # the long mode (15 to 20 minutes)
    python3 tests/fuzzing.py --case mlp/json_edit/17 --write case.bin   # reproduce one case
    AXONAL_FUZZ_CASES=50000 python3 -m pytest -p no:cacheprovider tests/test_fuzz.py
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import re
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_checks as checks  # noqa: E402
import fuzz_corpus as corpus  # noqa: E402
import fuzz_mutators as mutators  # noqa: E402
from axonal.synaptic import SynapticJSONError, from_json

CASE_CPU_SECONDS = 2.0
CASE_MEMORY_MB = 200
ADDRESS_SPACE_BYTES = 2 * 2 ** 30
STALL_SECONDS = 30.0
BASE_SEED = 20240601
#: (target, mutator, weight): the share of cases each pair gets.
MODEL_PLAN = [("flip", 3), ("header_flip", 3), ("overwrite", 2), ("truncate", 1), ("extend", 0.5),
              ("length_lie", 1), ("tensor_table", 2), ("json_edit", 3), ("json_edit_signed", 3), ("structure", 0.4)]
OTHER_PLAN = [("synaptic", "syn_value", 5), ("synaptic", "syn_index", 2), ("synaptic", "syn_bytes", 2),
              ("synaptic", "syn_nesting", 0.4), ("synaptic", "syn_size", 0.3), ("export", "export", 5)]


def synaptic_error():
    """The one error Synaptic JSON import documents."""
    return SynapticJSONError


def plan(n: int, kinds) -> list:
    """``n`` case ids spread over ``kinds`` and every mutator by weight, interleaved."""
    pairs = [(k, m, w) for k in kinds for m, w in MODEL_PLAN] + OTHER_PLAN
    total = sum(w for *_, w in pairs)
    shares = [n * w / total for *_, w in pairs]
    counts = [math.floor(s) for s in shares]
    for i in sorted(range(len(pairs)), key=lambda i: counts[i] - shares[i])[:n - sum(counts)]:
        counts[i] += 1
    cases = [((i + 0.5) / c, f"{k}/{m}/{i}") for (k, m, _), c in zip(pairs, counts) for i in range(c)]
    return [case for _, case in sorted(cases)]


# -- one case, in the child ----------------------------------------------------------------------------
class Seeds:
    """Seed files and reference outputs, built once per child."""

    def __init__(self):
        import axonal.io
        self.blobs, self.reference, self.resaved, self.networks = {}, {}, {}, checks.export_networks()
        self.kinds = [k for k in corpus.MODEL_KINDS if k != "hopfield" or corpus.hopfield_supported()]
        with tempfile.TemporaryDirectory() as tmp:
            for kind in self.kinds:
                model, options = corpus.model_seed(kind)
                path = os.path.join(tmp, f"{kind}.axonal")
                axonal.io.save(model, path, **options)
                self.blobs[kind] = Path(path).read_bytes()
                loaded = axonal.load(path)
                self.reference[kind] = corpus.outputs_of(loaded)
                self.resaved[kind] = resaved(loaded, tmp)
        self.synaptic = corpus.synaptic_seeds()

    def data(self, case: str) -> bytes | None:
        """The bytes of a file case (``None`` for an export case)."""
        target, mutator, _ = case.split("/")
        rng = random.Random(f"{BASE_SEED}:{case}")
        if target == "synaptic":
            return mutators.SYNAPTIC_MUTATORS[mutator](rng, rng.choice(self.synaptic))
        if target in ("export", "selftest"):
            return None if target == "export" else b""
        return mutators.MODEL_MUTATORS[mutator](rng, self.blobs[target])


def resaved(model, workdir) -> bytes:
    """The bytes ``axonal.save`` writes for ``model`` with everything it carries."""
    import axonal
    path = Path(workdir) / "resaved.axonal"
    axonal.save(model, path)
    return path.read_bytes()


def _memory_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _refusal(exc, path) -> str:
    """``refused TYPE: WHAT``, the message cut to its kind (no path, values or numbers)."""
    text = str(exc).replace(str(path), "PATH").replace("PATH: ", "")
    what = re.split(r" \(|;|, got | exceed", text, maxsplit=1)[0]
    what = re.sub(r"\b(has|named?|gater|layer|squash) \S.*", r"\1 …", what)
    return f"refused {type(exc).__name__}: {re.sub(r'[0-9]+', '#', what)[:60]}"


def run_case(seeds: Seeds, case: str, workdir: str, start=lambda: None) -> dict:
    """Run one case; return ``{"outcome", "failure", "detail", ...}``.

    ``start()`` is called once the mutated file is written, just before axonal reads
    it: the worker sets the case's CPU limit there, so building the case is not counted.
    """
    target, mutator, _ = case.split("/")
    if target == "export":
        start()
        return checks.export_case(seeds.networks, random.Random(f"{BASE_SEED}:{case}"))
    import axonal
    import axonal.io
    try:
        blob = seeds.data(case)
    except Exception as exc:  # noqa: BLE001 (a mutator that fails is a fault of the fuzzer, shown as such)
        return {"outcome": f"FAIL harness: the mutator raised {type(exc).__name__}: {str(exc)[:80]}",
                "failure": True, "detail": traceback.format_exc()[-300:]}
    path = Path(workdir) / ("case.json" if target == "synaptic" else "case.axonal")
    path.write_bytes(blob)
    expected = synaptic_error() if target == "synaptic" else axonal.io.ModelFileError
    start()
    _reset_peak()
    before = _memory_mb("VmRSS")
    try:
        if target == "synaptic":
            model = from_json(path)
        elif target == "selftest":
            model = _selftest(mutator)
        else:
            model = axonal.load(path)
        outputs = corpus.outputs_of(model)
    except Exception as exc:  # noqa: BLE001 (the type is the finding)
        result = {"outcome": _refusal(exc, path), "failure": False, "detail": str(exc)[:300]}
        if checks.caused_by_memory(exc):
            result.update(outcome="FAIL memory: MemoryError under the address-space limit", failure=True)
        elif not isinstance(exc, expected):
            result.update(outcome=f"FAIL exception {type(exc).__name__} at {checks.where(exc)}", failure=True)
        elif checks.message_problem(str(exc)):
            result.update(outcome=f"FAIL message: {checks.message_problem(str(exc))} at {checks.where(exc)}", failure=True)
    else:
        result = {"outcome": "loaded", "failure": False, "detail": ""}
        reference = seeds.reference.get(target)
        changed = reference is not None and (outputs.shape != reference.shape or not (outputs == reference).all())
        if target != "synaptic" and not changed:
            try:
                changed = resaved(model, workdir) != seeds.resaved[target]
            except Exception as exc:  # noqa: BLE001
                result.update(outcome=f"FAIL resave: {type(exc).__name__} at {checks.where(exc)}", failure=True)
        if not np_isfinite(outputs):
            result.update(outcome="FAIL nonfinite outputs after a load", failure=True)
        elif changed and not result["failure"]:
            signed = mutator in mutators.SIGNED
            result.update(outcome="loaded-changed" if signed else "FAIL silent-change (loaded, saves differently)",
                          failure=not signed)
    extra = _memory_mb("VmHWM") - before
    result["memory_mb"] = round(extra, 1)
    if extra > CASE_MEMORY_MB and not result["failure"]:
        result.update(outcome=f"FAIL memory: over {CASE_MEMORY_MB} MB above the start of the case", failure=True,
                      detail=f"{extra:.0f} MB; " + result["detail"])
    return result


def _selftest(what: str):
    """Cases that break a bound on purpose, so the tests see each bound enforced."""
    if what == "burn":
        while True:
            pass
    if what == "sleep":
        time.sleep(3600)
    if what == "abort":
        os.abort()
    from axonal.io import ModelFileError
    block = b"x" * ((CASE_MEMORY_MB + 100) << 20)
    raise ModelFileError(f"self-test: held {len(block) >> 20} MB")


def np_isfinite(values) -> bool:
    import numpy as np
    return bool(np.isfinite(values).all())


def worker(cases: list) -> None:
    """The child: run ``cases`` in order, printing ``S id`` before and ``R {json}`` after each."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = int(_memory_mb("VmSize") * 2 ** 20) + ADDRESS_SPACE_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        seeds = Seeds()
    except Exception as exc:  # noqa: BLE001 (no seeds, no cases: the parent stops the run)
        print(f"E the seeds cannot be built: {type(exc).__name__}: {str(exc)[:300]}", flush=True)
        raise SystemExit(3) from None
    cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    with tempfile.TemporaryDirectory(prefix="axonal-fuzz-") as workdir:
        for case in cases:
            print(f"S {case}", flush=True)
            used = [0.0]

            def start():
                used[0] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
                resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(used[0] + CASE_CPU_SECONDS), cpu_hard))

            result = run_case(seeds, case, workdir, start)
            result["cpu_s"] = round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - used[0], 3)
            resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, cpu_hard))
            print("R " + json.dumps({"id": case, **result}), flush=True)


# -- the parent --------------------------------------------------------------------------------------------
class _Child:
    def __init__(self, cases):
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   PYTHONHASHSEED="0")
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.proc.stdin.write(json.dumps(cases).encode())
        self.proc.stdin.close()
        self.left, self.current, self.last, self.buffer = list(cases), None, time.monotonic(), b""

    def lines(self) -> list | None:
        """The complete lines the child has written since the last call; ``None`` at its end."""
        data = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not data:
            return None
        self.last = time.monotonic()
        *complete, self.buffer = (self.buffer + data).split(b"\n")
        return [line.decode() for line in complete]

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        stderr = self.proc.stderr.read().decode(errors="replace")
        code = self.proc.returncode
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit status {code}: " + (stderr.strip().splitlines() or [""])[-1][:200]


def _ended(child, results, stalled, stall_seconds) -> None:
    """Record why ``child`` ended against the case it was running (or its next one)."""
    ended = child.stop()
    case = child.current or (child.left[0] if child.left else None)
    if case is None:
        return
    if stalled:
        why = f"FAIL hang: no progress for {stall_seconds:.0f} s"
    elif "SIGXCPU" in ended:
        why = f"FAIL cpu-limit: over {CASE_CPU_SECONDS:.0f} s of CPU"
    else:
        why = f"FAIL crash: {ended}"
    results.append({"id": case, "outcome": why, "failure": True, "detail": ended})
    child.left.remove(case)


def run(cases: list, jobs: int = 2, progress=None, stall_seconds: float = STALL_SECONDS) -> list:
    """Run ``cases`` in ``jobs`` children; return one result dict per case, in no fixed order.

    A child silent for ``stall_seconds`` is killed and its case reported as a hang.
    """
    children = [_Child(cases[i::jobs]) for i in range(jobs) if cases[i::jobs]]
    results = []
    while children:
        ready, _, _ = select.select([c.proc.stdout for c in children], [], [], 1.0)
        for child in list(children):
            lines = child.lines() if child.proc.stdout in ready else []
            for line in lines or []:
                if line.startswith("E "):
                    for other in children:
                        other.stop()
                    raise RuntimeError(line[2:])
                if line.startswith("S "):
                    child.current = line[2:].strip()
                elif line.startswith("R "):
                    results.append(json.loads(line[2:]))
                    child.left.remove(child.current)
                    child.current = None
                    if progress:
                        progress(len(results))
            stalled = time.monotonic() - child.last > stall_seconds
            if lines is None or stalled:
                _ended(child, results, stalled, stall_seconds)
                children.remove(child)
                if child.left:
                    children.append(_Child(child.left))
    return results


def summary(results: list) -> str:
    """Counts per outcome, then each failure signature with its first cases."""
    counts = collections.Counter(r["outcome"] for r in results if not r["failure"])
    failures = collections.defaultdict(list)
    for r in results:
        if r["failure"]:
            failures[r["outcome"]].append(r["id"])
    kinds = collections.Counter(r["id"].split("/")[0] for r in results)
    lines = [f"{len(results)} cases ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
             f"{sum(len(v) for v in failures.values())} failures"]
    lines += [f"  {n:>6}  {outcome}" for outcome, n in counts.most_common()]
    for outcome, ids in sorted(failures.items(), key=lambda item: -len(item[1])):
        lines.append(f"  {len(ids):>6}  {outcome}\n          e.g. {', '.join(sorted(ids)[:4])}")
    slow = sorted((r for r in results if "cpu_s" in r), key=lambda r: -r["cpu_s"])[:3]
    lines.append("slowest: " + ", ".join(f"{r['id']} {r['cpu_s']:.2f} s" for r in slow))
    big = sorted((r for r in results if "memory_mb" in r), key=lambda r: -r["memory_mb"])[:3]
    lines.append("most memory: " + ", ".join(f"{r['id']} {r['memory_mb']:.0f} MB" for r in big))
    return "\n".join(lines)


def default_kinds() -> list:
    return [k for k in corpus.MODEL_KINDS if k != "hopfield" or corpus.hopfield_supported()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 tests/fuzzing.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="how many cases (default 2000)")
    parser.add_argument("--jobs", type=int, default=2, help="child processes (default 2)")
    parser.add_argument("--case", help="run one case id in this process and show its outcome")
    parser.add_argument("--write", type=Path, help="with --case: write the mutated bytes to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(json.loads(sys.stdin.read()))
        return 0
    if args.case:
        seeds = Seeds()
        if args.write:
            args.write.write_bytes(seeds.data(args.case) or b"")
        with tempfile.TemporaryDirectory() as tmp:
            cpu = time.process_time()
            result = run_case(seeds, args.case, tmp, start=lambda: None)
            result["cpu_s"] = round(time.process_time() - cpu, 3)
            print(json.dumps(result, indent=1))
        return 0
    started = time.monotonic()
    kinds = default_kinds()
    if "hopfield" not in kinds:
        print("note: axonal.save does not accept a Hopfield memory yet; no hopfield seed", flush=True)
    results = run(plan(args.cases, kinds), args.jobs,
                  progress=lambda n: n % 1000 == 0 and print(f"  {n} cases", flush=True))
    print(summary(results))
    print(f"{time.monotonic() - started:.0f} s")
    return 1 if any(r["failure"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
