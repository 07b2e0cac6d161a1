"""Pieces of generated JavaScript: number literals, helper functions, a module builder.

The JavaScript twin of :mod:`axonal.export._code`. Identifiers, comments and
error messages of a generated module are the generator's own words (``L3_WEIGHT``,
``layer 3: Dense``), in printable ASCII; text from users and files (names,
descriptions, class labels) enters only as string literals made by
:func:`~axonal.export.escape.js_string` (:meth:`JsModule.texts`), and
:meth:`JsModule.render` hands every module to :func:`~axonal.export.js_audit.audit_javascript`.

Every helper computes in the same order as the Python standalone helper of the
same name (and so as the NumPy code it stands for): ``_matvec`` sums
``w_ij·x_i`` from ``i = 0`` up, starting at 0, as Python's ``sum`` does; the
logistic is ``(1 + tanh(z/2))/2``; softmax subtracts the maximum first. A float64
network and its JavaScript agree to round-off.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .. import activations as _activations
from ..names import printable
from .escape import js_string
from .js_audit import audit_javascript
from .source_module import SourceModule

__all__ = ["ACTIVATIONS", "JsModule", "check_js_identifier", "js_matrix", "js_number", "js_vector"]

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
#: Words a global name may not be: JavaScript's reserved words and the globals a page relies on.
_RESERVED = frozenset("""break case catch class const continue debugger default delete do else enum export
extends false finally for function if implements import in instanceof interface let new null package private
protected public return static super switch this throw true try typeof var void while with yield await
arguments eval undefined NaN Infinity Object Function Array Number String Boolean Symbol Math JSON Error
Date RegExp Promise Reflect Proxy window self document globalThis module exports require process
console""".split())


def check_js_identifier(name: str, what: str) -> str:
    """``name`` if it can be the module's global name (ASCII letters, digits, ``_``; not reserved)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", name) \
            or name in _RESERVED:
        shown = printable(name if isinstance(name, str) else repr(name), 80)
        raise ValueError(f"to_javascript: {what} must be an ASCII identifier that starts with a letter and is "
                         f"not a JavaScript reserved word or global, got '{shown}'")
    return name


def js_number(value) -> str:
    """A number literal that reads back as exactly ``value`` (``repr`` of the float64 is the
    shortest decimal that rounds to it, and JavaScript rounds decimals correctly)."""
    f = float(value)
    if math.isfinite(f):
        return repr(f)
    return "NaN" if math.isnan(f) else ("Infinity" if f > 0 else "-Infinity")


def js_vector(values, indent: int = 4, per_line: int = 4) -> str:
    """``[v0, v1, ...]`` wrapped ``per_line`` numbers to a line (integers stay integers)."""
    values = np.asarray(values)
    if np.issubdtype(values.dtype, np.integer):
        items = [str(int(v)) for v in values.ravel()]
    else:
        items = [js_number(v) for v in values.astype(np.float64).ravel()]
    if len(items) <= per_line:
        return "[" + ", ".join(items) + "]"
    pad = " " * (indent + 2)
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[\n" + pad + (",\n" + pad).join(lines) + "\n" + " " * indent + "]"


def js_matrix(rows, indent: int = 4) -> str:
    """An array of row arrays, one row per line (or wrapped block)."""
    rows = np.asarray(rows)
    if rows.shape[0] == 0:
        return "[]"
    pad = " " * (indent + 2)
    return "[\n" + pad + (",\n" + pad).join(js_vector(row, indent + 2) for row in rows) + "\n" + " " * indent + "]"


# -- helper functions the generated module defines (each line ASCII, the generator's own) -----------
_HELPERS = {
    "_vector": """
function _vector(x, n, where) {
  if (x === null || typeof x !== "object" || typeof x.length !== "number") {
    throw new Error(where + ": expected a list of " + n + " numbers");
  }
  if (x.length !== n) {
    throw new Error(where + ": expected " + n + " values, got " + x.length);
  }
  var out = [];
  for (var i = 0; i < n; i++) {
    if (typeof x[i] !== "number") {
      throw new Error(where + ": value " + i + " is not a number");
    }
    out.push(x[i]);
  }
  return out;
}""",
    "_sequence": """
function _sequence(xs, n) {
  if (xs === null || typeof xs !== "object" || typeof xs.length !== "number" || xs.length === 0) {
    throw new Error("expected a sequence of at least one time step");
  }
  var steps = [];
  for (var t = 0; t < xs.length; t++) {
    steps.push(_vector(xs[t], n, "time step " + t));
  }
  return steps;
}""",
    "_zeros": """
function _zeros(n) {
  var out = [];
  for (var i = 0; i < n; i++) {
    out.push(0.0);
  }
  return out;
}""",
    "_ones": """
function _ones(n) {
  var out = [];
  for (var i = 0; i < n; i++) {
    out.push(1.0);
  }
  return out;
}""",
    "_matvec": """
// z_j = sum_i x_i * w_ij; rows[j] holds neuron j's weights from each input
function _matvec(rows, x) {
  var out = [];
  for (var j = 0; j < rows.length; j++) {
    var row = rows[j], s = 0;
    for (var i = 0; i < row.length; i++) {
      s += row[i] * x[i];
    }
    out.push(s);
  }
  return out;
}""",
    "_add": """
function _add(a, b) {
  var out = [];
  for (var i = 0; i < a.length; i++) {
    out.push(a[i] + b[i]);
  }
  return out;
}""",
    "_mul": """
function _mul(a, b) {
  var out = [];
  for (var i = 0; i < a.length; i++) {
    out.push(a[i] * b[i]);
  }
  return out;
}""",
    "_gather": """
// [g | 1][index]: the gain of each synapse, the last index meaning ungated (gain 1)
function _gather(g, index) {
  var out = [];
  for (var k = 0; k < index.length; k++) {
    out.push(index[k] < g.length ? g[index[k]] : 1.0);
  }
  return out;
}""",
    "_synapse": """
// u_j = sum_i a_i * (gain_ij * w_ij), gain_ij = [g | 1][index_ji]
function _synapse(rows, index, a, g) {
  var out = [];
  for (var j = 0; j < rows.length; j++) {
    var row = rows[j], ks = index[j], s = 0;
    for (var i = 0; i < row.length; i++) {
      s += a[i] * ((ks[i] < g.length ? g[ks[i]] : 1.0) * row[i]);
    }
    out.push(s);
  }
  return out;
}""",
}

_MAP = """
function {name}(z{extra}) {{
  var out = [];
  for (var i = 0; i < z.length; i++) {{
    var v = z[i];
    out.push({expression});
  }}
  return out;
}}"""

_ACTIVATION_EXPRESSIONS = {
    "logistic": "(1.0 + Math.tanh(v * 0.5)) * 0.5",
    "tanh": "Math.tanh(v)",
    "relu": "v > 0.0 ? v : 0.0",
    "leaky_relu": "v > 0.0 ? v : v * alpha",
    "elu": "Math.max(v, 0.0) + Math.expm1(Math.min(v, 0.0)) * alpha",
    "softplus": "Math.max(v, 0.0) + Math.log1p(Math.exp(-Math.abs(v)))",
    "gelu": (f"v * 0.5 * (1.0 + Math.tanh({js_number(_activations.GELU._c)} * "
             f"(v + {js_number(_activations.GELU._k)} * v * v * v)))"),
    "step": "v > 0.0 ? 1.0 : 0.0",
    "sign": "v >= 0.0 ? 1.0 : -1.0",
}
_ACTIVATION_SOURCE = {name: _MAP.format(name=f"_{name}", extra=", alpha" if "alpha" in expr else "",
                                        expression=expr)
                      for name, expr in _ACTIVATION_EXPRESSIONS.items()}
_ACTIVATION_SOURCE["softmax"] = """
// e^(z_k) / sum_j e^(z_j), the maximum subtracted first
function _softmax(z) {
  var top = z[0];
  for (var i = 1; i < z.length; i++) {
    if (z[i] > top) {
      top = z[i];
    }
  }
  var e = [], total = 0;
  for (var k = 0; k < z.length; k++) {
    e.push(Math.exp(z[k] - top));
    total += e[k];
  }
  var out = [];
  for (var m = 0; m < z.length; m++) {
    out.push(e[m] / total);
  }
  return out;
}"""

#: The activations a JavaScript module can compute (identity needs no helper).
ACTIVATIONS = ("identity",) + tuple(_ACTIVATION_SOURCE)


class JsModule(SourceModule):
    """A generated JavaScript module being assembled (:class:`~axonal.export.source_module.SourceModule`):
    ``name`` hands out unique identifiers from the generator's own bases; ``helper`` and ``activate``
    pull in the helpers the code uses, so the module defines nothing it never calls."""

    tool = "to_javascript"
    identifier = _IDENT
    helpers = _HELPERS
    activation_source = _ACTIVATION_SOURCE
    ascii_comments = True

    def number(self, value) -> str:
        return js_number(value)

    def constant(self, base: str, value, *, comment: str | None = None, rows: bool = False) -> str:
        """Define ``var NAME = [...]`` (``rows=True``: an array of row arrays) and return ``NAME``."""
        name = self.name(base.upper())
        text = js_matrix(value, 0) if rows else js_vector(value, 0)
        if comment:
            self._constants.append(f"// {self.own_line(comment)}")
        self._constants.append(f"var {name} = {text};")
        return name

    def texts(self, base: str, values, *, comment: str) -> str:
        """Define ``var NAME = ["...", ...]``, string literals holding user text; return ``NAME``."""
        name = self.name(base.upper())
        items = ",\n".join(f"  {js_string(str(v))}" for v in values)
        self._constants.append(f"// {self.own_line(comment)}\nvar {name} = [\n{items}\n];" if items
                               else f"// {self.own_line(comment)}\nvar {name} = [];")
        return name

    def labels(self, base: str, values, *, comment: str) -> str:
        """Define ``var NAME = [...]`` of class labels: strings as escaped literals, integers as
        numbers (as decimal strings beyond 2**53, which a JavaScript number cannot hold exactly)."""
        name = self.name(base.upper())
        items = []
        for v in values:
            if isinstance(v, str):
                items.append(js_string(v))
            elif abs(int(v)) <= 2 ** 53:
                items.append(str(int(v)))
            else:
                items.append(js_string(str(int(v))))
        self._constants.append(f"// {self.own_line(comment)}\nvar {name} = [{', '.join(items)}];")
        return name

    def text(self, base: str, value: str, *, comment: str) -> str:
        """Define ``var NAME = "..."``, one string literal holding user text; return ``NAME``."""
        name = self.name(base.upper())
        self._constants.append(f"// {self.own_line(comment)}\nvar {name} = {js_string(str(value))};")
        return name

    def render(self, header: str, global_name: str, api: dict) -> str:
        """The module's source, checked by :func:`~axonal.export.js_audit.audit_javascript`.

        ``header`` (the generator's own lines) becomes the leading comment; ``api`` maps each
        exported property to the function or constant of the module it names.
        """
        comment = "".join(f"// {self.own_line(line)}\n" if line else "//\n" for line in header.splitlines())
        exports = ",\n".join(f"    {key}: {value}" for key, value in api.items())
        body = "\n\n".join(self._constants + list(self._helpers.values()) + self._functions)
        body = "\n".join(("  " + line) if line else "" for line in body.splitlines())
        source = (f"{comment}var {global_name} = (function () {{\n  \"use strict\";\n\n{body}\n\n"
                  f"  return Object.freeze({{\n{exports}\n  }});\n}}());\n\n"
                  f"if (typeof module === \"object\" && module !== null && module.exports) {{\n"
                  f"  module.exports = {global_name};\n}}\n")
        return audit_javascript(source, global_name, self._taken | set(self._helpers))

