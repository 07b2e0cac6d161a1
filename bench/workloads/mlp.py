"""MLP 784-256-128-10 (ReLU, softmax cross-entropy, Adam 1e-3) on 60,000 MNIST-shaped samples.

* ``train``: training samples/second at a batch size, each library's idiomatic code.
* ``ceiling``: the matrix products alone of one training step in NumPy (forward, ∂E/∂W,
  and ∂E/∂x of the hidden layers): no library that calls this BLAS can train faster.
* ``matmul_peak``: a large float32 matrix product, the machine's FLOP rate.
* ``infer``: one-sample latency and batch-1024 throughput of predicting probabilities.
* ``synaptic``: Synaptic's online training of the same shape, in node.
"""

from __future__ import annotations

import time
import warnings
from itertools import pairwise

import numpy as np

from .. import data
from . import median, per_call_times, timed

LEARNING_RATE = 1e-3


def train(library: str, params: dict) -> dict:
    """Time one training pass over ``params["samples"]`` samples at ``params["batch"]``."""
    x, y = data.mnist_like()
    init = data.he_uniform_weights()
    batch, samples = int(params["batch"]), int(params["samples"])
    warm = min(len(x), int(params.get("warmup_samples", max(20 * batch, 2048))))
    time.sleep(0.3)  # let OpenBLAS threads that labelled the data go idle
    trainer = {"axonal": _train_axonal, "torch": _train_torch, "torch_fused": _train_torch,
               "sklearn": _train_sklearn}[library]
    seconds = trainer(library, x, y, init, batch, samples, warm)
    return {"samples": samples, "seconds": seconds, "samples_per_s": samples / seconds,
            "steps": -(-samples // batch), "parameters": data.count_parameters()}


def _train_axonal(library, x, y, init, batch, samples, warm):
    import axonal
    from axonal import Dense, Sequential

    net = Sequential([Dense(256, "relu", input_dim=784), Dense(128, "relu"), Dense(10)])

    def fit(n):
        net.set_weights(init)
        return timed(net.fit, x[:n], y[:n], loss="softmax_cross_entropy", optimizer=axonal.Adam(LEARNING_RATE),
                     batch_size=batch, epochs=1, shuffle=True, progress=False, seed=0)[0]

    fit(warm)
    return fit(samples)


def _train_torch(library, x, y, init, batch, samples, warm):
    """The DataLoader-free loop: a shuffled index tensor sliced per batch, ``X[idx]`` gathered."""
    import torch
    from torch import nn

    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    loss_fn = nn.CrossEntropyLoss()
    fused = library == "torch_fused"

    def fit(n):
        data.load_torch_weights([model[0], model[2], model[4]], init)
        t0 = time.perf_counter()
        opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, fused=fused or None)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        return time.perf_counter() - t0

    fit(warm)
    return fit(samples)


def _train_sklearn(library, x, y, init, batch, samples, warm):
    """``fit`` with ``max_iter=1`` on float32 input (so it trains in float32), warm-started from ``init``."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(256, 128), activation="relu", solver="adam", alpha=0.0,
                        learning_rate_init=LEARNING_RATE, batch_size=batch, max_iter=1, shuffle=True,
                        random_state=0, tol=0.0, n_iter_no_change=10**9, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x[:warm], y[:warm])  # warm-up; also creates coefs_, which warm_start keeps
        data.load_sklearn_weights(clf, init)
        seconds, _ = timed(clf.fit, x[:samples], y[:samples])
    assert clf.coefs_[0].dtype == np.float32
    return seconds


# -- the limits ------------------------------------------------------------------------------
def ceiling(library: str, params: dict) -> dict:
    """Samples/s if a training step were only its matrix products (NumPy, preallocated outputs).

    Each product uses the faster of ``np.matmul`` and ``np.dot`` at this shape (for a
    batch of one, ``dot``'s outer product is several times faster than ``matmul``'s).
    """
    batch = int(params["batch"])
    rng = np.random.default_rng(0)
    sizes = data.MLP_SIZES
    w = [rng.standard_normal((a, b), dtype=np.float32) * 0.05 for a, b in pairwise(sizes)]
    a = [rng.random((batch, s), dtype=np.float32) for s in sizes]          # a[0] = x, a[i] = outputs
    d = [rng.standard_normal((batch, s), dtype=np.float32) for s in sizes]  # ∂E/∂a[i]
    dw = [np.empty_like(wi) for wi in w]
    products = [(a[i], wi, a[i + 1]) for i, wi in enumerate(w)]            # forward: a[i+1] = a[i]·W
    for i in reversed(range(len(w))):                                      # ∂E/∂W = aᵀ·δ, δ_prev = δ·Wᵀ
        products.append((a[i].T, d[i + 1], dw[i]))
        if i > 0:
            products.append((d[i + 1], w[i].T, d[i]))
    chosen = [(min((np.matmul, np.dot), key=lambda f: _time_product(f, x, y, out)), x, y, out)
              for x, y, out in products]

    def step():
        for f, x, y, out in chosen:
            f(x, y, out=out)

    reps = _reps_for(step, float(params.get("seconds", 1.5)))
    block = max(1, reps // 15)
    times = [timed(lambda: [step() for _ in range(block)])[0] / block for _ in range(max(3, reps // block))]
    t = median(times)
    return {"step_s": t, "samples_per_s": batch / t, "functions": [f.__name__ for f, *_ in chosen]}


def _time_product(f, x, y, out, calls=30):
    for _ in range(3):
        f(x, y, out=out)
    return median(per_call_times(lambda: f(x, y, out=out), calls))


def matmul_peak(library: str, params: dict) -> dict:
    """GFLOP/s of an ``n × n`` float32 matrix product (2n³ flops), median of several."""
    n = int(params.get("n", 2048))
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    out = np.empty((n, n), dtype=np.float32)
    for _ in range(2):
        np.matmul(a, b, out=out)
    times = [timed(np.matmul, a, b, out=out)[0] for _ in range(int(params.get("repeats", 7)))]
    t = median(times)
    return {"n": n, "seconds": t, "gflops": 2 * n**3 / t / 1e9}


def _reps_for(fn, seconds):
    t, _ = timed(fn)
    t, _ = timed(fn)
    return max(10, int(seconds / max(t, 1e-7)))


# -- inference ----------------------------------------------------------------------------------
def infer(library: str, params: dict) -> dict:
    """Latency of one sample (median of many calls) and throughput at batch 1024, as probabilities."""
    x, y = data.mnist_like(4096)
    init = data.he_uniform_weights()
    maker = {"axonal": _predictor_axonal, "torch": _predictor_torch, "sklearn": _predictor_sklearn}[library]
    predict, prepare = maker(x, y, init)
    one, big = prepare(x[:1]), prepare(x[:1024])  # inputs in the library's own array type
    per_call_times(lambda: predict(one), 200)     # warm-up
    latency = median(per_call_times(lambda: predict(one), int(params.get("calls", 3000))))
    per_call_times(lambda: predict(big), 3)
    batch_time = median(per_call_times(lambda: predict(big), int(params.get("batch_calls", 60))))
    return {"latency_s": latency, "batch": 1024, "batch_s": batch_time, "samples_per_s": 1024 / batch_time}


def _predictor_axonal(x, y, init):
    import axonal
    from axonal import Dense, Sequential
    net = Sequential([Dense(256, "relu", input_dim=784), Dense(128, "relu"), Dense(10)])
    net.fit(x[:512], y[:512], loss="softmax_cross_entropy", optimizer=axonal.Adam(LEARNING_RATE), batch_size=128,
            epochs=1, progress=False, seed=0)  # a trained network: predict_proba needs the loss
    net.set_weights(init)
    return net.predict_proba, np.ascontiguousarray


def _predictor_torch(x, y, init):
    """``softmax(model(x))`` on a tensor, with autograd switched off once for the process."""
    import torch
    from torch import nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    data.load_torch_weights([model[0], model[2], model[4]], init)
    model.eval()
    torch.set_grad_enabled(False)

    def predict(xt):
        return torch.softmax(model(xt), dim=1)
    return predict, lambda a: torch.from_numpy(np.ascontiguousarray(a))


def _predictor_sklearn(x, y, init):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=(256, 128), max_iter=1, batch_size=128, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x[:512], y[:512])
    data.load_sklearn_weights(clf, init)
    return clf.predict_proba, np.ascontiguousarray


# -- Synaptic ---------------------------------------------------------------------------------
def synaptic(library: str, params: dict) -> dict:
    """Synaptic's Perceptron(784, 256, 128, 10), ReLU hidden units, trained online for a few seconds."""
    from ..peers.synaptic import run_node
    n = int(params.get("samples", 256))
    x, y = data.mnist_like(n)
    spec = {"job": "mlp", "samples": n, "features": 784, "classes": 10, "labels": y.tolist(),
            "sizes": list(data.MLP_SIZES), "rate": 0.01, "seconds": float(params.get("seconds", 5.0)),
            "warmup_seconds": float(params.get("warmup_seconds", 6.0))}
    return run_node(spec, files={"data": x.astype("<f4").tobytes()})
