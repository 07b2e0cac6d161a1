"""Synaptic compatibility: what exists so that Synaptic's users can bring their code.

==================  ===================================================================
module              what it holds
==================  ===================================================================
trainer             :class:`Trainer`: Synaptic's ``train``/``test`` options on axonal's loop
tasks               the Trainer's tasks: XOR, DSR, ERG and the timing task
options             Synaptic's rate forms, costs, ``schedule`` and ``crossValidate``
results             ``TrainResult``, ``TestResult``, ``TaskResult``
==================  ===================================================================

This package is an edge: it uses axonal's public API, and no core module imports it.
"""

from .options import COSTS
from .results import TaskResult, TestResult, TrainResult
from .trainer import Trainer

__all__ = ["Trainer", "TrainResult", "TestResult", "TaskResult", "COSTS"]
