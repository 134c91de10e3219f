"""The naive baseline: what a user gets by splitting the text on tabs, as a spreadsheet would.

Forms start at their title lines; header fields are the cell after their label; the
indicator table is read by the column positions of its header row, with empty category
cells filled down (as one does in Excel). Nothing else: no page-break repair, no category
normalisation, no LaTeX/HTML cleaning, a plain regex for values. ``jixiao eval`` reports
each engine's gain over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..intake import Source
from ..models import Document, Form, Funds, Goal, Indicator, Value

ENGINE = "baseline"

_HEADER = {
    "项目名称": "project_name",
    "主管部门": "department",
    "实施单位": "implementing_unit",
    "项目性质": "project_nature",
    "项目类别": "project_category",
    "计划开始日期": "start_date",
    "计划完成日期": "end_date",
}
_YEAR = re.compile(r"(20\d{2})\s*年")
_NUM = re.compile(r"^-?[\d,]+(?:\.\d+)?$")
_VAL = re.compile(r"^(≥|≤|>=|<=|=|>|<)?(\d+(?:\.\d+)?)(?:\((.*)\)|(%))?$")
_OPS = {"≥": ">=", "≤": "<=", ">=": ">=", "<=": "<=", "=": "=", ">": ">", "<": "<"}


def _num(cell: str) -> float | None:
    c = cell.strip()
    return float(c.replace(",", "")) if _NUM.match(c) else None


def _value(cell: str) -> Value | None:
    c = cell.strip()
    if not c or c == "-":
        return None
    m = _VAL.match(c)
    if not m:
        return Value(raw=c, text=c)
    op, num, unit, pct = m.groups()
    return Value(raw=c, op=_OPS.get(op or ""), value=float(num), unit=unit or pct)


@dataclass
class _State:
    kind: str
    first: int
    year: int | None = None
    last: int = 0
    header: dict[str, str] = field(default_factory=dict)
    funds: dict[str, float | None] = field(default_factory=dict)
    funds_cols: dict[str, int] = field(default_factory=dict)
    scale: float = 1.0
    goal_cols: dict[str, int] = field(default_factory=dict)
    goal: dict[str, str] = field(default_factory=dict)
    table: dict[str, int] | None = None
    l1: str = ""
    l2: str = ""
    rows: list[Indicator] = field(default_factory=list)
    total_score: float | None = None
    grade: str | None = None
    in_totals: bool = False


def extract(source: Source) -> Document:
    doc = Document(source=source.name, engine=ENGINE)
    cur: _State | None = None
    for no, line in enumerate(source.lines, start=1):
        cells = [c.strip() for c in line.split("\t")]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if len(filled) == 1 and ("绩效自评表" in filled[0] or "绩效目标申报表" in filled[0]):
            if cur is not None:
                doc.forms.append(_form(cur))
            kind = "self_evaluation" if "自评" in filled[0] else "target_declaration"
            cur = _State(kind=kind, first=no)
            continue
        if cur is None:
            continue
        cur.last = no
        _feed(cur, cells, filled)
    if cur is not None:
        doc.forms.append(_form(cur))
    return doc


def _feed(st: _State, cells: list[str], filled: list[str]) -> None:
    if st.year is None and len(filled) == 1 and (m := _YEAR.search(filled[0])):
        st.year = int(m.group(1))
        return
    if st.table is not None:
        if filled[0].startswith("总分"):
            nums = [n for n in (_num(c) for c in filled[1:]) if n is not None]
            st.total_score = nums[-1] if nums else None
            st.in_totals = True
            return
        if filled[0].startswith("评分等级"):
            st.grade = filled[1] if len(filled) > 1 else None
            return
        if not st.in_totals:
            _row(st, cells)
        return
    if "三级指标" in cells:
        st.table = {}
        for i, c in enumerate(cells):
            for label, col in (
                ("一级指标", "l1"),
                ("二级指标", "l2"),
                ("三级指标", "name"),
                ("指标值", "target"),
                ("实际完成值", "actual"),
                ("分值", "weight"),
                ("得分", "score"),
                ("偏差", "deviation"),
            ):
                if c.startswith(label) or (label == "指标值" and "指标值" in c):
                    st.table.setdefault(col, i)
        return
    for i, c in enumerate(cells):
        label = c.rstrip("：:")
        if label in _HEADER:
            value = next((x for x in cells[i + 1 :] if x), "")
            st.header.setdefault(_HEADER[label], value)
    if "预期目标" in cells or "年度总体目标" in cells:
        for i, c in enumerate(cells):
            if c in ("预期目标", "年度总体目标"):
                st.goal_cols["expected"] = i
            elif c == "实际完成情况":
                st.goal_cols["actual"] = i
            elif c == "项目总目标":
                st.goal_cols["overall"] = i
        if "预期目标" in cells:
            st.goal_cols["expected"] = cells.index("预期目标")
        return
    if st.goal_cols and not st.goal:
        for fld, i in st.goal_cols.items():
            if i < len(cells) and cells[i]:
                st.goal[fld] = cells[i]
        if st.goal:
            return
    _funds(st, cells)


def _funds(st: _State, cells: list[str]) -> None:
    text = "".join(cells)
    if "万元" in text:
        st.scale = 10000.0
    if "年初预算数" in cells:
        for i, c in enumerate(cells):
            col = {"年初预算数": "initial", "全年预算数": "annual", "全年执行数": "executed", "执行率(%)": "rate"}.get(
                c
            )
            col = col or {"分数": "weight", "得分": "score"}.get(c)
            if col:
                st.funds_cols[col] = i
        return
    for i, c in enumerate(cells):
        label = c.replace("其中：", "").rstrip("：:")
        if label == "年度资金总额" and st.funds_cols:
            for col, j in st.funds_cols.items():
                st.funds[col] = _num(cells[j]) if j < len(cells) else None
        elif label in ("年度资金申请总额", "当年财政拨款", "上年结转资金", "其他资金"):
            fld = {"年度资金申请总额": "requested_total", "当年财政拨款": "fiscal", "上年结转资金": "carryover"}.get(
                label, "other"
            )
            if st.funds_cols and fld != "requested_total":
                j = st.funds_cols.get("executed")
                v = _num(cells[j]) if j is not None and j < len(cells) else None
            else:
                v = next((n for n in (_num(x) for x in cells[i + 1 :]) if n is not None), None)
            st.funds.setdefault(fld, v)


def _cell(cells: list[str], st: _State, col: str) -> str:
    assert st.table is not None
    i = st.table.get(col)
    return cells[i] if i is not None and i < len(cells) else ""


def _row(st: _State, cells: list[str]) -> None:
    name = _cell(cells, st, "name")
    if not name:
        return
    l1, l2 = _cell(cells, st, "l1"), _cell(cells, st, "l2")
    st.l1 = l1 or st.l1
    st.l2 = l2 or st.l2
    scored = st.kind == "self_evaluation"
    try:
        st.rows.append(
            Indicator(
                level1=st.l1 or None,
                level2=st.l2 or None,
                name=name,
                target=_value(_cell(cells, st, "target")),
                actual=_value(_cell(cells, st, "actual")) if scored else None,
                weight=_num(_cell(cells, st, "weight")) if scored else None,
                score=_num(_cell(cells, st, "score")) if scored else None,
                deviation=_cell(cells, st, "deviation") or None,
                line=st.last,
                lines=[st.last],
            )
        )
    except ValidationError:
        return


def _form(st: _State) -> Form:
    f = st.funds

    def money(key: str) -> float | None:
        v = f.get(key)
        return None if v is None else round(v * st.scale, 2)

    data: dict[str, Any] = {
        "kind": st.kind,
        "year": st.year,
        **{k: v or None for k, v in st.header.items()},
        "funds": Funds(
            initial_budget=money("initial"),
            annual_budget=money("annual"),
            executed=money("executed"),
            requested_total=money("requested_total"),
            fiscal=money("fiscal"),
            carryover=money("carryover"),
            other=money("other"),
            execution_rate=f.get("rate"),
            weight=f.get("weight"),
            score=f.get("score"),
        ),
        "goal": Goal(**{k: v for k, v in st.goal.items()}),
        "indicators": st.rows,
        "total_score": st.total_score if st.kind == "self_evaluation" else None,
        "grade": st.grade,
        "lines": [st.first, st.last or st.first],
        "engine": ENGINE,
    }
    return Form.model_validate(data)
