"""Comparison keys: generic rules (filler, measure words, units), checked on typical wording."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.models import Value
from jixiao.reconcile.normalize import (
    indicator_key,
    project_key,
    same_org,
    same_target,
    show_value,
    target_changes,
    text_similarity,
    unit_compatibility,
)
from jixiao.values import parse_value


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("医保宣传与推广", "宣传与推广"),
        ("医保业务培训", "业务培训"),
        ("病媒生物防制专项经费", "病媒生物防制"),
        ("2024年度免疫规划项目", "免疫规划"),
    ],
)
def test_project_filler_removed(a: str, b: str) -> None:
    assert project_key(a) == project_key(b)


def test_project_key_keeps_bracket_content() -> None:
    assert project_key("综合救助（少儿互助基金）") != project_key("综合救助（医保补贴）")
    assert project_key("医保稳定金") == "稳定金"  # filler removal never empties a name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("宣传册发放人数", "宣传册发放数量"),
        ("法律培训次数", "法律培训场次"),
        ("医保政策宣传覆盖率", "医保政策宣传覆盖比例"),
        ("培训开展及时性", "培训开展及时率"),
        ("参保人员满意度", "参保人员满意率"),
    ],
)
def test_measure_words_dropped(a: str, b: str) -> None:
    assert indicator_key(a) == indicator_key(b)


def test_measure_word_never_empties_a_name() -> None:
    assert indicator_key("比例") == "比例"
    assert indicator_key("人数") == "人数"


def test_same_org() -> None:
    assert same_org("上海市松江区医疗保障局（本级）", "上海市松江区医疗保障局") is True
    assert same_org("松江区医疗保障局", "上海市松江区医疗保障局") is True
    assert same_org("上海市松江区医疗保障局（本级）", "上海市松江区医疗保险事务中心") is False
    assert same_org(None, "上海市松江区医疗保障局") is None


def v(raw: str) -> Value | None:
    return parse_value(raw)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("≤4.00(万元)", "≤40000(元)", True),
        ("≥95.00(%)", "≥95%", True),
        ("=100.00(百分比)", "=100%", True),
        ("≥40000.00(张)", "=30000.00(张)", False),
        ("≥90%", ">90%", False),
        ("提高", "提升", True),
        ("及时", "=100%", False),
        ("≥24(小时)", "≥1(天)", True),
    ],
)
def test_same_target(a: str, b: str, same: bool) -> None:
    assert same_target(v(a), v(b)) is same


def test_changes_name_old_and_new() -> None:
    assert show_value(v("≥40000.00(张)")) == "≥40000张"
    assert show_value(v("=30000(张)")) == "=30000张"
    assert target_changes(v("≥40000.00(张)"), v("=30000(张)")) == ["运算符改变", "数值改变"]
    assert target_changes(v("及时"), v("=100%")) == ["定性/定量改变"]


def test_unit_compatibility() -> None:
    assert unit_compatibility(v("≥80(人)"), v("≥80(人)")) == 1.0
    assert unit_compatibility(v("≥80(人)"), v("≥80(人次)")) == 0.7
    assert unit_compatibility(v("≥80(人)"), v("≥80%")) == 0.0
    assert unit_compatibility(v("≤4(万元)"), v("≤40000(元)")) == 1.0
    assert unit_compatibility(v("及时"), v("≥80%")) is None


@given(
    st.text(alphabet="医保宣传推广培训业务监测站运维率数量人次", min_size=0, max_size=12),
    st.text(alphabet="医保宣传推广培训业务监测站运维率数量人次", min_size=0, max_size=12),
)
def test_similarity_bounded_and_symmetric(a: str, b: str) -> None:
    s = text_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(text_similarity(b, a))
    if a and a == b:
        assert s == 1.0


def test_shared_prefix_alone_does_not_make_names_alike() -> None:
    from jixiao.reconcile.normalize import name_similarity, text_similarity

    a, b = project_key("西部片区高校毕业生公务员医疗补助"), project_key("西部片区高校毕业生法律咨询与服务工作经费")
    assert text_similarity(a, b) > 0.58  # the programme prefix alone
    assert name_similarity(a, b) < 0.57  # 0.5 + half the similarity of what follows the prefix
    # a name extended by a suffix, or renamed at its end, keeps most of its score
    assert name_similarity("医保宣传与推广", "医保宣传与推广工作经费") == text_similarity(
        "医保宣传与推广", "医保宣传与推广工作经费"
    )
    assert name_similarity("土壤污染状况调查", "土壤污染状况详查") >= 0.75
