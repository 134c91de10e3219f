"""The rows of a TAB rendering, and the layouts that break a row over lines: cell-per-line, html, pdf.

``parse`` labels each line of ``render_text``'s clean output (title, header, funds, goal,
indicator table …); every renderer writes through ``Out``, which records for each old line
the first and last new line it became, so ``layouts_render.remap`` can move the gold.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field

from ..models import Form

HEAD_LABELS = frozenset(
    {"项目名称", "主管部门", "实施单位", "项目性质", "项目类别", "计划开始日期", "计划完成日期"}
    # the province templates' (templates_render)
    | {"主管部门及代码", "项目属性", "项目期", "项目负责人", "项目起止时间", "项目单位", "联系电话", "建设地点"}
    | {"建设规模及主要内容", "计划开工时间", "计划竣工时间", "项目总投资（万元）"}
)
# goal blocks (项目概况, a text block printed like one, too)
GOAL_HEADS = frozenset(
    {"年度总体目标", "项目绩效目标", "年度目标", "总体目标", "年度绩效目标", "项目总目标", "项目概况"}
)
TOTAL_LABELS = frozenset({"总分", "评分等级", "评价等级"})
# rows where a merged (rowspan) cell may not continue from the row above
SECTION_STARTS = frozenset({"head", "funds_head", "goal_head", "table_head", "total"})
_NUMBER = re.compile(r"^[-—\d.,%]+$")


@dataclass
class Row:
    no: int  # 1-based line of the TAB text
    cells: list[str]
    kind: str = "blank"  # blank title text head funds_head funds goal_head goal table_head ind total
    form: int = -1


@dataclass
class Base:
    rows: list[Row]
    gold: list[Form]
    heads: dict[int, list[str]] = field(default_factory=dict)  # form -> indicator table header cells

    def fillers(self, form: int) -> frozenset[int]:
        """Columns whose table header is empty after the first label: the second half of a merged cell."""
        head = self.heads.get(form, [])
        first = next((j for j, c in enumerate(head) if c), len(head))
        return frozenset(j for j, c in enumerate(head) if j > first and not c)

    def column(self, form: int, label: str) -> int:
        head = self.heads.get(form, [])
        return head.index(label) if label in head else -1

    def forms(self) -> list[list[Row]]:
        out: list[list[Row]] = [[] for _ in self.gold]
        for r in self.rows:
            if r.form >= 0:
                out[r.form].append(r)
        return out


def parse(text: str, gold: list[Form]) -> Base:
    rows = [Row(i + 1, line.split("\t")) for i, line in enumerate(text.split("\n"))]
    if rows and rows[-1].cells == [""]:
        rows.pop()  # the text ends with a newline
    base = Base(rows, gold)
    ind = {n for f in gold for i in f.indicators for n in (i.lines or [i.line])}
    for fi, f in enumerate(gold):
        state = ""
        for r in rows[f.lines[0] - 1 : f.lines[-1]]:
            r.form = fi
            first = next((c.strip() for c in r.cells if c.strip()), "")
            if not first:
                continue
            if r.no == f.lines[0]:
                r.kind = "title"
            elif r.no in ind:
                r.kind = "ind"
            elif first in HEAD_LABELS:
                r.kind = "head"
            elif first.startswith("项目资金"):
                r.kind, state = "funds_head", "funds"
            elif re.sub(r"\s", "", first) in GOAL_HEADS:
                r.kind, state = "goal_head", "goal"
            elif "一级指标" in r.cells:
                r.kind, state = "table_head", "table"
                base.heads[fi] = r.cells
            elif first in TOTAL_LABELS:
                r.kind = "total"
            elif state == "table":
                r.kind = "ind"  # a template's empty scaffold row ('指标2：', '……'): printed as a row, no gold
            else:
                r.kind = state if state in ("funds", "goal") else "text"
    return base


def cells_of(base: Base, r: Row) -> list[str]:
    """The cells a reader sees: merged (empty) cells gone; an indicator row keeps its empty cells
    after the first printed one (an empty 偏差原因 is a cell), drops the merged categories before it."""
    if r.kind != "ind":
        return [c.strip() for c in r.cells if c.strip()]
    fill = base.fillers(r.form)
    cs = [c for j, c in enumerate(r.cells) if j not in fill]
    k = next((j for j, c in enumerate(cs) if c), len(cs))
    return cs[k:]


@dataclass
class Out:
    lines: list[str] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # old line -> (first, last) new line

    def emit(self, no: int, *lines: str) -> None:
        start = len(self.lines) + 1
        self.lines.extend(lines)
        if lines:
            self.spans[no] = (start, len(self.lines))

    def extra(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _hit(rng: random.Random, noise: float) -> bool:
    return noise > 0 and rng.random() < noise


# ---- cell-per-line -------------------------------------------------------------------------


def cell_per_line(base: Base, rng: random.Random, noise: float) -> Out:
    """Every cell its own line; empty cells inside a row as empty lines; header cells may split."""
    out = Out()
    for r in base.rows:
        if r.kind == "blank":
            out.emit(r.no, "")
            continue
        cs = cells_of(base, r)
        if r.kind == "ind" and _hit(rng, noise):
            while cs and not cs[-1]:
                cs.pop()  # empty trailing cells dropped
        lines: list[str] = []
        for c in cs:
            split = r.kind in ("funds_head", "table_head") and len(c) >= 4 and _hit(rng, noise)
            if split and not any(ch.isdigit() for ch in c):  # an amount in a funds head row stays whole
                lines += [c[:2], c[2:]]  # '年初' / '预算数'
            else:
                lines.append(c)
        out.emit(r.no, *lines)
    return out


# ---- html ----------------------------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


def _grid(base: Base, rows: list[Row]) -> list[list[_Cell]]:
    """The table's cells per row: merged categories as rowspans (from the empty cells below them),
    merged headers as colspans (from the empty cells after them), other empty cells as themselves."""
    width = max(len(r.cells) for r in rows)
    grid = [r.cells + [""] * (width - len(r.cells)) for r in rows]
    lead = [next((j for j, c in enumerate(g) if c.strip()), width) for g in grid]
    taken = [[False] * width for _ in grid]
    out: list[list[_Cell]] = []
    for i, (r, g) in enumerate(zip(rows, grid)):
        fill = base.fillers(r.form) if r.kind == "ind" else frozenset(range(width))
        cells: list[_Cell] = []
        for j in range(width):
            if taken[i][j]:
                continue
            if not g[j].strip():
                cells.append(_Cell(""))
                continue
            rs = 1
            while i + rs < len(rows) and rows[i + rs].kind not in SECTION_STARTS and j < lead[i + rs]:
                rs += 1
            cs = 1
            while j + cs < width and not g[j + cs].strip() and (j + cs) in fill:
                if any(j + cs >= lead[i + k] for k in range(1, rs)):
                    break
                cs += 1
            for k in range(rs):
                for m in range(cs):
                    taken[i + k][j + m] = True
            cells.append(_Cell(g[j].strip(), rs, cs))
        out.append(cells)
    return out


def _td(c: _Cell, rng: random.Random, noise: float, goal: bool) -> str:
    text = html.escape(c.text, quote=False) if c.text else "&nbsp;"
    if c.text and _hit(rng, noise) and ("≥" in text or "≤" in text):
        text = text.replace("≥", "&ge;").replace("≤", "&le;")
    if goal and len(c.text) > 30 and "，" in text and _hit(rng, noise):
        text = text.replace("，", "，<br/>", 1)
    attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
    return f"<td{attrs}>{text}</td>"


def html_table(base: Base, rng: random.Random, noise: float) -> Out:
    """Page source: titles as <p>, the form a <table>, one <tr> per row (some spread over lines)."""
    out = Out()
    out.extra('<div class="article-content">')
    for rows in base.forms():
        for r in rows:
            if r.kind == "title":
                out.emit(r.no, f'<p style="text-align:center"><strong>{html.escape(r.cells[0].strip())}</strong></p>')
            elif r.kind == "text":
                out.emit(r.no, f'<p style="text-align:center">{html.escape(" ".join(cells_of(base, r)))}</p>')
        table = [r for r in rows if r.kind not in ("blank", "title", "text")]
        if not table:
            continue
        out.extra('<table border="1" cellspacing="0" cellpadding="0" width="640">', "<tbody>")
        for r, cells in zip(table, _grid(base, table)):
            tds = [_td(c, rng, noise, r.kind == "goal") for c in cells]
            if _hit(rng, noise):
                start = len(out.lines) + 1
                out.extra("<tr>", *(f"  {td}" for td in tds), "</tr>")
                out.spans[r.no] = (start, len(out.lines) - 1)
            else:
                out.emit(r.no, "<tr>" + "".join(tds) + "</tr>")
        out.extra("</tbody>", "</table>", "<p>&nbsp;</p>")
    out.extra("</div>")
    return out


# ---- pdf (pdftotext without -layout) -------------------------------------------------------


def pdf_text(base: Base, rng: random.Random, noise: float) -> Out:
    """Header labels in a block then their values; a funds row's numbers on one line before or
    after its label; category labels of a row (with noise) on the line after it; else single spaces."""
    out = Out()
    rows = base.rows
    i = 0
    while i < len(rows):
        r = rows[i]
        if r.kind == "head":
            block = [r]
            while i + 1 < len(rows) and rows[i + 1].kind == "head":
                i += 1
                block.append(rows[i])
            _head_block(base, block, out)
        elif r.kind in ("funds_head", "funds"):
            cs = cells_of(base, r)
            texts = [c for c in cs if not _NUMBER.match(c)]
            nums = " ".join(c for c in cs if _NUMBER.match(c))
            lines = texts if not nums else [nums, *texts] if rng.random() < 0.5 else [*texts, nums]
            out.emit(r.no, *lines)
        elif r.kind in ("goal_head", "goal"):
            out.emit(r.no, *cells_of(base, r))
        elif r.kind == "ind":
            name_col = base.column(r.form, "三级指标")
            labels = [c.strip() for c in r.cells[: max(name_col, 0)] if c.strip()]
            rest = [c.strip() for c in r.cells[max(name_col, 0) :] if c.strip()]
            if labels and _hit(rng, noise):
                out.emit(r.no, " ".join(rest), " ".join(labels))
            else:
                out.emit(r.no, " ".join(labels + rest))
        else:
            out.emit(r.no, " ".join(cells_of(base, r)))
        i += 1
    return out


def _head_block(base: Base, block: list[Row], out: Out) -> None:
    labels: list[tuple[int, str]] = []
    values: list[tuple[int, str]] = []
    for r in block:
        for c in cells_of(base, r):
            (labels if c in HEAD_LABELS else values).append((r.no, c))
    start = len(out.lines) + 1
    out.extra(*(c for _, c in labels), *(c for _, c in values))
    for r in block:
        mine = [k for k, (no, _) in enumerate(labels + values) if no == r.no]
        if mine:
            out.spans[r.no] = (start + mine[0], start + mine[-1])
