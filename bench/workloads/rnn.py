"""Recurrent layers: LSTM, GRU, SimpleRNN and a peephole LSTM trained by BPTT; Synaptic's DSR task.

* ``train`` (workloads ``rnn_lstm``, ``rnn_gru``, ``rnn_simple``, ``rnn_peephole``): 32
  inputs, 128 hidden units, sequences of 50 steps, batch 32, float32. One training step
  is forward over the 50 steps, backward through time, and an Adam 1e-3 update, on the
  mean squared error between the last step's hidden state (no output layer) and a fixed
  random target. A few warm-up steps, then a fixed number of steps timed; the rate is in
  time steps per second (sequences/s × 50). Both libraries start from the same weights
  and see the same data in the same order.

  axonal: ``Sequential([LSTM(128)], input_dim=32).fit(x, y, loss="mse",
  optimizer=Adam(1e-3), batch_size=32, epochs=1, shuffle=False, progress=False)``, one
  call timed whole over the prepared set (fit's per-call cost is paid once per timed
  pass, not per step). PyTorch: ``torch.nn.LSTM/GRU/RNN(32, 128, batch_first=True)``,
  ``mse_loss(out[:, -1], y)``, ``torch.optim.Adam`` in a plain loop. axonal's single bias
  goes to PyTorch's ``bias_ih`` with ``bias_hh`` zero (for the GRU, axonal's
  ``recurrent_bias`` is PyTorch's ``bias_hh``: the same equations).

  PyTorch has no peephole LSTM: its worker times a Python-loop ``nn.Module`` cell and the
  same cell compiled with TorchScript (``torch.jit.script``), and reports the faster as
  its rate (both are in the record).
* ``dsr`` (workload ``rnn_dsr``): Synaptic's discrete sequence recall with the settings of
  its own test (targets [2, 4], distractors [3, 5], prompts [0, 1], length 9). axonal: the
  network of tests/test_sequence_tasks.py (``LSTM(16, return_sequences=True)`` +
  ``Dense(2)``, sigmoid cross-entropy, Adam 0.01 with clip_norm 1, batch 32) on 1,000
  training sequences, one epoch per ``fit`` call, until ≥ 95% of 1,000 fresh sequences are
  fully correct (or 40 epochs), the checks included in the time. Synaptic:
  ``Architect.LSTM(6, 7, 2)`` trained by ``Trainer.DSR`` at rate 0.17 in blocks of 1,000
  sequences (its success is the share of a block's sequences it got fully right while
  training) until a block reaches 95% or the time cap runs out.
"""

from __future__ import annotations

import time

import numpy as np

from . import median, timed

INPUTS, UNITS, LENGTH, BATCH = 32, 128, 50, 32
CELLS = {"rnn_lstm": "lstm", "rnn_gru": "gru", "rnn_simple": "rnn", "rnn_peephole": "lstm_peephole"}
DSR = {"targets": [2, 4], "distractors": [3, 5], "prompts": [0, 1], "length": 9}


def _data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, LENGTH, INPUTS), dtype=np.float32)
    y = rng.uniform(-0.5, 0.5, (n, UNITS)).astype(np.float32)
    return x, y


def _axonal_net(cell: str, seed: int = 0):
    from axonal import GRU, LSTM, Sequential, SimpleRNN
    layer = {"lstm": lambda: LSTM(UNITS), "gru": lambda: GRU(UNITS), "rnn": lambda: SimpleRNN(UNITS),
             "lstm_peephole": lambda: LSTM(UNITS, peepholes=True)}[cell]()
    net = Sequential([layer], input_dim=INPUTS, seed=seed)
    net.predict(np.zeros((1, 2, INPUTS), np.float32))  # build
    return net


def _initial_weights(cell: str) -> dict:
    """axonal's own initialisation (seed 0), with small random peepholes so they matter."""
    w = _axonal_net(cell).get_weights()
    if cell == "lstm_peephole":
        rng = np.random.default_rng(1)
        for g in "ifo":
            w[f"layers.0.peephole_{g}"] = rng.uniform(-0.1, 0.1, UNITS).astype(np.float32)
    return w


def train(library: str, params: dict, workload: str) -> dict:
    cell = CELLS[workload]
    steps, warmup = int(params.get("steps", 40)), int(params.get("warmup", 5))
    x, y = _data((steps + warmup) * BATCH)
    init = _initial_weights(cell)
    run = {"axonal": _axonal_train, "torch": _torch_train}[library]
    out = run(cell, init, x, y, warmup)
    seconds = out.pop("seconds")
    samples = steps * BATCH
    return {"cell": cell, "steps": steps, "seconds": seconds, "sequences_per_s": samples / seconds,
            "timesteps_per_s": samples * LENGTH / seconds, **out}


def _axonal_train(cell, init, x, y, warmup):
    from axonal import Adam
    net = _axonal_net(cell)
    net.set_weights(init)
    opt = Adam(1e-3)
    w = warmup * BATCH
    options = dict(loss="mse", optimizer=opt, batch_size=BATCH, epochs=1, shuffle=False, progress=False)
    net.fit(x[:w], y[:w], **options)
    seconds, history = timed(net.fit, x[w:], y[w:], **options)
    return {"seconds": seconds, "final_loss": float(history[-1])}


def _torch_train(cell, init, x, y, warmup):
    import torch
    from torch import nn
    if cell == "lstm_peephole":
        return _torch_peephole(init, x, y, warmup)
    cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
    model = cls(INPUTS, UNITS, batch_first=True)
    with torch.no_grad():
        model.weight_ih_l0.copy_(torch.from_numpy(init["layers.0.kernel"].T.copy()))
        model.weight_hh_l0.copy_(torch.from_numpy(init["layers.0.recurrent_kernel"].T.copy()))
        model.bias_ih_l0.copy_(torch.from_numpy(init["layers.0.bias"]))
        hh = init.get("layers.0.recurrent_bias")
        model.bias_hh_l0.copy_(torch.from_numpy(hh) if hh is not None else torch.zeros_like(model.bias_hh_l0))

    def forward(xb):
        return model(xb)[0][:, -1]
    return _torch_loop(model, forward, x, y, warmup)


def _torch_loop(model, forward, x, y, warmup):
    import torch
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    n = len(x) // BATCH
    loss = None

    def step(k):
        nonlocal loss
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(forward(xt[k * BATCH:(k + 1) * BATCH]), yt[k * BATCH:(k + 1) * BATCH])
        loss.backward()
        opt.step()

    for k in range(warmup):
        step(k)
    t0 = time.perf_counter()
    for k in range(warmup, n):
        step(k)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "final_loss": loss.item()}


def _peephole_module(init, scripted: bool):
    import torch
    from torch import nn

    class PeepholeLSTM(nn.Module):
        """axonal's peephole LSTM: gates [i|f|g|o]; i, f peek at c_{t-1}, o at c_t."""

        def __init__(self):
            super().__init__()
            t = lambda a: nn.Parameter(torch.from_numpy(np.ascontiguousarray(a)))  # noqa: E731
            self.kernel = t(init["layers.0.kernel"])
            self.recurrent_kernel = t(init["layers.0.recurrent_kernel"])
            self.bias = t(init["layers.0.bias"])
            self.p_i = t(init["layers.0.peephole_i"])
            self.p_f = t(init["layers.0.peephole_f"])
            self.p_o = t(init["layers.0.peephole_o"])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            b, steps = x.shape[0], x.shape[1]
            ax = torch.matmul(x, self.kernel) + self.bias  # every step's input projection at once
            h = torch.zeros(b, self.recurrent_kernel.shape[0], dtype=x.dtype)
            c = torch.zeros_like(h)
            for t in range(steps):
                a = ax[:, t] + torch.mm(h, self.recurrent_kernel)
                ai, af, ag, ao = a.chunk(4, 1)
                i = torch.sigmoid(ai + c * self.p_i)
                f = torch.sigmoid(af + c * self.p_f)
                c = f * c + i * torch.tanh(ag)
                o = torch.sigmoid(ao + c * self.p_o)
                h = o * torch.tanh(c)
            return h

    module = PeepholeLSTM()
    return torch.jit.script(module) if scripted else module


def _torch_peephole(init, x, y, warmup):
    out = {}
    for name, scripted in (("python_loop", False), ("torchscript", True)):
        model = _peephole_module(init, scripted)
        out[name] = _torch_loop(model, model, x, y, warmup)
    fastest = min(out, key=lambda k: out[k]["seconds"])
    samples = (len(x) // BATCH - warmup) * BATCH
    return {"seconds": out[fastest]["seconds"], "final_loss": out[fastest]["final_loss"], "implementation": fastest,
            **{f"{k}_timesteps_per_s": samples * LENGTH / v["seconds"] for k, v in out.items()}}


def lstm(library, params):
    return train(library, params, "rnn_lstm")


def gru(library, params):
    return train(library, params, "rnn_gru")


def simple(library, params):
    return train(library, params, "rnn_simple")


def peephole(library, params):
    return train(library, params, "rnn_peephole")


# -- discrete sequence recall -------------------------------------------------------------------

def dsr(library: str, params: dict) -> dict:
    seeds = range(int(params.get("seeds", 5)))
    if library == "synaptic":
        from ..peers.synaptic import run_node
        r = run_node({"job": "dsr", **DSR, "rate": 0.17, "block": 1000, "success": 0.95,
                      "seconds": float(params.get("synaptic_seconds", 60)),
                      "runs": int(params.get("synaptic_runs", len(seeds))), "sizes": [6, 7, 2]})
        runs = r["runs"]
    else:
        _axonal_dsr(0, 2)  # warm-up
        runs = [_axonal_dsr(s, int(params.get("max_epochs", 40))) for s in seeds]
    times = sorted(r["seconds"] if r["solved"] else float("inf") for r in runs)
    return {"seeds": len(runs), "solved": sum(r["solved"] for r in runs), "median_s": median(times),
            "runs": runs}


def _axonal_dsr(seed: int, max_epochs: int) -> dict:
    from axonal import LSTM, Adam, Dense, Sequential
    from axonal.data import discrete_sequence_recall
    t0 = time.perf_counter()
    x, y, mask = discrete_sequence_recall(1000, seed=100, **DSR)
    x_test, y_test, _ = discrete_sequence_recall(1000, seed=101, **DSR)
    net = Sequential([LSTM(16, return_sequences=True), Dense(y.shape[-1])], input_dim=x.shape[-1], seed=seed)
    opt = Adam(0.01, clip_norm=1.0)
    rng = np.random.default_rng(seed)
    success = 0.0
    for epoch in range(1, max_epochs + 1):
        net.fit(x, y, loss="binary_cross_entropy_logits", optimizer=opt, epochs=1, batch_size=32,
                sample_weight=mask, seed=rng, progress=False)
        success = float(np.all(np.round(net.predict_proba(x_test)) == y_test, axis=(1, 2)).mean())
        if success >= 0.95:
            break
    return {"seed": seed, "seconds": time.perf_counter() - t0, "epochs": epoch, "success": success,
            "solved": success >= 0.95, "sequences": epoch * len(x)}
