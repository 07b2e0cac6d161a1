"""The running stream of an LSTM-g learner, saved and restored by stable names.

A learner's next steps depend on the network's weights and on its stream:
activations, states, derivatives, responsibilities, gains, and the eligibility
and extended traces. :class:`StreamState` gives :class:`~axonal.graph.LSTMG` the
means to hand these over (for checkpoints and for rolling back a step) and to
take them back, so training continues exactly.

Every stream array is a view into one flat buffer (placed by
:func:`axonal.graph.compiled_plan.stream_layout`), which the NumPy path writes in
place and the compiled kernels (:mod:`axonal.kernels.lstm_g`) read and write whole:
both paths share one state, and a snapshot of the stream is one copy.

The stream's activations, states, previous states and gains are also the network's step
state (:meth:`axonal.graph.GraphNetwork.get_step_state`): the learner hands them over as
views (:meth:`StreamState._publish`), and when the network's state has been replaced since
(``reset_state``, ``set_step_state``, an import, another learner) the learner takes it in
before its next step (:meth:`StreamState._sync`), with its traces at 0.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .compiled_plan import (
    L_ACT,
    L_DECAY,
    L_DERIV,
    L_GAIN,
    L_OLD,
    L_RESP,
    L_STATE,
    stream_layout,
)

__all__ = ["StreamState"]

#: the attributes that view the stream's flat buffer (remade by :meth:`StreamState._start`)
_STREAM = frozenset({"act", "state", "old", "deriv", "resp", "gain", "_decay", "trace", "xtrace", "_reads", "read",
                     "used_decay", "_flat", "_lay", "_tlay", "_work"})


class StreamState:
    """Saving and restoring the stream of an LSTM-g learner (mixed into :class:`~axonal.graph.LSTMG`)."""

    # what the learner provides
    layer: Any
    network: Any
    gated: dict
    steps: list
    n_layers: int
    reset: Callable[[], None]
    _batch: int | None
    _shared: dict | None

    def _start(self, batch: int):
        """Allocate a fresh stream for ``batch`` parallel sequences: zeros, gains 1."""
        dt = self.layer.dtype
        sizes = self.layer.sizes
        size, lay, tlay = stream_layout(self.layer, batch, gated=self.gated)
        flat = np.zeros(size, dt)
        self._batch, self._flat, self._lay, self._tlay = batch, flat, lay, tlay
        widest = max(sizes)
        # the kernels' scratch space; its last values are never written: the last is the kernels' zero
        # (kernels.lstm_g_parts.unseen_zero)
        self._work = np.zeros(batch * (6 * widest + widest * widest) + 8, dt)

        def view(start, shape):
            return flat[start:start + int(np.prod(shape))].reshape(shape)

        def per_layer(col):
            return [view(lay[i, col], (batch, n)) for i, n in enumerate(sizes)]

        self.act, self.state, self.old = per_layer(L_ACT), per_layer(L_STATE), per_layer(L_OLD)
        self.deriv, self.resp = per_layer(L_DERIV), per_layer(L_RESP)
        self.gain = {}
        for g in self.layer.gaters:
            self.gain[g] = view(lay[g, L_GAIN], (batch, sizes[g]))
            self.gain[g][...] = 1
        self._decay = [None if lay[i, L_DECAY] < 0 else view(lay[i, L_DECAY], (batch, n))
                       for i, n in enumerate(sizes)]
        self.trace, self.xtrace, self._reads = {}, {}, {}
        n_term = 0
        for step in self.steps:
            for term in step.terms:
                shape = (batch, step.size) if term.one_to_one else (batch, sizes[term.source], step.size)
                self.trace[id(term)] = view(tlay[n_term, 0], shape)
                self._reads[id(term)] = view(tlay[n_term, 1], (batch, sizes[term.source]))
                for e, (k, entry) in enumerate(self.gated.get(step.index, {}).items()):
                    self.xtrace[id(term), k] = view(tlay[n_term, 2 + e], shape + ((sizes[k],) if entry["full"] else ()))
                n_term += 1
        self.read: dict = {}              # activation each term read at its layer's last activation
        self.used_decay = [None] * len(sizes)
        self._publish()

    def _publish(self) -> None:
        """Make the stream the network's step state (views into the flat buffer), and run the
        network's steps through this learner."""
        n = self.n_layers
        self._shared = {"act": {i: self.act[i] for i in range(n)}, "state": {i: self.state[i] for i in range(n)},
                        "old": {i: self.old[i] for i in range(n)}, "gain": dict(self.gain)}
        self.network._step_state = self.layer.final_state = self._shared
        self.network._attach(self)

    def _sync(self) -> None:
        """Before a step: take in the network's step state when it is not this stream (``None``: start
        afresh), with traces, errors and derivatives at 0. The input layer's gain stays 1: Synaptic's
        input neurons never hand a gain on."""
        self.network._attach(self)
        held = self.network._step_state
        if held is self._shared:
            return
        if held is None:
            self._batch, self._shared = None, None
            return
        self._start(len(next(iter(held["act"].values()))))
        for part, mine in (("act", self.act), ("state", self.state), ("old", self.old)):
            for i, value in held.get(part, {}).items():
                mine[i][...] = value
        for g, value in held.get("gain", {}).items():
            if g in self.gain and g != 0:
                self.gain[g][...] = value

    def clear(self) -> None:
        """Synaptic's ``clear()``: eligibility traces, extended traces and error terms back to 0; the
        activations, states, previous states and gains are kept."""
        self._sync()
        if self._batch is None:
            return
        for array in (*self.trace.values(), *self.xtrace.values(), *self.resp):
            array[...] = 0

    def _expose(self) -> None:
        """After a step: the self decays and read activations are part of the stream (as the NumPy
        path sets them at each activation)."""
        if not self.read:
            self.used_decay = list(self._decay)
            self.read = dict(self._reads)

    def snapshot(self, into=None):
        """The stream as it stands, to :meth:`restore` later: ``(batch, copy of the flat buffer,
        whether a step ran)``; ``into`` (an earlier snapshot) is reused when it fits."""
        self._sync()
        if self._batch is None:
            return (None, None if into is None else into[1], False)
        keep = into[1] if into is not None and into[1] is not None and into[1].shape == self._flat.shape else None
        if keep is None:
            keep = self._flat.copy()
        else:
            np.copyto(keep, self._flat)
        return (self._batch, keep, bool(self.read))

    def restore(self, snap) -> None:
        """Put back a :meth:`snapshot`."""
        batch, flat, stepped = snap
        if batch is None:
            self.reset()
            return
        if self._batch != batch or self._flat.shape != flat.shape:
            self._start(batch)
        else:
            self._publish()
        np.copyto(self._flat, flat)
        self.read, self.used_decay = {}, [None] * self.n_layers
        if stepped:
            self._expose()

    def __getstate__(self) -> dict:
        """A copy or pickle keeps the stream as a :meth:`snapshot` (its arrays are views into one buffer,
        which a copy would part) when it is the network's step state, and makes its views afresh."""
        state = {k: v for k, v in self.__dict__.items() if k not in _STREAM}
        owned = self._batch is not None and self.network._step_state is self._shared
        state.update(_batch=None, _shared=None, _plan=None, _packed=None,
                     _copied=(self._batch, self._flat, bool(self.read)) if owned else None)
        return state

    def __setstate__(self, state: dict) -> None:
        stream = state.pop("_copied", None)
        self.__dict__.update(state)
        if stream is not None:
            self.restore(stream)

    def state_dict(self) -> dict:
        """The running stream by stable names: activations, states, derivatives, responsibilities,
        gains and the eligibility and extended traces (``{}`` before the first step).

        With the network's weights this is all that decides the next steps, so a checkpoint
        or a rolled-back step continues exactly. The arrays are the live ones; copy them to keep.
        """
        if self._batch is None:
            return {}
        arrays = {"batch": np.array([self._batch])}
        for i in range(self.n_layers):
            for key in ("act", "state", "old", "deriv", "resp"):
                arrays[f"{key}.{i}"] = getattr(self, key)[i]
            if self.used_decay[i] is not None:
                arrays[f"decay.{i}"] = self.used_decay[i]  # type: ignore[assignment]
        arrays.update({f"gain.{g}": value for g, value in self.gain.items()})
        for name, term in self._named_terms():
            arrays[f"trace.{name}"] = self.trace[id(term)]
            if id(term) in self.read:
                arrays[f"read.{name}"] = self.read[id(term)]
            for (term_id, k), value in self.xtrace.items():
                if term_id == id(term):
                    arrays[f"xtrace.{name}.{k}"] = value
        return arrays

    def load_state_dict(self, arrays: dict) -> None:
        """Take back what :meth:`state_dict` returned (copied into the stream); ``{}`` resets it."""
        if not arrays:
            self.reset()
            return
        self._start(int(np.asarray(arrays["batch"]).ravel()[0]))
        dtype = self.layer.dtype

        def take(key, like):
            value = np.array(arrays[key], dtype=dtype)
            if like is None or value.shape != like.shape:
                raise ValueError(f"LSTM-g state {key!r} has shape {value.shape}; this network needs "
                                 f"{None if like is None else like.shape}")
            np.copyto(like, value)
            return like

        for i in range(self.n_layers):
            for key in ("act", "state", "old", "deriv", "resp"):
                take(f"{key}.{i}", getattr(self, key)[i])
            if f"decay.{i}" in arrays:
                self.used_decay[i] = take(f"decay.{i}", self._decay[i])
        for g in self.gain:
            take(f"gain.{g}", self.gain[g])
        for name, term in self._named_terms():
            take(f"trace.{name}", self.trace[id(term)])
            if f"read.{name}" in arrays:
                self.read[id(term)] = take(f"read.{name}", self._reads[id(term)])
            for (term_id, k), value in self.xtrace.items():
                if term_id == id(term):
                    take(f"xtrace.{name}.{k}", value)

    def weights_finite(self) -> bool:
        """Whether every weight of the network is a finite number."""
        return bool(np.isfinite(self.network.params_.values).all())

    def _named_terms(self):
        """``(name, term)`` for every connection term, named by its layer's step and position."""
        for step in self.steps:
            for j, term in enumerate(step.terms):
                yield f"{step.index}.{j}", term
