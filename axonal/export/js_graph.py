"""JavaScript for a :class:`~axonal.graph.GraphNetwork`: one time step of every layer, state carried.

The twin of :mod:`axonal.export.graph_source`. The state ``st`` holds, for every
layer, its activations ``st.act[i]``, its states ``st.state[i]`` and (for gating
layers) the gains ``st.gain[i]`` it last applied; ``_activate(st, inputs)`` runs one
time step exactly as :class:`~axonal.graph.GraphLayer` does::

    s_L = b_L + gain * w_L * s_L(t-1) + sum of the terms u          a_L = f_L(s_L)

Layers are computed in activation order and ``act[i]`` is replaced as each layer
finishes, so a read of an earlier layer sees this step's value and a read of a
later layer (or the layer itself) the previous step's. Gains read at the previous
step come from ``gain``, which starts at 1 and takes the gaters' activations at the
end of each step. The terms (one per connection kind, see :mod:`axonal.graph.terms`)::

    all_to_all      u = a.W                 input-gated   u = g * (a.W)
    output-gated    u = (g * a).W           synapse-gated u_j = sum_i a_i*(g_ij*W_ij)
    one_to_one      u = a * w (* g)         g per synapse: [g | 1][index]

``in_order`` connections are applied neuron by neuron (neuron ``j`` reads the
neurons before it at this step, the others at the previous one). Code, constants
and comments refer to layers and connections by position; their names are kept as
string literals in ``LAYERS`` and ``CONNECTIONS``.
"""

from __future__ import annotations

import numpy as np

from ..graph.blueprint import CONNECTION_KINDS, GATE_KINDS
from ..graph.terms import AllToAll, InputGated, OneToOne, OutputGated, SynapseGated
from ..names import printable
from .js_code import ACTIVATIONS
from .js_sequential import _function

__all__ = ["emit_graph"]


def _word(value, known) -> str:
    return value if isinstance(value, str) and value in known else "?"


def emit_graph(net, module) -> dict:
    """Add ``_activate(st, inputs)``, ``_new_state()`` and ``predict`` for ``net`` to ``module``
    (see :func:`~axonal.export.js_sequential.emit_sequential` for what it returns)."""
    layer = net.graph_layer
    order = layer.graph.order
    connections = {id(conn): k for k, conn in enumerate(layer.graph.connections)}
    weights = {k: np.asarray(v, dtype=np.float64) for k, v in layer.effective_weights().items()}
    sizes = layer.sizes
    module.text("NETWORK", net.describe(), comment="the network's description, as it gives it")
    module.texts("LAYERS", order, comment="the name of each layer, in activation order (LAYERS[i] is layer i)")
    module.texts("CONNECTIONS", [conn.name for conn in layer.graph.connections],
                 comment="the name of each connection (CONNECTIONS[k] is connection k)")
    zeros, ones = module.helper("_zeros"), module.helper("_ones")
    lines = ["var act = st.act, state = st.state, gain = st.gain, s, a, u;",
             f"act[0] = {module.helper('_vector')}(x, {sizes[0]}, \"input\");"]
    for step in layer.steps:
        lines.append("")
        lines.append(f"// layer {step.index}: {step.size} neurons, {_word(step.activation.name, ACTIVATIONS)}")
        lines += _layer_lines(step, weights, module, connections)
    if layer.gaters:
        lines += ["", "// the gains the gaters apply at the next step, when read at t-1"]
        lines += [f"gain[{g}] = act[{g}].slice(0);" for g in layer.gaters]
    lines.append(f"return act[{layer.out_index}].slice(0);")
    activate = module.name("_activate")
    module.function(_function(activate, "st, x", lines,
                              f"one time step: {sizes[0]} input values -> the {sizes[layer.out_index]} "
                              f"activations of layer {layer.out_index}"))
    gaters = set(layer.gaters)
    fresh = [f"{zeros}({n})" for n in sizes]
    gains = [f"{ones}({n})" if i in gaters else "null" for i, n in enumerate(sizes)]
    new_state = module.name("_new_state")
    module.function(_function(new_state, "", [
        f"return {{act: [{', '.join(fresh)}], state: [{', '.join(fresh)}], gain: [{', '.join(gains)}]}};"],
        "a fresh state: activations and states 0, gains 1"))
    predict = module.name("predict")
    out = sizes[layer.out_index]
    if layer.recurrent:
        keep = "outputs" if layer.return_sequences else "outputs[outputs.length - 1]"
        body = [("if (xs === null || typeof xs !== \"object\" || typeof xs.length !== \"number\" || "
                 "xs.length === 0) {"),
                "  throw new Error(\"expected a sequence of at least one time step\");", "}",
                f"var st = {new_state}(), outputs = [];",
                "for (var t = 0; t < xs.length; t++) {", f"  outputs.push({activate}(st, xs[t]));", "}",
                f"return {keep};"]
        module.function(_function(predict, "xs", body, "the outputs for one whole sequence, from a fresh state"))
        what = "each step's" if layer.return_sequences else "the last step's"
        summary = f"predict(xs): a list of time steps of {sizes[0]} values -> {what} {out} outputs"
    else:
        module.function(_function(predict, "x", [f"return {activate}({new_state}(), x);"],
                                  "the outputs for one sample"))
        summary = f"predict(x): {sizes[0]} numbers -> {out} numbers"
    return {"predict": predict, "activate": activate, "new_state": new_state, "recurrent": layer.recurrent,
            "sequence": layer.recurrent, "sequence_output": layer.recurrent and layer.return_sequences,
            "inputs": sizes[0], "outputs": out, "summary": summary}


def _layer_lines(step, weights, module, connections):
    """The statements computing one layer's state and activation."""
    i = step.index
    add = module.helper("_add")
    if step.bias is not None:
        lines = [f"s = {module.constant(f'L{i}_bias', weights[step.bias])}.slice(0);"]
    else:
        lines = [f"s = {module.helper('_zeros')}({step.size});"]
    own = step.self_term
    if own is not None:
        lines.append(f"// layer {i}: self-connection" +
                     ("" if own.gater is None else f", gated by layer {int(own.gater)}"))
        lines += [f"u = {_term(own, module, f'L{i}_self', f'state[{i}]', weights[own.param])};", f"s = {add}(s, u);"]
    for term in step.terms:
        conn = term.conn
        k = connections[id(conn)]
        note = (f"// connection {k}: layer {term.source} ({'t-1' if term.prev else 't'}) -> layer {i}, "
                f"{_word(conn.kind, CONNECTION_KINDS)}")
        if term.gater is not None:
            note += f", {_word(conn.gate_kind, GATE_KINDS)}-gated by layer {int(term.gater)}"
        lines += [note, f"u = {_term(term, module, f'C{k}', f'act[{term.source}]', weights[term.param])};",
                  f"s = {add}(s, u);"]
    where = f"graph layer {i} ({printable(step.name, 80)})"
    if step.order:
        total = sum(weights[param] for param in step.order)
        rows = module.constant(f"L{i}_in_order", total.T, rows=True,
                               comment=f"layer {i}: its in_order weights into each neuron")
        one = module.activate(step.activation, "[s[j]]", where)
        lines += ["// in_order: neuron j reads the neurons before it at this step, the others at the previous one",
                  f"a = act[{i}].slice(0);", f"for (var j = 0; j < {rows}.length; j++) {{",
                  f"  var row = {rows}[j], v = 0;", "  for (var k = 0; k < row.length; k++) {",
                  "    v += row[k] * a[k];", "  }", "  s[j] += v;", f"  a[j] = {one}[0];", "}",
                  f"state[{i}] = s;", f"act[{i}] = a;"]
        return lines
    return lines + [f"state[{i}] = s;", f"act[{i}] = {module.activate(step.activation, 's', where)};"]


def _term(term, module, base, a, weight) -> str:
    """The expression of a term's ``u`` (see :mod:`axonal.graph.terms`), by its kind."""
    matvec, mul = module.helper("_matvec"), module.helper("_mul")
    g = None if term.gater is None else (f"gain[{term.gater}]" if term.gate_prev else f"act[{term.gater}]")
    if isinstance(term, OneToOne):
        u = f"{mul}({a}, {module.constant(f'{base}_weight', weight)})"
        if g is None:
            return u
        if term.gate_index is not None:
            index = module.constant(f"{base}_gate_index", term.gate_index.index, comment=_INDEX_NOTE)
            g = f"{module.helper('_gather')}({g}, {index})"
        return f"{mul}({u}, {g})"
    rows = module.constant(f"{base}_weight", weight.T, rows=True)
    if isinstance(term, SynapseGated) and term.gate_index is not None:
        index = module.constant(f"{base}_gate_index", term.gate_index.index.T, rows=True, comment=_INDEX_NOTE)
        return f"{module.helper('_synapse')}({rows}, {index}, {a}, {g})"
    if isinstance(term, OutputGated):
        return f"{matvec}({rows}, {mul}({g}, {a}))"
    if isinstance(term, InputGated):
        return f"{mul}({g}, {matvec}({rows}, {a}))"
    if isinstance(term, AllToAll):
        return f"{matvec}({rows}, {a})"
    raise TypeError(f"to_javascript: a connection term of kind {printable(type(term).__name__, 60)} "
                    f"has no JavaScript form")


_INDEX_NOTE = "the gater neuron of each synapse; the last index means ungated (gain 1)"
