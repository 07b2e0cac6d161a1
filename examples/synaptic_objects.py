r"""Synaptic's own examples, written with ``axonal.synaptic``'s ``Neuron``, ``Layer`` and ``Network``.

Synaptic (the JavaScript library the first article introduces) teaches with objects: a
``Neuron`` projects to another, ``activate`` computes ``y = f(Σ w·y_in + b)``, and
``propagate(rate, target)`` moves every weight and bias against the error ``δ = t - y``.
The same code runs in axonal line for line::

    var A = new Neuron(), B = new Neuron();         A, B = Neuron(), Neuron()
    A.project(B);                                   A.project(B)
    A.activate(1); B.activate();                    A.activate(1); B.activate()
    B.propagate(.3, 0);                             B.propagate(.3, 0)

Part 1 is the article's neuron: B learns to answer 0 when A is 1 (20,000 steps).
Part 2 is Synaptic's XOR network built from layers, ``Layer(2) → Layer(3) → Layer(1)``,
taught by ``activate``/``propagate`` over the four cases at rate 0.3. The objects only
describe the network: the first ``activate`` compiles it into axonal's graph engine,
and every later step is one call into it.

Run it with ``python3 examples/synaptic_objects.py [seed]``.
"""

from __future__ import annotations

import sys

from axonal.synaptic import Layer, Network, Neuron
from axonal.synaptic.objects import seed as seed_weights

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def neuron_example(steps: int = 20000) -> float:
    """The article's neuron: B's answer to A = 1 after ``steps`` lessons that it should be 0."""
    A = Neuron()
    B = Neuron()
    A.project(B)
    for _ in range(steps):
        A.activate(1)          # when A activates 1
        B.activate()
        B.propagate(.3, 0)     # train B to activate 0
    A.activate(1)
    return B.activate()


def xor_example(epochs: int = 20000) -> list:
    """Synaptic's hand-built XOR network; its four answers after ``epochs`` passes."""
    input_layer = Layer(2)
    hidden_layer = Layer(3)
    output_layer = Layer(1)
    input_layer.project(hidden_layer)
    hidden_layer.project(output_layer)
    network = Network(input=input_layer, hidden=[hidden_layer], output=output_layer)
    for _ in range(epochs):
        for x, target in XOR:
            network.activate(x)
            network.propagate(.3, target)
    return [float(network.activate(x)[0]) for x, _ in XOR]


def main(seed: int = 0) -> dict:
    seed_weights(seed)
    answer = neuron_example()
    print(f"the neuron: B answers {answer:.6f} to A = 1 (taught 0)")
    outputs = xor_example()
    print("XOR by a network of Synaptic layers:")
    for (x, target), y in zip(XOR, outputs):
        print(f"  {x} -> {y:.4f}  (target {target[0]})")
    solved = all(round(y) == t[0] for (_, t), y in zip(XOR, outputs))
    print("solved" if solved else "not solved")
    return {"neuron_output": answer, "xor_outputs": outputs, "xor_targets": [t[0] for _, t in XOR],
            "solved": solved}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
