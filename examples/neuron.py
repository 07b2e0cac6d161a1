r"""One neuron: a weighted sum, a bias and an activation -- by hand, in axonal, then trained.

The first article ("Neural networks 101") describes the artificial neuron ``j``:
it weighs each input ``y_i`` by the weight ``w_ij`` of its connection, adds a
bias (an input that is always 1, with its own weight ``b_j``) and passes the sum,
its *state*, through an activation function::

    s_j = Σ_i w_ij·y_i + b_j              state: the weighted sum, bias included
    y_j = f(s_j) = 1 / (1 + e^(-s_j))     activation: here the logistic sigmoid

Part 1 computes a neuron with three inputs by hand, in plain Python, and
checks that axonal's ``Dense(1, "logistic")`` gives the same number (a ``Dense``
layer is a row of such neurons, ``z = x·W + b``).

Part 2 makes that neuron *learn*. A single logistic neuron is a linear
classifier: it answers 1 where ``s > 0``, on one side of the line
``w_1·x_1 + w_2·x_2 + b = 0``. AND and OR are linearly separable, so one neuron
learns each of them; XOR is not, so no setting of its three numbers gets all
four cases right (which is why the XOR example needs a hidden layer). Training
minimises the binary cross-entropy ``E = -mean(t·ln y + (1 - t)·ln(1 - y))`` by
gradient descent; for a logistic neuron its gradient is the delta rule::

    ∂E/∂w_i = mean((y - t)·x_i),   ∂E/∂b = mean(y - t),   w ← w - η·∂E/∂w

Run it with ``python3 examples/neuron.py``.
"""

from __future__ import annotations

import math

import numpy as np

from axonal import SGD, Dense, Sequential

#: the neuron of part 1: three inputs, their weights and the bias weight
INPUTS = (1.0, 0.5, -2.0)
WEIGHTS = (0.8, -0.4, 0.3)
BIAS = 0.1

#: the four cases of a two-input truth table, and the functions part 2 teaches
CASES = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
FUNCTIONS = {
    "AND": np.array([[0], [0], [0], [1]], dtype=np.float64),
    "OR": np.array([[0], [1], [1], [1]], dtype=np.float64),
    "XOR": np.array([[0], [1], [1], [0]], dtype=np.float64),
}
LEARNING_RATE = 2.0
EPOCHS = 2000


def by_hand(inputs=INPUTS, weights=WEIGHTS, bias=BIAS) -> tuple[float, float]:
    """The neuron in plain Python: its state ``s = Σ w_i·y_i + b`` and output ``f(s)``."""
    state = sum(w * y for w, y in zip(weights, inputs)) + bias
    return state, 1.0 / (1.0 + math.exp(-state))


def neuron(inputs: int, weights=None, bias=None, seed: int = 0) -> Sequential:
    """One logistic neuron as an axonal network; ``weights``/``bias`` set it, else random."""
    net = Sequential([Dense(1, "logistic", input_dim=inputs)], dtype="float64", seed=seed)
    if weights is not None:
        net.set_weights({"layers.0.weight": np.array(weights, dtype=np.float64).reshape(inputs, 1),
                         "layers.0.bias": np.array([bias], dtype=np.float64)})
    return net


def train(targets: np.ndarray, seed: int = 0, learning_rate: float = LEARNING_RATE,
          epochs: int = EPOCHS) -> dict:
    """Teach one neuron the truth table ``targets``; return its outputs and weights."""
    net = neuron(2, seed=seed)
    history = net.fit(CASES, targets, loss="binary_cross_entropy", optimizer=SGD(learning_rate=learning_rate),
                      epochs=epochs, batch_size=None, shuffle=False, progress=False,
                      diagnostics=False)  # XOR's flat loss is this example's lesson, not a fault to report
    outputs = net.predict(CASES)[:, 0]
    params = net.parameters()
    return {
        "outputs": [float(v) for v in outputs],
        "correct": int(np.sum(np.round(outputs) == targets[:, 0])),
        "mse": float(np.mean((outputs - targets[:, 0]) ** 2)),
        "cross_entropy": float(history[-1]),
        "weights": [float(v) for v in params["layers.0.weight"][:, 0]],
        "bias": float(params["layers.0.bias"][0]),
    }


def main(seed: int = 0) -> dict:
    """Part 1: hand vs axonal; part 2: one neuron trained on AND, OR and XOR."""
    state, output = by_hand()
    net = neuron(len(INPUTS), WEIGHTS, BIAS)
    axonal_output = float(net.predict(np.array([INPUTS]))[0, 0])
    return {
        "inputs": INPUTS, "weights": WEIGHTS, "bias": BIAS,
        "hand_state": state,
        "hand_output": output,
        "axonal_output": axonal_output,
        "trained": {name: train(targets, seed) for name, targets in FUNCTIONS.items()},
    }


if __name__ == "__main__":
    r = main()
    terms = " + ".join(f"{w}·{y}" for w, y in zip(r["weights"], r["inputs"]))
    print("1. one neuron by hand and in axonal")
    print(f"   state  s = {terms} + {r['bias']} = {r['hand_state']:.4f}")
    print(f"   output y = 1/(1 + e^-s) = {r['hand_output']:.8f}   (by hand)")
    print(f"                            {r['axonal_output']:.8f}   (axonal Dense(1, 'logistic'))")
    print(f"2. one logistic neuron trained for {EPOCHS} epochs (cross-entropy, full-batch SGD, η = {LEARNING_RATE})")
    for name, t in r["trained"].items():
        outs = "  ".join(f"{v:.3f}" for v in t["outputs"])
        w = ", ".join(f"{v:+.2f}" for v in t["weights"])
        print(f"   {name:3s}: outputs for 00 01 10 11 = {outs}   {t['correct']}/4 right   "
              f"w = [{w}], b = {t['bias']:+.2f}")
    print("   AND and OR are linearly separable; XOR is not, so one neuron cannot get all four right.")
