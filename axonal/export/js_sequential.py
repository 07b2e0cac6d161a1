"""JavaScript for a :class:`~axonal.network.Sequential`: one function per layer, state per recurrent layer.

The twin of :mod:`axonal.export.sequential_source`. Every layer becomes a small
function of one vector (``_l2``), or, for a recurrent layer, of its state and one
time step (``_l1(st, x)``: reads ``st.h`` (and ``st.c``), stores the new ones,
returns ``h_t``). The chain is cut in two where the first recurrent layer that
returns only its last step sits:

* ``_head(st, x)``: the layers up to and including it, applied to one time step
  (for a network of vectors: every layer);
* ``_tail(x)``: the layers after it, applied once to its last output.

So ``predict(xs)`` (a whole sequence, from a fresh state) runs ``_head`` over the steps
and ``_tail`` on the last result (or returns every step's output when every recurrent
layer returns sequences), and ``activate(x)`` runs one step of a state carried between
calls: its output is what ``predict`` gives for the steps seen since the last ``reset()``
(the last step's output). Dropout is the identity at inference and writes no code.
Weights are stored one row per neuron (``W.T``), so ``z_j = sum_i x_i*w_ij`` reads one row.
"""

from __future__ import annotations

import numpy as np

from ..layers import (
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
from ..names import printable
from ..network import Sequential
from .js_code import ACTIVATIONS

__all__ = ["emit_sequential"]

SUPPORTED = ("Dense", "Dropout", "Standardize", "MinMaxScale", "BatchNorm", "LayerNorm", "Residual",
             "SimpleRNN", "LSTM", "GRU", "Sequential (nested)")


def _function(name, params, lines, comment=None):
    """``function name(params) { lines }`` with the generator's ``comment`` above it."""
    body = "\n".join(("  " + line) if line else "" for line in lines)
    head = f"// {comment}\n" if comment else ""
    return f"{head}function {name}({params}) {{\n{body}\n}}"


def _label(layer, path):
    return f"layer {path} ({printable(layer.describe(), 80)})"


def _act_word(activation) -> str:
    name = getattr(activation, "name", None)
    return name if name in ACTIVATIONS else "custom"


def emit_sequential(net, module) -> dict:
    """Add the layer functions, ``predict``, ``_activate(st, x)`` and ``_new_state()`` to ``module``.

    Returns ``{"predict": name, "activate": name, "new_state": name, "recurrent": bool,
    "sequence": bool, "inputs": int, "outputs": int, "summary": str}``.
    """
    n_in = net.input_shape[-1]
    sequence = len(net.input_shape) == 2
    module.text("NETWORK", net.describe(), comment="the network's description, as it gives it")
    module.texts("LAYERS", [layer.describe() for layer in net.layers],
                 comment="the description of each layer (LAYERS[i] is layer i)")
    head: list[str] = []
    tail: list[str] = []
    states: list[str] = []
    lines, rank = head, 2 if sequence else 1
    for i, layer in enumerate(net.layers):
        if isinstance(layer, Dropout):
            lines.append(f"// layer {i}: Dropout, the identity at inference")
            continue
        if isinstance(layer, (SimpleRNN, LSTM, GRU)):
            if rank != 2:
                raise ValueError(f"to_javascript: {_label(layer, i)} needs a sequence but receives one vector")
            fn = _recurrent(layer, f"L{i}", module, str(i))
            lines.append(f"x = {fn}(st[{len(states)}], x);")
            n = layer.units
            states.append(f"{{h: _zeros({n}), c: _zeros({n})}}" if isinstance(layer, LSTM) else f"{{h: _zeros({n})}}")
            if not layer.return_sequences:
                rank, lines = 1, tail
            continue
        lines.append(f"x = {_per_step(layer, f'L{i}', module, str(i))}(x);")
    if states:
        module.helper("_zeros")
    new_state = module.name("_new_state")
    module.function(_function(new_state, "", ["return [" + ", ".join(states) + "];"],
                              "a fresh state: zeros for each recurrent layer's h (and c), in layer order"))
    head_fn, tail_fn = module.name("_head"), module.name("_tail")
    module.function(_function(head_fn, "st, x", head + ["return x;"],
                              "the layers up to the last one that works step by step, on one time step"))
    module.function(_function(tail_fn, "x", tail + ["return x;"], "the layers after it, on its last output"))
    out = net.output_shape[-1]
    predict, activate = module.name("predict"), module.name("_activate")
    vector = module.helper("_vector")
    if sequence:
        keep = "outputs" if rank == 2 else f"{tail_fn}(outputs[outputs.length - 1])"
        shape = (f"a list of time steps, each {n_in} numbers -> a list of {out} numbers for each step" if rank == 2
                 else f"a list of time steps, each {n_in} numbers -> {out} numbers")
        body = [f"xs = {module.helper('_sequence')}(xs, {n_in});",
                f"var st = {new_state}(), outputs = [];",
                "for (var t = 0; t < xs.length; t++) {", f"  outputs.push({head_fn}(st, xs[t]));", "}",
                f"return {keep};"]
        module.function(_function(predict, "xs", body, "the outputs for one whole sequence, from a fresh state"))
    else:
        shape = f"{n_in} numbers -> {out} numbers"
        module.function(_function(predict, "x", [f"return {tail_fn}({head_fn}([], {vector}(x, {n_in}, \"input\")));"],
                                  "the outputs for one sample"))
    module.function(_function(activate, "st, x",
                              [f"return {tail_fn}({head_fn}(st, {vector}(x, {n_in}, \"input\")));"],
                              "one time step of the state st (for a network of vectors: one sample)"))
    return {"predict": predict, "activate": activate, "new_state": new_state, "recurrent": bool(states),
            "sequence": sequence, "sequence_output": sequence and rank == 2, "inputs": n_in, "outputs": out,
            "summary": f"predict(x): {shape}"}


def _per_step(layer, prefix, module, where):
    """The name of a generated function of one vector computing ``layer`` (at position ``where``)."""
    fn = module.name(f"_{prefix.lower()}")
    label = _label(layer, where)
    loop = "for (var i = 0; i < x.length; i++) {"
    if isinstance(layer, Dense):
        comment = f"layer {where}: Dense, {_act_word(layer.activation)}: y = f(x.W + b)"
        weight = module.constant(f"{prefix}_weight", layer.params["weight"].T, rows=True)
        z = f"{module.helper('_matvec')}({weight}, x)"
        if layer.use_bias:
            z = f"{module.helper('_add')}({z}, {module.constant(f'{prefix}_bias', layer.params['bias'])})"
        lines = [f"return {module.activate(layer.activation, z, label)};"]
    elif isinstance(layer, (Standardize, MinMaxScale)):
        if not layer.adapted:
            raise ValueError(f"to_javascript: {label} has not learned its statistics yet (call adapt or fit first)")
        shift = module.constant(f"{prefix}_shift", layer.state["shift"])
        scale = module.constant(f"{prefix}_scale", layer.state["scale"])
        offset = layer._offset()
        kind = "Standardize" if isinstance(layer, Standardize) else "MinMaxScale"
        extra = f" + {float(offset)!r}" if offset else ""
        comment = f"layer {where}: {kind}: y = (x - shift) * scale{extra}"
        lines = ["var out = [];", loop, f"  out.push((x[i] - {shift}[i]) * {scale}[i]{extra});", "}", "return out;"]
    elif isinstance(layer, BatchNorm):
        inv_std = 1.0 / np.sqrt(layer.state["running_var"] + layer.epsilon)  # as BatchNorm computes it
        mean = module.constant(f"{prefix}_mean", layer.state["running_mean"])
        inv = module.constant(f"{prefix}_inv_std", inv_std, comment="1/sqrt(running variance + eps)")
        gain = module.constant(f"{prefix}_gain", layer.params["gain"])
        bias = module.constant(f"{prefix}_bias", layer.params["bias"])
        comment = f"layer {where}: BatchNorm at inference: y = (x - mean)/sqrt(var + eps)*gain + bias"
        lines = ["var out = [];", loop, f"  out.push((x[i] - {mean}[i]) * {inv}[i] * {gain}[i] + {bias}[i]);", "}",
                 "return out;"]
    elif isinstance(layer, LayerNorm):
        gain = module.constant(f"{prefix}_gain", layer.params["gain"])
        bias = module.constant(f"{prefix}_bias", layer.params["bias"])
        comment = f"layer {where}: LayerNorm: y = (x - mean(x))/sqrt(var(x) + eps)*gain + bias"
        lines = ["var m = 0, v = 0, out = [];", loop, "  m += x[i];", "}", "m = m / x.length;",
                 "for (var k = 0; k < x.length; k++) {", "  v += (x[k] - m) * (x[k] - m);", "}",
                 "v = v / x.length;", f"var s = 1.0 / Math.sqrt(v + {float(layer.epsilon)!r});",
                 "for (var j = 0; j < x.length; j++) {", f"  out.push((x[j] - m) * s * {gain}[j] + {bias}[j]);", "}",
                 "return out;"]
    elif isinstance(layer, Residual):
        inner = layer.block.layers if isinstance(layer.block, Sequential) else [layer.block]
        if any(isinstance(child, (SimpleRNN, LSTM, GRU)) for child in inner):
            raise ValueError(f"to_javascript: {label}: recurrent layers inside a Residual are not supported")
        chain = _chain(inner, f"{prefix}_block_", module, f"{where}.")
        if layer.projection:
            proj = module.constant(f"{prefix}_projection", layer.params["projection"].T, rows=True)
            comment, skip = f"layer {where}: Residual, y = x.P + F(x)", f"{module.helper('_matvec')}({proj}, x)"
        else:
            comment, skip = f"layer {where}: Residual, y = x + F(x)", "x"
        lines = [f"var s = {skip};"] + chain + [f"return {module.helper('_add')}(s, x);"]
    elif isinstance(layer, Sequential):
        comment = f"layer {where}: a nested Sequential, its layers in turn"
        lines = _chain(layer.layers, f"{prefix}_", module, f"{where}.") + ["return x;"]
    else:
        raise TypeError(f"to_javascript: {label} is a {printable(type(layer).__name__, 80)}, which has no "
                        f"standalone form; supported layers: {', '.join(SUPPORTED)}")
    module.function(_function(fn, "x", lines, comment))
    return fn


def _chain(layers, prefix, module, path):
    lines = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Dropout):
            continue
        if isinstance(layer, (SimpleRNN, LSTM, GRU)):
            raise ValueError(f"to_javascript: {_label(layer, f'{path}{i}')} needs a sequence but receives one vector")
        lines.append(f"x = {_per_step(layer, f'{prefix}{i}', module, f'{path}{i}')}(x);")
    return lines


def _recurrent(layer, prefix, module, where):
    """A generated function ``(st, x)``: one time step of a recurrent layer, its state in ``st``."""
    label = _label(layer, where)
    fn = module.name(f"_{prefix.lower()}")
    n = layer.units
    kernel = module.constant(f"{prefix}_kernel", layer.params["kernel"].T, rows=True)
    recurrent = module.constant(f"{prefix}_recurrent_kernel", layer.params["recurrent_kernel"].T, rows=True)
    bias = module.constant(f"{prefix}_bias", layer.params["bias"])
    matvec, add, mul = module.helper("_matvec"), module.helper("_add"), module.helper("_mul")

    def sig(e):
        return module.activate("logistic", e, label)

    def tanh(e):
        return module.activate("tanh", e, label)
    if isinstance(layer, SimpleRNN):
        comment = f"layer {where}: SimpleRNN, {_act_word(layer.activation)}: h_t = f(x_t.W + b + h_(t-1).U)"
        a = f"{add}({add}({matvec}({kernel}, x), {bias}), {matvec}({recurrent}, st.h))"
        lines = [f"var h = {module.activate(layer.activation, a, label)};", "st.h = h;"]
    elif isinstance(layer, LSTM):
        comment = (f"layer {where}: LSTM, gates [i | f | g | o] of a = x_t.W + b + h_(t-1).U"
                   + (" with peepholes p * c" if layer.peepholes else "") + "; c_t = f*c + i*g, h_t = o*tanh(c_t)")
        lines = ["var h = st.h, c = st.c;",
                 f"var a = {add}({add}({matvec}({kernel}, x), {bias}), {matvec}({recurrent}, h));",
                 (f"var a_i = a.slice(0, {n}), a_f = a.slice({n}, {2 * n}), a_g = a.slice({2 * n}, {3 * n}), "
                  f"a_o = a.slice({3 * n});")]
        if layer.peepholes:
            p_i, p_f, p_o = (module.constant(f"{prefix}_peephole_{g}", layer.params[f"peephole_{g}"]) for g in "ifo")
            lines += [f"a_i = {add}(a_i, {mul}(c, {p_i}));", f"a_f = {add}(a_f, {mul}(c, {p_f}));"]
        lines += [f"var i = {sig('a_i')}, f = {sig('a_f')}, g = {tanh('a_g')};",
                  f"c = {add}({mul}(f, c), {mul}(i, g));"]
        if layer.peepholes:
            lines.append(f"a_o = {add}(a_o, {mul}(c, {p_o}));")
        lines += [f"h = {mul}({sig('a_o')}, {tanh('c')});", "st.h = h;", "st.c = c;"]
    else:
        comment = (f"layer {where}: GRU, r, z = sig(a_x + a_h), n = tanh(a_x,n + r*a_h,n), "
                   f"h_t = (1 - z)*n + z*h_(t-1), a_x = x_t.W + b_x, a_h = h_(t-1).U + b_h")
        recurrent_bias = module.constant(f"{prefix}_recurrent_bias", layer.params["recurrent_bias"])
        lines = ["var h = st.h;",
                 f"var a_h = {add}({matvec}({recurrent}, h), {recurrent_bias});",
                 f"var a_x = {add}({matvec}({kernel}, x), {bias});",
                 f"var r = {sig(f'{add}(a_x.slice(0, {n}), a_h.slice(0, {n}))')};",
                 f"var z = {sig(f'{add}(a_x.slice({n}, {2 * n}), a_h.slice({n}, {2 * n}))')};",
                 f"var g = {tanh(f'{add}(a_x.slice({2 * n}), {mul}(r, a_h.slice({2 * n})))')};",
                 "var out = [];", "for (var j = 0; j < z.length; j++) {",
                 "  out.push((1.0 - z[j]) * g[j] + z[j] * h[j]);", "}", "st.h = out;", "h = out;"]
    module.function(_function(fn, "st, x", lines + ["return h;"], comment))
    return fn
