"""Architecture-free networks: Synaptic's layers, connections and gates, vectorised.

==============  ==============================================================
module          what it holds
==============  ==============================================================
blueprint       ``Graph``: layers, connections (all-to-all, one-to-one,
                all-to-else, in-order, self) and gates (input, output, one-to-one)
plan            the blueprint compiled: which step each read refers to, which
                matrix products are shared
layer           ``GraphLayer``: forward through time and backpropagation
                through time, as a layer
network         ``GraphNetwork``: a trainable network around one graph, with
                step-by-step activation and inspection
lstm_g          ``LSTMG``: online learning from eligibility traces
config          a blueprint from its config, read strictly
limits          the documented bounds of a blueprint
values          weights, masks and gating indices given to a blueprint, checked
backward        backpropagation through time for ``GraphLayer``
in_order        a layer reading itself neuron by neuron, as Synaptic activates one
==============  ==============================================================
"""

from .blueprint import CONNECTION_KINDS, GATE_KINDS, Connection, Graph, Node
from .layer import GraphLayer
from .network import GraphNetwork

__all__ = ["CONNECTION_KINDS", "GATE_KINDS", "Connection", "Graph", "GraphLayer", "GraphNetwork", "Node"]
