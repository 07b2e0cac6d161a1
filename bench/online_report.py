"""The online family's tables (bench/workloads/online.py): warm figures, and cold ones, against Synaptic.

Ratios are Synaptic's time over the library's (> 1: faster than Synaptic); the last
column of the warm table is what the compiled engine gains: axonal NumPy's time over
axonal's.
"""

from __future__ import annotations

from dataclasses import dataclass

LIBS = ("axonal", "axonal_numpy", "synaptic")
LABELS = {"axonal": "axonal", "axonal_numpy": "axonal NumPy (`AXONAL_JIT=0`)", "synaptic": "Synaptic"}


@dataclass(frozen=True)
class OnlineRow:
    label: str
    workload: str
    metric: str
    unit: str
    scale: float
    short: str           # its name in the targets


WARM_ROWS = (
    OnlineRow("XOR, `Perceptron(2, 3, 1)`, `Trainer.xor()` defaults: time to solve", "online_xor", "warm_s", "ms",
              1e3, "XOR time to solve"),
    OnlineRow("XOR, `Trainer(net, rule=\"synaptic\").xor()` (Synaptic's rule): time to solve", "online_xor",
              "rule_warm_s", "ms", 1e3, "XOR time to solve, Synaptic's rule"),
    OnlineRow("SIN, `Perceptron(1, 12, 1)`, 800 samples: one-sample update", "online_sin", "warm_step_s", "µs",
              1e6, "SIN update"),
    OnlineRow("`LSTM(6, 4, 6)`, one stream, LSTM-g activate + propagate: step", "online_lstm", "warm_step_s", "µs",
              1e6, "LSTM(6,4,6) step"),
    OnlineRow("`LSTM(6, 4, 6)`, `activate` only: step", "online_lstm", "activate_step_s", "µs", 1e6,
              "LSTM(6,4,6) activate"),
    OnlineRow("`LSTM(6, 4, 6)`, a trained network's `activate` (no learner): step", "online_lstm", "trained_step_s",
              "µs", 1e6, "LSTM(6,4,6) trained activate"),
    OnlineRow("Timing task, `LSTM(2, 7, 1)`, 4,000 steps: epoch", "online_timing", "warm_s", "ms", 1e3,
              "timing-task epoch"),
    OnlineRow("DSR, `LSTM(6, 3, 2)` (Synaptic's test), `Trainer.dsr`: time to solve", "online_dsr", "warm_s", "s",
              1.0, "DSR time to solve"),
    OnlineRow("`LSTM(6, 7, 2)` on a DSR stream, activate + propagate: step", "online_dsr_stream", "warm_step_s",
              "µs", 1e6, "LSTM(6,7,2) step"),
    OnlineRow("`LSTM(6, 7, 2)`, `activate` only: step", "online_dsr_stream", "activate_step_s", "µs", 1e6,
              "LSTM(6,7,2) activate"),
    OnlineRow("`LSTM(6, 7, 2)`, a trained network's `activate` (no learner): step", "online_dsr_stream",
              "trained_step_s", "µs", 1e6, "LSTM(6,7,2) trained activate"),
)

FIRST_CALLS = (  # workload, what its first call is
    ("online_xor", "XOR: one run to solve (seed 0)"),
    ("online_sin", "SIN: `train(set, iterations=5)`, 4,000 updates"),
    ("online_lstm", "`LSTM(6, 4, 6)`: 500 steps"),
    ("online_timing", "Timing task: one epoch, 4,000 steps"),
    ("online_dsr", "DSR: one run to solve (seed 0)"),
    ("online_dsr_stream", "`LSTM(6, 7, 2)`: 450 steps"),
)

NOTES = """\
Synaptic 1.1.4 under node against axonal (float64) on the same networks: every network is
built by `axonal.synaptic.architect` from a seed and handed to Synaptic as its own JSON
(`axonal.synaptic.to_json`, read by `Network.fromJSON`), so both start from the same
weights, and both get the same data. LSTM-g runs with `rule="synaptic"`, which computes
what Synaptic's `propagate` computes (`tests/test_bench_online.py` checks the outputs
step for step against node). **Warm**: the median of the later calls of a process (of 3
processes for the per-step tasks); in parentheses Synaptic's time over the library's
(> 1: faster than Synaptic); *compiled gain* is axonal NumPy's time over axonal's (for XOR,
medians over different numbers of seeds, so only a rough figure). XOR and
DSR are medians over network seeds (XOR: 5, 2 for axonal NumPy; DSR: 2; an unsolved run
counts as infinitely slow), with the median epochs (XOR) or sequences (DSR) to solve. XOR has two
rows: with the Trainer's default rule the cost decides the epochs (axonal trains on the MSE it stops
on; Synaptic always learns from `t - y`, whatever its cost); with `rule="synaptic"` axonal learns as
Synaptic does, so the epochs differ only by the shuffles (each library draws its own), and the
time compares the two engines (the same Synaptic runs in both rows). axonal NumPy does not run DSR (minutes per run; the per-step
rows show that gain). *`activate` only* runs through the online learner, whose eligibility
traces follow every step, as Synaptic's `activate` keeps its traces; *a trained network's
`activate`* runs on a copy of the network without a learner (no traces: what inference needs),
against the same Synaptic figure, since Synaptic has one `activate`. **Cold**: the first call in a fresh process, from before its network
is built (imports and data excluded): with the kernels loaded from Numba's on-disk cache
(Numba's import included), and, once per run, in a process whose `NUMBA_CACHE_DIR` is
empty, where Numba compiles them: the one-off compile time, measured once per engine (XOR:
the dense epoch; `LSTM(6, 4, 6)`: the graph and LSTM-g steps; the timing task: the whole
LSTM-g epoch), the other tasks loading those kernels. Synaptic's first call includes
compiling its network into one JavaScript function and V8's first runs."""


def _fmt(value, scale):
    from .report import fmt
    return fmt(value, scale)


def _ratio(mine, synaptic):
    if not mine or not synaptic:
        return ""
    r = synaptic / mine
    return f" ({r:.2g}×)" if r < 0.1 else f" ({r:.2f}×)" if r < 10 else f" ({r:,.0f}×)"


def _extra(summary, row, library) -> str:
    """For a time to solve: the median epochs (or sequences) and how many runs solved it."""
    records = summary.records(row.workload, library, 1)
    if not row.metric.endswith("warm_s") or not records or records[-1]["result"].get("kind") != "solve":
        return ""
    r = records[-1]["result"]
    prefix = row.metric[:-len("warm_s")]             # "" or "rule_" (XOR with Synaptic's rule)
    if r.get(prefix + "solved") is None:             # a record from before the row existed
        return ""
    count = summary.median(row.workload, library, 1, prefix + "warm_epochs")
    counted = "–" if count is None else f"{count:,.0f}"
    return f", {counted} {r.get('count', 'epochs')}, {r.get(prefix + 'solved')}/{r.get('runs')} solved"


def warm_table(summary, present) -> str:
    libs = [lib for lib in LIBS if lib in present]
    head = ["workload", "unit"] + [LABELS[lib] for lib in libs] + ["compiled gain"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(libs) + 1)]
    for row in WARM_ROWS:
        values = {lib: summary.median(row.workload, lib, 1, row.metric) for lib in libs}
        if not any(v is not None for v in values.values()):
            continue
        cells = []
        for lib in libs:
            text = _fmt(values[lib], row.scale) + _extra(summary, row, lib)
            if lib != "synaptic":
                text += _ratio(values[lib], values.get("synaptic"))
            cells.append(f"**{text}**" if lib == "axonal" else text)
        mine, numpy = values.get("axonal"), values.get("axonal_numpy")
        cells.append(f"{numpy / mine:.1f}×" if mine and numpy else "")
        lines.append(f"| {row.label} | {row.unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cold_table(summary, present) -> str:
    columns = [("axonal", "compile_s", "axonal, compiling (empty cache)"),
               ("axonal", "cold_s", "axonal, cached kernels"),
               ("axonal_numpy", "cold_s", LABELS["axonal_numpy"]), ("synaptic", "cold_s", "Synaptic")]
    columns = [c for c in columns if c[0] in present]
    head = ["first call (ms)"] + [c[2] for c in columns] + ["axonal warm call"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(columns) + 1)]
    for workload, label in FIRST_CALLS:
        values = [summary.median(workload, lib, 1, metric) for lib, metric, _ in columns]
        if not any(v is not None for v in values):
            continue
        synaptic = summary.median(workload, "synaptic", 1, "cold_s")
        cells = [_fmt(v, 1e3) + (_ratio(v, synaptic) if lib != "synaptic" else "")
                 for v, (lib, _, _) in zip(values, columns)]
        cells.append(_fmt(summary.median(workload, "axonal", 1, "warm_s"), 1e3))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def online_section(summary, present) -> str:
    warm = warm_table(summary, present)
    if warm.count("\n") < 2:
        return ""
    return ("\n\n## Online learning and small networks against Synaptic (medians, one thread)\n\n"
            "Warm:\n\n" + warm + "\n\nCold (the first call in a fresh process):\n\n" + cold_table(summary, present)
            + "\n\n" + NOTES + kernels_note(summary))


def kernels_note(summary) -> str:
    """Which compiled kernel modules axonal's processes loaded, per workload (none: it ran NumPy)."""
    parts = []
    for workload, _ in FIRST_CALLS:
        records = summary.records(workload, "axonal", 1)
        if not records:
            continue
        r = records[-1]["result"]
        loaded = sorted(r.get("kernels") or {})
        parts.append(f"{workload}: {', '.join(loaded) if loaded else 'none'}"
                     + ("" if r.get("jit", True) else " (compiled paths were off)"))
    return ("\n\nCompiled kernel modules axonal loaded: " + "; ".join(parts) + ".") if parts else ""


def online_targets(summary) -> list:
    """(target, threads, measured, met): every warm online figure at least Synaptic's (the goal is 3×)."""
    out = []
    for row in WARM_ROWS:
        mine = summary.median(row.workload, "axonal", 1, row.metric)
        theirs = summary.median(row.workload, "synaptic", 1, row.metric)
        if mine and theirs:
            r = theirs / mine
            out.append((f"online {row.short}, warm, ≥ 1× Synaptic (goal 3×)", 1,
                        f"{r:.2f}×" if r < 10 else f"{r:,.0f}×", r >= 1.0))
    return out


def describe(record) -> str:
    """One line for the progress log."""
    r = record.get("result", {})
    head = f"cold {r['cold_s'] * 1e3:.1f} ms"
    if r.get("compile_s") is not None:
        head += f" (compiling {r['compile_s']:.2f} s)"
    if r.get("kind") == "solve":
        warm = r.get("warm_s")
        text = (head + f", warm {'unsolved' if warm is None else f'{warm * 1e3:.1f} ms'} "
                f"({r.get('warm_epochs')} {r.get('count')}), {r.get('solved')}/{r.get('runs')} solved")
        if r.get("rule_solved") is not None:
            rule = r.get("rule_warm_s")
            text += (f"; Synaptic's rule {'unsolved' if rule is None else f'{rule * 1e3:.1f} ms'} "
                     f"({r.get('rule_warm_epochs')} {r.get('count')}), {r.get('rule_solved')}/{r.get('runs')} solved")
        return text
    text = head + f", warm {r['warm_step_s'] * 1e6:.2f} µs/step"
    if r.get("activate_step_s") is not None:
        text += f", activate {r['activate_step_s'] * 1e6:.2f} µs/step"
    if r.get("trained_step_s") is not None:
        text += f", trained activate {r['trained_step_s'] * 1e6:.2f} µs/step"
    return text
