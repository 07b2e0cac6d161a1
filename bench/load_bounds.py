"""Loading hostile files: the worst time and memory any file under 16 MiB costs.

``python -m bench.load_bounds`` (or ``python bench/load_bounds.py``) writes a set of
hostile files, each under 16 MiB, and opens each one in a fresh child process:
model files through ``axonal.load`` (headers re-sealed with a matching digest,
as an attacker can always do), Synaptic JSON through
``axonal.synaptic.from_json``. For each it prints the outcome (loaded, or
refused with the start of the message), the wall time of the call and the peak
resident memory above the child's resident memory just before the call (the
kernel's high-water mark). The goal is every file refused or loaded within
:data:`GOAL_SECONDS` and :data:`GOAL_MB`; there is no peer library here, so the
figures are absolute. ``--fuzz N`` adds the N slowest-to-build cases of the
fuzzer's ``structure`` and ``syn_size`` mutators (tests/fuzzing.py).

The children run under an address-space limit (:data:`ADDRESS_SPACE_BYTES` above
their start) and a wall-clock timeout, so a file that asks for too much ends as
``MemoryError`` or ``timeout`` in the table rather than taking the machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

GOAL_SECONDS = 2.0
GOAL_MB = 200
ADDRESS_SPACE_BYTES = 4 * 2 ** 30
TIMEOUT_SECONDS = 120
FILE_LIMIT = 16 * 2 ** 20
#: the table of the last run, which BENCHMARKS.md shows
RESULT = Path(__file__).resolve().parent / "results" / "load_bounds.md"

_CHILD = r"""
import json, os, resource, sys, time
def status(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) / 1024 for l in f if l.startswith(field + ":"))
kind, path, extra = sys.argv[1], sys.argv[2], int(sys.argv[3])
import numpy, axonal, axonal.io, axonal.synaptic
resource.setrlimit(resource.RLIMIT_AS, (int(status("VmSize") * 2**20) + extra, resource.RLIM_INFINITY))
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS")
t0 = time.perf_counter()
try:
    if kind == "synaptic":
        axonal.synaptic.from_json(path)
    else:
        axonal.load(path)
    outcome = "loaded"
except BaseException as exc:
    text = str(exc).replace(path, "PATH")
    outcome = f"{type(exc).__name__}: {text[:90]}"
wall = time.perf_counter() - t0
print("BOUNDS " + json.dumps({"outcome": outcome, "seconds": wall, "extra_mb": status("VmHWM") - before}))
"""


# -- the hostile files ---------------------------------------------------------------------------------
def _model_files(folder: Path) -> list:
    import fuzz_mutators as mutators
    from fuzz_corpus import model_seed

    import axonal.io
    seeds = {}
    for kind in ("mlp", "graph_lstm"):
        model, options = model_seed(kind)
        path = folder / f"seed_{kind}.axonal"
        axonal.io.save(model, path, **options)
        seeds[kind] = path.read_bytes()

    def edited(kind, change, raw=None):
        outer, data = mutators.split(seeds[kind])
        header = json.loads(outer["__metadata__"]["axonal"])
        change(header)
        mutators._put_header(outer, header, raw)
        return mutators.resign(mutators.join(outer, data))

    def graph(header):
        return header["architecture"]["graph_network"]["graph"]

    def wide_else(header):
        graph(header)["layers"].insert(1, {"name": "wide", "size": 50_000, "activation": {"name": "logistic"},
                                           "bias": True})
        graph(header)["connections"].append({"name": "wide_else", "source": "wide", "target": "wide",
                                             "kind": "all_to_else", "trainable": True, "init": "synaptic"})

    def named_connections(header):
        graph(header)["connections"] += [{"name": f"c{i}", "source": "input", "target": "output",
                                          "kind": "all_to_all", "trainable": True, "init": "synaptic"}
                                         for i in range(40_000)]

    def big_metadata(header):
        header["metadata"] = {"blob": "x" * (FILE_LIMIT - 64 * 1024)}

    def largest_metadata(header):  # a header just under the loader's own cap
        from axonal.io import container
        header["metadata"] = {"blob": "x" * (container.MAX_HEADER_BYTES - 64 * 1024)}

    def huge_units(header):
        header["architecture"]["layers"][0]["config"]["units"] = 10 ** 12

    def nest(header):
        header["architecture"]["layers"].append("@@NEST@@")

    depth = 3000
    nested = ('{"class":"Residual","config":{"block":{"class":"Sequential","config":{"layers":[' * depth
              + '{"class":"Dense","config":{"units":3}}' + ']}},"projection":false}}' * depth)
    deep_json = "[" * 1_000_000 + "]" * 1_000_000

    def deep_metadata(header):
        header["metadata"] = {"deep": "@@DEEP@@"}

    outer, data = mutators.split(seeds["mlp"])
    name = sorted(k for k in outer if k != "__metadata__")[0]
    outer[name]["shape"] = [2 ** 20, 2 ** 20]
    outer[name]["data_offsets"] = [outer[name]["data_offsets"][0], outer[name]["data_offsets"][0] + 2 ** 42]
    huge_shape = mutators.join(outer, data)
    return [
        ("graph: a 50,000-neuron all_to_else layer", "model", edited("graph_lstm", wide_else)),
        ("graph: 40,000 named connections", "model", edited("graph_lstm", named_connections)),
        ("a 16 MiB header (metadata)", "model", edited("mlp", big_metadata)),
        ("a header 64 KiB under MAX_HEADER_BYTES", "model", edited("mlp", largest_metadata)),
        ("Dense of 10**12 units", "model", edited("mlp", huge_units)),
        ("Residual nested 3,000 deep", "model", edited("mlp", nest, {"@@NEST@@": nested})),
        ("metadata nested 1,000,000 deep", "model", edited("mlp", deep_metadata, {"@@DEEP@@": deep_json})),
        ("a tensor of shape (2**20, 2**20)", "model", huge_shape),
    ]


def _synaptic_files() -> list:
    def neurons(hidden, outputs):
        return ([{"bias": 0, "layer": "input", "squash": "LOGISTIC"}] * 2
                + [{"bias": 0.1, "layer": 0, "squash": "LOGISTIC"}] * hidden
                + [{"bias": 0.1, "layer": "output", "squash": "LOGISTIC"}] * outputs)

    wide = {"neurons": neurons(200, 200),
            "connections": [{"from": 2 + i, "to": 202 + j, "weight": 0.01 * (i - j), "gater": None}
                            for i in range(200) for j in range(200)]}
    within = {"neurons": neurons(300, 1),
              "connections": [{"from": 2 + i, "to": 2 + j, "weight": 0.01, "gater": None}
                              for i in range(300) for j in range(300) if i != j]}
    many = {"neurons": neurons(0, 0) + [{"bias": 0, "layer": i, "squash": "TANH"} for i in range(99_000)]
            + neurons(0, 1)[2:], "connections": []}
    return [("Synaptic: 200x200 all-to-all layers", "synaptic", json.dumps(wide).encode()),
            ("Synaptic: 300-neuron all-to-all hidden layer", "synaptic", json.dumps(within).encode()),
            ("Synaptic: 99,000 one-neuron layers", "synaptic", json.dumps(many).encode()),
            ("Synaptic: nested 1,000,000 deep", "synaptic", ("[" * 1_000_000 + "]" * 1_000_000).encode())]


def _limit_files() -> list:
    """Files that push each limit of :mod:`axonal.io.limits`, and legitimate models at the largest sizes
    those limits allow."""
    return [(label, "model", blob) for label, blob in _limit_cases()]


def _limit_cases():
    import numpy as np

    from axonal import Dense, Sequential
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


def _nested(depth):
    spec = {"class": "Dropout", "config": {}}
    for _ in range(depth):
        spec = {"class": "Residual", "config": {"block": spec}}
    return spec


def _fuzz_files(count: int) -> list:
    import fuzzing
    seeds = fuzzing.Seeds()
    cases = [f"{kind}/structure/{i}" for i in range(count) for kind in ("mlp", "lstm", "graph_lstm")]
    cases += [f"synaptic/syn_size/{i}" for i in range(count)]
    out = []
    for case in cases:
        data = seeds.data(case)
        if len(data) < FILE_LIMIT:
            out.append((f"fuzz {case}", "synaptic" if case.startswith("synaptic") else "model", data))
    return out


# -- measuring -------------------------------------------------------------------------------------------
def measure(kind: str, data: bytes, folder: Path) -> dict:
    """Open ``data`` in a fresh child: ``{"outcome", "seconds", "extra_mb"}``."""
    path = folder / ("file.json" if kind == "synaptic" else "file.axonal")
    path.write_bytes(data)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path), str(ADDRESS_SPACE_BYTES)],
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"outcome": f"timeout after {TIMEOUT_SECONDS} s", "seconds": float(TIMEOUT_SECONDS),
                "extra_mb": float("nan")}
    lines = [l for l in proc.stdout.splitlines() if l.startswith("BOUNDS ")]
    if not lines:
        return {"outcome": f"child died ({proc.returncode}): {proc.stderr.strip()[-120:]}",
                "seconds": float("nan"), "extra_mb": float("nan")}
    return json.loads(lines[-1][len("BOUNDS "):])


def _within(r) -> bool:
    """Loaded, or refused with the documented error, within the time and memory of the goal."""
    documented = r["outcome"] == "loaded" or r["outcome"].startswith(("ModelFileError", "SynapticJSONError"))
    return documented and r["seconds"] <= GOAL_SECONDS and r["extra_mb"] <= GOAL_MB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_bounds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=4, help="structure cases of the fuzzer per kind (default 4)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="axonal-bounds-") as tmp:
        folder = Path(tmp)
        files = _model_files(folder) + _limit_files() + _synaptic_files() + _fuzz_files(args.fuzz)
        table = [f"| file | bytes | outcome | seconds | extra MB | within {GOAL_SECONDS:g} s, {GOAL_MB} MB |",
                 "|---|---:|---|---:|---:|---|"]
        print("\n".join(table))
        rows = []
        for label, kind, data in files:
            if len(data) >= FILE_LIMIT:
                table.append(f"| {label} | {len(data):,} | (skipped: not under 16 MiB) | | | |")
                print(table[-1])
                continue
            r = measure(kind, data, folder)
            rows.append((label, r))
            outcome = r["outcome"].replace("|", "\\|")[:70]
            table.append(f"| {label} | {len(data):,} | {outcome} | {r['seconds']:.3f} | {r['extra_mb']:.0f} | "
                         f"{'yes' if _within(r) else 'NO'} |")
            print(table[-1], flush=True)
    slowest = max(rows, key=lambda row: row[1]["seconds"])
    biggest = max(rows, key=lambda row: row[1]["extra_mb"] if row[1]["extra_mb"] == row[1]["extra_mb"] else 1e9)
    print(f"\nworst time: {slowest[1]['seconds']:.3f} s ({slowest[0]}); "
          f"worst memory: {biggest[1]['extra_mb']:.0f} MB ({biggest[0]})")
    missed = [label for label, r in rows if not _within(r)]
    summary = (f"worst time: {slowest[1]['seconds']:.3f} s ({slowest[0]}); worst memory: "
               f"{biggest[1]['extra_mb']:.0f} MB ({biggest[0]}); {len(rows) - len(missed)} of {len(rows)} files "
               f"within the goal" + (f"; missed: {', '.join(missed)}" if missed else ""))
    print(f"{len(rows) - len(missed)} of {len(rows)} files within the goal" +
          (f"; missed: {', '.join(missed)}" if missed else ""))
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text("\n".join(table) + "\n\n" + summary + "\n", encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
