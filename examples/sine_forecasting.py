"""Many-step forecasting: a recurrent network continues sine waves it has never seen.

A recurrent network reads a time series one step at a time; its self-connections
keep a summary of what it has read (here: the wave's frequency, phase and
amplitude) in its state. Trained to predict what comes next, it can forecast
far ahead by being fed its own predictions as if they were the next
observations: a *closed loop*, with no true values after the warm-up.

Data: ``axonal.data.sine_wave`` — waves ``sin(2π f t + φ)`` with a random frequency
per wave (periods of 10 to 50 steps) and a random phase. The network
``LSTM(32, return_sequences=True)`` and ``Dense(10)`` predicts, at every step, the
next 10 values (``horizon=10``); the loss is the mean squared error over all
steps and all 10 values.

Forecasting: a *stateful* copy of the trained network (``stateful=True``: each
call continues from the state the last one left, as Synaptic's ``activate`` does)
reads 50 true values of a fresh wave, then the loop runs for 50 more steps with
no true values at all. Two ways to close it:

* ten at a time: the 10 values predicted at the last step are fed back as the
  next 10 inputs; then the next 10 are predicted, and so on (5 rounds);
* one at a time: only the next value is fed back (50 rounds).

Every fed-back value carries a small error, and the network's next prediction is
built on it: errors compound with the number of rounds, which is why feeding ten
values at a time, each predicted straight from the state, goes further than
feeding one. Two habits help the loop too: a little noise on the training
inputs (standard deviation 0.05) teaches the network to lean on its memory of
the wave more than on the last value read, and a cosine learning-rate schedule
settles the weights finely at the end. The script also checks that the stateful
forecast equals the slow way of re-reading the whole history at every round.

The forecast error is the mean squared error over the 50 forecast steps of 200
fresh waves; predicting 0 (the waves' mean) would score about 0.5. If matplotlib
is installed, a plot of three waves and their forecasts is written to the path
given on the command line (default ``sine_forecast.png`` in the current directory).

Run it with ``python3 examples/sine_forecasting.py [PLOT.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from axonal import LSTM, Adam, Dense, Sequential
from axonal.data import sine_wave
from axonal.plotting import matplotlib_available

TRAIN_WAVES = 1000
TRAIN_LENGTH = 100
HORIZON = 10
INPUT_NOISE = 0.05
UNITS = 32
EPOCHS = 15
LEARNING_RATE = 0.01
TEST_WAVES = 200
WARM_UP = 50
FORECAST = 50
DEFAULT_SEED = 0
DEFAULT_PLOT = "sine_forecast.png"


def build(seed: int = DEFAULT_SEED, units: int = UNITS, horizon: int = HORIZON) -> Sequential:
    """The wave so far → LSTM → the next ``horizon`` values, at every step."""
    return Sequential([LSTM(units, return_sequences=True), Dense(horizon)], input_dim=1, seed=seed)


def forecast(net: Sequential, warm_up: np.ndarray, steps: int, chunk: int) -> np.ndarray:
    """Read ``warm_up`` (waves, time, 1), then predict ``steps`` values per wave in a closed
    loop, feeding back ``chunk`` predicted values per round. Returns (waves, steps)."""
    stepper = net.stateful_copy()
    ahead = stepper.predict(warm_up)[:, -1]           # the next HORIZON values after the warm-up
    pieces, done = [], 0
    while done < steps:
        fed = ahead[:, :chunk]
        pieces.append(fed)
        done += chunk
        ahead = stepper.predict(fed[:, :, None])[:, -1]  # one call: `chunk` more steps of the state
    return np.concatenate(pieces, axis=1)[:, :steps]


def forecast_by_rereading(net: Sequential, warm_up: np.ndarray, steps: int, chunk: int) -> np.ndarray:
    """The same closed loop without state: re-read the whole history every round (slower)."""
    history = warm_up
    while history.shape[1] < warm_up.shape[1] + steps:
        fed = net.predict(history)[:, -1, :chunk]
        history = np.concatenate([history, fed[:, :, None]], axis=1)
    return history[:, warm_up.shape[1]:warm_up.shape[1] + steps, 0]


def main(seed: int = DEFAULT_SEED, plot_path: str | os.PathLike | None = DEFAULT_PLOT,
         epochs: int = EPOCHS, train_waves: int = TRAIN_WAVES) -> dict:
    """Train, forecast 50 steps of fresh waves in a closed loop, plot; return what happened."""
    check_plot_path(plot_path)   # before training, not after
    x, y = sine_wave(train_waves, length=TRAIN_LENGTH, horizon=HORIZON, seed=1000 + seed)
    x = x + np.random.default_rng(3000 + seed).normal(0.0, INPUT_NOISE, x.shape).astype(np.float32)
    net = build(seed)
    history = net.fit(x, y, loss="mse", optimizer=Adam(LEARNING_RATE, clip_norm=1.0), schedule="cosine",
                      epochs=epochs, batch_size=32, seed=seed, progress=False)

    waves, _ = sine_wave(TEST_WAVES, length=WARM_UP + FORECAST, seed=2000 + seed)
    warm_up, truth = waves[:, :WARM_UP], waves[:, WARM_UP:, 0]
    ten = forecast(net, warm_up, FORECAST, HORIZON)
    one = forecast(net, warm_up, FORECAST, 1)
    reread = forecast_by_rereading(net, warm_up, FORECAST, HORIZON)
    error_ten = ((ten - truth) ** 2).mean(axis=0)        # per forecast step, over the waves
    error_one = ((one - truth) ** 2).mean(axis=0)
    one_step = float(((net.predict(waves)[:, WARM_UP - 1:-1, 0] - truth) ** 2).mean())

    result = {
        "seed": seed,
        "epochs": history.epochs,
        "train_loss": list(history.loss),
        "forecast_steps": FORECAST,
        "forecast_mse": float(error_ten.mean()),
        "forecast_mse_first_10": float(error_ten[:10].mean()),
        "forecast_mse_last_10": float(error_ten[-10:].mean()),
        "forecast_mse_one_at_a_time": float(error_one.mean()),
        "one_step_mse": one_step,
        "zero_forecast_mse": float((truth ** 2).mean()),
        "stateful_vs_rereading": float(np.abs(ten - reread).max()),
        "plot": None,
        "plot_note": None,
    }
    if plot_path is None:
        result["plot_note"] = "no plot asked for"
    elif not matplotlib_available():
        result["plot_note"] = 'matplotlib is not installed (pip install "axonal[plot]"): no plot drawn'
    else:
        result["plot"] = plot(waves[:3, :, 0], ten[:3], one[:3], plot_path)
    return result


def check_plot_path(path) -> None:
    """Fail early, with a clear message, when the plot's directory does not exist."""
    if path is not None:
        directory = os.path.dirname(os.fspath(path)) or "."
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"cannot write the plot {path}: directory {directory} does not exist")


def plot(waves, ten, one, path) -> str:
    """Draw a few waves with their closed-loop forecasts to a PNG; return the path."""
    check_plot_path(path)
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    steps = np.arange(waves.shape[1])
    later = steps[WARM_UP:]
    fig, axes = plt.subplots(len(waves), 1, figsize=(9, 2.4 * len(waves)), sharex=True, squeeze=False)
    for k, ax in enumerate(axes[:, 0]):
        ax.axvspan(0, WARM_UP - 1, color="0.92")
        ax.plot(steps, waves[k], color="black", linewidth=1.2, label="true wave")
        ax.plot(later, ten[k], color="tab:blue", linewidth=1.8, label="forecast, 10 values fed back per round")
        ax.plot(later, one[k], color="tab:orange", linestyle="--", label="forecast, 1 value fed back per round")
        ax.set_ylim(-1.6, 1.6)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="lower left", fontsize=8)
    axes[0, 0].set_title(f"closed-loop forecasts after a warm-up of {WARM_UP} true values (shaded)")
    axes[-1, 0].set_xlabel("step")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return str(path)


def show(result: dict) -> None:
    """Print the outcome of :func:`main`."""
    print(f"Sine waves: LSTM({UNITS}) trained {result['epochs']} epochs to predict the next {HORIZON} values "
          f"(seed {result['seed']}); final training loss {result['train_loss'][-1]:.4f}.")
    print(f"Closed-loop forecast of {result['forecast_steps']} steps after {WARM_UP} true ones, "
          f"{TEST_WAVES} fresh waves (mean squared error):")
    print(f"  {HORIZON} values fed back per round:  {result['forecast_mse']:.4f}   "
          f"(first 10 steps {result['forecast_mse_first_10']:.4f}, "
          f"last 10 steps {result['forecast_mse_last_10']:.4f})")
    print(f"  1 value fed back per round:    {result['forecast_mse_one_at_a_time']:.4f}")
    print(f"  always predicting 0:           {result['zero_forecast_mse']:.4f}")
    print(f"  (one step ahead from true values: {result['one_step_mse']:.6f})")
    print(f"stateful forecast vs re-reading the whole history: largest difference "
          f"{result['stateful_vs_rereading']:.2g}")
    print(f"plot written to {result['plot']}" if result["plot"] else f"plot: {result['plot_note']}")


if __name__ == "__main__":
    try:
        show(main(plot_path=sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PLOT))
    except FileNotFoundError as error:
        sys.exit(f"error: {error}")
