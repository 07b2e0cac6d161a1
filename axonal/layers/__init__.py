"""Layers: the building blocks of a network. Each module holds one kind.

============  ==========================================================================================
module        layer
============  ==========================================================================================
base          ``Layer``: the forward/backward contract every layer follows
dense         ``Dense``: a layer of neurons, ``y = f(x·W + b)``
dropout       ``Dropout``: random silencing of units while training
residual      ``Residual``: a skip connection, ``y = x + F(x)``
normalization ``BatchNorm``, ``LayerNorm``
preprocessing ``Standardize``, ``MinMaxScale``: input scaling kept in the model
recurrent     ``SimpleRNN`` and the machinery of every recurrent layer: sequences, trained through time
gated         ``LSTM``, ``GRU``: recurrent layers with gates
============  ==========================================================================================
"""

from .base import Layer
from .dense import Dense
from .dropout import Dropout
from .gated import GRU, LSTM
from .normalization import BatchNorm, LayerNorm
from .preprocessing import MinMaxScale, Standardize
from .recurrent import SimpleRNN
from .registry import REGISTRY, get_class, layer_from_spec
from .residual import Residual

__all__ = ["Layer", "Dense", "Dropout", "Residual", "BatchNorm", "LayerNorm", "Standardize",
           "MinMaxScale", "SimpleRNN", "LSTM", "GRU", "REGISTRY", "get_class", "layer_from_spec"]
