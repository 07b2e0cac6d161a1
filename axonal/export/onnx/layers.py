"""One converter per layer family: each adds the nodes computing a layer at inference.

Shapes: ``x`` is ``(batch, features)`` or, for sequences, ``(batch, time, features)``.

==================  ===============================================================================
layer               nodes
==================  ===============================================================================
Dense               ``f(MatMul(x, W) + b)``, ``W`` (n_in, units); on a sequence, every step
Dropout             none: the identity at inference
Standardize         ``(x - shift)·scale``           (the statistics it learned, per feature)
MinMaxScale         ``(x - shift)·scale + low``
BatchNorm           ``(x - μ)·(1/√(σ² + ε))·γ + β`` with the running statistics μ, σ²
LayerNorm           ``μ = mean(x)``, ``σ² = mean((x - μ)²)`` over the features (``ReduceMean``),
                    ``(x - μ)/√(σ² + ε)·γ + β``
Residual            ``x + F(x)`` or ``MatMul(x, P) + F(x)``, ``F`` its block converted in turn
Sequential          its layers in turn (a nested block)
SimpleRNN, LSTM,    the ONNX ``RNN``, ``LSTM``, ``GRU`` operators (:mod:`.recurrent`), or a ``Scan``
GRU                 loop over axonal's cell (:mod:`.scan`) in float64 and for the activations the
                    ``RNN`` operator lacks
GraphLayer          a feed-forward graph, its layers in activation order (:mod:`.graph_network`)
==================  ===============================================================================

Every other layer kind is refused with a ``TypeError`` naming the layer and the
supported kinds; a scaler that has not learned its statistics, or an activation
without an ONNX form, with a ``ValueError``.
"""

from __future__ import annotations

import numpy as np

from ...layers import (
    GRU,
    LSTM,
    BatchNorm,
    Dense,
    Dropout,
    LayerNorm,
    MinMaxScale,
    Residual,
    SimpleRNN,
    Standardize,
)
from ...names import printable
from .activations import activate
from .recurrent import convert_recurrent

__all__ = ["SUPPORTED", "convert_chain", "convert_layer", "label"]

SUPPORTED = ("Dense", "Dropout", "Standardize", "MinMaxScale", "BatchNorm", "LayerNorm", "Residual",
             "SimpleRNN", "LSTM", "GRU", "Sequential (nested)", "GraphLayer (feed-forward)")


def label(layer, where: str) -> str:
    """How an error message names a layer: its position and its description, escaped."""
    return f"layer {where} ({printable(layer.describe(), 80)})"


def convert_chain(builder, layers, x: str, path: str = "") -> str:
    """Each of ``layers`` in turn on ``x``; returns the name of the result. ``path`` is the position of
    the enclosing block (``"2."`` inside layer 2), for doc strings and messages."""
    for i, layer in enumerate(layers):
        x = convert_layer(builder, layer, x, f"{path}{i}")
    return x


def convert_layer(builder, layer, x: str, where: str) -> str:
    """The nodes computing ``layer`` (at position ``where``) on ``x``; returns the output's name."""
    from ...graph import GraphLayer, GraphNetwork
    from ...network import Sequential
    from .graph_network import convert_graph

    doc = f"layer {where}: {layer.describe()}"
    if isinstance(layer, Dropout):
        return x
    if isinstance(layer, Dense):
        return _dense(builder, layer, x, where, doc)
    if isinstance(layer, (Standardize, MinMaxScale)):
        if not layer.adapted:
            raise ValueError(f"to_onnx: {label(layer, where)} has not learned its statistics yet "
                             f"(call adapt or fit first)")
        y = builder.op("Sub", [x, builder.const(layer.state["shift"], "shift")], doc=doc)
        y = builder.op("Mul", [y, builder.const(layer.state["scale"], "scale")])
        offset = float(layer._offset())
        return builder.op("Add", [y, builder.const(offset, "offset")]) if offset else y
    if isinstance(layer, BatchNorm):
        # 1/√(σ² + ε) computed as BatchNorm computes it at inference, in the model's dtype.
        inv_std = 1.0 / np.sqrt(layer.state["running_var"] + layer.epsilon)
        y = builder.op("Sub", [x, builder.const(layer.state["running_mean"], "running_mean")], doc=doc)
        y = builder.op("Mul", [y, builder.const(inv_std, "inv_std")])
        return _gain_bias(builder, layer, y)
    if isinstance(layer, LayerNorm):
        mean = builder.op("ReduceMean", [x], "mean", axes=[-1], keepdims=1, doc=doc)
        centred = builder.op("Sub", [x, mean], "centred")
        var = builder.op("ReduceMean", [builder.op("Mul", [centred, centred])], "var", axes=[-1], keepdims=1)
        std = builder.op("Sqrt", [builder.op("Add", [var, builder.const(layer.epsilon, "epsilon")])])
        inv_std = builder.op("Div", [builder.const(1.0, "one"), std], "inv_std")
        return _gain_bias(builder, layer, builder.op("Mul", [centred, inv_std]))
    if isinstance(layer, Residual):
        block = layer.block.layers if isinstance(layer.block, Sequential) else [layer.block]
        fx = convert_chain(builder, block, x, path=f"{where}.")
        if layer.projection:
            skip = builder.op("MatMul", [x, builder.const(layer.params["projection"], "projection")], doc=doc)
        else:
            skip = x
        return builder.op("Add", [skip, fx], "residual", doc=doc)
    if isinstance(layer, (SimpleRNN, LSTM, GRU)):
        return convert_recurrent(builder, layer, x, label(layer, where), doc)
    if isinstance(layer, GraphLayer):
        return convert_graph(builder, layer, x)
    if type(layer) is Sequential or isinstance(layer, GraphNetwork):  # a GraphNetwork holds one GraphLayer
        return convert_chain(builder, layer.layers, x, path=f"{where}.")
    raise TypeError(f"to_onnx: {label(layer, where)} is a {printable(type(layer).__name__, 80)}, which has no ONNX "
                    f"form; supported layers: {', '.join(SUPPORTED)}")


def _dense(builder, layer, x, where, doc):
    z = builder.op("MatMul", [x, builder.const(layer.params["weight"], "weight")], doc=doc)
    if layer.use_bias:
        z = builder.op("Add", [z, builder.const(layer.params["bias"], "bias")])
    return activate(builder, z, layer.activation, label(layer, where))


def _gain_bias(builder, layer, xhat):
    """``x̂·γ + β``."""
    y = builder.op("Mul", [xhat, builder.const(layer.params["gain"], "gain")])
    return builder.op("Add", [y, builder.const(layer.params["bias"], "bias")])
