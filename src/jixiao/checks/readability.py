"""What the reader could not take at face value: a cut-off form, a funds head whose unit the
amounts contradict, a target or actual that is no value (an Excel date serial, an OCR '2'
standing for '≥'). Each is kept as printed and flagged, never repaired silently."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Finding, Form, Value
from .registry import Ctx, form_check
from .text import field_lines, row_evidence, row_lines

# digits (and a percent sign) the reader kept as text: no value it could stand behind
_NUMBER_AS_TEXT = re.compile(r"^\s*\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*$|^\s*\d+(?:\.\d+)?\s*%?\s*$")


def unreadable(v: Value | None) -> bool:
    return v is not None and v.value is None and bool(v.text) and bool(_NUMBER_AS_TEXT.match(v.raw))


# Rule: the form stops before its end (no 总分 row in a self-evaluation, or a table that ends
# in 产出/成本指标): arithmetic checks that need the missing part are not run on it.
@form_check(
    "incomplete-form",
    "warning",
    "表单不完整（疑被截断）：{why}；合计、缺少类别等检查未对其运行",
    rule="自评表没有总分行，或指标表止于产出/成本指标而无效益、满意度指标",
)
def incomplete_form(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if form.complete:
        return
    why = "；".join(p for p in form.problems if "截断" in p) or "表单缺少后半部分"
    yield ctx.flag(lines=[form.lines[-1]] if form.lines else [], why=why)


# Rule: the funds head prints 万元 but an amount is ≥ 500,000 (50亿元 if read as 万元): read as 元.
@form_check(
    "unit-mismatch",
    "warning",
    "资金表头单位为万元，但金额明显以元填写（如 {amount}）：已按元读取，请核对",
    rule="资金表头为万元而金额 ≥ 500,000（按万元即 50 亿元以上），按数量级改按元读取并提示",
)
def unit_mismatch(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if not form.funds_unit_mismatch:
        return
    f = form.funds
    amounts = [v for v in (f.initial_budget, f.annual_budget, f.executed, f.requested_total, f.fiscal) if v]
    lines = field_lines(form, "funds.initial_budget", "funds.executed", "funds.requested_total", "funds.fiscal")
    yield ctx.flag(lines=lines or [form.first_line], amount=f"{max(amounts):,.2f}" if amounts else "")


# Rule: a target or actual printed as digits that are no value: an Excel date serial in a date's
# cell (45,260 = 2023-11-30), a rate above 100 % whose first '2' is an OCR '≥' ('298%').
@form_check(
    "unreadable-value",
    "warning",
    "{rows}：指标值无法按数值读取（疑为 Excel 日期序号或 OCR 把“≥”识成“2”），已按原文保留",
    rule="指标值或实际值是数字，但在其位置上不成立（时间指标的 5 位日期序号、比率类 2xx%）",
)
def unreadable_value(form: Form, ctx: Ctx) -> Iterator[Finding]:
    hits = [i for i in form.indicators if unreadable(i.target) or unreadable(i.actual)]
    if hits:
        yield ctx.flag(
            lines=[n for i in hits for n in row_lines(i)],
            evidence=[row_evidence(i, form.kind) for i in hits],
            rows="、".join(f"{i.name}（{(i.target.raw if unreadable(i.target) else i.actual.raw)}）" for i in hits),  # type: ignore[union-attr]
        )
