"""From the model's answer (cells as printed) to ``jixiao.models.Form``, with the rules
engine's own parsers: ``values.parse_value`` for targets and actuals, ``textnorm.clean`` for
names and texts, ``framework.standard_name`` for categories, and 万元 -> 元 by the unit the
form prints (the source decides, not the model, when the source says it)."""

from __future__ import annotations

from typing import Any

from .. import framework
from ..models import AMOUNT_FIELDS, Form, FormKind, Funds, Goal, Indicator
from ..rules import build_form
from ..textnorm import clean
from ..values import parse_value
from .grounding import Evidence, Grounded
from .schema import FormOut

ENGINE = "llm"


def funds_unit(ev: Evidence) -> str | None:
    """'万元' or '元' as the funds block's label says ('项目资金（万元）', '项目资金 (元)')."""
    for no in ev.order:
        k = ev.keys[no]
        if "资金" in k or "预算" in k:
            if "(万元)" in k or "万元)" in k:
                return "万元"
            if "(元)" in k:
                return "元"
    return None


def to_form(
    out: FormOut,
    grounded: Grounded,
    ev: Evidence,
    *,
    kind: FormKind | None,
    lines: list[int],
    year: int | None = None,
) -> Form:
    problems = list(grounded.problems)
    form_kind: FormKind = kind or out.kind
    if kind and out.kind != kind:
        problems.append(f"模型判断的表单类型 {out.kind} 与标题不符，按标题取 {kind}")
    unit = funds_unit(ev) or out.funds.unit or "元"
    if out.funds.unit and out.funds.unit != unit:
        problems.append(f"模型报告的资金单位 {out.funds.unit} 与原文表头不符，按原文取 {unit}")
    scale = 10000.0 if unit == "万元" else 1.0
    funds: dict[str, Any] = {}
    for name in Funds.model_fields:
        value = getattr(out.funds, name)
        if value is not None and name in AMOUNT_FIELDS:
            given = grounded.amount_units.get(name)  # the model's own unit, where it differs
            value = round(value * (scale if given is None else 10000.0 if given == "万元" else 1.0), 2)
        funds[name] = value
    if grounded.amount_units:
        problems.append(
            "模型给出的部分金额单位与原文不同，已按原文数字换算：" + "、".join(sorted(grounded.amount_units))
        )
    indicators = []
    for i, ind in enumerate(out.indicators):
        level2 = framework.standard_name(ind.level2) or clean(ind.level2)
        level1 = framework.standard_name(ind.level1) or clean(ind.level1) or framework.parent(level2)
        indicators.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=clean(ind.name) or ind.name,
                target=parse_value(ind.target),
                actual=parse_value(ind.actual),
                weight=ind.weight,
                score=ind.score,
                deviation=clean(ind.deviation),
                line=grounded.lines[i] if i < len(grounded.lines) else ind.line,
                # what the model wrote, when it is not already the standard name (a garble stays visible)
                level1_raw=ind.level1 if ind.level1 and ind.level1 != level1 else None,
                level2_raw=ind.level2 if ind.level2 and ind.level2 != level2 else None,
                lines=grounded.rows[i] if i < len(grounded.rows) else [ind.line],
            )
        )
    data: dict[str, Any] = {
        "kind": form_kind,
        "year": out.year or year,
        "project_name": clean(out.project_name),
        "department": clean(out.department),
        "implementing_unit": clean(out.implementing_unit),
        "project_nature": clean(out.project_nature),
        "project_category": clean(out.project_category),
        "start_date": out.start_date,
        "end_date": out.end_date,
        "funds": Funds(**funds),
        "goal": Goal(expected=clean(out.goal.expected), actual=clean(out.goal.actual), overall=clean(out.goal.overall)),
        "indicators": indicators,
        "total_score": out.total_score,
        "total_weight": out.total_weight,
        "grade": clean(out.grade),
        "lines": lines,
        "engine": ENGINE,
        "field_lines": grounded.field_lines,
        "problems": problems,
        "unsupported": grounded.unsupported,
    }
    return build_form(data)


def failed_form(
    reason: str, *, kind: FormKind, lines: list[int], identity: Form | None = None, engine: str = ENGINE
) -> Form:
    """A form the LLM could not read: kept, with the reason, never dropped. Its identity
    (project, department, year) comes from the rules engine's reading of the same lines, so a
    reviewer can tell which form failed."""
    data: dict[str, Any] = {"kind": kind, "lines": lines, "engine": engine, "problems": [reason], "failed": reason}
    if identity is not None:
        for name in ("year", "project_name", "department", "implementing_unit"):
            data[name] = getattr(identity, name)
        data["field_lines"] = {k: v for k, v in identity.field_lines.items() if k in data}
    return Form.model_validate(data)
