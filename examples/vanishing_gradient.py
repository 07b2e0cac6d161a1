r"""The vanishing gradient: an LSTM learns the adding problem where a simple RNN cannot.

The articles' recurrent neurons have self-connections, a short-term memory, but
"can't remember relevant information for many steps in the past": the error
that trains them fades as it travels backwards through time. The LSTM's memory
cell fixes this with a *constant error carousel*, a linear self-connection the
error can ride without fading. This script shows both halves of the story on
one task.

The task: the adding problem (``axonal.data.adding_problem``) at length 50. Each
sequence holds 50 random values in [0, 1) and a second input marking two of
them, one in each half; at the last step the network must output the sum of the
two marked values. The first marked value lies 25 to 49 steps before the answer.
Always answering 1 (the mean sum) gives a mean squared error of 1/6 ≈ 0.167.

The networks: ``SimpleRNN(32)`` and ``LSTM(32)``, each with a ``Dense(1)`` on the
last step, the same data, optimizer (Adam, rate 0.005, gradients clipped to norm
1), batch size and number of epochs.

Why the simple RNN fails. Its units compute ``h_t = tanh(a_t)``, ``a_t = x_t·W +
h_{t-1}·U + b``. Backpropagation through time sends the error at step t one step
back as::

    δh_{t-1} = (δh_t ⊙ f'(a_t))·Uᵀ

so the error reaching step k from the answer at step T is multiplied by
``f'(a_t)`` and ``Uᵀ`` once for every step between: ``T - k`` factors. With
``|f'| ≤ 1`` (tanh) and recurrent weights that keep the state bounded, that
repeated product shrinks geometrically (a factor of 0.8 per step leaves 0.004
after 25 steps; a product that grows instead makes the error explode, which is
what gradient clipping guards against). The weight changes that would teach the
network to store the first marked value get a tiny share of the gradient, and
those driven by recent steps dominate: the network never learns to look back
that far, and its error stays near 1/6.

Why the LSTM succeeds. Its memory cell is updated by ``c_t = f ⊙ c_{t-1} + i ⊙ g``:
a *linear* self-connection whose weight is the forget gate ``f``, with no
squashing derivative on the way. Backwards::

    δc_{t-1} = δc_t ⊙ f

When the forget gate is open (``f ≈ 1``), the error crosses any number of steps
intact: the constant error carousel (in the original LSTM its weight was exactly
1). The input gate decides when to write the marked value into the cell, the
output gate when to read it out. At the start the LSTM is no better off (its
forget gates start near σ(1) ≈ 0.73, and 0.73²⁵ is tiny too); but the forget
gate is itself learned, and the script watches it: in the epoch where the test
error collapses, one cell's forget gate opens to about 0.98 (0.98²⁵ ≈ 0.6), and
from then on the LSTM's answer responds to an input in the first half of the
sequence more than half as strongly as to the last input, the simple RNN's
still only a few per cent as strongly.

It prints the test error of both networks after every epoch, the most open
forget gate of the LSTM, and how strongly each network's answer responds to an
input in the first half (``|∂ŷ/∂x_t|``, relative to the last step) before and after
training. If matplotlib is installed it draws the two test-error curves and the
response per step to a PNG at the path given on the command line (default
``vanishing_gradient.png`` in the current directory).

Run it with ``python3 examples/vanishing_gradient.py [PLOT.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential, SimpleRNN
from axonal.callbacks import Every
from axonal.data import adding_problem
from axonal.plotting import matplotlib_available

LENGTH = 50
TRAIN_SEQUENCES = 10_000
TEST_SEQUENCES = 1000
UNITS = 32
EPOCHS = 6
BATCH_SIZE = 64
LEARNING_RATE = 0.005
CLIP_NORM = 1.0
PROBE_SEQUENCES = 200
DEFAULT_SEED = 0
DEFAULT_PLOT = "vanishing_gradient.png"
CELLS = {"LSTM": LSTM, "SimpleRNN": SimpleRNN}


def build(cell: str, seed: int = DEFAULT_SEED, units: int = UNITS) -> Sequential:
    """(values, markers) per step → ``cell`` (last step only) → the sum."""
    return Sequential([CELLS[cell](units), Dense(1)], input_dim=2, seed=seed)


def response_per_step(net: Sequential, x: np.ndarray) -> np.ndarray:
    """``|∂ŷ/∂x_t|`` for every step t (summed over the two inputs, averaged over the
    sequences), divided by its value at the last step: how far back the answer looks."""
    probe = net.copy()
    probe.input_grad_needed = True
    out = probe.forward(x, training=True)
    grad_x = probe.backward(np.ones_like(out))
    response = np.abs(grad_x).sum(axis=-1).mean(axis=0)
    return response / response[-1]


def forget_gates(lstm: LSTM, x: np.ndarray) -> np.ndarray:
    """The mean forget-gate activation of each unit over the steps of ``x`` (units,).

    Runs the layer one step at a time from its documented parts: the state it
    leaves in ``final_state`` and the gate layout ``[i | f | g | o]`` of its weights.
    """
    n = lstm.units
    kernel, recurrent, bias = (lstm.params[k][:, n:2 * n] if k != "bias" else lstm.params[k][n:2 * n]
                               for k in ("kernel", "recurrent_kernel", "bias"))
    state = None
    total = np.zeros(n)
    for t in range(x.shape[1]):
        h_prev = np.zeros((len(x), n), np.float32) if state is None else state[0]
        a_f = x[:, t] @ kernel + h_prev @ recurrent + bias
        if lstm.peepholes:
            c_prev = np.zeros_like(h_prev) if state is None else state[1]
            a_f = a_f + c_prev * lstm.params["peephole_f"]
        total += (1.0 / (1.0 + np.exp(-a_f))).mean(axis=0)
        lstm.forward(x[:, t:t + 1], initial_state=state)   # inference: leaves the new state in final_state
        state = lstm.final_state
    return total / x.shape[1]


def train(cell: str, x, y, x_test, y_test, seed: int, epochs: int) -> dict:
    """Train one network; record its test error and (for the LSTM) forget gates per epoch."""
    net = build(cell, seed)
    probe = x_test[:PROBE_SEQUENCES]
    before = response_per_step(net, probe)
    test_mse = [float(((net.predict(x_test) - y_test) ** 2).mean())]   # epoch 0: untrained
    gates = []

    def watch(info):
        if cell == "LSTM":
            gates.append(float(forget_gates(net.layers[0], probe).max()))

    history = net.fit(x, y, loss="mse", optimizer=Adam(LEARNING_RATE, clip_norm=CLIP_NORM), epochs=epochs,
                      batch_size=BATCH_SIZE, seed=seed, progress=False, validation_data=(x_test, y_test),
                      callbacks=[Every(1, watch)])
    test_mse += list(history.val_loss)
    after = response_per_step(net, probe)
    half = LENGTH // 2
    return {
        "test_mse_per_epoch": test_mse,
        "test_mse": test_mse[-1],
        "train_loss": list(history.loss),
        "most_open_forget_gate": gates,
        "response_before": before.tolist(),
        "response_after": after.tolist(),
        "first_half_response_before": float(before[:half].mean()),
        "first_half_response_after": float(after[:half].mean()),
    }


def main(seed: int = DEFAULT_SEED, plot_path: str | os.PathLike | None = DEFAULT_PLOT,
         epochs: int = EPOCHS, train_sequences: int = TRAIN_SEQUENCES) -> dict:
    """Train an LSTM and a SimpleRNN on the adding problem; return what happened."""
    check_plot_path(plot_path)   # before training, not after
    x, y, _ = adding_problem(train_sequences, length=LENGTH, seed=1000 + seed)
    x_test, y_test, _ = adding_problem(TEST_SEQUENCES, length=LENGTH, seed=2000 + seed)
    y, y_test = y[:, -1], y_test[:, -1]      # the answer is scored at the last step only
    result = {"seed": seed, "epochs": epochs, "length": LENGTH, "always_one_mse": 1 / 6,
              "LSTM": train("LSTM", x, y, x_test, y_test, seed, epochs),
              "SimpleRNN": train("SimpleRNN", x, y, x_test, y_test, seed, epochs),
              "plot": None, "plot_note": None}
    if plot_path is None:
        result["plot_note"] = "no plot asked for"
    elif not matplotlib_available():
        result["plot_note"] = 'matplotlib is not installed (pip install "axonal[plot]"): no plot drawn'
    else:
        result["plot"] = plot(result, plot_path)
    return result


def check_plot_path(path) -> None:
    """Fail early, with a clear message, when the plot's directory does not exist."""
    if path is not None:
        directory = os.path.dirname(os.fspath(path)) or "."
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"cannot write the plot {path}: directory {directory} does not exist")


def plot(result: dict, path) -> str:
    """Test error per epoch and response per step of both networks, to a PNG; return the path."""
    check_plot_path(path)
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    colors = {"LSTM": "tab:blue", "SimpleRNN": "tab:red"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    for cell in CELLS:
        mse = result[cell]["test_mse_per_epoch"]
        left.plot(range(len(mse)), mse, marker="o", color=colors[cell], label=f"{cell}({UNITS})")
        right.plot(result[cell]["response_after"], color=colors[cell], label=f"{cell}, trained")
        right.plot(result[cell]["response_before"], color=colors[cell], linestyle=":", label=f"{cell}, untrained")
    left.axhline(result["always_one_mse"], color="grey", linestyle="--", label="always answering 1")
    left.axhline(0.01, color="grey", linestyle=":", label="solved (0.01)")
    left.set_yscale("log")
    left.set_xlabel("epoch")
    left.set_ylabel("test mean squared error")
    left.set_title(f"the adding problem, length {result['length']}")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    right.set_yscale("log")
    right.axvspan(0, result["length"] // 2 - 1, color="0.93")
    right.set_xlabel("input step t (first marked value in the shaded half)")
    right.set_ylabel("|∂ŷ/∂x_t|, relative to the last step")
    right.set_title("how far back the answer looks")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return str(path)


def show(result: dict) -> None:
    """Print the outcome of :func:`main`."""
    lstm, rnn = result["LSTM"], result["SimpleRNN"]
    print(f"The adding problem at length {result['length']}: LSTM({UNITS}) against SimpleRNN({UNITS}), "
          f"same data and training (seed {result['seed']}).")
    print(f"test MSE per epoch (always answering 1 scores {result['always_one_mse']:.3f}; solved is < 0.01):")
    print("  epoch      LSTM   SimpleRNN   LSTM's most open forget gate")
    gates = [None] + lstm["most_open_forget_gate"]
    for epoch, (a, b) in enumerate(zip(lstm["test_mse_per_epoch"], rnn["test_mse_per_epoch"])):
        gate = f"{gates[epoch]:.3f}" if epoch < len(gates) and gates[epoch] is not None else "  -"
        print(f"  {epoch:5d}  {a:8.4f}  {b:10.4f}   {gate}")
    print(f"final test MSE: LSTM {lstm['test_mse']:.4f}, SimpleRNN {rnn['test_mse']:.4f}")
    print("how strongly the answer responds to an input in the first half, relative to the last input:")
    for cell in CELLS:
        print(f"  {cell:9s}  untrained {result[cell]['first_half_response_before']:.2g}, "
              f"trained {result[cell]['first_half_response_after']:.2g}")
    print(f"plot written to {result['plot']}" if result["plot"] else f"plot: {result['plot_note']}")


if __name__ == "__main__":
    try:
        show(main(plot_path=sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PLOT))
    except FileNotFoundError as error:
        sys.exit(f"error: {error}")
