"""Readable diagrams: the SVG's geometry, read back with xml.etree, for every Architect network and more.

For each network the drawing is matched with :func:`axonal.export.diagram.describe` (boxes,
arrows and gates are drawn in its order) and checked:

* every text (box labels, edge labels, the legend) has a bounding box estimated from its font
  size and its number of characters (0.6 em a character, 0.75 em above the baseline, 0.25 em
  below); no two of them intersect, a box's text lies inside its box, and no text touches a
  box it does not belong to;
* every edge and every gate is a path of straight segments (``M``/``L``): it starts on the
  border of its source box and ends on the border of its target box (a gate: on the dot it
  puts on the arrow it gates), and no point along it (sampled every pixel) lies inside any
  box: it touches boxes only at its two ends.
"""

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from axonal import GRU, LSTM, Dense, Residual, Sequential
from axonal.export import to_dot, to_svg
from axonal.export.diagram import describe
from axonal.graph import Graph, GraphNetwork
from axonal.hopfield import Hopfield
from axonal.synaptic import architect

NS = "{http://www.w3.org/2000/svg}"


def _gated_graph():
    """Gates of every kind, a gater later in the order, a backward read over two columns, one-to-one."""
    g = Graph()
    inp = g.layer("input", 2)
    in_gate, forget_gate = g.layer("input_gate", 3, bias=1.0), g.layer("forget_gate", 3, bias=1.0)
    memory = g.layer("memory", 3, "tanh")
    out_gate = g.layer("output_gate", 3)
    out = g.layer("output", 2, "identity")
    late_gate = g.layer("late_gate", 2, "logistic")
    for gate in (in_gate, forget_gate, out_gate, late_gate):
        inp.project(gate)
        memory.project(gate)
    in_gate.gate(inp.project(memory), "input")
    forget_gate.gate(memory.project(memory), "one_to_one")
    out_gate.gate(memory.project(out), "output")
    late_gate.gate(out.project(memory), "output")
    helper = g.layer("helper", 3, "relu", bias=False)
    memory.project(helper, "one_to_one")
    g.gate(helper.project(out), late_gate, "synapse", index=np.array([[0, -1], [1, 0], [-1, 1]]))
    out.project(in_gate)
    return GraphNetwork(g, output="output", seed=0)


NETWORKS = {
    "perceptron 2-1": lambda: architect.Perceptron(2, 1),
    "perceptron 2-3-1": lambda: architect.Perceptron(2, 3, 1),
    "perceptron 3-4-5-2": lambda: architect.Perceptron(3, 4, 5, 2),
    "perceptron 2-5-4-3-3-1": lambda: architect.Perceptron(2, 5, 4, 3, 3, 1),
    "lstm": lambda: architect.LSTM(2, 3, 1),
    "lstm without peepholes": lambda: architect.LSTM(2, 3, 1, peepholes=False),
    "lstm one-to-one peepholes": lambda: architect.LSTM(2, 3, 1, peepholes="one_to_one"),
    "lstm all-to-else peepholes, no input to output": lambda: architect.LSTM(
        2, 4, 1, peepholes="all_to_else", input_to_output=False),
    "lstm two blocks, every option": lambda: architect.LSTM(
        2, 3, 2, 1, hidden_to_hidden=True, output_to_hidden=True, output_to_gates=True),
    "lstm three blocks": lambda: architect.LSTM(3, 2, 2, 2, 2, output_to_gates=True),
    "liquid": lambda: architect.Liquid(2, 10, 1, connections=20, gates=5, seed=0),
    "liquid, bigger": lambda: architect.Liquid(3, 30, 2, connections=80, gates=30, seed=3),
    "liquid without gates": lambda: architect.Liquid(2, 6, 2, connections=10, gates=0, seed=1),
    "hopfield": lambda: architect.Hopfield(16),
    "binary hopfield": lambda: Hopfield(5, units="binary"),
    "gated graph": _gated_graph,
    "sequential": lambda: Sequential([Dense(3, "tanh", input_dim=2), Dense(1)], seed=0),
    "recurrent sequential": lambda: Sequential([GRU(4, return_sequences=True), LSTM(3), Dense(2)], input_dim=2,
                                               seed=0),
    "sequential with a residual block": lambda: Sequential(
        [Dense(8, "relu", input_dim=4, name="a_rather_long_layer_name_that_widens_every_box"),
         Residual([Dense(8, "elu"), Dense(8)]), Dense(2, "softmax")], seed=0),
}


# -- reading the drawing ----------------------------------------------------------------------------
def text_box(element):
    """The estimated bounding box ``(x0, y0, x1, y1)`` of a ``<text>``."""
    size = float(element.get("font-size"))
    width = 0.6 * size * len(element.text or "")
    x, y = float(element.get("x")), float(element.get("y"))
    anchor = element.get("text-anchor", "start")
    x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return x0, y - 0.75 * size, x0 + width, y + 0.25 * size


def rect_box(element):
    x, y = float(element.get("x")), float(element.get("y"))
    return x, y, x + float(element.get("width")), y + float(element.get("height"))


def intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(point, box, margin=0.5) -> bool:
    """Strictly inside ``box`` (its border, give or take ``margin``, is not inside)."""
    x, y = point
    return box[0] + margin < x < box[2] - margin and box[1] + margin < y < box[3] - margin


def on_border(point, box, tolerance=0.6) -> bool:
    x, y = point
    within = box[0] - tolerance <= x <= box[2] + tolerance and box[1] - tolerance <= y <= box[3] + tolerance
    return within and not inside(point, box, tolerance)


def path_points(d):
    """The points of a path of ``M``/``L`` commands; any other command fails the test."""
    commands = re.findall(r"([A-Za-z])\s*([-0-9.]+)[ ,]([-0-9.]+)", d)
    assert "".join(c for c, _, _ in commands) == "M" + "L" * (len(commands) - 1), d
    assert len(re.findall(r"[A-Za-z]", d)) == len(commands), d
    return [(float(x), float(y)) for _, x, y in commands]


def samples(points, step=1.0):
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        n = max(1, math.ceil(math.hypot(bx - ax, by - ay) / step))
        for k in range(n + 1):
            yield ax + (bx - ax) * k / n, ay + (by - ay) * k / n


def groups(root, cls):
    return [g for g in root.iter(f"{NS}g") if (g.get("class") or "").split()[:1] == [cls]]


def drawing(network):
    diagram = describe(network)
    root = ET.fromstring(to_svg(network))
    layers = groups(root, "layer")
    assert len(layers) == len(diagram.boxes)
    boxes = {box.key: rect_box(g.find(f"{NS}rect")) for box, g in zip(diagram.boxes, layers)}
    return diagram, root, layers, boxes


# -- the checks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", list(NETWORKS))
def test_no_label_overlaps_another_or_a_box_it_does_not_belong_to(which):
    diagram, root, layers, boxes = drawing(NETWORKS[which]())
    owned = {}
    for box, group in zip(diagram.boxes, layers):
        for text in group.iter(f"{NS}text"):
            owned[id(text)] = box.key
            b, r = text_box(text), boxes[box.key]
            assert r[0] <= b[0] and b[2] <= r[2] and r[1] <= b[1] and b[3] <= r[3], (which, text.text)
    texts = list(root.iter(f"{NS}text"))
    assert len(texts) > len(diagram.boxes)
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not intersect(text_box(a), text_box(b)), (which, a.text, b.text)
        for key, rect in boxes.items():
            if owned.get(id(a)) != key:
                assert not intersect(text_box(a), rect), (which, a.text, key)


@pytest.mark.parametrize("which", list(NETWORKS))
def test_no_edge_passes_through_a_box(which):
    diagram, root, _, boxes = drawing(NETWORKS[which]())
    connections = groups(root, "connection")
    assert len(connections) == len(diagram.arrows)
    ends = {}
    for arrow, group in zip(diagram.arrows, connections):
        points = path_points(group.find(f"{NS}path").get("d"))
        assert on_border(points[0], boxes[arrow.source]), (which, arrow.key, "source")
        assert on_border(points[-1], boxes[arrow.target]), (which, arrow.key, "target")
        for point in samples(points):
            for key, rect in boxes.items():
                assert not inside(point, rect), (which, arrow.key, "enters", key, point)
        ends[arrow.key] = points
    gates = groups(root, "gate")
    assert len(gates) == len(diagram.gates)
    for arrow, group in zip(diagram.gates, gates):
        points = path_points(group.find(f"{NS}path").get("d"))
        dot = group.find(f"{NS}circle")
        centre = (float(dot.get("cx")), float(dot.get("cy")))
        assert on_border(points[0], boxes[arrow.gater]), (which, arrow.key, "gater")
        assert math.dist(points[-1], centre) < 0.2
        gated = ends[arrow.key]   # the dot sits on the arrow it gates
        assert any(math.dist(centre, p) < 0.6 for p in samples(gated, 0.25)), (which, arrow.key)
        for point in samples(points):
            for key, rect in boxes.items():
                assert not inside(point, rect), (which, arrow.key, "gate enters", key, point)


@pytest.mark.parametrize("which", ["liquid", "lstm", "gated graph"])
def test_no_two_edges_share_a_segment(which):
    """Parallel connections (a pool's self-connections and its other synapses) are drawn apart."""
    _, root, _, _ = drawing(NETWORKS[which]())
    pieces = []
    for group in groups(root, "connection") + groups(root, "gate"):
        points = path_points(group.find(f"{NS}path").get("d"))
        pieces.append({(round(a[0], 1), round(a[1], 1), round(b[0], 1), round(b[1], 1))
                       for a, b in zip(points, points[1:]) if a != b})
    for i, a in enumerate(pieces):
        for b in pieces[i + 1:]:
            assert not a & b


def test_the_liquid_labels_are_apart():
    """Its self-connections and its other pool synapses: two loops, two labels, in two places."""
    _, root, _, _ = drawing(NETWORKS["liquid"]())
    labels = [t for t in root.iter(f"{NS}text") if t.get("class") == "edge-label"]
    assert sorted(t.text for t in labels) == ["all_to_else masked", "self (fixed)"]
    assert (labels[0].get("x"), labels[0].get("y")) != (labels[1].get("x"), labels[1].get("y"))


def test_a_hopfield_network_is_one_box_with_its_symmetric_weights():
    net = Hopfield(6)
    net.store([[1, -1, 1, -1, 1, -1]])
    diagram, root, _, _ = drawing(net)
    assert [b.key for b in diagram.boxes] == ["units"] and diagram.arrows[0].is_loop
    assert "1 pattern stored" in [t.text for t in root.iter(f"{NS}text")]
    dot = to_dot(net)
    assert dot.startswith('digraph "Hopfield" {') and '"units" -> "units"' in dot and dot.rstrip().endswith("}")


def test_dot_stays_escaped_for_a_hostile_name():
    net = architect.Perceptron(2, 3, 1)
    plain = to_dot(net)
    net.name = 'x"];\n evil [label="y'  # past the name check: DOT quotes it all the same
    dot = to_dot(net)
    assert dot.splitlines()[0] == 'digraph "x\\"];\\\\x0a evil [label=\\"y" {'
    assert dot.splitlines()[1:] == plain.splitlines()[1:]
