r"""Recurrent layers as an ONNX ``Scan`` loop whose body is axonal's own cell, step by step.

Used where the ``RNN``/``LSTM``/``GRU`` operators do not serve (see :mod:`.recurrent`):
a ``SimpleRNN`` whose activation the ``RNN`` operator lacks (``gelu``, ``softmax``,
``step``, ``sign``), and every recurrent layer exported in float64, which onnxruntime
runs for ``Scan`` but not for those operators. With ``x`` (batch, time, features)::

    A_x = Transpose(x)·W + b            (time, batch, gates·units), every step at once
    h_0 = 0 (and c_0 = 0)               (batch, units), shaped from the batch of x
    Scan over t: the body computes one step of the cell from (h_{t-1}, c_{t-1}, A_x[t])

The body, per cell, as the layers compute it (``a = A_x[t] + h_{t-1}·U``)::

    SimpleRNN  h_t = f(a)
    LSTM       [a_i | a_f | a_g | a_o] = a;  a_i += p_i ⊙ c_{t-1};  a_f += p_f ⊙ c_{t-1}
               c_t = σ(a_f) ⊙ c_{t-1} + σ(a_i) ⊙ tanh(a_g);  a_o += p_o ⊙ c_t;  h_t = σ(a_o) ⊙ tanh(c_t)
    GRU        a_h = h_{t-1}·U + b_h;  r = σ(a_x,r + a_h,r);  z = σ(a_x,z + a_h,z)
               n = tanh(a_x,n + r ⊙ a_h,n);  h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

The loop's scan output is every ``h_t`` (time, batch, units), transposed back for
``return_sequences``; otherwise the final ``h``.
"""

from __future__ import annotations

from .activations import activate

__all__ = ["convert_scan"]


def convert_scan(builder, layer, x: str, where: str, doc: str) -> str:
    """The nodes computing ``layer`` (SimpleRNN, LSTM or GRU) on ``x`` (batch, time, features) with a Scan."""
    from ...layers import GRU, LSTM

    onnx = builder.onnx
    n = layer.units
    lstm, gru = isinstance(layer, LSTM), isinstance(layer, GRU)
    time_first = builder.op("Transpose", [x], "time_first", perm=[1, 0, 2], doc=doc)
    ax = builder.op("Add", [builder.op("MatMul", [time_first, builder.const(layer.params["kernel"], "kernel")]),
                            builder.const(layer.params["bias"], "bias")], "ax")
    batch = builder.op("Shape", [x], "batch", start=0, end=1)
    shape = builder.op("Concat", [batch, builder.const_int64([n], "units")], "state_shape", axis=0)
    zero = onnx.helper.make_tensor("zero", builder.elem, [1], [0.0])
    states = ["h"] + (["c"] if lstm else [])
    initial = [builder.op("ConstantOfShape", [shape], f"{s}0", value=zero) for s in states]

    u = builder.const(layer.params["recurrent_kernel"], "recurrent_kernel")
    inside = {s: builder.fresh(f"{s}_prev") for s in states}
    ax_t = builder.fresh("ax_t")
    with builder.subgraph() as body:
        if gru:
            new = {"h": _gru(builder, layer, ax_t, inside["h"], u, where)}
        elif lstm:
            new = dict(zip(("h", "c"), _lstm(builder, layer, ax_t, inside["h"], inside["c"], u)))
        else:
            a = builder.op("Add", [ax_t, builder.op("MatMul", [inside["h"], u])], "a")
            new = {"h": activate(builder, a, layer.activation, where)}
        out = {s: builder.op("Identity", [new[s]], f"{s}_next") for s in states}
        step = builder.op("Identity", [new["h"]], "h_step")
    dims = ["batch", n]
    graph = onnx.helper.make_graph(
        body, "step",
        [builder.value_info(inside[s], builder.elem, dims) for s in states]
        + [builder.value_info(ax_t, builder.elem, ["batch", layer.gates * n])],
        [builder.value_info(out[s], builder.elem, dims) for s in states]
        + [builder.value_info(step, builder.elem, dims)])
    results = builder.op("Scan", initial + [ax], "scan", outputs=len(states) + 1, doc=doc, body=graph,
                         num_scan_inputs=1)
    if layer.return_sequences:
        return builder.op("Transpose", [results[-1]], "batch_first", perm=[1, 0, 2])
    return results[0]


def _split(builder, a, parts, kind):
    return builder.op("Split", [a], kind, outputs=parts, axis=-1)


def _lstm(builder, layer, ax_t, h, c, u):
    a = builder.op("Add", [ax_t, builder.op("MatMul", [h, u])], "a")
    a_i, a_f, a_g, a_o = _split(builder, a, 4, "gate")
    if layer.peepholes:
        p_i, p_f, p_o = (builder.const(layer.params[f"peephole_{g}"], "peephole") for g in "ifo")
        a_i = builder.op("Add", [a_i, builder.op("Mul", [c, p_i])])
        a_f = builder.op("Add", [a_f, builder.op("Mul", [c, p_f])])
    i, f, g = builder.op("Sigmoid", [a_i]), builder.op("Sigmoid", [a_f]), builder.op("Tanh", [a_g])
    c_new = builder.op("Add", [builder.op("Mul", [f, c]), builder.op("Mul", [i, g])], "c")
    if layer.peepholes:
        a_o = builder.op("Add", [a_o, builder.op("Mul", [c_new, p_o])])
    h_new = builder.op("Mul", [builder.op("Sigmoid", [a_o]), builder.op("Tanh", [c_new])], "h")
    return h_new, c_new


def _gru(builder, layer, ax_t, h, u, where):
    a_h = builder.op("Add", [builder.op("MatMul", [h, u]),
                             builder.const(layer.params["recurrent_bias"], "recurrent_bias")], "ah")
    ax_r, ax_z, ax_n = _split(builder, ax_t, 3, "gate")
    ah_r, ah_z, ah_n = _split(builder, a_h, 3, "gate")
    r = builder.op("Sigmoid", [builder.op("Add", [ax_r, ah_r])], "r")
    z = builder.op("Sigmoid", [builder.op("Add", [ax_z, ah_z])], "z")
    cand = builder.op("Tanh", [builder.op("Add", [ax_n, builder.op("Mul", [r, ah_n])])], "n")
    keep = builder.op("Sub", [builder.const(1.0, "one"), z])
    return builder.op("Add", [builder.op("Mul", [keep, cand]), builder.op("Mul", [z, h])], "h")
