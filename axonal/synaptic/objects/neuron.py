r"""Synaptic's ``Neuron`` and ``Connection``: the objects, their wiring, and Synaptic's equations.

Neuron ``j`` with state ``s_j``, bias ``b_j``, squash ``f``, inputs ``i`` through connections of
weight ``w_ji`` and gain ``g_ji`` (1, or the activation of the neuron gating it), and possibly a
self-connection ``w_jj`` (gain ``g_jj``)::

    s_j ← g_jj·w_jj·s_j + b_j + Σ_i g_ji·w_ji·y_i        y_j = f(s_j)

``propagate(rate, target)`` learns as Synaptic does (LSTM-g, Monner & Reggia 2012), an output
from ``δ_j = t_j - y_j``, every other neuron from the responsibilities of the neurons it feeds
and gates, each weight from its eligibility traces (:mod:`axonal.graph.lstm_g`, ``rule="synaptic"``).

The objects only describe the network. Activating a neuron compiles the group of neurons
wired to it (:mod:`axonal.synaptic.objects.engine`) into a
:class:`~axonal.graph.GraphNetwork` and its online learner; ``bias``, ``state``,
``activation``, ``connection.weight`` and ``connection.gain`` then read and write the
compiled arrays, so a value changed by hand is what the next step uses. A free group is
laid out as its inputs (neurons without incoming connections, activated with a value),
its other neurons in creation order, and its outputs (neurons that neither project nor
gate); ``propagate`` with a target on every output then learns for the whole group, in
reverse order, as a network does.

Where this follows axonal rather than Synaptic 1.1.4 (tests/synaptic/NOTES.md):

* gains are handed on before the traces are updated, as in Synaptic's compiled (default)
  networks, also for free neurons (Synaptic's uncompiled neurons do it after, which
  differs only where a neuron's own gain enters its extended trace, ~1e-8 in an LSTM);
* ``project(self, weight)`` keeps ``weight`` (Synaptic sets 1 whatever is given);
* gating a connection that already has a gater is an error (Synaptic keeps it in both
  gaters' lists, so both would keep tracing it).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import ClassVar, NamedTuple, Protocol

import numpy as np

from .squash import SQUASH, Squash, as_squash, draw

__all__ = ["Connected", "Connection", "Neuron"]

_NEURON_IDS = itertools.count()
_CONNECTION_IDS = itertools.count()


class Connected(NamedTuple):
    """What :meth:`Neuron.connected` found: ``type`` (``"inputs"``, ``"projected"``, ``"gated"``
    or ``"selfconnection"``) and the ``connection``."""

    type: str
    connection: Connection


class Connection:
    """A synapse ``from_ → to`` with ``weight``, ``gain`` and an optional ``gater`` neuron."""

    def __init__(self, from_: Neuron, to: Neuron, weight=None):
        if not isinstance(from_, Neuron) or not isinstance(to, Neuron):
            raise TypeError("Connection: both ends must be Neurons")
        self.ID = next(_CONNECTION_IDS)
        self.from_, self.to = from_, to
        self._weight = draw() if weight is None else _number("weight", weight)
        self.gater: Neuron | None = None

    @property
    def weight(self) -> float:
        """``w``: read from (and written to) the compiled network while one holds it."""
        engine = self.from_._engine
        if engine is not None:
            return engine.weight(self)
        return self._weight

    @weight.setter
    def weight(self, value):
        value = _number("weight", value)
        engine = self.from_._engine
        if engine is None or not engine.set_weight(self, value):
            self._weight = value

    @property
    def gain(self) -> float:
        """``g``: 1 ungated, else the gater's latest activation (1 before it activated)."""
        return 1.0 if self.gater is None else self.gater._gain_now()

    def __repr__(self):
        return f"Connection({self.from_.ID} → {self.to.ID}, weight={self.weight:.6g})"


class _Group(Protocol):
    """What a free neuron runs in (:class:`~axonal.synaptic.objects.engine.FreeEngine`)."""

    def activate(self, neuron: Neuron) -> float: ...

    def propagate(self, neuron: Neuron, rate: float, target: float | None) -> None: ...


class _SquashSlot:
    """``Neuron.squash`` is Synaptic's namespace of functions; ``neuron.squash`` a neuron's own."""

    def __get__(self, neuron, owner):
        return SQUASH if neuron is None else neuron._squash

    def __set__(self, neuron, value):
        value = as_squash(value, f"neuron {neuron.ID}")
        if value is not neuron._squash:
            neuron._structure_changed()
            neuron._squash = value


class Neuron:
    """Synaptic's ``new Neuron()``: logistic squash, bias drawn in ``[-0.1, 0.1)``.

    >>> from axonal.synaptic import Neuron
    >>> from axonal.synaptic.objects import seed
    >>> seed(0)
    >>> a, b = Neuron(), Neuron()
    >>> _ = a.project(b)
    >>> for _ in range(1000):
    ...     _ = a.activate(1)
    ...     _ = b.activate()
    ...     b.propagate(0.3, 0)
    >>> _ = a.activate(1)
    >>> bool(b.activate() < 0.05)
    True
    """

    squash = _SquashSlot()
    #: ``neuron -> its compiled group``; :mod:`axonal.synaptic.objects.engine` sets it
    _group: ClassVar[Callable[[Neuron], _Group]]

    def __init__(self):
        self.ID = next(_NEURON_IDS)
        self.connections = {"inputs": {}, "projected": {}, "gated": {}}
        self._state = self._old = self._activation = self._derivative = 0.0
        self._responsibility = 0.0
        self._gain = 1.0
        self._engine = None
        self._squash: Squash = SQUASH.LOGISTIC
        self.label = None
        self.selfconnection = Connection(self, self, 0.0)   # weight 0: not connected
        self._bias = draw()

    # -- values, read through the compiled network --------------------------------------------
    @property
    def bias(self) -> float:
        """``b``: read from (and written to) the compiled network while one holds it."""
        return self._engine.value(self, "bias") if self._engine is not None else self._bias

    @bias.setter
    def bias(self, value):
        value = _number("bias", value)
        if self._engine is None or not self._engine.set_value(self, "bias", value):
            self._bias = value

    state = property(lambda self: self._read("state"), doc="``s``, the last weighted sum")
    old = property(lambda self: self._read("old"), doc="``s`` of the step before")
    activation = property(lambda self: self._read("activation"), doc="``y = f(s)``")
    derivative = property(lambda self: self._read("derivative"), doc="``f'(s)``")

    def _read(self, what):
        return self._engine.value(self, what) if self._engine is not None else getattr(self, f"_{what}")

    def _gain_now(self) -> float:
        return self._engine.value(self, "gain") if self._engine is not None else self._gain

    # -- running ----------------------------------------------------------------------------------
    def activate(self, input=None) -> float:
        """``y = input`` for an input neuron, else one step of the neuron's group (see the module)."""
        if input is not None:
            value = _number("input", input)
            if self._engine is not None:
                self._engine.set_input(self, value)
            else:
                self._activation, self._derivative, self._bias = value, 0.0, 0.0
            return value
        return Neuron._group(self).activate(self)

    def propagate(self, rate=None, target=None) -> None:
        """Learn: ``δ = target - y`` for an output; a neuron without a target learns with its
        group once every output of the group has propagated its target. ``rate`` 0 or ``None``
        means 0.1, as for Synaptic's neurons."""
        rate = 0.1 if not rate else _number("rate", rate)
        Neuron._group(self).propagate(self, rate, None if target is None else _number("target", target))

    # -- wiring -----------------------------------------------------------------------------------
    def project(self, neuron: Neuron, weight=None) -> Connection:
        """Connect ``self → neuron`` (weight drawn unless given) and return the connection;
        an existing projection to ``neuron`` is reused (its weight set when given). To itself:
        the self-connection, weight ``weight`` or 1."""
        if not isinstance(neuron, Neuron):
            raise TypeError(f"Neuron.project: can only project to a Neuron, got {type(neuron).__name__}")
        self._structure_changed()
        neuron._structure_changed()
        if neuron is self:
            self.selfconnection.weight = 1.0 if weight is None else weight
            return self.selfconnection
        found = self.connected(neuron)
        if found is not None and found.type == "projected":
            if weight is not None:
                found.connection.weight = weight
            return found.connection
        connection = Connection(self, neuron, weight)
        self.connections["projected"][connection.ID] = connection
        neuron.connections["inputs"][connection.ID] = connection
        return connection

    def gate(self, connection: Connection) -> None:
        """Let this neuron's activation be the gain of ``connection``."""
        if not isinstance(connection, Connection):
            raise TypeError(f"Neuron.gate: expected a Connection, got {type(connection).__name__}")
        if connection.gater is not None:
            raise ValueError(f"Neuron.gate: connection {connection.from_.ID} → {connection.to.ID} is already gated "
                             f"by neuron {connection.gater.ID}; a connection has one gater")
        for n in (self, connection.from_, connection.to):
            n._structure_changed()
        self.connections["gated"][connection.ID] = connection
        connection.gater = self

    def selfconnected(self) -> bool:
        """Whether the neuron has a self-connection (weight not 0)."""
        return self.selfconnection.weight != 0

    def connected(self, neuron: Neuron) -> Connected | None:
        """The first connection touching ``neuron`` in ``inputs``, ``projected``, ``gated``
        (creation order), the self-connection for ``self``, or ``None``."""
        if neuron is self:
            return Connected("selfconnection", self.selfconnection) if self.selfconnected() else None
        for kind in ("inputs", "projected", "gated"):
            for connection in _by_id(self.connections[kind]):
                if connection.to is neuron or connection.from_ is neuron:
                    return Connected(kind, connection)
        return None

    def clear(self) -> None:
        """Forget the traces and responsibilities (state, activation and weights stay)."""
        if self._engine is not None:
            self._engine.clear_traces(self)
        self._responsibility = 0.0

    def reset(self) -> None:
        """Clear, draw new weights for every connection in ``inputs``, ``projected`` and ``gated``
        (in that order, as Synaptic draws them) and a new bias; state and activation to 0."""
        self.clear()
        for kind in ("inputs", "projected", "gated"):
            for connection in _by_id(self.connections[kind]):
                connection.weight = draw()
        self.bias = draw()
        for what in ("state", "old", "activation"):
            if self._engine is None or not self._engine.set_value(self, what, 0.0):
                setattr(self, f"_{what}", 0.0)

    # -- bookkeeping --------------------------------------------------------------------------------
    def _structure_changed(self) -> None:
        """The compiled network holding this neuron no longer describes it: hand its values back."""
        if self._engine is not None:
            self._engine.detach()

    def neighbours(self) -> list:
        """Every neuron wired to this one: through its connections, their gaters, what it gates."""
        found = []
        for kind in ("inputs", "projected", "gated"):
            for c in _by_id(self.connections[kind]):
                found += [c.from_, c.to] + ([c.gater] if c.gater is not None else [])
        if self.selfconnection.gater is not None:
            found.append(self.selfconnection.gater)
        return found

    def __repr__(self):
        return f"Neuron(ID={self.ID}, squash={self._squash.name}, bias={self.bias:.6g})"

    # Synaptic's spelling
    selfConnected = selfconnected


def _by_id(table: dict):
    """A connection table in ascending ID order (JavaScript's ``for ... in`` over integer keys)."""
    return [table[k] for k in sorted(table)]


def _number(what, value) -> float:
    if type(value) is float or type(value) is int:
        if math.isfinite(value):
            return float(value)
        raise ValueError(f"{what} must be finite, got {value}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value
