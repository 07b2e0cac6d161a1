"""Synaptic's object API: ``Neuron``, ``Layer``, ``Network``, run by axonal's graph engine.

==========  ==========================================================================
module      what it holds
==========  ==========================================================================
neuron      :class:`Neuron` and :class:`Connection`: ``project``, ``gate``, ``activate``,
            ``propagate``, ``connected``, ``selfconnected``, ``clear``, ``reset``
layer       :class:`Layer` and :class:`LayerConnection`: connection and gate types
network     :class:`Network`: ``activate``, ``propagate``, ``clone``, ``to_json``, ...
engine      the compiled form: a GraphNetwork and its LSTM-g learner (``rule="synaptic"``)
json_io     a Network as Synaptic's ``toJSON()`` and back
squash      ``Neuron.squash.*``, and where initial weights are drawn (:func:`seed`,
            :func:`use_random`, :func:`mulberry32`)
==========  ==========================================================================

Porting Synaptic code: ``new Neuron()`` is ``Neuron()``, ``Layer.connectionType.ALL_TO_ALL``
and ``Neuron.squash.TANH`` are spelled as in Synaptic, ``toJSON``/``fromJSON`` also answer
to ``to_json``/``from_json``, ``connection.from`` is ``connection.from_``, and
``network.activate`` returns a NumPy array.
"""

from .layer import Layer, LayerConnection
from .network import Network
from .neuron import Connected, Connection, Neuron
from .squash import SQUASH, mulberry32, seed, use_random

__all__ = [
           "SQUASH",
           "Connected",
           "Connection",
           "Layer",
           "LayerConnection",
           "Network",
           "Neuron",
           "mulberry32",
           "seed",
           "use_random",
]
