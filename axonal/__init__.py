"""axonal: neural networks in NumPy — neurons, layers, backpropagation, fast on the CPU.

The pieces, one module each:

* :mod:`axonal.activations` — squashing functions ``f`` and their derivatives
* :mod:`axonal.layers` — ``Dense`` (a layer of neurons), ``Dropout``, ``Residual``, normalisation
* :mod:`axonal.network` — ``Sequential``: layers in order, forward and backpropagation
* :mod:`axonal.losses` — errors ``E`` and their gradients ``∂E/∂ŷ``
* :mod:`axonal.initializers` — seeded starting weights
* :mod:`axonal.optimizers` — gradient descent and its refinements
* :mod:`axonal.training` — the training loop (``fit``), with :mod:`axonal.stopping`
  (stop criteria), :mod:`axonal.schedules` (learning rates), :mod:`axonal.callbacks`
* :mod:`axonal.metrics` — accuracy, precision/recall/F1, confusion matrix, R², ...
* :func:`axonal.data.cross_validate` — k-fold cross-validation
* :mod:`axonal.gradcheck` — finite-difference gradient checks
* :func:`axonal.register_activation`, :func:`axonal.register_loss` — your own activation or
  loss by name (:func:`axonal.activations.register`, :func:`axonal.losses.register`)

Synaptic's architecture-free model, imported on first use: :mod:`axonal.graph`
(layers, connections and gates; BPTT and LSTM-g), :mod:`axonal.synaptic` (compatibility
with Synaptic: its Architect presets, Trainer and tasks, JSON format),
:mod:`axonal.hopfield` (Hebbian memory) and
:mod:`axonal.export` (standalone Python, diagrams).

At the edges, imported on first use: :mod:`axonal.data` (bundled datasets, CSV
files, splits), :mod:`axonal.io` (model files), :mod:`axonal.plotting`
(matplotlib figures) and :mod:`axonal.cli` (the ``axonal`` command).

>>> import numpy as np
>>> from axonal import Sequential, Dense, SGD
>>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
>>> y = np.array([[0], [1], [1], [0]], dtype=np.float32)
>>> net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], seed=3)
>>> history = net.fit(x, y, loss="mse", optimizer=SGD(learning_rate=2.0), epochs=5000,
...                   batch_size=None, error=0.005)
>>> history.stop_reason, bool(history[-1] <= 0.005)
('error', True)
"""

import importlib

from . import activations, callbacks, initializers, losses, optimizers, stopping
from .layers import GRU, LSTM, BatchNorm, Dense, Dropout, Layer, LayerNorm, MinMaxScale, Residual, SimpleRNN, Standardize
from .network import Sequential
from .optimizers import SGD, Adagrad, Adam, AdamW, RMSprop, Rprop
from .training import History, NonFiniteError, fit
from .training import register_store

#: :func:`axonal.activations.register` and :func:`axonal.losses.register`, at the top level
register_activation = activations.register
register_loss = losses.register


def _checkpoint_file(path):
    """The checkpoint store of ``fit(checkpoint=...)``: :mod:`axonal.io`'s file, imported on first use."""
    return importlib.import_module(f"{__name__}.io").CheckpointFile(path)


register_store(_checkpoint_file)

from ._version import __version__

_LAZY = ("io", "data", "metrics", "schedules", "plotting", "cli", "gradcheck", "graph",
         "architect", "synaptic", "hopfield", "export", "diagnostics")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module(f"{__name__}.io"), name)
    if name == "diagnose":  # axonal.diagnostics.diagnose, imported on first use
        return importlib.import_module(f"{__name__}.diagnostics").diagnose
    raise AttributeError(f"module 'axonal' has no attribute {name!r}")


__all__ = [
    "activations", "initializers", "losses", "optimizers", "stopping", "callbacks", "save", "load",
    "Layer", "Dense", "Dropout", "Residual", "BatchNorm", "LayerNorm", "Standardize", "MinMaxScale",
    "SimpleRNN", "LSTM", "GRU", "Sequential",
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Rprop", "History", "NonFiniteError", "fit",
    "diagnose", "register_activation", "register_loss", "__version__",
]
