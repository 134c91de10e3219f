"""Checks on how targets and results are written: vague answers, impossible targets."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Finding, Form, Indicator
from .indicators import PERCENT_UNITS, PERSON_UNITS, is_count, is_growth, is_head_count, is_rate, is_zero_kind
from .registry import Ctx, form_check
from .text import listing, row_evidence, row_lines, value_short


# Rule: a quantitative 指标值 (a number) answered by wording (达成指标, 完成, 及时) instead of a value.
@form_check(
    "vague-actual",
    "warning",
    "量化指标的实际完成值只写了文字，没有数值：{rows}",
    rule="指标值为数值（如 =100%、≥95%），实际完成值却是“达成指标”等文字",
)
def vague_actual(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if form.kind != "self_evaluation":
        return
    bad = [
        i
        for i in form.indicators
        if i.target is not None and i.target.value is not None and i.actual is not None and i.actual.value is None
    ]
    if bad:
        lines = [n for i in bad for n in row_lines(i)]
        items = [f"{i.name}（{value_short(i.target)} → {value_short(i.actual)}）" for i in bad]
        yield ctx.flag(lines=lines, evidence=[row_evidence(i, form.kind) for i in bad], rows=listing(items))


# Units that count things: a 率 measured in one of these is a slip ('有责投诉率 =0.00(人)').
_COUNT_UNITS = frozenset(
    {
        "人",
        "人次",
        "名",
        "位",
        "件",
        "个",
        "家",
        "户",
        "本",
        "张",
        "份",
        "场",
        "项",
        "所",
        "台",
        "套",
        "元",
        "万元",
        "条",
        "篇",
        "册",
    }
)


def implausible(ind: Indicator) -> str | None:
    """Why a target cannot be meant as written, or None."""
    t = ind.target
    if t is None or t.value is None:
        return None
    unit = t.unit
    percent = unit in PERCENT_UNITS
    name = ind.name
    # A zero-target rate (投诉率, 事故率) set high: '=100%' is a slip for '=0%'.
    if is_zero_kind(name) and percent:
        if (t.op in (">=", ">") and t.value > 0) or (t.op in ("=", None) and t.value >= 50):
            return f"{name} {value_short(t)}：此类比率应为 0 或越低越好"
    # A rate that must exceed 100% cannot be met meaningfully (use =100%).
    if is_rate(name) and percent and not is_growth(name):
        if (t.op in (">=", ">") and t.value >= 100) or t.value > 100:
            return f"{name} {value_short(t)}：比率不可能超过 100%"
    # A rate counted in people or things.
    if is_rate(name) and unit in _COUNT_UNITS:
        return f"{name} {value_short(t)}：比率的单位不应是“{unit}”"
    # A count measured in %.
    if is_count(name) and percent:
        return f"{name} {value_short(t)}：数量指标的单位不应是 %"
    # A number of people measured in copies, sheets, ...
    if is_head_count(name) and unit and not percent and unit not in PERSON_UNITS:
        return f"{name} {value_short(t)}：人数的单位不应是“{unit}”"
    return None


# Rule: 投诉率-type rate with a ≥/> target or one ≥ 50%, a rate ≥ 100% (growth excepted), a 率 in 人/件, a 数量 in %, a 人数 in 本.
@form_check(
    "implausible-target",
    "warning",
    "指标值不合情理：{rows}",
    rule="投诉率/事故率类指标值设为 ≥ 某值或 ≥ 50%（应为 0 或 ≤）；比率 ≥100% 或 >100%（增长率除外）；比率以人、件等计；数量以 %、人数以本等计",
)
def implausible_target(form: Form, ctx: Ctx) -> Iterator[Finding]:
    hits = [(i, why) for i in form.indicators if (why := implausible(i))]
    if hits:
        lines = [n for i, _ in hits for n in row_lines(i)]
        yield ctx.flag(
            lines=lines, evidence=[row_evidence(i, form.kind) for i, _ in hits], rows=listing([w for _, w in hits])
        )
