"""The shared output: a table cell's text on one line, and rows as tab-separated lines.

Every reader ends here, so that an xlsx, a docx, a PDF and a scan of the same form give
the lines the text path would (merged cells: the value in the first cell, the rest empty).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n|\u2028|\u2029|\x0b)[ \t]*")
_ANY_BREAK = re.compile(r"[\r\n\u2028\u2029\x0b]")
_CTRL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f]")


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def join_wrapped(text: str) -> str:
    """A cell's text on one line. A line break inside a cell is where the writer (or the
    PDF's layout) wrapped: CJK and numbers continue without a space (``=956.00(元/`` +
    ``家)``); only two Latin words get one."""
    if _ANY_BREAK.search(text) is None:
        return text  # most cells: on one line already
    parts = [p for p in _BREAKS.split(text)]
    out = ""
    for p in parts:
        if not p:
            continue
        if out and _latin(out[-1]) and _latin(p[0]):
            out += " "
        out += p
    return out


def cell_text(value: object) -> str:
    """One cell, ready for a tab-separated line: wrapped lines joined, no tabs."""
    if value is None:
        return ""
    s = join_wrapped(str(value))
    return _CTRL.sub("", s.replace("\t", " ")).strip()


def row_line(cells: Iterable[str]) -> str:
    """Cells to a line, trailing empty cells dropped (they carry no position)."""
    out = [cell_text(c) for c in cells]
    while out and not out[-1]:
        out.pop()
    return "\t".join(out)


def tidy_blank_runs(lines: list[str]) -> list[str]:
    """No leading or trailing blank lines, and at most one blank line in a row: a blank
    line means a page or sheet break to the rules engine, and more say nothing more."""
    out: list[str] = []
    for ln in lines:
        if not ln.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(ln)
    while out and out[-1] == "":
        out.pop()
    return out
