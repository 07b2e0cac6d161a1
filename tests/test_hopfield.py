"""Hopfield networks: Hebbian weights, recall, energy, capacity, errors and saving."""

import json
import os

import numpy as np
import pytest

import axonal
import axonal.io
from axonal.hopfield import Hopfield


def random_patterns(p, n, seed):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(p, n))


def flip(patterns, bits, seed):
    """Copies of ``patterns`` with exactly ``bits`` distinct bits of each row flipped."""
    rng = np.random.default_rng(seed)
    noisy = patterns.copy()
    for row in noisy:
        row[rng.choice(row.size, size=bits, replace=False)] *= -1
    return noisy


def hebbian_reference(patterns):
    """W = (1/n)·Σ_μ ξξᵀ with zero diagonal, written out pattern by pattern."""
    n = patterns.shape[1]
    w = np.zeros((n, n))
    for xi in patterns:
        w += np.outer(xi, xi)
    w /= n
    for i in range(n):
        w[i, i] = 0.0
    return w


def energy_reference(w, s):
    """E = -½ Σ_ij s_i W_ij s_j (θ = 0), one state at a time."""
    return -0.5 * float(s @ w @ s)


def fraction_restored(n, p, bits, seeds, mode="async"):
    restored = []
    for seed in seeds:
        patterns = random_patterns(p, n, seed)
        net = Hopfield(n, seed=seed)
        net.store(patterns)
        states = net.recall(flip(patterns, bits, seed + 1000), mode=mode).states
        restored.extend((states == patterns).all(axis=1))
    return float(np.mean(restored))


# -- (1) recall from noise --------------------------------------------------------------------
def test_restores_each_of_10_patterns_in_100_units_from_10_flipped_bits():
    # 10 patterns in 100 units is a load of 0.1, below capacity (0.138) but above
    # n/(4 ln n) ≈ 5.4, so perfect recall of every pattern holds for most seeds, not all
    # (see test_recall_quality_at_load_0_1): this seed's patterns are all stable.
    patterns = random_patterns(10, 100, seed=0)
    net = Hopfield(100, seed=0)
    net.store(patterns)
    noisy = flip(patterns, 10, seed=1)
    assert ((noisy != patterns).sum(axis=1) == 10).all()
    for xi, x in zip(patterns, noisy):
        result = net.recall(x, mode="async")
        np.testing.assert_array_equal(result.states, xi)
        assert result.converged and not result.cycle and 1 < result.sweeps < 100
    batch = net.recall(noisy)                                 # the same, vectorised over the batch
    np.testing.assert_array_equal(batch.states, patterns)
    assert batch.converged.all() and batch.states.shape == (10, 100)


def test_recall_quality_at_load_0_1():
    # Over 20 independent networks, ≥ 90 % of patterns come back exactly (measured: 95 %).
    assert fraction_restored(100, 10, 10, seeds=range(20)) >= 0.9


# -- (2) energy ---------------------------------------------------------------------------------
def test_energy_never_increases_unit_update_by_unit_update():
    n = 60
    patterns = random_patterns(6, n, seed=3)
    net = Hopfield(n, seed=3)
    net.store(patterns)
    w = hebbian_reference(patterns)
    starts = np.random.default_rng(4).choice([-1.0, 1.0], size=(40, n))   # 40 random starts
    result = net.recall(starts, trajectory="update")
    path, energies = result.trajectory, result.energies
    sweeps_run = int(result.sweeps.max())
    assert path.shape == (1 + sweeps_run * n, 40, n) and energies.shape == (1 + sweeps_run * n, 40)
    # each step changes at most one unit per start
    assert ((path[1:] != path[:-1]).sum(axis=2) <= 1).all()
    # the recorded energies are E of the recorded states, computed independently
    expected = np.array([[energy_reference(w, s) for s in frame] for frame in path[::7]])
    np.testing.assert_allclose(energies[::7], expected, rtol=0, atol=1e-9)
    steps = np.diff(energies, axis=0)
    assert (steps <= 1e-12).all()
    assert (steps < -1e-9).any()           # and it does go down
    # every flip lowers E by 2|h_i| > 0 (W symmetric, zero diagonal, ties keep their state)
    flipped = (path[1:] != path[:-1]).any(axis=2)
    assert (steps[flipped] < 0).all() and np.all(steps[~flipped] == 0)
    np.testing.assert_array_equal(path[-1], result.states)


def test_energy_is_non_increasing_sweep_by_sweep_and_batch_aware():
    patterns = random_patterns(12, 80, seed=5)
    net = Hopfield(80, seed=5)
    net.store(patterns)
    starts = np.random.default_rng(6).choice([-1.0, 1.0], size=(100, 80))
    result = net.recall(starts, trajectory="sweep")
    assert (np.diff(result.energies, axis=0) <= 1e-12).all()
    w = hebbian_reference(patterns)
    np.testing.assert_allclose(net.energy(starts), [energy_reference(w, s) for s in starts], atol=1e-9)
    assert isinstance(net.energy(starts[0]), float)
    # thresholds add θᵀs
    net.thresholds = np.linspace(-1, 1, 80)
    np.testing.assert_allclose(net.energy(starts[0]), energy_reference(w, starts[0]) + net.thresholds @ starts[0])


# -- (3) fixed points ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_stored_patterns_are_fixed_points(seed):
    patterns = random_patterns(5, 100, seed)              # 5 ≤ n/(4 ln n): all stable w.h.p.
    net = Hopfield(100, seed=seed)
    net.store(patterns)
    w = hebbian_reference(patterns)
    np.testing.assert_array_equal(np.sign(patterns @ w), patterns)   # sgn(Wξ) = ξ
    for mode in ("async", "sync"):
        result = net.recall(patterns, mode=mode)
        np.testing.assert_array_equal(result.states, patterns)
        assert result.converged.all() and (result.sweeps == 1).all() and not result.cycle.any()


# -- (4) Hebbian weights ------------------------------------------------------------------------
def test_weights_follow_the_hebbian_outer_product_rule():
    patterns = random_patterns(7, 30, seed=8)
    net = Hopfield(30)
    net.store(patterns)
    w = net.weights
    np.testing.assert_allclose(w, hebbian_reference(patterns), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(w, w.T)
    assert not np.diag(w).any() and net.patterns_stored == 7
    # storing accumulates: two calls give the weights of one
    net2 = Hopfield(30)
    net2.store(patterns[:3])
    net2.store(patterns[3])                                # a single (n,) pattern
    net2.store(patterns[4:])
    np.testing.assert_array_equal(net2.weights, w)
    net2.forget()
    assert not net2.weights.any() and net2.patterns_stored == 0
    assert net.capacity == pytest.approx(0.138 * 30) and net.load_factor == pytest.approx(7 / 30)


# -- (5) synchronous recall ---------------------------------------------------------------------
def test_sync_recall_reports_a_two_cycle():
    net = Hopfield(2)
    net.store([1, 1])                                     # W = [[0, ½], [½, 0]]
    result = net.recall([1, -1], mode="sync", trajectory="sweep")
    # all units at once: (1, -1) → (-1, 1) → (1, -1): a 2-cycle, not a fixed point
    assert result.cycle and not result.converged and result.sweeps == 2
    np.testing.assert_array_equal(result.trajectory, [[1, -1], [-1, 1], [1, -1]])
    # one at a time the same start settles into a stored state (or its negative)
    settled = net.recall([1, -1], mode="async")
    assert settled.converged and abs(settled.states.sum()) == 2


def test_sync_recall_ends_in_a_fixed_point_or_two_cycle_and_says_which():
    patterns = random_patterns(40, 100, seed=9)           # overloaded: cycles do occur
    net = Hopfield(100)
    net.store(patterns)
    result = net.recall(flip(patterns, 10, seed=10), mode="sync", max_sweeps=200)
    assert (result.converged ^ result.cycle).all()        # each row ends one way, never both
    assert result.cycle.any() and result.converged.any()
    assert (result.sweeps < 200).all()
    w = hebbian_reference(patterns)
    fixed = result.states[result.converged]
    np.testing.assert_array_equal(np.where(fixed @ w > 0, 1.0, np.where(fixed @ w < 0, -1.0, fixed)), fixed)
    light = Hopfield(100)
    light.store(patterns[:5])
    ok = light.recall(flip(patterns[:5], 10, seed=11), mode="sync")
    np.testing.assert_array_equal(ok.states, patterns[:5])
    assert ok.converged.all()


# -- (6) reproducibility ------------------------------------------------------------------------
def test_same_seed_gives_the_same_trajectory():
    patterns = random_patterns(8, 50, seed=12)
    starts = np.random.default_rng(13).choice([-1.0, 1.0], size=(5, 50))
    runs = []
    for seed in (21, 21, 22):
        net = Hopfield(50, seed=seed)
        net.store(patterns)
        np.random.seed(seed + 1)                          # global state must not matter
        runs.append(net.recall(starts, trajectory="update"))
    np.testing.assert_array_equal(runs[0].trajectory, runs[1].trajectory)
    np.testing.assert_array_equal(runs[0].sweeps, runs[1].sweeps)
    assert runs[0].trajectory.shape != runs[2].trajectory.shape or \
        not np.array_equal(runs[0].trajectory, runs[2].trajectory)   # another seed, another order


# -- (7) capacity -------------------------------------------------------------------------------
def test_recall_degrades_beyond_capacity():
    under = fraction_restored(100, 5, 10, seeds=range(5))
    over = fraction_restored(100, 40, 10, seeds=range(5))   # load 0.4 ≫ 0.138
    assert under == 1.0
    assert over < 0.1                                       # measured: 0.0
    # beyond capacity even the stored patterns stop being fixed points
    patterns = random_patterns(40, 100, seed=0)
    net = Hopfield(100, seed=0)
    net.store(patterns)
    assert net.patterns_stored > net.capacity
    result = net.recall(patterns)
    fixed_points = result.converged & (result.sweeps == 1)   # the first sweep changed nothing
    assert fixed_points.mean() < 0.1


# -- (8) errors ---------------------------------------------------------------------------------
def test_errors_name_what_was_wrong():
    net = Hopfield(4)
    with pytest.raises(ValueError, match=r"shape \(4,\) or \(batch, 4\), got shape \(2, 2, 4\)"):
        net.store(np.ones((2, 2, 4)))
    with pytest.raises(ValueError, match="got shape ()"):
        net.recall(1.0)
    with pytest.raises(ValueError, match=r"size mismatch: the network has 4 units but each pattern in patterns has 5 values"):
        net.store(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"size mismatch: the network has 4 units but each pattern in x has 3 values"):
        net.recall([1, 1, -1])
    with pytest.raises(ValueError, match=r"only -1 and 1 \(sign units\), got 0(\.0)? at index \(1, 2\)"):
        net.store([[1, 1, 1, 1], [1, -1, 0, 1]])
    with pytest.raises(ValueError, match=r"only -1 and 1.*got 0\.5"):
        net.recall([1, 0.5, 1, 1])
    with pytest.raises(ValueError, match=r"only 0 and 1 \(binary units\), got -1"):
        Hopfield(4, units="binary").store([1, 0, -1, 1])
    with pytest.raises(ValueError, match="only -1 and 1.*got nan"):
        net.energy([1, np.nan, 1, 1])
    with pytest.raises(TypeError, match="numeric"):
        net.store(["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="unknown units 'bipolar'; valid: sign, binary"):
        Hopfield(4, units="bipolar")
    with pytest.raises(ValueError, match="size must be a positive integer"):
        Hopfield(0)
    with pytest.raises(ValueError, match="unknown mode 'parallel'"):
        net.recall([1, 1, 1, 1], mode="parallel")
    with pytest.raises(ValueError, match="max_sweeps must be a positive integer"):
        net.recall([1, 1, 1, 1], max_sweeps=0)
    with pytest.raises(ValueError, match="trajectory='update' needs mode='async'"):
        net.recall([1, 1, 1, 1], mode="sync", trajectory="update")
    with pytest.raises(ValueError, match=r"thresholds must be a scalar or shape \(4,\), got shape \(3,\)"):
        net.thresholds = [0.0, 0.0, 0.0]
    assert net.patterns_stored == 0 and not net.weights.any()    # failed stores changed nothing


# -- (9) binary units ---------------------------------------------------------------------------
def test_binary_units_store_and_restore_patterns():
    spins = random_patterns(10, 100, seed=0)
    binary = (spins + 1) / 2                                 # the same patterns as 0/1
    net = Hopfield(100, units="binary", seed=0)
    net.store(binary)
    # the 0/1 Hebbian rule W = (1/n)·Σ(2ξ-1)(2ξ-1)ᵀ is the ±1 rule on 2ξ-1
    np.testing.assert_allclose(net.weights, hebbian_reference(2 * binary - 1), atol=1e-15)
    noisy = binary.copy()
    rng = np.random.default_rng(1)
    for row in noisy:
        idx = rng.choice(100, size=10, replace=False)
        row[idx] = 1 - row[idx]
    result = net.recall(noisy)
    np.testing.assert_array_equal(result.states, binary)
    assert set(np.unique(result.states)) == {0.0, 1.0} and result.converged.all()
    # and the 0/1 network recalls exactly what the ±1 network recalls
    twin = Hopfield(100, seed=0)
    twin.store(spins)
    np.testing.assert_array_equal(2 * result.states - 1, twin.recall(2 * noisy - 1).states)
    # E(2v - 1) = 4·E'(v) + const, E' the energy of the 0/1 network with θ' = W·1/2
    w = net.weights
    v = noisy[:3]
    e01 = -0.5 * np.einsum("bi,ij,bj->b", v, w, v) + v @ (w.sum(axis=1) / 2)
    np.testing.assert_allclose(net.energy(v) - 4 * e01, -0.5 * w.sum(), atol=1e-9)


# -- saving -------------------------------------------------------------------------------------
def test_save_and_load_round_trip(tmp_path):
    patterns = random_patterns(6, 40, seed=14)
    net = Hopfield(40, units="sign", thresholds=np.full(40, 0.05), seed=3)
    net.store(patterns)
    path = tmp_path / "memory.axonal"
    axonal.save(net, path, metadata={"letters": "AT"})
    assert os.listdir(tmp_path) == ["memory.axonal"]   # no temporary file left behind
    again = axonal.load(path)
    assert isinstance(again, Hopfield) and again.metadata_ == {"letters": "AT"}
    assert (again.size, again.units, again.patterns_stored, again.seed) == (40, "sign", 6, 3)
    np.testing.assert_array_equal(again.weights, net.weights)
    np.testing.assert_array_equal(again.thresholds, net.thresholds)
    starts = flip(patterns, 4, seed=15)
    np.testing.assert_array_equal(again.recall(starts, trajectory="update").trajectory,
                                  net.recall(starts, trajectory="update").trajectory)
    axonal.save(again, tmp_path / "again.axonal")
    assert (tmp_path / "again.axonal").read_bytes() == path.read_bytes()
    again.store(patterns[:1])                                # keeps learning where it left off
    assert again.patterns_stored == 7
    assert Hopfield.from_dict(net.to_dict()).to_dict()["patterns_stored"] == 6
    header = axonal.io.read_header(path)
    assert header["kind"] == "hopfield" and header["hopfield"]["size"] == 40
    with pytest.raises(ValueError, match="no optimizer or schedule"):
        axonal.io.to_bytes(net, optimizer=axonal.SGD(0.1))


def test_the_core_does_no_file_io():
    import axonal.hopfield as module
    assert not hasattr(Hopfield, "save") and not hasattr(Hopfield, "load")
    assert "_files" not in vars(module) and "safetensors" not in open(module.__file__).read()


def _sealed(blob, change):
    """``blob`` with its axonal header changed by ``change`` and sealed again (a valid digest)."""
    from axonal.io.container import seal
    n = int.from_bytes(blob[:8], "little")
    outer = json.loads(blob[8:8 + n])
    inner = json.loads(outer.pop("__metadata__")["axonal"])
    change(inner, outer)
    return seal(inner, outer, blob[8 + n:])


@pytest.mark.parametrize("change, fragment", [
    (lambda h, t: h["hopfield"].update(size=10**12), "'hopfield' must be {size (1 to 46340)"),
    (lambda h, t: h["hopfield"].update(size=6), "has shape (5, 5); the architecture needs (6, 6)"),
    (lambda h, t: h["hopfield"].update(units=["sign"]), "'hopfield' must be"),
    (lambda h, t: h["hopfield"].update(patterns_stored=2**80), "'hopfield' must be"),
    (lambda h, t: h["hopfield"].update(patterns_stored=4), "not the Hebbian sum of 4"),
    (lambda h, t: h["hopfield"].update(seed=-1), "'hopfield' must be"),
    (lambda h, t: h["hopfield"].update(seed=1.5), "'hopfield' must be"),
    (lambda h, t: h["hopfield"].pop("seed"), "'hopfield' must be"),
    (lambda h, t: h.update(kind="network"), "header fields missing"),
    (lambda h, t: h.update(kind="Hopfield"), "header field 'kind' must be one of"),
    (lambda h, t: t["hopfield.thresholds"].update(shape=[5, 1]), "has shape (5, 1)"),
])
def test_hostile_hopfield_headers_raise_model_file_error(tmp_path, change, fragment):
    net = Hopfield(5, seed=1)
    net.store(random_patterns(3, 5, seed=0))
    path = tmp_path / "bad.axonal"
    path.write_bytes(_sealed(axonal.io.to_bytes(net), change))
    with pytest.raises(axonal.io.ModelFileError) as info:
        axonal.load(path)
    assert fragment in str(info.value)


def test_load_rejects_bad_files(tmp_path):
    from safetensors.numpy import save_file

    junk = tmp_path / "junk.axonal"
    junk.write_bytes(b"\x00" * 3)
    with pytest.raises(axonal.io.ModelFileError, match="junk.axonal: not an axonal model file"):
        axonal.load(junk)
    foreign = tmp_path / "foreign.axonal"
    save_file({"w": np.zeros(3)}, str(foreign))
    with pytest.raises(axonal.io.ModelFileError, match="without the 'axonal' header"):
        axonal.load(foreign)
    # a tampered Hebbian sum (not symmetric) is refused
    net = Hopfield(5)
    net.store(random_patterns(3, 5, seed=0))
    data = net.to_dict()
    data["hebbian_sum"][0, 1] += 2
    with pytest.raises(ValueError, match="not the Hebbian sum of 3"):
        Hopfield.from_dict(data)
    with pytest.raises(ValueError, match="expected the keys"):
        Hopfield.from_dict({"size": 5})


@pytest.mark.parametrize("stored", [0, 1, 2, 7])
def test_the_hebbian_sum_check_holds_for_large_memories_by_blocks(stored):
    net = Hopfield(600)  # more rows than one checked block
    net.store(random_patterns(stored, 600, seed=stored))
    assert Hopfield.from_dict(net.to_dict()).patterns_stored == stored
    for i, j, both_sides in ((599, 3, False), (300, 300, False), (10, 590, True)):  # asymmetric, diagonal, parity
        data = net.to_dict()
        data["hebbian_sum"][i, j] += 1.0 if both_sides or i == j else 2.0
        if both_sides:
            data["hebbian_sum"][j, i] += 1.0
        with pytest.raises(ValueError, match=f"not the Hebbian sum of {stored}"):
            Hopfield.from_dict(data)


def test_a_version_1_hopfield_file_is_refused_then_upgraded(tmp_path):
    from safetensors.numpy import save as to_bytes

    net = Hopfield(6, units="binary", seed=4)
    net.store(random_patterns(2, 6, seed=2) > 0)
    data = net.to_dict()
    header = {"format": "axonal.hopfield", "format_version": 1, "size": 6, "units": "binary",
              "patterns_stored": 2, "seed": 4}
    old = tmp_path / "old.safetensors"
    old.write_bytes(to_bytes({"hebbian_sum": data["hebbian_sum"].astype(np.int64),
                              "thresholds": data["thresholds"]}, metadata={"axonal": json.dumps(header)}))
    with pytest.raises(axonal.io.ModelFileError, match="format version 1.*axonal.io.upgrade"):
        axonal.load(old)
    axonal.io.upgrade(old, tmp_path / "new.axonal")
    again = axonal.load(tmp_path / "new.axonal")
    assert again.units == "binary" and again.seed == 4
    np.testing.assert_array_equal(again.weights, net.weights)
