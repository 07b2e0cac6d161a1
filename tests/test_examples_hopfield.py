"""examples/hopfield_memory.py restores the corrupted letter exactly.

tests/test_examples.py runs the script by its command and checks what it prints.
"""

import numpy as np
import pytest
from example_scripts import load


@pytest.fixture(scope="module")
def example():
    return load("hopfield_memory")


def test_corrupted_letter_is_restored_exactly(example):
    result = example.main()
    assert result["flipped"] == example.DEFAULT_FLIPS
    assert int(np.sum(result["corrupted"] != result["original"])) == example.DEFAULT_FLIPS
    np.testing.assert_array_equal(result["recalled"], result["original"])
    assert result["restored"] and result["recalled_letter"] == result["letter"] == "A"
    assert result["converged"] and result["stored_are_fixed_points"]
    energies = np.array(result["energies"])
    assert (np.diff(energies) <= 1e-12).all() and energies[-1] < energies[0]


@pytest.mark.parametrize("letter", ["A", "T", "X", "L"])
def test_every_letter_is_restored_for_several_seeds(example, letter):
    assert all(example.main(seed, 20, letter)["restored"] for seed in range(5))
