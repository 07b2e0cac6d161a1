"""Drawing a :class:`~axonal.export.diagram.Diagram` as SVG: boxes in columns, edges in channels.

**Layout.** Each box gets a column, its *rank*: 0 for the first box, else one more
than the highest rank among the sources of its forward arrows (arrows from boxes
earlier in the activation order). Boxes of one column stack top to bottom in
activation order. Between two columns runs a vertical *channel*, above and below all
boxes horizontal *lanes*; every edge is an orthogonal path that touches a box only
at its own two ends:

==========================  =====================================================
source column a, target b   route
==========================  =====================================================
b = a + 1                   right side of the source, its own track in channel a,
                            left side of the target
b = a - 1                   left side of the source, channel b, right side of the target
b = a (a loop, or another   right side, channel a, right side again
box of the column)
b > a + 1                   channel a, down to a lane below every box, channel b - 1
b < a - 1                   channel a - 1, up to a lane above every box, channel b
==========================  =====================================================

Every vertical piece has its own *track* (x) in its channel and every lane its own
y, and the ends on one side of a box are spread over that side (the box grows to
fit them), so no two edges share a segment. A gate is a dashed path routed the same
way from the gating box to a dot on the vertical piece of the arrow it gates. Edge
labels go at the first free spot along their edge (tried on every segment), so no
label overlaps a box or another label; a label that finds none goes above the
drawing. A legend below explains the strokes.

The SVG is built with :mod:`xml.etree.ElementTree`, and every text passes through
:func:`~axonal.export.escape.xml_text` first, so the document is well-formed XML
whatever the names hold. Coordinates are in pixels; the ``viewBox`` covers everything.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .escape import xml_text

__all__ = ["SVG_NS", "draw", "text_width"]

SVG_NS = "http://www.w3.org/2000/svg"
LINE_H, TRACK, LANE, PORT, V_GAP = 15, 12, 14, 9, 44
FONT = "Helvetica, Arial, sans-serif"
#: Arrow kinds drawn without a label (the legend names them).
PLAIN_KINDS = ("all_to_all", "data")
COLORS = {"forward": "#333333", "one_to_one": "#1f6fb4", "backward": "#b22222", "loop": "#7b3fa0",
          "gate": "#e07b00"}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An upper estimate of the drawn width of ``text`` (as shown, escaped) at font ``size``."""
    return len(xml_text(text)) * size * (0.68 if bold else 0.62)


def _tag(name):
    return f"{{{SVG_NS}}}{name}"


def _sub(parent, name, **attrs):
    return ET.SubElement(parent, _tag(name), {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()})


def _text(parent, name, text, **attrs):
    """A ``<text>`` or ``<title>`` element holding ``text``, escaped for XML."""
    element = _sub(parent, name, **attrs)
    element.text = xml_text(text)
    return element


def _f(v) -> str:
    return f"{v:.1f}"


def _ranks(diagram) -> dict:
    position = {b.key: i for i, b in enumerate(diagram.boxes)}
    rank: dict = {}
    for box in diagram.boxes:
        sources = [rank[a.source] for a in diagram.arrows
                   if a.target == box.key and position[a.source] < position[box.key]]
        rank[box.key] = max(sources) + 1 if sources else 0
    return rank


class _Plan:
    """One path, logically: from a port on a box side, through a track of a channel, maybe a lane and a
    second track, to a port on a box side (or to the dot of a gated arrow)."""

    def __init__(self, key, start, channel, lane=None, channel2=None, end=None):
        self.key, self.start, self.end = key, start, end          # (box, side) pairs; end None: a gate's dot
        self.channel, self.lane, self.channel2 = channel, lane, channel2
        self.track = self.track2 = None
        self.points: list = []


class _Layout:
    """Columns, channels, tracks and lanes handed out to the plans, then turned into coordinates."""

    def __init__(self, diagram):
        self.diagram = diagram
        self.rank = _ranks(diagram)
        self.columns: dict[int, list] = {}
        for box in diagram.boxes:
            self.columns.setdefault(self.rank[box.key], []).append(box.key)
        self.tracks: dict[int, int] = {}
        self.room: dict[int, float] = {}                             # label room a channel keeps
        self.lanes = {"top": 0, "bottom": 0}
        self.ports: dict = {}                                        # (box, side) -> [(plan, end), ...]

    def track(self, channel):
        self.tracks[channel] = self.tracks.get(channel, 0) + 1
        return self.tracks[channel] - 1

    def lane(self, where):
        self.lanes[where] += 1
        return where, self.lanes[where] - 1

    def port(self, plan, box, side, end):
        self.ports.setdefault((box, side), []).append((plan, end))

    def plan(self, key, source, target, *, gate_channel=None, label_w=0.0):
        """The route from box ``source`` to box ``target`` (or, for a gate, to channel ``gate_channel``);
        a route that stays in its channel keeps room there for a label ``label_w`` wide."""
        a = self.rank[source]
        b = self.rank[target] if gate_channel is None else None
        if gate_channel is not None:
            c = gate_channel
            if a in (c, c + 1):
                plan = _Plan(key, (source, "right" if a == c else "left"), c)
            elif a < c:
                plan = _Plan(key, (source, "right"), a, self.lane("bottom"), c)
            else:
                plan = _Plan(key, (source, "left"), a - 1, self.lane("bottom"), c)
        elif b == a + 1:
            plan = _Plan(key, (source, "right"), a, end=(target, "left"))
        elif b == a - 1:
            plan = _Plan(key, (source, "left"), b, end=(target, "right"))
        elif b == a:
            plan = _Plan(key, (source, "right"), a, end=(target, "right"))
        elif b > a:
            plan = _Plan(key, (source, "right"), a, self.lane("bottom"), b - 1, end=(target, "left"))
        else:
            plan = _Plan(key, (source, "left"), a - 1, self.lane("top"), b, end=(target, "right"))
        plan.track = self.track(plan.channel)
        if plan.lane is not None:
            plan.track2 = self.track(plan.channel2)
        elif label_w:
            self.room[plan.channel] = max(self.room.get(plan.channel, 0.0), label_w + 3 * TRACK)
        self.port(plan, *plan.start, 0)
        if plan.end is not None:
            self.port(plan, *plan.end, 1)
        return plan

    def place(self, box_w, base_h):
        """Coordinates: ``self.box[key] = (x, y, w, h)``, channel tracks' x, lanes' y."""
        height = {key: max(base_h[key], PORT * (max(len(self.ports.get((key, s), ())) for s in ("left", "right"))
                                                + 1))
                  for key in base_h}
        ncols = max(self.columns) + 1
        width = {c: max(56, 2 * TRACK + TRACK * self.tracks.get(c, 0) + self.room.get(c, 0.0))
                 for c in range(-1, ncols)}
        width[-1] = width[-1] if self.tracks.get(-1) else 0
        x, self.column_x = width[-1], {}
        for c in range(ncols):
            self.column_x[c] = x
            x += box_w + width[c]
        tall = {c: sum(height[k] for k in keys) + V_GAP * (len(keys) - 1) for c, keys in self.columns.items()}
        top = max(tall.values())
        self.box = {}
        for c, keys in self.columns.items():
            y = (top - tall[c]) / 2
            for key in keys:
                self.box[key] = (self.column_x[c], y, box_w, height[key])
                y += height[key] + V_GAP
        self.track_x = {}   # tracks centred in their channel, or at its left where it keeps label room
        for c, n in self.tracks.items():
            left = self.column_x[c] + box_w if c >= 0 else 0.0
            self.track_x[c] = left + (TRACK if self.room.get(c) else (width[c] - TRACK * (n - 1)) / 2)
        self.top, self.bottom = 0.0, float(top)

    def x_of(self, channel, track):
        return self.track_x[channel] + TRACK * track

    def lane_y(self, lane):
        where, k = lane
        return self.top - 26 - LANE * k if where == "top" else self.bottom + 26 + LANE * k

    def port_points(self, other_y):
        """``{(plan key, end): (x, y)}``: each side's ends spread over it, ordered by where they lead."""
        spots = {}
        for (key, side), ends in self.ports.items():
            x, y, w, h = self.box[key]
            ordered = sorted(ends, key=lambda e: (other_y(e[0], e[1]), str(e[0].key), e[1]))
            for i, (plan, end) in enumerate(ordered):
                spots[(plan.key, end)] = (x + w if side == "right" else x, y + h * (i + 1) / (len(ends) + 1))
        return spots


def _center_y(layout, key):
    _, y, _, h = layout.box[key]
    return y + h / 2


def draw(diagram) -> str:
    """The SVG document (a string) for ``diagram``."""
    box_w = max([170.0] + [max(text_width(b.title, 13, bold=True), *(text_width(t, 11) for t in b.lines)) + 28
                           for b in diagram.boxes])
    layout = _Layout(diagram)
    plans = {a.key: layout.plan(a.key, a.source, a.target,
                                label_w=0.0 if a.kind in PLAIN_KINDS else text_width(a.kind, 10))
             for a in diagram.arrows}
    gates = {a.key: layout.plan(("gate", a.key), a.gater, a.target, gate_channel=plans[a.key].channel)
             for a in diagram.gates}
    loops = {b.key: sum(a.is_loop and a.source == b.key for a in diagram.arrows) for b in diagram.boxes}
    layout.place(box_w, {b.key: 30 + LINE_H * max(2, len(b.lines)) + 16 * loops[b.key] for b in diagram.boxes})
    by_key = {a.key: a for a in diagram.arrows}

    def other_y(plan, end):
        if isinstance(plan.key, tuple):                       # a gate: leads to its arrow's target
            return _center_y(layout, by_key[plan.key[1]].target)
        arrow = by_key[plan.key]
        if arrow.is_loop:  # the ends of a loop outermost on their side, a loop on an outer track outside
            return -1e9 - plan.track if end == 0 else 1e9 + plan.track
        return _center_y(layout, arrow.target if end == 0 else arrow.source)
    spots = layout.port_points(other_y)
    dots = {}
    for plan in plans.values():
        dots[plan.key] = _route(layout, plan, spots[(plan.key, 0)], spots[(plan.key, 1)])
    for key, plan in gates.items():
        _route(layout, plan, spots[(plan.key, 0)], dots[key])

    root = ET.Element(_tag("svg"), {"version": "1.1"})
    _text(root, "title", diagram.title)
    defs = _sub(root, "defs")
    for name, color in COLORS.items():
        marker = _sub(defs, "marker", id=f"arrow-{name}", viewBox="0 0 10 10", refX=9, refY=5,
                      markerWidth=7, markerHeight=7, orient="auto-start-reverse")
        _sub(marker, "path", d="M0,0 L10,5 L0,10 z", fill=color)
    edges, gate_group, boxes = _sub(root, "g", class_="arrows"), _sub(root, "g", class_="gates"), \
        _sub(root, "g", class_="layers")
    taken = [(x - 2, y - 2, x + w + 2, y + h + 2) for x, y, w, h in layout.box.values()]
    bounds = list(taken)
    lines = [(min(ax, bx) - 1, min(ay, by) - 1, max(ax, bx) + 1, max(ay, by) + 1)   # every segment, every dot
             for plan in [*plans.values(), *gates.values()] for (ax, ay), (bx, by) in zip(plan.points, plan.points[1:])]
    lines += [(x - 5, y - 5, x + 5, y + 5) for x, y in dots.values()]
    for arrow in diagram.arrows:
        plan, style = plans[arrow.key], _style(arrow)
        group = _sub(edges, "g", class_=f"connection {style}")
        _text(group, "title", f"{arrow.key}: {arrow.source} → {arrow.target} ({arrow.kind})")
        _sub(group, "path", d=_d(plan.points), fill="none", stroke=COLORS[style], stroke_width=1.6,
             marker_end=f"url(#arrow-{style})")
        bounds += [(x, y, x, y) for x, y in plan.points]
        if arrow.kind not in PLAIN_KINDS:
            x, y, rect = _label_spot(plan.points, arrow.kind, taken, lines, 2 + max(layout.tracks.values()))
            taken.append(rect)
            bounds.append(rect)
            _text(group, "text", arrow.kind, class_="edge-label", x=_f(x), y=_f(y), font_family=FONT,
                  font_size=10, fill=COLORS[style])
    for arrow in diagram.gates:
        plan = gates[arrow.key]
        group = _sub(gate_group, "g", class_="gate")
        _sub(group, "path", class_="gate", d=_d(plan.points), fill="none", stroke=COLORS["gate"], stroke_width=1.5,
             stroke_dasharray="6 4")
        mx, my = dots[arrow.key]
        _sub(group, "circle", class_="gate-dot", cx=_f(mx), cy=_f(my), r=4.5, fill=COLORS["gate"])
        _text(group, "title", f"{arrow.gater} gates ({arrow.gate_kind}) {arrow.source} → {arrow.target}")
        bounds += [(x, y, x, y) for x, y in plan.points]
    for box in diagram.boxes:
        x, y, w, h = layout.box[box.key]
        group = _sub(boxes, "g", class_="layer")
        _sub(group, "rect", class_="layer", x=_f(x), y=_f(y), width=_f(w), height=_f(h), rx=10, ry=10,
             fill="#f4f7fb", stroke="#4a5a70", stroke_width=1.5)
        first = y + h / 2 - LINE_H * len(box.lines) / 2 + 4
        label = _text(group, "text", box.title, class_="box-label", x=_f(x + w / 2), y=_f(first),
                      text_anchor="middle", font_family=FONT, font_size=13)
        label.set("font-weight", "bold")
        for k, line in enumerate(box.lines):
            _text(group, "text", line, class_="box-label", x=_f(x + w / 2), y=_f(first + LINE_H * (k + 1)),
                  text_anchor="middle", font_family=FONT, font_size=11, fill="#333333")
    x0, y0 = min(b[0] for b in bounds), min(b[1] for b in bounds)
    x1, y1 = max(b[2] for b in bounds), max(b[3] for b in bounds)
    y1, right = _legend(root, diagram, x0, y1 + 34)
    x1 = max(x1, right)
    pad = 20
    root.set("width", _f(x1 - x0 + 2 * pad))
    root.set("height", _f(y1 - y0 + 2 * pad))
    root.set("viewBox", f"{_f(x0 - pad)} {_f(y0 - pad)} {_f(x1 - x0 + 2 * pad)} {_f(y1 - y0 + 2 * pad)}")
    ET.register_namespace("", SVG_NS)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _route(layout, plan, start, end):
    """Fill ``plan.points`` (an orthogonal path from ``start`` to ``end``); return the middle of its first
    vertical piece, where a gate's dot goes."""
    x1 = layout.x_of(plan.channel, plan.track)
    points = [start, (x1, start[1])]
    if plan.lane is not None:
        lane_y = layout.lane_y(plan.lane)
        x2 = layout.x_of(plan.channel2, plan.track2)
        points += [(x1, lane_y), (x2, lane_y), (x2, end[1])]
        middle = (x1, (start[1] + lane_y) / 2)
    else:
        points.append((x1, end[1]))
        middle = (x1, (start[1] + end[1]) / 2)
    points.append(end)
    plan.points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return middle


def _d(points) -> str:
    return " ".join(("M" if i == 0 else "L") + f"{_f(x)},{_f(y)}" for i, (x, y) in enumerate(points))


def _label_spot(points, text, taken, lines=(), reach=4):
    """``(x, y, rect)``: where ``text`` (font 10, anchored at its start) sits beside a segment of the path
    without touching any rectangle in ``taken`` (boxes, labels) and, where it can, crossing no line of
    ``lines``; above everything when no segment has room."""
    w, up, down = text_width(text, 10), 8.0, 3.0
    segments = sorted(zip(points, points[1:]), key=lambda s: -abs(s[0][0] - s[1][0]) - abs(s[0][1] - s[1][1]))
    for avoid in (list(taken) + list(lines), taken):
        found = _first_free(segments, w, up, down, avoid, reach)
        if found is not None:
            return found
    top = min(r[1] for r in taken) - 6
    x = points[0][0]
    return x, top - down, (x - 1, top - down - up - 1, x + w + 1, top)


def _first_free(segments, w, up, down, avoid, reach):
    for (ax, ay), (bx, by) in segments:
        for t in (0.5, 0.3, 0.7, 0.15, 0.85, 0.05, 0.95):
            mx, my = ax + (bx - ax) * t, ay + (by - ay) * t
            if ay == by:
                spots = [(mx - w / 2, my - 5), (mx - w / 2, my + 13)]
            else:
                spots = [(mx + 6 + TRACK * k, my + 4) for k in range(reach)] + [(mx - 6 - w, my + 4)]
            for x, y in spots:
                rect = (x - 1, y - up - 1, x + w + 1, y + down + 1)
                if not any(_overlap(rect, other) for other in avoid):
                    return x, y, rect
    return None


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _style(arrow):
    if arrow.is_loop:
        return "loop"
    if arrow.backward:
        return "backward"
    return "one_to_one" if arrow.kind.startswith("one_to_one") else "forward"


_LEGEND = (("forward", "all-to-all connection (reads this step)"), ("one_to_one", "one-to-one connection"),
           ("backward", "reads the previous step"), ("loop", "self-connection / recurrence"),
           ("gate", "gate (dot: the gated connection)"))


def _legend(root, diagram, x, y) -> tuple:
    """Draw the legend from ``(x, y)`` down; return its bottom and its right end."""
    used = {_style(a) for a in diagram.arrows} | ({"gate"} if diagram.gates else set())
    legend: tuple = _LEGEND
    if all(a.kind in ("data", "recurrent") for a in diagram.arrows):  # a Sequential: a chain of layers
        legend = (("forward", "data, from layer to layer"), ("loop", "recurrent state (from the previous step)"))
    entries = [(style, text) for style, text in legend if style in used] or [("forward", "connection")]
    group = _sub(root, "g", class_="legend")
    for k, (style, text) in enumerate(entries):
        row = y + 18 * k
        line = _sub(group, "line", x1=_f(x), y1=_f(row), x2=_f(x + 34), y2=_f(row), stroke=COLORS[style],
                    stroke_width=1.6)
        if style == "gate":
            line.set("stroke-dasharray", "6 4")
            _sub(group, "circle", cx=_f(x + 34), cy=_f(row), r=4, fill=COLORS[style])
        _text(group, "text", text, class_="legend-label", x=_f(x + 44), y=_f(row + 4), font_family=FONT,
              font_size=11, fill="#333333")
    return y + 18 * (len(entries) - 1) + 8, x + 44 + max(text_width(text, 11) for _, text in entries)
