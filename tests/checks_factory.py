"""Clean forms for the checks tests: everything adds up, every result answers its target.

``self_evaluation()`` and ``declaration()`` return fresh model objects; a test plants one
problem with ``model_copy(update=...)`` / the ``row`` helper and asserts the check fires,
while ``test_clean_forms_are_clean`` proves none fires on the untouched forms.
"""

from __future__ import annotations

from jixiao.models import Document, Form, Funds, Goal, Indicator, Value
from jixiao.values import parse_value

SE_GOAL = "通过开展社区卫生服务培训，提升基层医务人员服务能力，全年培训医务人员不少于200人次。"
SE_ACTUAL = "全年共开展培训6场，培训医务人员215人次，培训合格率98%，基层医务人员服务能力明显提升。"
DECL_GOAL = "为辖区65岁以上老年人提供免费健康体检和健康管理服务，年内完成体检不少于3000人，规范建档率达到90%以上。"


def v(raw: str) -> Value:
    value = parse_value(raw)
    assert value is not None, raw
    return value


def row(
    line: int,
    level1: str,
    level2: str,
    name: str,
    target: str,
    actual: str | None = None,
    weight: float | None = None,
    score: float | None = None,
    deviation: str | None = None,
) -> Indicator:
    return Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=v(target),
        actual=v(actual) if actual else None,
        weight=weight,
        score=score,
        deviation=deviation,
        line=line,
        level1_raw=level1,
        level2_raw=level2,
        lines=[line],
    )


def self_evaluation(name: str = "社区卫生服务能力提升", first_line: int = 1) -> Form:
    """A 2024 self-evaluation: 100,000 元 executed in full, total 99.67, grade 优."""
    n = first_line
    indicators = [
        row(n + 12, "成本指标", "经济成本指标", "人均培训成本", "=400.00(元/人次)", "400.00(元/人次)", 10, 10),
        row(n + 13, "产出指标", "数量指标", "医务人员培训人次", "≥200(人次)", "215(人次)", 20, 20),
        row(n + 14, "产出指标", "质量指标", "培训合格率", "≥95%", "98%", 20, 20),
        row(n + 15, "产出指标", "时效指标", "培训按时完成率", "=100%", "100%", 10, 10),
        row(n + 16, "效益指标", "社会效益指标", "基层医务人员服务能力", "提升", "达成年度指标", 15, 15),
        row(
            n + 17,
            "满意度指标",
            "服务对象满意度指标",
            "参训人员满意度",
            "≥90%",
            "88%",
            15,
            14.67,
            "部分参训人员反映课程时间偏紧，下年度将优化课程安排",
        ),
    ]
    return Form(
        kind="self_evaluation",
        year=2024,
        project_name=name,
        department="上海市松江区卫生健康委员会",
        implementing_unit="上海市松江区卫生健康委员会（本级）",
        funds=Funds(
            initial_budget=100000,
            annual_budget=100000,
            executed=100000,
            fiscal=100000,
            carryover=0,
            other=0,
            execution_rate=100.0,
            weight=10,
            score=10,
        ),
        goal=Goal(expected=SE_GOAL, actual=SE_ACTUAL),
        indicators=indicators,
        total_score=99.67,
        grade="优",
        lines=[n, n + 19],
        total_weight=100,
        field_lines={
            "project_name": [n + 3],
            "funds.initial_budget": [n + 6],
            "funds.annual_budget": [n + 6],
            "funds.executed": [n + 6],
            "funds.execution_rate": [n + 6],
            "funds.weight": [n + 6],
            "funds.score": [n + 6],
            "funds.fiscal": [n + 7],
            "funds.carryover": [n + 8],
            "funds.other": [n + 9],
            "goal.expected": [n + 11],
            "goal.actual": [n + 11],
            "total_weight": [n + 18],
            "total_score": [n + 18],
            "grade": [n + 19],
        },
    )


def declaration(name: str = "老年人健康管理服务", first_line: int = 100) -> Form:
    """A 2024 declaration: 500,000 元 = 400,000 fiscal + 100,000 carried over."""
    n = first_line
    indicators = [
        row(n + 12, "成本指标", "经济成本指标", "老年人体检人均成本", "≤160(元/人)"),
        row(n + 13, "产出指标", "数量指标", "老年人健康体检人数", "≥3000(人)"),
        row(n + 14, "产出指标", "质量指标", "健康档案规范建档率", "≥90%"),
        row(n + 15, "产出指标", "时效指标", "体检结果反馈及时率", "=100%"),
        row(n + 16, "效益指标", "社会效益指标", "老年人健康管理水平", "提高"),
        row(n + 17, "满意度指标", "服务对象满意度指标", "体检老年人满意度", "≥90%"),
    ]
    return Form(
        kind="target_declaration",
        year=2024,
        project_name=name,
        department="上海市松江区卫生健康委员会",
        implementing_unit="上海市松江区社区卫生服务中心",
        project_nature="其他经常性项目",
        project_category="其他运转类",
        start_date="2024-01-01",
        end_date="2024-12-31",
        funds=Funds(requested_total=500000, fiscal=400000, carryover=100000, other=0),
        goal=Goal(expected=DECL_GOAL),
        indicators=indicators,
        lines=[n, n + 17],
        field_lines={
            "project_name": [n + 3],
            "funds.requested_total": [n + 6],
            "funds.fiscal": [n + 7],
            "funds.carryover": [n + 8],
            "funds.other": [n + 9],
            "goal.expected": [n + 11],
        },
    )


def other_declaration(first_line: int = 200) -> Form:
    """A second, unrelated clean declaration (different goal, indicators and amount)."""
    n = first_line
    return Form(
        kind="target_declaration",
        year=2024,
        project_name="河道保洁养护",
        department="上海市松江区水务局",
        implementing_unit="上海市松江区河道管理所",
        funds=Funds(requested_total=1200000, fiscal=1200000, carryover=0, other=0),
        goal=Goal(expected="对全区骨干河道实施日常保洁和绿化养护，保持水面无漂浮垃圾，河道水质稳定达到功能区标准。"),
        indicators=[
            row(n + 12, "成本指标", "经济成本指标", "河道保洁养护费用", "≤120(万元)"),
            row(n + 13, "产出指标", "数量指标", "保洁河道长度", "≥85(公里)"),
            row(n + 14, "产出指标", "质量指标", "河面保洁合格率", "≥95%"),
            row(n + 15, "产出指标", "时效指标", "巡查问题处置及时率", "=100%"),
            row(n + 16, "效益指标", "生态效益指标", "河道水环境质量", "改善"),
            row(n + 17, "满意度指标", "服务对象满意度指标", "沿河居民满意度", "≥85%"),
        ],
        lines=[n, n + 17],
        field_lines={"goal.expected": [n + 11], "funds.requested_total": [n + 6]},
    )


def doc(*forms: Form, source: str = "test.txt") -> Document:
    return Document(source=source, forms=list(forms))
