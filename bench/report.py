"""Tables of medians and ratios from the JSON-lines records; BENCHMARKS.md and the plot.

Ratios are stated so that > 1 means axonal is better: axonal / peer for rates and
accuracy, peer / axonal for times and memory.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .data import count_parameters
from .online_report import describe as describe_online
from .online_report import online_section, online_targets

REPO = Path(__file__).resolve().parent.parent
PLOT = REPO / "bench" / "results" / "throughput_by_batch.png"
MARKDOWN = REPO / "BENCHMARKS.md"
PEERS = ("torch", "torch_fused", "sklearn", "synaptic")
BUSY = 0.1  # cores used by other processes during a measurement above which it is flagged
LABELS = {"axonal": "axonal", "torch": "PyTorch", "torch_fused": "PyTorch fused Adam",
          "sklearn": "scikit-learn", "synaptic": "Synaptic", "numpy": "NumPy matmuls only",
          "axonal_layer": "axonal LSTM layer", "axonal_numpy": "axonal NumPy (AXONAL_JIT=0)"}


@dataclass(frozen=True)
class Row:
    label: str
    workload: str
    metric: str            # key in the record's "result", or a top-level key such as "maxrss_mb"
    unit: str
    higher_is_better: bool
    batch: int | None = None
    scale: float = 1.0
    peer_workload: str | None = None  # where the peers' numbers come from, if not from ``workload``


ROWS = (
    Row("MLP training, batch 128", "mlp_train", "samples_per_s", "samples/s", True, 128),
    Row("MLP training, batch 16", "mlp_train", "samples_per_s", "samples/s", True, 16),
    Row("MLP training, batch 1", "mlp_train", "samples_per_s", "samples/s", True, 1),
    Row("MLP training peak memory, batch 128", "mlp_train", "maxrss_mb", "MB", False, 128),
    Row("MLP inference latency, 1 sample", "mlp_infer", "latency_s", "µs", False, scale=1e6),
    Row("MLP inference, batch 1024", "mlp_infer", "samples_per_s", "samples/s", True),
    Row("Digits test accuracy, 80 epochs", "digits", "accuracy", "%", True, scale=100),
    Row("Digits training time, 80 epochs", "digits", "seconds", "s", False),
    Row("XOR 2-3-1 training", "xor_steps", "steps_per_s", "epochs/s", True),
    Row("XOR time to MSE < 0.005 (median over seeds)", "xor_solve", "median_s", "ms", False, scale=1e3),
    Row("Import time", "imports", "import_s", "ms", False, scale=1e3),
)


RNN_ROWS = (
    Row("LSTM training", "rnn_lstm", "timesteps_per_s", "time steps/s", True),
    Row("GRU training", "rnn_gru", "timesteps_per_s", "time steps/s", True),
    Row("SimpleRNN training", "rnn_simple", "timesteps_per_s", "time steps/s", True),
    Row("LSTM with peepholes training", "rnn_peephole", "timesteps_per_s", "time steps/s", True),
    Row("DSR time to solve (median over runs)", "rnn_dsr", "median_s", "s", False),
)
RNN_PEERS = ("torch", "synaptic")
SOLVE_WORKLOADS = ("xor_solve", "rnn_dsr", "graph_dsr", "graph_dsr_lstm_g")  # one thread; the cell also says how many runs solved it

RNN_NOTES = """\
32 inputs, 128 units, 50 steps, batch 32, float32: forward, backpropagation through time
and an Adam 1e-3 step on the MSE of the last step's state; a time step is one step of one
sequence (sequences/s × 50). PyTorch has no peephole LSTM: its number there is the faster
of a Python-loop `nn.Module` cell and the same cell under TorchScript ({peephole}).
DSR is Synaptic's discrete sequence recall (its test's settings), solved when 95% of the
sequences are fully right: axonal on fresh sequences after each epoch, Synaptic within
a block of 1,000 training sequences (`Trainer.DSR`'s own criterion)."""

GRAPH_ROWS = (
    Row("LSTM with peepholes as a graph, training", "graph_lstm", "timesteps_per_s", "time steps/s", True),
    Row("DSR time to solve, Architect LSTM(6, 7, 2) by BPTT", "graph_dsr", "median_s", "s", False),
    Row("DSR time to solve, Architect LSTM(6, 3, 2) by LSTM-g", "graph_dsr_lstm_g", "median_s", "s", False,
        peer_workload="graph_dsr"),
)
GRAPH_PEERS = ("axonal_layer", "synaptic")

GRAPH_NOTES = """\
The axonal column is a `GraphNetwork` (`axonal.graph`, `axonal.synaptic.architect`): networks of
layers, connections and gates with no fixed architecture. First row: the peephole LSTM of
the recurrent table drawn as such a graph (layers x, i, f, g, cell, o, tanh_c, h; gates on
the cell's input, its self-connection and its output), which computes exactly what
`LSTM(128, peepholes=True)` computes, against that fused layer: the same training step
(forward, backpropagation through time, Adam 1e-3; 32 inputs, 128 units, 50 steps,
batch 32, float32), the same data and starting weights; the ratio is graph / layer.
DSR rows: Synaptic's discrete sequence recall (its test's settings) solved when 95% of the
sequences are fully right. BPTT: `architect.LSTM(6, 7, 2)` (Synaptic's `Architect.LSTM`
wiring) trained by `fit` (binary cross-entropy, Adam 0.05, batch 32) on 1,000 sequences per
epoch, checked on 1,000 fresh ones after each epoch (at most 40 epochs). LSTM-g:
`architect.LSTM(6, 3, 2)` in float64 learning online (`net.online(0.5)`), 16 sequences in
parallel, one step at a time, the state reset between sequences, the same check after each
block of 160 fresh sequences (at most 40,000). The checks count in the time. Synaptic:
`Architect.LSTM(6, 7, 2)` by `Trainer.DSR` at rate 0.17 (as in the recurrent table); its
number in the LSTM-g row is the same measurement."""

MAIN_NOTES = """\
In parentheses: how many times better axonal is than that peer (> 1: axonal is better;
axonal / peer for rates and accuracy, peer / axonal for times and memory).
Synaptic trains one sample at a time whatever the batch size, so its MLP number is the
same online rate in each MLP row; an XOR epoch is one full-batch step for axonal and
PyTorch and four one-sample updates for Synaptic."""

LIMITS_NOTES = """\
The ceiling is the step's matrix products alone, each through the faster of `np.matmul`
and `np.dot` at its shape, on NumPy's OpenBLAS; PyTorch multiplies with MKL, so it can
pass this ceiling. GFLOP/s uses the 6 × parameters × samples/s convention; the step
really multiplies about 4.3 × parameters per sample, since no library computes ∂E/∂x of
the first layer."""


def load(path) -> list:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def _value(record, metric):
    result = record.get("result", {})
    return result.get(metric, record.get(metric))


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


class Summary:
    """Medians over repeats, by (workload, library, threads, batch, metric)."""

    def __init__(self, records):
        self.groups = defaultdict(list)
        for r in records:
            if r.get("record") == "measurement":
                key = (r["workload"], r["library"], r["threads"], r.get("params", {}).get("batch"))
                self.groups[key].append(r)
        self.threads = sorted({k[2] for k in self.groups if k[0] != "imports"}) or [1]

    def median(self, workload, library, threads, metric, batch=None):
        return _median([_value(r, metric) for r in self.records(workload, library, threads, batch)])

    def records(self, workload, library, threads, batch=None):
        """The group's undisturbed records, or all of them if every one was disturbed."""
        records = self.groups.get((workload, library, threads, batch), [])
        return [r for r in records if not r.get("disturbed")] or records

    def cell(self, row: Row, library, threads):
        if row.peer_workload and library != "axonal":
            row = replace(row, workload=row.peer_workload)
        if row.workload == "mlp_train" and library == "synaptic":  # online training, whatever the batch
            return self.median("mlp_synaptic", "synaptic", threads, "samples_per_s") if row.unit != "MB" else None
        if row.workload == "imports":
            threads = 1
        return self.median(row.workload, library, threads, row.metric, row.batch)


def ratio(mine, theirs, higher_is_better):
    if mine is None or theirs is None or mine == 0 or theirs == 0:
        return None
    return mine / theirs if higher_is_better else theirs / mine


def fmt(value, scale=1.0):
    if value is None:
        return "–"
    v = value * scale
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            return f"{v / limit:.3g}{suffix}"
    return f"{v:.3g}"


def fmt_ratio(r):
    if r is None:
        return ""
    return f"{r:.2f}×" if r < 10 else f"{r:,.0f}×"


def main_table(summary: Summary, present, rows=ROWS, all_peers=PEERS) -> str:
    peers = [p for p in all_peers if p in present]
    head = ["workload", "unit", "threads", "axonal"] + [LABELS[p] for p in peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * (1 + len(peers))]
    for row in rows:
        for t in ([1] if row.workload in ("imports", *SOLVE_WORKLOADS) else summary.threads):
            mine = summary.cell(row, "axonal", t)
            cells = []
            for p in peers:
                theirs = summary.cell(row, p, t)
                r = ratio(mine, theirs, row.higher_is_better)
                cells.append(fmt(theirs, row.scale) + (f" ({fmt_ratio(r)})" if r else ""))
            if mine is None and not any(c != "–" for c in cells):
                continue
            if row.workload in SOLVE_WORKLOADS:
                cells = [c + _solved(summary, p, row.peer_workload or row.workload) for c, p in zip(cells, peers)]
            lines.append(f"| {row.label} | {row.unit} | {t} | **{fmt(mine, row.scale)}**"
                         + (_solved(summary, "axonal", row.workload) if row.workload in SOLVE_WORKLOADS else "")
                         + "".join(f" | {c}" for c in cells) + " |")
    return "\n".join(lines)


def _solved(summary, library, workload="xor_solve"):
    records = summary.records(workload, library, 1)
    if not records:
        return ""
    r = records[-1]["result"]
    return f", {r['solved']}/{r['seeds']} solved"


def limits_table(summary: Summary) -> str:
    params = count_parameters()
    libs = ["axonal", "torch", "torch_fused", "sklearn"]
    head = ["batch", "threads", "matmul-only ceiling (samples/s)"] + [f"{LABELS[l]} % of ceiling" for l in libs] + [
        "axonal GFLOP/s (6·P·rate)", "matmul peak GFLOP/s", "axonal % of peak"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for t in summary.threads:
        peak = summary.median("matmul_peak", "numpy", t, "gflops")
        for b in (128, 16, 1):
            ceiling = summary.median("mlp_ceiling", "numpy", t, "samples_per_s", b)
            if ceiling is None:
                continue
            rates = [summary.median("mlp_train", l, t, "samples_per_s", b) for l in libs]
            gflops = None if rates[0] is None else 6 * params * rates[0] / 1e9
            cells = [str(b), str(t), fmt(ceiling)]
            cells += ["–" if r is None else f"{100 * r / ceiling:.0f}%" for r in rates]
            cells += [fmt(gflops), fmt(peak), "–" if gflops is None or not peak else f"{100 * gflops / peak:.0f}%"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(summary: Summary) -> list:
    """(target, threads, measured, met) for each goal of the issue, at each thread count measured."""
    out = []

    def r(row_index, peer, t):
        row = ROWS[row_index]
        return ratio(summary.cell(row, "axonal", t), summary.cell(row, peer, t), row.higher_is_better)

    def r_rnn(row_index, peer, t):
        row = RNN_ROWS[row_index]
        return ratio(summary.cell(row, "axonal", t), summary.cell(row, peer, t), row.higher_is_better)

    def r_graph(row_index, peer, t):
        row = GRAPH_ROWS[row_index]
        return ratio(summary.cell(row, "axonal", t), summary.cell(row, peer, t), row.higher_is_better)

    def add(name, t, value, goal, text=None):
        if value is not None:
            out.append((name, t, text or fmt_ratio(value), value >= goal))

    for t in summary.threads:
        for peer in ("torch", "sklearn"):
            add(f"MLP batch 128 ≥ 1.2× {LABELS[peer]}", t, r(0, peer, t), 1.2)
        ceiling = summary.median("mlp_ceiling", "numpy", t, "samples_per_s", 128)
        mine = summary.median("mlp_train", "axonal", t, "samples_per_s", 128)
        if ceiling and mine:
            add("MLP batch 128 ≥ 65% of the matmul-only ceiling", t, mine / ceiling, 0.65,
                f"{100 * mine / ceiling:.0f}%")
        add("MLP batch 16 ≥ 2× PyTorch", t, r(1, "torch", t), 2.0)
        add("MLP batch 1 ≥ 1.2× PyTorch", t, r(2, "torch", t), 1.2)
        add("MLP peak memory ≤ 0.6× PyTorch's", t, r(3, "torch", t), 1 / 0.6,
            _inverse(r(3, "torch", t)))
        add("MLP peak memory ≤ scikit-learn's", t, r(3, "sklearn", t), 1.0, _inverse(r(3, "sklearn", t)))
        acc = r(6, "sklearn", t)
        add("Digits accuracy ≥ scikit-learn's", t, acc, 1.0,
            None if acc is None else f"{fmt(summary.cell(ROWS[6], 'axonal', t), 100)}% vs "
                                     f"{fmt(summary.cell(ROWS[6], 'sklearn', t), 100)}%")
        add("Digits time ≤ ½ scikit-learn's", t, r(7, "sklearn", t), 2.0, _inverse(r(7, "sklearn", t)))
        add("XOR ≥ 5× PyTorch's step rate", t, r(8, "torch", t), 5.0)
    for t in summary.threads:
        add("LSTM ≥ 1.0× torch.nn.LSTM", t, r_rnn(0, "torch", t), 1.0)
        add("GRU ≥ 1.5× torch.nn.GRU", t, r_rnn(1, "torch", t), 1.5)
        add("SimpleRNN ≥ 1.5× torch.nn.RNN", t, r_rnn(2, "torch", t), 1.5)
        add("LSTM with peepholes ≥ 1.5× the fastest PyTorch equivalent", t, r_rnn(3, "torch", t), 1.5)
    add("DSR solved ≥ 5× faster than Synaptic", 1, r_rnn(4, "synaptic", 1), 5.0)
    for t in summary.threads:
        add("graph LSTM ≥ 0.5× the fused LSTM layer", t, r_graph(0, "axonal_layer", t), 0.5)
    add("DSR (Architect LSTM graph) solved ≥ 5× faster than Synaptic", 1, r_graph(1, "synaptic", 1), 5.0)
    add("import axonal ≤ ¼ of import torch", 1, r(10, "torch", 1), 4.0, _inverse(r(10, "torch", 1)))
    add("MLP training ≥ 1000× Synaptic (axonal at batch 128)", 1, r(0, "synaptic", 1), 1000.0)
    return out + online_targets(summary)


def rnn_section(summary: Summary, present) -> str:
    table = main_table(summary, present, RNN_ROWS, RNN_PEERS)
    if table.count("\n") < 2:
        return ""
    impls = [r["result"].get("implementation") for t in summary.threads
             for r in summary.records("rnn_peephole", "torch", t)]
    counts = {k: impls.count(k) for k in dict.fromkeys(i for i in impls if i)}
    peephole = ("fastest in " + ", ".join(f"{n} of {len(impls)} measurements: {k.replace('_', ' ')}"
                                          for k, n in counts.items())) if counts else "not measured"
    return "\n\n## Recurrent layers (medians)\n\n" + table + "\n\n" + RNN_NOTES.format(peephole=peephole)


def graph_section(summary: Summary, present) -> str:
    table = main_table(summary, present, GRAPH_ROWS, GRAPH_PEERS)
    if table.count("\n") < 2:
        return ""
    return "\n\n## Graph networks (medians)\n\n" + table + "\n\n" + GRAPH_NOTES


def _inverse(r):
    return None if r is None else f"{1 / r:.2f}× the peer's"


def targets_table(summary: Summary) -> str:
    lines = ["| target | threads | measured | met |", "|---|---:|---:|---|"]
    for name, t, text, met in targets(summary):
        lines.append(f"| {name} | {t} | {text} | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


def summary_of(record) -> str:
    """One line for the progress log."""
    res, w = record.get("result", {}), record["workload"]
    others = record.get("other_cores")
    tail = "" if others is None else f"  (others used {others:.2f} cores{'; DISTURBED' if others > BUSY else ''})"
    if w == "mlp_train":
        return f"{fmt(res['samples_per_s'])} samples/s, peak {record['maxrss_mb']:.0f} MB" + tail
    if w in ("mlp_ceiling", "mlp_synaptic"):
        return f"{fmt(res['samples_per_s'])} samples/s" + tail
    if w == "matmul_peak":
        return f"{res['gflops']:.1f} GFLOP/s" + tail
    if w == "mlp_infer":
        return f"latency {res['latency_s'] * 1e6:.1f} µs, batch 1024 {fmt(res['samples_per_s'])} samples/s" + tail
    if w == "digits":
        return f"accuracy {res['accuracy']:.4f} in {res['seconds']:.2f} s" + tail
    if w == "xor_steps":
        return f"{fmt(res['steps_per_s'])} epochs/s" + tail
    if w == "xor_solve":
        median = res["median_s"]
        return (f"median {'unsolved' if median is None else f'{median * 1e3:.1f} ms'}, "
                f"{res['solved']}/{res['seeds']} solved" + tail)
    if w in ("rnn_lstm", "rnn_gru", "rnn_simple", "rnn_peephole", "graph_lstm"):
        extra = f" ({res['implementation']})" if res.get("implementation") else ""
        return f"{fmt(res['timesteps_per_s'])} time steps/s, loss {res['final_loss']:.4f}{extra}" + tail
    if w in ("rnn_dsr", "graph_dsr", "graph_dsr_lstm_g"):
        median = res["median_s"]
        return (f"median {'unsolved' if median is None else f'{median:.2f} s'}, "
                f"{res['solved']}/{res['seeds']} solved" + tail)
    if w == "imports":
        return f"import {res['import_s'] * 1e3:.0f} ms" + tail
    if w.startswith("online_"):
        return describe_online(record) + tail
    return ""


def publish(path, write_markdown: bool) -> int:
    """Print the tables for the records in ``path``; write BENCHMARKS.md and the plot if asked."""
    records = load(path)
    summary = Summary(records)
    present = {r["library"] for r in records if r.get("record") == "measurement"}
    limits = limits_table(summary)
    main = main_table(summary, present)
    tables = (("## Results (medians)\n\n" + main + "\n\n" + MAIN_NOTES if main.count("\n") > 1 else
               "## Results (medians)\n\nOnly the families below were run.")
              + (f"\n\n## MLP training against the hardware\n\n{limits}\n\n{LIMITS_NOTES}"
                 if limits.count("\n") > 1 else "")
              + rnn_section(summary, present)
              + graph_section(summary, present)
              + online_section(summary, present)
              + "\n\n## Targets\n\n" + targets_table(summary))
    print("\n" + tables)
    for r in records:
        if r.get("record") in ("skip", "error"):
            print(f"note: {r.get('library')}: {r.get('reason') or r.get('error', '')[:200]}")
    if write_markdown:
        from . import markdown
        plotted = plot(summary, PLOT) or PLOT.exists()  # without matplotlib the last plot stands
        previous = MARKDOWN.read_text(encoding="utf-8") if MARKDOWN.exists() else ""   # its other sections stay
        MARKDOWN.write_text(markdown.render(records, tables, plotted, Path(path), previous))
        shown = [p.relative_to(REPO) if p.is_relative_to(REPO) else p for p in (MARKDOWN, PLOT)]
        print(f"wrote {shown[0]}" + (f" and {shown[1]}" if plotted else ""))
    return 0


def plot(summary: Summary, path: Path) -> bool:
    """MLP training samples/s by batch size, one panel per thread count; False without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: matplotlib is not installed (pip install -r bench/requirements.txt)")
        return False
    batches = (1, 16, 128)
    fig, axes = plt.subplots(1, len(summary.threads), figsize=(5.6 * len(summary.threads), 4.6), sharey=True,
                             squeeze=False)
    styles = {"axonal": ("C0", "o", "-"), "torch": ("C1", "s", "-"), "torch_fused": ("C1", "s", ":"),
              "sklearn": ("C2", "^", "-"), "numpy": ("0.3", "", "--")}
    for ax, t in zip(axes[0], summary.threads):
        for lib, (color, marker, line) in styles.items():
            workload = "mlp_ceiling" if lib == "numpy" else "mlp_train"
            points = [(b, summary.median(workload, lib, t, "samples_per_s", b)) for b in batches]
            points = [(b, v) for b, v in points if v]
            if points:
                ax.plot(*zip(*points), color=color, marker=marker, linestyle=line, label=LABELS[lib])
        synaptic = summary.median("mlp_synaptic", "synaptic", 1, "samples_per_s")
        if synaptic and t == 1:
            ax.plot([1], [synaptic], color="C3", marker="*", markersize=11, linestyle="",
                    label="Synaptic (online)")
        ax.set(xscale="log", yscale="log", xticks=batches, xlabel="batch size",
               title=f"MLP 784-256-128-10 training, {t} thread{'s' if t > 1 else ''}")
        ax.set_xticklabels([str(b) for b in batches])
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("samples / second")
    handles = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
