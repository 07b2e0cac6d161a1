"""Training killed with SIGKILL at random moments, some during a checkpoint write, resumes bit for bit.

A child process trains with a checkpoint after every epoch and ``resume=True``;
the test kills it again and again, restarts it each time, and finally lets it
finish. Its final weights and losses must equal an uninterrupted run's. The kills
fall after epochs drawn at random from the whole run, one from each of ``KILLS``
equal stretches of it (so early, middle and late epochs are all hit); every other
kill waits for the moment the checkpoint's temporary file appears and lands inside
that write, the others land a random few milliseconds after an epoch ends.
The command line does the same with ``--checkpoint`` and ``--resume``.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import checkpoint_child

CHILD = Path(__file__).with_name("checkpoint_child.py")
# The child imports the axonal these tests import (the source tree's, ahead of an installed copy), so it
# runs the same code as the uninterrupted run it is compared with and finds the kernels that run compiled.
ROOT = Path(__file__).resolve().parent.parent
CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
pytestmark = pytest.mark.slow


def _stamp(path: Path):
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _temp_files(folder: Path, name: str):
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.axonal-tmp-")]


# Eight kills a case: four inside a checkpoint write and four at a random moment, one in each eighth of the
# run; each restart costs a whole interpreter, NumPy and the compiled kernels, so the count is what the test
# needs rather than as many as time allows.
KILLS = 8


def _kill_epochs(epochs: int, kills: int, rng: random.Random):
    """One epoch from each of ``kills`` equal stretches of ``1 .. epochs - 2``, increasing: early to late.

    The last epoch is never a target: the child must still be training when it is killed.
    """
    bounds = [1 + round(k * (epochs - 2) / kills) for k in range(kills + 1)]
    return [rng.randrange(low, high) for low, high in zip(bounds, bounds[1:])]


def _kill_child_repeatedly(case: str, folder: Path, epochs: int, kills: int, seed: int):
    """Run the child, kill it ``kills`` times, then let it finish; return how many kills hit a write.

    Kill ``k`` waits for the child to announce epoch ``_kill_epochs(...)[k]`` or a later one (epochs are
    counted over the whole run, resumes included); odd kills then wait for that epoch's checkpoint write.
    """
    rng = random.Random(seed)
    during_write = 0
    for done, target in enumerate(_kill_epochs(epochs, kills, rng)):
        child = subprocess.Popen([sys.executable, str(CHILD), case, str(folder)], stdout=subprocess.PIPE, text=True,
                                 env=CHILD_ENV)
        for line in child.stdout:
            if line.startswith("epoch") and int(line.split()[1]) >= target:
                break
        hunt_write = done % 2 == 1
        if hunt_write:  # the checkpoint of the epoch just announced is being written now
            deadline = time.monotonic() + 2.0
            while child.poll() is None and time.monotonic() < deadline and not _temp_files(folder, "run.ckpt"):
                pass
            during_write += bool(_temp_files(folder, "run.ckpt"))
        else:
            time.sleep(rng.uniform(0.0, 0.01))
        if child.poll() is not None:  # finished before we could kill it: too short a run for this test
            pytest.fail(f"the child finished training before kill {done + 1} (after epoch {target})")
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    finish = subprocess.run([sys.executable, str(CHILD), case, str(folder)], capture_output=True, text=True,
                            timeout=300, env=CHILD_ENV)
    assert finish.returncode == 0, finish.stderr[-2000:]
    return during_write


def test_the_kill_epochs_cover_the_run_from_early_to_late():
    for seed in range(20):
        targets = _kill_epochs(45, KILLS, random.Random(seed))
        assert targets == sorted(set(targets)) and 1 <= targets[0] <= 5 and 39 <= targets[-1] <= 43


@pytest.mark.parametrize("case", sorted(checkpoint_child.CASES))
def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_run(case, tmp_path):
    weights, losses = checkpoint_child.run(case)
    during_write = _kill_child_repeatedly(case, tmp_path, len(losses), kills=KILLS, seed=0)
    final = np.load(tmp_path / "final.npz")
    assert list(final["loss"]) == losses
    assert set(final.files) == set(weights) | {"loss"}
    for name, value in weights.items():
        assert np.array_equal(final[name], value), name
    assert during_write >= 2  # some kills landed inside a checkpoint write, and it survived them
    assert not _temp_files(tmp_path, "run.ckpt")  # the last save swept the temporary files left by kills


def test_the_command_line_resumes_a_killed_run_to_the_same_model_file(tmp_path):
    common = ["--epochs", "40", "--hidden", "64", "--no-plot", "--no-progress", "--seed", "3"]
    straight = subprocess.run([sys.executable, "-m", "axonal", "train", *common, "--output",
                               str(tmp_path / "straight.axonal")], capture_output=True, text=True, timeout=300)
    assert straight.returncode == 0, straight.stderr
    checkpoint, model = tmp_path / "run.ckpt", tmp_path / "resumed.axonal"
    start = [sys.executable, "-m", "axonal", "train", *common, "--output", str(model), "--checkpoint", str(checkpoint)]
    resume = [sys.executable, "-m", "axonal", "train", "--resume", str(checkpoint)]
    rng = random.Random(1)
    kills = 0
    while kills < 6:
        child = subprocess.Popen(resume if checkpoint.exists() else start, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        writes, last = rng.randint(1, 4), _stamp(checkpoint)
        while child.poll() is None and writes:  # kill after a few checkpoint writes, at a random moment
            if _stamp(checkpoint) != last:
                writes, last = writes - 1, _stamp(checkpoint)
        time.sleep(rng.uniform(0.0, 0.02))
        if child.poll() is not None:
            break
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
    assert kills >= 4 and checkpoint.exists()
    if not model.exists():
        run = subprocess.run(resume, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
    assert model.read_bytes() == (tmp_path / "straight.axonal").read_bytes()
