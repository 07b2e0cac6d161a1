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

Code, constants and comments refer to layers and connections by position
(``layer 2``, ``connection 3``, ``L2_BIAS``, ``C3_WEIGHT``); their names are kept
as string literals in ``LAYERS`` and ``CONNECTIONS``, in the same order.
"""

from __future__ import annotations

import numpy as np

from ..graph.blueprint import CONNECTION_KINDS, GATE_KINDS
from ..names import printable
from ._code import ACTIVATIONS

__all__ = ["emit_graph"]


def _word(value, known) -> str:
    """``value`` for a comment when it is one of the ``known`` words, else ``?``."""
    return value if isinstance(value, str) and value in known else "?"


def emit_graph(net, module, name: str) -> str:
    """Add ``class Network`` and ``name(x)`` for ``net`` to ``module``; return the docstring line."""
    layer = net.graph_layer
    order = layer.graph.order
    connections = {id(conn): k for k, conn in enumerate(layer.graph.connections)}
    weights = {k: np.asarray(v, dtype=np.float64) for k, v in layer.effective_weights().items()}
    sizes = layer.sizes
    module.text("NETWORK", net.describe(), comment="the network's description, as it gives it")
    module.texts("LAYERS", order, comment="the name of each layer, in activation order (LAYERS[i] is layer i)")
    module.texts("CONNECTIONS", [conn.name for conn in layer.graph.connections],
                 comment="the name of each connection (CONNECTIONS[k] is connection k)")
    lines = [f"act[0] = {module.helper('_vector')}(inputs, {sizes[0]})"]
    for step in layer.steps:
        lines.append("")
        lines.append(f"# layer {step.index}: {step.size} neurons, {_word(step.activation.name, ACTIVATIONS)}")
        lines += _layer_lines(step, weights, module, connections)
    if layer.gaters:
        lines.append("")
        lines.append("# the gains the gaters apply at the next step, when read at t-1")
        lines += [f"gain[{g}] = list(act[{g}])" for g in layer.gaters]
    lines.append(f"return list(act[{layer.out_index}])")
    body = "\n".join(("        " + line) if line else "" for line in lines)
    gains = ", ".join(f"{g}: [1.0] * {sizes[g]}" for g in layer.gaters)
    module.function(f'''
class Network:
    """The network (NETWORK) as a standalone network, one time step per ``activate`` call.

    Layers in activation order: LAYERS; the output is layer {layer.out_index}.
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
        """One time step: {sizes[0]} input values → the {sizes[layer.out_index]} activations of layer {layer.out_index}."""
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


def _layer_lines(step, weights, module, connections):
    """The statements computing one layer's state and activation; each term writes its own ``u``
    (:meth:`axonal.graph.terms.Term.python`)."""
    i = step.index
    add = module.helper("_add")
    if step.bias is not None:
        lines = [f"s = list({module.constant(f'L{i}_bias', weights[step.bias])})"]
    else:
        lines = [f"s = [0.0] * {step.size}"]
    own = step.self_term
    if own is not None:
        lines.append(f"# layer {i}: self-connection" +
                     ("" if own.gater is None else f", gated by layer {int(own.gater)}"))
        statements, u = own.python(module, f"L{i}_self", f"state[{i}]", _gain_read(own), weights[own.param])
        lines += statements + [f"s = {add}(s, {u})"]
    for term in step.terms:
        conn = term.conn
        k = connections[id(conn)]
        when = "t-1" if term.prev else "t"
        note = f"# connection {k}: layer {term.source} ({when}) → layer {i}, {_word(conn.kind, CONNECTION_KINDS)}"
        if term.gater is not None:
            note += f", {_word(conn.gate_kind, GATE_KINDS)}-gated by layer {int(term.gater)}"
        lines.append(note)
        statements, u = term.python(module, f"C{k}", f"act[{term.source}]", _gain_read(term), weights[term.param])
        lines += statements + [f"s = {add}(s, {u})"]
    where = f"graph layer {i} ({printable(step.name, 80)})"
    if step.order:
        total = sum(weights[param] for param in step.order)
        rows = module.constant(f"L{i}_in_order", total.T, rows=True,
                               comment=f"layer {i}: its in_order weights into each neuron")
        lines += ["# in_order: neuron j reads the neurons before it at this step, the others at the previous one",
                  f"a = list(act[{i}])", f"for j, row in enumerate({rows}):",
                  "    s[j] += sum(w * v for w, v in zip(row, a))",
                  f"    a[j] = {module.activate(step.activation, '[s[j]]', where)}[0]",
                  f"state[{i}] = s", f"act[{i}] = a"]
        return lines
    lines.append(f"state[{i}] = s")
    lines.append(f"act[{i}] = {module.activate(step.activation, 's', where)}")
    return lines


def _gain_read(term) -> str | None:
    """A term's gater's activations: this step's, or those of the previous step (1 before the first)."""
    if term.gater is None:
        return None
    return f"gain[{term.gater}]" if term.gate_prev else f"act[{term.gater}]"
