"""Split a document into forms.

A form starts at its title line (``财政项目支出绩效自评表`` / ``…绩效目标申报表``); a
document title such as ``…年度项目绩效目标汇总表`` is not a form. Text with no title at all
(one pasted form) is split at its ``项目名称`` rows instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..layout import Grid, read_grid
from ..layout.grid import Line
from ..models import FormKind
from ..textnorm import key, key_longer_than

__all__ = ["Line", "Segment", "segment", "title_kind", "year_in"]

_SELF = ("绩效自评表", "绩效自评价表", "支出绩效自评", "目标自评表")
_DECL = ("绩效目标申报表", "绩效目标表", "绩效目标申请表", "目标审批表", "目标申报表")
# titles of documents that hold no project form: a department's whole-year targets, a report
_NOT_A_FORM = ("汇总", "目录", "整体", "自评报告", "评价报告")
# one C-speed search each instead of a loop of `in` tests: this runs on every one-cell line
_NOT_A_FORM_RE, _SELF_RE, _DECL_RE = (re.compile("|".join(map(re.escape, w))) for w in (_NOT_A_FORM, _SELF, _DECL))
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass
class Segment:
    kind: FormKind | None
    year: int | None
    lines: list[Line]  # content lines only (blank lines and rules dropped)
    title_line: int | None
    blank_after: set[int]  # line numbers followed by a blank line (a page break)
    layout: str = "tabs"
    grid: Grid | None = None


def title_kind(cells: list[str]) -> FormKind | None:
    filled = [c for c in cells if c]
    if len(filled) != 1 or key_longer_than(filled[0], 40):
        return None
    k = key(filled[0])
    if len(k) > 40 or _NOT_A_FORM_RE.search(k):
        return None
    if _SELF_RE.search(k):
        return "self_evaluation"
    if _DECL_RE.search(k):
        return "target_declaration"
    return None


def year_in(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def segment(raw_lines: list[str], grid: Grid | None = None) -> list[Segment]:
    grid = grid if grid is not None else read_grid(raw_lines)
    lines, blank_after = grid.lines, grid.blank_after
    starts: list[tuple[int, FormKind | None]] = []
    for idx, ln in enumerate(lines):
        kind = title_kind(ln.values) if len(ln.values) == 1 else None
        if kind is None and len(ln.values) == 1 and idx + 1 < len(lines):
            kind = _wrapped_title(ln, lines[idx + 1])
        if kind:
            starts.append((idx, kind))
    if not starts:
        starts = [(idx, None) for idx, ln in enumerate(lines) if _is_name_row(ln)]
    else:
        starts = _split_untitled(lines, starts)
    segments: list[Segment] = []
    for n, (idx, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = lines[idx:end]
        title = body[0].no if kind is not None and title_kind(body[0].cells) else None
        year = None
        for ln in body[:4]:
            year = year_in("".join(ln.cells))
            if year:
                break
        segments.append(Segment(kind, year, body, title, blank_after, grid.layout_at(body[0].no), grid))
    grid.lines = []  # each segment holds its own rows: freed as its form is made
    return segments


def _wrapped_title(ln: Line, nxt: Line) -> FormKind | None:
    """A title cut over two lines ('财政项目支出绩效' + '自评表'), the second not a title alone."""
    if len(nxt.values) != 1 or "表" in ln.joined or "表" not in nxt.joined or len(ln.joined) > 20:
        return None
    if title_kind(nxt.values):
        return None
    return title_kind([ln.values[0] + nxt.values[0]])


def _is_name_row(ln: Line) -> bool:
    if "称" not in ln.joined and "&" not in ln.joined:
        return False  # key() cannot add a CJK character (except an HTML entity)
    ks = ln.keys
    return bool(ks) and (ks[0] == "项目名称" or ks[0].startswith("项目名称:"))


def _split_untitled(lines: list[Line], starts: list[tuple[int, FormKind | None]]) -> list[tuple[int, FormKind | None]]:
    """A second 项目名称 row under one title starts a second form of the same kind."""
    out: list[tuple[int, FormKind | None]] = []
    for n, (idx, kind) in enumerate(starts):
        out.append((idx, kind))
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        seen_name = False
        for j in range(idx + 1, end):
            if _is_name_row(lines[j]):
                if seen_name:
                    out.append((j, kind))
                seen_name = True
    return out
