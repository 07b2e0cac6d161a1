"""Standalone source for a :class:`~axonal.graph.GraphNetwork`: a ``Network`` class stepping in time.

The generated class keeps, for every layer, its activations ``act``, its states
``state`` and (for gating layers) the gains ``gain`` it last applied, and
``activate(inputs)`` runs one time step exactly as :class:`~axonal.graph.GraphLayer`
does (see :mod:`axonal.graph.blueprint` for the semantics)::

    s_L = b_L + γ ⊙ w_L ⊙ s_L(t-1) + Σ_terms u          a_L = f_L(s_L)

Layers are computed in activation order and ``act`` is overwritten in place, so a
read of an earlier layer sees this step's value and a read of a later layer (or
the layer itself) the previous step's: the rule of the blueprint falls out of the
order. Gains read at the previous step come from ``gain``, which starts at 1 (a
gater that has not fired leaves its connections open) and takes the gater's
activations at the end of each step. ``reset()`` returns to activations and states
0, gains 1.

The module also defines ``predict``: one step of a fresh network for a feed-forward
graph, or a whole sequence (a list of time steps) for a recurrent one.
"""

from __future__ import annotations

import numpy as np

from ._code import doc_text

__all__ = ["emit_graph"]


def emit_graph(net, module, name: str) -> str:
    """Add ``class Network`` and ``name(x)`` for ``net`` to ``module``; return the docstring line."""
    layer = net.graph_layer
    order = layer.graph.order
    weights = {k: np.asarray(v, dtype=np.float64) for k, v in layer.effective_weights().items()}
    sizes = layer.sizes
    lines = [f"act[0] = {module.helper('_vector')}(inputs, {sizes[0]})"]
    for step in layer.steps:
        lines.append("")
        lines.append(f"# {step.index}: {step.name!r}, {step.size} neurons, {step.activation.name}")
        lines += _layer_lines(step, layer, weights, module, order)
    if layer.gaters:
        lines.append("")
        lines.append("# the gains the gaters apply at the next step, when read at t-1")
        lines += [f"gain[{g}] = list(act[{g}])" for g in layer.gaters]
    lines.append(f"return list(act[{layer.out_index}])")
    body = "\n".join(("        " + line) if line else "" for line in lines)
    names = ", ".join(repr(n) for n in order)
    gains = ", ".join(f"{g}: [1.0] * {sizes[g]}" for g in layer.gaters)
    module.function(f'''
class Network:
    """{doc_text(net.describe())} as a standalone network, one time step per ``activate`` call.

    Layers in activation order: {names}; output: {layer.output_name!r}.
    """

    SIZES = {sizes!r}

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget the state: activations and states 0, gains 1."""
        self.act = [[0.0] * n for n in self.SIZES]
        self.state = [[0.0] * n for n in self.SIZES]
        self.gain = {{{gains}}}

    def activate(self, inputs):
        """One time step: {sizes[0]} input values → the {sizes[layer.out_index]} activations of {layer.output_name!r}."""
        act, state, gain = self.act, self.state, self.gain
{body}
''')
    out = sizes[layer.out_index]
    if layer.recurrent:
        keep = "outputs" if layer.return_sequences else "outputs[-1]"
        what = "each step's" if layer.return_sequences else "the last step's"
        doc = (f"A fresh network run over a sequence (a list of time steps of {sizes[0]} values): "
               f"{what} {out} outputs.")
        module.function(f'''
def {name}(sequence):
    """{doc}"""
    network = Network()
    outputs = [network.activate(x) for x in sequence]
    if not outputs:
        raise ValueError("expected a sequence of at least one time step")
    return {keep}
''')
    else:
        doc = f"The outputs of the feed-forward graph for one sample: {sizes[0]} numbers → {out} numbers."
        module.function(f'''
def {name}(x):
    """{doc}"""
    return Network().activate(x)
''')
    return doc


def _layer_lines(step, layer, weights, module, order):
    """The statements computing one layer's state and activation."""
    i, name = step.index, step.name
    add, mul, matvec = module.helper("_add"), module.helper("_mul"), module.helper("_matvec")
    if step.bias is not None:
        lines = [f"s = list({module.constant(f'{name}_bias', weights[step.bias])})"]
    else:
        lines = [f"s = [0.0] * {step.size}"]
    if step.self_param is not None:
        w = module.constant(f"{name}_self", weights[step.self_param], comment=f"{name}: self-connection weights")
        term = f"{mul}(state[{i}], {w})"
        if step.self_gater is not None:
            gain = _gain_read(step.self_gater, step.self_gate_prev)
            if step.self_index is not None:
                index = module.constant(f"{name}_self_gate_index", step.self_index, comment=_INDEX_NOTE)
                lines.append(f"g = {gain} + [1.0]")
                gain = f"[g[k] for k in {index}]"
            term = f"{mul}({term}, {gain})"
            lines.append(f"# self-connection gated by {order[step.self_gater]!r}")
        lines.append(f"s = {add}(s, {term})")
    for term in step.terms:
        conn = term.conn
        a = f"act[{term.source}]"
        when = "t-1" if term.prev else "t"
        note = f"# {conn.name}: {conn.source} ({when}) → {conn.target}, {conn.kind}"
        if term.gater is not None:
            note += f", {term.gate_kind}-gated by {order[term.gater]!r}"
        lines.append(note)
        w = weights[term.param]
        g = None if term.gater is None else _gain_read(term.gater, term.gate_prev)
        if term.gate_kind == "synapse":
            index = module.constant(f"{conn.name}_gate_index",
                                    term.synapse_index if term.one_to_one else term.synapse_index.T,
                                    rows=not term.one_to_one, comment=_INDEX_NOTE)
            lines.append(f"g = {g} + [1.0]")
            if term.one_to_one:
                wc = module.constant(f"{conn.name}_weight", w)
                lines.append(f"s = {add}(s, [v * w * g[k] for v, w, k in zip({a}, {wc}, {index})])")
            else:
                wc = module.constant(f"{conn.name}_weight", w.T, rows=True)
                lines.append(f"s = {add}(s, [sum(v * (g[k] * w) for v, w, k in zip({a}, row, ks)) "
                             f"for row, ks in zip({wc}, {index})])")
            continue
        if term.one_to_one:
            u = f"{mul}({a}, {module.constant(f'{conn.name}_weight', w)})"
        elif term.gate_kind == "output":
            u = f"{matvec}({module.constant(f'{conn.name}_weight', w.T, rows=True)}, {mul}({g}, {a}))"
        else:
            u = f"{matvec}({module.constant(f'{conn.name}_weight', w.T, rows=True)}, {a})"
        if term.gate_kind == "input":
            u = f"{mul}({g}, {u})"
        lines.append(f"s = {add}(s, {u})")
    lines.append(f"state[{i}] = s")
    lines.append(f"act[{i}] = {module.activate(step.activation, 's', f'layer {name!r}')}")
    return lines


_INDEX_NOTE = "the gater neuron of each synapse; the last index means ungated (gain 1)"


def _gain_read(gater: int, prev: bool) -> str:
    """A gater's gains: this step's activations, or those of the previous step (1 before the first)."""
    return f"gain[{gater}]" if prev else f"act[{gater}]"
