"""Architecture-free graph networks (``axonal.graph``, ``axonal.synaptic.architect``) against fused layers and Synaptic.

* ``lstm`` (workload ``graph_lstm``): the peephole LSTM of ``rnn_peephole``, built as a
  graph of layers, connections and gates (x, i, f, g, cell, o, tanh_c, h:
  ``axonal.synaptic.architect.lstm_layer_graph``, which computes exactly what
  ``axonal.layers.LSTM(n, peepholes=True)`` computes) and run as a ``GraphNetwork``,
  against that fused layer (pseudo-library ``axonal_layer``). The same training as
  ``rnn_peephole`` (bench/workloads/rnn.py): 32 inputs, 128 units, 50 steps, batch 32,
  float32, forward + BPTT + Adam 1e-3 on the last step's state, the same data and the
  same starting weights (copied into the graph), ``fit`` timed whole.
* ``dsr`` (workload ``graph_dsr``): Synaptic's DSR (its test's settings) learned by
  ``axonal.synaptic.architect.LSTM(6, 7, 2)``, the graph of Synaptic's ``Architect.LSTM(6, 7, 2)``,
  through ``fit`` (BPTT, binary cross-entropy, Adam 0.05, batch 32) on 1,000 sequences,
  one epoch per call, until ≥ 95% of 1,000 fresh sequences are fully right (at most 40
  epochs; the checks count in the time). Synaptic: the runner of the ``rnn_dsr`` workload.
* ``dsr_lstm_g`` (workload ``graph_dsr_lstm_g``): the same task learned online by LSTM-g
  (``net.online(0.5)``) on ``architect.LSTM(6, 3, 2)`` in float64: 16 sequences in
  parallel, one step at a time, the state reset between sequences; fresh blocks of 160
  sequences, the same check after each block, at most 40,000 sequences.
"""

from __future__ import annotations

import time

import numpy as np

from . import median, timed
from .rnn import BATCH, DSR, LENGTH, _axonal_net, _data, _initial_weights

# -- the peephole LSTM as a graph -----------------------------------------------------------------

def _graph_net(init: dict):
    """``axonal.synaptic.architect.lstm_layer_graph`` as a ``GraphNetwork`` carrying the fused layer's weights."""
    from axonal.synaptic.architect import from_lstm_layer
    layer = _axonal_net("lstm_peephole")
    layer.set_weights(init)
    return from_lstm_layer(layer.layers[0], return_sequences=False)


def lstm(library: str, params: dict) -> dict:
    from axonal import Adam
    steps, warmup = int(params.get("steps", 40)), int(params.get("warmup", 5))
    x, y = _data((steps + warmup) * BATCH)
    init = _initial_weights("lstm_peephole")
    if library == "axonal":
        net = _graph_net(init)
    else:  # "axonal_layer": the fused LSTM(128, peepholes=True)
        net = _axonal_net("lstm_peephole")
        net.set_weights(init)
    w = warmup * BATCH
    options = {"loss": "mse", "optimizer": Adam(1e-3), "batch_size": BATCH, "epochs": 1, "shuffle": False,
               "progress": False}
    net.fit(x[:w], y[:w], **options)
    seconds, history = timed(net.fit, x[w:], y[w:], **options)
    samples = steps * BATCH
    return {"steps": steps, "seconds": seconds, "sequences_per_s": samples / seconds,
            "timesteps_per_s": samples * LENGTH / seconds, "final_loss": float(history[-1])}


# -- discrete sequence recall -------------------------------------------------------------------

def _fully_right(net, x, y) -> float:
    return float(np.all(np.round(net.predict(x)) == y, axis=(1, 2)).mean())


def dsr(library: str, params: dict) -> dict:
    if library == "synaptic":
        from .rnn import dsr as rnn_dsr
        return rnn_dsr("synaptic", params)
    return _runs(_bptt, params, int(params.get("max_epochs", 40)))


def dsr_lstm_g(library: str, params: dict) -> dict:
    return _runs(_lstm_g, params, int(params.get("max_sequences", 40_000)))


def _runs(run, params, limit) -> dict:
    run(0, 2 if run is _bptt else 320)  # warm-up
    runs = [run(seed, limit) for seed in range(int(params.get("seeds", 5)))]
    times = sorted(r["seconds"] if r["solved"] else float("inf") for r in runs)
    return {"seeds": len(runs), "solved": sum(r["solved"] for r in runs), "median_s": median(times), "runs": runs}


def _bptt(seed: int, max_epochs: int) -> dict:
    from axonal import Adam
    from axonal.synaptic.architect import LSTM
    from axonal.data import discrete_sequence_recall
    t0 = time.perf_counter()
    x, y, _ = discrete_sequence_recall(1000, seed=100, **DSR)
    x_test, y_test, _ = discrete_sequence_recall(1000, seed=101, **DSR)
    net = LSTM(6, 7, 2, seed=seed)
    opt = Adam(0.05)
    rng = np.random.default_rng(seed)
    for epoch in range(1, max_epochs + 1):
        net.fit(x, y, loss="binary_cross_entropy", optimizer=opt, epochs=1, batch_size=32, seed=rng,
                progress=False)
        success = _fully_right(net, x_test, y_test)
        if success >= 0.95:
            break
    return {"seed": seed, "seconds": time.perf_counter() - t0, "epochs": epoch, "success": success,
            "solved": success >= 0.95, "sequences": epoch * len(x)}


def _lstm_g(seed: int, max_sequences: int, block: int = 160, streams: int = 16) -> dict:
    from axonal.synaptic.architect import LSTM
    from axonal.data import discrete_sequence_recall
    t0 = time.perf_counter()
    x_test, y_test, _ = discrete_sequence_recall(1000, seed=101, **DSR)
    net = LSTM(6, 3, 2, dtype="float64", seed=seed)
    learner = net.online(0.5)
    rng = np.random.default_rng(seed)
    sequences = 0
    while sequences < max_sequences:
        x, y, _ = discrete_sequence_recall(block, seed=rng, **DSR)
        for k in range(0, block, streams):
            learner.reset()
            for t in range(x.shape[1]):
                learner.step(x[k:k + streams, t], y[k:k + streams, t])
        sequences += block
        success = _fully_right(net, x_test, y_test)
        if success >= 0.95:
            break
    return {"seed": seed, "seconds": time.perf_counter() - t0, "sequences": sequences, "success": success,
            "solved": success >= 0.95}
