"""The province-template renderer: each template's shape (title, indicator header in the template's
column order, funds block, totals), gold in the fixtures' conventions pointing at the printed rows in
every layout class, determinism. No extraction quality is asserted here (test_template_classes)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from jixiao.evaluation.curve import TEMPLATE_METRICS, template_scores
from jixiao.evaluation.layouts_render import LAYOUT_CLASSES, render_documents
from jixiao.evaluation.templates_render import (
    DECL_TEMPLATES,
    SELF_TEMPLATES,
    TEMPLATE_IDS,
    TITLES,
    render_template,
    template_forms,
)
from jixiao.templates import by_id

# a header cell's role, as the templates' data files name them
ROLE = {
    "年度指标值": "target",
    "指标值": "target",
    "实际完成值": "actual",
    "完成值": "actual",
    "分值": "weight",
    "得分": "score",
    "自评分": "score",
    "复核分": "review",
    "偏差原因分析及改进措施": "deviation",
    "指标性质": "nature",
    "指标方向": "direction",
    "度量单位": "unit",
    "中长期指标值": "midterm",
}
PROVINCES = (*SELF_TEMPLATES, *DECL_TEMPLATES)


def _nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _render(template: str, n: int = 4, seed: int = 3) -> tuple[list[str], list]:
    text, gold = render_template(template_forms(template, n, seed), template, seed=seed)
    assert text.endswith("\n")
    return text.split("\n")[:-1], gold


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_title_header_and_gold_lines(template: str) -> None:
    lines, gold = _render(template)
    spec = by_id(template)
    assert spec is not None
    assert len(gold) == 4
    for form in gold:
        assert form.template == template
        first, last = form.lines
        title = lines[first - 1].strip()
        assert any(w in title for w in spec.titles), title
        if template in TITLES:
            assert title == TITLES[template]
            head = next(c.split("\t") for c in lines[first - 1 : last] if "\t三级指标\t" in c)
            roles = [ROLE[c] for c in head[head.index("三级指标") + 1 :]]
            assert roles in spec.columns, (template, head)
        assert form.indicators
        for ind in form.indicators:
            assert first <= ind.line <= last and ind.lines == [ind.line]
            row = lines[ind.line - 1].split("\t")
            assert any(c.endswith(ind.name) for c in row), (ind.name, row)  # '指标1：name' in national-self
            assert ind.level1 in ("成本指标", "产出指标", "效益指标", "满意度指标")


@pytest.mark.parametrize("template", PROVINCES)
def test_kind_and_fields_per_template(template: str) -> None:
    lines, gold = _render(template)
    text = "\n".join(lines)
    kind = "self_evaluation" if template in SELF_TEMPLATES else "target_declaration"
    assert {g.kind for g in gold} == {kind}
    for form in gold:
        if kind == "self_evaluation":
            assert form.total_score is not None and form.total_weight == 100.0
            assert form.funds.executed is not None and form.funds.annual_budget is not None
            assert all(i.score is not None and i.actual is not None for i in form.indicators)
            assert (form.grade is not None) == (template == "hubei-self")
        else:
            assert form.total_score is None and form.funds.requested_total is not None
            assert all(i.actual is None and i.score is None for i in form.indicators)
            weighted = template in ("neimenggu-decl", "chongqing-approval")
            assert all((i.weight is not None) == weighted for i in form.indicators)
            if weighted:
                assert sum(i.weight or 0 for i in form.indicators) == pytest.approx(100.0)
        # the funds add up as printed
        f = form.funds
        whole = f.executed if kind == "self_evaluation" else f.requested_total
        assert whole == pytest.approx((f.fiscal or 0) + (f.carryover or 0) + (f.other or 0))
    assert "万元" in text


def test_sichuan_split_target_and_bare_actual() -> None:
    lines, gold = _render("sichuan-dept-self")
    for ind in (i for g in gold for i in g.indicators):
        row = lines[ind.line - 1].split("\t")
        nature, value, unit, actual = row[row.index(ind.name) + 1 : row.index(ind.name) + 5]
        assert ind.target is not None and ind.actual is not None
        if nature == "定性":
            assert ind.target.value is None and ind.target.raw == value and unit == ""
        else:
            assert nature in ("≥", "≤", "=") and ind.target.raw == nature + value + unit
            assert ind.target.unit == (unit or None)
        if ind.actual.value is not None:
            assert ind.actual.raw == actual and re.fullmatch(r"[\d.]+", actual)
            assert ind.actual.unit == (unit or None)


def test_neimenggu_direction_gives_the_op() -> None:
    lines, gold = _render("neimenggu-decl")
    seen = set()
    for ind in (i for g in gold for i in g.indicators):
        row = lines[ind.line - 1].split("\t")
        nature, direction, value, unit, weight = row[row.index(ind.name) + 1 : row.index(ind.name) + 6]
        assert ind.target is not None and ind.target.raw == value + unit
        assert float(weight) == ind.weight
        if nature == "定性":
            assert ind.target.op is None and ind.target.value is None
            continue
        if value[0] not in "≥≤=":
            assert ind.target.op == (">=" if direction == "正向" else "<=")
        seen.add(direction)
    assert seen == {"正向", "反向"}


def test_hubei_self_review_and_national_labels() -> None:
    lines, gold = _render("hubei-self")
    assert all(i.review_score is not None for g in gold for i in g.indicators)
    assert all(g.review_total is not None for g in gold)
    assert "评价等级" in lines[gold[0].lines[1] - 1]
    lines, gold = _render("national-self", n=6)
    text = "\n".join(lines)
    assert re.search(r"产出指标[(（]\d+(\.5)?分[)）]", text) and re.search(r"指标1[:：]", text)
    for ind in (i for g in gold for i in g.indicators):
        assert not ind.name.startswith("指标") and "分" not in (ind.level1 or "")
    lines, gold = _render("chongqing-approval")
    assert "成本指标(0-20)分" in "\n".join(lines) and {i.level1 for g in gold for i in g.indicators} >= {"成本指标"}


def test_scaffold_rows_are_not_gold() -> None:
    for template in ("national-self", "hunan-decl", "chongqing-approval"):
        forms = template_forms(template, 12, 5)
        text, gold = render_template(forms, template, seed=5)
        lines = text.split("\n")
        assert [len(g.indicators) for g in gold] == [len(f.indicators) for f in forms]
        scaffolds = []
        for g in gold:
            head = next(n for n in range(g.lines[0], g.lines[1]) if "\t三级指标\t" in lines[n - 1])
            rows = {i.line for i in g.indicators}
            for n in range(head + 1, g.lines[1] + 1):
                if n not in rows and lines[n - 1] and not lines[n - 1].startswith(("总分", "评价等级")):
                    scaffolds.append(lines[n - 1].split("\t"))
        assert scaffolds, template  # some empty template rows were printed, none of them in the gold
        for cells in scaffolds:
            assert not any(re.search(r"\d", c) and not c.startswith("指标") for c in cells), cells


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_deterministic(template: str) -> None:
    forms = template_forms(template, 3, 1)
    assert render_template(forms, template, seed=2) == render_template(forms, template, seed=2)
    other = render_template(forms, "shanghai-district", seed=2)[0]
    assert render_template(forms, template, seed=2)[0] != other or template == "shanghai-district"


def test_wrong_kind_and_unknown_template_are_refused() -> None:
    with pytest.raises(ValueError, match="prints self_evaluation"):
        render_template(template_forms("hunan-decl", 1), "hubei-self")
    with pytest.raises(ValueError, match="unknown template"):
        render_template([], "guangdong-self")


@pytest.mark.parametrize("layout", LAYOUT_CLASSES)
@pytest.mark.parametrize("template", PROVINCES)
def test_gold_points_at_the_rows_in_every_class(template: str, layout: str) -> None:
    forms = template_forms(template, 3, 4)
    docs = render_documents(forms, layout, seed=4, noise=0.5, template=template)
    assert sum(len(g) for _, g in docs) == 3
    for text, gold in docs:
        lines = text.split("\n")[:-1]
        for form in gold:
            assert form.layout == layout and form.template == template
            first, last = form.lines
            assert 1 <= first <= last <= len(lines)
            assert _nows(TITLES[template]) in _nows(lines[first - 1])
            for ind in form.indicators:
                assert first <= ind.line <= last
                row = _nows("".join(lines[ind.line - 1 : ind.lines[-1]]))
                assert _nows(ind.name) in row, (layout, ind.name, ind.lines)


def test_template_scores_shape() -> None:
    scores = template_scores(["rules"], n_forms=2, seed=1, templates=["hubei-self", "hunan-decl"], layouts=["ocr"])
    assert list(scores) == ["hubei-self", "hunan-decl"] and list(scores["hunan-decl"]) == ["ocr"]
    for per in scores.values():
        m = per["ocr"]
        assert set(m) <= {*TEMPLATE_METRICS, "seconds"} and 0.0 <= m["indicators.f1"] <= 1.0
    assert "totals.accuracy" in scores["hubei-self"]["ocr"] and "totals.accuracy" not in scores["hunan-decl"]["ocr"]
    with pytest.raises(ValueError, match="unknown templates"):
        template_scores(["rules"], 1, templates=["guangdong-self"])


def test_cli_prints_the_template_section() -> None:
    from jixiao.cli import main

    runner = CliRunner()
    args = ["eval", "--noise", "--forms", "3", "--levels", "0", "--no-baseline", "--layouts", "ocr"]
    args += ["--templates", "hubei-self,neimenggu-decl", "--template-forms", "2"]
    r = runner.invoke(main, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert list(out["by_template"]) == ["hubei-self", "neimenggu-decl"] and out["template_forms"] == 2
    assert list(out["by_template"]["hubei-self"]) == ["ocr"]
    r = runner.invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "各模板 × 版式的指标行 F1" in r.output and "湖北自评" in r.output
    r = runner.invoke(main, [*args[:-3], "none", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["by_template"] == {}
    r = runner.invoke(main, [*args[:-3], "guangdong-self"])
    assert r.exit_code != 0 and "未知的模板" in r.output
