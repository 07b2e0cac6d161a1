"""The last check on every generated module: it may hold only what the generator writes.

The module is parsed with :mod:`ast` and every node is checked against an
allow-list of the forms :mod:`axonal.export.sequential_source` and
:mod:`axonal.export.graph_source` emit:

* at the top level: a docstring, ``import math``, constants (literals: numbers,
  strings, lists, tuples, ``float('inf')``), ``def`` and ``class Network``; nothing
  that runs on import;
* inside functions: assignments, ``for``, ``if``, ``return``, ``raise ValueError``,
  arithmetic, comparisons, comprehensions, subscripts, f-strings;
* calls only to functions the module defines, to ``math.<fn>`` for a few
  functions, to a short list of harmless builtins, and to the methods the
  generated ``Network`` class uses;
* every name read is defined by the module, or is one of those builtins; the
  module binds no other builtin's name, and no name starts with ``__``.

Anything else (an ``import os``, a call to ``eval``, ``open`` or ``__import__``, a
statement at the top level, a decorator, a ``lambda``) means text leaked into the
code, and the module is refused with a ``ValueError``.
"""

from __future__ import annotations

import ast
import builtins

__all__ = ["audit_source"]

#: Builtins the generated code calls or reads.
BUILTINS = frozenset({"float", "len", "sum", "zip", "enumerate", "list", "max", "min", "abs", "ValueError"})
#: ``math`` functions the helpers call.
MATH = frozenset({"tanh", "exp", "expm1", "log1p", "sqrt"})
#: ``(object, attribute)`` pairs the generated class reads or calls.
ATTRIBUTES = frozenset({("self", "reset"), ("self", "state"), ("outputs", "append")})

_EXPRESSIONS = (ast.Name, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.ListComp, ast.GeneratorExp,
                ast.comprehension, ast.Subscript, ast.Slice, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp,
                ast.Call, ast.Attribute, ast.JoinedStr, ast.FormattedValue, ast.Load, ast.Store,
                ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.BoolOp)
_STATEMENTS = (ast.Assign, ast.AugAssign, ast.Return, ast.For, ast.If, ast.Raise, ast.Expr)
_ALLOWED = _EXPRESSIONS + _STATEMENTS + (ast.Module, ast.FunctionDef, ast.ClassDef, ast.Import, ast.alias,
                                         ast.arguments, ast.arg)


def audit_source(source: str) -> str:
    """Return ``source`` if it passes the allow-list above, else raise ``ValueError`` saying what it holds."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"to_python: the generated module does not parse (line {exc.lineno}); "
                         f"it was not written") from None
    _top_level(tree)
    defined = _defined_names(tree)
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ClassDef)) and id(node) not in top:
            _refuse(node, f"a nested {type(node).__name__} statement")
        _check_node(node, defined)
    return source


def _refuse(node, what: str):
    raise ValueError(f"to_python: the generated module holds {what} at line {getattr(node, 'lineno', '?')}, "
                     f"which the generator never writes; it was not written")


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_literal(node) -> bool:
    """Numbers, strings, lists and tuples of them, ``-x`` and ``float('<text>')``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _is_literal(node.operand)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float"
            and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str))


def _top_level(tree):
    body = list(tree.body)
    if body and _is_docstring(body[0]):
        body = body[1:]
    for node in body:
        if isinstance(node, ast.Import):
            if [(a.name, a.asname) for a in node.names] != [("math", None)]:
                _refuse(node, "an import other than 'import math'")
        elif isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or not _is_literal(node.value):
                _refuse(node, "a top-level statement that is not a constant")
        elif isinstance(node, ast.ClassDef):
            if node.name != "Network" or node.bases or node.keywords or node.decorator_list:
                _refuse(node, "a class statement other than 'class Network:'")
            _class_body(node)
        elif not isinstance(node, ast.FunctionDef):
            _refuse(node, f"a top-level {type(node).__name__} statement")


def _class_body(cls):
    body = cls.body[1:] if cls.body and _is_docstring(cls.body[0]) else cls.body
    for node in body:
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or not _is_literal(node.value):
                _refuse(node, "a class attribute that is not a constant")
        elif not isinstance(node, ast.FunctionDef):
            _refuse(node, f"a {type(node).__name__} statement in the class body")


def _defined_names(tree) -> set:
    """Every name the module binds: functions, the class, constants, arguments, loop and local variables."""
    names = set()
    methods = {id(node) for cls in tree.body if isinstance(cls, ast.ClassDef) for node in cls.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "__init__" and id(node) in methods:
            continue  # the constructor of class Network
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    for name in names:
        if name.startswith("__") or (hasattr(builtins, name) and name not in BUILTINS):
            _refuse(tree, f"a binding of the name {name!r}")
    return names


def _check_node(node, defined):
    if not isinstance(node, _ALLOWED):
        _refuse(node, f"a {type(node).__name__} node")
    if isinstance(node, ast.Expr) and not _is_docstring(node) and not _is_method_call(node.value):
        _refuse(node, "an expression statement")
    if isinstance(node, ast.FunctionDef) and (
            node.decorator_list or node.returns or node.args.vararg or node.args.kwarg or node.args.kwonlyargs
            or node.args.posonlyargs or any(a.annotation for a in node.args.args)
            or not all(isinstance(d, ast.Constant) for d in node.args.defaults)):
        _refuse(node, f"a def statement of a form the generator never writes ({node.name})")
    if isinstance(node, ast.Raise) and not (
            isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name)
            and node.exc.func.id == "ValueError" and node.cause is None):
        _refuse(node, "a raise of something other than ValueError")
    if isinstance(node, ast.Name):
        if node.id.startswith("__"):
            _refuse(node, f"the name {node.id!r}")
        if isinstance(node.ctx, ast.Load) and node.id not in defined and node.id not in BUILTINS:
            _refuse(node, f"a read of {node.id!r}, which the module does not define")
    if isinstance(node, ast.Attribute):
        owner = node.value.id if isinstance(node.value, ast.Name) else None
        if not ((owner == "math" and node.attr in MATH) or (owner, node.attr) in ATTRIBUTES):
            _refuse(node, f"the attribute {node.attr!r}")
    if isinstance(node, ast.Call):
        _check_call(node, defined)


def _is_method_call(node) -> bool:
    """``outputs.append(h)``-like statements, the only expressions that stand alone."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and (getattr(node.func.value, "id", None), node.func.attr) in {("self", "reset"), ("outputs", "append")}


def _check_call(node, defined):
    if node.keywords:
        _refuse(node, "a call with keyword arguments")
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in BUILTINS or func.id in defined:
            return
        _refuse(node, f"a call to {func.id!r}")
    if isinstance(func, ast.Attribute):
        return  # the attribute itself is checked against the allow-list
    _refuse(node, "a call of a computed function")
