"""A long cell wrapped onto the next line (its rest alone, in the same column) is put back:
in the header block, in the indicator table, and in a form's title."""

from __future__ import annotations

from jixiao.api import extract_source
from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.evaluation.metrics import score_forms
from jixiao.evaluation.noise import apply_noise
from jixiao.intake import from_text
from jixiao.rules import extract

FORM = """财政项目支出绩效
目标申报表
项目名称\t北部片区青少年社区食\t\t
\t堂运营补贴项目\t\t
主管部门\t上海市金山区民政局\t实施单位\t上海市金山区社会救\t
\t\t\t助事务管理中心\t
计划开始日期\t2024-01-01\t计划完成日期\t2024-
\t\t\t12-31
项目资金\t项目资金总额\t\t年度资金申请总额\t482,400.00
\t一级指标\t二级指标\t三级指标\t年度(/项目)指标值\t
绩效指标\t产出指标\t数量指标\t服务对象对老旧小区高校毕业生系\t≥178.00(次)
\t\t\t统运维的满意度
\t\t\t覆盖街镇数量\t≥12.0
\t\t\t\t0(个)
"""


def test_wrapped_cells_are_put_back() -> None:
    doc = extract(from_text(FORM))
    assert len(doc.forms) == 1
    form = doc.forms[0]
    assert form.kind == "target_declaration"
    assert form.project_name == "北部片区青少年社区食堂运营补贴项目"
    assert form.implementing_unit == "上海市金山区社会救助事务管理中心"
    assert form.end_date == "2024-12-31"
    first, second = form.indicators
    assert first.name == "服务对象对老旧小区高校毕业生系统运维的满意度" and first.lines == [11, 12]
    assert second.name == "覆盖街镇数量" and second.lines == [13, 14]
    assert second.target is not None and (second.target.op, second.target.value, second.target.unit) == (
        ">=",
        12.0,
        "个",
    )


def test_a_cell_in_another_column_is_not_a_tail() -> None:
    text = FORM.replace("\t\t\t\t0(个)\n", "\t\t\t\t\t0(个)\n")
    second = extract(from_text(text)).forms[0].indicators[1]
    assert second.target is not None and second.target.raw == "≥12.0"  # not under the target: not its rest


def test_wrapped_cells_cost_little() -> None:
    text, gold = render_text(generate_forms(80, seed=32))
    noisy = apply_noise(text, 1.0, seed=4, kinds=["wrapped_cell"])
    assert score_forms(gold, extract_source(from_text(noisy)).forms).rows.f1 >= 0.99
