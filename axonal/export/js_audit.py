"""The last check on every generated JavaScript module: it may hold only what the generator writes.

The twin of :mod:`axonal.export._audit` for :func:`~axonal.export.javascript.to_javascript`.
The source is lexed completely (comments, double-quoted string literals, numbers,
identifiers, punctuators; nothing else exists in what the generator writes) and checked:

* the text is printable ASCII and line breaks, so no U+2028/U+2029 or control
  character can end a comment or a line the lexer did not see end, and it holds no
  ``</script``, ``<!--`` or ``-->``, so it can sit inside an HTML ``<script>`` element;
* every identifier is a JavaScript keyword the generator uses, one of a few
  globals (``Math``, ``Error``, ``Object``), a local variable of the
  generator's templates, or a name the module builder handed out; after a ``.``
  (and as an object-literal key) only a short list of property names may follow;
* a string literal is a value only: it is never called, indexed, followed by ``.``,
  or used as a computed member name (``x["constructor"]``);
* the module opens with its own comment and ``var NAME = (function () {``, and ends
  with the ``module.exports`` lines, byte for byte as the generator writes them.

A name that escaped its string literal would show up as identifiers, calls or
punctuation outside a literal, and the module is refused with a ``ValueError``.
Names themselves appear only inside string literals, which
:func:`~axonal.export.escape.js_string` writes in printable ASCII.
"""

from __future__ import annotations

import re
from typing import NoReturn

__all__ = ["GLOBALS", "KEYWORDS", "LOCALS", "PROPERTIES", "audit_javascript", "js_tokens"]

#: Keywords the generated code uses.
KEYWORDS = frozenset({"var", "function", "return", "for", "if", "else", "new", "throw", "typeof", "null",
                      "true", "false"})
#: Globals it reads.
GLOBALS = frozenset({"Math", "Error", "Object", "Infinity", "NaN"})
#: Local variables and parameters of the templates (helpers, layer functions, the API functions).
LOCALS = frozenset("""x n where out i xs steps t rows row s j a b g index k ks z v alpha top e total m
st h c a_i a_f a_g a_o f o r a_h a_x y p u outputs act state gain best""".split())
#: Property names read after ``.`` or written as object-literal keys.
PROPERTIES = frozenset({"tanh", "exp", "expm1", "log1p", "sqrt", "abs", "max", "min", "length", "push",
                        "slice", "freeze", "exports", "layers",
                        "predict", "activate", "reset", "create", "predictProba", "predictClass",
                        "network", "layerNames", "connectionNames", "classes", "inputSize", "outputSize",
                        "recurrent"})

#: The module's own functions behind its API.
_API = frozenset({"predict", "activate", "reset", "create", "predictProba", "predictClass"})
_TOKEN = re.compile(r"""
    (?P<space>[ \n]+)
  | (?P<comment>//[ -~]*)
  | (?P<string>"(?:[ !\#-\[\]-~]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")
  | (?P<number>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<ident>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<punct>===|!==|<=|>=|&&|\|\||\+\+|\+=|-=|\*=|[{}()\[\];,.<>+\-*/%=!?:])
""", re.VERBOSE)
_OPEN = re.compile(r"(?://[ -~]*\n)+var ([A-Za-z][A-Za-z0-9_]*) = \(function \(\) \{\n  \"use strict\";\n")


def js_tokens(source: str) -> list:
    """``[(kind, text), ...]`` for ``source``, spaces and comments left out; a ``ValueError`` where
    something lexes as none of the kinds the generator writes."""
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            _refuse(f"text that is no token of the generated code near {source[pos:pos + 30]!r}")
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            tokens.append((kind, match.group()))
        pos = match.end()
    return tokens


def audit_javascript(source: str, global_name: str, names=()) -> str:
    """Return ``source`` if it passes the checks above, else raise ``ValueError`` saying what it holds.

    ``global_name`` is the module's own global; ``names`` the identifiers the builder handed out
    (default: any name of the generator's forms: ``L3_WEIGHT``, ``_l3``, ``predict``, ...).
    """
    if not all(ch == "\n" or " " <= ch <= "~" for ch in source):
        _refuse("a character that is not printable ASCII")
    lowered = source.lower()
    for bad in ("</script", "<!--", "-->"):
        if bad in lowered:
            _refuse(f"the sequence {bad!r}")
    opening = _OPEN.match(source)
    if opening is None or opening.group(1) != global_name:
        _refuse("an opening other than the generator's")
    closing = (f"\n  }});\n}}());\n\nif (typeof module === \"object\" && module !== null && module.exports) {{\n"
               f"  module.exports = {global_name};\n}}\n")
    if not source.endswith(closing):
        _refuse("a closing other than the generator's")
    tokens = js_tokens(source[opening.end():len(source) - len(closing)])
    allowed = set(KEYWORDS | GLOBALS | LOCALS) | set(names) | {global_name}
    for k, (kind, text) in enumerate(tokens):
        before = tokens[k - 1] if k else ("punct", ";")
        after = tokens[k + 1] if k + 1 < len(tokens) else ("punct", ";")
        if kind == "ident":
            key = before[1] in ("{", ",") and after[1] == ":" and _in_object(tokens, k)
            if before[1] == "." or key:
                if text not in PROPERTIES:
                    _refuse(f"the property {text!r}")
            elif not (text in allowed or (not names and _generated(text))):
                _refuse(f"the identifier {text!r}")
        elif kind == "string":
            if after[1] in ("(", "[", ".") or after[0] in ("ident", "string", "number"):
                _refuse("a string literal used as code")
            if before[1] == "[" and k >= 2 and (tokens[k - 2][0] in ("ident", "string")
                                                or tokens[k - 2][1] in (")", "]")):
                _refuse("a string literal as a computed member name")
    return source


def _generated(text: str) -> bool:
    """The forms of the names the module builder makes: ``L3_WEIGHT`` and ``_l3_block``."""
    return re.fullmatch(r"[A-Z][A-Z0-9_]*|_[a-z][a-z0-9_]*", text) is not None or text in _API


def _in_object(tokens, k) -> bool:
    """Whether token ``k`` sits directly inside ``{ ... }`` that opens an object literal (after
    ``(``, ``=``, ``:``, ``,``, ``return``), not a block."""
    depth = 0
    for j in range(k - 1, -1, -1):
        text = tokens[j][1]
        if text in (")", "]", "}"):
            depth += 1
        elif text in ("(", "["):
            if depth == 0:
                return False
            depth -= 1
        elif text == "{":
            if depth == 0:
                return j > 0 and tokens[j - 1][1] in ("(", "=", ":", ",", "return")
            depth -= 1
    return False


def _refuse(what: str) -> NoReturn:
    raise ValueError(f"to_javascript: the generated module holds {what}, which the generator never writes; "
                     f"it was not written")
