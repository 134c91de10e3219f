"""The reconciler on the labeled pairs (fixtures/pairs) and on the two seeds.

The pairs were written by hand (fixtures/pairs/build_pairs.py holds the labeling); the
reconciler never sees the gold. Thresholds are the brief's: F1 >= 0.95 for project and
indicator pairs, status accuracy >= 0.95.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, SEEDS
from jixiao.api import extract_path
from jixiao.models import Document
from jixiao.reconcile import DEFAULT, ReconcileResult, Settings, reconcile, reconcile_findings
from jixiao.reconcile.scoring import Score, score

PAIRS = FIXTURES / "pairs"
GOLDS = sorted(PAIRS.glob("*.gold.json"))


def load_pair(gold_path: Path) -> tuple[dict[str, Any], Document, Document]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    return gold, extract_path(str(PAIRS / gold["declared_file"])), extract_path(str(PAIRS / gold["evaluated_file"]))


@pytest.fixture(scope="module")
def loaded() -> list[tuple[dict[str, Any], Document, Document]]:
    return [load_pair(g) for g in GOLDS]


def total_score(loaded: list[tuple[dict[str, Any], Document, Document]], settings: Settings = DEFAULT) -> Score:
    sc = Score()
    for gold, d, e in loaded:
        score(gold, reconcile(d.forms, e.forms, settings), into=sc)
    return sc


def test_fixtures_are_big_enough(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    projects = sum(len(g["projects"]) for g, _, _ in loaded)
    indicators = sum(len(p["indicators"]) for g, _, _ in loaded for p in g["projects"])
    assert projects >= 10 and indicators >= 80
    statuses = {i["status"] for g, _, _ in loaded for p in g["projects"] for i in p["indicators"]}
    assert statuses == {"matched", "changed", "dropped", "added"}


def test_gold_names_exist_in_the_documents(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    """The gold speaks of forms the extractor reads (a typo in the labels would fail here)."""
    for gold, d, e in loaded:
        declared = {f.project_name for f in d.forms}
        evaluated = {f.project_name for f in e.forms}
        for p in gold["projects"]:
            assert p["declared"] in declared and p["evaluated"] in evaluated
        assert set(gold["unmatched_declared"]) <= declared
        assert set(gold["unmatched_evaluated"]) <= evaluated


def test_f1_on_labeled_pairs(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    sc = total_score(loaded)
    summary = sc.summary()
    print(json.dumps(summary, ensure_ascii=False))  # the figures, for the note
    assert sc.projects.f1 >= 0.95, sc.errors
    assert sc.indicators.f1 >= 0.95, sc.errors
    assert sc.status_accuracy >= 0.95, sc.errors
    assert summary["budget_changed_accuracy"] == 1.0, sc.errors


def test_blocking_path_gives_the_same_pairs(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    """Large inputs are blocked (same unit + name neighbours) instead of scored exhaustively."""
    blocked = total_score(loaded, replace(DEFAULT, exhaustive_pairs=0))
    assert blocked.projects.f1 >= 0.95 and blocked.indicators.f1 >= 0.95


def test_decoys_stay_unpaired(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    for gold, d, e in loaded:
        result = reconcile(d.forms, e.forms)
        assert sorted(result.unmatched_declared) == sorted(gold["unmatched_declared"])
        assert sorted(result.unmatched_evaluated) == sorted(gold["unmatched_evaluated"])
        for u in result.unpaired:
            assert u.why  # every unpaired form says why


def test_a_threshold_of_one_pairs_nothing(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    """The scores decide: an impossible threshold leaves everything unpaired (the test can fail)."""
    _, d, e = loaded[0]
    result = reconcile(d.forms, e.forms, replace(DEFAULT, project_threshold=1.01))
    assert result.projects == [] and len(result.unpaired) == len(d.forms) + len(e.forms)


@pytest.fixture(scope="module")
def seeds_result() -> tuple[ReconcileResult, list[Document]]:
    docs = [extract_path(str(p)) for p in SEEDS]
    evaluated = [f for doc in docs for f in doc.forms if f.kind == "self_evaluation"]
    declared = [f for doc in docs for f in doc.forms if f.kind == "target_declaration"]
    return reconcile(declared, evaluated), docs


def test_seeds_from_two_units_do_not_pair(seeds_result: tuple[ReconcileResult, list[Document]]) -> None:
    result, docs = seeds_result
    assert result.projects == []
    assert len(result.unmatched_declared) == 19 and len(result.unmatched_evaluated) == 6
    by_name = {u.name: u for u in result.unpaired if u.kind == "self_evaluation"}
    # same name after filler removal, still another unit's project: the reasons say so
    for name, partner in (("宣传与推广", "医保宣传与推广"), ("业务培训", "医保业务培训")):
        u = by_name[name]
        assert u.best is not None and u.best.partner == partner
        assert "name 1.00" in u.best.reasons and "unit ≠" in u.best.reasons and "department =" in u.best.reasons
        assert "实施单位不同" in u.why and "指标几乎无重合" in u.why
    assert reconcile_findings(docs) == []
    assert result.notes and "没有交集" in result.notes[0]


def test_seeds_pair_when_told_to_ignore_the_unit(seeds_result: tuple[ReconcileResult, list[Document]]) -> None:
    """With the unit penalty off and a low bar, the look-alike names pair first (a reviewer's what-if)."""
    _, docs = seeds_result
    evaluated = [f for doc in docs for f in doc.forms if f.kind == "self_evaluation"]
    declared = [f for doc in docs for f in doc.forms if f.kind == "target_declaration"]
    loose = replace(DEFAULT, unit_mismatch_factor=1.0, project_threshold=0.45)
    pairs = {(p.declared, p.evaluated) for p in reconcile(declared, evaluated, loose).projects}
    assert ("医保宣传与推广", "宣传与推广") in pairs and ("医保业务培训", "业务培训") in pairs


def test_findings_carry_ids_lines_and_partner(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    gold, d, e = loaded[0]
    findings = reconcile_findings([d, e])
    by_check: dict[str, list[Any]] = {}
    for f in findings:
        by_check.setdefault(f.check, []).append(f)
    assert set(by_check) == {"target-dropped", "target-added", "target-changed", "budget-changed"}
    n_gold = {
        s: sum(i["status"] == s for p in gold["projects"] for i in p["indicators"])
        for s in ("dropped", "added", "changed")
    }
    assert len(by_check["target-dropped"]) == n_gold["dropped"]
    assert len(by_check["target-added"]) == n_gold["added"]
    assert len(by_check["target-changed"]) == n_gold["changed"]
    changed = next(f for f in by_check["target-changed"] if "预防接种门诊督导" in f.message)
    assert "≥24次" in changed.message and "=20次" in changed.message
    assert changed.related == ["免疫规划疫苗接种服务经费"] and changed.kind == "self_evaluation"
    assert changed.lines and changed.source == e.source
    dropped = by_check["target-dropped"][0]
    assert dropped.kind == "target_declaration" and dropped.source == d.source and dropped.lines
    (budget,) = by_check["budget-changed"]
    assert budget.project == "病媒生物防制" and "380,000.00" in budget.message and "300,000.00" in budget.message
    assert budget.related == ["病媒生物防制专项经费"]
    for f in findings:
        assert f.message and f.project and f.related


def test_one_kind_only_gives_no_findings(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    _, d, _ = loaded[0]
    assert reconcile_findings([d]) == []


def test_contract_json_shape(loaded: list[tuple[dict[str, Any], Document, Document]]) -> None:
    _, d, e = loaded[1]
    data = reconcile(d.forms, e.forms).contract_json()
    assert {"projects", "unmatched_declared", "unmatched_evaluated"} <= set(data)
    p = data["projects"][0]
    assert {"declared", "evaluated", "score", "reasons", "indicators"} <= set(p)
    assert any(r.startswith("name ") for r in p["reasons"]) and any(r.startswith("unit ") for r in p["reasons"])
    for i in p["indicators"]:
        assert {"declared", "evaluated", "score", "status"} <= set(i)
        assert i["status"] in {"matched", "changed", "dropped", "added"}
        if i["status"] == "changed":
            assert i["changes"]  # what changed, in words
    json.dumps(data, ensure_ascii=False)
