"""What every generated standalone module keeps, whatever its language.

A generated module (Python by :mod:`axonal.export._code`, JavaScript by
:mod:`axonal.export.js_code`) is assembled from constants, helper functions and
the layer functions, in that order. This base hands out the module's identifiers
(each made from a base the generator chose, never from user text), pulls in only
the helpers the code calls, and applies activations by name; a subclass says how
its language writes a number, a constant and the finished module.
"""

from __future__ import annotations

import re
from typing import ClassVar

from .. import activations as _activations
from ..names import printable

__all__ = ["SourceModule"]


class SourceModule:
    """A generated module being assembled: constants, helpers and functions, in that order.

    Subclasses set ``tool`` (the exporter's name in errors), ``identifier`` (the pattern of the
    names the generator makes), ``helpers`` (helper name → source), ``activation_source``
    (activation name → helper source, called ``_<name>``) and write :meth:`number`.
    """

    tool = "export"
    identifier = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    helpers: ClassVar[dict[str, str]] = {}
    activation_source: ClassVar[dict[str, str]] = {}
    #: comment lines must also be ASCII (JavaScript sources are kept to printable ASCII)
    ascii_comments = False

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

    def function(self, source: str) -> None:
        self._functions.append(source.strip("\n"))

    def own_line(self, text: str) -> str:
        """A comment of the generator's own: one printable line (ASCII where required), or a ``ValueError``."""
        if not text.isprintable() or (self.ascii_comments and not text.isascii()):
            kind = "one line of printable ASCII" if self.ascii_comments else "one printable line"
            raise ValueError(f"{self.tool}: a generated comment must be {kind}")
        return text
