"""Generating sequences from a trained network, one step at a time.

A network trained to predict the next symbol of a sequence (a character-level
language model) becomes a generator by feeding it its own choices: read a
prompt, then repeatedly turn the output at the last step into probabilities
``p_k = softmax(z_k / T)``, draw a symbol from them, and give that symbol back as
the next input. The temperature ``T`` sharpens (``T < 1``) or flattens (``T > 1``)
the distribution; ``T → 0`` always takes the most likely symbol.

The recurrent layers run stateful on a copy of the network, so each new symbol
costs one time step, not a pass over everything generated so far.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_sequence"]


def sample_sequence(net, prompt, length: int, *, temperature: float = 1.0, seed=None) -> np.ndarray:
    """Continue a sequence of symbol codes with ``length`` codes drawn from the network.

    Parameters
    ----------
    net : Sequential
        Maps one-hot inputs ``(batch, time, V)`` to logits ``(batch, time, V)`` at
        every step (a recurrent layer with ``return_sequences=True`` and a ``Dense(V)``).
    prompt : sequence of int
        At least one code in ``0 .. V-1``.
    length : int
        How many codes to generate.
    temperature : float > 0, default 1
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    ndarray (length,) int64
    """
    vocabulary_size = net.input_shape[-1]
    prompt = np.asarray(prompt, dtype=np.int64).reshape(-1)
    if prompt.size == 0:
        raise ValueError("sample_sequence: the prompt needs at least one symbol")
    if prompt.min() < 0 or prompt.max() >= vocabulary_size:
        raise ValueError(f"sample_sequence: prompt codes must lie in 0..{vocabulary_size - 1}")
    if not (isinstance(length, (int, np.integer)) and length >= 0):
        raise ValueError(f"sample_sequence: length must be an integer >= 0, got {length!r}")
    if not temperature > 0:
        raise ValueError(f"sample_sequence: temperature must be > 0, got {temperature!r}")
    if net.output_shape != (None, vocabulary_size):
        raise ValueError(f"sample_sequence: the network must output {vocabulary_size} logits at every step, "
                         f"(batch, time, {vocabulary_size}); its output is (batch, "
                         f"{', '.join('time' if d is None else str(d) for d in net.output_shape)})")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    stepper = net.stateful_copy()
    eye = np.eye(vocabulary_size, dtype=stepper.dtype)
    logits = stepper.predict(eye[prompt][None])[0, -1]
    out = np.empty(length, dtype=np.int64)
    for k in range(length):
        z = logits.astype(np.float64) / temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        out[k] = rng.choice(vocabulary_size, p=p)
        logits = stepper.predict(eye[out[k]][None, None])[0, -1]
    return out
