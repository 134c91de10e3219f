"""Every check can fail: plant its problem in an otherwise clean form, and see it flagged;
the clean forms themselves give no finding at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checks_factory import declaration, doc, other_declaration, row, self_evaluation, v
from jixiao.checks import CATALOG, CheckConfig, run_checks
from jixiao.models import Document, Form, Goal, Indicator, Value


def clean_docs() -> list[Document]:
    return [doc(self_evaluation(), declaration(), other_declaration())]


def _replace_row(form: Form, index: int, **update: object) -> Form:
    rows = list(form.indicators)
    rows[index] = rows[index].model_copy(update=update)
    return form.model_copy(update={"indicators": rows})


def _se(**update: object) -> list[Document]:
    return [doc(self_evaluation().model_copy(update=update), declaration())]


def _se_row(index: int, **update: object) -> list[Document]:
    return [doc(_replace_row(self_evaluation(), index, **update), declaration())]


def _decl_row(index: int, **update: object) -> list[Document]:
    return [doc(self_evaluation(), _replace_row(declaration(), index, **update))]


def _copied_goal() -> list[Document]:
    se = self_evaluation()
    near = (se.goal.expected or "").replace("不少于", "不低于")
    return [doc(se.model_copy(update={"goal": Goal(expected=se.goal.expected, actual=near)}))]


def _goal_reused() -> list[Document]:
    a = declaration()
    b = other_declaration().model_copy(update={"goal": Goal(expected=a.goal.expected)})
    return [doc(a, b)]


def _goal_names_other() -> list[Document]:
    a = declaration()
    b = other_declaration().model_copy(
        update={"goal": Goal(expected="确保老年人健康管理服务顺利实施，体检人数不少于3000人，居民满意度持续提高。")}
    )
    return [doc(a, b)]


def _indicators_reused() -> list[Document]:
    a = declaration()
    b = other_declaration().model_copy(
        update={
            "indicators": [r.model_copy(update={"line": r.line + 100, "lines": [r.line + 100]}) for r in a.indicators]
        }
    )
    return [doc(a, b)]


def _duplicate_indicator() -> list[Document]:
    se = self_evaluation()
    again = se.indicators[2].model_copy(update={"line": 40, "lines": [40]})
    return [doc(se.model_copy(update={"indicators": [*se.indicators, again]}))]


def _duplicate_form() -> list[Document]:
    a = declaration()
    b = declaration(first_line=300)
    b = b.model_copy(update={"funds": b.funds.model_copy(update={"requested_total": 600000, "fiscal": 500000})})
    return [doc(a, b)]


def _funds_rate() -> list[Document]:
    se = self_evaluation()
    return [doc(se.model_copy(update={"funds": se.funds.model_copy(update={"execution_rate": 95.0})}))]


def _funds_total() -> list[Document]:
    d = declaration()
    return [doc(d.model_copy(update={"funds": d.funds.model_copy(update={"fiscal": 300000})}))]


def _missing_satisfaction() -> list[Document]:
    d = declaration()
    return [doc(d.model_copy(update={"indicators": d.indicators[:-1]}))]


def _cost_too_high() -> list[Document]:
    return _se_row(0, target=v("=4000.00(元/人次)"), actual=v("4000.00(元/人次)"))


def _unsupported() -> list[Document]:
    return _se(unsupported=["funds.executed: 99999", "indicators[2].target: ≥96%"])


def _unknown_category() -> list[Document]:
    return _decl_row(4, level2_raw="双盲指标")


def _funds_not_earned() -> list[Document]:
    se = self_evaluation()
    funds = se.funds.model_copy(update={"executed": 90000, "execution_rate": 90.0})
    return [doc(se.model_copy(update={"funds": funds, "total_score": 99.67}))]


def _summary_form() -> list[Document]:
    # the contract: the sum of other forms of the same unit and year
    a = declaration()
    b = other_declaration().model_copy(update={"implementing_unit": a.implementing_unit, "department": a.department})
    total = (a.funds.requested_total or 0) + (b.funds.requested_total or 0)
    fiscal = (a.funds.fiscal or 0) + (b.funds.fiscal or 0)
    c = declaration("老年人健康管理服务（汇总）", first_line=300)
    c = c.model_copy(update={"funds": c.funds.model_copy(update={"requested_total": total, "fiscal": fiscal})})
    return [doc(a, b, c)]


def test_forms_of_other_units_adding_up_are_no_summary() -> None:
    """Two projects of other units whose amounts happen to add up to a third's: no 汇总."""
    a, b = declaration(), other_declaration()
    c = declaration("老年人健康管理服务（汇总）", first_line=300)
    total = (a.funds.requested_total or 0) + (b.funds.requested_total or 0)
    c = c.model_copy(update={"funds": c.funds.model_copy(update={"requested_total": total})})
    assert not [f for f in run_checks([doc(a, b, c)]) if f.check == "summary-form"]


def _cut_off() -> list[Document]:
    return _se(complete=False, problems=["未找到总分行，表单可能被截断"])


def _date_serial() -> list[Document]:
    return _decl_row(2, target=Value(raw="45,260", text="45,260"))


PLANTS: dict[str, list[Callable[[], list[Document]]]] = {
    "completion-copies-goal": [_copied_goal],
    "goal-reused-across-projects": [_goal_reused],
    "goal-names-other-project": [_goal_names_other],
    "indicators-reused-across-projects": [_indicators_reused],
    "duplicate-indicator": [_duplicate_indicator],
    "duplicate-form": [_duplicate_form],
    "score-exceeds-weight": [lambda: _se_row(1, score=21.0), lambda: _se(total_score=100.5)],
    "score-sum-mismatch": [lambda: _se(total_score=98.0), lambda: _se_row(1, weight=25.0, score=25.0)],
    "grade-mismatch": [lambda: _se(grade="良"), lambda: _se(total_score=89.5, grade="优")],
    "funds-arithmetic": [_funds_rate, _funds_total],
    "deduction-without-reason": [lambda: _se_row(5, deviation=None)],
    "achieved-but-deducted": [lambda: _se_row(5, actual=v("达成指标")), lambda: _se_row(2, score=19.0)],
    "target-not-met-full-score": [
        lambda: _se_row(5, score=15.0, deviation=None),
        lambda: _se_row(4, actual=v("部分达成年度指标并具有一定效果")),
        _funds_not_earned,
    ],
    "vague-actual": [lambda: _se_row(2, actual=v("达成指标"))],
    "implausible-target": [
        lambda: _decl_row(3, name="体检服务有责投诉率", target=v("=100%")),
        lambda: _decl_row(2, target=v("≥100.00(%)")),
        lambda: _decl_row(2, target=v("=0.00(人)")),
        lambda: _decl_row(1, target=v("≥100.00(%)")),
        lambda: _decl_row(1, target=v("≥3000(本)")),
    ],
    "template-placeholder": [
        lambda: _se(
            goal=Goal(expected=self_evaluation().goal.expected + "（描述一下主要产出目标情况）", actual="已完成")
        ),
        lambda: _decl_row(4, name="指标2"),
        lambda: _se(goal=Goal(expected="XX项目全年完成XX人次培训", actual="全年共开展培训6场，培训医务人员215人次。")),
    ],
    "year-mismatch": [
        lambda: [
            doc(
                declaration().model_copy(
                    update={"goal": Goal(expected="2023全年完成老年人健康体检3000人，建档率达到90%以上。")}
                )
            )
        ],
    ],
    "unknown-category": [_unknown_category, lambda: _decl_row(1, level1="效益指标", level1_raw="效益指标")],
    "cost-arithmetic": [_cost_too_high, lambda: _decl_row(0, target=v("≤90.24(万元)"))],
    "over-achievement": [lambda: _se_row(1, actual=v("300(人次)"))],
    "missing-category": [_missing_satisfaction],
    "unsupported-value": [_unsupported],
    "summary-form": [_summary_form],
    "incomplete-form": [_cut_off],
    "unit-mismatch": [lambda: _se(funds_unit_mismatch=True)],
    "unreadable-value": [_date_serial],
}


def test_every_check_has_a_plant() -> None:
    assert set(PLANTS) == set(CATALOG)


def test_clean_forms_are_clean() -> None:
    findings = run_checks(clean_docs())
    assert findings == [], [f"{f.check}: {f.message}" for f in findings]


@pytest.mark.parametrize(
    ("check_id", "plant"),
    [(cid, p) for cid, ps in PLANTS.items() for p in ps],
    ids=[f"{cid}-{i}" for cid, ps in PLANTS.items() for i in range(len(ps))],
)
def test_planted_problem_is_flagged(check_id: str, plant: Callable[[], list[Document]]) -> None:
    findings = [f for f in run_checks(plant()) if f.check == check_id]
    assert findings, f"{check_id} not flagged"
    for f in findings:
        assert f.lines and f.message and f.severity == CATALOG[check_id].severity
    # and switched off, it is silent
    off = CheckConfig(disabled=[check_id])
    assert not [f for f in run_checks(plant(), off) if f.check == check_id]


def test_lines_point_at_the_planted_row() -> None:
    (f,) = [f for f in run_checks(_se_row(5, deviation=None)) if f.check == "deduction-without-reason"]
    assert f.lines == [18] and "参训人员满意度" in f.message and f.evidence[0].startswith("第18行｜")


def test_unsupported_value_one_finding_per_entry() -> None:
    found = [f for f in run_checks(_unsupported()) if f.check == "unsupported-value"]
    assert len(found) == 2
    assert found[0].severity == "error"
    assert {tuple(f.lines) for f in found} == {(7,), (15,)}


def test_goal_reuse_both_sides_with_related() -> None:
    found = [f for f in run_checks(_goal_reused()) if f.check == "goal-reused-across-projects"]
    assert {f.project for f in found} == {"老年人健康管理服务", "河道保洁养护"}
    assert all(len(f.related) == 1 and f.related[0] != f.project for f in found)


def test_same_project_twice_is_not_goal_reuse() -> None:
    a, b = declaration(), declaration(first_line=300)
    checks = {f.check for f in run_checks([doc(a, b)])}
    assert "goal-reused-across-projects" not in checks
    assert "indicators-reused-across-projects" not in checks
    assert "duplicate-form" not in checks  # identical repeat: nothing conflicts


def test_consistent_subset_repeat_is_not_duplicate_form() -> None:
    a = declaration()
    b = declaration(first_line=300)
    b = b.model_copy(update={"indicators": b.indicators[:3]})
    assert "duplicate-form" not in {f.check for f in run_checks([doc(a, b)])}


def test_duplicate_form_finds_the_summary() -> None:
    """A second form whose amount is the sum of neighbouring projects names them."""
    a = declaration()
    b = other_declaration()
    total = (a.funds.requested_total or 0) + (b.funds.requested_total or 0)
    summary = declaration(first_line=300)
    summary = summary.model_copy(
        update={"funds": summary.funds.model_copy(update={"requested_total": total, "fiscal": total - 100000})}
    )
    (f,) = [f for f in run_checks([doc(a, b, summary)]) if f.check == "duplicate-form"]
    assert f.related == ["河道保洁养护"] and "汇总" in f.message


def test_cost_row_and_its_quantity_row_are_not_duplicates() -> None:
    se = self_evaluation()
    pair = row(41, "产出指标", "数量指标", "人均培训成本", "=250(人次)", "250(人次)", 0, 0)
    checks = {f.check for f in run_checks([doc(se.model_copy(update={"indicators": [*se.indicators, pair]}))])}
    assert "duplicate-indicator" not in checks


def test_goal_mentioning_its_own_project_is_fine() -> None:
    a = declaration()
    b = other_declaration()
    b = b.model_copy(
        update={"goal": Goal(expected="河道保洁养护项目覆盖全区骨干河道，保持水面无漂浮垃圾，水质稳定达标。")}
    )
    assert "goal-names-other-project" not in {f.check for f in run_checks([doc(a, b)])}


def test_goal_names_a_stem_only_before_xiangmu() -> None:
    a = declaration(name="综合救助（少儿互助基金）")
    b = other_declaration().model_copy(
        update={"goal": Goal(expected="做好综合救助工作，对于确需救助的对象做到应救助尽救助，发挥托底保障作用。")}
    )
    assert "goal-names-other-project" not in {f.check for f in run_checks([doc(a, b)])}
    b = b.model_copy(
        update={"goal": Goal(expected="综合救助项目遵从保险在前救助在后的流程，对于确需救助的对象做到应救尽救。")}
    )
    assert "goal-names-other-project" in {f.check for f in run_checks([doc(a, b)])}


def test_year_context_is_not_a_mismatch() -> None:
    for text in (
        "较2023年提高5个百分点，全年完成老年人健康体检3000人。",
        "2023-2025年三年行动计划的第二年，完成体检3000人。",
        "2019年以来持续开展老年人健康体检，年内完成3000人。",
        "2024年完成体检3000人，较2023年增加200人。",
    ):
        d = declaration().model_copy(update={"goal": Goal(expected=text)})
        assert "year-mismatch" not in {f.check for f in run_checks([doc(d)])}, text


def test_complaint_handling_rate_of_100_is_plausible() -> None:
    checks = {f.check for f in run_checks(_decl_row(3, name="投诉处理率", target=v("=100%")))}
    assert "implausible-target" not in checks
    checks = {f.check for f in run_checks(_decl_row(3, name="服务量增长率", target=v("≥120%")))}
    assert "implausible-target" not in checks


def test_indicator_helpers_against_rows() -> None:
    from jixiao.checks.indicators import is_reverse, meets

    ind = Indicator(name="有责投诉率", target=v("=0%"), actual=v("1%"), line=1)
    assert is_reverse(ind) and meets(ind, 0.001) is False
    ind = Indicator(name="培训人数", target=v("≥200(人)"), actual=v("199.9(人)"), line=1)
    assert meets(ind, 0.001) is True  # within the rounding slack
