r"""Discrete sequence recall by Synaptic's ``Architect.LSTM``: a graph of gated neurons.

The task is Synaptic's own LSTM test (``test/synaptic.js``): sequences of 9 steps,
one symbol per step; among distractors (3, 5) two targets (2, 4) appear at random
steps, and at the prompts (0, then 1) the network must name the first and the
second target (see ``examples/dsr.py`` for a worked sequence). A sequence counts
as right only when *every* output at *every* step rounds to its target.

Where ``examples/dsr.py`` stacks axonal's vectorised ``LSTM`` layer, this script
builds the network as Synaptic does, neuron layer by neuron layer, with
``axonal.synaptic.architect.LSTM(6, 7, 2)``: 6 inputs (one-hot symbols), one memory block
of 7 cells with input, forget and output gates and peepholes, 2 logistic
outputs. One step (``σ`` the logistic function, ``c`` the cells' activation,
``s`` their state)::

    i(t) = σ(x·W_xi + c(t-1)·P_i + b_i)              input gate
    f(t) = σ(x·W_xf + c(t-1)·P_f + b_f)              forget gate
    s(t) = f(t) ⊙ s(t-1) + i(t) ⊙ (x·W_xc) + b_c     the cell remembers, gated
    c(t) = σ(s(t))
    o(t) = σ(x·W_xo + c(t)·P_o + b_o)                output gate
    y(t) = σ((o(t) ⊙ c(t))·W_cy + x·W_xy + b_y)

Two ways to learn it:

* ``"bptt"`` (the default): backpropagation through time on 1,000 sequences,
  ``fit`` with binary cross-entropy and Adam (rate 0.05, batches of 32), one epoch
  at a time until at least 95 % of 500 fresh sequences are fully right (a couple
  of seconds).
* ``"lstm_g"``: Synaptic's own rule, LSTM-g (Monner and Reggia): online, one time
  step at a time, with eligibility traces instead of an unrolled backward pass
  (``net.online(rate).step(x, target)``); 16 sequences run side by side and the
  state is cleared between them. A smaller network, ``LSTM(6, 3, 2)``, in float64.

Run it with ``python3 examples/dsr_architect.py [bptt|lstm_g]``.
"""

from __future__ import annotations

import sys

import numpy as np

from axonal import Adam
from axonal.data.sequences import discrete_sequence_recall
from axonal.synaptic.architect import LSTM

GOAL = 0.95  #: share of fresh sequences that must be fully right


def fully_right(net, x: np.ndarray, y: np.ndarray) -> float:
    """Share of sequences whose every output at every step rounds to its target."""
    return float(np.all(np.round(net.predict(x)) == y, axis=(1, 2)).mean())


def learn_bptt(x_test, y_test, seed: int, max_epochs: int) -> tuple:
    x, y, _ = discrete_sequence_recall(1000, seed=seed + 1)
    net = LSTM(6, 7, 2, seed=seed)
    optimizer = Adam(0.05)
    scores = [fully_right(net, x_test, y_test)]
    while scores[-1] < GOAL and len(scores) <= max_epochs:
        net.fit(x, y, loss="binary_cross_entropy", optimizer=optimizer, epochs=1, batch_size=32,
                seed=len(scores), progress=False)
        scores.append(fully_right(net, x_test, y_test))
    return net, scores


def learn_lstm_g(x_test, y_test, seed: int, max_blocks: int, streams: int = 16) -> tuple:
    net = LSTM(6, 3, 2, dtype="float64", seed=seed)
    learner = net.online(0.5)
    scores = [fully_right(net, x_test, y_test)]
    while scores[-1] < GOAL and len(scores) <= max_blocks:
        x, y, _ = discrete_sequence_recall(160, seed=seed * 1000 + len(scores))
        for k in range(0, len(x), streams):
            learner.reset()                              # a fresh sequence: clear state and traces
            for t in range(x.shape[1]):
                learner.step(x[k:k + streams, t], y[k:k + streams, t])
        scores.append(fully_right(net, x_test, y_test))
    return net, scores


def main(method: str = "bptt", seed: int = 0, max_epochs: int = 60) -> dict:
    """Train until ``GOAL`` of 500 fresh sequences are fully right (or ``max_epochs`` passes)."""
    x_test, y_test, _ = discrete_sequence_recall(500, seed=12345)
    if method == "bptt":
        net, scores = learn_bptt(x_test, y_test, seed, max_epochs)
    elif method == "lstm_g":
        net, scores = learn_lstm_g(x_test, y_test, seed, max_epochs * 4)
    else:
        raise ValueError(f"method must be 'bptt' or 'lstm_g', got {method!r}")
    example = np.round(net.predict(x_test[:1]))[0]
    return {
        "method": method,
        "network": "architect.LSTM(6, 7, 2)" if method == "bptt" else "architect.LSTM(6, 3, 2), float64",
        "parameters": int(sum(net.parameter_counts().values())),
        "passes": len(scores) - 1,
        "scores": scores,
        "fully_right": scores[-1],
        "solved": scores[-1] >= GOAL,
        "example_symbols": x_test[0].argmax(axis=1).tolist(),
        "example_targets": y_test[0].tolist(),
        "example_outputs": example.tolist(),
    }


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "bptt"
    r = main(method)
    unit = "epochs over 1,000 sequences" if method == "bptt" else "blocks of 160 sequences"
    print(f"{r['network']} ({r['parameters']} weights), learned by {method}")
    print(f"fully right on 500 fresh sequences: {r['fully_right']:.1%} after {r['passes']} {unit} "
          f"({'solved' if r['solved'] else 'NOT solved'}: goal {GOAL:.0%})")
    shown = r["scores"][-20:]
    print(f"   after each of the last {len(shown)} passes: " + " ".join(f"{s:.2f}" for s in shown))
    print("a fresh sequence (symbol, then the two outputs; '-' for both off):")
    for t, (s, target, out) in enumerate(zip(r["example_symbols"], r["example_targets"], r["example_outputs"])):
        said = "-" if not any(out) else ("2" if out[0] else "") + ("4" if out[1] else "")
        wanted = "-" if not any(target) else ("2" if target[0] else "") + ("4" if target[1] else "")
        print(f"  step {t + 1}: symbol {s}   output {said}   (target {wanted})")
