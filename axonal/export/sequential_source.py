"""Standalone source for a :class:`~axonal.network.Sequential`: one function per layer.

Every layer becomes a small function of one sample, stating its equation; the
generated ``predict`` chains them. Layers that work on one time step at a time
(``Dense``, the scalers, the normalisations) are applied to each step of a
sequence; a recurrent layer takes the whole sequence (a list of time steps) and
returns every step's output or the last, as its ``return_sequences`` says.
Dropout is the identity at inference and generates no code. Weights are stored
as one row per neuron (``W.T``), so ``z_j = Σ_i x_i·w_ij`` reads one row.

Functions, constants, comments and docstrings are named by the layer's position
(``_l2_block_0``, ``L2_BLOCK_0_WEIGHT``, ``layer 2.0: Dense``); the network's and
the layers' own descriptions are kept as string literals, ``NETWORK`` and ``LAYERS``.
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
from ._code import ACTIVATIONS

__all__ = ["SUPPORTED", "emit_sequential"]

SUPPORTED = ("Dense", "Dropout", "Standardize", "MinMaxScale", "BatchNorm", "LayerNorm", "Residual",
             "SimpleRNN", "LSTM", "GRU", "Sequential (nested)")


def emit_sequential(net, module, name: str) -> str:
    """Add ``name(x)`` computing ``net.predict`` for one sample to ``module``; return its docstring line."""
    n_in = net.input_shape[-1]
    rank = len(net.input_shape)
    module.text("NETWORK", net.describe(), comment="the network's description, as it gives it")
    module.texts("LAYERS", [layer.describe() for layer in net.layers],
                 comment="the description of each layer (LAYERS[i] is layer i)")
    lines = [_check_input(module, rank, n_in)]
    rank = _emit_chain(net.layers, "L", module, lines, rank, path="")
    out = net.output_shape[-1]
    if rank == 2:
        shape = f"a list of time steps, each {n_in} numbers → a list of {out} numbers for each step"
    elif len(net.input_shape) == 2:
        shape = f"a list of time steps, each {n_in} numbers → {out} numbers"
    else:
        shape = f"{n_in} numbers → {out} numbers"
    doc = f"The outputs of the network (NETWORK) for one sample: {shape}."
    body = "\n".join("    " + line for line in lines)
    module.function(f'def {name}(x):\n    """{doc}"""\n{body}\n    return x')
    return doc


def _check_input(module, rank, n_in):
    if rank == 2:
        return f"x = {module.helper('_sequence')}(x, {n_in})"
    return f"x = {module.helper('_vector')}(x, {n_in})"


def _label(layer, path):
    """How an error message names a layer: its position and its description, escaped."""
    return f"layer {path} ({printable(layer.describe(), 80)})"


def _activation_name(activation) -> str:
    """The activation's name for a docstring: one of the names the generator knows."""
    name = getattr(activation, "name", None)
    return name if name in ACTIVATIONS else "custom"


def _emit_chain(layers, prefix, module, lines, rank, path):
    """Append ``x = ...`` for each layer in turn; return the rank of the result (1 vector, 2 sequence).

    ``path`` is the position of the enclosing block (``"2."`` inside layer 2), for comments and messages.
    """
    for i, layer in enumerate(layers):
        where = f"{path}{i}"
        fn_prefix = f"{prefix}{i}"
        if isinstance(layer, Dropout):
            lines.append(f"# layer {where}: Dropout, the identity at inference")
            continue
        if isinstance(layer, (SimpleRNN, LSTM, GRU)):
            if rank != 2:
                raise ValueError(f"to_python: {_label(layer, where)} needs a sequence but receives one vector")
            fn = _recurrent(layer, fn_prefix, module, where)
            lines.append(f"x = {fn}(x)")
            rank = 2 if layer.return_sequences else 1
            continue
        fn = _per_step(layer, fn_prefix, module, where)
        lines.append(f"x = {fn}(x)" if rank == 1 else f"x = [{fn}(step) for step in x]")
    return rank


def _per_step(layer, prefix, module, where):
    """The name of a generated function of one vector computing ``layer`` (at position ``where``)."""
    fn = module.name(f"_{prefix.lower()}")
    label = _label(layer, where)
    if isinstance(layer, Dense):
        doc = f"Layer {where}: Dense, {_activation_name(layer.activation)}: y = f(x·W + b)"
        z = f"{module.helper('_matvec')}({module.constant(f'{prefix}_weight', layer.params['weight'].T, rows=True)}, x)"
        if layer.use_bias:
            z = f"{module.helper('_add')}({z}, {module.constant(f'{prefix}_bias', layer.params['bias'])})"
        body = f"return {module.activate(layer.activation, z, label)}"
    elif isinstance(layer, (Standardize, MinMaxScale)):
        if not layer.adapted:
            raise ValueError(f"to_python: {label} has not learned its statistics yet (call adapt or fit first)")
        shift = module.constant(f"{prefix}_shift", layer.state["shift"])
        scale = module.constant(f"{prefix}_scale", layer.state["scale"])
        offset = layer._offset()
        kind = "Standardize" if isinstance(layer, Standardize) else "MinMaxScale"
        doc = f"Layer {where}: {kind}: y = (x - shift)·scale" + (f" + {float(offset)!r}" if offset else "")
        body = (f"return [(v - m) * s + {float(offset)!r} for v, m, s in zip(x, {shift}, {scale})]"
                if offset else f"return [(v - m) * s for v, m, s in zip(x, {shift}, {scale})]")
    elif isinstance(layer, BatchNorm):
        # 1/√(σ² + ε) computed here exactly as BatchNorm computes it at inference.
        inv_std = 1.0 / np.sqrt(layer.state["running_var"] + layer.epsilon)
        mean = module.constant(f"{prefix}_mean", layer.state["running_mean"])
        inv = module.constant(f"{prefix}_inv_std", inv_std, comment="1/√(running variance + ε)")
        gain = module.constant(f"{prefix}_gain", layer.params["gain"])
        bias = module.constant(f"{prefix}_bias", layer.params["bias"])
        doc = f"Layer {where}: BatchNorm at inference: y = (x - μ)/√(σ² + ε)·γ + β with the running statistics"
        body = (f"return [(v - m) * r * g + b for v, m, r, g, b in zip(x, {mean}, {inv}, {gain}, {bias})]")
    elif isinstance(layer, LayerNorm):
        gain = module.constant(f"{prefix}_gain", layer.params["gain"])
        bias = module.constant(f"{prefix}_bias", layer.params["bias"])
        doc = f"Layer {where}: LayerNorm: y = (x - mean(x))/√(var(x) + ε)·γ + β over the features"
        body = (f"mean = sum(x) / len(x)\n"
                f"    var = sum((v - mean) * (v - mean) for v in x) / len(x)\n"
                f"    inv_std = 1.0 / math.sqrt(var + {float(layer.epsilon)!r})\n"
                f"    return [(v - mean) * inv_std * g + b for v, g, b in zip(x, {gain}, {bias})]")
    elif isinstance(layer, Residual):
        inner = layer.block.layers if isinstance(layer.block, Sequential) else [layer.block]
        if any(isinstance(child, (SimpleRNN, LSTM, GRU)) for child in inner):
            raise ValueError(f"to_python: {label}: recurrent layers inside a Residual are not supported")
        lines = []
        _emit_chain(inner, f"{prefix}_block_", module, lines, 1, path=f"{where}.")
        if layer.projection:
            proj = module.constant(f"{prefix}_projection", layer.params["projection"].T, rows=True)
            doc = f"Layer {where}: Residual, y = x·P + F(x), F its block {where}.*"
            skip = f"{module.helper('_matvec')}({proj}, x)"
        else:
            doc, skip = f"Layer {where}: Residual, y = x + F(x), F its block {where}.*", "x"
        body = "skip = " + skip + "\n" + "".join(f"    {line}\n" for line in lines)
        body += f"    return {module.helper('_add')}(skip, x)"
    elif isinstance(layer, Sequential):
        lines = []
        if _emit_chain(layer.layers, f"{prefix}_", module, lines, 1, path=f"{where}.") != 1:
            raise ValueError(f"to_python: {label}: a nested block must map a vector to a vector")
        doc = f"Layer {where}: a nested Sequential, its layers {where}.* in turn"
        body = "\n".join(f"    {line}" for line in lines).lstrip() + "\n    return x"
    else:
        raise TypeError(f"to_python: {label} is a {printable(type(layer).__name__, 80)}, which has no standalone form; "
                        f"supported layers: {', '.join(SUPPORTED)}")
    module.function(f'def {fn}(x):\n    """{doc}."""\n    {body}')
    return fn


def _recurrent(layer, prefix, module, where):
    """A generated function of a whole sequence computing a recurrent layer from a zero state."""
    label = _label(layer, where)
    fn = module.name(f"_{prefix.lower()}")
    n = layer.units
    kernel = module.constant(f"{prefix}_kernel", layer.params["kernel"].T, rows=True)
    recurrent = module.constant(f"{prefix}_recurrent_kernel", layer.params["recurrent_kernel"].T, rows=True)
    bias = module.constant(f"{prefix}_bias", layer.params["bias"])
    matvec, add, mul = module.helper("_matvec"), module.helper("_add"), module.helper("_mul")
    sig = module.activate("logistic", "{}", label)
    tanh = module.activate("tanh", "{}", label)
    if isinstance(layer, SimpleRNN):
        doc = f"Layer {where}: SimpleRNN, {_activation_name(layer.activation)}: h_t = f(x_t·W + b + h_(t-1)·U)"
        a = f"{add}({add}({matvec}({kernel}, x), {bias}), {matvec}({recurrent}, h))"
        step = [f"h = {module.activate(layer.activation, a, label)}"]
        state = ["h = [0.0] * " + str(n)]
    elif isinstance(layer, LSTM):
        doc = (f"Layer {where}: LSTM, gates [i | f | g | o] of a = x_t·W + b + h_(t-1)·U"
               + (" with peepholes p ⊙ c" if layer.peepholes else "") + "; c_t = f⊙c + i⊙g, h_t = o⊙tanh(c_t)")
        step = [f"a = {add}({add}({matvec}({kernel}, x), {bias}), {matvec}({recurrent}, h))",
                f"a_i, a_f, a_g, a_o = a[:{n}], a[{n}:{2 * n}], a[{2 * n}:{3 * n}], a[{3 * n}:]"]
        if layer.peepholes:
            p_i, p_f, p_o = (module.constant(f"{prefix}_peephole_{g}", layer.params[f"peephole_{g}"])
                             for g in "ifo")
            step += [f"a_i = {add}(a_i, {mul}(c, {p_i}))", f"a_f = {add}(a_f, {mul}(c, {p_f}))"]
        step += [f"i, f, g = {sig.format('a_i')}, {sig.format('a_f')}, {tanh.format('a_g')}",
                 f"c = {add}({mul}(f, c), {mul}(i, g))"]
        if layer.peepholes:
            step.append(f"a_o = {add}(a_o, {mul}(c, {p_o}))")
        step.append(f"h = {mul}({sig.format('a_o')}, {tanh.format('c')})")
        state = [f"h = [0.0] * {n}", f"c = [0.0] * {n}"]
    else:
        doc = (f"Layer {where}: GRU, r, z = σ(a_x + a_h), n = tanh(a_x,n + r⊙a_h,n), h_t = (1 - z)⊙n + z⊙h_(t-1), "
               f"with a_x = x_t·W + b_x and a_h = h_(t-1)·U + b_h")
        recurrent_bias = module.constant(f"{prefix}_recurrent_bias", layer.params["recurrent_bias"])
        step = [f"a_h = {add}({matvec}({recurrent}, h), {recurrent_bias})",
                f"a_x = {add}({matvec}({kernel}, x), {bias})",
                f"r = {sig.format(f'{add}(a_x[:{n}], a_h[:{n}])')}",
                f"z = {sig.format(f'{add}(a_x[{n}:{2 * n}], a_h[{n}:{2 * n}])')}",
                f"n = {tanh.format(f'{add}(a_x[{2 * n}:], {mul}(r, a_h[{2 * n}:]))')}",
                "h = [(1.0 - zj) * nj + zj * hj for zj, nj, hj in zip(z, n, h)]"]
        state = [f"h = [0.0] * {n}"]
    keep = "outputs" if layer.return_sequences else "outputs[-1]"
    body = "\n".join(["    " + s for s in state] + ["    outputs = []", "    for x in xs:"]
                     + ["        " + s for s in step] + ["        outputs.append(h)", f"    return {keep}"])
    module.function(f'def {fn}(xs):\n    """{doc}."""\n{body}')
    return fn
