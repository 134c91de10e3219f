"""The evaluation harness: metrics that move when the extraction is wrong, fixture discovery,
the naive baseline, findings and reconciliation scoring, and `jixiao eval`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from jixiao.evaluation import baseline as naive
from jixiao.evaluation.findings_eval import score_findings
from jixiao.evaluation.fixtures import default_dir, discover
from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.evaluation.harness import run_eval
from jixiao.evaluation.metrics import PRF, score_forms
from jixiao.evaluation.reconcile_eval import score_reconcile
from jixiao.evaluation.regress import Drop, drops
from jixiao.evaluation.usage import register_usage_reader, usage_of
from jixiao.intake import from_text
from jixiao.models import Document, Finding, Value

FORMS = generate_forms(12, seed=3)
TEXT, GOLD = render_text(FORMS)


def test_prf_arithmetic() -> None:
    p = PRF(tp=8, fp=2, fn=8)
    assert (p.precision, p.recall) == (0.8, 0.5)
    assert p.f1 == pytest.approx(2 * 0.8 * 0.5 / 1.3)
    assert PRF().f1 == 1.0  # nothing to find and nothing found is perfect


def test_perfect_prediction_scores_one() -> None:
    s = score_forms(GOLD, [f.model_copy(deep=True) for f in GOLD]).summary()
    assert set(s.values()) == {1.0}


def test_each_error_moves_its_own_metric() -> None:
    pred = [f.model_copy(deep=True) for f in GOLD]
    se = next(f for f in pred if f.kind == "self_evaluation")
    dropped = se.indicators.pop()
    se.indicators[0].target = Value(raw="=1(件)", op="=", value=1.0, unit="件")
    se.indicators[1].score = (se.indicators[1].score or 0) + 1
    se.funds.fiscal = (se.funds.fiscal or 0) + 100
    se.department = "别的部门"
    sc = score_forms(GOLD, pred)
    s = sc.summary()
    assert s["indicators.recall"] < 1.0 and s["indicators.precision"] == 1.0
    assert s["target.accuracy"] < 1.0 and s["actual.accuracy"] == 1.0
    assert s["score.accuracy"] < 1.0 and s["weight.accuracy"] == 1.0
    assert s["funds.accuracy"] < 1.0 and s["header.accuracy"] < 1.0
    assert s["forms.recall"] == 1.0
    whats = {e.what for e in sc.errors}
    assert {"row missing", "department", "funds.fiscal"} <= whats
    assert any(e.gold.endswith(dropped.name) for e in sc.errors if e.what == "row missing")


def test_garbled_project_name_still_pairs() -> None:
    pred = [f.model_copy(deep=True) for f in GOLD]
    pred[0].project_name = (pred[0].project_name or "")[:-1] + "栎"
    s = score_forms(GOLD, pred).summary()
    assert s["forms.recall"] == 1.0 and s["indicators.f1"] == 1.0 and s["header.accuracy"] < 1.0


def test_lost_form_counts_every_row_missed() -> None:
    sc = score_forms(GOLD, [f.model_copy(deep=True) for f in GOLD[1:]])
    assert sc.forms.fn == 1 and sc.rows.fn == len(GOLD[0].indicators)
    assert sc.errors[0].severity == 3


def test_naive_baseline_reads_clean_text_but_not_the_traps() -> None:
    clean = naive.extract(from_text(TEXT)).forms
    assert score_forms(GOLD, clean).rows.f1 == 1.0
    text, gold = render_text(FORMS, noise=0.6, seed=1)
    trapped = naive.extract(from_text(text)).forms
    assert score_forms(gold, trapped).rows.f1 < 0.95


def test_findings_optional_neither_missed_nor_false() -> None:
    gold = [
        {"check": "vague-actual", "project": "甲 项目", "lines": [3, 4]},
        {"check": "cost-arithmetic", "project": "甲项目", "lines": [9], "optional": True},
        {"check": "year-mismatch", "project": "乙项目", "lines": [20]},
    ]
    found = [
        Finding(check="vague-actual", severity="warning", project="甲项目", message="m", lines=[3]),
        Finding(check="cost-arithmetic", severity="warning", project="甲项目", message="m", lines=[9]),
        Finding(check="duplicate-form", severity="warning", project="丙项目", message="m", lines=[30]),
    ]
    sc = score_findings(gold, found)
    o = sc.overall
    assert (o.tp, o.fp, o.fn) == (1, 1, 1)
    assert sc.per_check["vague-actual"].recall == 1.0
    assert sc.per_check["year-mismatch"].recall == 0.0
    assert sc.per_check["duplicate-form"].precision == 0.0
    assert sc.lines.correct == 1 and sc.lines.total == 3


def test_reconcile_scoring() -> None:
    gold = {
        "projects": [
            {
                "declared": "甲",
                "evaluated": "甲（一期）",
                "indicators": [
                    {"declared": "a", "evaluated": "a", "status": "matched"},
                    {"declared": "b", "evaluated": "b2", "status": "changed"},
                    {"declared": "c", "evaluated": None, "status": "dropped"},
                ],
            },
            {"declared": "乙", "evaluated": "乙", "indicators": []},
        ],
        "unmatched_declared": ["丙"],
        "unmatched_evaluated": [],
    }
    got = {
        "projects": [
            {
                "declared": "甲",
                "evaluated": "甲（一期）",
                "indicators": [
                    {"declared": "a", "evaluated": "a", "status": "changed"},
                    {"declared": "b", "evaluated": "b2", "status": "changed"},
                    {"declared": "c", "evaluated": None, "status": "dropped"},
                ],
            },
            {"declared": "乙", "evaluated": "丁", "indicators": []},
        ],
        "unmatched_declared": ["丙"],
        "unmatched_evaluated": [],
    }
    sc = score_reconcile(gold, got)
    assert sc.projects.tp == 1 and sc.projects.fp == 1 and sc.projects.fn == 1
    assert sc.indicators.f1 == 1.0
    assert sc.status.rate == pytest.approx(2 / 3)
    assert sc.unmatched.f1 == 1.0


def test_usage_hook() -> None:
    doc = Document(source="x")
    assert usage_of(doc) == {}
    register_usage_reader(lambda d: {"requests": 3, "cost": 0.5} if d.source == "llm-doc" else None)
    assert usage_of(Document(source="llm-doc")) == {"requests": 3.0, "cost": 0.5}


def test_regression_detection() -> None:
    floor = {"a": 0.9, "b": 1.0, "c": 0.5}
    assert [d.metric for d in drops(floor, {"a": 0.95, "b": 0.99, "c": 0.5})] == ["b"]
    assert drops(floor, {"a": 0.9, "b": 1.0}) == [Drop("c", 0.5, None)]


def _user_fixture_dir(tmp: Path) -> Path:
    d = tmp / "mine"
    (d / "docs").mkdir(parents=True)
    (d / "labels").mkdir()
    (d / "docs" / "bureau.txt").write_text(TEXT, encoding="gb18030")
    gold = {"source": "bureau.txt", "forms": [f.model_dump(mode="json") for f in GOLD], "findings": []}
    (d / "labels" / "bureau.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (d / "labels" / "orphan.gold.json").write_text('{"forms": []}', encoding="utf-8")
    return d


def test_discover_a_users_directory(tmp_path: Path) -> None:
    fs = discover(_user_fixture_dir(tmp_path))
    assert [f.name for f in fs.extraction] == ["bureau"]
    assert fs.extraction[0].document.name == "bureau.txt"
    assert any("orphan" in n for n in fs.notes)


def test_bundled_fixtures_are_found() -> None:
    assert default_dir() == FIXTURES
    fs = discover(FIXTURES)
    # the two seeds (25 forms) and the fifteen layout examples (13 forms, two documents none)
    assert len(fs.extraction) == 17 and len(fs.pairs) >= 1
    assert sum(len(f.forms) for f in fs.extraction) == 38


def test_run_eval_on_a_users_directory(tmp_path: Path) -> None:
    report = run_eval(_user_fixture_dir(tmp_path))
    m = report.result.metrics()
    assert m["indicators.f1"] == 1.0 and m["forms.recall"] == 1.0
    assert report.baseline is not None and "indicators.f1" in report.gains()


def _jixiao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_cli_json(tmp_path: Path) -> None:
    p = _jixiao("eval", str(_user_fixture_dir(tmp_path)), "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["engine"] == "rules" and out["metrics"]["indicators.f1"] == 1.0
    assert "gain_over_baseline" in out and "worst_errors" in out


def test_cli_table_and_against(tmp_path: Path) -> None:
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"engines": {"rules": {"indicators.f1": 1.0, "made.up": 0.5}}}), encoding="utf-8")
    p = _jixiao("eval", str(_user_fixture_dir(tmp_path)), "--against", str(floor))
    assert p.returncode == 1, p.stderr
    assert "指标行" in p.stdout and "made.up" in p.stdout


def test_cli_noise_curve() -> None:
    p = _jixiao("eval", "--noise", "--forms", "15", "--levels", "0,1", "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    pts = out["points"]
    assert [pt["level"] for pt in pts] == [0.0, 1.0]
    assert pts[0]["metrics"]["rules"]["indicators.f1"] == 1.0
    assert pts[1]["metrics"]["rules"]["indicators.f1"] < 1.0
    assert set(out["by_kind"]["indicators.f1"]) >= {"ocr", "gbk"}


def test_cli_bad_directory(tmp_path: Path) -> None:
    p = _jixiao("eval", str(tmp_path / "nowhere"))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr


def test_llm_engine_usage_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--engine llm` against the OpenAI stub on 127.0.0.1 that answers like a perfect model."""
    pytest.importorskip("instructor")
    stubs = pytest.importorskip("openai_stub_server")
    fixtures = _user_fixture_dir(tmp_path)
    stubs.isolate_env(monkeypatch, tmp_path)
    with stubs.StubServer(default=stubs.rules_oracle) as stub:
        stubs.configure(monkeypatch, stub.url)
        report = run_eval(fixtures, "llm", with_baseline=False)
    assert report.result.metrics()["indicators.f1"] >= 0.95
    usage = report.result.usage
    assert usage["requests"] >= len(GOLD) and usage["prompt_tokens"] > 0 and "latency_s" in usage
