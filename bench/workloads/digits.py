"""MLP 64-128-64-10 on the bundled digits: test accuracy and training time for 80 epochs.

axonal runs the default network of ``axonal train`` (Standardize, Dense 128 relu,
Dense 64 relu, Dense 10; Adam 0.002 with l2 0.001 and a cosine schedule; batch 32;
seed 0), without the per-epoch training-accuracy metric the command also logs.
PyTorch runs the same network from the same initial weights, with the same cosine
schedule and the L2 penalty on weights only. scikit-learn's MLPClassifier has no
cosine schedule for Adam (it trains at a constant rate) and scales its ``alpha``
penalty by 1/batch size; it starts from its own random initial weights.
Everything is float32; the timed part is training, standardising the inputs included.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import data
from . import timed

EPOCHS, BATCH, RATE, L2 = 80, 32, 0.002, 0.001


def run(library: str, params: dict) -> dict:
    x_train, x_test, y_train, y_test = data.digits_split()
    epochs = int(params.get("epochs", EPOCHS))
    trainer = {"axonal": _axonal, "torch": _torch, "sklearn": _sklearn}[library]
    trainer(x_train, y_train, 2)  # warm-up
    seconds, predict = timed(trainer, x_train, y_train, epochs)
    accuracy = float(np.mean(predict(x_test) == y_test))
    return {"epochs": epochs, "seconds": seconds, "accuracy": accuracy, "train_samples": len(x_train),
            "test_samples": len(x_test)}


def _axonal(x, y, epochs):
    """Train; return a function from inputs to predicted labels (each trainer does the same)."""
    import axonal
    from axonal import Dense, Sequential, Standardize
    net = Sequential([Standardize(), Dense(128, "relu"), Dense(64, "relu"), Dense(10)], input_dim=64, seed=0)
    net.fit(x, y, loss="softmax_cross_entropy", optimizer=axonal.optimizers.get("adam", learning_rate=RATE, l2=L2),
            epochs=epochs, batch_size=BATCH, seed=0, schedule="cosine", progress=False)
    return lambda x_new: net.predict(x_new).argmax(axis=1)


def _axonal_initial_weights():
    """axonal's seed-0 weights of the three Dense layers, renumbered 0..2 (no Standardize in front)."""
    from axonal import Dense, Sequential, Standardize
    net = Sequential([Standardize(), Dense(128, "relu"), Dense(64, "relu"), Dense(10)], input_dim=64, seed=0)
    weights = net.get_weights()
    return {f"layers.{i}.{kind}": weights[f"layers.{i + 1}.{kind}"] for i in range(3) for kind in ("weight", "bias")}


_TORCH_INIT = None


def _torch(x, y, epochs):
    import torch
    from torch import nn
    global _TORCH_INIT
    if _TORCH_INIT is None:  # axonal's initial weights for seed 0, made once (in the warm-up)
        _TORCH_INIT = _axonal_initial_weights()
    mean, std = x.mean(axis=0), x.std(axis=0)
    scale = (1.0 / np.where(std > 0, std, 1.0)).astype(np.float32)
    xt = torch.from_numpy((x - mean) * scale)
    yt = torch.from_numpy(y)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    data.load_torch_weights([model[0], model[2], model[4]], _TORCH_INIT)
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, nn.Linear)]
    opt = torch.optim.Adam([{"params": weights, "weight_decay": L2}, {"params": biases, "weight_decay": 0.0}],
                           lr=RATE)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    n = len(xt)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss_fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
        schedule.step()

    def predict(x_new):
        with torch.no_grad():
            return model(torch.from_numpy((x_new - mean) * scale)).argmax(dim=1).numpy()
    return predict


def _sklearn(x, y, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(x)
    clf = MLPClassifier(hidden_layer_sizes=(128, 64), activation="relu", solver="adam", learning_rate_init=RATE,
                        alpha=L2, batch_size=BATCH, max_iter=epochs, shuffle=True, random_state=0,
                        tol=0.0, n_iter_no_change=epochs + 1, early_stopping=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(scaler.transform(x).astype(np.float32), y)
    assert clf.n_iter_ == epochs and clf.coefs_[0].dtype == np.float32
    return lambda x_new: clf.predict(scaler.transform(x_new).astype(np.float32))


