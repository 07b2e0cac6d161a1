"""Drawing a :class:`~axonal.export.diagram.Diagram` as SVG, with a simple layered layout.

Layout: each box gets a column, its *rank*: 0 for the first box, else one more than
the highest rank among the sources of its forward arrows (arrows from boxes earlier
in the activation order). Boxes of one rank stack top to bottom in activation order.
Forward arrows run left to right; an arrow to an earlier or equal rank (a read of
the previous time step) arcs over the boxes; a self-connection is a loop on top of
its box; a gate is a dashed line from the gating box to a dot in the middle of the
arrow it gates. A legend below explains the strokes.

The SVG is built with :mod:`xml.etree.ElementTree`, and every text passes through
:func:`~axonal.export.escape.xml_text` first (control characters, lone surrogates and
the other characters XML 1.0 forbids are shown as ``\\xNN`` / ``\\uNNNN``), so the
document is well-formed XML whatever the names hold. Coordinates are in pixels; the
``viewBox`` covers everything drawn.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .escape import xml_text

__all__ = ["SVG_NS", "draw"]

SVG_NS = "http://www.w3.org/2000/svg"
BOX_H, LINE_H = 62, 15
ROW_GAP = 110
FONT = "Helvetica, Arial, sans-serif"
#: Arrow kinds drawn without a label (the legend names them).
PLAIN_KINDS = ("all_to_all", "data")
COLORS = {"forward": "#333333", "one_to_one": "#1f6fb4", "backward": "#b22222", "loop": "#7b3fa0",
          "gate": "#e07b00"}


def _tag(name):
    return f"{{{SVG_NS}}}{name}"


def _sub(parent, name, **attrs):
    return ET.SubElement(parent, _tag(name), {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()})


def _text(parent, name, text, **attrs):
    """A ``<text>`` or ``<title>`` element holding ``text``, escaped for XML."""
    element = _sub(parent, name, **attrs)
    element.text = xml_text(text)
    return element


def _ranks(diagram) -> dict:
    position = {b.key: i for i, b in enumerate(diagram.boxes)}
    rank: dict = {}
    for box in diagram.boxes:
        sources = [rank[a.source] for a in diagram.arrows
                   if a.target == box.key and position[a.source] < position[box.key]]
        rank[box.key] = max(sources) + 1 if sources else 0
    return rank


def _box_width(diagram) -> float:
    """One width for every box, wide enough for the longest label (about 7 px a character)."""
    longest = max(len(xml_text(text)) for box in diagram.boxes for text in [box.title, *box.lines])
    return max(170.0, 7.5 * longest + 24)


def _layout(diagram, box_w) -> tuple[dict, dict]:
    """``{box key: (x, y)}``, the top-left corners, and ``{box key: height}``."""
    col_gap = box_w + 80
    rank = _ranks(diagram)
    columns: dict[int, list] = {}
    for box in diagram.boxes:
        columns.setdefault(rank[box.key], []).append(box)
    height = max(len(c) for c in columns.values())
    height_of = {box.key: BOX_H + LINE_H * max(0, len(box.lines) - 2) for box in diagram.boxes}
    place = {}
    for r, column in columns.items():
        y = (height - len(column)) * ROW_GAP / 2
        for box in column:
            place[box.key] = (r * col_gap, y)
            y += ROW_GAP + max(0, height_of[box.key] - BOX_H)
    return place, height_of


class _Bounds:
    def __init__(self):
        self.x0 = self.y0 = float("inf")
        self.x1 = self.y1 = float("-inf")

    def add(self, x, y):
        self.x0, self.y0, self.x1, self.y1 = min(self.x0, x), min(self.y0, y), max(self.x1, x), max(self.y1, y)


def _f(v) -> str:
    return f"{v:.1f}"


def draw(diagram) -> str:
    """The SVG document (a string) for ``diagram``."""
    box_w = _box_width(diagram)
    place, height_of = _layout(diagram, box_w)
    bounds = _Bounds()
    root = ET.Element(_tag("svg"), {"version": "1.1"})
    _text(root, "title", diagram.title)
    defs = _sub(root, "defs")
    for name, color in COLORS.items():
        marker = _sub(defs, "marker", id=f"arrow-{name}", viewBox="0 0 10 10", refX=9, refY=5,
                      markerWidth=7, markerHeight=7, orient="auto-start-reverse")
        _sub(marker, "path", d="M0,0 L10,5 L0,10 z", fill=color)
    edges, gates, boxes = _sub(root, "g", class_="arrows"), _sub(root, "g", class_="gates"), \
        _sub(root, "g", class_="layers")

    def box_geometry(key):
        x, y = place[key]
        return x, y, box_w, height_of[key]
    box_geometry.top = min(y for _, y in place.values())  # type: ignore[attr-defined]

    middles = {}
    arc = 0
    for arrow in diagram.arrows:
        middles[arrow.key] = _draw_arrow(edges, arrow, box_geometry, bounds, arc)
        if arrow.backward and not arrow.is_loop:
            arc += 1
    for arrow in diagram.gates:
        gx, gy, gw, gh = box_geometry(arrow.gater)
        mx, my = middles[arrow.key]
        start = (gx + gw / 2, gy + gh if my > gy + gh else gy if my < gy else gy + gh / 2)
        group = _sub(gates, "g", class_="gate")
        _sub(group, "line", class_="gate", x1=_f(start[0]), y1=_f(start[1]), x2=_f(mx), y2=_f(my),
             stroke=COLORS["gate"], stroke_width=1.5, stroke_dasharray="6 4")
        _sub(group, "circle", class_="gate-dot", cx=_f(mx), cy=_f(my), r=4.5, fill=COLORS["gate"])
        _text(group, "title", f"{arrow.gater} gates ({arrow.gate_kind}) {arrow.source} → {arrow.target}")
    for box in diagram.boxes:
        x, y, w, h = box_geometry(box.key)
        bounds.add(x, y)
        bounds.add(x + w, y + h)
        group = _sub(boxes, "g", class_="layer")
        _sub(group, "rect", class_="layer", x=_f(x), y=_f(y), width=w, height=h, rx=10, ry=10,
             fill="#f4f7fb", stroke="#4a5a70", stroke_width=1.5)
        label = _text(group, "text", box.title, x=_f(x + w / 2), y=_f(y + 20), text_anchor="middle",
                      font_family=FONT, font_size=13)
        label.set("font-weight", "bold")
        for k, line in enumerate(box.lines):
            _text(group, "text", line, x=_f(x + w / 2), y=_f(y + 20 + LINE_H * (k + 1)), text_anchor="middle",
                  font_family=FONT, font_size=11, fill="#333333")
    _legend(root, diagram, bounds)
    pad = 20
    x0, y0 = bounds.x0 - pad, bounds.y0 - pad
    width, height = bounds.x1 - bounds.x0 + 2 * pad, bounds.y1 - bounds.y0 + 2 * pad
    root.set("width", _f(width))
    root.set("height", _f(height))
    root.set("viewBox", f"{_f(x0)} {_f(y0)} {_f(width)} {_f(height)}")
    ET.register_namespace("", SVG_NS)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _style(arrow):
    if arrow.is_loop:
        return "loop"
    if arrow.backward:
        return "backward"
    return "one_to_one" if arrow.kind.startswith("one_to_one") else "forward"


def _draw_arrow(parent, arrow, geometry, bounds, arc):
    """Draw one arrow; return the point in its middle (where a gate's dot goes)."""
    sx, sy, sw, sh = geometry(arrow.source)
    tx, ty, tw, th = geometry(arrow.target)
    style = _style(arrow)
    if style == "loop":
        cx = sx + sw / 2
        p0, c1, c2, p3 = (cx - 14, sy), (cx - 36, sy - 48), (cx + 36, sy - 48), (cx + 14, sy)
        d = f"M{_f(p0[0])},{_f(p0[1])} C{_f(c1[0])},{_f(c1[1])} {_f(c2[0])},{_f(c2[1])} {_f(p3[0])},{_f(p3[1])}"
        points, middle = (p0, c1, c2, p3), (cx, sy - 36)
    elif style == "backward" and abs(sx - tx) > 1:
        # Up over every box and down onto the target: higher for each further arc.
        top = geometry.top - 50 - 24 * arc
        p0, c1, c2, p3 = (sx + sw / 2 + 14, sy), (sx + sw / 2 + 14, top), (tx + tw / 2 - 14, top), (tx + tw / 2 - 14, ty)
        d = f"M{_f(p0[0])},{_f(p0[1])} C{_f(c1[0])},{_f(c1[1])} {_f(c2[0])},{_f(c2[1])} {_f(p3[0])},{_f(p3[1])}"
        points = (p0, c1, c2, p3)
        middle = ((p0[0] + 3 * c1[0] + 3 * c2[0] + p3[0]) / 8, (p0[1] + 3 * c1[1] + 3 * c2[1] + p3[1]) / 8)
    else:
        if tx > sx:
            p0, p2 = (sx + sw, sy + sh / 2), (tx, ty + th / 2)
            c = ((p0[0] + p2[0]) / 2, (p0[1] + p2[1]) / 2)
        else:  # same column: bend out to the right, further for a backward arrow
            lower = 0.65 if style == "backward" else 0.35
            p0, p2 = (sx + sw, sy + sh * lower), (tx + tw, ty + th * lower)
            c = (p0[0] + (90 + 24 * arc if style == "backward" else 60), (p0[1] + p2[1]) / 2)
        d = f"M{_f(p0[0])},{_f(p0[1])} Q{_f(c[0])},{_f(c[1])} {_f(p2[0])},{_f(p2[1])}"
        points = (p0, c, p2)
        middle = (0.25 * p0[0] + 0.5 * c[0] + 0.25 * p2[0], 0.25 * p0[1] + 0.5 * c[1] + 0.25 * p2[1])
    for p in points:
        bounds.add(*p)
    group = _sub(parent, "g", class_=f"connection {style}")
    _text(group, "title", f"{arrow.key}: {arrow.source} → {arrow.target} ({arrow.kind})")
    _sub(group, "path", d=d, fill="none", stroke=COLORS[style], stroke_width=1.6,
         marker_end=f"url(#arrow-{style})")
    if arrow.kind not in PLAIN_KINDS:
        _text(group, "text", arrow.kind, x=_f(middle[0]), y=_f(middle[1] - 7), text_anchor="middle",
              font_family=FONT, font_size=10, fill=COLORS[style])
    return middle


_LEGEND = (("forward", "all-to-all connection (reads this step)"), ("one_to_one", "one-to-one connection"),
           ("backward", "reads the previous step"), ("loop", "self-connection / recurrence"),
           ("gate", "gate (dot: the gated connection)"))


def _legend(root, diagram, bounds):
    used = {_style(a) for a in diagram.arrows} | ({"gate"} if diagram.gates else set())
    legend = _LEGEND
    if all(a.kind in ("data", "recurrent") for a in diagram.arrows):  # a Sequential: a chain of layers
        legend = (("forward", "data, from layer to layer"), ("loop", "recurrent state (from the previous step)"))
    entries = [(style, text) for style, text in legend if style in used] or [("forward", "connection")]
    x, y = bounds.x0 if bounds.x0 != float("inf") else 0.0, (bounds.y1 if bounds.y1 != float("-inf") else 0) + 40
    group = _sub(root, "g", class_="legend")
    for k, (style, text) in enumerate(entries):
        row = y + 18 * k
        line = _sub(group, "line", x1=_f(x), y1=_f(row), x2=_f(x + 34), y2=_f(row), stroke=COLORS[style],
                    stroke_width=1.6)
        if style == "gate":
            line.set("stroke-dasharray", "6 4")
            _sub(group, "circle", cx=_f(x + 34), cy=_f(row), r=4, fill=COLORS[style])
        _text(group, "text", text, x=_f(x + 44), y=_f(row + 4), font_family=FONT, font_size=11, fill="#333333")
        bounds.add(x + 44 + 7 * len(text), row + 8)
    bounds.add(x, y - 10)
