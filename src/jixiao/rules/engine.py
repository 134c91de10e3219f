"""The rules engine: deterministic, offline, fast. Text lines in, a Document out."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from pydantic import ValidationError

from ..gcpause import gc_paused
from ..intake import Source
from ..layout import read_grid
from ..models import Document, Form, Funds, Goal
from ..templates import Template, recognise, templates
from ..textnorm import key, key_longer_than, split_cells
from .blocks import (
    GOAL_COLUMNS,
    TOTALS_HINT,
    FundsReader,
    GoalReader,
    date_range,
    funds_row_label,
    goal_columns,
    header_label,
    iso_date,
    read_header,
    totals,
)
from .notforms import describe
from .segment import Line, Segment, segment, year_in
from .table import Layout, TableReader, table_header

ENGINE = "rules"
LOW_CONFIDENCE = 0.8  # a form read this poorly gets a warning of its own


def segments_of(source: Source) -> list[Segment]:
    """The source's forms as segments of its grid (the layout stage's rows)."""
    # xlsx, docx, pdf, image: the file reader already made the grid of tab-separated rows
    forced = None if source.kind == "text" else ("ocr" if source.kind == "image" else source.kind)
    return segment(source.lines, read_grid(source.lines, forced) if forced else None)


def extract(source: Source) -> Document:
    """Every form of one source."""
    doc = Document(source=source.name, engine=ENGINE, warnings=list(source.warnings))
    with gc_paused():
        segs = segments_of(source)
        segs.reverse()
        known = templates()
        while segs:  # pop each segment: its lines are freed as its form is made
            form = extract_segment(segs.pop(), source.lines, known)
            if form is None:
                continue
            doc.forms.append(form)
    if not doc.forms:
        doc.notes.extend(describe(source.lines))
        if not doc.notes:
            doc.warnings.append(f"{source.name}: 未找到绩效自评表或绩效目标申报表 (no form found)")
    for form in doc.forms:
        if form.confidence < LOW_CONFIDENCE:
            doc.warnings.append(
                f"{source.name} 第{form.lines[0]}行起（{form.project_name or '未识别项目'}）：版式 {form.layout}，"
                f"只读出 {form.confidence:.0%} 的行，{len(form.unread)} 行未读取，请核对"
            )
        if form.unread:
            doc.notes.append(
                f"{form.project_name or '（未识别项目）'}（第{form.lines[0]}行起）：{len(form.unread)} 行未能读取，原文已列在该表的“未读取的行”中"
            )
    return doc


def extract_segment(
    seg: Segment, raw: list[str] | None = None, known: tuple[Template, ...] | None = None
) -> Form | None:
    header: dict[str, str] = {}
    where: dict[str, list[int]] = {}
    funds = FundsReader()
    goal: GoalReader | None = None
    table: TableReader | None = None
    tot: dict[str, Any] = {}
    state = "header"
    content: list[Line] = []  # the rows some reader took
    review = False  # the table prints 复核分 beside 自评分 (its totals row does too)
    lines, head, head_layout = _unwrap_head(seg.lines)
    for ln in lines:
        if seg.title_line is not None and ln is seg.lines[0]:
            content.append(ln)
            continue
        if state == "header" and _is_year_line(ln):
            content.append(ln)
            continue
        content.append(ln)
        if state in ("table", "totals") and ln.values and TOTALS_HINT.search(ln.values[0]):
            t = totals(ln, review=review)
            if t is not None:
                for k, v in t.items():
                    tot[k] = v
                    where[k] = [ln.no]
                state = "totals"
                continue
        if ln is head:
            lay = head_layout
        else:
            lay = table_header(ln) if "级" in ln.joined else None  # every table head says 一级/三级
        if lay is not None:
            review = "review" in lay.roles_after
            table = TableReader(
                lay,
                seg.blank_after,
                middle_labels=seg.layout in ("spaces", "pdf") and not (seg.grid and seg.grid.from_file),
                labels_apart=seg.layout == "ocr" and not (seg.grid and seg.grid.from_file),
                positional=seg.layout not in ("cell-per-line", "run-together", "one-line", "ocr"),
            )
            state = "table"
            continue
        if state == "table":
            assert table is not None
            table.feed(ln)
            continue
        if state == "totals":
            continue
        cols = goal_columns(ln)
        if cols and (goal is None or state != "goal" or len(cols) > 1):
            goal = GoalReader(cols)
            state = "goal"
            goal.feed(ln)  # a row label with its text on the same row ('年度目标 | 完成…')
            continue
        if state == "goal":
            assert goal is not None
            goal.feed(ln)
            continue
        if read_header(ln, header, where):
            continue
        if funds.feed(ln):
            state = "funds"
            continue
        content.pop()  # not part of any block we know
    if not header and table is None and goal is None:
        return None
    placed, unread, confidence = _placement(seg, content, raw)
    problems: list[str] = []
    indicators = table.finish() if table else []
    if table:
        problems.extend(table.problems)
    else:
        problems.append("未找到指标表（一级指标/二级指标/三级指标表头），表单可能不完整")
    money, money_where = funds.result()
    for k, v in money_where.items():
        where[f"funds.{k}"] = v
    goals = goal.result() if goal else {}
    if goal:
        for k, v in goal.where.items():
            where[f"goal.{k}"] = v
    kind = seg.kind or _infer_kind(table, goals, money)
    complete = table is not None
    if kind == "self_evaluation" and table and "total_score" not in tot:
        problems.append("未找到总分行，表单可能被截断")
        complete = False
    if (
        indicators
        and indicators[-1].level1 in ("产出指标", "成本指标")
        and not any(i.level1 in ("效益指标", "满意度指标") for i in indicators)
    ):
        problems.append("指标表在产出/成本指标后中断（无效益、满意度指标），表单可能被截断")
        complete = False
    start, end = iso_date(header.get("start_date")), iso_date(header.get("end_date"))
    if not (start or end) and header.get("period"):
        start, end = date_range(header["period"])
    year = seg.year or year_in(header.get("start_date", "")) or None
    data: dict[str, Any] = {
        "kind": kind,
        "year": year,
        "project_name": header.get("project_name"),
        "department": header.get("department"),
        "implementing_unit": header.get("implementing_unit"),
        "project_nature": header.get("project_nature"),
        "project_category": header.get("project_category"),
        "start_date": start,
        "end_date": end,
        "funds": Funds(**money),
        "goal": Goal(**goals),
        "indicators": indicators,
        "total_score": tot.get("total_score"),
        "total_weight": tot.get("total_weight"),
        "review_total": tot.get("review_total"),
        "funds_unit_mismatch": funds.unit_mismatch,
        "grade": tot.get("grade"),
        "lines": [min(placed), max(placed)] if placed else [0, 0],
        "layout": seg.layout,
        "template": _template(seg, table, raw, placed, known),
        "complete": complete,
        "confidence": confidence,
        "unread": unread,
        "engine": ENGINE,
        "field_lines": where,
        "problems": problems,
    }
    return build_form(data)


_NO, _SRC, _UNCERTAIN = attrgetter("no"), attrgetter("_src"), attrgetter("uncertain")


def _placement(
    seg: Segment, content: list[Line], raw: list[str] | None
) -> tuple[set[int], list[dict[str, Any]], float]:
    """The source lines the form's readers placed, the lines inside the form they did not
    (with their text), and the share placed: the form's confidence."""
    # C-speed passes over the rows (this runs for every form): rebuilt and guessed rows are few
    placed = set(map(_NO, content))
    shaky: set[int] = set()
    if any(map(_UNCERTAIN, content)):
        for ln in content:
            if ln.uncertain:
                shaky.update(ln.src)
        placed |= shaky
    for src in filter(None, map(_SRC, content)):  # a rebuilt row: every line it came from
        placed.update(src)
    if not placed or raw is None:
        return placed, [], 1.0
    first, last = min(placed), max(placed)
    unread: list[dict[str, Any]] = []
    top = min(last, len(raw))
    counted = len(placed) if last <= len(raw) else sum(1 for no in placed if no <= top)
    if counted != top - first + 1:  # only the lines no reader placed need a look: a few
        for no in range(first, top + 1):
            if no in placed:
                continue
            text = raw[no - 1].strip()
            if not text or split_cells(text) is None:
                continue  # blank lines, rules and page furniture are no content
            counted += 1
            unread.append({"line": no, "text": text[:500]})
    good = counted - len(unread) - (len(shaky - {u["line"] for u in unread}) if shaky else 0)
    if seg.grid is not None:  # parts of placed lines that no reader took (junk before a title)
        unread.extend({"line": no, "text": t[:500]} for no, t in seg.grid.unplaced_between(first, last))
    confidence = 1.0 if good == counted else round(max(0.0, good) / counted, 3) if counted else 1.0
    return placed, unread, confidence


def _template(
    seg: Segment, table: TableReader | None, raw: list[str] | None, placed: set[int], known: tuple[Template, ...] | None
) -> str:
    title = seg.lines[0].joined if seg.title_line is not None and seg.lines else ""
    columns = table.layout.roles_after if table and table.layout.roles_after else []
    if table and not columns:
        lay = table.layout
        columns = [r for r, on in (("target", True), ("actual", lay.actual), ("weight", lay.weight),
                                   ("score", lay.score), ("deviation", lay.deviation)) if on]  # fmt: skip
    if raw is None or not placed:
        return recognise(title, columns, "", known)
    first, last = min(placed), max(placed)
    return recognise(title, columns, lambda: "".join(raw[max(0, first - 1) : min(len(raw), last, first + 150)]), known)


def build_form(data: dict[str, Any]) -> Form:
    """Validate; when the content breaks a rule (a score on a declaration, a negative weight),
    keep the form, drop the offending values and say so in ``problems``."""
    try:
        return Form.model_validate(data)
    except ValidationError as e:
        problems = list(data.get("problems", []))
        problems.extend(err["msg"].removeprefix("Value error, ") for err in e.errors())
        fixed = dict(data)
        fixed["problems"] = problems
        inds = []
        for ind in data.get("indicators", []):
            upd: dict[str, Any] = {}
            if ind.weight is not None and ind.weight < 0:
                upd["weight"] = None
            if ind.score is not None and (ind.score < 0 or data.get("kind") == "target_declaration"):
                upd["score"] = None
            inds.append(ind.model_copy(update=upd) if upd else ind)
        fixed["indicators"] = inds
        if data.get("kind") == "target_declaration":
            fixed["total_score"] = None
        return Form.model_validate(fixed)


def _unwrap_head(lines: list[Line]) -> tuple[list[Line], Line | None, Layout | None]:
    """Above the indicator table, a line holding one cell right under a cell of the line
    before is that cell's wrapped rest ('上海市奉贤区教育技' + '术装备中心', '2023-' +
    '12-31', '财政项目支出绩效' + '自评表'): put it back. The table does its own.
    Also the table's head row and what it says (found here, read once)."""
    out: list[Line] = []
    for n, ln in enumerate(lines):
        if "级" in ln.joined and (lay := table_header(ln)) is not None:  # every table head says 一级/三级
            return out + lines[n:], ln, lay
        prev = out[-1] if out else None
        if prev is not None and prev is not lines[0] and len(ln.values) == 1 and ln.no == max(prev.src) + 1:
            ((col, text),) = ln.filled
            above = prev.cells[col] if col < len(prev.cells) else ""
            if above and not _is_label(above) and not _is_label(text):  # a value's rest only
                cells = list(prev.cells)
                cells[col] = prev.cells[col] + text
                out[-1] = Line(prev.no, cells, (*prev.src, *ln.src))
                continue
        out.append(ln)
    return out, None, None


def _is_label(cell: str) -> bool:
    """A cell that starts something of its own: a header or funds label, a goal head."""
    if key_longer_than(cell, 24):
        return False  # a goal text, a long value: no label (and no key worth computing)
    return header_label(cell) is not None or funds_row_label(cell) is not None or key(cell) in GOAL_COLUMNS


def _is_year_line(ln: Line) -> bool:
    filled = ln.values
    return len(filled) == 1 and year_in(filled[0]) is not None and len(key(filled[0])) <= 12


def _infer_kind(table: TableReader | None, goals: dict[str, str], money: dict[str, Any]) -> str:
    if (table and table.layout.scored) or goals.get("actual") or money.get("executed") is not None:
        return "self_evaluation"
    return "target_declaration"
