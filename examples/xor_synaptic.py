r"""XOR the Synaptic way: ``Architect.Perceptron(2, 3, 1)`` trained by ``Trainer``, then exported.

The same problem as ``examples/xor.py`` -- no single neuron separates XOR's ones
from its zeros, one hidden layer does -- written as Synaptic (the JavaScript
library the articles build on) writes it::

    var net = new Architect.Perceptron(2, 3, 1);
    new Trainer(net).XOR();

``axonal.synaptic.architect.Perceptron(2, 3, 1)`` draws the graph ``input (2) → hidden_1
(3) → output (1)`` with logistic neurons, each computing ``y = σ(Σ w·x + b)``.
``axonal.synaptic.Trainer`` takes Synaptic's training set (a list of
``{"input": [...], "output": [...]}``) and options, and trains *online*: one
sample at a time, a gradient step after each, in a new random order every epoch
(``shuffle``)::

    for each sample (x, t):   w ← w - η·∂E/∂w,   E = (y - t)²    (mean squared error)

until an epoch's mean error is at most ``error`` (0.005, Synaptic's default) or
``iterations`` epochs have passed. Gradient descent can stall in a local minimum
(one output stuck near 2/3, for some random starts); the default seed is one
that converges in well under a thousand epochs.

The trained network then leaves axonal two ways, as in Synaptic's
``standalone()``: ``axonal.export.to_python`` writes a module that needs only
the standard library, and ``axonal.export.to_svg`` draws the graph (``axonal
plot MODEL`` does the same for a saved model file).

Run it with ``python3 examples/xor_synaptic.py [seed] [folder]``; given a folder,
it also writes ``xor.py`` (standalone) and ``xor.svg`` there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from axonal.export import to_python, to_svg
from axonal.synaptic import Trainer
from axonal.synaptic.architect import Perceptron

#: Synaptic's XOR training set, in Synaptic's format
TRAINING_SET = [
    {"input": [0, 0], "output": [0]},
    {"input": [0, 1], "output": [1]},
    {"input": [1, 0], "output": [1]},
    {"input": [1, 1], "output": [0]},
]
RATE = 1.0
ITERATIONS = 20_000
ERROR = 0.005
DEFAULT_SEED = 3


def main(seed: int = DEFAULT_SEED, rate: float = RATE, iterations: int = ITERATIONS,
         error: float = ERROR, folder: str | None = None) -> dict:
    """Train ``Perceptron(2, 3, 1)`` on XOR with Synaptic's Trainer; export it."""
    net = Perceptron(2, 3, 1, seed=seed)
    result = Trainer(net).train(TRAINING_SET, rate=rate, iterations=iterations, error=error,
                                shuffle=True, cost="mse", seed=seed)
    inputs = np.array([s["input"] for s in TRAINING_SET], dtype=np.float32)
    outputs = net.predict(inputs)[:, 0]

    source = to_python(net)                    # standalone: only the standard library
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the module just generated from our own network
    standalone = [namespace["predict"](list(map(float, x)))[0] for x in inputs]
    svg = to_svg(net)
    if folder is not None:
        Path(folder, "xor.py").write_text(source)
        Path(folder, "xor.svg").write_text(svg)
    return {
        "seed": seed,
        "iterations": result.iterations,
        "error": result.error,
        "converged": result.stop_reason == "error",
        "inputs": inputs.astype(int).tolist(),
        "targets": [s["output"][0] for s in TRAINING_SET],
        "outputs": [float(v) for v in outputs],
        "standalone_outputs": standalone,
        "standalone_lines": source.count("\n"),
        "svg_bytes": len(svg),
    }


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
    folder = sys.argv[2] if len(sys.argv) > 2 else None
    r = main(seed, folder=folder)
    status = "converged" if r["converged"] else "did NOT converge"
    print(f"Perceptron(2, 3, 1), Trainer.train(online, shuffled, MSE, rate {RATE}), seed {seed}: "
          f"{status} after {r['iterations']} epochs, error {r['error']:.5f}")
    for x, t, y, s in zip(r["inputs"], r["targets"], r["outputs"], r["standalone_outputs"]):
        print(f"  {x[0]} XOR {x[1]} -> {y:.4f}  (target {t}; standalone module: {s:.4f})")
    print(f"standalone module: {r['standalone_lines']} lines of plain Python; SVG diagram: {r['svg_bytes']} bytes")
    if folder is not None:
        print(f"wrote {Path(folder, 'xor.py')} and {Path(folder, 'xor.svg')}")
