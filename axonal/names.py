"""Names given by users or files: one alphabet, checked where a name enters axonal.

A name (of a layer, a network, a graph layer or a connection) is data. It is
checked once, when the object is created, against one documented alphabet:

    ``[A-Za-z_][A-Za-z0-9_-]{0,63}``: ASCII letters, digits, ``_`` and ``-``,
    starting with a letter or ``_``, at most 64 characters.

so it can never carry a newline, a quote, markup or a control character into
generated code, diagrams or a terminal. Free text that has no such alphabet
(descriptions, metadata, values quoted in error messages) goes through
:func:`printable` before it is shown.

>>> check_name("hidden_1", "Dense")
'hidden_1'
>>> check_name("x\\nimport os", "Dense")
Traceback (most recent call last):
...
ValueError: Dense: name 'x\\x0aimport os' is not allowed; a name uses ASCII letters, digits, '_' and '-', starts with a letter or '_' and has at most 64 characters
>>> print(printable("ok\\x1b[31m red"))
ok\\x1b[31m red
"""

from __future__ import annotations

import re

__all__ = ["NAME_PATTERN", "NAME_RULE", "check_name", "csv_text", "is_name", "printable"]

#: The alphabet of every name, for ``re.fullmatch`` (never ``re.match`` with ``$``,
#: which accepts a trailing newline).
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
NAME_RULE = ("a name uses ASCII letters, digits, '_' and '-', starts with a letter or '_' "
             "and has at most 64 characters")


def is_name(value) -> bool:
    """``True`` when ``value`` is a ``str`` in the name alphabet."""
    return isinstance(value, str) and NAME_PATTERN.fullmatch(value) is not None


def check_name(name, what: str) -> str:
    """Return ``name`` if it is in the alphabet, else raise ``ValueError`` naming ``what``.

    ``what`` says whose name it is (``"Dense"``, ``"graph layer 2"``); the offending
    value is shown escaped and truncated.
    """
    if not is_name(name):
        shown = printable(name if isinstance(name, str) else repr(name), limit=80)
        kind = "" if isinstance(name, str) else f" (a {type(name).__name__}, not a str)"
        raise ValueError(f"{what}: name '{shown}'{kind} is not allowed; {NAME_RULE}")
    return name


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text, limit: int | None = 200) -> str:
    """``text`` made safe to print on a terminal or put in a one-line message.

    Control characters (C0, DEL, C1: escape sequences, bells, newlines), line and
    paragraph separators, bidirectional overrides, zero-width characters and lone
    surrogates become ``\\xNN`` / ``\\uNNNN``; everything else is kept. With
    ``limit``, text longer than ``limit`` characters is cut and ends in ``…``.
    """
    text = text if isinstance(text, str) else str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return _UNSAFE.sub(_escape, text)


#: What a spreadsheet may read as the start of a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")


def csv_text(value) -> str:
    """A text cell of a CSV file (a class label, a name) that a spreadsheet shows as text.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    single quote in front, as OWASP recommends against formula injection; the
    :mod:`csv` writer then quotes separators, quotes and line breaks. A lone
    surrogate, which no UTF-8 file can hold, is written as ``\\udXXX`` text. Use this
    for text only: numbers are written as numbers (``-0.5`` stays ``-0.5``).
    """
    text = value if isinstance(value, str) else str(value)
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return "'" + text if text.startswith(FORMULA_START) else text

