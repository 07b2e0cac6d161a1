"""The layer contract every building block follows.

A layer maps an input batch ``x`` of shape ``(batch, *input_shape)`` to an output
``y`` of shape ``(batch, *output_shape)``:

* ``plan(input_shape)`` lists the arrays the layer would create (name, shape,
  initialiser) and its output shape, allocating nothing; ``build(input_shape, rng,
  dtype)`` then creates them (drawn from the given ``numpy.random.Generator``) and
  returns ``output_shape``. A model file is checked against the plan before any
  memory is spent;
* ``forward(x, training=False)`` computes ``y``; with ``training=True`` it keeps
  what ``backward`` needs;
* ``backward(δy)`` takes ``∂E/∂y`` and returns ``∂E/∂x`` after writing ``∂E/∂p``
  into ``grads[name]`` for each parameter ``p`` (overwriting: a layer takes part
  in one forward pass per step).

Parameters are named arrays in ``params``; containers name their children's
parameters with dotted paths. Non-trainable state that is still part of the model
(BatchNorm's running statistics) lives in ``state``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..names import check_name

__all__ = ["Layer", "ArraySpec"]


@dataclass(frozen=True)
class ArraySpec:
    """An array a layer will create: a trainable parameter or a state array.

    ``decay`` is ``True`` for weights (penalties apply), ``False`` for other
    parameters, ``None`` for state (not trained). ``init`` names an initialiser.
    """

    name: str
    shape: tuple
    init: str
    decay: bool | None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


class Layer:
    """Base class of every layer. See the module docstring for the contract."""

    #: Whether ``forward`` behaves differently in training (dropout, batch norm).
    has_training_mode = False
    #: The fewest samples a training batch may hold (2 for batch statistics).
    min_batch = 1
    #: Axes of one sample's input: 1 for (features,), 2 for (time, features).
    input_rank = 1

    def __init__(self, *, name: str | None = None):
        self.name = None if name is None else check_name(name, type(self).__name__)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self._decay: dict[str, bool] = {}
        self.input_shape: tuple | None = None
        self.output_shape: tuple | None = None
        self.dtype = None
        #: ``False`` lets the first layer of a network skip computing ``∂E/∂x``.
        self.input_grad_needed = True
        self._buffers: dict[str, np.ndarray] = {}

    # -- building ------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return self.input_shape is not None

    def build(self, input_shape: tuple, rng: np.random.Generator, dtype=np.float32) -> tuple:
        """Create parameters for inputs of shape ``(batch, *input_shape)``; return the output shape."""
        self.input_shape = tuple(None if d is None else int(d) for d in input_shape)
        self.dtype = np.dtype(dtype)
        self.output_shape = tuple(self._build(self.input_shape, rng))
        return self.output_shape

    def plan(self, input_shape: tuple) -> tuple[list[ArraySpec], tuple]:
        """``(arrays, output_shape)`` this layer would create for ``input_shape``; allocates nothing.

        Raises ``ValueError`` naming the layer when it cannot take that shape.
        """
        return [], tuple(input_shape)

    def _build(self, input_shape: tuple, rng: np.random.Generator) -> tuple:
        """Allocate what ``plan`` lists, in order, drawing from ``rng``."""
        from .. import initializers
        specs, output_shape = self.plan(input_shape)
        for spec in specs:
            value = initializers.get(spec.init)(rng, spec.shape, self.dtype)
            if spec.decay is None:
                self.state[spec.name] = np.ascontiguousarray(value, dtype=self.dtype)
            else:
                self.add_parameter(spec.name, value, decay=spec.decay)
        return output_shape

    def add_parameter(self, name: str, value: np.ndarray, *, decay: bool) -> None:
        """Register a trainable array; ``decay`` marks weights that L1/L2 penalties reach."""
        self.params[name] = np.ascontiguousarray(value, dtype=self.dtype)
        self.grads[name] = np.zeros_like(self.params[name])
        self._decay[name] = decay

    def named_parameters(self, prefix: str = ""):
        """Yield ``(dotted_name, owner_layer, local_name, decay)`` for every parameter."""
        for local in self.params:
            yield prefix + local, self, local, self._decay[local]

    def named_state(self, prefix: str = ""):
        """Yield ``(dotted_name, owner_layer, local_name)`` for non-trainable state arrays."""
        for local in self.state:
            yield prefix + local, self, local

    def check_state(self) -> None:
        """Raise ``ValueError`` naming this layer when a state array holds an impossible value.

        Called after weights are loaded from a file and by the NaN guard after each
        training step. The base layer checks its children (so every container checks
        the layers inside it) and has no constraint of its own beyond what ``plan``
        fixes; layers with running statistics (BatchNorm: finite means, variances ≥ 0)
        override it.
        """
        for child in self.children():
            child.check_state()

    @property
    def needs_adapting(self) -> bool:
        """``True`` for a data-dependent layer whose statistics are not computed yet."""
        return False

    def children(self) -> list["Layer"]:
        return []

    def count_parameters(self) -> int:
        return sum(owner.params[local].size for _, owner, local, _ in self.named_parameters())

    # -- computing -------------------------------------------------------------------
    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_y: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def __call__(self, x, *, training: bool = False):
        return self.forward(x, training=training)

    def check_input(self, x: np.ndarray) -> None:
        """Raise an error naming this layer when ``x`` does not have the built shape."""
        if self.input_shape is None:
            raise RuntimeError(f"{self.describe()} is not built: put it in a Sequential network, or call "
                               f"build(input_shape, rng) first")
        if x.shape[1:] != self.input_shape and not _matches(x.shape[1:], self.input_shape):
            if len(self.input_shape) == 1 and x.ndim == 2:
                hint = ""
                if x.shape[0] == 1 and self.input_shape == (1,):
                    hint = f" (for {x.shape[1]} samples of one feature, pass shape ({x.shape[1]}, 1))"
                raise ValueError(
                    f"{self.describe()} got input with {x.shape[1]} features; "
                    f"expected {self.input_shape[0]}{hint}"
                )
            expected = ", ".join("time" if d is None else str(d) for d in self.input_shape)
            raise ValueError(f"{self.describe()} got input of shape {x.shape}; expected (batch, {expected})")

    def buffer(self, key: str, shape: tuple, reuse: bool) -> np.ndarray:
        """An output array for this step: reused across training steps of equal shape.

        In inference (``reuse=False``) a fresh array is returned, so arrays handed
        back to the caller are never overwritten later.
        """
        if reuse:
            buf = self._buffers.get(key)
            if buf is not None and buf.shape == shape:
                return buf
            buf = self._buffers[key] = np.empty(shape, dtype=self.dtype)
            return buf
        return np.empty(shape, dtype=self.dtype)

    def release_buffers(self) -> None:
        """Drop cached step buffers and activations (after training)."""
        self._buffers.clear()
        for child in self.children():
            child.release_buffers()

    # -- describing ------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments, JSON-serialisable; ``type(self)(**config)`` rebuilds it."""
        return {"name": self.name} if self.name else {}

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        """Rebuild an (unbuilt) layer from ``get_config()``'s output."""
        if not isinstance(config, dict):
            raise ValueError(f"{cls.__name__}: config must be a mapping, got {type(config).__name__}")
        try:
            return cls(**config)
        except TypeError as exc:
            raise ValueError(f"{cls.__name__}: invalid config ({exc})") from None

    def describe(self) -> str:
        """A short label for messages, e.g. ``Dense(64 → 10)``."""
        label = self.name or type(self).__name__
        if self.built and self.input_shape != self.output_shape:
            return f"{label}({_shape_str(self.input_shape)} → {_shape_str(self.output_shape)})"
        if self.built:
            return f"{label}({_shape_str(self.input_shape)})"
        return label

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _matches(actual: tuple, expected: tuple) -> bool:
    """Shapes agree, ``None`` in ``expected`` matching any length (a free time axis)."""
    return len(actual) == len(expected) and all(e is None or a == e for a, e in zip(actual, expected))


def _shape_str(shape) -> str:
    return str(shape[0]) if len(shape) == 1 else "×".join("time" if d is None else str(d) for d in shape)
