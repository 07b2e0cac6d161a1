"""A Hopfield network remembers letters and restores a corrupted one.

Four 10×10 letter bitmaps are stored in a Hopfield network of 100 sign units
(±1: ``#`` is +1, ``.`` is -1) by Hebb's rule, "units that fire together wire
together" ::

    W = (1/n) · Σ_μ ξ^μ ξ^μᵀ,   W_ii = 0

Then one letter has some of its pixels flipped at random, and the network is
left to run: one unit at a time, in random order, each unit takes the sign of
its local field ``h_i = Σ_j W_ij s_j``. Every flip lowers the energy
``E = -½ sᵀ W s``, and the run stops at a state no unit wants to leave — here
the stored letter. The script prints the corrupted and the recalled bitmap side
by side, and the energy every ten unit updates: it only ever goes down.

Four patterns in 100 units is a light load (the capacity for random patterns is
about 0.138·n ≈ 14). Letters are not random — they share strokes, which costs
capacity — so these four were picked to differ in at least 40 of the 100 pixels.

Run it with ``python3 examples/hopfield_memory.py [seed] [pixels_flipped]``.
"""

from __future__ import annotations

import sys

import numpy as np

from axonal.hopfield import Hopfield

#: the letters, 10 rows of 10 pixels each
LETTERS = {
    "A": """
        ....##....
        ...####...
        ..##..##..
        .##....##.
        .##....##.
        .########.
        .########.
        .##....##.
        .##....##.
        .##....##.
    """,
    "T": """
        ##########
        ##########
        ....##....
        ....##....
        ....##....
        ....##....
        ....##....
        ....##....
        ....##....
        ....##....
    """,
    "X": """
        ##......##
        .##....##.
        ..##..##..
        ...####...
        ....##....
        ....##....
        ...####...
        ..##..##..
        .##....##.
        ##......##
    """,
    "L": """
        ##........
        ##........
        ##........
        ##........
        ##........
        ##........
        ##........
        ##........
        ##########
        ##########
    """,
}
SIDE = 10
DEFAULT_SEED = 0
#: pixels flipped in the corrupted letter (of 100)
DEFAULT_FLIPS = 25
CORRUPTED = "A"


def bitmap(text: str) -> np.ndarray:
    """A letter drawing → a ±1 vector of ``SIDE²`` pixels (``#`` → +1, ``.`` → -1)."""
    rows = text.split()
    if len(rows) != SIDE or any(len(row) != SIDE for row in rows):
        raise ValueError(f"a letter must be {SIDE} rows of {SIDE} pixels")
    return np.array([1.0 if c == "#" else -1.0 for row in rows for c in row])


def draw(pattern: np.ndarray) -> list[str]:
    """A ±1 vector → the rows of its drawing."""
    grid = pattern.reshape(SIDE, SIDE)
    return ["".join("#" if v > 0 else "." for v in row) for row in grid]


def main(seed: int = DEFAULT_SEED, flips: int = DEFAULT_FLIPS, letter: str = CORRUPTED) -> dict:
    """Store the letters, flip ``flips`` pixels of ``letter``, recall it; return what happened."""
    names = list(LETTERS)
    patterns = np.stack([bitmap(LETTERS[name]) for name in names])       # (4, 100)
    net = Hopfield(SIDE * SIDE, seed=seed)
    net.store(patterns)                                                  # Hebb's rule

    rng = np.random.default_rng(seed)
    original = patterns[names.index(letter)]
    corrupted = original.copy()
    corrupted[rng.choice(original.size, size=flips, replace=False)] *= -1

    n = SIDE * SIDE
    result = net.recall(corrupted, mode="async", trajectory="update")    # E after every unit update
    distances = {name: int(np.sum(result.states != p)) for name, p in zip(names, patterns)}
    return {
        "seed": seed,
        "letter": letter,
        "flipped": flips,
        "original": original,
        "corrupted": corrupted,
        "recalled": result.states,
        "recalled_letter": min(distances, key=distances.get),
        "restored": bool(np.array_equal(result.states, original)),
        "converged": result.converged,
        "sweeps": result.sweeps,
        "energies": [float(e) for e in result.energies],   # E at the start and after each unit update
        "sweep_energies": [float(e) for e in result.energies[::n]],  # ... and after each sweep
        "stored_are_fixed_points": bool(all(np.array_equal(net.recall(p).states, p) for p in patterns)),
    }


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
    flips = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_FLIPS
    result = main(seed, flips)
    print(f"Stored {len(LETTERS)} letters ({', '.join(LETTERS)}) in a Hopfield network of "
          f"{SIDE * SIDE} units; flipped {flips} pixels of {result['letter']!r} (seed {seed}).\n")
    print(f"{'corrupted':<{SIDE + 4}}{'recalled':<{SIDE + 4}}original")
    for rows in zip(draw(result["corrupted"]), draw(result["recalled"]), draw(result["original"])):
        print("    ".join(rows))
    print("\nenergy E = -½ sᵀWs at the start and after every 10 unit updates:")
    print("  " + " → ".join(f"{e:.1f}" for e in result["energies"][::10]))
    outcome = "restored exactly" if result["restored"] else f"NOT restored (closest letter: {result['recalled_letter']})"
    print(f"\n{result['letter']!r} {outcome}; {'converged' if result['converged'] else 'did not converge'} "
          f"after {result['sweeps']} sweeps (the last changed nothing).")
