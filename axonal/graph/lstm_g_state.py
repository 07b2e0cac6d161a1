"""The running stream of an LSTM-g learner, saved and restored by stable names.

A learner's next steps depend on the network's weights and on its stream:
activations, states, derivatives, responsibilities, gains, and the eligibility
and extended traces. :class:`StreamState` gives :class:`~axonal.graph.LSTMG` the
means to hand these over (for checkpoints and for rolling back a step) and to
take them back, so training continues exactly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["StreamState"]


class StreamState:
    """Saving and restoring the stream of an LSTM-g learner (mixed into :class:`~axonal.graph.LSTMG`)."""

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
                arrays[f"decay.{i}"] = self.used_decay[i]
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
        """Take back what :meth:`state_dict` returned (copies are made); ``{}`` resets the stream."""
        if not arrays:
            self.reset()
            return
        self._start(int(np.asarray(arrays["batch"]).ravel()[0]))
        dtype = self.layer.dtype

        def take(key, like=None):
            value = np.array(arrays[key], dtype=dtype)
            if like is not None and value.shape != like.shape:
                raise ValueError(f"LSTM-g state {key!r} has shape {value.shape}; this network needs {like.shape}")
            return value

        for i in range(self.n_layers):
            for key in ("act", "state", "old", "deriv", "resp"):
                getattr(self, key)[i] = take(f"{key}.{i}", getattr(self, key)[i])
            self.used_decay[i] = take(f"decay.{i}") if f"decay.{i}" in arrays else None
        for g in self.gain:
            self.gain[g] = take(f"gain.{g}", self.gain[g])
        for name, term in self._named_terms():
            np.copyto(self.trace[id(term)], take(f"trace.{name}", self.trace[id(term)]))
            if f"read.{name}" in arrays:
                self.read[id(term)] = take(f"read.{name}")
            for (term_id, k), value in self.xtrace.items():
                if term_id == id(term):
                    np.copyto(value, take(f"xtrace.{name}.{k}", value))

    def weights_finite(self) -> bool:
        """Whether every weight of the network is a finite number."""
        return bool(np.isfinite(self.network.params_.values).all())

    def _named_terms(self):
        """``(name, term)`` for every connection term, named by its layer's step and position."""
        for step in self.steps:
            for j, term in enumerate(step.terms):
                yield f"{step.index}.{j}", term
