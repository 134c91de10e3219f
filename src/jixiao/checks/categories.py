"""Checks against the indicator framework: unknown or missing categories, repeated rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..framework import BLOCK_LABELS, LEVEL1, STANDARD, children, parent, standard_name
from ..models import Finding, Form, Indicator
from ..textnorm import key
from .indicators import is_cost
from .registry import Ctx, form_check
from .text import listing, name_key, row_evidence, row_lines


def _category_problems(ind: Indicator) -> list[str]:
    out: list[str] = []
    for label, raw, value in (("一级指标", ind.level1_raw, ind.level1), ("二级指标", ind.level2_raw, ind.level2)):
        if raw and standard_name(raw) is None and key(raw) not in BLOCK_LABELS:
            shown = f"（按「{value}」处理）" if value and value != raw else ""
            out.append(f"第{ind.line}行{label}「{raw}」不是标准类别{shown}")
        elif value and value not in STANDARD:
            out.append(f"第{ind.line}行{label}「{value}」不是标准类别")
    if ind.level1 in LEVEL1 and ind.level2 in STANDARD and ind.level2 not in children(ind.level1):
        out.append(f"第{ind.line}行二级指标「{ind.level2}」不属于一级指标「{ind.level1}」")
    return out


# Rule: a 一级/二级指标 cell (as printed) outside the standard framework, or a 二级 under the wrong 一级.
@form_check(
    "unknown-category",
    "warning",
    "指标类别不在标准框架内（常见于识别错误）：{rows}",
    rule="一级/二级指标单元格（原文）不是财预〔2020〕10号框架中的名称或常见别称，或二级指标不属于其一级指标",
)
def unknown_category(form: Form, ctx: Ctx) -> Iterator[Finding]:
    rows: list[Indicator] = []
    items: list[str] = []
    for ind in form.indicators:
        problems = _category_problems(ind)
        if problems:
            rows.append(ind)
            items += problems
    if rows:
        yield ctx.flag(
            lines=[n for i in rows for n in row_lines(i)],
            evidence=[row_evidence(i, form.kind) for i in rows],
            rows=listing(items),
        )


def _level1s(form: Form) -> set[str]:
    have: set[str] = set()
    for ind in form.indicators:
        if ind.level1:
            have.add(ind.level1)
        if ind.level2:
            # old forms file 成本指标 under 产出指标: the cost row still counts as a cost indicator
            have.add("成本指标" if ind.level2.endswith("成本指标") else parent(ind.level2) or "")
    return have


# Rule: a form without one of required_level1 (产出/效益/满意度), or without 成本指标 from cost_required_from_year.
@form_check(
    "missing-category",
    "info",
    "缺少{missing}",
    rule="表中没有 required_level1 所列一级指标（默认产出、效益、满意度）；cost_required_from_year 起还须有成本指标",
)
def missing_category(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if not form.indicators or not form.complete:
        return  # nothing was read, or the form is cut off: not a missing category
    required = list(ctx.cfg.required_level1)
    since = ctx.cfg.cost_required_from_year
    if since is not None and form.year is not None and form.year >= since and "成本指标" not in required:
        required.insert(0, "成本指标")
    have = _level1s(form)
    missing = [r for r in required if r not in have]
    if missing:
        first = min(i.line for i in form.indicators)
        yield ctx.flag(lines=[first], missing="、".join(missing))


# Rule: one 三级指标 name twice in a form, except a cost row paired with its quantity row.
@form_check(
    "duplicate-indicator",
    "warning",
    "同一三级指标重复出现：{rows}",
    rule="同一表内三级指标名称（忽略标点空白）重复；成本指标与同名数量指标（单价与数量）不算重复",
)
def duplicate_indicator(form: Form, ctx: Ctx) -> Iterator[Finding]:
    groups: dict[tuple[str, bool], list[Indicator]] = defaultdict(list)
    for ind in form.indicators:
        k = name_key(ind.name)
        if k:
            groups[(k, is_cost(ind))].append(ind)
    dups = [g for g in groups.values() if len(g) > 1]
    if dups:
        items = [f"「{g[0].name}」×{len(g)}（第{'、'.join(str(i.line) for i in g)}行）" for g in dups]
        rows = [i for g in dups for i in g]
        yield ctx.flag(
            lines=[n for i in rows for n in row_lines(i)],
            evidence=[row_evidence(i, form.kind) for i in rows],
            rows=listing(items),
        )
