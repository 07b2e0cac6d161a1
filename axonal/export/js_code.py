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

from .. import activations as _activations
from ..names import printable
from .escape import js_string
from .js_audit import audit_javascript
from .syntax import JsSyntax

__all__ = ["ACTIVATIONS", "JsModule", "check_js_identifier", "js_number"]

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
    "_filled": """
// a fresh vector of n copies of v
function _filled(n, v) {
  var out = [];
  for (var i = 0; i < n; i++) {
    out.push(v);
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
    "_dot": """
// sum_i w_i * x_i from i = 0 up
function _dot(row, x) {
  var s = 0;
  for (var i = 0; i < row.length; i++) {
    s += row[i] * x[i];
  }
  return s;
}""",
    "_affine": """
// y = (x - shift) * scale + offset per feature (Standardize, MinMaxScale)
function _affine(x, m, s, o) {
  var out = [];
  for (var i = 0; i < x.length; i++) {
    out.push((x[i] - m[i]) * s[i] + o);
  }
  return out;
}""",
    "_batch_norm": """
// y = (x - mean) * (1/sqrt(var + eps)) * gain + bias per feature, with the running statistics
function _batch_norm(x, m, r, g, b) {
  var out = [];
  for (var i = 0; i < x.length; i++) {
    out.push((x[i] - m[i]) * r[i] * g[i] + b[i]);
  }
  return out;
}""",
    "_layer_norm": """
// y = (x - mean(x))/sqrt(var(x) + eps) * gain + bias over the features of one vector
function _layer_norm(x, g, b, e) {
  var m = 0, v = 0, out = [];
  for (var i = 0; i < x.length; i++) {
    m += x[i];
  }
  m = m / x.length;
  for (var k = 0; k < x.length; k++) {
    v += (x[k] - m) * (x[k] - m);
  }
  v = v / x.length;
  var s = 1.0 / Math.sqrt(v + e);
  for (var j = 0; j < x.length; j++) {
    out.push((x[j] - m) * s * g[j] + b[j]);
  }
  return out;
}""",
    "_gru_mix": """
// h_t = (1 - z) * n + z * h_(t-1), the GRU's new state
function _gru_mix(z, n, h) {
  var out = [];
  for (var j = 0; j < z.length; j++) {
    out.push((1.0 - z[j]) * n[j] + z[j] * h[j]);
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


class JsModule(JsSyntax):
    """A generated JavaScript module being assembled (:class:`~axonal.export.source_module.SourceModule`):
    ``name`` hands out unique identifiers from the generator's own bases; ``helper`` and ``activate``
    pull in the helpers the code uses, so the module defines nothing it never calls."""

    tool, identifier, helpers, activation_source = "to_javascript", _IDENT, _HELPERS, _ACTIVATION_SOURCE
    literal_step, literal_comma, texts_brackets, ascii_comments = 2, "", "[]", True
    def number(self, value) -> str:
        return js_number(value)

    def string(self, value: str) -> str:
        return js_string(value)

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

