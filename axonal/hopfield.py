"""Hopfield networks: an associative memory learned by Hebb's rule.

A Hopfield network is ``n`` threshold units, every one connected to every other
by a symmetric weight ``W_ij = W_ji`` and to none by itself (``W_ii = 0``). Its
state is a vector ``s ∈ {-1, +1}ⁿ``.

**Learning (Hebb: "fire together, wire together").** Storing ``p`` patterns
``ξ¹ … ξᵖ`` (each ``(n,)`` of ±1) sets ::

    W = (1/n) · Σ_μ ξ^μ ξ^μᵀ,   then W_ii := 0

so two units that agree in most patterns get a positive weight and two that
disagree a negative one. Storing more patterns later adds their outer products
to the same sum; :meth:`Hopfield.forget` clears it.

**Recall.** Each unit looks at its local field and takes its sign ::

    h_i = Σ_j W_ij s_j - θ_i,    s_i ← +1 if h_i > 0,  -1 if h_i < 0,  s_i if h_i = 0

(a unit on an exact tie keeps its state, so "nothing changes" is a well-defined
stopping rule). Asynchronously — one unit at a time, in a random order each
sweep — the energy ::

    E(s) = -½ sᵀ W s + θᵀ s

can only go down: flipping unit ``i`` changes it by ``ΔE = -Δs_i · h_i = -2|h_i| < 0``
(this needs ``W`` symmetric with a zero diagonal). ``E`` is bounded below, so
recall reaches a fixed point, a local minimum of ``E``; the stored patterns are
such minima while the network is not too full. Synchronously — all units at
once, ``s ← sgn(W s - θ)`` — ``E`` may rise, and the state ends in a fixed
point or a cycle of length two (Goles & Olivos, 1981); :meth:`Hopfield.recall`
detects and reports both.

**Capacity.** For random patterns and large ``n`` the stored patterns stay
(nearly) stable up to ``p ≈ 0.138·n`` (Amit, Gutfreund & Sompolinsky, 1985).
Beyond it the crosstalk between patterns (noise of variance ``≈ p/n`` in each
local field) swamps the signal and memory collapses: recall from a stored
pattern drifts to spurious states (mixtures of patterns, their negatives) and
practically nothing is restored. Below it recall is good but not perfect:
a bit of a stored pattern is unstable with probability ``≈ Φ(-√(n/p))``, and
recalling *every* pattern exactly asks for ``p ≲ n / (4 ln n)`` (McEliece et
al., 1987) — about 5 patterns for 100 units. Note also that ``-ξ`` is stored
whenever ``ξ`` is: ``E(-s) = E(s)`` when ``θ = 0``.

**Binary 0/1 units.** ``units="binary"`` is the same network written in another
alphabet, ``v = (s + 1)/2``. Patterns and states of 0/1 are mapped to ±1 on the
way in and back on the way out, so the learning rule is the 0/1 Hebbian rule
``W = (1/n)·Σ_μ (2ξ^μ - 1)(2ξ^μ - 1)ᵀ`` and thresholds ``θ`` act on the ±1
field. In 0/1 terms it is the network with weights ``W`` and thresholds
``θ' = (θ + W·1)/2`` (unit ``i`` turns on when ``Σ_j W_ij v_j > θ'_i``), whose
energy ``E'(v) = -½ vᵀWv + θ'ᵀv`` satisfies ``E(2v - 1) = 4·E'(v) + const``:
the same landscape, so :meth:`Hopfield.energy` reports ``E`` of the ±1 image.

Arithmetic is float64. The Hebbian sum ``Σ ξξᵀ`` is kept as exact integers and
divided by ``n`` only at the end, so the ties above are exact and a saved
network reloads bit for bit.

>>> import numpy as np
>>> net = Hopfield(8, seed=0)
>>> net.store([[1, 1, 1, 1, -1, -1, -1, -1], [1, -1, 1, -1, 1, -1, 1, -1]])
>>> noisy = np.array([-1, 1, 1, 1, -1, -1, -1, -1])        # first pattern, bit 0 flipped
>>> result = net.recall(noisy)
>>> result.states.astype(int).tolist(), result.converged, result.sweeps
([1, 1, 1, 1, -1, -1, -1, -1], True, 2)
"""

from __future__ import annotations

import numpy as np

from .hopfield_recall import Recall
from .validation import positive_int

__all__ = ["CAPACITY_RATIO", "Hopfield", "Recall"]

#: patterns per unit a network of random patterns holds (Amit, Gutfreund & Sompolinsky)
CAPACITY_RATIO = 0.138
#: the most patterns a memory counts: its Hebbian sum stays exact in float64 below 2**53
MAX_PATTERNS = 2**53

_UNITS = {"sign": (-1.0, 1.0), "binary": (0.0, 1.0)}
_MODES = ("async", "sync")
_TRAJECTORIES = (None, "sweep", "update")
_CHECK_ROWS = 256  # rows of the Hebbian sum checked at a time: bounded temporaries


class Hopfield:
    """A fully connected network of ``size`` threshold units trained by Hebb's rule.

    Parameters
    ----------
    size : int
        Number of units ``n``.
    units : {"sign", "binary"}, optional
        Alphabet of patterns and states: ±1 (default) or 0/1 (mapped to ±1
        inside, see the module docstring).
    thresholds : float or array-like (n,), optional
        ``θ`` in ``h = W s - θ``; default 0.
    seed : int or numpy.random.Generator, optional
        Source of the random unit order of asynchronous recall. Successive
        recalls continue the same stream; two networks built with the same seed
        recall identically.
    """

    def __init__(self, size: int, *, units: str = "sign", thresholds=None, seed=None):
        positive_int(size, "Hopfield", "size")
        if not isinstance(units, str) or units not in _UNITS:
            raise ValueError(f"Hopfield: unknown units {units!r:.40}; valid: {', '.join(_UNITS)}")
        self.size = int(size)
        self.units = units
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        # Σ_μ ξξᵀ (±1 form) with a zero diagonal; integer-valued, exact in float64 below 2⁵³.
        self._hebbian_sum = np.zeros((self.size, self.size))
        self.patterns_stored = 0
        self.thresholds = 0.0 if thresholds is None else thresholds
        #: free JSON data stored with the memory in a model file (``axonal.save(net, path, metadata=...)``)
        self.metadata_ = None

    # -- parameters --------------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """``W = (1/n)·Σ_μ ξξᵀ`` with zero diagonal, (n, n), symmetric (a new array)."""
        return self._hebbian_sum / self.size

    @property
    def thresholds(self) -> np.ndarray:
        """``θ``, (n,); set from a scalar or an ``(n,)`` array."""
        return self._thresholds.copy()

    @thresholds.setter
    def thresholds(self, value) -> None:
        theta = np.asarray(value, dtype=np.float64)
        if theta.ndim == 0:
            theta = np.full(self.size, float(theta))
        if theta.shape != (self.size,):
            raise ValueError(f"Hopfield({self.size}): thresholds must be a scalar or shape ({self.size},), "
                             f"got shape {theta.shape}")
        if not np.isfinite(theta).all():
            raise ValueError(f"Hopfield({self.size}): thresholds must be finite")
        self._thresholds = theta.copy()

    @property
    def capacity(self) -> float:
        """``0.138·n``: random patterns the network holds before memory collapses.

        Below this load stored patterns are stable up to a few per cent of their
        bits; above it recall fails (see the module docstring).
        """
        return CAPACITY_RATIO * self.size

    @property
    def load_factor(self) -> float:
        """``p/n``, patterns stored per unit (compare with 0.138)."""
        return self.patterns_stored / self.size

    # -- learning ----------------------------------------------------------------------------
    def store(self, patterns) -> None:
        """Add ``patterns`` to the memory by Hebb's rule ``W += (1/n)·Σ_μ ξ^μ ξ^μᵀ`` (diagonal kept 0).

        Parameters
        ----------
        patterns : array-like, (p, n) or (n,)
            ±1 values for sign units, 0/1 for binary units.
        """
        xi = self._as_spins(patterns, "store", "patterns")
        self._hebbian_sum += xi.T @ xi     # Σ_μ ξ^μ ξ^μᵀ: exact, the entries are integers
        np.fill_diagonal(self._hebbian_sum, 0.0)
        self.patterns_stored += len(xi)

    def forget(self) -> None:
        """Erase every stored pattern (``W = 0``); thresholds and seed stay."""
        self._hebbian_sum[...] = 0.0
        self.patterns_stored = 0

    # -- energy and recall -------------------------------------------------------------------
    def energy(self, x) -> np.ndarray | float:
        """``E(s) = -½ sᵀWs + θᵀs`` of states ``x``, (n,) → float or (..., n) → (...)."""
        s = self._as_spins(x, "energy", "states", keep_shape=True)
        value = self._energy(s)
        return float(value) if value.ndim == 0 else value

    def _energy(self, s: np.ndarray) -> np.ndarray:
        # sᵀ(Σξξᵀ)s is an exact integer; one division by n keeps it so for θ = 0.
        quadratic = np.einsum("...i,...i->...", s @ self._hebbian_sum, s)
        return -0.5 * quadratic / self.size + s @ self._thresholds

    def recall(self, x, *, mode: str = "async", max_sweeps: int = 100, trajectory: str | None = None) -> Recall:
        """Run the network from ``x`` until it settles; return a :class:`Recall`.

        Parameters
        ----------
        x : array-like, (n,) or (b, n)
            Starting state(s) (a noisy or partial pattern), in the network's alphabet.
            A batch is recalled at once; each row is independent of the others
            except that, asynchronously, all rows share each sweep's unit order.
        mode : {"async", "sync"}
            ``"async"``: each sweep updates the units one at a time, in a fresh
            random order drawn from the network's generator, and recall stops
            once a full sweep changes nothing (``E`` never increases).
            ``"sync"``: each sweep updates all units at once,
            ``s ← sgn(W s - θ)``, and stops at a fixed point or a 2-cycle.
        max_sweeps : int
            Give up after this many sweeps (``converged`` is then False).
        trajectory : {None, "sweep", "update"}
            Record the states and energies after every sweep, or (asynchronous
            recall only) after every unit update: ``1 + sweeps·n`` states of
            ``(b, n)`` — meant for small networks and for study.
        """
        if mode not in _MODES:
            raise ValueError(f"Hopfield.recall: unknown mode {mode!r}; valid: {', '.join(_MODES)}")
        positive_int(max_sweeps, "Hopfield.recall", "max_sweeps")
        if trajectory not in _TRAJECTORIES:
            raise ValueError(f"Hopfield.recall: trajectory must be None, 'sweep' or 'update', got {trajectory!r}")
        if trajectory == "update" and mode == "sync":
            raise ValueError("Hopfield.recall: trajectory='update' needs mode='async'; "
                             "a synchronous sweep is a single update, use trajectory='sweep'")
        single = np.ndim(x) == 1
        s = self._as_spins(x, "recall", "x")
        run = self._run_async if mode == "async" else self._run_sync
        # State kept as (n, b): row i, the i-th unit across the batch, is contiguous.
        state, converged, cycle, sweeps, frames = run(np.array(s.T), int(max_sweeps), trajectory)
        states = self._from_spins(state.T)
        path = energies = None
        if trajectory is not None:
            spins = np.stack(frames).transpose(0, 2, 1)   # (T, b, n)
            energies = self._energy(spins)
            path = self._from_spins(spins)
        if single:
            return Recall(states[0], bool(converged[0]), bool(cycle[0]), int(sweeps[0]),
                          None if path is None else path[:, 0], None if energies is None else energies[:, 0])
        return Recall(states, converged, cycle, sweeps, path, energies)

    def _run_async(self, state, max_sweeps, trajectory):
        """Asynchronous sweeps over ``state`` (n, b) in place; see :meth:`recall`."""
        n, batch = state.shape
        hebbian, theta = self._hebbian_sum, self._thresholds
        converged = np.zeros(batch, dtype=bool)
        sweeps = np.full(batch, max_sweeps)
        frames = [state.copy()] if trajectory else None
        for sweep in range(1, max_sweeps + 1):
            changed = np.zeros(batch, dtype=bool)
            for i in self._rng.permutation(n):
                h = hebbian[i] @ state / n - theta[i]          # local field of unit i, (b,)
                new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, state[i]))
                changed |= new != state[i]
                state[i] = new
                if trajectory == "update":
                    frames.append(state.copy())
            if trajectory == "sweep":
                frames.append(state.copy())
            # A fixed point stays fixed under any order, so finished rows may keep sweeping.
            settled = ~changed & ~converged
            sweeps[settled] = sweep
            converged |= settled
            if converged.all():
                break
        return state, converged, np.zeros(batch, dtype=bool), sweeps, frames

    def _run_sync(self, state, max_sweeps, trajectory):
        """Synchronous sweeps over ``state`` (n, b); stop rows at a fixed point or a 2-cycle."""
        n, batch = state.shape
        converged = np.zeros(batch, dtype=bool)
        cycle = np.zeros(batch, dtype=bool)
        sweeps = np.full(batch, max_sweeps)
        frames = [state.copy()] if trajectory else None
        previous = np.full_like(state, np.nan)                             # s(t-1): none yet
        for sweep in range(1, max_sweeps + 1):
            h = self._hebbian_sum @ state / n - self._thresholds[:, None]   # (n, b)
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, state))
            done = converged | cycle
            new[:, done] = state[:, done]                                  # finished rows stay put
            fixed = ~done & (new == state).all(axis=0)
            # s(t+1) = s(t-1) ≠ s(t): a 2-cycle, the only other way a synchronous run can end.
            two_cycle = ~done & ~fixed & (new == previous).all(axis=0)
            sweeps[fixed | two_cycle] = sweep
            converged |= fixed
            cycle |= two_cycle
            previous, state = state, new
            if frames is not None:
                frames.append(state.copy())
            if (converged | cycle).all():
                break
        return state, converged, cycle, sweeps, frames

    # -- saving ------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Everything that defines the network: plain values and two arrays.

        ``{"size", "units", "patterns_stored", "seed", "hebbian_sum" (n, n), "thresholds" (n,)}``;
        ``seed`` is None unless it was an int. :meth:`from_dict` inverts it.
        """
        seed = int(self.seed) if isinstance(self.seed, (int, np.integer)) else None
        return {"size": self.size, "units": self.units, "patterns_stored": self.patterns_stored,
                "seed": seed, "hebbian_sum": self._hebbian_sum.copy(), "thresholds": self.thresholds}

    @classmethod
    def from_dict(cls, data: dict) -> Hopfield:
        """Rebuild a network from :meth:`to_dict`'s output, checking every field."""
        where = "Hopfield.from_dict"
        expected = {"size", "units", "patterns_stored", "seed", "hebbian_sum", "thresholds"}
        if not isinstance(data, dict) or set(data) != expected:
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"{where}: expected the keys {sorted(expected)}, got {got}")
        seed, stored, size = data["seed"], data["patterns_stored"], data["size"]
        hebbian = np.asarray(data["hebbian_sum"])
        problem = ("seed must be a non-negative integer or None" if seed is not None and not _is_count(seed)
                   else "patterns_stored must be an integer in [0, 2**53]"
                   if not (_is_count(stored) and stored <= MAX_PATTERNS)
                   else f"hebbian_sum must be a finite (size, size) array, size = {size!r:.20}"
                   if not (_is_count(size) and hebbian.shape == (size, size) and hebbian.dtype.kind in "iuf"
                           and np.isfinite(hebbian).all()) else None)
        if problem:
            raise ValueError(f"{where}: {problem}; got seed {seed!r:.30}, patterns_stored {stored!r:.30}, "
                             f"hebbian_sum of shape {hebbian.shape}")
        net = cls(size, units=data["units"], thresholds=data["thresholds"], seed=seed)
        hebbian = hebbian.astype(np.float64)
        if not _is_hebbian_sum(hebbian, int(stored)):
            raise ValueError(f"{where}: hebbian_sum is not the Hebbian sum of {stored} ±1 patterns "
                             f"(symmetric integers of the parity of {stored}, |entry| ≤ {stored}, zero diagonal)")
        net._hebbian_sum = hebbian
        net.patterns_stored = int(stored)
        return net

    # -- alphabet ----------------------------------------------------------------------------
    def _as_spins(self, x, where: str, what: str, keep_shape: bool = False) -> np.ndarray:
        """Check ``x`` against the network and return it as float64 ±1, (b, n) (or (..., n))."""
        where = f"Hopfield({self.size}, units={self.units!r}).{where}"
        try:
            arr = np.asarray(x)
        except ValueError:
            raise ValueError(f"{where}: {what} could not be read as an array; every row needs "
                             f"{self.size} values") from None
        if arr.dtype != bool and not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{where}: {what} must be numeric, got dtype {arr.dtype}")
        if arr.ndim == 0 or (not keep_shape and arr.ndim > 2):
            shape = f"({self.size},) or (batch, {self.size})" if not keep_shape else f"(..., {self.size})"
            raise ValueError(f"{where}: {what} must have shape {shape}, got shape {arr.shape}")
        if arr.shape[-1] != self.size:
            raise ValueError(f"{where}: size mismatch: the network has {self.size} units but each pattern "
                             f"in {what} has {arr.shape[-1]} values (shape {arr.shape})")
        low, high = _UNITS[self.units]
        bad = (arr != low) & (arr != high)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{where}: {what} must hold only {low:g} and {high:g} ({self.units} units), "
                             f"got {arr[index].item()!r} at index {index}")
        spins = arr.astype(np.float64)
        if self.units == "binary":
            spins = 2.0 * spins - 1.0                       # v ∈ {0, 1} → s = 2v - 1 ∈ {-1, +1}
        return spins if keep_shape else spins.reshape(-1, self.size)

    def _from_spins(self, s: np.ndarray) -> np.ndarray:
        """±1 states back to the network's alphabet."""
        return (s + 1.0) / 2.0 if self.units == "binary" else s

    def __repr__(self) -> str:
        return (f"Hopfield({self.size}, units={self.units!r}, patterns_stored={self.patterns_stored}, "
                f"capacity≈{self.capacity:.1f})")


def _is_count(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and bool(value >= 0)


def _is_hebbian_sum(hebbian: np.ndarray, stored: int) -> bool:
    """``Σ_μ ξξᵀ`` of ``stored`` ±1 patterns is symmetric with a zero diagonal, and off it holds integers
    of ``stored``'s parity, ``|entry| ≤ stored``. Checked a block of rows at a time: small temporaries."""
    ok = not np.any(np.diagonal(hebbian) != 0)
    for start in range(0, len(hebbian), _CHECK_ROWS) if ok else ():
        rows = hebbian[start:start + _CHECK_ROWS]
        odd = np.count_nonzero((rows - stored) % 2 != 0)  # the diagonal's zeros count when stored is odd
        if (not np.array_equal(rows, hebbian[:, start:start + _CHECK_ROWS].T) or np.any(rows != np.round(rows))
                or np.any(np.abs(rows) > stored) or odd != (len(rows) if stored % 2 else 0)):
            return False
    return ok
