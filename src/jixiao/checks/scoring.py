"""Checks on the scores of a self-evaluation: bounds, sums, grade, deductions and results."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..models import Finding, Form, Indicator
from ..templates import by_id
from .indicators import ROW_EPS, comparable, deducted, full_marks, is_reverse, meets, says_achieved, says_not_achieved
from .registry import Ctx, form_check
from .text import field_lines, listing, num, row_evidence, row_lines, value_short


def _rows(form: Form, rows: list[Indicator], describe: Callable[[Indicator], str]) -> tuple[list[int], list[str], str]:
    """Lines, evidence and a short listing for the rows a finding is about."""
    lines: list[int] = []
    evidence: list[str] = []
    items: list[str] = []
    for ind in rows:
        lines += row_lines(ind)
        evidence.append(row_evidence(ind, form.kind))
        items.append(describe(ind))
    return lines, evidence, listing(items)


# Rule: 得分 > 分值 (indicator rows, the funds row, 总分); printed to 2 decimals, so no slack.
@form_check(
    "score-exceeds-weight",
    "error",
    "得分高于分值：{rows}",
    rule="任一指标、资金执行率行或总分的得分 > 分值（两位小数，不设容差）",
)
def score_exceeds_weight(form: Form, ctx: Ctx) -> Iterator[Finding]:
    tol = ROW_EPS  # one printed score against one printed weight: no rounding slack needed
    bad = [i for i in form.indicators if i.weight is not None and i.score is not None and i.score > i.weight + tol]
    lines, evidence, rows = _rows(form, bad, lambda i: f"{i.name} 得分 {num(i.score)} > 分值 {num(i.weight)}")
    items = [rows] if bad else []
    f = form.funds
    if f.weight is not None and f.score is not None and f.score > f.weight + tol:
        items.append(f"预算执行率 得分 {num(f.score)} > 分值 {num(f.weight)}")
        lines += field_lines(form, "funds.score")
    total_weight = form.total_weight if form.total_weight is not None else ctx.cfg.total_weight
    if form.total_score is not None and form.total_score > total_weight + tol:
        items.append(f"总分 {num(form.total_score)} > {num(total_weight)}")
        lines += field_lines(form, "total_score")
    if items:
        yield ctx.flag(lines=lines, evidence=evidence, rows="；".join(items))


# Rule: Σ indicator 得分 + funds 得分 ≠ 总分, or Σ 分值 + funds 分值 ≠ the printed total (else 100).
@form_check(
    "score-sum-mismatch",
    "error",
    "{what}",
    rule="各指标得分与执行率得分之和 ≠ 总分，或分值之和 ≠ 总分值（未印出时为 total_weight=100），容差 score_tolerance",
)
def score_sum_mismatch(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if form.kind != "self_evaluation" or not form.indicators or not form.complete:
        return  # a cut-off form's missing rows would settle the sums
    tol = ctx.cfg.score_tolerance
    f = form.funds
    tpl = by_id(form.template)
    if tpl is not None and not tpl.scoring.funds_row_in_total:
        f = f.model_copy(update={"weight": None, "score": None})  # the template scores funds outside 总分
    what: list[str] = []
    lines: list[int] = []
    scores = [i.score for i in form.indicators]
    # Only a complete column adds up: a score the engine could not read is not a zero.
    if form.total_score is not None and all(s is not None for s in scores):
        total = sum(s for s in scores if s is not None) + (f.score or 0.0)
        if abs(total - form.total_score) > tol:
            part = f"（含执行率得分 {num(f.score)}）" if f.score is not None else ""
            what.append(f"得分合计 {num(total)}{part} ≠ 总分 {num(form.total_score)}")
            lines += field_lines(form, "total_score", "funds.score")
    weights = [i.weight for i in form.indicators]
    if all(w is not None for w in weights):
        total_w = sum(w for w in weights if w is not None) + (f.weight or 0.0)
        expected = form.total_weight if form.total_weight is not None else ctx.cfg.total_weight
        if form.total_weight is None and tpl is not None and tpl.scoring.weights_total:
            expected = tpl.scoring.weights_total
        if abs(total_w - expected) > tol:
            where = "总分值" if form.total_weight is not None else "满分"
            what.append(f"分值合计 {num(total_w)} ≠ {where} {num(expected)}")
            lines += field_lines(form, "total_weight", "funds.weight")
    if what:
        lines = lines or [form.first_line]
        yield ctx.flag(lines=lines, what="；".join(what))


_GRADES = {
    "优": "优",
    "优秀": "优",
    "良": "良",
    "良好": "良",
    "中": "中",
    "中等": "中",
    "一般": "中",
    "及格": "中",
    "差": "差",
    "较差": "差",
    "不及格": "差",
}


# Rule: 评分等级 ≠ the band of 总分 (优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60; bands configurable).
@form_check(
    "grade-mismatch",
    "error",
    "评分等级「{grade}」与总分 {total} 不符（应为「{should}」）",
    rule="评分等级与总分所在区间不符：优 ≥ 90，良 80–<90，中 60–<80，差 < 60（grade_bands 可配置，89.5 为良）",
)
def grade_mismatch(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if form.total_score is None or not form.grade:
        return
    grade = _GRADES.get(form.grade.strip())
    if grade is None:
        return  # a wording we do not know is not evidence of a mismatch
    should = ctx.cfg.grade_for(form.total_score)
    if grade != should:
        lines = field_lines(form, "grade", "total_score") or [form.first_line]
        yield ctx.flag(lines=lines, grade=form.grade, total=num(form.total_score), should=should)


# Rule: 得分 < 分值 with an empty 偏差原因分析及改进措施.
@form_check(
    "deduction-without-reason",
    "warning",
    "扣分但未填写偏差原因：{rows}",
    rule="得分 < 分值 且偏差原因分析及改进措施为空",
)
def deduction_without_reason(form: Form, ctx: Ctx) -> Iterator[Finding]:
    bad = [i for i in form.indicators if deducted(i) and not (i.deviation or "").strip()]
    if bad:
        lines, evidence, rows = _rows(form, bad, lambda i: f"{i.name}（{num(i.score)}/{num(i.weight)}）")
        yield ctx.flag(lines=lines, evidence=evidence, rows=rows)


def _achieved(ind: Indicator, rel_tol: float) -> bool:
    """The row claims success: worded as achieved, or a value that meets the target."""
    if says_achieved(ind.actual):
        return True
    return meets(ind, rel_tol) is True


# Rule: the result says achieved (达成指标, or a value that meets the target) yet 得分 < 分值.
@form_check(
    "achieved-but-deducted",
    "warning",
    "实际完成值表明已达成，却扣了分：{rows}",
    rule="实际完成值为“达成指标/已完成”等或数值达到指标值，但得分 < 分值",
)
def achieved_but_deducted(form: Form, ctx: Ctx) -> Iterator[Finding]:
    bad = [i for i in form.indicators if deducted(i) and _achieved(i, ctx.cfg.value_tolerance)]
    if bad:
        lines, evidence, rows = _rows(
            form, bad, lambda i: f"{i.name}：{value_short(i.actual)}，得分 {num(i.score)}/{num(i.weight)}"
        )
        yield ctx.flag(lines=lines, evidence=evidence, rows=rows)


def _missed(ind: Indicator, rel_tol: float) -> bool:
    if says_not_achieved(ind.actual):
        return True
    return meets(ind, rel_tol) is False


# Rule: the actual value misses the target (or says 未/部分达成) yet full points; 执行率 < 100% yet full funds points.
@form_check(
    "target-not-met-full-score",
    "warning",
    "未达到指标值却给了满分：{rows}",
    rule="实际值未达指标值（≥ 类低于、≤ 类高于）或写“部分达成/未达成”，得分仍为满分；执行率得分高于 执行率 × 分值",
)
def target_not_met_full_score(form: Form, ctx: Ctx) -> Iterator[Finding]:
    tol = ctx.cfg.score_tolerance
    bad = [i for i in form.indicators if full_marks(i) and _missed(i, ctx.cfg.value_tolerance)]
    lines, evidence, rows = _rows(
        form,
        bad,
        lambda i: (
            f"{i.name}：指标值 {value_short(i.target)}，实际 {value_short(i.actual)}，得分 {num(i.score)}/{num(i.weight)}"
        ),
    )
    items = [rows] if bad else []
    f = form.funds
    if f.execution_rate is not None and f.weight and f.score is not None and f.execution_rate < 100:
        earned = f.weight * max(f.execution_rate, 0.0) / 100
        if f.score > earned + max(tol, f.weight * ctx.cfg.rate_tolerance / 100):
            items.append(
                f"预算执行率 {num(f.execution_rate)}%，应得 {num(round(earned, 2))} 分，实得 {num(f.score)} 分"
            )
            lines += field_lines(form, "funds.execution_rate", "funds.score")
    if items:
        yield ctx.flag(lines=lines, evidence=evidence, rows="；".join(items))


# Rule: a positive indicator's actual ≥ over_achievement_ratio × target, full points, no 偏差原因: target set too low.
@form_check(
    "over-achievement",
    "info",
    "实际值远超指标值（≥ {ratio} 倍），指标值可能定得过低：{rows}",
    rule="正向指标实际值 ≥ 指标值 × over_achievement_ratio（默认 1.2），满分且无偏差说明",
)
def over_achievement(form: Form, ctx: Ctx) -> Iterator[Finding]:
    ratio = ctx.cfg.over_achievement_ratio
    bad: list[Indicator] = []
    for i in form.indicators:
        t, a = i.target, i.actual
        if not comparable(t, a) or is_reverse(i) or (i.deviation or "").strip():
            continue
        assert t is not None and a is not None and t.value is not None and a.value is not None
        if t.value > 0 and a.value >= ratio * t.value and (i.score is None or full_marks(i)):
            bad.append(i)
    if bad:
        lines, evidence, rows = _rows(
            form, bad, lambda i: f"{i.name}：指标值 {value_short(i.target)}，实际 {value_short(i.actual)}"
        )
        yield ctx.flag(lines=lines, evidence=evidence, rows=rows, ratio=num(ratio))
