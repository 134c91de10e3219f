"""Cells glued by a lost tab are split again, and nothing else is.

Each case below is a shape the noise generator's ``lost_tab`` kind produces (and that
converters produce on real forms); the negative cases are cells of the seed documents
that must stay whole.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from jixiao.api import extract_source
from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.evaluation.metrics import score_forms
from jixiao.evaluation.noise import apply_noise
from jixiao.intake import from_text
from jixiao.layout.resplit import resplit, trailing_qualitative


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["低保对象计量检定按期完成率 ≥95.00(%)"], ["低保对象计量检定按期完成率", "≥95.00(%)"]),
        (["名称", "=3430.00(户)", "3430.00(户)", "4.00 4.00"], ["名称", "=3430.00(户)", "3430.00(户)", "4.00", "4.00"]),
        (["质量指标 低保对象计量检定资料归档完整率", "≥98.00(%)"], ["质量指标", "低保对象计量检定资料归档完整率", "≥98.00(%)"]),
        (["效益指标 生态效益指标", "改善程度", "改善"], ["效益指标", "生态效益指标", "改善程度", "改善"]),
        (["居村老年人病媒防制资金拨付及时率=100%"], ["居村老年人病媒防制资金拨付及时率", "=100%"]),
        (["产出指标数量指标", "参与人数", "=7346.00(人)"], ["产出指标", "数量指标", "参与人数", "=7346.00(人)"]),
        (["时效指标中心城区问题整改及时性", "及时"], ["时效指标", "中心城区问题整改及时性", "及时"]),
        (["绩效 指标", "成本指标", "经济成本指标东部片区单位成本", "≤2179.94(元/人次)"],
         ["绩效 指标", "成本指标", "经济成本指标", "东部片区单位成本", "≤2179.94(元/人次)"]),
        (["名称", "≥85.00(%)", "87.85(%)", "7.507.50"], ["名称", "≥85.00(%)", "87.85(%)", "7.50", "7.50"]),
        (["名称", "=100%", "91.47%", "5.50", "5.03  持续提高验收合格率"], ["名称", "=100%", "91.47%", "5.50", "5.03", "持续提高验收合格率"]),
        (["名称", "持续", "部分达成年度指标并具有一定效果", "5.00", "3.83个别环节进度滞后"],
         ["名称", "持续", "部分达成年度指标并具有一定效果", "5.00", "3.83", "个别环节进度滞后"]),
        (["社区慢病管理社会影响力  扩大"], ["社区慢病管理社会影响力", "扩大"]),
        (["开展及时性", "及时", "达成指标  5.50", "5.50"], ["开展及时性", "及时", "达成指标", "5.50", "5.50"]),
    ],
)  # fmt: skip
def test_glued_cells_come_apart(cells: list[str], expected: list[str]) -> None:
    assert resplit(cells) == expected


@pytest.mark.parametrize(
    "cells",
    [
        ["可持 续影 响指 标"],  # a vertical cell printed with spaces
        ["效益", "社会", "提高医保监管相关行政处罚等", "提高", "达成指标", "3.00", "3.00"],
        ["指标", "效益 指标", "“三项制度”执行规范性"],  # page-break fragments
        ["满意度指标", "服务对象满意度 指标", "参加对象满意度", "$\\geq 90.00\\%$"],  # LaTeX has spaces
        ["业务需求部门满意度", "≥95%", "达成指标", "2.00", "1.80", "持续提高 业务需求部门满意度"],
        ["$= 100\\%$", "100.00%"],
        ["=956.00(元/"],  # a value cut by a page break
        ["质量指标", "项目验收合格率", "=100%"],
    ],
)
def test_whole_cells_stay_whole(cells: list[str]) -> None:
    assert resplit(cells) == cells


def test_seed_rows_are_left_alone() -> None:
    """No cell of the two real documents is glued: re-splitting changes none of them."""
    changed = []
    for path in SEEDS:
        for line in path.read_text(encoding="utf-8").split("\n"):
            cells = [c.strip() for c in line.split("\t") if c.strip()]
            if cells and resplit(cells) != cells:
                changed.append((cells, resplit(cells)))
    assert not changed


def test_trailing_qualitative_needs_a_name_before_it() -> None:
    assert trailing_qualitative("南部片区阅读服务服务水平提升") == ("南部片区阅读服务服务水平", "提升")
    assert trailing_qualitative("水平提升") is None
    assert trailing_qualitative("南部片区阅读服务覆盖率") is None


_WS = re.compile(r"\s+")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("指标质量产出效益时效满意度及时提升 =≥<.0123456789%()")),
            min_size=1,
            max_size=16,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_splitting_loses_and_adds_nothing(cells: list[str]) -> None:
    cells = [c.strip() for c in cells if c.strip()]
    if not cells:
        return
    out = resplit(cells)
    assert _WS.sub("", "".join(out)) == _WS.sub("", "".join(cells))
    assert all(p.strip() for p in out)


def test_lost_tabs_cost_little() -> None:
    text, gold = render_text(generate_forms(80, seed=31))
    noisy = apply_noise(text, 1.0, seed=3, kinds=["lost_tab"])
    doc = extract_source(from_text(noisy))
    assert score_forms(gold, doc.forms).rows.f1 >= 0.99
