r"""Text from users and files, made safe for the format it is written in.

Names, class labels, descriptions and metadata are data. Whatever axonal
generates quotes them for its format, so no value can end a string, start a new
statement, element, attribute or formula, or send a control sequence:

=================  =============================================================
function           for
=================  =============================================================
python_literal     generated Python: a ``repr`` string literal, checked to read
                   back as the same text and to stay on one line
dot_string         a Graphviz DOT quoted string
xml_text           SVG text and attribute values: only characters XML 1.0 allows
csv_text           a text cell of a CSV file a spreadsheet may open
onnx_doc           an ONNX doc string: printable text, valid UTF-8
js_string          generated JavaScript: a double-quoted literal of printable
                   ASCII only, safe inside an HTML ``<script>`` element too
=================  =============================================================

Terminal output and one-line messages use :func:`axonal.names.printable`.

>>> print(python_literal("x\nimport os"))
'x\nimport os'
>>> print(dot_string('a" -> "b'))
"a\" -> \"b"
>>> print(xml_text("bell\x07"))
bell\x07
>>> print(js_string('</script>"\u2028é'))
"\u003c/script\u003e\"\u2028\u00e9"
>>> csv_text("=HYPERLINK(1)"), csv_text("-0.5"), csv_text("cat")
("'=HYPERLINK(1)", "'-0.5", 'cat')
"""

from __future__ import annotations

import ast
import re

from ..names import csv_text, printable

__all__ = ["csv_text", "dot_string", "onnx_doc", "python_literal", "xml_text"]


def python_literal(text) -> str:
    """``text`` as a Python string literal (its ``repr``), on one line, reading back as ``text``.

    ``repr`` escapes quotes, backslashes and every character that is not printable
    (newlines, carriage returns, form feeds, U+2028, lone surrogates, ...).
    """
    if not isinstance(text, str):
        raise TypeError(f"python_literal: expected a str, got {type(text).__name__}")
    literal = repr(text)
    if any(ch in literal for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029") \
            or ast.literal_eval(literal) != text:
        raise ValueError(f"python_literal: cannot write '{printable(text, 80)}' as a one-line literal")
    return literal


def dot_string(text, limit: int | None = 200) -> str:
    """``text`` as a DOT quoted string: control characters shown as ``\\xNN`` text, then
    backslashes and double quotes escaped, so nothing can close the quote."""
    shown = printable(text, limit)
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF];
# printable() already escapes the C0 and C1 controls and the surrogates.
_NOT_XML = re.compile("[\ufffe\uffff]")


def xml_text(text, limit: int | None = 200) -> str:
    """``text`` with every character XML 1.0 forbids (and every control character) shown as
    ``\\xNN`` / ``\\uNNNN`` text; ElementTree then escapes ``&``, ``<``, ``>`` and quotes."""
    shown = printable(text, limit)
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", shown)


def onnx_doc(text, limit: int | None = 200) -> str:
    """``text`` for an ONNX doc string (data, never a name): control characters, separators and
    lone surrogates shown as ``\\xNN`` / ``\\uNNNN`` text, so it is one printable line of valid UTF-8."""
    return printable(text, limit)


# Characters a JavaScript string literal keeps as they are: printable ASCII but for the quote, the
# backslash and the characters HTML reads inside a <script> element (``</script>``, ``<!--``, ``-->``).
_JS_PLAIN = re.compile(r'[ !#-%(-;=?-\[\]-~]*')


def js_string(text) -> str:
    """``text`` as a double-quoted JavaScript string literal that reads back as exactly ``text``.

    The literal is printable ASCII: ``"`` and ``\\`` are escaped, and every other character
    outside the plain printable ASCII set (line breaks of every kind, U+2028/U+2029, control
    characters, ``<``, ``>``, ``&``, ``'``, every non-ASCII character, lone surrogates) is written as
    ``\\uXXXX`` (UTF-16 code units, so a character beyond U+FFFF becomes its surrogate pair). No
    text can end the literal, start a line, or close an HTML ``<script>`` element around the code.
    """
    if not isinstance(text, str):
        raise TypeError(f"js_string: expected a str, got {type(text).__name__}")
    out = ['"']
    pos = 0
    while pos < len(text):
        plain = _JS_PLAIN.match(text, pos)
        if plain is not None and plain.end() > pos:
            out.append(plain.group())
            pos = plain.end()
            continue
        ch = text[pos]
        pos += 1
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) > 0xFFFF:
            code = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)
