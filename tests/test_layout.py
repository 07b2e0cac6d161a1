"""The package's shape: module size, and imports that keep the core free of edges and of cycles.

Imports are read from the source with ``ast`` (those inside functions too), so a lazy
import counts like any other.
"""

import ast
import pathlib

import pytest

import axonal

PACKAGE = pathlib.Path(axonal.__file__).resolve().parent
#: Edges use the public API; the core never imports them.
EDGES = ("io", "export", "cli", "synaptic", "data", "plotting", "sklearn")
MAX_LINES = 400


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imports(name, path):
    """The ``axonal.*`` modules that ``name`` imports, resolved to absolute names."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("axonal"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("axonal"):
                for alias in node.names:  # `from . import losses` imports the module axonal.losses
                    module = f"{target}.{alias.name}"
                    found.add(module if _is_module(module) else target)
    return found


def _is_module(name):
    parts = name.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


MODULES = dict(_modules())


def _resolve(target):
    """The module a dotted import name refers to (``axonal.layers.Dense`` -> ``axonal.layers``)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target


GRAPH = {name: {_resolve(t) for t in _imports(name, path)} - {name, ""} for name, path in MODULES.items()}


def _edge(name):
    """Edges, and the two doors to them: the package root (which gathers the public API,
    edges included) and ``python -m axonal`` (the command line)."""
    parts = name.split(".")
    return name in ("axonal", "axonal.__main__") or (len(parts) > 1 and parts[1] in EDGES)


def test_no_module_is_longer_than_the_limit():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by concept): {long}"


def test_the_core_imports_no_edge():
    wrong = sorted(f"{name} imports {target}" for name, targets in GRAPH.items() if not _edge(name)
                   for target in targets if _edge(target))
    assert not wrong, "core modules importing edges:\n" + "\n".join(wrong)


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_imports_have_no_cycles():
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("fixture", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_finder_finds_cycles(fixture):
    graph, expected = fixture
    assert _cycles(graph) == expected
