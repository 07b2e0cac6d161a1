"""Hostile names through every generator: constructors refuse them, exporters stay safe past that.

Each name of the corpus is tried twice:

* **at construction**: a layer, a network, a graph layer, a connection given the
  name must raise a ``ValueError`` naming the alphabet;
* **past the check** (defence in depth): the name is set on already built objects
  (``layer.name = ...``; graph layers and connections renamed in place) and the
  network goes through Python export, DOT and SVG. The generated Python must parse,
  run nothing on import or on ``predict`` (each payload would create the file
  ``PWNED`` in the working directory), keep the names as string literals and
  predict as the network does, or the exporter must refuse it with a
  ``ValueError``; the DOT must lex into exactly the statements the network has;
  the SVG must be well-formed XML with one box per layer and nothing but SVG in it.

``tally()`` runs the whole corpus and counts the outcomes::

    python3 -c "import sys; sys.path.insert(0, 'tests'); import test_hostile_names as t; print(t.tally())"
"""

import ast
import os
import re
import tempfile
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from axonal import Dense, Dropout, Residual, Sequential
from axonal.synaptic.architect import LSTM as LSTMNetwork
from axonal.export import to_dot, to_python, to_svg
from axonal.export.diagram import describe
from axonal.graph import Graph, GraphNetwork

SENTINEL = "PWNED"
RUN = "open('PWNED', 'w').close()"
SHELL = "__import__('os').system('touch PWNED')"

HOSTILE = [
    # line breaks of every kind, each followed by a statement
    f"x\n{RUN}\ndef _f(x):\n    #",
    f"x\r{RUN}\r",
    f"x\r\n{RUN}\r\n",
    f"x\u2028{RUN}",
    f"x\u2029{RUN}",
    f"x\x0c{RUN}",
    f"x\x0b{RUN}",
    f"x\x85{RUN}",
    f"x\x1c{SHELL}",
    f"x\\\n{RUN}",
    # indentation: a statement inside the function being generated
    f"x\n    {RUN}\n    #",
    f"x\n        {SHELL}\n",
    f"\n\t{RUN}",
    # quotes, docstrings, comments
    f"'; {RUN}; '",
    f'"; {RUN}; "',
    f'"""\n{RUN}\n"""',
    f"'''\n{RUN}\n'''",
    'x"""',
    "x\\",
    "\\",
    f"# {RUN}",
    f"x # \n{SHELL}",
    f"){RUN}#",
    # format specs and code-looking text
    "{__import__('os').system('touch PWNED')}",
    "%s%s%n",
    "{0.__class__}",
    "x;import os",
    "lambda: 0",
    # control characters and terminal escapes
    "nul\x00byte",
    "bell\x07",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07",
    "\x9b31m",
    "tab\tname",
    "del\x7f",
    "\\x1b",
    # Unicode tricks
    "\ud800",
    "x\udcff",
    "evil\u202etxt.exe",
    "zero\u200bwidth",
    "\ufeffbom",
    "non\ufffechar",
    "ünïcode",
    "ＡＢＣ",
    # markup for SVG and DOT
    "<script>alert(1)</script>",
    "]]>",
    "-->",
    "<!--",
    "&amp;",
    "&#0;",
    "<?xml version='1.0'?>",
    '" onload="alert(1)',
    '"];\n  evil [label="x',
    '" -> "evil',
    "x\\N\\G\\l",
    # length, emptiness, shape of the alphabet
    "x" * 100_000,
    "a" * 65,
    "",
    " leading",
    "1digit",
    "trailing\n",
    "layer_1\n",
    # not strings at all
    5,
    3.5,
    b"bytes",
    ["list"],
]


# -- construction ------------------------------------------------------------------------------------
def _constructors(name):
    """Every place a name enters axonal, as ``{what: thunk}``."""
    def graph_layer():
        Graph().layer(name, 2)

    def connection():
        g = Graph()
        a, b = g.layer("a", 2), g.layer("b", 1)
        g.connect(a, b, name=name)

    def graph_network():
        g = Graph()
        g.connect(g.layer("a", 2), g.layer("b", 1))
        GraphNetwork(g, name=name)

    return {
        "Dense": lambda: Dense(2, name=name),
        "Dropout": lambda: Dropout(0.1, name=name),
        "Residual": lambda: Residual(Dense(2), name=name),
        "Sequential": lambda: Sequential([Dense(2)], name=name),
        "graph layer": graph_layer,
        "connection": connection,
        "GraphNetwork": graph_network,
    }


def construction_outcomes(name) -> dict:
    """``{what: "refused" | "accepted" | exception type}`` for each constructor."""
    outcomes = {}
    for what, make in _constructors(name).items():
        try:
            make()
        except ValueError as exc:
            message = str(exc)
            outcomes[what] = "refused" if "name" in message and "\n" not in message else f"bad message: {message!r}"
        except Exception as exc:  # noqa: BLE001 - counted as a wrong outcome
            outcomes[what] = type(exc).__name__
        else:
            outcomes[what] = "accepted"
    return outcomes


# -- past the check -----------------------------------------------------------------------------------
def hostile_sequential(name):
    """A built Sequential of every kind of layer with a name, then every name set to ``name``."""
    net = Sequential([Dense(3, "tanh", input_dim=2), Dropout(0.1), Residual(Dense(3, "tanh")),
                      Sequential([Dense(3, "relu")]), Dense(2)], dtype="float64", seed=0)
    for layer in net.layers:
        layer.name = name
    net.layers[2].block.name = name
    net.layers[3].layers[0].name = name
    net.name = name
    return net


def hostile_graph(name):
    """A built gated LSTM graph whose layers, connections and network are renamed to ``name``."""
    net = LSTMNetwork(2, 2, 1, dtype="float64", seed=0)
    text = name if isinstance(name, str) else str(name)
    layer, graph = net.graph_layer, net.graph
    rename = {old: text if i == 0 else f"{text}_{i}" for i, old in enumerate(graph.order)}
    graph.nodes = {rename[old]: node for old, node in graph.nodes.items()}
    for node in graph.nodes.values():
        node.name = rename[node.name]
    for k, conn in enumerate(graph.connections):
        conn.source, conn.target = rename[conn.source], rename[conn.target]
        conn.gater = None if conn.gater is None else rename[conn.gater]
        conn.name = text if k == 0 else f"{text}_c{k}"
    for step in layer.steps:
        step.name = rename[step.name]
    layer.input_name, layer.output_name = rename[layer.input_name], rename[layer.output_name]
    net.name = name
    return net


_DOT_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(->)|([A-Za-z0-9_.]+)|([{}\[\]=,;]))', re.DOTALL)


def dot_statements(dot: str) -> list:
    """The statements of a DOT document as token lists; an ``AssertionError`` if it does not lex."""
    tokens, pos = [], 0
    while pos < len(dot.rstrip()):
        match = _DOT_TOKEN.match(dot, pos)
        assert match, f"DOT does not lex at {dot[pos:pos + 40]!r}"
        tokens.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    assert tokens[:2] == ["digraph", tokens[1]] and tokens[1].startswith('"') and tokens[2] == "{"
    assert tokens[-1] == "}"
    statements, current = [], []
    for token in tokens[3:-1]:
        if token == ";":
            statements.append(current)
            current = []
        else:
            assert token not in "{}", "a brace inside a statement"
            current.append(token)
    assert not current
    return statements


def check_dot(network) -> None:
    """Exactly one node statement per box and gate point, one edge statement per arrow (three per gate)."""
    diagram = describe(network)
    statements = dot_statements(to_dot(network))
    nodes = [s for s in statements if s[0].startswith('"') and (len(s) == 1 or s[1] == "[")]
    edges = [s for s in statements if len(s) > 2 and s[1] == "->"]
    gated = len(diagram.gates)
    assert len(nodes) == len(diagram.boxes) + gated
    assert len(edges) == len(diagram.arrows) + 2 * gated
    assert len(statements) == 3 + len(nodes) + len(edges)  # rankdir, node defaults, edge defaults
    for s in edges:
        assert s[0].startswith('"') and s[2].startswith('"') and (len(s) == 3 or s[3] == "[")


def check_svg(network) -> None:
    svg = to_svg(network)
    root = ET.fromstring(svg)  # well-formed, or ParseError
    namespace = "{http://www.w3.org/2000/svg}"
    assert all(e.tag.startswith(namespace) for e in root.iter())
    assert not [e for e in root.iter() if e.tag.endswith("script") or e.tag.endswith("foreignObject")]
    boxes = [e for e in root.iter(f"{namespace}rect") if e.get("class") == "layer"]
    assert len(boxes) == len(describe(network).boxes)
    svg.encode("utf-8")


def check_python(network, sample, want) -> str:
    """``"exported"`` after checking the module, or ``"refused"`` when the exporter refused it."""
    try:
        source = to_python(network)
    except ValueError as exc:
        assert "to_python" in str(exc) and "\n" not in str(exc)
        return "refused"
    source.encode("utf-8")
    ast.parse(source)
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [(type(n).__name__, [a.name for a in n.names]) for n in imports] == [("Import", ["math"])]
    namespace = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - what the test checks
    got = namespace["predict"](sample)
    assert not os.path.exists(SENTINEL), "the generated module ran a payload"
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64).ravel(), want.ravel(), rtol=1e-9, atol=1e-12)
    assert namespace["NETWORK"] == str(network.describe())
    return "exported"


def bypass_outcomes(name) -> dict:
    """``{network kind: "exported" | "refused"}`` for Python export, after DOT and SVG checks pass."""
    outcomes = {}
    seq = hostile_sequential(name)
    sample = [0.25, -0.5]
    outcomes["Sequential"] = check_python(seq, sample, seq.predict(np.array([sample]))[0])
    assert list(namespace_layers(seq)) == [str(layer.describe()) for layer in seq.layers] \
        or outcomes["Sequential"] == "refused"
    check_dot(seq)
    check_svg(seq)
    graph = hostile_graph(name)
    sequence = [[0.1, 0.2], [0.3, -0.4], [0.0, 0.5]]
    want = graph.predict(np.array([sequence]))[0]
    outcomes["GraphNetwork"] = check_python(graph, sequence, want)
    check_dot(graph)
    check_svg(graph)
    assert not os.path.exists(SENTINEL)
    return outcomes


def namespace_layers(network):
    try:
        namespace = {}
        exec(compile(to_python(network), "<generated>", "exec"), namespace)  # noqa: S102
    except ValueError:
        return []
    return namespace["LAYERS"]


# -- the tally ------------------------------------------------------------------------------------------
def tally(cases=HOSTILE) -> dict:
    """Run the corpus in a scratch directory; count the outcomes (and list any that went wrong)."""
    counts = {"cases": len(cases), "refused_at_construction": 0, "graph_accepted_at_construction": 0,
              "exported_safely": 0, "refused_by_exporter": 0, "wrong": []}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            for name in cases:
                built = construction_outcomes(name)
                if all(v == "refused" for v in built.values()):
                    counts["refused_at_construction"] += 1
                elif all(v == "refused" for k, v in built.items() if k not in ("graph layer", "connection")):
                    counts["graph_accepted_at_construction"] += 1
                else:
                    counts["wrong"].append((name if len(repr(name)) < 80 else repr(name)[:80], built))
                try:
                    for outcome in bypass_outcomes(name).values():
                        counts["exported_safely" if outcome == "exported" else "refused_by_exporter"] += 1
                except Exception as exc:  # noqa: BLE001 - reported, and the test fails on it
                    counts["wrong"].append((repr(name)[:80], f"{type(exc).__name__}: {exc}"[:200]))
        finally:
            os.chdir(here)
    return counts


# -- the tests ---------------------------------------------------------------------------------------
def _id(name):
    return re.sub(r"[^A-Za-z0-9]", "_", repr(name)[:24])


def test_the_corpus_is_large_and_varied():
    assert len(HOSTILE) >= 50
    texts = [h for h in HOSTILE if isinstance(h, str)]
    for needle in ("\n", "\r", "\r\n", "\u2028", "\u2029", "\x0c", "\x0b", "\x00", "\x07", "\x1b", '"""', "'''",
                   "\\", "#", "{", "%", "\ud800", "<script>", "]]>", "-->", "&amp;", "    "):
        assert any(needle in t for t in texts), needle
    assert any(not isinstance(h, str) for h in HOSTILE) and "" in HOSTILE


@pytest.mark.parametrize("name", HOSTILE, ids=[_id(h) for h in HOSTILE])
def test_a_hostile_name_is_refused_where_it_enters(name):
    outcomes = construction_outcomes(name)
    assert outcomes == {what: "refused" for what in outcomes}


@pytest.mark.parametrize("name", HOSTILE, ids=[_id(h) for h in HOSTILE])
def test_exporters_stay_safe_past_the_name_check(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcomes = bypass_outcomes(name)
    assert set(outcomes.values()) <= {"exported", "refused"}
    assert not (tmp_path / SENTINEL).exists()


def test_the_allow_list_refuses_code_that_leaked_into_a_module():
    from axonal.export._audit import audit_source
    good = to_python(Sequential([Dense(2, "tanh", input_dim=2)], seed=0))
    assert audit_source(good) == good
    leaks = {
        "import os\n": "import other than 'import math'",
        "open('PWNED', 'w')\n": "top-level Expr statement",
        "def _g(x):\n    open('PWNED', 'w')\n    return x\n": "expression statement",
        "X = open('PWNED')\n": "not a constant",
        "def _g(x):\n    return eval('1')\n": "'eval'",
        "def _g(x):\n    return x.__class__\n": "'__class__'",
        "def _g(x):\n    eval = float\n    return eval(x)\n": "binding of the name 'eval'",
        "@property\ndef _g(x):\n    return x\n": "def statement",
        "def _g(x):\n    return lambda: 0\n": "Lambda",
        "def _g(x):\n    return (x or float)(1)\n": "computed function",
        "def _g(x):\n    import os\n    return x\n": "nested Import",
        "def _g(x):\n    class Network:\n        pass\n    return x\n": "nested ClassDef",
        "class Other:\n    pass\n": "class statement",
        "def _g(x):\n    raise SystemExit(1)\n": "raise",
        "def _g(x):\n    return math.system\n": "'system'",
    }
    for leak, what in leaks.items():
        with pytest.raises(ValueError, match=re.escape(what)):
            audit_source(good + "\n" + leak)
    with pytest.raises(ValueError, match="does not parse"):
        audit_source(good + "\n)")


def test_csv_text_escapes_formulas_and_keeps_numbers():
    from axonal.export.escape import csv_text
    for cell in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_text(cell) == "'" + cell
    assert csv_text("cat") == "cat" and csv_text("a=b") == "a=b" and csv_text(7) == "7"
    assert csv_text("x\ud800") == "x\\ud800"


@pytest.mark.slow
def test_the_tally_accounts_for_every_case():
    counts = tally()
    assert counts["wrong"] == []
    assert counts["cases"] == len(HOSTILE) >= 50
    assert counts["refused_at_construction"] + counts["graph_accepted_at_construction"] == counts["cases"]
    assert counts["exported_safely"] + counts["refused_by_exporter"] == 2 * counts["cases"]
