"""What the fuzzer (tests/fuzzing.py) starts from: seed models, Synaptic JSON, hostile names.

Every seed is built in-process from fixed seeds, so two processes build the same
bytes. The model kinds are

=============  ==================================================================
kind           seed
=============  ==================================================================
mlp            Dense-Dropout-Dense classifier: class labels, a loss, Adam with
               its moments, a cosine schedule and user metadata
batchnorm      a float64 Dense-BatchNorm-Dense network with running statistics
lstm           a stack of two LSTM layers (the first returns sequences) and Dense
graph_lstm     ``axonal.synaptic.architect.LSTM(2, 3, 1)``: a graph of gated layers
hopfield       a Hopfield memory with stored patterns, when ``axonal.save``
               accepts one (:func:`hopfield_supported`)
=============  ==================================================================

``synaptic_seeds`` are Synaptic ``toJSON`` documents written by the graph package;
``HOSTILE_NAMES`` holds strings that must never become code, markup or terminal
control when they reach a generated file. Payloads in it only ever call
:data:`SENTINEL`, a harmless marker the checks (tests/fuzz_checks.py) look for.
"""

from __future__ import annotations

import math

import numpy as np
from axonal.synaptic import to_json

__all__ = ["HOSTILE_NAMES", "MODEL_KINDS", "SENTINEL", "fixed_input", "hopfield_supported", "model_seed",
           "outputs_of", "synaptic_seeds"]

MODEL_KINDS = ("mlp", "batchnorm", "lstm", "graph_lstm", "hopfield")
#: The marker every code-shaped payload calls; a generated module that calls it ran a payload.
SENTINEL = "__FUZZ_PWNED__"


# -- seed models --------------------------------------------------------------------------------------
def hopfield_supported() -> bool:
    """``True`` when ``axonal.save`` writes Hopfield memories (the fifth seed kind)."""
    from axonal.hopfield import Hopfield
    from axonal.io import to_bytes
    try:
        to_bytes(Hopfield(4, seed=0))
    except TypeError:
        return False
    return True


def model_seed(kind: str):
    """``(model, save_options)`` for one of :data:`MODEL_KINDS`; the model is built and trained."""
    from axonal import LSTM, Adam, BatchNorm, Dense, Dropout, Sequential
    from axonal.synaptic import architect
    from axonal.schedules import Cosine

    rng = np.random.default_rng(7)
    if kind == "mlp":
        net = Sequential([Dense(5, "tanh", input_dim=3, name="hidden"), Dropout(0.1, seed=1), Dense(3)], seed=0)
        net.classes_ = ["cat", "dog", "eel"]
        x, y = rng.normal(size=(24, 3)), rng.integers(0, 3, 24)
        net.fit(x, y, loss="softmax_cross_entropy", optimizer=Adam(0.01), schedule=Cosine(3), epochs=3,
                batch_size=8, progress=False, seed=0)
        return net, {"metadata": {"task": "zoo", "rows": 24}}
    if kind == "batchnorm":
        net = Sequential([Dense(4, "relu", input_dim=3), BatchNorm(momentum=0.2), Dense(2)], seed=0,
                         dtype="float64")
        net.fit(rng.normal(size=(24, 3)), rng.normal(size=(24, 2)), epochs=2, batch_size=8, progress=False, seed=0)
        return net, {}
    if kind == "lstm":
        net = Sequential([LSTM(4, return_sequences=True, input_dim=2), LSTM(3), Dense(1)], seed=0)
        return net, {}
    if kind == "graph_lstm":
        return architect.LSTM(2, 3, 1, seed=0), {}
    if kind == "hopfield":
        from axonal.hopfield import Hopfield
        memory = Hopfield(12, seed=0)
        memory.store(np.where(rng.random((2, 12)) < 0.5, -1, 1))
        return memory, {}
    raise ValueError(f"unknown seed kind {kind!r}")


def fixed_input(model) -> np.ndarray:
    """The fixed input a loaded model is checked with: two samples (four time steps where free)."""
    from axonal.hopfield import Hopfield
    if isinstance(model, Hopfield):
        return np.where(np.arange(2 * model.size).reshape(2, model.size) % 3 == 0, -1, 1)
    shape = tuple(4 if d is None else int(d) for d in model.declared_input_shape())
    return np.linspace(-1.0, 1.0, 2 * math.prod(shape)).reshape((2, *shape))


def outputs_of(model) -> np.ndarray:
    """The model's outputs for :func:`fixed_input` (a Hopfield memory: its recalled states)."""
    from axonal.hopfield import Hopfield
    x = fixed_input(model)
    if isinstance(model, Hopfield):
        return np.asarray(model.recall(x, mode="sync", max_sweeps=20).states, dtype=np.float64)
    return np.asarray(model.predict(x), dtype=np.float64)


# -- Synaptic JSON ---------------------------------------------------------------------------------------
def synaptic_seeds() -> list:
    """Synaptic ``toJSON`` documents (dicts) written by ``GraphNetwork.to_synaptic_json``."""
    from axonal.synaptic import architect
    return [to_json(architect.LSTM(2, 3, 1, seed=0)),
            to_json(architect.Perceptron(3, 4, 2, seed=0))]


# -- hostile names -------------------------------------------------------------------------------------
_CALL = f"{SENTINEL}()"
HOSTILE_NAMES = [
    # code injection: a new line, then a statement, then something that swallows the rest
    f"x\nimport os; {_CALL}\ndef _f(x):\n    #",
    f"x\r{_CALL}\r#", f"x\r\n{_CALL}\r\n#", f"x\n    {_CALL}\n    #", f"x\n\t{_CALL}\n#",
    f"x\u2028{_CALL}\u2028#", f"x\u2029{_CALL}", f"x\x0c{_CALL}", f"x\x0b{_CALL}", f"x\x85{_CALL}",
    f'x"""\n{_CALL}\n"""', f"x'''\n{_CALL}\n'''", f'x"); {_CALL}; ("', f"x'); {_CALL}; ('",
    f"x\\\n{_CALL}", "x\\", "\\", "\\\\n", f"x#\n{_CALL}", f"x\n{_CALL}  # noqa", f"{{{_CALL}}}",
    "{0.__class__}", "%s%s%n", f"x\ndef predict(x):\n    return {_CALL}", f"1\n{_CALL}",
    f'x"\n{_CALL}\n"', "'", '"', '"""', "'''", "`id`", "$(id)",
    # control characters and terminal escapes
    "a\x00b", "bell\x07", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b[2J\x1b[H", "tab\there", "\x7f",
    "\x9b31m", "\x01\x02\x03\x04\x05\x06\x08\x0e\x0f\x10\x1f",
    # unicode that misleads or does not encode
    "\ud800", "a\udfffb", "\u202eevil", "zero\u200bwidth", "\ufeffbom", "\u2066isolate\u2069",
    "名前", "e\u0301", "\U0001F600",
    # markup for SVG/XML and DOT
    "<script>alert(1)</script>", "]]><x/>", "<!--", "-->", "&amp;", "&#0;", "a&b<c>d", "<svg onload=x>",
    '" onmouseover="x', "' onload='x", '"]; evil [label="', "}; digraph x {", "a -> b", "<<b>html</b>>",
    # shape oddities
    "", " ", "   \n  ", "0starts_with_digit", "-", "a" * 65, "n" * 10_000, "x\n" * 200,
]
