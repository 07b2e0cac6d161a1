"""Synaptic's learning rule in axonal's terms: the output error ``δz = ŷ - t``, whatever the cost.

Synaptic's output neurons learn from their responsibility ``δ = t - y`` with no
derivative of their squash (``w += α·δ·y_in``), and its cost only measures. In
backpropagation's terms that is the error at the output *pre-activation*::

    δz_L = ∂E/∂z_L := (ŷ - t)·w_i/Σw      (batch, outputs),  ŷ = f(z_L)

and from there the usual delta rule down the network (``δz_l = (δz_{l+1}·W_{l+1}ᵀ) ⊙ f_l'``).
For a logistic output this is exactly binary cross-entropy's gradient
(``∂/∂z [-t ln σ(z) - (1-t) ln(1-σ(z))] = σ(z) - t``, summed over outputs); for any
other squash it is the gradient of no cost of ``ŷ``. It is built from two pieces that
only work together:

* :class:`SynapticDelta` (a loss): its ``value`` is the cost's (``"mse"``, any loss, a
  registered function or a plain one: it only measures), its gradient is ``ŷ - t``,
  which is also ½Σ(ŷ - t)²'s;
* :func:`synaptic_output` (a context): while it holds, the output layer's activation
  passes the gradient straight through (``f' := 1``, as threshold units do), so that
  ``δz_L = δŷ``. Only the output layer's; hidden layers keep their derivatives.

Synaptic also updates each neuron's incoming weights as it propagates, output layer
first, so a hidden layer's error reads the weights above it *after* their update. For
a chain of all-to-all layers and plain SGD (rate ``η``, one step ``W_new = W - η·aᵀ·δz``)
that is::

    δa_{l-1} = δz_l·W_l,newᵀ = δz_l·W_lᵀ - η·(δz_l·δz_lᵀ)·a_{l-1}        (B, n_{l-1})

which ``synaptic_output(net, order=optimizer)`` applies: each hidden activation is
wrapped too (:class:`SynapticOrder`) and corrects the ``δa`` it receives before its
derivative (``config[OUTPUT_DELTA] = 2`` in the kernels, which read the updated rows).

:class:`axonal.synaptic.Trainer` uses them with ``rule="synaptic"``. The NumPy path is
the reference; the compiled dense epochs (:mod:`axonal.kernels.dense_online`,
:mod:`axonal.kernels.dense_epoch`) run the same equations when the loss is a
``SynapticDelta`` and the output's activation is wrapped (``config[OUTPUT_DELTA]``).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ..activations import Activation
from .base import Loss
from .lookup import get, measuring

__all__ = ["PassThrough", "SynapticDelta", "SynapticOrder", "synaptic_output"]


class SynapticDelta(Loss):
    """Measure with ``cost``, train with ``∂E/∂ŷ = (ŷ - t)·w_i/Σw`` (see the module docstring).

    Parameters
    ----------
    cost : str, dict, Loss or function, default "mse"
        What the error is (a function ``cost(target, output)``: see
        :mod:`axonal.losses.custom`; it needs no gradient here).
    """

    name = "synaptic_delta"

    def __init__(self, cost="mse"):
        cost = measuring(cost) if callable(cost) and not isinstance(cost, Loss) else get(cost)
        if isinstance(cost, SynapticDelta):
            raise ValueError("synaptic_delta: its cost cannot be synaptic_delta itself")
        self.cost = cost
        self.probabilities, self.categorical = cost.probabilities, cost.categorical

    def value_and_grad(self, y_pred, y_true, sample_weight=None, out=None):
        """``(E of the cost, (ŷ - t)·w_i/Σw)``; ``E`` as the cost's own ``value_and_grad`` gives it."""
        if getattr(self.cost, "has_gradient", True):
            value, _ = self.cost.value_and_grad(y_pred, y_true, sample_weight, out=out)
        else:
            value = self._measure(y_pred, y_true, sample_weight)
        out = np.subtract(y_pred, y_true, out=out)
        if sample_weight is None:
            out *= 1.0 / y_pred.shape[0]
        else:
            total = float(sample_weight.sum())
            out *= (sample_weight / total if total > 0 else sample_weight * 0.0).astype(out.dtype, copy=False)[:, None]
        return value, out

    def _measure(self, y_pred, y_true, sample_weight):
        per_sample = self.cost._per_sample(y_pred, y_true)
        if sample_weight is None:
            return float(per_sample.sum(dtype=np.float64)) / y_pred.shape[0]
        total = float(sample_weight.sum())
        return 0.0 if total <= 0 else float(np.dot(per_sample, sample_weight.astype(per_sample.dtype)) / total)

    def _per_sample(self, y_pred, y_true):
        return self.cost._per_sample(y_pred, y_true)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        return np.subtract(y_pred, y_true, out=out)

    def prepare_targets(self, y_true, n_outputs, dtype):
        return self.cost.prepare_targets(y_true, n_outputs, dtype)

    def link(self, y_pred):
        return self.cost.link(y_pred)

    def get_config(self) -> dict:
        """The cost's config: a model or checkpoint saved during a run names what measures it
        (the rule is the Trainer's option, not the network's)."""
        return self.cost.get_config()


class _Order:
    """What the wrapped layers of one network share: the optimizer (its rate, read at each step)
    and ``δz`` of the layer whose backward ran last (the one above)."""

    def __init__(self, optimizer):
        self.optimizer, self.above = optimizer, None


class PassThrough(Activation):
    """The output activation under Synaptic's rule: ``y = f(z)`` forward, ``δz = δy`` backward.

    ``get_config()`` is ``f``'s, so a model or checkpoint saved meanwhile names ``f``.
    """

    def __init__(self, inner: Activation, order: _Order | None = None):
        self.inner, self.name, self.order = inner, inner.name, order

    def forward(self, z, out=None):
        return self.inner.forward(z, out=out)

    def backward(self, grad_y, z, y, out=None):
        if out is None:
            out = grad_y.copy()
        else:
            np.copyto(out, grad_y)
        if self.order is not None:
            self.order.above = out.copy()
        return out

    def get_config(self) -> dict:
        return self.inner.get_config()

    def __eq__(self, other):
        return type(other) is type(self) and self.inner == other.inner

    def __hash__(self):
        return hash(self.inner)


class SynapticOrder(PassThrough):
    """A hidden activation under Synaptic's update order: ``δz = f'(z) ⊙ (δa - η·(D·Dᵀ)·a)``,
    ``D`` being ``δz`` of the layer above and ``a = y`` this layer's output (module docstring)."""

    def backward(self, grad_y, z, y, out=None):
        above = self.order.above
        corrected = grad_y - self.order.optimizer.learning_rate * ((above @ above.T) @ y)
        out = self.inner.backward(corrected.astype(grad_y.dtype, copy=False), z, y, out=out)
        self.order.above = out.copy()
        return out


@contextmanager
def synaptic_output(net, order=None):
    """While the block runs, ``net``'s output activation is wrapped in :class:`PassThrough`.

    ``net`` is a ``Sequential`` ending in a layer with an ``activation`` (``Dense``), or a
    :class:`~axonal.graph.GraphNetwork` whose output layer feeds no other layer (in Synaptic
    an output neuron's error is ``t - y`` alone). Anything else is a ``ValueError``.

    ``order`` (an optimizer: plain SGD) adds Synaptic's update order where the network is a
    chain of all-to-all layers (a ``Sequential`` of ``Dense`` layers, or Synaptic's
    ``Perceptron`` graph): every hidden activation is wrapped in :class:`SynapticOrder`. On
    other networks it is left out (the output error alone).
    """
    owner = _output_owner(net)
    hidden = _chain_owners(net, owner) if order is not None else None
    shared = _Order(order) if hidden is not None else None
    wrapped = [(owner, owner.activation, PassThrough(owner.activation, shared))]
    wrapped += [(o, o.activation, SynapticOrder(o.activation, shared)) for o in hidden or []]
    linear = [(o, o._linear) for o, _, _ in wrapped if hasattr(o, "_linear")] if shared else []
    for o, _, new in wrapped:
        o.activation = new
    for o, _ in linear:      # a linear Dense layer skips its activation; here every layer must run it
        o._linear = False
    try:
        yield
    finally:
        for o, original, _ in wrapped:
            o.activation = original
        for o, flag in linear:
            o._linear = flag


def _chain_owners(net, output):
    """The hidden layers' activation owners of a chain of all-to-all layers, or ``None``."""
    from ..layers.dense import Dense

    layers = getattr(net, "layers", None) or []
    if layers and all(type(layer) is Dense for layer in layers):
        return [layer for layer in layers if layer is not output]
    g = layers[0] if len(layers) == 1 else None
    steps = getattr(g, "steps", None)
    if steps is None or g.recurrent or g.masks or g.gaters or g.out_index != len(steps):
        return None
    for position, step in enumerate(steps, start=1):
        term = step.terms[0] if len(step.terms) == 1 else None
        if (step.index != position or step.self_term is not None or step.order or term is None
                or type(term).__name__ != "AllToAll" or term.source != position - 1 or term.prev):
            return None
    return [step for step in steps if step is not output]


def _output_owner(net):
    """The object whose ``activation`` attribute is the output layer's squash."""
    layers = getattr(net, "layers", None) or []
    last = layers[-1] if layers else None
    steps = getattr(last, "steps", None)
    if steps is not None and hasattr(last, "out_index"):   # a graph layer
        out = last.out_index
        readers = [s.name for s in steps for term in [*s.terms, s.self_term] if term is not None
                   and (term.source == out or term.gater == out) and s.index != out]
        if readers:
            raise ValueError(f"rule='synaptic': the graph's output layer also feeds {readers[0]!r}; Synaptic's output "
                             f"error t - y is for an output layer that feeds nothing, so use the default rule")
        for step in steps:
            if step.index == out:
                return step
        raise ValueError("rule='synaptic': the graph's output layer is its input layer; nothing learns")
    if last is None or not isinstance(getattr(last, "activation", None), Activation):
        kind = type(last).__name__ if last is not None else "nothing"
        raise ValueError(f"rule='synaptic' needs an output layer with an activation (Dense, or a graph layer); "
                         f"this network ends in {kind}")
    return last

