"""Synaptic's own examples, transliterated to axonal.synaptic's objects and run against Synaptic.

Each port runs the same code twice: in JavaScript under node (tests/synaptic/ports/*.js,
through reference.js's ``port`` op, or its ``run`` op for networks given as JSON) and in
Python with :mod:`axonal.synaptic.objects`. Both draw their initial weights from
mulberry32 with the same seed (reference.js installs it as ``Math.random``;
:func:`axonal.synaptic.objects.use_random` here), so they start from the same network,
and must agree to 1e-12 (float64) on every output, weight and bias afterwards.
"""

import numpy as np
import pytest
from synaptic_node import requires_synaptic, run_synaptic

from axonal.synaptic import Layer, Network, Neuron
from axonal.synaptic.objects import mulberry32, use_random

pytestmark = requires_synaptic
TOL = 1e-12
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def port(name, seed, **args):
    """Run tests/synaptic/ports/<name>.js with ``Math.random`` = mulberry32(seed); seed ours alike."""
    result = run_synaptic({"op": "port", "name": name, "seed": seed, "args": args})["result"]
    use_random(mulberry32(seed))
    return result


def assert_same_network(ours: dict, theirs: dict):
    """Two ``toJSON()`` documents: same structure, and values within TOL."""
    assert [(c["from"], c["to"], c["gater"]) for c in ours["connections"]] == \
        [(c["from"], c["to"], c["gater"]) for c in theirs["connections"]]
    np.testing.assert_allclose([c["weight"] for c in ours["connections"]],
                               [c["weight"] for c in theirs["connections"]], rtol=0, atol=TOL)
    for key in ("bias", "state", "old", "activation"):
        np.testing.assert_allclose([n[key] for n in ours["neurons"]], [n[key] for n in theirs["neurons"]],
                                   rtol=0, atol=TOL, err_msg=key)
    assert [(n["layer"], n["squash"]) for n in ours["neurons"]] == [(n["layer"], n["squash"]) for n in theirs["neurons"]]


def stream(n_in, n_out, steps, seed):
    rng = np.random.default_rng(seed)
    return [{"input": rng.uniform(0, 1, n_in).tolist(), "target": rng.integers(0, 2, n_out).astype(float).tolist()}
            for _ in range(steps)]


def test_the_seed_articles_neuron_learns_as_in_synaptic():
    """Synaptic's introduction: A → B, B taught to answer 0 when A is 1, 20,000 times at rate .3."""
    ref = port("neuron_seed", seed=11)
    A = Neuron()
    B = Neuron()
    connection = A.project(B)
    assert (A.bias, B.bias, connection.weight) == tuple(ref["initial"][k] for k in ("biasA", "biasB", "weight"))
    outputs = []
    for i in range(20000):
        A.activate(1)
        out = B.activate()
        if i % 100 == 0:
            outputs.append(out)
        B.propagate(.3, 0)
    A.activate(1)
    final = B.activate()
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert abs(final - ref["final"]) < TOL and final < 0.01          # it learnt to answer 0
    assert abs(connection.weight - ref["weight"]) < TOL and abs(B.bias - ref["bias"]) < TOL


def test_the_hand_built_xor_network_learns_as_in_synaptic():
    """Synaptic's wiki: Layer(2) → Layer(3) → Layer(1), 20,000 epochs of activate/propagate at .3."""
    ref = port("xor_layers", seed=5)
    input_layer, hidden_layer, output_layer = Layer(2), Layer(3), Layer(1)
    input_layer.project(hidden_layer)
    hidden_layer.project(output_layer)
    my_network = Network({"input": input_layer, "hidden": [hidden_layer], "output": output_layer})
    assert_same_network(my_network.to_json(), ref["before"])
    for _ in range(20000):
        for x, t in XOR:
            my_network.activate(x)
            my_network.propagate(.3, t)
    outputs = [my_network.activate(x) for x, _ in XOR]
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert [round(float(y[0])) for y in outputs] == [0, 1, 1, 0]
    assert_same_network(my_network.to_json(), ref["after"])


class ReadmeLSTM(Network):
    """Synaptic's README LSTM, line for line: a Network subclass that sets its layers."""

    def __init__(self, input, blocks, output):
        super().__init__()
        input_layer = Layer(input)
        input_gate = Layer(blocks)
        forget_gate = Layer(blocks)
        memory_cell = Layer(blocks)
        output_gate = Layer(blocks)
        output_layer = Layer(output)
        # connections from input layer
        input_ = input_layer.project(memory_cell)
        input_layer.project(input_gate)
        input_layer.project(forget_gate)
        input_layer.project(output_gate)
        # connections from memory cell
        output_ = memory_cell.project(output_layer)
        # self-connection
        self_ = memory_cell.project(memory_cell)
        # peepholes
        memory_cell.project(input_gate)
        memory_cell.project(forget_gate)
        memory_cell.project(output_gate)
        # gates
        input_gate.gate(input_, Layer.gateType.INPUT)
        forget_gate.gate(self_, Layer.gateType.ONE_TO_ONE)
        output_gate.gate(output_, Layer.gateType.OUTPUT)
        # input to output direct connection
        input_layer.project(output_layer)
        self.set({"input": input_layer, "hidden": [input_gate, forget_gate, memory_cell, output_gate],
                  "output": output_layer})


@pytest.mark.parametrize("reset", [False, True])
def test_the_readme_lstm_built_from_layers_learns_as_in_synaptic(reset):
    """With ``reset``: ``Network.reset()`` right after building draws every weight and bias again
    in Synaptic's order (per neuron: its inputs, projections and gated connections, then its bias)."""
    steps = stream(2, 1, 300, seed=0)
    ref = port("readme_lstm", seed=9, sizes=[2, 3, 1], stream=steps, rate=0.1, reset=reset)
    net = ReadmeLSTM(2, 3, 1)
    if reset:
        net.reset()
    assert_same_network(net.to_json(), ref["before"])
    outputs = []
    for step in steps:
        outputs.append(net.activate(step["input"]))
        net.propagate(0.1, step["target"])
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert_same_network(net.to_json(), ref["after"])


ARCHITECT = [("Perceptron", [2, 4, 3, 1], {}, True), ("LSTM", [2, 3, 1], {}, True),
             ("LSTM", [2, 2, 2, 1], {"hiddenToHidden": True, "outputToGates": True}, True),
             ("Liquid", [2, 8, 1], {"connections": 20, "gates": 6}, False), ("Hopfield", [4], {}, True)]


@pytest.mark.parametrize("arch,sizes,options,learn", ARCHITECT, ids=[a[0] + str(a[1]) for a in ARCHITECT])
def test_architect_networks_as_objects_run_and_learn_as_in_synaptic(arch, sizes, options, learn):
    """Synaptic's Architect networks, brought over with ``Network.fromJSON`` and run step by step.

    Liquid is compared without learning: its pool's neurons both project and gate, where
    Synaptic's compiled code adds a stale accumulator to δ (NOTES §c.2) that axonal does not."""
    built = run_synaptic({"op": "build", "arch": arch, "sizes": sizes, "options": options, "seed": 3})["json"]
    n_in, n_out = sizes[0], sizes[-1]
    steps = stream(n_in, n_out, 200, seed=1)
    if arch == "Hopfield":        # an auto-associator learns its inputs (Hopfield.learn: rate 1)
        steps = [{"input": s["target"], "target": s["target"]} for s in stream(n_in, n_in, 200, seed=1)]
    if not learn:
        steps = [{"input": s["input"], "target": None} for s in steps]
    ref = run_synaptic({"op": "run", "json": built, "stream": steps, "rate": 1.0 if arch == "Hopfield" else 0.1})
    net = Network.from_json(built)
    assert_same_network(net.to_json(), ref["json_before"])
    outputs = []
    for s in steps:
        outputs.append(net.activate(s["input"]))
        if s["target"] is not None:
            net.propagate(1.0 if arch == "Hopfield" else 0.1, s["target"])
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert_same_network(net.to_json(), ref["json_after"])


def js_round(x):
    """JavaScript's Math.round (halves up)."""
    return np.floor(np.asarray(x) + 0.5)


def dsr_sequences(count, seed, targets=(2, 4), distractors=(3, 5), prompts=(0, 1), length=9):
    """Trainer.DSR's sequences: distractors with the targets at two random places, then the prompts,
    each asking for one target back (one-hot over the targets)."""
    rng = np.random.default_rng(seed)
    symbols, body = len(targets) + len(distractors) + len(prompts), length - len(prompts)
    out = []
    for _ in range(count):
        sequence = list(rng.choice(distractors, body))
        indexes = rng.integers(0, len(targets), len(prompts))
        positions = sorted(rng.choice(body, len(prompts), replace=False))
        for p, (where, which) in enumerate(zip(positions, indexes)):
            sequence[where] = targets[which]
            sequence.append(prompts[p])
        steps = []
        for i, symbol in enumerate(sequence):
            target = [0.0] * len(targets)
            if i >= body:
                target[indexes[i - body]] = 1.0
            steps.append({"input": np.eye(symbols)[symbol].tolist(), "target": target})
        out.append(steps)
    return out


def test_lstm_dsr_usage_learns_as_in_synaptic():
    """An Architect.LSTM(6, 4, 2) (brought over by JSON) on distracted sequence recall, propagating
    only where a rounded prediction is wrong, as Trainer.DSR does; 150 sequences at rate .17."""
    sequences = dsr_sequences(150, seed=2)
    ref = port("dsr_usage", seed=4, sizes=[6, 4, 2], sequences=sequences, rate=0.17)
    net = Network.from_json(ref["before"])
    outputs, correct, propagated = [], [], 0
    for sequence in sequences:
        right = 0
        for step in sequence:
            prediction = net.activate(step["input"])
            outputs.append(prediction)
            if (js_round(prediction) == step["target"]).all():
                right += 1
            else:
                net.propagate(0.17, step["target"])
                propagated += 1
        correct.append(right == len(sequence))
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert (correct, propagated) == (ref["correct"], ref["propagated"])
    assert_same_network(net.to_json(), ref["after"])


def timing_samples(size, seed):
    """Trainer.timingTask's samples: a start flag, a duration n/20 held while the output is 0.5."""
    rng = np.random.default_rng(seed)
    inputs, outputs = np.zeros((size, 2)), np.zeros((size, 1))
    t = 0
    while t < size - 20:
        n = int(rng.integers(0, 21))
        inputs[t, 0] = 1
        inputs[t:t + n + 1, 1] = n / 20
        outputs[t:t + n + 1, 0] = 0.5
        t += n
        m = int(rng.integers(0, 21))
        inputs[t + 1:min(t + m + 1, size), 1] = inputs[t, 1]
        t += m
    return [{"input": x.tolist(), "output": y.tolist()} for x, y in zip(inputs, outputs)]


def test_lstm_timing_trained_by_the_trainers_loop_as_in_synaptic():
    """Trainer.train (the timing task's LSTM(2, 7, 1), rate list [.03, .02], MSE, no shuffling),
    written out with the objects: per epoch, activate and propagate each sample in order."""
    samples = timing_samples(300, seed=3)
    train, test = samples[:240], samples[240:]
    rates, iterations = [.03, .02], 4
    ref = port("timing_trainer", seed=6, sizes=[2, 7, 1], set=train, test=test, rate=rates,
               iterations=iterations, error=.005)
    net = Network.from_json(ref["before"])
    bucket, rate, error, done = iterations // len(rates), rates, 1.0, 0
    while done < iterations and error > .005:
        done += 1
        rate = rates[done // bucket] if done // bucket < len(rates) else rate
        total = 0.0
        for sample in train:
            y = net.activate(sample["input"])
            net.propagate(rate, sample["output"])
            total += np.mean((np.asarray(sample["output"]) - y) ** 2)
        error = total / len(train)
    test_error = np.mean([np.mean((np.asarray(s["output"]) - net.activate(s["input"])) ** 2) for s in test])
    assert done == ref["result"]["iterations"]
    assert abs(error - ref["result"]["error"]) < TOL and abs(test_error - ref["test_error"]) < TOL
    assert_same_network(net.to_json(), ref["after"])


class ReadmePerceptron(Network):
    """Synaptic's README Perceptron, line for line."""

    def __init__(self, input, hidden, output):
        super().__init__()
        # create the layers
        input_layer = Layer(input)
        hidden_layer = Layer(hidden)
        output_layer = Layer(output)
        # connect the layers
        input_layer.project(hidden_layer)
        hidden_layer.project(output_layer)
        # set the layers
        self.set({"input": input_layer, "hidden": [hidden_layer], "output": output_layer})


def trainer_xor(network, random, rate=.2, iterations=100000, error=.005):
    """Synaptic's ``Trainer.XOR()`` written out: its set, MSE, and after every epoch an in-place
    shuffle drawing from ``random`` (Synaptic's ``Math.random``, here the same mulberry32 stream)."""
    xor = [{"input": [0, 0], "output": [0]}, {"input": [1, 0], "output": [1]},
           {"input": [0, 1], "output": [1]}, {"input": [1, 1], "output": [0]}]
    done, err = 0, 1.0
    while done < iterations and err > error:
        done += 1
        total = 0.0
        for sample in xor:
            y = network.activate(sample["input"])
            network.propagate(rate, sample["output"])
            total += np.mean((np.asarray(sample["output"]) - y) ** 2)
        err = total / len(xor)
        i = len(xor)
        while i:                                  # shuffleInplace (Trainer.js)
            j = int(random() * i)
            i -= 1
            xor[i], xor[j] = xor[j], xor[i]
    return {"error": err, "iterations": done}


def test_the_readme_perceptron_learns_xor_with_the_trainer_as_in_synaptic():
    ref = port("readme_perceptron", seed=2)
    random = mulberry32(2)
    use_random(random)                            # one stream for the weights, then the shuffles
    my_perceptron = ReadmePerceptron(2, 3, 1)
    assert_same_network(my_perceptron.to_json(), ref["before"])
    result = trainer_xor(my_perceptron, random)
    assert result["iterations"] == ref["result"]["iterations"]
    assert abs(result["error"] - ref["result"]["error"]) < TOL and result["error"] <= .005
    outputs = [my_perceptron.activate(x) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert_same_network(my_perceptron.to_json(), ref["after"])


def test_network_clear_midway_forgets_traces_as_in_synaptic():
    """Network.clear() after 100 of 200 learning steps of an Architect.LSTM: traces and
    responsibilities go, state, activations and gains stay, in both."""
    built = run_synaptic({"op": "build", "arch": "LSTM", "sizes": [2, 3, 1], "seed": 12})["json"]
    steps = stream(2, 1, 200, seed=6)
    ref = port("clear_midway", seed=1, json=built, stream=steps, clear_at=100, rate=0.1)
    net = Network.from_json(built)
    outputs = []
    for i, step in enumerate(steps):
        if i == 100:
            net.clear()
        outputs.append(net.activate(step["input"]))
        net.propagate(0.1, step["target"])
    np.testing.assert_allclose(outputs, ref["outputs"], rtol=0, atol=TOL)
    assert_same_network(net.to_json(), ref["after"])
