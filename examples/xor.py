"""XOR with a 2-3-1 network of logistic neurons, trained by gradient descent.

XOR is the classic function a single neuron cannot compute: no straight line
separates the inputs that should give 1 ((0, 1) and (1, 0)) from those that
should give 0 ((0, 0) and (1, 1)). One hidden layer fixes that. The articles'
recipe, which this script follows step by step:

1. Start from random weights.
2. Feed every input forward: each neuron computes its state
   ``z = Σ_i w_i·x_i + b`` and fires ``y = 1 / (1 + e^(-z))`` (logistic sigmoid).
3. Measure the error ``E`` -- here the mean squared error over the four cases.
4. Propagate the error backwards (backpropagation) to get ``∂E/∂w`` for every
   weight, and step every weight downhill: ``w ← w - η·∂E/∂w``.
5. Repeat until the error is below a threshold (here 0.005, Synaptic's
   ``error`` option) or the epoch budget runs out.

All four samples form one batch (``batch_size=None``): this is plain, full-batch
gradient descent, one update per epoch.

Run it with ``python3 examples/xor.py [seed]``.
"""

from __future__ import annotations

import sys

import numpy as np

from axonal import SGD, Dense, Sequential

#: the four XOR cases and their targets
INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float32)

#: training settings (shared with the tests, which check many seeds)
LEARNING_RATE = 2.0
ERROR = 0.005
MAX_EPOCHS = 20_000
DEFAULT_SEED = 3


def build(seed: int = DEFAULT_SEED) -> Sequential:
    """2 inputs → 3 hidden logistic neurons → 1 logistic output neuron (13 weights)."""
    return Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], seed=seed)


def main(seed: int = DEFAULT_SEED, learning_rate: float = LEARNING_RATE,
         error: float = ERROR, max_epochs: int = MAX_EPOCHS) -> dict:
    """Train XOR from the random start ``seed``; return what happened."""
    net = build(seed)
    history = net.fit(
        INPUTS, TARGETS,
        loss="mse",                                  # E = mean of (ŷ - t)² over the 4 cases
        optimizer=SGD(learning_rate=learning_rate),  # w ← w - η·∂E/∂w
        epochs=max_epochs,
        batch_size=None,                             # full batch: one update per epoch
        shuffle=False,                               # order is irrelevant for a full batch
        error=error,                                 # stop once an epoch's MSE <= error
    )
    outputs = net.predict(INPUTS)[:, 0]
    return {
        "seed": seed,
        "converged": history.stop_reason == "error",
        "epochs": history.epochs,
        # the error of the trained network (after the last update)
        "mse": net.evaluate(INPUTS, TARGETS, loss="mse"),
        "outputs": [float(v) for v in outputs],
        "targets": [float(v) for v in TARGETS[:, 0]],
    }


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
    result = main(seed)
    status = "converged" if result["converged"] else "did NOT converge"
    print(f"XOR, 2-3-1 logistic network, seed {result['seed']}: {status} "
          f"after {result['epochs']} epochs (full-batch SGD, η = {LEARNING_RATE})")
    print(f"final MSE: {result['mse']:.6f}  (target < {ERROR})")
    for x, y, t in zip(INPUTS.astype(int).tolist(), result["outputs"], result["targets"]):
        print(f"  {x[0]} XOR {x[1]} -> {y:.4f}   (target {t:.0f})")
