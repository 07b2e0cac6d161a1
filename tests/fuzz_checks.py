"""What the fuzzer (tests/fuzzing.py) accepts as an outcome: error messages, generated files.

* an error message is one line of at most :data:`MESSAGE_LIMIT` characters with no
  control characters (:func:`message_problem`);
* a standalone Python module parses, imports only :mod:`math`, has the sentinel in no
  identifier and never calls it when run (:func:`check_python`);
* DOT is one digraph whose names all sit inside well-formed strings (:func:`check_dot`);
* SVG is well-formed XML with an ``<svg>`` root, no scripts and no event handlers
  (:func:`check_svg`).

:func:`name_sweep` sends every hostile name of tests/fuzz_corpus.py through every
exporter and every name of two networks, and reports each outcome.
"""

from __future__ import annotations

import ast
import io
import random
import re
import traceback
import xml.etree.ElementTree as ElementTree

from fuzz_corpus import HOSTILE_NAMES, SENTINEL, fixed_input

__all__ = ["MESSAGE_LIMIT", "caused_by_memory", "check_dot", "check_python", "check_svg", "export_networks",
           "export_with_name", "message_problem", "name_holders", "name_sweep", "where"]

MESSAGE_LIMIT = 2000


def caused_by_memory(exc) -> bool:
    while exc is not None:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def where(exc) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/axonal/" in f.filename] or frames
    f = ours[-1]
    return f"{f.filename.rsplit('/axonal/', 1)[-1]}:{f.lineno} {f.name}"


def message_problem(text: str) -> str | None:
    if len(text) > MESSAGE_LIMIT:
        return f"message of {len(text)} characters"
    if re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e]", text):
        return "control characters in the message"
    return None


def _walk_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.alias):
            yield node.name
        elif isinstance(node, ast.arg):
            yield node.arg


def check_python(source: str, network) -> str | None:
    """``None`` when ``source`` is a safe standalone module of ``network``, else what is wrong.

    The module must encode as UTF-8 and parse; its only import is :mod:`math`; the
    sentinel appears in no identifier; running it and its ``predict`` on the fixed
    input never calls the sentinel.
    """
    try:
        source.encode("utf-8")
        tree = ast.parse(source)
    except (UnicodeEncodeError, SyntaxError, ValueError) as exc:
        return f"the module does not parse: {type(exc).__name__}"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) or isinstance(node, ast.Import) and \
                [a.name for a in node.names] != ["math"]:
            return "the module imports something other than math"
    if any(SENTINEL in name for name in _walk_names(tree)):
        return "a name became an identifier of the module"
    calls = []
    namespace = {SENTINEL: lambda *args: calls.append(args), "__name__": "fuzz_export"}
    try:
        exec(compile(tree, "<export>", "exec"), namespace)  # noqa: S102 (checked above; the payloads are harmless)
        sample = fixed_input(network)[0]
        namespace["predict"](sample.tolist())
    except Exception as exc:  # noqa: BLE001 (any failure of the generated module is the finding)
        return f"the module fails: {type(exc).__name__}: {str(exc)[:80]!r}"
    return "running the module called the payload" if calls else None


def _dot_tokens(text: str):
    """DOT tokens; raises ValueError on an unterminated string or a control character outside one."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \n":
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise ValueError("unterminated string")
            body = text[i + 1:j]
            if any(ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 or ch in "\u2028\u2029" for ch in body):
                raise ValueError("a control character inside a string")
            yield "string", body
            i = j + 1
        elif c.isalnum() or c in "_.":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_."):
                j += 1
            yield "id", text[i:j]
            i = j
        elif text.startswith("->", i):
            yield "op", "->"
            i += 2
        elif c in "{}[];=,":
            yield "op", c
            i += 1
        else:
            raise ValueError(f"unexpected character {c!r}")


def check_dot(text: str) -> str | None:
    """``None`` when ``text`` is one well-formed digraph whose names all sit inside strings."""
    try:
        text.encode("utf-8")
        tokens = list(_dot_tokens(text))
    except (UnicodeEncodeError, ValueError) as exc:
        return f"not well-formed DOT: {exc}"
    if tokens[:1] != [("id", "digraph")] or tokens[-1:] != [("op", "}")]:
        return "not one digraph"
    depth = 0
    for i, (kind, value) in enumerate(tokens):
        depth += {"{": 1, "}": -1}.get(value, 0) if kind == "op" else 0
        if depth < 0 or depth == 0 and 2 < i < len(tokens) - 1:
            return "braces do not balance"
        if kind == "id" and SENTINEL in value:
            return "a name escaped its string"
    return None


_SVG_NS = "{http://www.w3.org/2000/svg}"


def check_svg(text: str) -> str | None:
    """``None`` when ``text`` is well-formed XML: one ``<svg>`` root, no scripts, no event handlers."""
    try:
        root = ElementTree.parse(io.BytesIO(text.encode("utf-8"))).getroot()
    except (UnicodeEncodeError, ElementTree.ParseError) as exc:
        return f"not well-formed XML: {type(exc).__name__}: {str(exc)[:80]}"
    if root.tag not in (f"{_SVG_NS}svg", "svg"):
        return f"the root is {root.tag[:40]!r}, not svg"
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("script", "foreignObject", "iframe"):
            return f"a <{tag}> element"
        if any(key.rsplit("}", 1)[-1].lower().startswith("on") for key in element.attrib):
            return "an event-handler attribute"
    return None


# -- networks for the exporters ----------------------------------------------------------------------------
def export_networks() -> dict:
    """Built networks whose names the export cases replace: ``{key: network}``."""
    from axonal import Dense, Dropout, Residual, Sequential
    from axonal.synaptic import architect
    sequential = Sequential([
        Dense(3, "tanh", input_dim=2, name="first"),
        Dropout(0.2, seed=0, name="drop"),
        Residual([Dense(3, "relu", name="inner"), Dense(3, name="inner_2")], name="skip"),
        Residual(Sequential([Dense(3, "elu", name="deep")], name="nested"), name="outer"),
        Dense(1, "logistic", name="last"),
    ], dtype="float64", seed=0, name="net")
    return {"sequential": sequential, "graph": architect.LSTM(2, 2, 1, dtype="float64", seed=0, name="lstm")}


def name_holders(network) -> list:
    """Every object of ``network`` with a ``name`` the exporters show: the network, layers, blocks."""
    holders = [network]
    stack = list(getattr(network, "layers", []))
    while stack:
        layer = stack.pop(0)
        holders.append(layer)
        block = getattr(layer, "block", None)
        if block is not None:
            stack += [block] + list(getattr(block, "layers", []))
        stack += list(getattr(layer, "layers", [])) if block is None and layer is not network else []
    seen, unique = set(), []
    for holder in holders:
        if id(holder) not in seen:
            seen.add(id(holder))
            unique.append(holder)
    return unique


def export_with_name(network, holder, name) -> tuple:
    """``(outcomes, failed)``: ``name`` set on ``holder`` of ``network``, then Python, DOT and SVG export.

    Each outcome is ``"python=ok"``, ``"dot=refused"`` (a ``ValueError`` with a clean
    message) or ``"svg=FAIL ..."``; the old name is restored afterwards.
    """
    from axonal.export import to_dot, to_python, to_svg
    old = holder.name
    holder.name = name
    outcomes, failed = [], False
    try:
        for label, fn, check in (("python", to_python, lambda t: check_python(t, network)),
                                 ("dot", to_dot, check_dot), ("svg", to_svg, check_svg)):
            try:
                problem = check(fn(network))
                outcomes.append(f"{label}=ok" if problem is None else f"{label}=FAIL {problem}")
                failed |= problem is not None
            except ValueError as exc:
                bad = message_problem(str(exc))
                outcomes.append(f"{label}=refused" if bad is None else f"{label}=FAIL {bad} at {where(exc)}")
                failed |= bad is not None
            except Exception as exc:  # noqa: BLE001 (the type is the finding)
                outcomes.append(f"{label}=FAIL {type(exc).__name__} at {where(exc)}")
                failed = True
    finally:
        holder.name = old
    return outcomes, failed


def export_case(networks: dict, rng: random.Random) -> dict:
    """A random hostile name (or random code points) on a random name holder, through every exporter."""
    network = networks[rng.choice(sorted(networks))]
    holder = rng.choice(name_holders(network))
    parts = rng.sample(HOSTILE_NAMES, rng.choice([1, 1, 2]))
    name = "".join(parts) if rng.random() < 0.8 else "".join(chr(rng.randrange(0x110000)) for _ in range(8))
    outcomes, failed = export_with_name(network, holder, name)
    outcome = "export " + " ".join(outcomes)
    return {"outcome": ("FAIL " if failed else "") + outcome, "failure": failed, "detail": repr(name)[:200]}


def name_sweep() -> list:
    """Every hostile name on every name holder of :func:`export_networks`: rows of
    ``(name index, network, holder index, outcomes, failed)``."""
    rows = []
    for key, network in export_networks().items():
        for h, holder in enumerate(name_holders(network)):
            for i, name in enumerate(HOSTILE_NAMES):
                outcomes, failed = export_with_name(network, holder, name)
                rows.append((i, key, h, outcomes, failed))
    return rows
