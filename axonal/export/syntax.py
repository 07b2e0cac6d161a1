"""How each language writes the statements of a standalone module: the walkers' only link to syntax.

The walkers (:mod:`axonal.export.sequential_source`, :mod:`axonal.export.graph_source`)
describe the generated code once, as statements over vectors: a local variable, an
assignment, a return, a comment, a loop over a sequence or over the rows of a matrix,
a slice, a copy, a vector of zeros; the expressions inside are calls of the helpers the
module defines (``_matvec``, ``_add``, the activations, ...), whose names the module
hands out. Both writers derive from :class:`~axonal.export.source_module.SourceModule`, and a
language's module class derives from one of them, so the same walk writes Python
(:class:`~axonal.export._code.Module`) or JavaScript (:class:`~axonal.export.js_code.JsModule`).

Every method returns text made of its arguments, which are the generator's own
expressions (identifiers it handed out, numbers it wrote); comments and docstrings go
through ``own_line``, so they stay one printable line (ASCII for JavaScript).
"""

from __future__ import annotations

from typing import ClassVar

from .source_module import SourceModule

__all__ = ["JsSyntax", "PythonSyntax"]


def _indent(lines, pad: str) -> list[str]:
    return [(pad + line) if line else "" for line in lines]


class _Syntax(SourceModule):
    """Every statement, written from the language's table of forms (``FORMS``: ``{0}``, ``{1}``, ... are
    the generator's expressions; a block is a head line, an indented first line and body, a last line)."""

    FORMS: ClassVar[dict[str, str]] = {}
    INDENT = "    "

    def _form(self, key: str, *args) -> str:
        return self.FORMS[key].format(*args)

    def declare(self, *names) -> list[str]:
        """Locals assigned later in several places (where the language declares them)."""
        return [self._form("declare", ", ".join(names))] if "declare" in self.FORMS else []

    def local(self, name: str, expr: str) -> str:
        """A new local variable ``name``."""
        return self._form("local", name, expr)

    def assign(self, target: str, expr: str) -> str:
        return self._form("assign", target, expr)

    def returns(self, expr: str) -> str:
        return self._form("return", expr)

    def note(self, text: str) -> str:
        """A comment line of the generator's own."""
        return self._form("note", self.own_line(text))

    def slice(self, expr: str, start: int, stop: int | None = None) -> str:
        """Elements ``start`` up to ``stop`` (the end when ``None``) of a vector."""
        return self._form("slice_from", expr, start) if stop is None else self._form("slice", expr, start, stop)

    def last(self, expr: str) -> str:
        return self._form("last", expr)

    def copy(self, expr: str) -> str:
        return self._form("copy", expr)

    def append(self, items: str, expr: str) -> str:
        return self._form("append", items, expr)

    def filled(self, n: int, value: float) -> str:
        """A fresh vector of ``n`` copies of ``value`` (0 or 1)."""
        return self._form("ones" if value else "zeros", int(n))

    def _block(self, key: str, args, body: list[str]) -> list[str]:
        first = [self._form(f"{key}_first", *args)] if f"{key}_first" in self.FORMS else []
        last = [self._form("end")] if "end" in self.FORMS else []
        return [self._form(key, *args)] + _indent(first + body, self.INDENT) + last

    def each(self, var: str, items: str, body: list[str]) -> list[str]:
        """``body`` once for every element ``var`` of ``items``."""
        return self._block("each", (var, items), body)

    def each_row(self, j: str, row: str, rows: str, body: list[str]) -> list[str]:
        """``body`` for every row ``row`` (number ``j``) of the matrix ``rows``."""
        return self._block("each_row", (j, row, rows), body)

    def define(self, name: str, params: str, body: list[str], doc: str) -> None:
        """Add the function ``name(params)`` described by ``doc`` (the generator's own line)."""
        doc = self.own_line(doc)
        if '"' in doc or "\\" in doc:
            raise ValueError(f"{self.tool}: a generated description may not hold quotes or backslashes")
        above = [self._form("doc_above", doc)] if "doc_above" in self.FORMS else []
        self.function("\n".join(above + self._block("define", (name, params, doc), body)))


class PythonSyntax(_Syntax):
    """Statements as Python writes them: ``name = expr``, ``for x in xs:``, ``def f(x):``."""

    FORMS: ClassVar[dict[str, str]] = {
        "local": "{0} = {1}", "assign": "{0} = {1}", "return": "return {0}", "note": "# {0}",
        "slice": "{0}[{1}:{2}]", "slice_from": "{0}[{1}:]", "last": "{0}[-1]", "copy": "list({0})",
        "append": "{0}.append({1})", "zeros": "[0.0] * {0}", "ones": "[1.0] * {0}",
        "each": "for {0} in {1}:", "each_row": "for {0}, {1} in enumerate({2}):",
        "define": "def {0}({1}):", "define_first": '"""{2}."""',
    }


class JsSyntax(_Syntax):
    """Statements as JavaScript writes them: ``var name = expr;``, ``for (var t = 0; ...)``, ``function``."""

    INDENT = "  "
    FORMS: ClassVar[dict[str, str]] = {
        "declare": "var {0};", "local": "var {0} = {1};", "assign": "{0} = {1};", "return": "return {0};",
        "note": "// {0}", "slice": "{0}.slice({1}, {2})", "slice_from": "{0}.slice({1})",
        "last": "{0}[{0}.length - 1]", "copy": "{0}.slice(0)", "append": "{0}.push({1});",
        "zeros": "_filled({0}, 0.0)", "ones": "_filled({0}, 1.0)",
        "each": "for (var t = 0; t < {1}.length; t++) {{", "each_first": "var {0} = {1}[t];",
        "each_row": "for (var {0} = 0; {0} < {2}.length; {0}++) {{", "each_row_first": "var {1} = {2}[{0}];",
        "doc_above": "// {0}", "define": "function {0}({1}) {{", "end": "}}",
    }

    def filled(self, n: int, value: float) -> str:
        self.helper("_filled")
        return super().filled(n, value)
