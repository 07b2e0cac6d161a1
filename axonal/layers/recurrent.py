"""Recurrent layers: neurons with self-connections, trained by backpropagation through time.

A recurrent layer reads a sequence ``x`` of shape ``(batch, time, features)`` one
step at a time, carrying a state from each step to the next: its neurons see the
current input and their own previous output, which gives the network a short-term
memory. All three layers share one shape of computation:

* the input projection of *every* time step in one matrix product,
  ``A_x = x·W + b`` of shape ``(batch, time, gates·units)``;
* inside the time loop only the recurrent product ``h_{t-1}·U`` and the cell's
  elementwise gate arithmetic, all gates in one ``(batch, gates·units)`` block;
* backward (BPTT) runs the loop in reverse, collecting ``∂E/∂A_x`` for all steps,
  then ``∂E/∂W = xᵀ·∂E/∂A_x`` and ``∂E/∂x = ∂E/∂A_x·Wᵀ`` as one product each;
* with compiled paths on (:mod:`axonal.jit`), a step's gate arithmetic, forward and
  backward, is one fused kernel call (:mod:`axonal.kernels.recurrent_cells`) between
  the BLAS products, and a small cell runs all its steps in one call; the NumPy cells
  below are the reference, and the path whenever the kernels are off.

Options shared by all: ``return_sequences`` (output every step, ``(batch, time,
units)``, or only the last, ``(batch, units)``); ``stateful`` (carry the final state
into the next call, for feeding a sequence a step at a time; ``reset_state()``
forgets it); ``truncate=k`` (truncated BPTT: the gradient is cut every ``k`` steps,
while the state still flows forward). ``forward(x, mask=m)`` with ``m`` of shape
``(batch, time)`` skips padded steps: where ``m = 0`` the state is carried through
unchanged, so padding never changes the result. ``forward(x, initial_state=...)``
starts from a given state; after ``backward`` its gradient is in
``initial_state_grad``, and after ``forward`` the last state is in ``final_state``.

The cells and their equations are in :class:`SimpleRNN` (here) and in :class:`~axonal.layers.gated.LSTM`
and :class:`~axonal.layers.gated.GRU`, which share this machinery.
"""

from __future__ import annotations

import numpy as np

from .. import activations as _activations
from .. import jit as _jit
from .._threads import single_blas_thread
from ..keras_habits import input_dim_from_shape
from ._arguments import flag, initializer_name, optional_positive_int, positive_int
from .registry import REGISTRY
from .base import ArraySpec, Layer

__all__ = ["SimpleRNN"]


class _Recurrent(Layer):
    """Shared machinery: shapes, the input projection, masks, state handling, BPTT bookkeeping."""

    gates = 1
    input_rank = 2
    #: names of the state arrays, e.g. ("h", "c") for the LSTM
    state_names: tuple[str, ...] = ("h",)
    #: the per-step arrays kept for backward, one (time, batch, units) block each
    cache_names: tuple[str, ...] = ("h_prev",)
    #: the compiled path multiplies by ``U`` inside its kernel, running every step in one call, when the
    #: product's multiply-adds per step, ``batch·units·gates·units``, are at most this (small cells and
    #: batches, where the per-step calls would dominate); above it, BLAS between one-step kernel calls
    compiled_inside_limit = 100_000
    has_training_mode = True

    def __init__(self, units: int, *, return_sequences: bool = False, stateful: bool = False,
                 truncate: int | None = None, kernel_initializer: str = "glorot_uniform",
                 recurrent_initializer: str = "orthogonal", input_dim: int | None = None,
                 input_shape=None, name: str | None = None):
        super().__init__(name=name)
        where = type(self).__name__
        input_dim = input_dim_from_shape(input_dim, input_shape, where)
        self.units = positive_int(units, where, "units")
        self.return_sequences = flag(return_sequences, where, "return_sequences")
        self.stateful = flag(stateful, where, "stateful")
        self.truncate = optional_positive_int(truncate, where, "truncate")
        self.kernel_initializer = initializer_name(kernel_initializer, where, "kernel_initializer")
        self.recurrent_initializer = initializer_name(recurrent_initializer, where, "recurrent_initializer")
        self.input_dim = optional_positive_int(input_dim, where, "input_dim")
        self.final_state: tuple | None = None
        self.initial_state_grad: tuple | None = None
        self._carried: tuple | None = None

    # -- shapes ----------------------------------------------------------------------------
    def plan(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"{self.describe()} takes (batch, time, features) input; got feature shape "
                             f"{tuple(input_shape)}")
        features = input_shape[1]
        if self.input_dim is not None and features != self.input_dim:
            raise ValueError(f"{self.describe()} was declared with input_dim={self.input_dim} "
                             f"but receives {features} features")
        width = self.gates * self.units
        specs = [ArraySpec("kernel", (features, width), self.kernel_initializer, True),
                 ArraySpec("recurrent_kernel", (self.units, width), self.recurrent_initializer, True),
                 ArraySpec("bias", (width,), "zeros", False)]
        specs += self._extra_specs()
        out = (None, self.units) if self.return_sequences else (self.units,)
        return specs, out

    def _extra_specs(self):
        return []

    def build(self, input_shape, rng, dtype=np.float32):
        # The number of time steps is free: only the feature count is fixed.
        shape = (None, input_shape[-1]) if len(input_shape) == 2 else tuple(input_shape)
        self.input_shape = shape
        self.dtype = np.dtype(dtype)
        self.output_shape = tuple(self._build(shape, rng))
        self._initialize_biases()
        return self.output_shape

    def _initialize_biases(self):
        pass

    # -- state ----------------------------------------------------------------------------
    def reset_state(self) -> None:
        """Forget the state carried between calls (``stateful=True``)."""
        self._carried = None

    @property
    def carried_state(self) -> tuple | None:
        """The state a stateful layer starts its next call from: one ``(batch, units)`` array per
        name in ``state_names``, or ``None`` (start from zeros)."""
        return self._carried

    @carried_state.setter
    def carried_state(self, state) -> None:
        if state is None:
            self._carried = None
            return
        if not isinstance(state, (tuple, list)) or not state:
            raise ValueError(f"{self.describe()}: carried_state takes a tuple of arrays "
                             f"({', '.join(self.state_names)}) or None")
        self._carried = self._start_state(np.shape(state[0])[0] if np.ndim(state[0]) else 0, tuple(state))

    def _start_state(self, batch, initial_state):
        if initial_state is None and self.stateful and self._carried is not None:
            initial_state = self._carried
            if initial_state[0].shape[0] != batch:
                raise ValueError(f"{self.describe()} is stateful and carries a state for a batch of "
                                 f"{initial_state[0].shape[0]}; got a batch of {batch} (call reset_state())")
        if initial_state is None:
            return tuple(np.zeros((batch, self.units), dtype=self.dtype) for _ in self.state_names)
        if not isinstance(initial_state, (tuple, list)):
            initial_state = (initial_state,)
        if len(initial_state) != len(self.state_names):
            raise ValueError(f"{self.describe()}: initial_state needs {len(self.state_names)} arrays "
                             f"({', '.join(self.state_names)}), got {len(initial_state)}")
        states = []
        for label, s in zip(self.state_names, initial_state):
            s = np.asarray(s, dtype=self.dtype)
            if s.shape != (batch, self.units):
                raise ValueError(f"{self.describe()}: initial state {label} must have shape "
                                 f"({batch}, {self.units}), got {s.shape}")
            states.append(np.array(s))
        return tuple(states)

    # -- computing ---------------------------------------------------------------------------
    def forward(self, x, *, training=False, initial_state=None, mask=None):
        """``x`` (batch, time, features) → ``(batch, time, units)`` or ``(batch, units)``."""
        self.check_input(x)
        batch, steps, features = x.shape
        ax = x.reshape(batch * steps, features) @ self.params["kernel"]
        ax += self.params["bias"]
        ax = ax.reshape(batch, steps, -1)
        if mask is not None:
            mask = np.asarray(mask, dtype=self.dtype)
            if mask.shape != (batch, steps):
                raise ValueError(f"{self.describe()}: mask must have shape ({batch}, {steps}), got {mask.shape}")
        state = self._start_state(batch, initial_state)
        outputs = np.empty((batch, steps, self.units), dtype=self.dtype)
        cache = self._new_cache(batch, steps) if training else None
        kernels = self._kernels() if ax.dtype == self.dtype else None
        if kernels is not None:
            state = self._forward_compiled(kernels, ax, mask, state, outputs, cache)
        else:
            with single_blas_thread():
                for t in range(steps):
                    new = self._step(ax[:, t], state, cache, t)
                    if mask is not None:
                        m = mask[:, t:t + 1]
                        new = tuple(m * n + (1.0 - m) * s for n, s in zip(new, state))
                    state = new
                    outputs[:, t] = state[0]
        self.final_state = tuple(s.copy() for s in state)
        if self.stateful:
            self._carried = self.final_state
        if training:
            self._x, self._mask, self._cache = x, mask, cache
        return outputs if self.return_sequences else outputs[:, -1].copy()

    def backward(self, grad_y):
        """BPTT: ``δy`` → ``δx`` (batch, time, features); fills every parameter gradient and
        ``initial_state_grad``."""
        x, mask, cache = self._x, self._mask, self._cache
        batch, steps, features = x.shape
        if self.return_sequences:
            grad_out = grad_y
        else:
            grad_out = np.zeros((batch, steps, self.units), dtype=self.dtype)
            grad_out[:, -1] = grad_y
        # ∂E/∂a for every step, time-major so each step writes one contiguous block
        grad_a = np.empty((steps, batch, self.gates * self.units), dtype=self.dtype)
        kernels = self._kernels()
        if kernels is not None:
            carry = self._backward_compiled(kernels, grad_out, mask, cache, grad_a)
        else:
            carry = tuple(np.zeros((batch, self.units), dtype=self.dtype) for _ in self.state_names)
            with single_blas_thread():
                for t in range(steps - 1, -1, -1):
                    incoming = (carry[0] + grad_out[:, t],) + carry[1:]
                    if mask is not None:
                        m = mask[:, t:t + 1]
                        through = tuple((1.0 - m) * d for d in incoming)  # a skipped step passes its state on
                        incoming = tuple(m * d for d in incoming)
                    carry = self._step_backward(incoming, cache, t, grad_a[t])
                    if mask is not None:
                        carry = tuple(c + d for c, d in zip(carry, through))
                    if self.truncate is not None and t % self.truncate == 0 and t > 0:
                        carry = tuple(np.zeros_like(c) for c in carry)  # truncated BPTT: cut at the window edge
        self.initial_state_grad = carry
        # The products that do not depend on the step order run once over all steps:
        # ∂E/∂W = xᵀ·δa, ∂E/∂b = Σ δa, ∂E/∂U = h_prevᵀ·δa (in the cell's _finish).
        flat = grad_a.reshape(steps * batch, -1)
        x_tb = x.transpose(1, 0, 2).reshape(steps * batch, features)
        np.dot(x_tb.T, flat, out=self.grads["kernel"])
        np.add.reduce(flat, axis=0, out=self.grads["bias"])
        self._finish(cache, grad_a)
        if not self.input_grad_needed:
            return None
        return (flat @ self.params["kernel"].T).reshape(steps, batch, features).transpose(1, 0, 2)

    def _new_cache(self, batch, steps):
        """One (len(cache_names), time, batch, units) block; ``cache[name]`` is its slice for ``name``."""
        store = np.empty((len(self.cache_names), steps, batch, self.units), self.dtype)
        cache = dict(zip(self.cache_names, store))
        cache["store"] = store
        return cache

    # -- the compiled path (axonal.kernels.recurrent_cells) ------------------------------------
    def _kernels(self):
        """The kernel module, or ``None`` for the NumPy path (compiled paths off, another dtype, or a cell
        the kernels do not cover)."""
        if self.dtype not in (np.float32, np.float64):
            return None
        return _jit.kernels("recurrent_cells")

    def _forward_compiled(self, kernels, ax, mask, state, outputs, cache):
        """The time loop of :meth:`forward` on the kernels: per step ``P = h_{t-1}·U`` by BLAS (one
        thread) and one fused call for the cell, or, for a small cell, every step in one call."""
        batch, steps = ax.shape[:2]
        state = tuple(np.array(s, dtype=self.dtype, order="C") for s in state)  # updated in place
        kernel = np.ascontiguousarray(self.params["recurrent_kernel"])
        product = np.zeros((batch, kernel.shape[1]), self.dtype)
        mask = np.empty((0, 0), self.dtype) if mask is None else np.ascontiguousarray(mask, self.dtype)
        store = cache["store"] if cache is not None else np.empty((len(self.cache_names), 0, 0, 0), self.dtype)
        args = (ax, kernel, product, state, mask, outputs, store)
        if batch * self.units * kernel.shape[1] <= self.compiled_inside_limit:
            self._cell_forward(kernels, 0, steps, *args, True)
            return state
        with single_blas_thread():
            for t in range(steps):
                np.matmul(state[0], kernel, out=product)
                self._cell_forward(kernels, t, t + 1, *args, False)
        return state

    def _backward_compiled(self, kernels, grad_out, mask, cache, grad_a):
        """The BPTT loop of :meth:`backward` on the kernels; returns the gradient of the initial state.
        ``P = δa_t·Uᵀ`` is computed by BLAS after each fused step (or inside the kernel for a small cell);
        ``Th`` holds what of ``δh`` bypasses that product."""
        steps, batch = grad_a.shape[:2]
        go = np.ascontiguousarray(grad_out, dtype=self.dtype)
        kernel = self.params["recurrent_kernel"]
        transposed = np.ascontiguousarray(kernel.T)
        product, bypass = (np.zeros((batch, self.units), self.dtype) for _ in range(2))
        rest = tuple(np.zeros((batch, self.units), self.dtype) for _ in self.state_names[1:])
        mask = np.empty((0, 0), self.dtype) if mask is None else np.ascontiguousarray(mask, self.dtype)
        truncate = self.truncate or 0
        args = (go, transposed, product, bypass, rest, mask, cache, grad_a, truncate)
        if batch * self.units * kernel.shape[1] <= self.compiled_inside_limit:
            self._cell_backward(kernels, 0, steps, *args, True)
        else:
            delta = self._recurrent_delta(cache, grad_a)
            with single_blas_thread():
                for t in range(steps - 1, -1, -1):
                    self._cell_backward(kernels, t, t + 1, *args, False)
                    if not (truncate and t % truncate == 0 and t > 0):
                        np.matmul(delta[t], transposed, out=product)
        return (product + bypass,) + rest

    def _recurrent_delta(self, cache, grad_a):
        """∂E/∂(h_{t-1}·U) for every step (time, batch, gates·units): ``grad_a`` unless the cell says otherwise."""
        return grad_a

    def _recurrent_grad(self, h_prev, grad_a):
        """``∂E/∂U = Σ_t h_{t-1}ᵀ·δa_t`` as one product over all steps."""
        steps, batch, width = grad_a.shape
        np.dot(h_prev.reshape(steps * batch, self.units).T, grad_a.reshape(steps * batch, width),
               out=self.grads["recurrent_kernel"])

    def release_buffers(self):
        super().release_buffers()
        self._x = self._mask = self._cache = None

    # -- describing ---------------------------------------------------------------------------
    def get_config(self):
        config = {"units": self.units, "return_sequences": self.return_sequences, "stateful": self.stateful,
                  "truncate": self.truncate, "kernel_initializer": self.kernel_initializer,
                  "recurrent_initializer": self.recurrent_initializer}
        if self.input_dim is not None:
            config["input_dim"] = self.input_dim
        config.update(super().get_config())
        return config

    def describe(self):
        label = self.name or type(self).__name__
        n_in = self.input_shape[-1] if self.built else self.input_dim
        return f"{label}({n_in if n_in is not None else '?'} → {self.units})"


@REGISTRY.register
class SimpleRNN(_Recurrent):
    r"""Self-connected units: ``h_t = f(x_t·W + h_{t-1}·U + b)`` (``f = tanh`` by default).

    Backward, with ``δh_t`` the gradient reaching ``h_t`` (from the output and from
    step ``t + 1``)::

        δa_t      = δh_t ⊙ f'(a_t)          (batch, units)
        ∂E/∂U    += h_{t-1}ᵀ·δa_t
        δh_{t-1}  = δa_t·Uᵀ

    The repeated product with ``Uᵀ ⊙ f'`` is what makes gradients vanish (or explode)
    over long spans: the motivation for the LSTM.
    """

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, **kwargs)
        self.activation = _activations.get(activation)

    cache_names = ("h_prev", "a", "h")

    def _kernels(self):
        kernels = super()._kernels()
        self._code = None if kernels is None else kernels.activation_code(self.activation)
        return None if self._code is None else kernels  # softmax or a user's own activation: the NumPy path

    def _cell_forward(self, kernels, t0, t1, ax, kernel, product, state, mask, outputs, store, inside):
        code, parameter = self._code
        kernels.simple_forward(t0, t1, ax, kernel, product, state[0], mask, code, parameter, outputs, store, inside)

    def _cell_backward(self, kernels, t0, t1, go, transposed, product, bypass, rest, mask, cache, grad_a, truncate,
                       inside):
        code, parameter = self._code
        kernels.simple_backward(t0, t1, go, transposed, product, bypass, mask, code, parameter, cache["store"],
                                grad_a, truncate, inside)

    def _step(self, ax_t, state, cache, t):
        h_prev = state[0]
        a = ax_t + h_prev @ self.params["recurrent_kernel"]
        h = self.activation.forward(a)
        if cache is not None:
            cache["h_prev"][t], cache["a"][t], cache["h"][t] = h_prev, a, h
        return (h,)

    def _step_backward(self, incoming, cache, t, da):
        self.activation.backward(incoming[0], cache["a"][t], cache["h"][t], out=da)
        return (da @ self.params["recurrent_kernel"].T,)

    def _finish(self, cache, grad_a):
        self._recurrent_grad(cache["h_prev"], grad_a)

    def get_config(self):
        return {"activation": self.activation.get_config(), **super().get_config()}
