"""A network's weights by dotted name (``"layers.0.weight"``): read, copied out, written back.

A mixin of :class:`~axonal.network.Sequential`: the network's parameters live in one flat
vector (``params_``, a :class:`~axonal.parameters.ParameterSet`); these methods hand out
named views of it and of the layers' non-trainable state (running statistics).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

__all__ = ["NamedWeights"]


class NamedWeights:
    """Named access to ``params_`` and the layers' state (needs ``_require_built`` and ``named_state``)."""

    params_: Any
    _require_built: Callable[[str], None]
    named_state: Callable[..., Iterator]

    def parameters(self) -> dict[str, np.ndarray]:
        """``{dotted name: array}``; the arrays are live views (writing them changes the network)."""
        self._require_built("parameters()")
        return self.params_.views(self.params_.values)

    def gradients(self) -> dict[str, np.ndarray]:
        """``{dotted name: ∂E/∂p}`` from the last backward pass."""
        self._require_built("gradients()")
        return self.params_.views(self.params_.grads)

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Non-trainable arrays that are part of the model (running statistics), by dotted name."""
        return {name: owner.state[local] for name, owner, local in self.named_state()}

    def get_weights(self) -> dict[str, np.ndarray]:
        """A copy of every parameter and state array, by dotted name."""
        weights = {k: v.copy() for k, v in self.parameters().items()}
        weights.update({k: v.copy() for k, v in self.state_arrays().items()})
        return weights

    def set_weights(self, weights: dict) -> None:
        """Copy arrays into the network by dotted name; every name and shape must match."""
        self._require_built("set_weights()")
        targets = {**self.parameters(), **self.state_arrays()}
        missing = sorted(set(targets) - set(weights))
        unknown = sorted(set(weights) - set(targets))
        if missing or unknown:
            raise KeyError(f"set_weights: missing {missing or 'none'}; unknown {unknown or 'none'}")
        for name, target in targets.items():
            value = np.asarray(weights[name])
            if value.shape != target.shape:
                raise ValueError(f"set_weights: {name} has shape {value.shape}; expected {target.shape}")
            target[...] = value
