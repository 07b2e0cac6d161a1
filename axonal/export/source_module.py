"""What every generated standalone module keeps, whatever its language.

A generated module (Python by :mod:`axonal.export._code`, JavaScript by
:mod:`axonal.export.js_code`) is assembled from constants, helper functions and
the layer functions, in that order. This base hands out the module's identifiers
(each made from a base the generator chose, never from user text), pulls in only
the helpers the code calls, and applies activations by name; a subclass says how
its language writes a number, a constant and the finished module, and mixes in how it
writes a statement (:mod:`axonal.export.syntax`), so one walk over a network
(:mod:`axonal.export.sequential_source`, :mod:`axonal.export.graph_source`) writes
either language.
"""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np

from .. import activations as _activations
from ..names import printable

__all__ = ["SourceModule", "list_literal", "rows_literal"]


def list_literal(values, number, indent: int, per_line: int, step: int, comma: str) -> str:
    """``[v0, v1, ...]`` wrapped ``per_line`` numbers to a line, each continued line ``step`` spaces in
    from ``indent``; integers stay integers, a float is written by ``number``; ``comma`` follows the
    last line (``","`` in Python, nothing in JavaScript)."""
    values = np.asarray(values)
    if np.issubdtype(values.dtype, np.integer):
        items = [str(int(v)) for v in values.ravel()]
    else:
        items = [number(v) for v in values.astype(np.float64).ravel()]
    if len(items) <= per_line:
        return "[" + ", ".join(items) + "]"
    return _wrapped([", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)], indent, step, comma)


def rows_literal(rows, number, indent: int, step: int, comma: str) -> str:
    """A list of row lists (:func:`list_literal`), one row per line (or wrapped block)."""
    rows = np.asarray(rows)
    if rows.shape[0] == 0:
        return "[]"
    return _wrapped([list_literal(row, number, indent + step, 4, step, comma) for row in rows], indent, step, comma)


def _wrapped(lines, indent, step, comma, brackets="[]") -> str:
    pad = " " * (indent + step)
    return brackets[0] + "\n" + pad + (",\n" + pad).join(lines) + comma + "\n" + " " * indent + brackets[1]


class SourceModule:
    """A generated module being assembled: constants, helpers and functions, in that order.

    Subclasses set ``tool`` (the exporter's name in errors), ``identifier`` (the pattern of the
    names the generator makes), ``helpers`` (helper name → source), ``activation_source``
    (activation name → helper source, called ``_<name>``), ``literal_step``, ``literal_comma`` and
    ``texts_brackets`` (how a wrapped list literal is indented and ended, what encloses a table of
    strings) and write :meth:`number` and :meth:`string`; the statements come from the language's
    syntax (:mod:`axonal.export.syntax`), mixed in.
    """

    tool = "export"
    identifier = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    helpers: ClassVar[dict[str, str]] = {}
    activation_source: ClassVar[dict[str, str]] = {}
    #: comment lines must also be ASCII (JavaScript sources are kept to printable ASCII)
    ascii_comments = False
    literal_step, literal_comma, texts_brackets = 4, ",", "()"

    def __init__(self) -> None:
        self._constants: list[str] = []
        self._helpers: dict[str, str] = {}
        self._functions: list[str] = []
        self._taken: set[str] = set()

    @classmethod
    def activations(cls) -> tuple[str, ...]:
        """The activations a module can compute (identity needs no helper)."""
        return ("identity",) + tuple(cls.activation_source)

    def number(self, value) -> str:
        raise NotImplementedError

    def name(self, base: str) -> str:
        """A fresh identifier made from ``base``, a name the generator chose (``L3_WEIGHT``)."""
        if not self.identifier.fullmatch(base):
            raise ValueError(f"{self.tool}: '{printable(base, 80)}' is not an identifier the generator makes")
        name, k = base, 2
        while name in self._taken:
            name, k = f"{base}_{k}", k + 1
        self._taken.add(name)
        return name

    def helper(self, name: str) -> str:
        """Define helper ``name`` (and ``_vector`` under ``_sequence``) once; return its name."""
        if name not in self._helpers:
            if name == "_sequence":
                self.helper("_vector")
            self._helpers[name] = self.helpers[name].strip("\n")
        return name

    def activate(self, activation, expression: str, where: str) -> str:
        """The expression applying ``activation`` to the vector ``expression``; ``where`` names the layer
        in the error for an activation with no standalone form (a user's registered one)."""
        act = _activations.get(activation)
        if act.name == "identity" and type(act) is _activations.REGISTRY["identity"]:
            return expression
        if act.name not in self.activation_source or type(act) is not _activations.REGISTRY[act.name]:
            raise ValueError(f"{self.tool}: {printable(where)} uses the activation {printable(repr(act))}, "
                             f"which has no standalone form; supported: {', '.join(self.activations())}")
        helper = f"_{act.name}"
        self._helpers.setdefault(helper, self.activation_source[act.name].strip("\n"))
        args = "".join(f", {self.number(v)}" for k, v in act.get_config().items() if k == "alpha")
        return f"{helper}({expression}{args})"

    def constant(self, base: str, value, *, comment: str | None = None, rows: bool = False) -> str:
        """Define the constant ``NAME = [...]`` (``rows=True``: a list of row lists) and return ``NAME``;
        ``comment`` (the generator's own line) goes above it."""
        name = self.name(base.upper())
        if rows:
            text = rows_literal(value, self.number, 0, self.literal_step, self.literal_comma)
        else:
            text = list_literal(value, self.number, 0, 4, self.literal_step, self.literal_comma)
        if comment:
            self._constants.append(self.note(comment))
        self._constants.append(self.local(name, text))
        return name

    def string(self, value: str) -> str:
        """``value`` as an escaped string literal of the language: user text enters only this way."""
        raise NotImplementedError

    def note(self, text: str) -> str:
        """A comment line of the generator's own (:mod:`axonal.export.syntax`)."""
        raise NotImplementedError

    def local(self, name: str, expr: str) -> str:
        """A new variable ``name`` holding ``expr`` (:mod:`axonal.export.syntax`)."""
        raise NotImplementedError

    def texts(self, base: str, values, *, comment: str) -> str:
        """Define ``NAME``, a tuple (Python) or array (JavaScript) of string literals holding user text;
        return ``NAME``."""
        name = self.name(base.upper())
        items = [self.string(str(v)) for v in values]
        text = (_wrapped(items, 0, self.literal_step, self.literal_comma, self.texts_brackets) if items
                else self.texts_brackets)
        self._constants.append(f"{self.note(comment)}\n{self.local(name, text)}")
        return name

    def text(self, base: str, value: str, *, comment: str) -> str:
        """Define ``NAME``, one string literal holding user text; return ``NAME``."""
        name = self.name(base.upper())
        self._constants.append(f"{self.note(comment)}\n{self.local(name, self.string(str(value)))}")
        return name

    def function(self, source: str) -> None:
        self._functions.append(source.strip("\n"))

    def own_line(self, text: str) -> str:
        """A comment of the generator's own: one printable line (ASCII where required), or a ``ValueError``."""
        if not text.isprintable() or (self.ascii_comments and not text.isascii()):
            kind = "one line of printable ASCII" if self.ascii_comments else "one printable line"
            raise ValueError(f"{self.tool}: a generated comment must be {kind}")
        return text
