"""The layout stage: text lines in, a grid of cells out, whatever separated the cells.

Between intake and the rules: each form's lines are classed (tabs, spaces, ocr, pipes,
cell-per-line, run-together, one-line, html, pdf) and read by that class's reader into rows
of cells; every row keeps the source lines it came from, and what no reader could place
is kept for the form's ``unread``. The rules then read cells by their meaning, as before.
"""

from __future__ import annotations

import operator
import re
from itertools import compress, pairwise, repeat

from ..textnorm import is_furniture, split_cells
from .detect import classify, is_long_form_line, title_at
from .glued import atoms
from .grid import Grid, Line, Region
from .html import html_rows, looks_like_html
from .pdftext import pdf_lines
from .spaces import Span, align, merge_split_heads, split_line
from .stream import Tok, atom_tokens, build_rows, cell_tokens
from .stream import classify as token_kind
from .vocab import POINTS_ONLY, VERTICAL_PIECES, column_roles, is_label_prefix, label_kind

__all__ = ["Grid", "Line", "Region", "read_grid"]

_YEAR_ONLY = re.compile(r"^[(（]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?$")


def read_grid(raw: list[str], layout: str | None = None) -> Grid:
    """Rows of cells of a whole document (see the module docstring). ``layout`` forces one
    class: a file reader (xlsx, docx, pdf, OCR) already made tab-separated rows."""
    if layout is not None:
        grid = Grid([], set(), from_file=True)
        _tabs(raw, 0, len(raw), grid)
        grid.regions.append(Region(1, len(raw), layout))
        return grid
    if looks_like_html(raw):
        lines = [Line(no, cells) for no, cells in html_rows(raw) if any(cells)]
        return Grid(lines, set(), [Region(1, len(raw), "html")])
    grid = Grid([], set())
    # a TAB grid throughout (the seeds, every file reader's text): no form needs a closer look
    # counted at C speed (map, no Python frame per line): this runs on every document
    all_tabs = sum(map(operator.contains, raw, repeat("\t"))) >= 0.9 * sum(map(bool, map(str.strip, raw)))
    for a, b in _regions(raw):
        cls = "tabs" if all_tabs and any("\t" in ln for ln in raw[a:b]) else classify(raw[a:b])
        before = len(grid.lines)
        _READERS[cls](raw, a, b, grid)
        if len(grid.lines) > before or b > a:
            grid.regions.append(Region(a + 1, b, cls))
    return grid


def _regions(raw: list[str]) -> list[tuple[int, int]]:
    """Stretches of lines that start at a form title (0-based, end exclusive)."""
    starts = [0]
    # every title ends in 表: the other lines are passed over at C speed
    for i in compress(range(len(raw)), map(operator.contains, raw, repeat("表"))):
        if i == 0:
            continue
        s = raw[i].strip()
        if is_long_form_line(s) or (len(s.replace(" ", "")) <= 60 and "\t" not in s and title_at(s)):
            starts.append(i)
    starts.append(len(raw))
    return [(a, b) for a, b in pairwise(starts) if b > a]


# ---- line-per-row classes ----------------------------------------------------------------


def _tabs(raw: list[str], a: int, b: int, grid: Grid) -> None:
    # _emit inlined: this loop runs over every line of a TAB batch (the seeds' layout)
    out, blank_after = grid.lines, grid.blank_after
    for i in range(a, b):
        cells = split_cells(raw[i])
        if cells is None:
            if out:
                blank_after.add(out[-1].no)
            continue
        out.append(Line(i + 1, cells))


def _emit(grid: Grid, no: int, cells: list[str] | None, src: tuple[int, ...] | None = None) -> None:
    if cells is None or not any(cells):
        if grid.lines:
            grid.blank_after.add(grid.lines[-1].no)
        return
    grid.lines.append(Line(no, cells, src))


def _pipes(raw: list[str], a: int, b: int, grid: Grid) -> None:
    for i in range(a, b):
        s = raw[i].strip()
        if s.startswith("|"):
            if split_cells(s) is None:
                _emit(grid, i + 1, None)
                continue
            body = s[1:-1] if s.endswith("|") and len(s) > 1 else s[1:]
            _emit(grid, i + 1, [c.strip() for c in body.split("|")])
        else:
            s = s.lstrip("#").strip()
            _emit(grid, i + 1, [sp.text for sp in split_line(s, everywhere=False)] if split_cells(s) else None)


def _spaced(raw: list[str], a: int, b: int, grid: Grid, *, everywhere: bool) -> None:
    columns: list[Span] | None = None
    held: tuple[int, list[Span]] | None = None  # a line of head halves ('年初  全年'), waiting
    for i in range(a, b):
        if split_cells(raw[i]) is None:
            if held:
                _emit(grid, held[0], [s.text for s in held[1]])
                held = None
            _emit(grid, i + 1, None)
            continue
        sp = split_line(raw[i], everywhere=everywhere)
        if held is not None:
            merged = merge_split_heads(held[1], sp)
            no = held[0]
            if merged is not None:
                held = None
                sp = merged
                src: tuple[int, ...] | None = (no, i + 1)
                start = no
            else:
                _emit(grid, no, [s.text for s in held[1]])
                held = None
                src, start = None, i + 1
        else:
            src, start = None, i + 1
        texts = [s.text for s in sp]
        if not everywhere and src is None and sp and all(is_label_prefix(t) and not label_kind(t) for t in texts):
            held = (i + 1, sp)
            continue
        roles = column_roles(texts) if "级" in "".join(texts) else []
        if "name" in roles or {"l1", "l2"} <= set(roles):
            columns = sp if not everywhere else None
            _emit(grid, start, texts, src)
            continue
        if columns is not None and label_kind(texts[0]) != "totals":
            keep = [
                s for s in sp if not (len(s.text) == 1 and s.text in VERTICAL_PIECES) and not POINTS_ONLY.match(s.text)
            ]
            if keep:
                _emit(grid, start, align(keep, columns), src)
                grid.lines[-1].aligned = True
            continue
        if label_kind(texts[0]) == "totals":
            columns = None
        _emit(grid, start, texts, src)
    if held:
        _emit(grid, held[0], [s.text for s in held[1]])


def _spaces(raw: list[str], a: int, b: int, grid: Grid) -> None:
    _spaced(raw, a, b, grid, everywhere=False)


def _ocr(raw: list[str], a: int, b: int, grid: Grid) -> None:
    _spaced(raw, a, b, grid, everywhere=True)


# ---- stream classes: rows rebuilt from cells --------------------------------------------


def _lead(raw: list[str], a: int, b: int, grid: Grid) -> int:
    """The title (and a year line) as rows of their own; returns the first line after them."""
    i = a
    while i < b and not raw[i].strip():
        i += 1
    if i < b and title_at(raw[i]) and not is_long_form_line(raw[i]):
        _emit(grid, i + 1, [raw[i].strip()])
        i += 1
        while i < b and not raw[i].strip():
            i += 1
        if i < b and _YEAR_ONLY.match(raw[i].strip()):
            _emit(grid, i + 1, [raw[i].strip()])
            i += 1
    return i


def _cell_per_line(raw: list[str], a: int, b: int, grid: Grid) -> None:
    i = _lead(raw, a, b, grid)
    cells: list[tuple[int, str]] = []
    for j in range(i, b):
        s = raw[j].strip()
        if s and is_furniture(s):
            continue
        cells.append((j + 1, s))
    while cells and not cells[-1][1]:
        cells.pop()
    grid.lines.extend(build_rows(cell_tokens(cells)))


def _run_together(raw: list[str], a: int, b: int, grid: Grid) -> None:
    i = _lead(raw, a, b, grid)
    toks: list[Tok] = []
    for j in range(i, b):
        s = raw[j].strip()
        if not s or is_furniture(s):
            continue
        if title_at(s) or _YEAR_ONLY.match(s) or _is_prose(s):
            toks.append(Tok(s, j + 1, "text", glued=True))
            continue
        toks.extend(atom_tokens(atoms(s), j + 1))
    grid.lines.extend(build_rows(toks, rows_are_lines=True))


_PROSE_PUNCT = re.compile("[，。；、]")


def _is_prose(s: str) -> bool:
    """A line of running text (a goal's wording): no label starts it, sentences run in it."""
    if len(_PROSE_PUNCT.findall(s)) < 2:
        return False
    first = atoms(s[:16])
    return not first or not first[0].kind.startswith("label")


def _one_line(raw: list[str], a: int, b: int, grid: Grid) -> None:
    for j in range(a, b):
        s = raw[j].strip()
        if not s:
            continue
        no = j + 1
        if not is_long_form_line(s):
            _emit(grid, no, [s])
            continue
        m = _title_span(s)
        rest = s
        if m is not None:
            junk, title, rest = s[: m[0]].strip(), s[m[0] : m[1]], s[m[1] :]
            if junk:
                grid.unplaced[no] = junk
            _emit(grid, no, [title])
        toks: list[Tok] = []
        if rest.count(" ") >= 10:
            for sp in split_line(rest, everywhere=True):
                parts = atoms(sp.text)
                if sum(p.kind.startswith("label") for p in parts) >= 2 or (
                    len(parts) >= 2 and parts[0].kind.startswith("label") and token_kind(sp.text) == "text"
                ):
                    toks.extend(atom_tokens(parts, no))
                else:
                    toks.append(Tok(sp.text, no, token_kind(sp.text)))
        else:
            toks = atom_tokens(atoms(rest), no)
        grid.lines.extend(build_rows(toks))


def _title_span(s: str) -> tuple[int, int] | None:
    """Where the form's title stands in a one-line dump: the unspaced run ending in its phrase."""
    m = re.search(r"(?:绩效自评表|绩效目标自评表|绩效目标表|目标申报表|目标审批表|绩效自评价表)", s)
    if m is None:
        return None
    start = m.start()
    while start > 0 and not s[start - 1].isspace() and m.start() - start < 30:
        start -= 1
    return start, m.end()


def _pdf(raw: list[str], a: int, b: int, grid: Grid) -> None:
    for no, cells, src in pdf_lines(raw, a, b):
        _emit(grid, no, cells, src)


_READERS = {
    "tabs": _tabs,
    "pipes": _pipes,
    "spaces": _spaces,
    "ocr": _ocr,
    "cell-per-line": _cell_per_line,
    "run-together": _run_together,
    "one-line": _one_line,
    "pdf": _pdf,
}
