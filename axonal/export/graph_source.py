r"""The generated code for a :class:`~axonal.graph.GraphNetwork`, in either language: one time step of every layer.

The one walk over a graph network for every standalone exporter, written through
the module's syntax (:mod:`axonal.export.syntax`). The state ``st = [act, state, gain]``
holds, for every layer, its activations ``act[i]``, its states ``state[i]`` and (for
gating layers) the gains ``gain[i]`` it last applied; ``_activate(st, inputs)`` runs
one time step exactly as :class:`~axonal.graph.GraphLayer` does (see
:mod:`axonal.graph.blueprint` for the semantics)::

    s_L = b_L + γ ⊙ w_L ⊙ s_L(t-1) + Σ_terms u          a_L = f_L(s_L)

Layers are computed in activation order and ``act[i]`` is replaced as each layer
finishes, so a read of an earlier layer sees this step's value and a read of a later
layer (or the layer itself) the previous step's: the rule of the blueprint falls out
of the order. Gains read at the previous step come from ``gain``, which starts at 1 (a
gater that has not fired leaves its connections open) and takes the gaters'
activations at the end of each step. The terms (one per connection kind, see
:mod:`axonal.graph.terms`)::

    all_to_all      u = a·W                 input-gated    u = γ ⊙ (a·W)
    output-gated    u = (γ ⊙ a)·W           synapse-gated  u_j = Σ_i a_i·(γ_ij·W_ij)
    one_to_one      u = a ⊙ w (⊙ γ)         γ per synapse: [g | 1][index]

``in_order`` connections are applied neuron by neuron (neuron ``j`` reads the neurons
before it at this step, the others at the previous one). ``_new_state()`` gives
activations and states 0, gains 1; ``predict`` runs one step of a fresh state for a
feed-forward graph, or a whole sequence for a recurrent one. Code, constants and
comments refer to layers and connections by position (``layer 2``, ``connection 3``,
``L2_BIAS``, ``C3_WEIGHT``); their names are kept as string literals in ``LAYERS`` and
``CONNECTIONS``, in the same order.
"""

from __future__ import annotations

import numpy as np

from ..graph.blueprint import CONNECTION_KINDS, GATE_KINDS
from ..graph.terms import AllToAll, InputGated, OneToOne, OutputGated, SynapseGated
from ..names import printable

__all__ = ["emit_graph"]

_INDEX_NOTE = "the gater neuron of each synapse; the last index means ungated (gain 1)"


def _word(value, known) -> str:
    """``value`` for a comment when it is one of the ``known`` words, else ``?``."""
    return value if isinstance(value, str) and value in known else "?"


def emit_graph(net, module, predict: str) -> dict:
    """Add ``_activate(st, inputs)``, ``_new_state()`` and ``predict(x)`` (a name the module handed out)
    for ``net`` to ``module``
    (see :func:`~axonal.export.sequential_source.emit_sequential` for what it returns)."""
    layer = net.graph_layer
    connections = {id(conn): k for k, conn in enumerate(layer.graph.connections)}
    weights = {k: np.asarray(v, dtype=np.float64) for k, v in layer.effective_weights().items()}
    sizes = layer.sizes
    module.text("NETWORK", net.describe(), comment="the network's description, as it gives it")
    module.texts("LAYERS", layer.graph.order,
                 comment="the name of each layer, in activation order (LAYERS[i] is layer i)")
    module.texts("CONNECTIONS", [conn.name for conn in layer.graph.connections],
                 comment="the name of each connection (CONNECTIONS[k] is connection k)")
    lines = [module.local("act", "st[0]"), module.local("state", "st[1]"), module.local("gain", "st[2]")]
    lines += module.declare("s", "a", "u")
    lines.append(module.assign("act[0]", f"{module.helper('_vector')}(x, {sizes[0]}, \"input\")"))
    for step in layer.steps:
        lines += ["", module.note(f"layer {step.index}: {step.size} neurons, "
                                  f"{_word(step.activation.name, module.activations())}")]
        lines += _layer_lines(step, weights, module, connections)
    if layer.gaters:
        lines += ["", module.note("the gains the gaters apply at the next step, when read at t-1")]
        lines += [module.assign(f"gain[{g}]", module.copy(f"act[{g}]")) for g in layer.gaters]
    lines.append(module.returns(module.copy(f"act[{layer.out_index}]")))
    out = sizes[layer.out_index]
    activate = module.name("_activate")
    module.define(activate, "st, x", lines, f"one time step: {sizes[0]} input values -> the {out} "
                                            f"activations of layer {layer.out_index}")
    gaters = set(layer.gaters)
    fresh = ", ".join(module.filled(n, 0.0) for n in sizes)
    gains = ", ".join(module.filled(n, 1.0) if i in gaters else "[]" for i, n in enumerate(sizes))
    new_state = module.name("_new_state")
    module.define(new_state, "", [module.returns(f"[[{fresh}], [{fresh}], [{gains}]]")],
                  "a fresh state: activations and states 0, gains 1")
    if layer.recurrent:
        keep = "outputs" if layer.return_sequences else module.last("outputs")
        body = [module.assign("xs", f"{module.helper('_sequence')}(xs, {sizes[0]})"),
                module.local("st", f"{new_state}()"), module.local("outputs", "[]")]
        body += module.each("x", "xs", [module.append("outputs", f"{activate}(st, x)")])
        what = "each step's" if layer.return_sequences else "the last step's"
        shape = f"a list of time steps of {sizes[0]} values -> {what} {out} outputs"
        module.define(predict, "xs", body + [module.returns(keep)],
                      f"the outputs for one whole sequence, from a fresh state: {shape}")
    else:
        shape = f"{sizes[0]} numbers -> {out} numbers"
        module.define(predict, "x", [module.returns(f"{activate}({new_state}(), x)")],
                      f"the outputs of the feed-forward graph for one sample: {shape}")
    return {"predict": predict, "activate": activate, "new_state": new_state, "recurrent": layer.recurrent,
            "sequence": layer.recurrent, "sequence_output": layer.recurrent and layer.return_sequences,
            "inputs": sizes[0], "outputs": out, "shape": shape, "out_index": layer.out_index}


def _layer_lines(step, weights, module, connections):
    """The statements computing one layer's state and activation."""
    i = step.index
    add = module.helper("_add")
    if step.bias is not None:
        lines = [module.assign("s", module.copy(module.constant(f"L{i}_bias", weights[step.bias])))]
    else:
        lines = [module.assign("s", module.filled(step.size, 0.0))]
    own = step.self_term
    if own is not None:
        lines.append(module.note(f"layer {i}: self-connection"
                                 + ("" if own.gater is None else f", gated by layer {int(own.gater)}")))
        lines += [module.assign("u", _term(own, module, f"L{i}_self", f"state[{i}]", weights[own.param])),
                  module.assign("s", f"{add}(s, u)")]
    for term in step.terms:
        conn = term.conn
        k = connections[id(conn)]
        note = (f"connection {k}: layer {term.source} ({'t-1' if term.prev else 't'}) -> layer {i}, "
                f"{_word(conn.kind, CONNECTION_KINDS)}")
        if term.gater is not None:
            note += f", {_word(conn.gate_kind, GATE_KINDS)}-gated by layer {int(term.gater)}"
        lines += [module.note(note),
                  module.assign("u", _term(term, module, f"C{k}", f"act[{term.source}]", weights[term.param])),
                  module.assign("s", f"{add}(s, u)")]
    where = f"graph layer {i} ({printable(step.name, 80)})"
    if step.order:
        total = sum(weights[param] for param in step.order)
        rows = module.constant(f"L{i}_in_order", total.T, rows=True,
                               comment=f"layer {i}: its in_order weights into each neuron")
        one = module.activate(step.activation, "[s[j]]", where)
        lines += [module.note("in_order: neuron j reads the neurons before it at this step, "
                              "the others at the previous one"),
                  module.assign("a", module.copy(f"act[{i}]"))]
        lines += module.each_row("j", "row", rows, [
            module.assign("s[j]", f"s[j] + {module.helper('_dot')}(row, a)"),
            module.assign("a[j]", f"{one}[0]")])
        return lines + [module.assign(f"state[{i}]", "s"), module.assign(f"act[{i}]", "a")]
    return lines + [module.assign(f"state[{i}]", "s"),
                    module.assign(f"act[{i}]", module.activate(step.activation, "s", where))]


def _term(term, module, base, a, weight) -> str:
    """The expression of a term's ``u`` (see :mod:`axonal.graph.terms`), by its kind; ``a`` reads the
    source's activations (or, for a self-connection, the layer's state)."""
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
    raise TypeError(f"{module.tool}: a connection term of kind {printable(type(term).__name__, 60)} "
                    f"has no standalone form")
