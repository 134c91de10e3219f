"""Every province template x layout class on generated forms (``template_scores``, as `jixiao eval
--noise` reports it): the issue's "done when" is indicator-row F1 >= 0.97, funds >= 0.95 and 总分 >= 0.95
for every combination. Two seeds of 30 forms per combination, so the assertion is not fitted to one draw.

Combinations that fail today are marked xfail(strict=True) with what fails: a fix turns one into an
XPASS, which fails the run until its mark is removed here.
"""

from __future__ import annotations

from typing import Any

import pytest

from jixiao.evaluation.curve import template_scores
from jixiao.evaluation.layouts_render import LAYOUT_CLASSES
from jixiao.evaluation.templates_render import TEMPLATE_IDS

SEEDS = (0, 5)
N_FORMS = 30
F1_FLOOR, FIELD_FLOOR = 0.97, 0.95

# (template, layout class) -> what fails today (measured with seeds 0 and 5, 30 forms each)
FAILING: dict[tuple[str, str], str] = {
    ("shanghai-district", "pdf"): "funds 0.88-0.94: a funds row's amounts printed before/after its label",
    ("national-self", "run-together"): "F1 0.36: '产出指标(50分)' and '指标1:' glued to the name; '元/次' units",
    ("national-self", "one-line"): "F1 0.66: '(50分)' labels and '指标1：' prefixes kept in names; '元/次' units",
    ("national-self", "pdf"): "F1 0.89-0.91: a category label printed after its first row goes to the block above",
    (
        "sichuan-dept-self",
        "cell-per-line",
    ): "F1 0.95-0.96: a '定性' 指标性质 cell after a row missing its trailing cells",
    ("sichuan-dept-self", "run-together"): "F1 0.65: '定性' glued to the name; bare 完成值 glued to 分值/得分",
    ("sichuan-dept-self", "one-line"): "F1 0.78: '定性' kept in the name; '元/次' units split off as a row",
    ("sichuan-xianjie-self", "run-together"): "F1 0.76: 分值 before a wording target ('…及时性3.5及时') cut wrongly",
    ("sichuan-xianjie-self", "one-line"): "F1 0.88-0.89: as run-together",
    ("hubei-self", "run-together"): "F1 0.94-0.95 ('元/次' units), 总分 0.78 ('总分10010099.5' read as 1009)",
    ("hubei-self", "one-line"): "F1 0.97, 总分 0.90-0.92: as run-together",
    ("hunan-decl", "one-line"): "F1 0.96: a wording target merged with the next name; '元/份' units split off",
    ("hunan-decl", "pdf"): "funds 0.76-0.82: a funds row's amount printed before/after its label",
    ("hunan-infra-decl", "run-together"): "F1 0.89-0.91, funds 0.87-0.90: some forms not found at all",
    ("hunan-infra-decl", "one-line"): "F1 0.96: a wording target merged with the next name; '元/份' units split off",
    ("hunan-infra-decl", "pdf"): "funds 0.79-0.84: a funds row's amount printed before/after its label",
    ("hubei-decl", "cell-per-line"): "funds 0.64-0.69: 中期资金总额 read as the 年度资金总额",
    ("hubei-decl", "run-together"): "F1 0.76-0.78, funds 0.00-0.02: rows merged after a wording target; funds unread",
    ("hubei-decl", "one-line"): "F1 0.68-0.69, funds 0.34: 中长期指标值 column; 中期资金总额 read as the request",
    ("hubei-decl", "pdf"): "funds 0.52-0.63: 中期资金总额 read as the request",
    ("neimenggu-decl", "spaces"): "F1 0.97 (seed 5: 0.968): '定量'/'定性' touching a full name cell with one space",
    ("neimenggu-decl", "run-together"): "F1 0.00: '定量正向'/'定性反向' glued to every name",
    ("neimenggu-decl", "one-line"): "F1 0.55-0.57: as run-together",
    ("neimenggu-decl", "pdf"): "funds 0.79-0.84: a funds row's amount printed before/after its label",
    ("chongqing-approval", "run-together"): "F1 0.42: '成本指标(0-20)分' label cut at '(0'",
    ("chongqing-approval", "one-line"): "F1 0.69-0.72: as run-together",
    ("chongqing-approval", "pdf"): "F1 0.84-0.88 (a row after an empty '社会成本指标' row), funds 0.39-0.42",
    ("shanghai-municipal-decl", "one-line"): "F1 0.96: a wording target glued to the next name",
    ("shanghai-municipal-decl", "pdf"): "funds 0.00: a label/amount row printed as labels then amounts",
}


@pytest.fixture(scope="module")
def scores() -> list[dict[str, dict[str, dict[str, float]]]]:
    return [template_scores(["rules"], n_forms=N_FORMS, seed=s) for s in SEEDS]


def _params() -> list[Any]:
    out = []
    for t in TEMPLATE_IDS:
        for layout in LAYOUT_CLASSES:
            why = FAILING.get((t, layout))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            out.append(pytest.param(t, layout, marks=marks, id=f"{t}-{layout}"))
    return out


def test_failing_list_names_real_combinations() -> None:
    assert set(FAILING) <= {(t, c) for t in TEMPLATE_IDS for c in LAYOUT_CLASSES}


@pytest.mark.parametrize(("template", "layout"), _params())
def test_template_reads_in_class(scores: list[dict[str, Any]], template: str, layout: str) -> None:
    low = []
    for seed, per in zip(SEEDS, scores):
        m = per[template][layout]
        if m["indicators.f1"] < F1_FLOOR:
            low.append(f"seed {seed}: F1 {m['indicators.f1']:.3f}")
        for metric, label in (("funds.accuracy", "funds"), ("totals.accuracy", "总分")):
            if m.get(metric, 1.0) < FIELD_FLOOR:
                low.append(f"seed {seed}: {label} {m[metric]:.3f}")
        assert m["forms.recall"] > 0, (template, layout, seed)
    assert not low, low
