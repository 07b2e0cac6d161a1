"""The generated code for a :class:`~axonal.network.Sequential`, in either language: one function per layer.

The one walk over a ``Sequential`` for every standalone exporter: it writes its
statements through the module's syntax (:mod:`axonal.export.syntax`), so the same
walk gives Python (:func:`~axonal.export.standalone.to_python`) and JavaScript
(:func:`~axonal.export.javascript.to_javascript`).

Every layer becomes a small function of one vector (``_l2(x)``), or, for a recurrent
layer, of its state and one time step (``_l1(st, x)``: reads ``h = st[0]`` (and
``c = st[1]``), stores the new ones, returns ``h_t``). The chain is cut in two where
the first recurrent layer that returns only its last step sits:

* ``_head(st, x)``: the layers up to and including it, applied to one time step
  (for a network of vectors: every layer);
* ``_tail(x)``: the layers after it, applied once to its last output.

So ``predict(xs)`` (a whole sequence, from the fresh state ``_new_state()``) runs
``_head`` over the steps and ``_tail`` on the last result (or returns every step's
output when every recurrent layer returns sequences); the JavaScript module's
``_activate(st, x)`` runs one step of a state carried between calls. Dropout is the
identity at inference and writes no code. Weights are stored one row per neuron
(``W.T``), so ``z_j = Σ_i x_i·w_ij`` reads one row.

Functions, constants and comments are named by the layer's position (``_l2_block_0``,
``L2_BLOCK_0_WEIGHT``, ``layer 2.0: Dense``); the network's and the layers' own
descriptions are kept as string literals, ``NETWORK`` and ``LAYERS``.
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

__all__ = ["SUPPORTED", "emit_sequential"]

SUPPORTED = ("Dense", "Dropout", "Standardize", "MinMaxScale", "BatchNorm", "LayerNorm", "Residual",
             "SimpleRNN", "LSTM", "GRU", "Sequential (nested)")
_RECURRENT = (SimpleRNN, LSTM, GRU)


def _label(layer, path) -> str:
    """How an error message names a layer: its position and its description, escaped."""
    return f"layer {path} ({printable(layer.describe(), 80)})"


def _act_word(module, activation) -> str:
    """The activation's name for a comment: one of the names the module knows, else ``custom``."""
    name = getattr(activation, "name", None)
    return name if isinstance(name, str) and name in module.activations() else "custom"


def emit_sequential(net, module, predict: str, stepper: bool = False) -> dict:
    """Add the layer functions, ``_new_state()``, ``_head``, ``_tail`` and ``predict(x)`` to ``module``
    (``predict``: a name the module handed out), and with ``stepper`` also ``_activate(st, x)``, one
    time step of a carried state.

    Returns ``{"predict": name, "activate": name or None, "new_state": name, "recurrent": bool,
    "sequence": bool, "sequence_output": bool, "inputs": int, "outputs": int, "shape": str}``
    (``shape``: what ``predict`` maps to what, for the module's header).
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
        if isinstance(layer, _RECURRENT):
            if rank != 2:
                raise ValueError(f"{module.tool}: {_label(layer, i)} needs a sequence but receives one vector")
            fn = _recurrent(layer, f"L{i}", module, str(i))
            lines.append(module.assign("x", f"{fn}(st[{len(states)}], x)"))
            fresh = [module.filled(layer.units, 0.0) for _ in range(2 if isinstance(layer, LSTM) else 1)]
            states.append("[" + ", ".join(fresh) + "]")
            if not layer.return_sequences:
                rank, lines = 1, tail
        else:
            lines += _chain([layer], "L", module, "", start=i)
    new_state = module.name("_new_state")
    module.define(new_state, "", [module.returns("[" + ", ".join(states) + "]")],
                  "a fresh state: zeros for each recurrent layer's h (and c), in layer order")
    head_fn, tail_fn = module.name("_head"), module.name("_tail")
    module.define(head_fn, "st, x", head + [module.returns("x")],
                  "the layers up to the last one that works step by step, on one time step")
    module.define(tail_fn, "x", tail + [module.returns("x")], "the layers after it, on its last output")
    out = net.output_shape[-1]
    vector = module.helper("_vector")

    def one(st):
        """One sample (one time step of the state ``st``) through both halves."""
        return f"{tail_fn}({head_fn}({st}, {vector}(x, {n_in}, \"input\")))"
    if sequence:
        keep = "outputs" if rank == 2 else f"{tail_fn}({module.last('outputs')})"
        shape = (f"a list of time steps, each {n_in} numbers -> a list of {out} numbers for each step" if rank == 2
                 else f"a list of time steps, each {n_in} numbers -> {out} numbers")
        body = [module.assign("xs", f"{module.helper('_sequence')}(xs, {n_in})"),
                module.local("st", f"{new_state}()"), module.local("outputs", "[]")]
        body += module.each("x", "xs", [module.append("outputs", f"{head_fn}(st, x)")])
        module.define(predict, "xs", body + [module.returns(keep)],
                      f"the outputs for one whole sequence, from a fresh state: {shape}")
    else:
        shape = f"{n_in} numbers -> {out} numbers"
        module.define(predict, "x", [module.returns(one("[]"))], f"the outputs for one sample: {shape}")
    activate = None
    if stepper:
        activate = module.name("_activate")
        module.define(activate, "st, x", [module.returns(one("st"))],
                      "one time step of the state st (for a network of vectors: one sample)")
    return {"predict": predict, "activate": activate, "new_state": new_state, "recurrent": bool(states),
            "sequence": sequence, "sequence_output": sequence and rank == 2, "inputs": n_in, "outputs": out,
            "shape": shape}


def _chain(layers, prefix, module, path, start=0) -> list[str]:
    """``x = _l...(x)`` for each layer of a chain on one vector (``path``: the enclosing block's position)."""
    lines = []
    for i, layer in enumerate(layers, start):
        where = f"{path}{i}"
        if isinstance(layer, Dropout):
            lines.append(module.note(f"layer {where}: Dropout, the identity at inference"))
        elif isinstance(layer, _RECURRENT):
            raise ValueError(  # noqa: TRY004 - a layer in the wrong place, not an argument of the wrong type
                f"{module.tool}: {_label(layer, where)} needs a sequence but receives one vector")
        else:
            fn = _per_step(layer, f"{prefix}{i}", module, where)
            lines.append(module.assign("x", f"{fn}(x)"))
    return lines


def _per_step(layer, prefix, module, where):
    """The name of a generated function of one vector computing ``layer`` (at position ``where``)."""
    fn = module.name(f"_{prefix.lower()}")
    label = _label(layer, where)
    const, helper = module.constant, module.helper
    if isinstance(layer, Dense):
        doc = f"layer {where}: Dense, {_act_word(module, layer.activation)}: y = f(x.W + b)"
        z = f"{helper('_matvec')}({const(f'{prefix}_weight', layer.params['weight'].T, rows=True)}, x)"
        if layer.use_bias:
            z = f"{helper('_add')}({z}, {const(f'{prefix}_bias', layer.params['bias'])})"
        body = [module.returns(module.activate(layer.activation, z, label))]
    elif isinstance(layer, (Standardize, MinMaxScale)):
        if not layer.adapted:
            raise ValueError(f"{module.tool}: {label} has not learned its statistics yet (call adapt or fit first)")
        shift = const(f"{prefix}_shift", layer.state["shift"])
        scale = const(f"{prefix}_scale", layer.state["scale"])
        offset = module.number(layer._offset())
        kind = "Standardize" if isinstance(layer, Standardize) else "MinMaxScale"
        doc = f"layer {where}: {kind}: y = (x - shift)*scale + {offset}"
        body = [module.returns(f"{helper('_affine')}(x, {shift}, {scale}, {offset})")]
    elif isinstance(layer, BatchNorm):
        inv_std = 1.0 / np.sqrt(layer.state["running_var"] + layer.epsilon)  # as BatchNorm computes it
        mean = const(f"{prefix}_mean", layer.state["running_mean"])
        inv = const(f"{prefix}_inv_std", inv_std, comment="1/sqrt(running variance + eps)")
        gain, bias = const(f"{prefix}_gain", layer.params["gain"]), const(f"{prefix}_bias", layer.params["bias"])
        doc = f"layer {where}: BatchNorm at inference: y = (x - mean)/sqrt(var + eps)*gain + bias"
        body = [module.returns(f"{helper('_batch_norm')}(x, {mean}, {inv}, {gain}, {bias})")]
    elif isinstance(layer, LayerNorm):
        gain, bias = const(f"{prefix}_gain", layer.params["gain"]), const(f"{prefix}_bias", layer.params["bias"])
        doc = f"layer {where}: LayerNorm: y = (x - mean(x))/sqrt(var(x) + eps)*gain + bias"
        body = [module.returns(f"{helper('_layer_norm')}(x, {gain}, {bias}, {module.number(layer.epsilon)})")]
    elif isinstance(layer, Residual):
        inner = layer.block.layers if isinstance(layer.block, Sequential) else [layer.block]
        if any(isinstance(child, _RECURRENT) for child in inner):
            raise ValueError(f"{module.tool}: {label}: recurrent layers inside a Residual are not supported")
        chain = _chain(inner, f"{prefix}_block_", module, f"{where}.")
        if layer.projection:
            proj = const(f"{prefix}_projection", layer.params["projection"].T, rows=True)
            doc, skip = f"layer {where}: Residual, y = x.P + F(x), F its block {where}.*", \
                f"{helper('_matvec')}({proj}, x)"
        else:
            doc, skip = f"layer {where}: Residual, y = x + F(x), F its block {where}.*", "x"
        body = [module.local("s", skip)] + chain + [module.returns(f"{helper('_add')}(s, x)")]
    elif isinstance(layer, Sequential):
        doc = f"layer {where}: a nested Sequential, its layers {where}.* in turn"
        body = _chain(layer.layers, f"{prefix}_", module, f"{where}.") + [module.returns("x")]
    else:
        raise TypeError(f"{module.tool}: {label} is a {printable(type(layer).__name__, 80)}, which has no "
                        f"standalone form; supported layers: {', '.join(SUPPORTED)}")
    module.define(fn, "x", body, doc)
    return fn


def _recurrent(layer, prefix, module, where):
    """A generated function ``(st, x)``: one time step of a recurrent layer, its state ``[h]`` or
    ``[h, c]`` in ``st``."""
    label = _label(layer, where)
    fn = module.name(f"_{prefix.lower()}")
    n = layer.units
    kernel = module.constant(f"{prefix}_kernel", layer.params["kernel"].T, rows=True)
    recurrent = module.constant(f"{prefix}_recurrent_kernel", layer.params["recurrent_kernel"].T, rows=True)
    bias = module.constant(f"{prefix}_bias", layer.params["bias"])
    matvec, add, mul = module.helper("_matvec"), module.helper("_add"), module.helper("_mul")
    local, assign, cut = module.local, module.assign, module.slice

    def sig(e):
        return module.activate("logistic", e, label)

    def tanh(e):
        return module.activate("tanh", e, label)

    body = [local("h", "st[0]")]
    if isinstance(layer, SimpleRNN):
        doc = f"layer {where}: SimpleRNN, {_act_word(module, layer.activation)}: h_t = f(x_t.W + b + h_(t-1).U)"
        a = f"{add}({add}({matvec}({kernel}, x), {bias}), {matvec}({recurrent}, h))"
        body.append(assign("h", module.activate(layer.activation, a, label)))
    elif isinstance(layer, LSTM):
        doc = (f"layer {where}: LSTM, gates [i | f | g | o] of a = x_t.W + b + h_(t-1).U"
               + (" with peepholes p * c" if layer.peepholes else "") + "; c_t = f*c + i*g, h_t = o*tanh(c_t)")
        body += [local("c", "st[1]"),
                 local("a", f"{add}({add}({matvec}({kernel}, x), {bias}), {matvec}({recurrent}, h))"),
                 local("a_i", cut("a", 0, n)), local("a_f", cut("a", n, 2 * n)), local("a_g", cut("a", 2 * n, 3 * n)),
                 local("a_o", cut("a", 3 * n))]
        if layer.peepholes:
            p_i, p_f, p_o = (module.constant(f"{prefix}_peephole_{g}", layer.params[f"peephole_{g}"]) for g in "ifo")
            body += [assign("a_i", f"{add}(a_i, {mul}(c, {p_i}))"), assign("a_f", f"{add}(a_f, {mul}(c, {p_f}))")]
        body += [local("i", sig("a_i")), local("f", sig("a_f")), local("g", tanh("a_g")),
                 assign("c", f"{add}({mul}(f, c), {mul}(i, g))")]
        if layer.peepholes:
            body.append(assign("a_o", f"{add}(a_o, {mul}(c, {p_o}))"))
        body += [assign("h", f"{mul}({sig('a_o')}, {tanh('c')})"), assign("st[1]", "c")]
    else:
        doc = (f"layer {where}: GRU, r, z = sig(a_x + a_h), n = tanh(a_x,n + r*a_h,n), "
               f"h_t = (1 - z)*n + z*h_(t-1), a_x = x_t.W + b_x, a_h = h_(t-1).U + b_h")
        recurrent_bias = module.constant(f"{prefix}_recurrent_bias", layer.params["recurrent_bias"])
        body += [local("a_h", f"{add}({matvec}({recurrent}, h), {recurrent_bias})"),
                 local("a_x", f"{add}({matvec}({kernel}, x), {bias})"),
                 local("r", sig(f"{add}({cut('a_x', 0, n)}, {cut('a_h', 0, n)})")),
                 local("z", sig(f"{add}({cut('a_x', n, 2 * n)}, {cut('a_h', n, 2 * n)})")),
                 local("g", tanh(f"{add}({cut('a_x', 2 * n)}, {mul}(r, {cut('a_h', 2 * n)}))")),
                 assign("h", f"{module.helper('_gru_mix')}(z, g, h)")]
    module.define(fn, "st, x", body + [assign("st[0]", "h"), module.returns("h")], doc)
    return fn
