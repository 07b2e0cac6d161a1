"""What every optimizer shares: state keyed by parameter name, penalties and clipping.

An optimizer updates a network's :class:`~axonal.parameters.ParameterSet` in
place. Each step:

1. adds the penalty gradients to the weights' gradients (not to biases or gains):
   ``L2``: the objective gains ``½·l2·Σ w²``, so ``g ← g + l2·w``;
   ``L1``: the objective gains ``l1·Σ |w|``, so ``g ← g + l1·sign(w)``;
2. clips the gradient: every element into ``[-clip_value, clip_value]``, then the
   whole vector to global L2 norm at most ``clip_norm``;
3. applies the algorithm's update rule (each subclass's docstring).

With compiled paths on (:func:`axonal.jit.enabled`), float32 and float64 parameters, the
three stages run as one pass over memory (a Numba kernel of
:mod:`axonal.kernels.optimizer_updates`, block by block; ``clip_norm`` takes the norm
between a first pass that makes the gradient and the update). The NumPy code here and in
each ``_update`` is the reference; both leave the parameters, the state and the gradient
alike (bit for bit on this machine), so a run may switch between them at any step.

State (moments, step sizes) is held in one flat buffer, ``state_buffer``: the
slots one after the other, each a segment laid out like the parameters, so the
NaN guard backs all of it up with one copy.
State is exported by parameter name: ``state_dict()`` gives
``{"iterations": t, "slots": {slot: {name: array}}}``, and ``load_state_dict``
takes the same, so state can be saved with a model and restored.
"""

from __future__ import annotations

import numpy as np

from .. import jit
from ..parameters import ParameterSet

__all__ = ["Optimizer"]


class Optimizer:
    """Base class. Subclasses set ``name`` and ``slots`` and implement ``_update``."""

    name = "optimizer"
    #: names of the per-parameter state vectors, e.g. ("m", "v") for Adam
    slots: tuple[str, ...] = ()
    #: Slots that hold sums of squares (never negative) and step sizes (always positive):
    #: a state to load is checked against them.
    non_negative_slots: tuple[str, ...] = ()
    positive_slots: tuple[str, ...] = ()

    def __init__(self, learning_rate: float = 0.01, *, l1: float = 0.0, l2: float = 0.0,
                 clip_norm: float | None = None, clip_value: float | None = None):
        _check_positive("learning_rate", learning_rate, self.name)
        for label, value in (("l1", l1), ("l2", l2)):
            if not value >= 0:
                raise ValueError(f"{self.name}: {label} must be >= 0, got {value!r}")
        for label, clip in (("clip_norm", clip_norm), ("clip_value", clip_value)):
            if clip is not None:
                _check_positive(label, clip, self.name)
        self.learning_rate = float(learning_rate)
        self.l1, self.l2 = float(l1), float(l2)
        self.clip_norm = None if clip_norm is None else float(clip_norm)
        self.clip_value = None if clip_value is None else float(clip_value)
        self.iterations = 0
        self._layout: list | None = None
        self._buffer = np.empty(0)
        self._state: dict[str, np.ndarray] = {}
        self._tmp: np.ndarray | None = None
        self._bound: ParameterSet | None = None
        self._planned_for: list | None = None
        self._blocks: np.ndarray = np.zeros((0, 2), np.int64)

    # -- stepping ----------------------------------------------------------------------
    def step(self, params: ParameterSet) -> None:
        """Update ``params.values`` in place from ``params.grads`` (which may be modified)."""
        self.bind(params)
        # A kernel for the class's own rule (not one replaced on the instance), float32 or float64.
        fusable = _has_kernel(type(self)) and "_update" not in vars(self) and params.dtype.char in "fd"
        kernels = jit.kernels("optimizer_updates") if fusable else None
        if kernels is not None:
            self._fused_step(kernels, params)
            return
        g = params.grads
        if self.l2 or self.l1:
            for start, stop in params.decay_ranges:
                w, gw = params.values[start:stop], g[start:stop]
                if self.l2:
                    gw += self.l2 * w
                if self.l1:
                    gw += self.l1 * np.sign(w)
        if self.clip_value is not None:
            np.clip(g, -self.clip_value, self.clip_value, out=g)
        if self.clip_norm is not None:
            norm = float(np.sqrt(np.dot(g, g)))
            if norm > self.clip_norm:
                g *= self.clip_norm / norm
        self.iterations += 1
        self._update(params.values, g, params)

    def _fused_step(self, kernels, params: ParameterSet) -> None:
        """``step`` in one compiled pass: the kernel makes the gradient of stages 1-2 block by
        block and updates at once. ``clip_norm`` needs ``‖g‖`` first: a first pass
        (``kernels.penalise``) then makes stages 1-2 in ``g``, NumPy takes the norm as the
        reference does, and the update pass only scales."""
        p, g = params.values, params.grads
        if params.decay_ranges is not self._planned_for:  # the blocks of this parameter layout
            self._planned_for, self._blocks = params.decay_ranges, kernels.plan(params.decay_ranges, params.size)
        gradient = [self.l2, self.l1, np.inf if self.clip_value is None else self.clip_value, 1.0]
        if self.clip_norm is not None:
            if self.l2 or self.l1 or self.clip_value is not None:
                kernels.penalise(p, g, self._blocks, np.array(gradient, dtype=p.dtype))
                gradient[:3] = [0.0, 0.0, np.inf]
            norm = float(np.sqrt(np.dot(g, g)))
            if norm > self.clip_norm:
                gradient[3] = self.clip_norm / norm
        self.iterations += 1
        self._fused_update(kernels, p, g, self._blocks, gradient)

    def _update(self, p: np.ndarray, g: np.ndarray, params: ParameterSet) -> None:
        raise NotImplementedError

    def _fused_update(self, kernels, p: np.ndarray, g: np.ndarray, blocks: np.ndarray, gradient: list) -> None:
        """The update of ``_update`` as one call of a kernel of ``kernels`` over ``blocks`` (its
        ``plan`` of this layout). ``gradient`` is ``[l2, l1, clip_value, scale]`` (see
        :mod:`axonal.kernels.optimizer_updates`): the kernel's scalars ``h`` are these and the
        algorithm's, in ``p.dtype``. Used only when the class that defines ``_update`` defines
        this too (a subclass that rewrites ``_update`` alone, or an instance given its own,
        keeps that rule on the NumPy path)."""
        raise NotImplementedError

    def bind(self, params: ParameterSet) -> None:
        """Make the state fit ``params`` (the first ``step`` does it): kept for the same layout,
        created afresh (and the step count reset) for a different one."""
        if params is self._bound:  # the same parameter vector as the last step
            return
        self._bound = params
        layout = params.layout()
        if layout == self._layout and self._tmp is not None and self._tmp.dtype == params.dtype:
            return
        if self._layout is not None and layout != self._layout:
            self.iterations = 0  # a different network: start afresh
        old: dict = self._state if self._layout == layout else {}
        self._layout = layout
        n = params.size
        self._buffer = np.empty(len(self.slots) * n, dtype=params.dtype)
        self._state = {s: self._buffer[i * n:(i + 1) * n] for i, s in enumerate(self.slots)}
        for s, view in self._state.items():
            view[...] = old[s] if s in old else self._initial_slot(s, params)
        self._tmp = np.empty(n, dtype=params.dtype)

    def __setstate__(self, state: dict) -> None:
        """After unpickling, the state slots are views of the one buffer again (pickle copies views)."""
        self.__dict__.update(state)
        n = len(self._tmp) if self._tmp is not None else 0
        if self._state and len(self._buffer) == len(self.slots) * n:
            self._state = {s: self._buffer[i * n:(i + 1) * n] for i, s in enumerate(self.slots)}

    @property
    def state_buffer(self) -> np.ndarray:
        """Every state slot in one flat vector (empty before the first step, or without slots).

        Writing it changes the state; the array stays the same object until the
        optimizer is bound to a different layout, reset or loaded.
        """
        return self._buffer

    def _initial_slot(self, slot: str, params: ParameterSet) -> np.ndarray:
        return np.zeros(params.size, dtype=params.dtype)

    def reset(self) -> None:
        """Forget all state (moments, step count)."""
        self._layout, self._state, self._tmp, self.iterations = None, {}, None, 0
        self._buffer = np.empty(0)
        self._bound = None

    # -- state by name -------------------------------------------------------------------
    def state_dict(self, params: ParameterSet | None = None) -> dict:
        """``{"iterations": t, "slots": {slot: {parameter name: array copy}}}``."""
        slots: dict = {}
        if self._layout is not None:
            names = [name for name, _ in self._layout]
            shapes = dict(self._layout)
            offsets = np.cumsum([0] + [int(np.prod(shapes[n], dtype=np.int64)) for n in names])
            for slot, flat in self._state.items():
                slots[slot] = {n: flat[offsets[i]:offsets[i + 1]].reshape(shapes[n]).copy()
                               for i, n in enumerate(names)}
        return {"iterations": self.iterations, "slots": slots}

    def load_state_dict(self, state: dict, params: ParameterSet) -> None:
        """Restore state saved by ``state_dict`` for the network whose parameters are ``params``.

        Every slot of this optimizer must be present (unless the state is that of an
        optimizer that never stepped), with an array of the right shape for every
        parameter name. Nothing changes if the state does not fit.
        """
        by_slot = state.get("slots", {})
        iterations = int(state.get("iterations", 0))
        for slot in by_slot:
            if slot not in self.slots:
                raise KeyError(f"{self.name}: unknown state slot {slot!r}; this optimizer has {list(self.slots)}")
        absent = [slot for slot in self.slots if slot not in by_slot]
        if absent and (by_slot or iterations):
            raise KeyError(f"{self.name}: state lacks slots {absent}")
        loaded = {}
        for slot, by_name in by_slot.items():
            missing = sorted(set(params.slots) - set(by_name))
            if missing:
                raise KeyError(f"{self.name}: state slot {slot!r} lacks parameters {missing}")
            flat = np.empty(params.size, dtype=params.dtype)
            for name in params.slots:
                view = params.view(flat, name)
                value = np.asarray(by_name[name])
                if value.shape != view.shape:
                    raise ValueError(f"{self.name}: state {slot}/{name} has shape {value.shape}; "
                                     f"expected {view.shape}")
                view[...] = value
            _check_slot_values(self.name, slot, flat, slot in self.non_negative_slots, slot in self.positive_slots)
            loaded[slot] = flat
        self.reset()
        self.bind(params)
        for slot, flat in loaded.items():
            self._state[slot][...] = flat
        self.iterations = iterations

    # -- describing ------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"learning_rate": self.learning_rate}
        for key in ("l1", "l2"):
            if getattr(self, key):
                config[key] = getattr(self, key)
        for key in ("clip_norm", "clip_value"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


_HAS_KERNEL: dict = {}


def _has_kernel(cls) -> bool:
    """Whether the class that defines ``cls._update`` also defines ``_fused_update``."""
    known = _HAS_KERNEL.get(cls)
    if known is None:
        owner = next(c for c in cls.__mro__ if "_update" in vars(c))
        known = _HAS_KERNEL[cls] = owner is not Optimizer and "_fused_update" in vars(owner)
    return known


def _check_positive(label, value, owner):
    if not (isinstance(value, (int, float, np.floating, np.integer)) and value > 0 and np.isfinite(value)):
        raise ValueError(f"{owner}: {label} must be a positive number, got {value!r}")


def _check_unit_interval(label, value, owner):
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{owner}: {label} must be in [0, 1), got {value!r}")


def _check_slot_values(owner, slot, flat, non_negative, positive):
    """A state slot to load must be finite, and keep the sign its update rule keeps."""
    if not np.isfinite(flat).all():
        raise ValueError(f"{owner}: state slot {slot!r} holds NaN or Inf")
    if positive and not (flat > 0).all():
        raise ValueError(f"{owner}: state slot {slot!r} holds {flat.min():.3g}; its values are positive")
    if non_negative and not (flat >= 0).all():
        raise ValueError(f"{owner}: state slot {slot!r} holds {flat.min():.3g}; its values are never negative")
