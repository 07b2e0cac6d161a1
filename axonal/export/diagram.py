"""A network as a diagram: Synaptic's ``toDot``, and an SVG drawing that needs no Graphviz.

:func:`describe` turns a network into what a picture of it shows:

* a **box** per layer, in activation order, labelled with its name, its size and
  its activation (a ``Sequential`` also gets an ``input`` box, and its boxes show
  each layer's output shape);
* an **arrow** per connection, labelled by its kind (``all_to_all``, ``one_to_one``,
  ``all_to_else``, ``in_order``, ``self``); an arrow whose source comes later in the
  order (or is the target) reads the previous time step and is *backward* (``in_order``
  reads part of its layer at this step, see :mod:`axonal.graph.in_order`); a recurrent layer of a
  ``Sequential`` gets a ``recurrent`` self-loop;
* a **gate**: the gating layer, the arrow it gates and how (``input``, ``output``,
  ``synapse``);
* a :class:`~axonal.hopfield.Hopfield` network is one box of units with its
  symmetric all-to-else weights as a loop.

:func:`to_dot` writes that as Graphviz DOT (a gated arrow passes through a small
point node, which a dashed edge from the gater reaches); :func:`to_svg` draws it
with its own layered layout (see :mod:`axonal.export.svg`).

Names are data: in DOT every name and label is a quoted string made by
:func:`~axonal.export.escape.dot_string` (control characters shown as ``\\xNN``,
quotes and backslashes escaped), so no name can close its quote or add an
attribute, an edge or a node; the SVG is built by :mod:`xml.etree.ElementTree`
from text passed through :func:`~axonal.export.escape.xml_text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._files import write_text_atomically
from .escape import dot_string

__all__ = ["Arrow", "Box", "Diagram", "describe", "save_diagram", "to_dot", "to_svg"]


@dataclass
class Box:
    """A layer: ``key`` identifies it, ``title`` and ``lines`` are its label."""

    key: str
    title: str
    lines: list = field(default_factory=list)


@dataclass
class Arrow:
    """A connection from box ``source`` to box ``target``, maybe gated by box ``gater``."""

    key: str
    source: str
    target: str
    kind: str
    backward: bool = False
    gater: str | None = None
    gate_kind: str | None = None

    @property
    def is_loop(self) -> bool:
        return self.source == self.target


@dataclass
class Diagram:
    title: str
    boxes: list
    arrows: list

    @property
    def gates(self) -> list:
        return [a for a in self.arrows if a.gater is not None]


def describe(network) -> Diagram:
    """The boxes and arrows of ``network`` (a ``GraphNetwork``, a ``Sequential`` or a ``Hopfield``)."""
    from ..graph import GraphNetwork
    from ..hopfield import Hopfield
    from ..network import Sequential
    if isinstance(network, Hopfield):
        return _describe_hopfield(network)
    if isinstance(network, GraphNetwork):
        return _describe_graph(network)
    if isinstance(network, Sequential):
        return _describe_sequential(network)
    raise TypeError(f"a diagram needs a Sequential or GraphNetwork, got {type(network).__name__}")


def _describe_graph(net) -> Diagram:
    from .. import activations
    graph = net.graph
    order = graph.order
    output = net.graph_layer.output_name
    boxes = []
    for name, node in graph.nodes.items():
        role = "input" if name == order[0] else "output" if name == output else None
        act = "input values" if role == "input" else activations.get(node.activation).name
        lines = [f"{node.size} neuron{'s' if node.size != 1 else ''}", act]
        if node.bias is False and role != "input":
            lines.append("no bias")
        boxes.append(Box(name, name + (f" ({role})" if role else ""), lines))
    arrows = []
    for conn in graph.connections:
        if conn.is_self:
            kind = "self" + ("" if conn.trainable else " (fixed)")
        else:
            kind = conn.kind + (" masked" if conn.mask is not None and conn.kind != "one_to_one" else "")
        backward = order.index(conn.source) >= order.index(conn.target)
        arrows.append(Arrow(conn.name, conn.source, conn.target, kind, backward, conn.gater, conn.gate_kind))
    return Diagram(net.name or "GraphNetwork", boxes, arrows)


def _describe_sequential(net) -> Diagram:
    from ..layers import GRU, LSTM, SimpleRNN
    if not net.built:
        raise ValueError(f"a diagram of {net.describe()} needs it built (give input_dim, or fit it first)")
    boxes = [Box("input", "input", [_shape(net.input_shape)])]
    arrows = []
    previous = "input"
    for i, layer in enumerate(net.layers):
        key = f"layer_{i}"
        lines = [_shape(layer.output_shape)]
        activation = getattr(layer, "activation", None)
        if activation is not None:
            lines.append(activation.name)
        block = getattr(layer, "block", None)
        if block is not None:
            inner = getattr(block, "layers", [block])
            lines.append("block: " + ", ".join(_short(child) for child in inner))
        boxes.append(Box(key, f"{i}: {layer.name or type(layer).__name__}", lines))
        arrows.append(Arrow(f"{previous}_to_{key}", previous, key, "data"))
        if isinstance(layer, (SimpleRNN, LSTM, GRU)):
            arrows.append(Arrow(f"{key}_recurrent", key, key, "recurrent", backward=True))
        previous = key
    return Diagram(net.name or "Sequential", boxes, arrows)


def _describe_hopfield(net) -> Diagram:
    """One box of units and its symmetric all-to-else weights, read at the previous update."""
    units = "sign units (-1/+1)" if net.units == "sign" else "binary units (0/1)"
    box = Box("units", "units", [f"{net.size} neuron{'s' if net.size != 1 else ''}", units,
                                 f"{net.patterns_stored} pattern{'s' if net.patterns_stored != 1 else ''} stored"])
    arrow = Arrow("weights", "units", "units", "symmetric all_to_else (Hebb)", backward=True)
    return Diagram("Hopfield", [box], [arrow])


def _short(layer) -> str:
    activation = getattr(layer, "activation", None)
    return type(layer).__name__ + (f" {activation.name}" if activation is not None else "")


def _shape(shape) -> str:
    return "(batch, " + ", ".join("time" if d is None else str(d) for d in shape) + ")"


# -- DOT ---------------------------------------------------------------------------------------------
def _quote(*lines) -> str:
    """A DOT string literal of ``lines``, each escaped, joined by DOT's line break ``\\n``."""
    return '"' + "\\n".join(dot_string(str(line))[1:-1] for line in lines) + '"'


def to_dot(network) -> str:
    """Graphviz DOT source for ``network``: boxes for layers, edges for connections, dashed gates."""
    d = describe(network)
    lines = [f"digraph {_quote(d.title)} {{", "  rankdir=LR;",
             '  node [shape=box, style="rounded", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for box in d.boxes:
        lines.append(f"  {_quote(box.key)} [label={_quote(box.title, *box.lines)}];")
    for arrow in d.arrows:
        style = ', constraint=false, color="firebrick"' if arrow.backward and not arrow.is_loop else ""
        if arrow.gater is None:
            lines.append(f"  {_quote(arrow.source)} -> {_quote(arrow.target)} [label={_quote(arrow.kind)}{style}];")
            continue
        point = _quote(f"{arrow.key}__gate")  # a connection's name is unique, so is its point
        lines += [f"  {point} [shape=point, width=0.08];",
                  f"  {_quote(arrow.source)} -> {point} [arrowhead=none, label={_quote(arrow.kind)}{style}];",
                  f"  {point} -> {_quote(arrow.target)}{' [' + style[2:] + ']' if style else ''};",
                  (f"  {_quote(arrow.gater)} -> {point} [style=dashed, color=\"darkorange\", "
                   f"label={_quote(f'gates ({arrow.gate_kind}) {arrow.source}→{arrow.target}')}];")]
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(network) -> str:
    """A standalone SVG picture of ``network`` (no Graphviz, no matplotlib)."""
    from .svg import draw
    return draw(describe(network))


def save_diagram(network, path, *, format: str | None = None) -> str:
    """Write the diagram to ``path`` atomically, as SVG or DOT (``format``, else from the suffix)."""
    import os
    fmt = format or os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "svg"
    if fmt == "gv":
        fmt = "dot"
    if fmt not in ("svg", "dot"):
        raise ValueError(f"diagram format must be svg or dot, got {fmt!r}")
    return write_text_atomically(path, to_svg(network) if fmt == "svg" else to_dot(network))
