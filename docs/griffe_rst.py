"""A griffe extension for the API reference: axonal's reStructuredText habits, shown as Markdown.

axonal's docstrings are NumPy style and read well in ``help()``; a few reStructuredText
constructs in them mean nothing to Markdown. Before mkdocstrings parses a docstring, this
extension rewrites, outside the NumPy sections (which the numpy parser handles):

* simple tables (``====  ====`` borders) as Markdown tables;
* literal blocks (a paragraph ending in ``::`` and an indented block, with or without a blank
  line between) as fenced code;
* doctest runs (``>>>`` lines and their output) as fenced ``pycon`` code;

and everywhere, Sphinx roles (``:class:`~axonal.graph.Graph```) as inline code (``Graph``).
The docstrings in the source stay as they are; only the rendered reference changes.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`([^`]+)`")
_BORDER = re.compile(r"^( *)(=+)( +=+)+ *$")
_SECTION_UNDERLINE = re.compile(r"^ *-{3,} *$")


def _role(match: re.Match) -> str:
    text = match.group(1).strip()
    explicit = re.fullmatch(r"(.*?)\s*<([^>]+)>", text)
    if explicit:
        return f"`{explicit.group(1)}`"
    if text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    return f"`{text}`"


def _columns(border: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"=+", border)]


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    cells = []
    for index, (start, end) in enumerate(spans):
        stop = len(line) if index == len(spans) - 1 else spans[index + 1][0]
        cells.append(line[start:stop].strip())
    return cells


def _table(lines: list[str], start: int) -> tuple[list[str], int] | None:
    """The Markdown table for the simple table whose top border is ``lines[start]``, and the
    index after its bottom border; ``None`` when the lines are not such a table."""
    spans = _columns(lines[start])
    borders = [i for i in range(start, len(lines)) if _BORDER.match(lines[i]) and _columns(lines[i]) == spans]
    if len(borders) < 2:
        return None
    has_header = len(borders) >= 3 and all(lines[i].strip() for i in range(borders[0] + 1, borders[1]))
    end = borders[2] if has_header else borders[1]
    header: list[str] | None = None
    rows: list[list[str]] = []
    for i in range(start + 1, end):
        line = lines[i]
        if i == borders[1] and has_header:
            header, rows = rows[0] if rows else [""] * len(spans), []
            continue
        if not line.strip():
            continue
        cells = _cells(line, spans)
        if rows and not cells[0] and i not in borders:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    if header is None:
        header = [""] * len(spans)

    def row(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [row(header), "|" + "|".join("---" for _ in spans) + "|"] + [row(r) for r in rows]
    return out, end + 1


def _is_section(lines: list[str], i: int) -> bool:
    return (i + 1 < len(lines) and lines[i].strip() != "" and _SECTION_UNDERLINE.match(lines[i + 1]) is not None
            and len(lines[i + 1].strip()) >= len(lines[i].strip()) - 1)


def convert(text: str) -> str:
    """The docstring ``text`` with the rewrites of this module's docstring."""
    text = _ROLE.sub(_role, text)
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    in_section = False
    while i < len(lines):
        line = lines[i]
        if _is_section(lines, i):
            in_section = True
        if in_section:
            out.append(line)
            i += 1
            continue
        if _BORDER.match(line):
            table = _table(lines, i)
            if table is not None:
                rendered, i = table
                if out and out[-1].strip():
                    out.append("")
                out.extend(rendered)
                if i < len(lines) and lines[i].strip():
                    out.append("")
                continue
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip() and lines[i].startswith(indent):
                block.append(lines[i][len(indent):])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out.extend([indent + "```pycon"] + [indent + b for b in block] + [indent + "```"])
            continue
        if line.rstrip().endswith("::") and i + 1 < len(lines):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            base = len(line) - len(line.lstrip())
            block: list[str] = []
            if j < len(lines) and len(lines[j]) - len(lines[j].lstrip()) > base:
                block_indent = len(lines[j]) - len(lines[j].lstrip())
                k = j
                while k < len(lines) and (not lines[k].strip() or
                                          len(lines[k]) - len(lines[k].lstrip()) >= block_indent):
                    block.append(lines[k][block_indent:])
                    k += 1
                while block and not block[-1].strip():
                    block.pop()
                    k -= 1
            elif i == 0 and j < len(lines):
                # a summary line ending in "::": cleaning the docstring removed the block's indent
                # (it was the common indent of the lines after the first), so the block is the
                # next paragraph
                k = j
                while k < len(lines) and lines[k].strip():
                    block.append(lines[k])
                    k += 1
            if block:
                head = line.rstrip()[:-2].rstrip()
                if head.strip():
                    out.append(head + ("" if head.endswith(":") else ":"))
                out.append("")
                pad = " " * base
                out.extend([pad + "```text"] + [pad + b if b else "" for b in block] + [pad + "```"])
                i = k
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


class RstToMarkdown(griffe.Extension):
    """Rewrites every docstring as :func:`convert` says, as objects are loaded."""

    def on_instance(self, *, node, obj, agent, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
