"""Synaptic compatibility: what exists so that Synaptic's users can bring their code.

==================  ===================================================================
module              what it holds
==================  ===================================================================
objects             Synaptic's objects: :class:`Neuron`, :class:`Layer`, :class:`Network`
architect           the Architect presets: ``Perceptron``, ``LSTM``, ``Liquid``, ``Hopfield``
json_format         Synaptic's ``toJSON`` format, read (:func:`from_json`) and written (:func:`to_json`)
json_read           Synaptic's JSON checked and bounded before anything is built
trainer             :class:`Trainer`: Synaptic's ``train``/``test`` options on axonal's loop
tasks               the Trainer's tasks: XOR, DSR, ERG and the timing task
options             Synaptic's rate forms, costs, ``schedule`` and ``crossValidate``
results             ``TrainResult``, ``TestResult``, ``TaskResult``
==================  ===================================================================

This package is an edge: it uses axonal's public API, and no core module imports it.
"""

from . import architect
from .json_format import from_synaptic as from_json
from .json_format import to_synaptic as to_json
from .json_read import SynapticJSONError
from .objects import Layer, Network, Neuron
from .options import COSTS
from .results import TaskResult, TestResult, TrainResult
from .trainer import Trainer

__all__ = ["COSTS", "Layer", "Network", "Neuron", "SynapticJSONError", "TaskResult", "TestResult", "TrainResult",
           "Trainer", "architect", "from_json", "to_json"]
