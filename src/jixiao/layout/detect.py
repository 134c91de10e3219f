"""Which layout class a stretch of text is in, from the shape of its lines.

Classes (contract ``layout``): tabs, pipes, one-line, spaces, ocr, pdf, run-together,
cell-per-line (html is told for the whole document before this). A document may mix them,
so each form's lines are classed on their own.
"""

from __future__ import annotations

import re

from .glued import atoms
from .vocab import label_kind

_INNER_RUN = re.compile(r"\S(?: {2,}|\u3000+)\S")
_INNER_SINGLE = re.compile(r"\S \S")
_TITLE = re.compile(
    r"(?:绩效自评表|绩效自评价表|绩效目标自评表|绩效目标表|目标申报表|目标申请表|目标审批表|绩效自评结果表|整体绩效目标表)"
)
LONG_LINE = 400  # a line this long holding several labels is a whole form on one line


def is_long_form_line(line: str) -> bool:
    if len(line) < LONG_LINE:
        return False
    hits = sum(1 for w in ("项目名称", "主管部门", "一级指标", "三级指标", "绩效指标", "资金") if w in line)
    return hits >= 3


def title_at(line: str) -> re.Match[str] | None:
    return _TITLE.search(line.replace(" ", "").replace("\u3000", ""))


def classify(lines: list[str]) -> str:
    """The layout class of one form's raw lines."""
    tabbed = sum(1 for ln in lines if "\t" in ln)
    if tabbed and tabbed >= 0.6 * len(lines):
        return "tabs"  # the fast path: a TAB grid (blank lines need no stripping to tell)
    body = [ln for ln in lines if ln.strip()]
    if not body:
        return "tabs"
    n = len(body)
    if sum("\t" in ln.strip() for ln in body) >= 0.3 * n:
        return "tabs"
    if sum(ln.lstrip().startswith("|") for ln in body) >= 0.3 * n:
        return "pipes"
    if any(is_long_form_line(ln) for ln in body):
        return "one-line"
    # both patterns need a non-space on each side, so stripping the line changes no match
    runs = list(map(_INNER_RUN.search, body))
    singles = list(map(_INNER_SINGLE.search, body))
    multi = n - runs.count(None)
    single = sum(1 for r, s1 in zip(runs, singles) if s1 is not None and r is None)
    solo = n - multi - single
    if multi >= 0.25 * n:
        return "spaces"
    if solo >= 0.4 * n and single >= 0.1 * n and _label_block(body):
        return "pdf"
    if single >= 0.4 * n:
        return "ocr"
    # counted until the answer is sure either way: cutting a line into atoms is not cheap
    need, glued = 0.3 * max(solo, 1), 0
    left = singles.count(None)  # the lines that may still be glued
    for ln, s1 in zip(body, singles):
        if s1 is not None:
            continue
        left -= 1
        if _is_glued(ln.strip()):
            glued += 1
            if glued >= need:
                return "run-together"
        elif glued + left < need:
            break
    return "cell-per-line"


def _is_glued(line: str) -> bool:
    """A line of several cells with nothing between them ('项目名称河道保洁养护')."""
    if len(line) < 5 or len(line) > 2000:
        return False
    parts = atoms(line)
    if len(parts) < 2:
        return False
    # a label with its value, or a name with its values: cells that a Word copy would put on
    # lines of their own (a goal's wording with a number inside ends in text, not a value)
    return parts[0].kind.startswith("label") or parts[-1].kind in ("value", "number")


def _label_block(body: list[str]) -> bool:
    """Two or more header labels on consecutive lines, their values later: pdftotext's order."""
    run = 0
    for ln in body:
        if label_kind(ln.strip()) == "header":
            run += 1
            if run >= 2:
                return True
        else:
            run = 0
    return False
