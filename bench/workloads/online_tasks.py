"""The ``online`` family's tasks: the data, the networks and the calls, for axonal and for Synaptic.

Every task is a list of *calls*, the first of which runs in a fresh process (cold):
a call builds what a user's script builds (a network, a ``Trainer``, a learner) only
where a user's run would (each time-to-solve run starts from a new network; a
stream is built once, before its first block), and returns ``{"seconds", ...}``.
:func:`synaptic_spec` gives node (bench/peers/synaptic.js) the same task: the same
networks, written with :func:`axonal.synaptic.to_json` from the same seeds (so both
libraries start from the same weights), and the same data.

The tasks (shapes and settings of Synaptic 1.1.4's tests; axonal in float64, LSTM-g
with ``rule="synaptic"``, which computes what Synaptic's ``propagate`` computes):

=================  ==========================================================================
online_xor         ``Perceptron(2, 3, 1)``, ``Trainer(net).xor()`` with its defaults (rate 0.2,
                   MSE, error 0.005, shuffled); a call is one run to MSE <= 0.005 with the
                   Trainer's default rule (the cost's gradient), then one with ``rule="synaptic"``
                   (Synaptic's own rule: ``rule_seconds``, ``rule_epochs``)
online_sin         ``Perceptron(1, 12, 1)``, 800 samples ``x ~ U[0, 2π)``, ``(sin x + 1)/2``;
                   a call is ``train(set, iterations=5)`` (4,000 one-sample updates), rate 0.2,
                   the cost ``"mse"`` as in Synaptic's test (with ``rule="synaptic"`` every output
                   learns from ``δ = t - y`` whatever the cost; the cost is the error reported)
online_lstm        ``LSTM(6, 4, 6)``, one stream of random 0/1 inputs and targets; a call is a
                   block of 500 steps ``learner.step(x, t)`` (activate + propagate, rate 0.1)
online_timing      Synaptic's timing task, ``LSTM(2, 7, 1)``, a stream of 4,000 steps; a call is
                   one epoch ``train(stream, iterations=1, rate=0.03)``, the state carried on
online_dsr         Synaptic's DSR test: ``LSTM(6, 3, 2)``, ``Trainer.dsr`` (targets [2, 4],
                   distractors [3, 5], prompts [0, 1], length 9, rate 0.17); a call is one run
                   until a block of 1,000 sequences is 95% right
online_dsr_stream  ``LSTM(6, 7, 2)`` (the benchmark's DSR network for Synaptic) on one stream of
                   DSR sequences; a call is a block of 450 steps of activate + propagate (0.17)
=================  ==========================================================================
"""

from __future__ import annotations

import math
import time

import numpy as np

RULE = "synaptic"          # LSTM-g as Synaptic's propagate computes it (tests/test_synaptic_interchange.py)
DSR = {"targets": [2, 4], "distractors": [3, 5], "prompts": [0, 1], "length": 9}
XOR_ERROR = 0.005
SIN_SAMPLES, SIN_EPOCHS = 800, 5
STREAM_RATE, DSR_RATE, TIMING_RATE = 0.1, 0.17, 0.03
TIMING_STEPS = 4000
DSR_SUCCESS, DSR_ITERATIONS = 0.95, 250_000

# workload -> (kind, what one call is); "solve": time to solve, "steps": time per step
KINDS = {"online_xor": "solve", "online_sin": "steps", "online_lstm": "steps", "online_timing": "steps",
         "online_dsr": "solve", "online_dsr_stream": "steps"}


def _now() -> float:
    return time.perf_counter()


# -- data ------------------------------------------------------------------------------------------
def sin_data(seed: int = 0):
    """Synaptic's SIN set (its test's settings): ``x`` (800, 1) uniform in [0, 2π), ``y = (sin x + 1)/2``."""
    x = np.random.default_rng(seed).random(SIN_SAMPLES) * 2 * math.pi
    return x[:, None], ((np.sin(x) + 1) / 2)[:, None]


def binary_stream(steps: int, n_in: int, n_out: int, seed: int = 0):
    """``steps`` random 0/1 inputs (steps, n_in) and targets (steps, n_out), float64."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, (steps, n_in)).astype(float), rng.integers(0, 2, (steps, n_out)).astype(float)


def dsr_stream(steps: int, seed: int = 0):
    """DSR sequences (the settings of ``DSR``) laid end to end as one stream of ``steps`` steps."""
    from axonal.data import discrete_sequence_recall
    n = -(-steps // DSR["length"])
    x, y, _ = discrete_sequence_recall(n, seed=seed, **DSR)
    return (x.reshape(-1, x.shape[-1])[:steps].astype(float), y.reshape(-1, y.shape[-1])[:steps].astype(float))


def timing_data(seed: int = 0):
    """Synaptic's timing stream (:func:`axonal.data.timing_task`), ``TIMING_STEPS`` steps."""
    from axonal.data import timing_task
    x, y = timing_task(1, length=TIMING_STEPS, seed=np.random.default_rng(seed))
    return x[0].astype(float), y[0].astype(float)


# -- the networks (the same seed gives axonal and Synaptic the same weights) ------------------------
def network(workload: str, seed: int = 0):
    from axonal.synaptic.architect import LSTM, Perceptron
    sizes = {"online_xor": (2, 3, 1), "online_sin": (1, 12, 1), "online_lstm": (6, 4, 6),
             "online_timing": (2, 7, 1), "online_dsr": (6, 3, 2), "online_dsr_stream": (6, 7, 2)}[workload]
    if workload in ("online_xor", "online_sin"):
        return Perceptron(*sizes, dtype="float64", seed=seed)
    return LSTM(*sizes, dtype="float64", seed=seed)


def stream_data(workload: str, steps: int):
    if workload == "online_lstm":
        return binary_stream(steps, 6, 6)
    if workload == "online_dsr_stream":
        return dsr_stream(steps)
    if workload == "online_timing":
        return timing_data()
    raise ValueError(workload)


# -- axonal: the calls -------------------------------------------------------------------------------
class AxonalTask:
    """``call(i)`` runs call ``i`` (0: the first, cold); ``activate(i)`` a block of activations only."""

    def __init__(self, workload: str, params: dict):
        from axonal.synaptic import Trainer  # imported before any call: import time is not a call's
        self.Trainer = Trainer
        self.workload, self.params = workload, params
        self.kind = KINDS[workload]
        self.calls = int(params.get("calls", 1))
        seeds = list(range(int(params.get("seeds", 1))))
        self.seeds = [seeds[0]] + seeds           # the cold run, then every seed once warm
        if self.kind == "solve":
            self.calls = len(self.seeds)
        self.block = int(params.get("block", 0))
        if workload in ("online_lstm", "online_dsr_stream"):
            self.x, self.y = stream_data(workload, self.block * self.calls)
        elif workload == "online_timing":
            self.x, self.y = timing_data()
        elif workload == "online_sin":
            self.x, self.y = sin_data()
        self.net = self.learner = self.trainer = None

    def call(self, i: int) -> dict:
        w = self.workload
        if w == "online_xor":      # the Trainer's default rule, then Synaptic's (rule_*: the same seed)
            seed = self.seeds[i]
            t0 = _now()
            r = self.Trainer(network(w, seed)).xor(seed=seed)
            t1 = _now()
            q = self.Trainer(network(w, seed), rule=RULE).xor(seed=seed)
            return {"seconds": t1 - t0, "seed": seed, "epochs": r.iterations, "error": r.error,
                    "solved": r.error <= XOR_ERROR, "rule_seconds": _now() - t1, "rule_epochs": q.iterations,
                    "rule_solved": q.error <= XOR_ERROR}
        if w == "online_dsr":
            seed = self.seeds[i]
            t0 = _now()
            r = self.Trainer(network(w, seed), rule=RULE).dsr(**DSR, rate=DSR_RATE, iterations=DSR_ITERATIONS,
                                                               success=DSR_SUCCESS, seed=seed)
            return {"seconds": _now() - t0, "seed": seed, "sequences": r.iterations, "success": r.success,
                    "solved": r.success >= DSR_SUCCESS}
        t0 = _now()
        if w in ("online_sin", "online_timing"):
            if i == 0:
                self.trainer = self.Trainer(network(w), rule=RULE)
            if w == "online_sin":
                r = self.trainer.train((self.x, self.y), iterations=SIN_EPOCHS, error=0, cost="mse")
                steps = SIN_EPOCHS * len(self.x)
            else:
                r = self.trainer.train((self.x, self.y), rate=TIMING_RATE, iterations=1, error=0, cost="mse")
                steps = len(self.x)
            return {"seconds": _now() - t0, "steps": steps, "error": r.error}
        if i == 0:
            self.net = network(w)
            self.learner = self.net.online(DSR_RATE if w == "online_dsr_stream" else STREAM_RATE, rule=RULE)
        step, x, y = self.learner.step, self.x, self.y
        for t in range(i * self.block, (i + 1) * self.block):
            step(x[t], y[t])
        return {"seconds": _now() - t0, "steps": self.block}

    def activate(self, i: int, trained: bool = False) -> dict:
        """A block of ``GraphNetwork.activate`` calls (no learning) on the stream's inputs: through the
        online learner (its traces kept, as Synaptic's ``activate`` keeps them), or ``trained``, on a copy
        of the network without a learner (a trained network's outputs, no traces)."""
        if i == 0 and not trained:
            self.net.reset_state()
        if trained and i == 0:
            self.frozen = self.net.copy()
            self.frozen.set_step_state(self.net.get_step_state())
        activate, x = (self.frozen if trained else self.net).activate, self.x
        t0 = _now()
        for t in range(i * self.block, (i + 1) * self.block):
            activate(x[t])
        return {"seconds": _now() - t0, "steps": self.block}


# -- Synaptic: the same task, as a spec for node ----------------------------------------------------
def synaptic_spec(workload: str, params: dict) -> dict:
    """The node job (bench/peers/synaptic.js ``online``) running ``workload`` as :class:`AxonalTask` does."""
    from axonal.synaptic import to_json
    kind = KINDS[workload]
    spec = {"job": "online", "task": workload, "kind": kind, "calls": int(params.get("calls", 1)),
            "block": int(params.get("block", 0)), "activate_blocks": int(params.get("activate_blocks", 0)),
            "check": int(params.get("check", 0))}
    if kind == "solve":
        seeds = list(range(int(params.get("seeds", 1))))
        spec["runs"] = [{"seed": s, "net": to_json(network(workload, s))} for s in [seeds[0]] + seeds]
        spec["calls"] = len(spec["runs"])
        if workload == "online_xor":
            spec["options"] = {}                      # Trainer.XOR's defaults
            spec["error"] = XOR_ERROR
        else:
            spec["options"] = {**DSR, "rate": DSR_RATE, "iterations": DSR_ITERATIONS, "success": DSR_SUCCESS}
            spec["success"] = DSR_SUCCESS
        return spec
    spec["net"] = to_json(network(workload))
    if workload == "online_sin":
        x, y = sin_data()
        spec.update(options={"iterations": SIN_EPOCHS}, steps_per_call=SIN_EPOCHS * len(x))
    elif workload == "online_timing":
        x, y = timing_data()
        spec.update(options={"iterations": 1, "rate": TIMING_RATE}, steps_per_call=len(x))
    else:
        x, y = stream_data(workload, spec["block"] * spec["calls"])
        spec["rate"] = DSR_RATE if workload == "online_dsr_stream" else STREAM_RATE
    spec["inputs"], spec["targets"] = x.tolist(), y.tolist()
    return spec


# -- agreement: the same network and data give the same outputs on both sides ------------------------
def check_inputs(workload: str, steps: int):
    """``(network, x, y, rate)`` for the first ``steps`` steps of ``workload``'s data: ``y`` and ``rate`` are
    None where the check is the untrained network's outputs (feed-forward and time-to-solve tasks)."""
    if workload == "online_xor":
        return network(workload), np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float), None, None
    if workload == "online_sin":
        return network(workload), sin_data()[0][:steps], None, None
    if workload == "online_dsr":
        return network(workload), dsr_stream(steps)[0], None, None
    x, y = stream_data(workload, steps)
    rate = {"online_lstm": STREAM_RATE, "online_dsr_stream": DSR_RATE, "online_timing": TIMING_RATE}[workload]
    return network(workload), x[:steps], y[:steps], rate


def axonal_outputs(workload: str, steps: int) -> np.ndarray:
    """axonal's outputs on :func:`check_inputs`: step by step with LSTM-g learning when there is a target."""
    net, x, y, rate = check_inputs(workload, steps)
    if y is None:
        return np.stack([net.activate(v) for v in x])
    learner = net.online(rate, rule=RULE)
    return np.stack([learner.step(v, t) for v, t in zip(x, y)])


def synaptic_outputs_spec(workload: str, steps: int) -> dict:
    """The node job giving Synaptic's outputs on :func:`check_inputs` (activate, then propagate if a target)."""
    from axonal.synaptic import to_json
    net, x, y, rate = check_inputs(workload, steps)
    return {"job": "outputs", "net": to_json(net), "inputs": x.tolist(),
            "targets": None if y is None else y.tolist(), "rate": rate}
