"""XOR with a 2-3-1 sigmoid network: full-batch gradient descent (axonal, PyTorch) and Synaptic.

* ``steps``: training epochs per second over a fixed number of epochs (no stopping).
  For axonal and PyTorch an epoch is one full-batch SGD step on the four samples;
  Synaptic trains online, so its epoch is four one-sample updates.
* ``solve``: wall time until the epoch's mean squared error is below 0.005, for each
  of several seeds (each seed gives every library the same Glorot-uniform initial
  weights); the median over seeds counts an unsolved seed as infinitely slow.

axonal and PyTorch: MSE loss, SGD with rate 2.0. Synaptic: ``Trainer.train(set, {rate,
iterations, error: 0.005})`` with its own online rule (rate in the spec below).
"""

from __future__ import annotations

from .. import data
from . import median, timed

RATE = 2.0
SYNAPTIC_RATE = 0.5  # the fastest median of 0.2 (its default), 0.5, 1 and 2 in a trial
ERROR = 0.005
SIZES = (2, 3, 1)


def steps(library: str, params: dict) -> dict:
    epochs = int(params.get("epochs", 5000))
    init = data.glorot_uniform_weights(SIZES, seed=0)
    if library == "synaptic":
        from ..peers.synaptic import run_node, weights_to_lists
        r = run_node({"job": "xor_steps", "weights": weights_to_lists(init), "rate": SYNAPTIC_RATE,
                      "epochs": epochs})
        return {"epochs": r["epochs"], "seconds": r["seconds"], "steps_per_s": r["steps_per_s"]}
    train = {"axonal": _axonal, "torch": _torch}[library]
    train(init, 200, None)  # warm-up
    seconds, _ = timed(train, init, epochs, None)
    return {"epochs": epochs, "seconds": seconds, "steps_per_s": epochs / seconds}


def solve(library: str, params: dict) -> dict:
    seeds = range(int(params.get("seeds", 20)))
    max_epochs = int(params.get("max_epochs", 20000))
    inits = [data.glorot_uniform_weights(SIZES, seed=1000 + s) for s in seeds]
    if library == "synaptic":
        from ..peers.synaptic import run_node, weights_to_lists
        r = run_node({"job": "xor_solve", "rate": SYNAPTIC_RATE, "error": ERROR, "max_epochs": max_epochs * 5,
                      "runs": [{"seed": s, "weights": weights_to_lists(w)} for s, w in zip(seeds, inits)]})
        runs = r["runs"]
    else:
        train = {"axonal": _axonal, "torch": _torch}[library]
        train(inits[0], 500, ERROR)  # warm-up
        runs = []
        for s, init in zip(seeds, inits):
            seconds, (epochs, mse) = timed(train, init, max_epochs, ERROR)
            runs.append({"seed": s, "seconds": seconds, "epochs": epochs, "solved": mse <= ERROR, "mse": mse})
    times = sorted(r["seconds"] if r["solved"] else float("inf") for r in runs)
    epochs = sorted(r["epochs"] if r["solved"] else float("inf") for r in runs)
    return {"seeds": len(runs), "solved": sum(r["solved"] for r in runs),
            "median_s": median(times), "median_epochs": median(epochs), "runs": runs}


def _axonal(init, epochs, error):
    """``fit`` as in the README's XOR example, full batch; no shuffling (it cannot matter)."""
    from axonal import SGD, Dense, Sequential
    x, y = data.xor()
    net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")])
    net.set_weights(init)
    history = net.fit(x, y, loss="mse", optimizer=SGD(learning_rate=RATE), epochs=epochs, batch_size=None,
                      shuffle=False, error=error, progress=False)
    return len(history), history[-1]


def _torch(init, epochs, error):
    """The plain loop; with a target error it reads the loss every step (``loss.item()``)."""
    import torch
    from torch import nn
    x, y = (torch.from_numpy(a) for a in data.xor())
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid())
    data.load_torch_weights([model[0], model[2]], init)
    opt = torch.optim.SGD(model.parameters(), lr=RATE)
    loss_fn = nn.MSELoss()
    value = float("nan")
    for epoch in range(1, epochs + 1):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if error is not None:
            value = loss.item()
            if value <= error:
                return epoch, value
    return epochs, value if error is not None else loss.item()

