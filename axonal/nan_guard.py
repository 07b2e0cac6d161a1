"""The NaN guard: training stops at the first NaN or Inf, with the last finite step's model.

A training step changes more than the weights: BatchNorm layers update their running
statistics in the forward pass, a Dropout layer draws from its generator, a stateful
recurrent layer replaces the state it carries, and the optimizer updates its state
slots (momentum, moments, step sizes), its step count and any other attribute. Before
each step the guard copies all of it aside into buffers allocated once:

* the flat parameter vector and the optimizer's flat ``state_buffer`` (one
  ``np.copyto`` each),
* every layer's ``state`` arrays, anywhere in the network (containers and graphs too),
* the optimizer's attributes (a shallow copy of its ``__dict__``: ``iterations`` and
  anything a step rebinds; arrays a step writes in place belong in its slots),
* the generator state of layers that draw random numbers, and the carried state of
  stateful layers (references: a step replaces them rather than writing into them).

Then it checks, before the update, that the loss and every gradient are finite, and
after it that every weight and every value of the optimizer state is finite, and that
every layer's state is possible: ``Layer.check_state()`` for layers that define it
(BatchNorm: finite means, finite variances ≥ 0), finiteness for the others. A vector
is tested with one pass, ``Σ v²`` (finite when every value is, unless some are
astronomically large; only then is each value tested). On a failure everything copied is put back and
:class:`NonFiniteError` names the step, the batch and the first layer, parameter,
optimizer slot or statistic that went wrong, with a hint. The training loop runs
inside ``np.errstate(over="ignore", invalid="ignore")`` while the guard is on, so
overflow is reported once, by the guard.
"""

from __future__ import annotations

import math

import numpy as np

from .layers.base import Layer

__all__ = ["NonFiniteError", "NanGuard"]


class NonFiniteError(FloatingPointError):
    """Training produced NaN or Inf; the network and optimizer are those of the last finite step.

    ``history`` holds the epochs completed before the failure.
    """

    def __init__(self, message, history=None):
        super().__init__(message)
        self.history = history


class NanGuard:
    """Refuses a step whose loss, gradient or result is not finite, rolling back all it changed.

    Parameters
    ----------
    net : Sequential
        A built network; its layers, state arrays and generators are found once, here.
    params : ParameterSet
        The network's parameters, which ``optimizer`` updates.
    optimizer : Optimizer
        Bound to ``params`` here, so that its state exists before the first step.

    Call :meth:`begin_step` before the forward pass, :meth:`before_step` after the
    backward pass and :meth:`after_step` after the optimizer's update.
    """

    def __init__(self, net, params, optimizer):
        self.net, self.params, self.optimizer = net, params, optimizer
        optimizer.bind(params)
        self.weights = np.empty_like(params.values)
        self._opt_buffer = None
        self._attach_optimizer_buffer()
        self.states = []  # (dotted name, owner layer, local name, live array, backup)
        seen = set()
        for name, owner, local in net.named_state():
            array = owner.state[local]
            if id(array) not in seen:
                seen.add(id(array))
                self.states.append((name, owner, local, array, np.empty_like(array)))
        owners = _unique(owner for _, owner, _, _, _ in self.states)
        self.checked = [layer for layer in owners if type(layer).check_state is not Layer.check_state]
        checked = {id(layer) for layer in self.checked}
        self.unchecked = [(name, owner, array.reshape(-1)) for name, owner, _, array, _ in self.states
                          if id(owner) not in checked]
        self.generators = layer_generators(net)
        self.carriers = stateful_layers(net)
        self._optimizer_attributes: dict = {}
        self._generator_states: list = []
        self._carried: list = []

    # -- the three calls of a step -----------------------------------------------------------
    def begin_step(self) -> None:
        """Copy aside everything the coming step may change."""
        np.copyto(self.weights, self.params.values)
        self.optimizer.bind(self.params)  # at once unless a callback reset or reloaded it
        if self.optimizer.state_buffer is not self._opt_buffer:
            self._attach_optimizer_buffer()
        np.copyto(self._opt_backup, self._opt_buffer)
        self._optimizer_attributes = dict(vars(self.optimizer))
        for _, _, _, array, backup in self.states:
            np.copyto(backup, array)
        if self.generators:
            self._generator_states = [rng.bit_generator.state for rng in self.generators]
        if self.carriers:
            self._carried = [(layer.carried_state, layer.final_state) for layer in self.carriers]

    def before_step(self, value, step, epoch, batch_index, xb):
        """Check the loss and the gradients (after the backward pass, before the update)."""
        if not math.isfinite(value):
            where = self._first_non_finite_layer(xb)
            self._fail(f"the loss is {value}", step, epoch, batch_index, where)
        g = self.params.grads
        if not _all_finite(g):
            self._fail("a gradient is NaN or Inf", step, epoch, batch_index, self._first_bad_slot(g))

    def after_step(self, step, epoch, batch_index):
        """Check the weights, the optimizer state and the layers' state after the update."""
        p = self.params.values
        if not _all_finite(p):
            self._fail("the update made a weight NaN or Inf", step, epoch, batch_index, self._first_bad_slot(p))
        if not _all_finite(self._opt_buffer):
            self._fail(f"the update made the {self.optimizer.name} optimizer's state NaN or Inf", step, epoch,
                       batch_index, self._first_bad_optimizer_slot())
        for layer in self.checked:
            try:
                layer.check_state()
            except ValueError as exc:
                self._fail("a layer's state became NaN, Inf or impossible", step, epoch, batch_index, str(exc))
        for name, owner, flat in self.unchecked:
            if not _all_finite(flat):
                self._fail("a state array became NaN or Inf", step, epoch, batch_index,
                           f"{name} of {owner.describe()}")

    # -- rolling back ---------------------------------------------------------------------------
    def rollback(self) -> None:
        """Put back everything :meth:`begin_step` copied aside."""
        np.copyto(self.params.values, self.weights)
        attributes = vars(self.optimizer)
        attributes.clear()
        attributes.update(self._optimizer_attributes)
        np.copyto(self._opt_buffer, self._opt_backup)
        for _, _, _, array, backup in self.states:
            np.copyto(array, backup)
        for rng, state in zip(self.generators, self._generator_states):
            rng.bit_generator.state = state
        for layer, (carried, final) in zip(self.carriers, self._carried):
            layer.carried_state, layer.final_state = carried, final

    def _attach_optimizer_buffer(self):
        self._opt_buffer = self.optimizer.state_buffer
        self._opt_backup = np.empty_like(self._opt_buffer)

    # -- naming the culprit -----------------------------------------------------------------------
    def _first_bad_slot(self, flat):
        for slot in self.params.slots.values():
            segment = flat[slot.offset:slot.offset + slot.size]
            if not _all_finite(segment):
                return f"parameter {slot.name}"
        return "an unknown parameter"

    def _first_bad_optimizer_slot(self):
        bad = int(np.argmin(np.isfinite(self._opt_buffer)))  # the first non-finite value
        n = self.params.size
        slot_name = self.optimizer.slots[bad // n] if n and bad // n < len(self.optimizer.slots) else "state"
        for slot in self.params.slots.values():
            if slot.offset <= bad % max(n, 1) < slot.offset + slot.size:
                return f"slot {slot_name!r} of parameter {slot.name}"
        return f"slot {slot_name!r}"

    def _first_non_finite_layer(self, xb):
        out = xb
        for i, layer in enumerate(self.net.layers):
            out = layer.forward(out, training=False)
            if not np.isfinite(out).all():
                return f"the output of layer {i}, {layer.describe()}"
        largest = float(np.abs(out).max()) if out.size else 0.0
        last = len(self.net.layers) - 1
        return (f"the loss, which overflowed although the outputs are finite (the largest output of layer "
                f"{last}, {self.net.layers[last].describe()}, is {largest:.3g})")

    def _fail(self, what, step, epoch, batch_index, where):
        self.rollback()
        raise NonFiniteError(
            f"training stopped at step {step + 1} (epoch {epoch + 1}, batch {batch_index + 1}): {what}, "
            f"first in {where}. The weights, running statistics and optimizer state of the last finite "
            f"step are kept. Try a lower learning rate, scaling the inputs (Standardize), or gradient "
            f"clipping (clip_norm)."
        )


def _all_finite(v: np.ndarray) -> bool:
    """Whether every value of the flat vector ``v`` is finite.

    ``Σ v²`` (one BLAS pass) is finite when they all are, unless some are
    astronomically large; only then is each value tested. Runs inside the training
    loop's errstate, so an overflow here is silent.
    """
    return math.isfinite(float(np.dot(v, v))) or bool(np.isfinite(v).all())


def all_layers(layer):
    """``layer`` and every layer inside it, depth first."""
    yield layer
    for child in layer.children():
        yield from all_layers(child)


def layer_generators(net) -> list:
    """Every random generator the network's layers draw from while training (Dropout's), once each."""
    return _unique(layer.rng for layer in all_layers(net) if isinstance(getattr(layer, "rng", None),
                                                                      np.random.Generator))


def stateful_layers(net) -> list:
    """The layers that carry a state from one call to the next (``stateful=True``), once each."""
    return _unique(layer for layer in all_layers(net) if getattr(layer, "stateful", False)
                   and hasattr(layer, "carried_state"))


def _unique(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
