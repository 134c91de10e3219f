"""Names that share qualifiers (an area, a group of people: what many names go on from) and
differ in what they are about are sibling projects, not one project renamed."""

from __future__ import annotations

from jixiao.models import Form, Funds, Indicator, Value
from jixiao.reconcile import reconcile
from jixiao.reconcile.qualifiers import branching_pieces, leading_pieces

UNIT, DEPT = "上海市浦东新区退役军人服务中心", "上海市浦东新区退役军人事务局"
AREAS = ["老城区", "东部片区", "西部片区", "滨江", "新城", "园区"]
GROUP = "退役军人"
# (subject in the name, its term in the indicators): declared and evaluated draw different ones
DECLARED = [("电梯安全监管", "电梯监管"), ("计量器具检定", "计量检定"), ("公共厕所保洁", "公厕保洁")]
EVALUATED = [("水质监测", "水质监测"), ("户外广告整治", "广告整治"), ("公共法律援助", "法律援助")]
TEMPLATES = ["{k}单位成本", "{k}项目总成本", "{k}巡查次数", "{k}服务人次", "{k}活动场次", "{k}工作规范化程度"]


def _form(kind: str, name: str, term: str, amount: float) -> Form:
    indicators = [
        Indicator(
            level1="产出指标", name=t.format(k=term), line=0, target=Value(raw=f"≥{10 + i}次", op=">=", value=10.0 + i)
        )
        for i, t in enumerate(TEMPLATES)
    ]
    funds = (
        Funds(requested_total=amount, fiscal=amount)
        if kind == "target_declaration"
        else Funds(initial_budget=amount, annual_budget=amount)
    )
    return Form(
        kind=kind,
        year=2024,
        project_name=name,
        department=DEPT,
        implementing_unit=UNIT,
        funds=funds,
        indicators=indicators,
    )


def _unit(extra_evaluated: list[Form] | None = None) -> tuple[list[Form], list[Form]]:
    """Every area × the group × the side's subjects: 18 declared, 18 evaluated, no true pair."""
    declared = [
        _form("target_declaration", f"{a}{GROUP}{s}项目", f"{a}{GROUP}{k}", 1_000_000.0 + 1000 * i)
        for i, (a, (s, k)) in enumerate((a, sk) for a in AREAS for sk in DECLARED)
    ]
    evaluated = [
        _form("self_evaluation", f"{a}{GROUP}{s}专项", f"{a}{GROUP}{k}", 1_000_000.0 + 1000 * i)
        for i, (a, (s, k)) in enumerate((a, sk) for a in AREAS for sk in EVALUATED)
    ]
    return declared, evaluated + (extra_evaluated or [])


def test_a_qualifier_is_what_names_go_on_from_in_many_ways() -> None:
    names = [f"{a}{GROUP}{s}" for a in AREAS for s, _ in DECLARED + EVALUATED]
    pieces = branching_pieces(names, 5)
    # 老城区 always goes on with 退役军人; 老城区退役军人 with six subjects
    assert "老城区退役军人" in pieces and "老城区" not in pieces
    assert leading_pieces("老城区退役军人水质监测", pieces) == ("老城区退役军人",)
    assert branching_pieces(names, 7) == frozenset()
    # the subject itself goes on in few ways (the end, 工作, 补助): never a qualifier
    subject = ["水质监测", "水质监测工作", "水质监测补助", *names]
    assert "水质监测" in branching_pieces(subject, 3) and "水质监测" not in branching_pieces(subject, 4)


def test_peeling_keeps_what_the_name_is_about() -> None:
    """A whole name goes on in many ways too (续建, 一期, 二期 …): never peeled down to those."""
    variants = ["法律援助宣传推广" + v for v in ("", "续建", "一期", "二期", "三期")]
    pieces = branching_pieces(variants, 5)
    assert pieces == {"法律援助宣传推广"}
    assert leading_pieces("法律援助宣传推广续建", pieces) == ()  # at least 4 characters are left
    assert leading_pieces("法律援助宣传推广续建工作", pieces) == ("法律援助宣传推广",)
    assert branching_pieces(variants[:3], 5) == frozenset()  # small inputs learn nothing


def test_siblings_sharing_the_units_qualifiers_do_not_pair() -> None:
    """老城区退役军人电梯安全监管 and 老城区退役军人水质监测 share a long prefix and six
    templated indicators that differ only in the subject: other projects all the same."""
    declared, evaluated = _unit()
    result = reconcile(declared, evaluated)
    assert [(p.declared, p.evaluated) for p in result.projects] == []
    first = next(u for u in result.unpaired if u.name == "老城区退役军人电梯安全监管项目")
    assert "名称只在许多项目共有的“老城区退役军人”上相同" in first.why  # said, not only scored


def test_a_renamed_project_among_siblings_still_pairs_with_its_reasons() -> None:
    renamed = _form("self_evaluation", "老城区退役军人电梯安全监管工作经费", "老城区退役军人电梯监管", 1_000_000.0)
    declared, evaluated = _unit([renamed])
    result = reconcile(declared, evaluated)
    assert [(p.declared, p.evaluated) for p in result.projects] == [
        ("老城区退役军人电梯安全监管项目", "老城区退役军人电梯安全监管工作经费")
    ]
    pair = result.projects[0]
    assert pair.score >= 0.9 and "indicators 1.00 (6/6)" in pair.reasons
    assert pair.counts["matched"] == 6
