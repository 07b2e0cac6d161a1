"""Networks as ONNX models (the extra ``[onnx]``: ``pip install "axonal[onnx]"``).

=============  ====================================================================================
module         what it holds
=============  ====================================================================================
convert        ``to_onnx``, ``save_onnx``: the model, its inputs, outputs and metadata
builder        the graph being assembled: generated names, constants, nodes; the lazy onnx import
layers         one converter per layer family (Dense, scalers, normalisations, Residual, ...)
activations    the activation functions as ONNX operators
recurrent      SimpleRNN, LSTM (peepholes) and GRU as the ONNX RNN, LSTM and GRU operators
scan           the same layers as a Scan loop over axonal's cell (float64, and the activations
               the RNN operator lacks)
heads          a classifier's ``probabilities`` and ``label`` outputs
graph_network  a feed-forward GraphNetwork
=============  ====================================================================================

Importing this package does not import :mod:`onnx`; the first export does.

>>> from axonal import Dense, Sequential
>>> net = Sequential([Dense(3, "relu", input_dim=4), Dense(2)], seed=0, loss="softmax_cross_entropy")
>>> model = to_onnx(net)                                  # doctest: +SKIP
>>> [o.name for o in model.graph.output]                  # doctest: +SKIP
['output', 'probabilities']
"""

from .builder import IR_VERSION, OPSET
from .convert import save_onnx, to_onnx

__all__ = ["IR_VERSION", "OPSET", "save_onnx", "to_onnx"]
