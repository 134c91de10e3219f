"""Positioned text (PDF words, OCR boxes) to rows of cells, when no ruling lines say where
the cells are: rows by vertical position, cells by horizontal gaps, and columns aligned on
the table's header row (一级指标/三级指标…) where there is one, else on the left edges the
rows share.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from ..readers.cells import join_wrapped
from ..textnorm import key

HEADER_KEYS = ("一级指标", "二级指标", "三级指标", "年度指标值", "指标值", "分值", "得分")


@dataclass
class Box:
    """A piece of text and its rectangle (y grows downwards, any unit)."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    chars: list[tuple[float, float]] | None = None  # each character's x0, x1, when known
    sliver: bool = False  # cut off the edge of a box that crossed a cell border

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


def group_rows(boxes: list[Box]) -> list[list[Box]]:
    """Boxes whose vertical middles fall within one another's extent share a row."""
    rows: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        if rows:
            last = rows[-1]
            top = min(x.top for x in last)
            bottom = max(x.bottom for x in last)
            mid = (top + bottom) / 2
            if top <= b.cy <= bottom or b.top <= mid <= b.bottom:
                last.append(b)
                continue
        rows.append([b])
    return [sorted(r, key=lambda b: b.x0) for r in rows]


def row_cells(row: list[Box], gap: float) -> list[Box]:
    """Neighbouring boxes closer than ``gap`` are one cell."""
    cells: list[Box] = []
    for b in row:
        if cells and b.x0 - cells[-1].x1 < gap:
            c = cells[-1]
            sep = " " if c.text[-1:].isascii() and b.text[:1].isascii() and c.text[-1:].isalnum() else ""
            cells[-1] = Box(c.x0, min(c.top, b.top), max(c.x1, b.x1), max(c.bottom, b.bottom), c.text + sep + b.text)
        else:
            cells.append(b)
    return cells


def _is_header(cells: list[Box]) -> bool:
    ks = {key(c.text) for c in cells}
    return sum(1 for h in HEADER_KEYS if h in ks) >= 2


def _anchors(rows: list[list[Box]], tol: float) -> list[float]:
    """Left edges that recur across rows: the columns."""
    xs = sorted(c.x0 for r in rows for c in r)
    groups: list[list[float]] = []
    for x in xs:
        if groups and x - groups[-1][-1] <= tol:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [min(g) for g in groups]


def _place(cells: list[Box], anchors: list[float], tol: float) -> list[str]:
    """Each cell into the rightmost column starting at or before it (or the next free one)."""
    out: list[str] = []
    for c in cells:
        idx = 0
        for i, a in enumerate(anchors):
            if a <= c.x0 + tol:
                idx = i
        idx = max(idx, len(out))
        while len(out) < idx:
            out.append("")
        out.append(c.text)
    return out


def boxes_to_lines(boxes: list[Box]) -> list[tuple[float, str]]:
    """(top, tab-separated line) for every row of the boxes."""
    boxes = [b for b in boxes if b.text.strip()]
    if not boxes:
        return []
    h = median(b.height for b in boxes)
    rows = [row_cells(r, gap=1.2 * h) for r in group_rows(boxes)]
    out: list[tuple[float, str]] = []
    # sections: rows before the first header, then each header with the rows under it
    sections: list[list[list[Box]]] = [[]]
    for r in rows:
        if _is_header(r):
            sections.append([])
        sections[-1].append(r)
    for sec in sections:
        if not sec:
            continue
        anchors = [c.x0 for c in sec[0]] if _is_header(sec[0]) else _anchors(sec, tol=h)
        for r in sec:
            if len(r) == 1:
                out.append((r[0].top, join_wrapped(r[0].text)))
            else:
                out.append((min(c.top for c in r), "\t".join(join_wrapped(t) for t in _place(r, anchors, tol=h))))
    return out
