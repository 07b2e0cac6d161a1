"""A blueprint compiled for computing: who reads whom, at which step, in which batch.

For every layer ``L`` after the input, its incoming connections become *terms*
(:mod:`axonal.graph.terms`, one class per connection kind: ``u = a_A·W``,
``u = γ ⊙ (a_A·W)``, ...) added to ``L``'s state, each reading its source at step
``t`` (source earlier in the order) or ``t-1`` (later, or ``L`` itself), and scaled
by a gain read the same way; the self-connection is a one-to-one term reading
``s_L(t-1)``. The terms whose ``u`` depends on ``a_A`` only through ``a_A·W``
(:attr:`~axonal.graph.terms.Term.shares_product`) are gathered so that the matrix
products of a step are few and large:

* every all-to-all connection leaving the input layer is computed for all steps
  in one product before the time loop, ``(T·B, F)·(F, Σ|L|)``;
* the all-to-all connections reading one source at ``t-1`` share one product per
  step, ``(B, |A|)·(|A|, Σ|L|)``;
* the rest (current-step sources, output and synapse gating, one-to-one) are computed alone.

A layer's ``in_order`` connections are not terms: they are summed into one matrix
the layer applies neuron by neuron (:attr:`LayerStep.order`).
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass, field

from .. import activations as _activations
from .terms import OneToOne, Term, make_term

__all__ = ["Block", "LayerStep", "Term", "compile_graph"]


@dataclass
class Block:
    """All-to-all terms sharing one matrix product: ``a_source·[W_1 | W_2 | ...]``."""

    source: int
    prev: bool
    terms: list = field(default_factory=list)
    width: int = 0


@dataclass
class LayerStep:
    """What activating one layer at one step takes."""

    index: int
    name: str
    size: int
    activation: Any
    bias: str | None
    self_term: Term | None = None   # the self-connection, reading the layer's state at t-1
    terms: list = field(default_factory=list)
    order: list = field(default_factory=list)   # in_order connections (weight names), applied neuron by neuron


def compile_graph(graph, output: str):
    """``(steps, input_block, recurrent_blocks, recurrent)`` for a blueprint."""
    order = graph.order
    index = {name: i for i, name in enumerate(order)}
    steps = []
    for i, name in enumerate(order[1:], start=1):
        node = graph.nodes[name]
        steps.append(LayerStep(i, name, node.size, _activations.get(node.activation),
                               None if node.bias is False else f"{name}.bias"))
    by_name = {s.name: s for s in steps}
    input_block = Block(0, False)
    recurrent_blocks: dict[int, Block] = {}
    recurrent = False
    for conn in graph.connections:
        if conn.target == order[0]:
            raise ValueError(f"graph: connection {conn.name!r} ends at the input layer {order[0]!r}, "
                             f"whose activations are set from the data")
        step = by_name[conn.target]
        t = index[conn.target]
        gater = None if conn.gater is None else index[conn.gater]
        gate_prev = gater is not None and gater >= t
        n_gater = 0 if conn.gater is None else graph.nodes[conn.gater].size
        if conn.is_self:
            step.self_term = make_term(conn, t, True, gater, gate_prev, n_gater)
            recurrent = True
            continue
        if conn.kind == "in_order":
            if step.activation.name == "softmax":
                raise ValueError(f"graph: the in_order connection {conn.name!r} needs an elementwise activation; "
                                 f"layer {step.name!r} uses softmax")
            step.order.append(f"{conn.name}.weight")
            recurrent = True
            continue
        s = index[conn.source]
        term = make_term(conn, s, s >= t, gater, gate_prev, n_gater)
        recurrent |= term.prev or gate_prev
        step.terms.append(term)
        if not term.shares_product:
            continue
        if s == 0:
            block = input_block
        elif term.prev:
            block = recurrent_blocks.setdefault(s, Block(s, True))
        else:
            continue
        term.block, term.offset = block, block.width
        block.terms.append(term)
        block.width += step.size
    if output not in index or output == order[0]:
        raise ValueError(f"graph: output layer {output!r} must be a layer after the input layer")
    return steps, input_block, list(recurrent_blocks.values()), recurrent
