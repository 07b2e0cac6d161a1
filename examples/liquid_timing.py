r"""A liquid state machine learns Synaptic's timing task by training only its readout.

The timing task (Synaptic's ``Trainer.timingTask``, here
:func:`axonal.data.sequences.timing_task`) is a stream with two inputs and one
output. A pulse on input 0 comes with a duration ``d = k/20`` on input 1; the
output must hold 0.5 for the ``k + 1`` steps from the pulse on, then 0 until the
next pulse. Input 1 keeps showing ``d`` through the gap, so the network has to
time the interval itself: it needs a memory of *how long ago* the pulse was.

A *liquid* (``architect.Liquid``, Synaptic's ``Architect.Liquid``) is a pool of
logistic neurons with random recurrent synapses, some of them gated by other
pool neurons. A pulse sets the pool ringing like a stone dropped in water, and
the ripples (the pool's activations ``p(t)``) fade in a way that depends on the
time since the pulse and on ``d``. One step (``σ`` the logistic function)::

    s(t) = g ⊙ d ⊙ s(t-1) + (g ⊙ W_rec)·p(t-1) + x(t)·W_in + b     pool state
    p(t) = σ(s(t))                                               pool activation
    y(t) = σ(p(t)·W_out + b_out)                                 readout

The liquid-state-machine recipe keeps the pool *random and fixed* and trains
only the readout ``W_out, b_out`` -- one neuron looking at the pool. That makes
learning a single least-squares problem instead of backpropagation through
time:

1. Scale the random input and recurrent weights up (``×20``; Synaptic's small
   starting weights leave every pool neuron near 0.5 and the liquid nearly still).
2. Run the training streams through the pool and collect ``P``, the activations
   at every step (``(steps, pool)``), with a column of ones for the bias.
3. The readout is logistic, so fit its *state* rather than its output: clip the
   targets to ``[ε, 0.5]`` (``ε = 0.1``, since ``σ⁻¹(0) = -∞``) and solve the
   ridge regression ``(PᵀP + λI)·w = Pᵀ·σ⁻¹(t)`` in closed form.
4. Put ``w`` into the network's ``pool → output`` weights and bias: the whole
   Liquid network now predicts the task step by step.

The targets are 0 or 0.5, so a network that ignores its input can do no better
than predicting their mean, an MSE of about 0.062 (Synaptic's own test asks its
LSTM for below 0.05). The trained liquid scores about 0.036 on fresh streams.

Run it with ``python3 examples/liquid_timing.py``.
"""

from __future__ import annotations

import numpy as np

from axonal.data.sequences import timing_task
from axonal.graph import GraphNetwork
from axonal.synaptic.architect import Liquid

POOL = 100          #: pool neurons
CONNECTIONS = 1000  #: random draws of pool synapses
GATES = 200         #: pool synapses gated by a random pool neuron
SCALE = 20.0        #: input and recurrent weights multiplied by this
EPSILON = 0.1       #: targets clipped to [ε, 0.5] before σ⁻¹
RIDGE = 1e-3        #: λ of the ridge regression


def liquid(seed: int = 0) -> GraphNetwork:
    """The random liquid, its input and recurrent weights scaled by ``SCALE``."""
    net = Liquid(2, POOL, 1, CONNECTIONS, GATES, seed=seed)
    weights = net.get_weights()
    weights["input_to_pool.weight"] = weights["input_to_pool.weight"] * SCALE
    weights["pool_to_pool.weight"] = weights["pool_to_pool.weight"] * SCALE
    net.set_weights(weights)
    return net


def pool_activations(net: GraphNetwork, x: np.ndarray) -> np.ndarray:
    """``p(t)`` for every stream and step of ``x`` ``(streams, time, 2)``, as ``(streams·time, pool)``.

    The same blueprint and weights, read at the pool instead of the output layer.
    """
    pool = GraphNetwork(net.graph, output="pool")
    weights = net.get_weights()
    pool.set_weights({name: weights[name] for name in pool.get_weights()})
    return pool.predict(x).reshape(-1, POOL).astype(np.float64)


def fit_readout(net: GraphNetwork, x: np.ndarray, y: np.ndarray) -> None:
    """Ridge regression of ``σ⁻¹(clip(t))`` on the pool's activations, written into ``net``."""
    p = pool_activations(net, x)
    design = np.hstack([p, np.ones((len(p), 1))])                # the bias is a weight on a constant 1
    t = np.clip(y.reshape(-1).astype(np.float64), EPSILON, 0.5)
    logit = np.log(t / (1.0 - t))                                 # σ⁻¹(t)
    w = np.linalg.solve(design.T @ design + RIDGE * np.eye(POOL + 1), design.T @ logit)
    weights = net.get_weights()
    weights["pool_to_output.weight"] = w[:POOL].reshape(weights["pool_to_output.weight"].shape)
    weights["output.bias"] = w[POOL:].reshape(weights["output.bias"].shape)
    net.set_weights(weights)


def mse(a, b) -> float:
    return float(np.mean((np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) ** 2))


def main(seed: int = 0, train_streams: int = 64, test_streams: int = 16, length: int = 200,
         test_length: int = 500) -> dict:
    """Train the readout on ``train_streams`` streams; test on fresh, longer ones."""
    x, y = timing_task(train_streams, length=length, seed=seed + 1)
    x_test, y_test = timing_task(test_streams, length=test_length, seed=seed + 1000)
    net = liquid(seed)
    untrained = mse(net.predict(x_test), y_test)
    fit_readout(net, x, y)
    prediction = net.predict(x_test)
    return {
        "seed": seed,
        "train_steps": int(x.shape[0] * x.shape[1]),
        "test_steps": int(x_test.shape[0] * x_test.shape[1]),
        "untrained_mse": untrained,
        "baseline_mse": mse(np.full_like(y_test, y.mean()), y_test),   # predict the training mean
        "train_mse": mse(net.predict(x), y),
        "test_mse": mse(prediction, y_test),
        "example_inputs": x_test[0, :40].tolist(),
        "example_targets": y_test[0, :40, 0].tolist(),
        "example_outputs": prediction[0, :40, 0].tolist(),
    }


if __name__ == "__main__":
    r = main()
    print(f"Liquid(2, {POOL}, 1, connections={CONNECTIONS}, gates={GATES}), weights ×{SCALE:g}; "
          f"readout fitted by ridge regression on {r['train_steps']} steps")
    print(f"test MSE on {r['test_steps']} fresh steps:")
    print(f"  untrained liquid             {r['untrained_mse']:.4f}")
    print(f"  predicting the mean          {r['baseline_mse']:.4f}")
    print(f"  liquid, readout trained      {r['test_mse']:.4f}   (train {r['train_mse']:.4f})")
    print("the first 40 test steps (pulse, duration -> target, output):")
    for (pulse, d), t, o in zip(r["example_inputs"], r["example_targets"], r["example_outputs"]):
        bar = "#" * round(40 * o)
        print(f"  {'|' if pulse else ' '} d={d:.2f}  target {t:.1f}  output {o:.2f} {bar}")
