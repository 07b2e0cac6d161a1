"""examples/hopfield_memory.py runs and restores the corrupted letter exactly."""

import importlib.util
import runpy
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "hopfield_memory.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("axonal_example_hopfield_memory", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_script_runs_and_prints_the_bitmaps(capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", [str(SCRIPT)])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    out = capsys.readouterr().out
    assert "restored exactly" in out and "→" in out
    assert ".########." in out                                # the crossbar of the recalled A
