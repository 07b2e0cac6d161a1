r"""A feed-forward :class:`~axonal.graph.GraphNetwork` (or ``GraphLayer``) as ONNX: its layers in activation order.

For a graph without recurrence each layer ``L`` computes, once, from layers
activated before it (see :mod:`axonal.graph.terms`)::

    s_L = b_L + Σ_terms u,     a_L = f_L(s_L)                 (batch, n_L)
    AllToAll      u = a·W                W (n_A, n_L), absent synapses 0
    InputGated    u = a_G ⊙ (a·W)        a_G (batch, n_L), the gater's activations
    OutputGated   u = (a_G ⊙ a)·W        a_G (batch, n_A)
    OneToOne      u = a ⊙ w (⊙ a_G)      w (n_L,)

and the output is the output layer's ``a``. Refused with a ``NotImplementedError``
naming the reason: recurrent graphs (self-connections, connections read at the
previous step, ``in_order`` layers: they run in time, which this exporter does
not unroll) and gating by synapse index.
"""

from __future__ import annotations

from ...graph.terms import AllToAll, InputGated, OneToOne, OutputGated
from ...names import printable
from .activations import activate

__all__ = ["convert_graph"]


def _refuse(reason: str):
    raise NotImplementedError(f"to_onnx: this graph network cannot be exported: {reason}; export a Sequential, "
                              f"or use to_python for a graph that runs in time")


def convert_graph(builder, layer, x: str) -> str:
    """The nodes computing the feed-forward graph of ``layer`` (a :class:`~axonal.graph.GraphLayer`, the
    one layer of a GraphNetwork or a layer of a Sequential) on ``x`` (batch, inputs); returns the output."""
    if layer.recurrent:
        _refuse("it is recurrent (it keeps a state from one time step to the next)")
    weights = layer.effective_weights()
    acts: dict[int, str] = {0: x}
    for step in layer.steps:
        where = f"graph layer {step.index}"
        if step.self_term is not None or step.order:
            _refuse(f"{where} has a self-connection or in_order connections")
        doc = f"{where}: {step.name}"
        s = builder.const(weights[step.bias], "bias") if step.bias is not None else None
        for term in step.terms:
            u = _term(builder, term, acts, weights[term.param], where, doc)
            s = u if s is None else builder.op("Add", [s, u], "state")
        if s is None:  # no bias and no input: a constant zero of the batch's shape
            zeros = builder.const([[0.0] * step.size], "zero")
            total = builder.op("ReduceSum", [x, builder.const_int64([-1], "axes")], "batch", keepdims=1)
            s = builder.op("Add", [zeros, builder.op("Mul", [total, builder.const(0.0, "zero")])])
        acts[step.index] = activate(builder, s, step.activation, f"{where} ({printable(step.name, 80)})")
    return acts[layer.out_index]


def _term(builder, term, acts, weight, where, doc):
    if term.prev or term.gate_prev or term.source not in acts or (term.gater is not None and term.gater not in acts):
        _refuse(f"{where} reads a layer at the previous time step")
    if term.gate_index is not None:
        _refuse(f"{where} has a connection gated by synapse index")
    a = acts[term.source]
    gain = acts[term.gater] if term.gater is not None else None
    kind = type(term)
    if kind is InputGated:
        return builder.op("Mul", [gain, builder.op("MatMul", [a, builder.const(weight, "weight")], doc=doc)])
    if kind is AllToAll:
        return builder.op("MatMul", [a, builder.const(weight, "weight")], doc=doc)
    if kind is OutputGated:
        return builder.op("MatMul", [builder.op("Mul", [gain, a]), builder.const(weight, "weight")], doc=doc)
    if kind is OneToOne:
        u = builder.op("Mul", [a, builder.const(weight, "weight")], doc=doc)
        return u if gain is None else builder.op("Mul", [u, gain])
    _refuse(f"{where} has a connection of kind {printable(kind.__name__, 80)}")
