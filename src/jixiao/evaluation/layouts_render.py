"""Generated forms printed in every layout class of ../shared/LAYOUTS.md (a), with exact gold.

``render_layout(forms, layout, seed=, noise=)`` takes the clean TAB print of ``render_text``
(no traps) and rewrites it line by line into the class, remapping every gold line number
(form ``lines``, indicator ``line``/``lines``, ``field_lines``) to the new text and setting
the gold ``layout``. ``tabs`` is ``render_text`` itself, with its seed traps at ``noise``.
For the other classes ``noise`` is the probability of the class's own quirks at each spot
where one can apply (a cell touching its neighbour, ``万兀``, ragged pipes, a spread ``<tr>`` …);
the gold values never change: a careful human reads through every quirk. ``one-line`` holds
one form per document: ``render_documents`` splits the forms accordingly.
Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

from ..gcpause import gc_paused
from ..models import Form
from ..zh import LAYOUT_LABEL
from .layout import render_text
from .layouts_rows import Base, Out, Row, cell_per_line, cells_of, html_table, parse, pdf_text
from .templates_render import render_template

__all__ = ["LAYOUT_CLASSES", "LAYOUT_LABELS", "remap", "render_documents", "render_layout"]

LAYOUT_CLASSES: tuple[str, ...] = (
    "tabs",
    "spaces",
    "ocr",
    "cell-per-line",
    "pipes",
    "run-together",
    "one-line",
    "html",
    "pdf",
)
# for users (the eval table)
LAYOUT_LABELS = LAYOUT_LABEL  # one place for the words (zh.py)

WORD_JUNK = "Normal 0 false 7.8 磅 0 2 false false false EN-US ZH-CN X-NONE"
# header labels an OCR may print spaced out ('绩 效 指 标')
OCR_LABELS = frozenset(
    {
        "项目名称",
        "主管部门",
        "实施单位",
        "预期目标",
        "实际完成情况",
        "年度总体目标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "评分等级",
        "项目总目标",
    }
)
_TEN = re.compile(r"10(\.\d+)?")


def render_layout(
    forms: list[Form], layout: str, *, seed: int = 0, noise: float = 0.0, template: str | None = None
) -> tuple[str, list[Form]]:
    """The forms as one document of class ``layout``, and their gold with lines in that document.

    ``template``: a province template id of ``templates_render`` to print the forms in (None:
    the seeds' template, as ``shanghai-district`` but with gold ``template`` left unknown)."""
    if layout not in LAYOUT_CLASSES:
        raise ValueError(f"unknown layout class {layout!r}; one of {', '.join(LAYOUT_CLASSES)}")
    if layout == "tabs":
        if template is None or template == "shanghai-district":  # the seeds' template keeps its traps
            text, gold = render_text(forms, noise=noise, seed=seed)
        else:
            text, gold = render_template(forms, template, seed=seed)
        return text, [g.model_copy(update={"layout": "tabs", "template": template or g.template}) for g in gold]
    if layout == "one-line" and len(forms) > 1:
        raise ValueError("one-line: one form per document (use render_documents)")
    text, gold = (
        render_text(forms, seed=seed, traps=()) if template is None else render_template(forms, template, seed=seed)
    )
    rng = random.Random(seed * 1000 + LAYOUT_CLASSES.index(layout))
    with gc_paused():
        out = _RENDERERS[layout](parse(text, gold), rng, noise)
        return out.text(), remap(gold, out.spans, layout)


def render_documents(
    forms: list[Form], layout: str, *, seed: int = 0, noise: float = 0.0, template: str | None = None
) -> list[tuple[str, list[Form]]]:
    """Documents as a user would have them: one per form for ``one-line``, else all forms in one."""
    if layout != "one-line":
        return [render_layout(forms, layout, seed=seed, noise=noise, template=template)]
    return [render_layout([f], layout, seed=seed + i, noise=noise, template=template) for i, f in enumerate(forms)]


def remap(gold: list[Form], spans: dict[int, tuple[int, int]], layout: str) -> list[Form]:
    """Gold forms with every line number moved: a row's line is the first new line of its old line."""

    def first(n: int) -> int:
        return spans[n][0]

    out: list[Form] = []
    for f in gold:
        inds = []
        for ind in f.indicators:
            lines = sorted({x for n in (ind.lines or [ind.line]) for x in range(spans[n][0], spans[n][1] + 1)})
            inds.append(ind.model_copy(update={"line": first(ind.line), "lines": lines}))
        update = {
            "indicators": inds,
            "lines": [first(f.lines[0]), spans[f.lines[-1]][1]],
            "field_lines": {k: [first(n) for n in v] for k, v in f.field_lines.items()},
            "layout": layout,
        }
        out.append(f.model_copy(update=update))
    return out


def _hit(rng: random.Random, noise: float) -> bool:
    return noise > 0 and rng.random() < noise


# ---- spaces (pdftotext -layout) ------------------------------------------------------------

_GROUP = {
    "head": "head",
    "funds_head": "funds",
    "funds": "funds",
    "goal_head": "goal",
    "goal": "goal",
    "table_head": "table",
    "ind": "table",
    "total": "table",
}


def display_width(s: str) -> int:
    """Columns on a terminal or a pdftotext page: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _lead(g: list[str]) -> int:
    return next((j for j, c in enumerate(g) if c), len(g))


def _center_labels(grid: list[list[str]], rng: random.Random, noise: float) -> None:
    """Merged category labels printed on a middle row of their block, as pdftotext places them."""
    cols = sorted({j for g in grid for j in range(_lead(g))}, reverse=True)  # right first: L2 before L1
    for c in cols:
        s = 0
        while s < len(grid):
            if c >= len(grid[s]) or not grid[s][c]:
                s += 1
                continue
            t = s + 1
            while t < len(grid) and _lead(grid[t]) > c:
                t += 1
            if t - s >= 2 and _hit(rng, noise):
                m = s + (t - s) // 2
                grid[m][c], grid[s][c] = grid[s][c], ""
            s = t


def _blocks(rows: list[Row]) -> list[list[Row]]:
    out: list[list[Row]] = []
    key: tuple[int, str] | None = None
    for r in rows:
        k = (r.form, _GROUP[r.kind]) if r.kind in _GROUP else None
        if k is None:
            key = None
            continue
        if k != key:
            out.append([])
            key = k
        out[-1].append(r)
    return out


def _padded(g: list[str], cols: list[int], width: dict[int, int], gap: dict[int, int], lead: str) -> str:
    parts = []
    for j in cols:
        c = g[j] if j < len(g) else ""
        parts.append(c + " " * (width[j] - display_width(c) + gap[j]))
    return (lead + "".join(parts)).rstrip()


def _splits(cell: str) -> bool:
    """A head cell a page may print over two lines: a label, never an amount (a declaration's
    funds head row carries its amounts)."""
    return len(cell) >= 4 and not any(ch.isdigit() for ch in cell)


def spaces(base: Base, rng: random.Random, noise: float) -> Out:
    """Cells padded to per-block column widths, ≥2 spaces apart (with noise a full cell touches its
    neighbour with one space, a header row splits over two lines, merged labels sit mid-block)."""
    lead = " " * rng.choice((0, 1, 1, 2))
    cells = {r.no: [c.strip() for c in r.cells] for r in base.rows}
    for rows in base.forms():
        _center_labels([cells[r.no] for r in rows if r.kind == "ind"], rng, noise)
    printed: dict[int, list[str]] = {}
    form_width: dict[int, int] = {}
    for block in _blocks(base.rows):
        grid = [cells[r.no] for r in block]
        ncol = max(len(g) for g in grid)
        cols = [j for j in range(ncol) if any(j < len(g) and g[j] for g in grid)]
        width = {j: max(display_width(g[j]) if j < len(g) else 0 for g in grid) for j in cols}
        gap = {j: 1 if _hit(rng, noise) else 2 + rng.choice((0, 0, 1, 2, 4)) for j in cols}
        for r, g in zip(block, grid):
            if r.kind in ("funds_head", "table_head") and _hit(rng, noise):  # '年初' over '预算数'
                top = [c[:2] if _splits(c) else "" for c in g]
                bottom = [c[2:] if _splits(c) else c for c in g]
                printed[r.no] = [_padded(top, cols, width, gap, lead), _padded(bottom, cols, width, gap, lead)]
            else:
                printed[r.no] = [_padded(g, cols, width, gap, lead)]
            if r.kind != "goal" and r.kind != "goal_head":
                w = max(display_width(line) for line in printed[r.no])
                form_width[r.form] = max(form_width.get(r.form, 0), w)
    out = Out()
    for r in base.rows:
        if r.no in printed:
            out.emit(r.no, *printed[r.no])
        elif r.kind in ("title", "text"):  # centred over the form
            t = " ".join(c for c in cells[r.no] if c)
            out.emit(r.no, " " * max(len(lead), (form_width.get(r.form, 0) - display_width(t)) // 2) + t)
        else:
            out.emit(r.no, "")
    return out


# ---- one space, no space, one line, pipes -------------------------------------------------


def ocr(base: Base, rng: random.Random, noise: float) -> Out:
    """Cells joined by one space; with noise '万兀' in the funds head, 'IO' for a 10 in 分值/得分,
    header labels spaced out. No space ever goes inside a name."""
    out = Out()
    funds_head: list[str] = []
    for r in base.rows:
        g = [c.strip() for c in r.cells]
        if r.kind == "funds_head":
            funds_head = g
        if r.kind in ("ind", "funds"):
            head = base.heads.get(r.form, []) if r.kind == "ind" else funds_head
            for j, c in enumerate(g):
                if j < len(head) and head[j] in ("分值", "分数", "得分") and _TEN.fullmatch(c) and _hit(rng, noise):
                    g[j] = "IO" + c[2:]
        cs = [c for c in cells_of(base, Row(r.no, g, r.kind, r.form)) if c]
        for k, c in enumerate(cs):
            if r.kind == "funds_head" and "万元" in c and _hit(rng, noise):
                cs[k] = c.replace("万元", "万兀")
            elif r.kind != "ind" and c in OCR_LABELS and _hit(rng, noise):
                cs[k] = " ".join(c)
        out.emit(r.no, " ".join(cs))
    return out


def run_together(base: Base, rng: random.Random, noise: float) -> Out:
    """Cells joined by nothing; with noise '≧'/'≦' for '≥'/'≤' (gold raw keeps the clean sign)."""
    out = Out()
    for r in base.rows:
        cs = [c for c in cells_of(base, r) if c]
        if r.kind == "ind":
            cs = [c.replace("≥", "≧").replace("≤", "≦") if c[:1] in "≥≤" and _hit(rng, noise) else c for c in cs]
        out.emit(r.no, "".join(cs))
    return out


def one_line(base: Base, rng: random.Random, noise: float) -> Out:
    """The whole document on one line, cells joined by one space or by nothing; with noise Word
    metadata before the title."""
    sep = rng.choice((" ", ""))
    line = sep.join(c for r in base.rows for c in cells_of(base, r) if c)
    if _hit(rng, noise):
        line = f"{WORD_JUNK} {line}"
    out = Out([line])
    out.spans = {r.no: (1, 1) for r in base.rows}
    return out


def pipes(base: Base, rng: random.Random, noise: float) -> Out:
    """'| a | b |' rows, a '|---|' rule after a table's first row, merged leading cells dropped (a
    continuation row shifts left); with noise '||' for an empty cell and a missing trailing pipe."""
    out = Out()
    ruled: set[int] = set()
    for r in base.rows:
        g = [c.strip() for c in r.cells]
        if r.kind == "blank":
            out.emit(r.no, "")
            continue
        if r.kind in ("title", "text"):
            out.emit(r.no, " ".join(c for c in g if c))
            continue
        cs = g[_lead(g) :]
        tight = _hit(rng, noise)
        line = "|" + "".join(f" {c} |" if c or not tight else "|" for c in cs)
        if _hit(rng, noise):
            line = line.removesuffix("|").rstrip()
        out.emit(r.no, line)
        if r.form not in ruled:
            ruled.add(r.form)
            out.extra("|" + "---|" * len(cs))
    return out


_RENDERERS: dict[str, Callable[[Base, random.Random, float], Out]] = {
    "spaces": spaces,
    "ocr": ocr,
    "cell-per-line": cell_per_line,
    "pipes": pipes,
    "run-together": run_together,
    "one-line": one_line,
    "html": html_table,
    "pdf": pdf_text,
}
