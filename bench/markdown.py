"""BENCHMARKS.md, rendered from the records of one run (never edited by hand).

The page's ``## `` sections that these records produce (:data:`OWNED`) are written anew;
the data-parallel section is rebuilt from ``bench/results/distributed.json``
(bench/distributed.py); every other section of the page as it stood (such as
``python -m bench.defaults``' table) is kept, word for word, after them.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HOW_TO_RUN = """\
```
pip install -r bench/requirements.txt   # PyTorch 2.13.0 (CPU build), scikit-learn, threadpoolctl, matplotlib
npm install --prefix bench              # Synaptic 1.1.4 into bench/node_modules (needs node)
python -m bench                         # the full suite: this page, bench/results/latest.jsonl and the plot
python -m bench --quick                 # a short pass of a few minutes: prints the tables only
python -m bench --report-only           # rebuild this page and the plot from bench/results/latest.jsonl
python -m bench --only rnn --merge      # rerun one family, keeping the other records of latest.jsonl
python -m bench.load_bounds             # hostile files under 16 MiB: bench/results/load_bounds.md
```
Options: `--only mlp,infer,digits,xor,rnn,graph,online,imports`,
`--libs axonal,axonal_layer,axonal_numpy,torch,torch_fused,sklearn,synaptic,numpy`,
`--threads 1,2`, `--repeats N`, `--quiet-wait S` and `--attempts N` (on a busy machine: how long
to wait for quiet, and how often to rerun a disturbed measurement). A peer that is not installed
is skipped with a note."""

LOAD_BOUNDS = """\
`python -m bench.load_bounds` builds model files and Synaptic JSON that push every
documented limit (huge declared layers, tens of thousands of connections, deep
nesting, headers at and over the cap, lying shapes) plus the fuzzer's largest
structural cases, and loads each in a fresh process. The goal, from the security
issue: every file under 16 MiB refused with the documented error or loaded, within
2 s and 200 MB of extra memory. No peer library takes part, so the figures are
absolute, from the last run on this machine."""

METHOD = """\
Each measurement runs in its own Python process, one after another, never two
libraries in one process (OpenBLAS and OpenMP thread pools slow each other down when
mixed). The runner sets `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS` and `MKL_NUM_THREADS`
before the library is imported; inside, threadpoolctl pins every BLAS/OpenMP pool and
PyTorch gets `torch.set_num_threads`. Each process warms up before it measures. Within
a comparison the libraries alternate, their order rotating with each repeat; the tables
show medians over the repeats. All data is float32 and identical across libraries, and
so are the initial weights wherever a library lets them be set.

* **MLP 784-256-128-10** (ReLU, softmax cross-entropy, Adam 1e-3) on 60,000 synthetic
  MNIST-shaped samples labelled by a fixed random teacher network; batch 128 times one
  whole epoch, batches 16 and 1 a fixed number of steps. axonal:
  `Sequential([Dense(256, "relu", input_dim=784), Dense(128, "relu"), Dense(10)]).fit(...,
  loss="softmax_cross_entropy", optimizer=Adam(1e-3), batch_size=B, epochs=1, shuffle=True)`,
  one call timed whole. PyTorch: `nn.Sequential` with `torch.optim.Adam` (default, and
  `fused=True` as "PyTorch fused Adam") in a DataLoader-free loop that gathers `X[idx]`
  from a shuffled index tensor (the fastest idiomatic loop). scikit-learn:
  `MLPClassifier(hidden_layer_sizes=(256, 128), solver="adam", alpha=0, batch_size=B,
  max_iter=1, warm_start=True).fit` on float32 input, so it trains in float32. Synaptic:
  `Architect.Perceptron(784, 256, 128, 10)` with ReLU hidden units, trained online
  (`activate` + `propagate` per sample, as `Trainer.train` does) after several seconds of
  warm-up; its number appears in every MLP row, since it has no batches. Peak memory is
  the training process's `ru_maxrss`, which includes the 188 MB data set every library holds.
* **Matmul-only ceiling**: the matrix products of one training step (forward, ∂E/∂W, and
  ∂E/∂x of the hidden layers) timed alone in NumPy at the same batch size and thread
  count; the achieved FLOP rate is 6 × parameters × samples/s against a 2048² float32
  matrix product.
* **Inference**: probabilities for one (1, 784) input (median of many calls) and for a
  batch of 1,024. axonal `predict_proba`; PyTorch `softmax(model(x))` with autograd off;
  scikit-learn `predict_proba`.
* **Digits** (`axonal.data.load_digits`, 80/20 stratified split, seed 0), 80 epochs:
  axonal is the default network of `axonal train` (Standardize, Dense 128 relu, Dense 64
  relu, Dense 10; Adam 0.002, l2 0.001, cosine schedule, batch 32, seed 0); PyTorch runs
  the same from the same initial weights (L2 on weights only, `CosineAnnealingLR`);
  scikit-learn runs StandardScaler + MLPClassifier(hidden_layer_sizes=(128, 64),
  learning_rate_init=0.002, alpha=0.001, batch_size=32, max_iter=80, tol=0,
  n_iter_no_change=81, random_state=0): its own initial weights, a constant rate (it has
  no cosine schedule for Adam) and an `alpha` it divides by the batch size.
* **XOR 2-3-1** sigmoid, MSE: axonal and PyTorch full-batch SGD with rate 2.0 (an epoch is
  one step); Synaptic `Trainer.train(set, {rate: 0.5, iterations, error})`, online (an
  epoch is four one-sample updates). Time to solve: wall time until an epoch's mean
  squared error is ≤ 0.005, per seed (every library gets the same initial weights for a
  seed); an unsolved seed counts as infinitely slow in the median.
* **Recurrent layers** (`bench/workloads/rnn.py`): 32 inputs, 128 units, sequences of 50
  steps, batch 32, float32, the same random data and the same initial weights in both
  libraries (axonal's initialisation, copied into PyTorch with its `bias_hh` zero, or
  axonal's GRU `recurrent_bias`). A training step is forward, backpropagation through
  time and Adam 1e-3 on the MSE between the last step's state and a fixed random target;
  5 warm-up steps, then a fixed number of steps timed. axonal: `Sequential([LSTM(128)],
  input_dim=32).fit(x, y, loss="mse", optimizer=Adam(1e-3), batch_size=32, epochs=1,
  shuffle=False)` over the prepared set, one call timed whole (likewise `GRU`, `SimpleRNN`,
  `LSTM(128, peepholes=True)`). PyTorch: `nn.LSTM`/`nn.GRU`/`nn.RNN(32, 128,
  batch_first=True)`, `mse_loss(out[:, -1], y)`, `torch.optim.Adam` in a plain loop. For
  the peephole LSTM, which PyTorch lacks, a `nn.Module` cell with the same equations (input
  projection of all steps in one product, then a Python loop over the steps), timed both
  as is and under `torch.jit.script`; the faster counts. **DSR**: Synaptic's discrete
  sequence recall with its test's settings (targets [2, 4], distractors [3, 5], prompts
  [0, 1], length 9). axonal: the network of `tests/test_sequence_tasks.py`
  (`LSTM(16, return_sequences=True)`, `Dense(2)`, sigmoid cross-entropy, Adam 0.01 with
  `clip_norm=1`, batch 32) on 1,000 sequences, one epoch per `fit` call, until 95% of 1,000
  fresh sequences are fully right (at most 40 epochs; the checks count in the time), one
  run per network seed. Synaptic: `Architect.LSTM(6, 7, 2)` trained by `Trainer.DSR` at
  rate 0.17 in blocks of 1,000 sequences until a block is 95% right, each run capped at
  60 s (unseeded: `Math.random`).
* **Graph networks** (`bench/workloads/graph.py`): the peephole LSTM above drawn as an
  `axonal.graph` graph (layers x, i, f, g, cell, o, tanh_c, h, with the cell's input,
  self-connection and output gated) and trained as a `GraphNetwork` exactly as the
  `LSTM(128, peepholes=True)` layer is (same data, same starting weights, `fit` timed whole),
  against that fused layer ("axonal LSTM layer"). DSR by `axonal.synaptic.architect.LSTM(6, 7, 2)`,
  the graph of Synaptic's `Architect.LSTM(6, 7, 2)`, trained by `fit` (binary cross-entropy,
  Adam 0.05, batch 32, 1,000 sequences per epoch, at most 40 epochs), and by
  `architect.LSTM(6, 3, 2)` learning online by LSTM-g (rate 0.5, float64, 16 sequences in
  parallel, state reset between sequences, blocks of 160 fresh sequences, at most 40,000);
  both checked on 1,000 fresh sequences (95% fully right), the checks in the time; Synaptic
  as for the recurrent DSR.
* **Online learning and small networks** (`bench/workloads/online.py`, `online_tasks.py`):
  Synaptic's regime, one sample or one time step at a time, one thread, against Synaptic 1.1.4
  under node. Every network is built by `axonal.synaptic.architect` (float64) from a seed and
  given to Synaptic as its JSON (`to_json`, `Network.fromJSON`): the same starting weights and
  the same data on both sides; LSTM-g with `rule="synaptic"` (Synaptic's `propagate`, step for
  step). XOR: `Trainer(Perceptron(2, 3, 1)).xor()` and Synaptic's `Trainer.XOR()` with their
  defaults (rate 0.2, shuffled, stop at MSE ≤ 0.005; Synaptic's `Math.random` seeded), time
  and epochs to solve over 5 seeds (2 for axonal NumPy). SIN: `Perceptron(1, 12, 1)` on Synaptic's 800 sine samples,
  `train(set, iterations=5, cost="mse")` with `rule="synaptic"` (every output learns from `δ = t - y`,
  the cost is the error reported, as in Synaptic's test: the same weights and errors on both sides), per
  one-sample update. `LSTM(6, 4, 6)`: one stream of random 0/1 inputs and targets, `learner.step(x, t)`
  (`net.online(0.1)`) against `activate` + `propagate(0.1, t)`, in blocks of 500 steps, and
  `activate` alone. Timing task: `LSTM(2, 7, 1)`, a 4,000-step stream, one epoch per
  `train(stream, iterations=1, rate=0.03)` call, the state carried on. DSR: Synaptic's test
  (`LSTM(6, 3, 2)`, targets [2, 4], distractors [3, 5], prompts [0, 1], length 9, rate 0.17),
  `Trainer.dsr` against `Trainer.DSR` until a block of 1,000 sequences is 95% right, time and
  sequences to solve over 2 seeds (not for axonal NumPy: minutes per run). `LSTM(6, 7, 2)`, the DSR network of the other families: one
  stream of DSR sequences, activate + propagate (0.17) in blocks of 450 steps, and `activate`
  alone. Cold is the first call in a fresh process from before its network is built (with
  Numba's kernels loaded from its cache, and, once per run and engine, compiled into an empty
  `NUMBA_CACHE_DIR`); warm is the median of the later calls. "axonal NumPy" is axonal with
  `AXONAL_JIT=0`, the NumPy reference the compiled kernels are checked against.
* **Import time**: `import axonal`, `import torch`, `import sklearn.neural_network`, each
  in a fresh interpreter, timed around the import statement alone."""


#: The headings (their start) of the sections :func:`render` writes from the records; the page's other
#: sections are kept.
OWNED = ("How to run", "Machine", "Results (medians)", "MLP training against the hardware", "Recurrent layers",
         "Graph networks", "Online learning", "Targets", "Loading hostile files", "What each library runs", "Notes")


def sections(text: str) -> list:
    """``[(heading, section text), ...]`` for each ``## `` section of ``text`` (a line inside a code fence is
    no heading); the text before the first one comes first, under the heading ``""``."""
    found, heading, lines, fenced = [], "", [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if line.startswith("## ") and not fenced:
            found.append((heading, "\n".join(lines).strip()))
            heading, lines = line[3:].strip(), []
        lines.append(line)
    found.append((heading, "\n".join(lines).strip()))
    return found


def replace_section(text: str, heading: str, new: str) -> str:
    """``text`` with the ``## `` section whose heading starts as ``heading`` (with or without its ``## ``)
    replaced by ``new``; without one, ``new`` goes before "What each library runs" (or at the end)."""
    title = heading[3:] if heading.startswith("## ") else heading
    parts = sections(text)
    at = next((i for i, (h, _) in enumerate(parts) if h.startswith(title)), None)
    if at is not None:
        parts[at] = (title, new.strip())
    else:
        before = next((i for i, (h, _) in enumerate(parts) if h.startswith("What each library runs")), len(parts))
        parts.insert(before, (title, new.strip()))
    return "\n\n".join(body for _, body in parts if body) + "\n"


def _distributed(folder: Path) -> str | None:
    """The data-parallel section from ``folder/distributed.json``, or ``None`` without the file."""
    results = folder / "distributed.json"
    if not results.exists():
        return None
    import json

    from . import distributed
    return distributed.section(json.loads(results.read_text(encoding="utf-8")))


def render(records, tables: str, plotted: bool, source: Path, previous: str = "") -> str:
    run = next((r for r in records if r.get("record") == "run"), {})
    end = next((r for r in records if r.get("record") == "end"), {})
    infos = {r["library"]: r for r in records if r.get("record") == "info"}
    m = run.get("machine", {})
    source_name = source.relative_to(REPO) if source.is_relative_to(REPO) else source
    parts = [
        "# Benchmarks",
        (f"Generated by `{run.get('command', 'python -m bench')}` from `{source_name}` "
         f"(run started {run.get('started', '?')}, axonal commit {m.get('commit', '?')}"
         f"{' with local changes' if m.get('tree_dirty') else ''}). Do not edit by hand: rerun the command, "
         "or `python -m bench --report-only` to rebuild this page from the records."),
        *_merged(records),
        "## How to run\n\n" + HOW_TO_RUN,
        "## Machine\n\n" + _machine(m, infos, records, run, end),
        tables,
    ]
    if plotted:
        parts.append("![MLP training throughput by batch size](bench/results/throughput_by_batch.png)")
    bounds = source.parent / "load_bounds.md"
    if bounds.exists():
        parts.append("## Loading hostile files\n\n" + LOAD_BOUNDS + "\n\n" + bounds.read_text(encoding="utf-8"))
    distributed = _distributed(source.parent)
    if distributed is not None:
        parts.append(distributed)
    parts.append("## What each library runs\n\n" + METHOD)
    notes = [f"* {r['library']}: skipped: {r['reason']}" for r in records if r.get("record") == "skip"]
    notes += [f"* {r.get('workload')} / {r.get('library')} / {r.get('threads')} threads: failed: "
              f"{r.get('error', '').splitlines()[-1][:300] if r.get('error') else '?'}"
              for r in records if r.get("record") == "error"]
    if notes:
        parts.append("## Notes\n\n" + "\n".join(notes))
    regenerated = OWNED + ((distributed.splitlines()[0][3:],) if distributed is not None else ())
    parts += [body for heading, body in sections(previous)
              if heading and not heading.startswith(regenerated)]   # sections of other commands, kept
    return "\n\n".join(parts) + "\n"


def _merged(records) -> list:
    """A line for each later run whose records were merged in (``python -m bench --merge``)."""
    lines = [f"The {', '.join(r.get('families', []))} records come from a later run, `{r.get('command')}` "
             f"(started {r.get('started', '?')}, axonal commit {r.get('machine', {}).get('commit', '?')}"
             f"{' with local changes' if r.get('machine', {}).get('tree_dirty') else ''}), merged into the file."
             for r in records if r.get("record") == "run" and r.get("merged")]
    return [" ".join(lines)] if lines else []


def _machine(m, infos, records, run, end) -> str:
    numpy_info = infos.get("numpy", infos.get("axonal", {}))
    blas = numpy_info.get("result", {}).get("numpy_blas", {})
    pools = [p for p in numpy_info.get("thread_pools", []) if "blas" in p]
    versions = {}
    for r in infos.values():
        versions.update(r.get("versions", {}))
    lines = [
        (f"* CPU: {m.get('cpu', '?')} ({', '.join(m.get('simd', [])) or 'no AVX flags seen'}); "
         f"{m.get('usable_cpus', '?')} usable of {m.get('logical_cpus', '?')} logical CPUs; "
         f"{m.get('memory_gib', '?')} GiB memory; {m.get('platform', '?')}"),
        f"* Python {m.get('python', '?')}; NumPy {versions.get('numpy', '?')} with "
        + (f"{blas.get('openblas configuration') or blas.get('name')}" if isinstance(blas, dict) else str(blas))
        + (f" (threadpoolctl: {pools[0]})" if pools else ""),
    ]
    torch_info = infos.get("torch", {}).get("result", {})
    if torch_info:
        mkl = next((b for b in torch_info.get("torch_build", []) if "Math Kernel" in b), "BLAS: see torch.__config__")
        lines.append(f"* PyTorch {versions.get('torch', '?')}: {mkl.replace('(R)', '')}; CPU capability "
                     f"{torch_info.get('torch_cpu_capability', '?')}")
    if "sklearn" in versions:
        lines.append(f"* scikit-learn {versions['sklearn']} (NumPy's BLAS); "
                     f"threadpoolctl {versions.get('threadpoolctl')}")
    numba = next((r["versions"]["numba"] for r in records
                  if r.get("record") == "measurement" and r.get("versions", {}).get("numba")), None)
    if numba:
        lines.append(f"* Numba {numba} (axonal's compiled paths; kernels cached on disk)")
    if "synaptic" in infos:
        v = infos["synaptic"].get("result", {})
        lines.append(f"* Synaptic {v.get('synaptic', '?')} under node {v.get('node', '?')}")
    loads = [r["load_before"][0] for r in records if r.get("record") == "measurement" and r.get("load_before")]
    if loads and m.get("loadavg") and end.get("loadavg"):
        lines.append(f"* Load average (1 min): {m['loadavg'][0]:.2f} at the start, {end['loadavg'][0]:.2f} at the "
                     f"end; {min(loads):.2f}–{max(loads):.2f} before the measurements (the runner's own "
                     f"previous job counts in it)")
    measured = [r for r in records if r.get("record") == "measurement" and r.get("other_cores") is not None]
    if measured:
        from .report import BUSY
        disturbed = [r for r in measured if r["other_cores"] > BUSY]
        again = ("those were run again and left out of the medians" if run.get("attempts", 3) > 1 else
                 "with `--attempts 1` they were not run again, and count in the medians where no undisturbed "
                 "repeat exists")
        lines.append(f"* Other processes: {len(disturbed)} of {len(measured)} measurements saw other processes use "
                     f"more than {BUSY} of a core while they ran; {again} (the runner also waits, up to "
                     f"{run.get('quiet_wait_s', 60):g} s, for a quiet machine before each measurement)")
    if end.get("elapsed_s"):
        settings = run.get("settings", {})
        lines.append(f"* The run took {end['elapsed_s'] / 60:.1f} minutes; {settings.get('repeats', '?')} repeats per "
                     f"comparison ({settings.get('mlp_repeats', '?')} for MLP training)")
    return "\n".join(lines)
