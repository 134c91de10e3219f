"""The .json, .md and .html exports: every finding with its decision; untrusted text escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.errors import InputError
from jixiao.models import Finding
from jixiao.report import render_report, write_report
from jixiao.store import Decision, DecisionStore, decision_keys
from jixiao.zh import KIND_LABEL, SEVERITY_LABEL, check_label
from test_review_support import SEEDS, gold_findings, seed_documents

EVIL = '<script>alert("x")</script> | **粗体** =1+1 &amp;'


Decided = tuple[list[Finding], dict[str, Decision], Path]


@pytest.fixture
def decided(tmp_path: Path) -> Decided:
    """Gold findings of both seeds; the first confirmed, the second dismissed with a reason,
    the third only noted."""
    findings = gold_findings()
    keys = decision_keys(findings)
    db = tmp_path / "d.sqlite"
    with DecisionStore(db) as store:
        store.record(findings[0], "confirmed", key=keys[0])
        store.record(findings[1], "dismissed", reason="已核实：合理", key=keys[1])
        store.set_note(findings[2], "请单位补充说明", key=keys[2])
        decisions = store.all()
    return findings, decisions, db


def test_json_lists_every_finding_with_its_decision(decided: Decided) -> None:
    findings, decisions, _ = decided
    body = json.loads(render_report(list(seed_documents()), findings, decisions, "json"))
    rows = body["findings"]
    assert len(rows) == len(findings)
    want = {(f.check, f.project, f.kind, f.severity, f.message, tuple(f.lines)) for f in findings}
    got = {(r["check"], r["project"], r["kind"], r["severity"], r["message"], tuple(r["lines"])) for r in rows}
    assert got == want
    by_key = {r["key"]: r for r in rows}
    keys = decision_keys(findings)
    assert len(by_key) == len(findings), "keys are unique within a run"
    assert by_key[keys[0]]["decision"] == "confirmed"
    assert by_key[keys[0]]["decision_label"] == "确认问题"
    assert by_key[keys[1]]["decision"] == "dismissed"
    assert by_key[keys[1]]["reason"] == "已核实：合理"
    assert by_key[keys[2]]["decision"] is None
    assert by_key[keys[2]]["note"] == "请单位补充说明"
    assert all(by_key[k]["decision"] is None and by_key[k]["note"] is None for k in keys[3:])
    s = body["summary"]
    assert (s["findings"], s["confirmed"], s["dismissed"], s["undecided"]) == (len(findings), 1, 1, len(findings) - 2)
    assert len(body["projects"]) == sum(len(d.forms) for d in seed_documents())
    assert sum(p["findings"] for p in body["projects"]) == len(findings), "every finding placed in its form"


def test_markdown_table_has_every_finding(decided: Decided) -> None:
    findings, decisions, _ = decided
    md = render_report(list(seed_documents()), findings, decisions, "md").decode()
    table = [line for line in md.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(table) == len(findings) + len(list(p for d in seed_documents() for p in d.forms))
    first = next(line for line in table if check_label(findings[1].check) in line and "不是问题" in line)
    assert "已核实：合理" in first
    assert any("请单位补充说明" in line for line in table)


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    docs = list(seed_documents())
    f = Finding(
        check="template-placeholder",
        severity="warning",
        project=EVIL,
        kind="self_evaluation",
        message=EVIL,
        lines=[14],
        source=docs[0].source,
        evidence=[EVIL],
    )
    with DecisionStore(tmp_path / "d.sqlite") as store:
        store.record(f, "dismissed", reason=EVIL, note=EVIL)
        decisions = store.all()
    page = render_report(docs, [f, *gold_findings()], decisions, "html").decode()
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page, "an entity in the input is shown, not interpreted"
    for external in ("http://", "https://", "src=", "<link", "@import"):
        assert external not in page
    for header in ("检查项", "严重程度", "项目名称", "表单类型", "问题说明", "行号", "审核结论", "理由与备注"):
        assert f"<th>{header}</th>" in page
    assert page.count('<tr id="f-') == len(gold_findings()) + 1


def test_markdown_escapes_cells() -> None:
    docs = list(seed_documents())
    f = Finding(
        check="x", severity="info", project="a|b", message="第一行\n第二行 | <b>", lines=[1], source=docs[0].source
    )
    md = render_report(docs, [f], {}, "md").decode()
    row = next(line for line in md.splitlines() if "第一行" in line)
    assert "a\\|b" in row and "第一行<br>第二行 \\| \\<b\\>" in row
    assert row.count(" | ") == 10  # eleven columns, none split by the text


def test_write_report_by_suffix_and_atomically(tmp_path: Path, decided: Decided) -> None:
    findings, decisions, _ = decided
    docs = list(seed_documents())
    for suffix, magic in ((".json", b"{"), (".md", b"# "), (".html", b"<!DOCTYPE html>"), (".xlsx", b"PK")):
        out = tmp_path / "sub" / f"报告{suffix}"
        write_report(docs, findings, decisions, out)
        assert out.read_bytes().startswith(magic)
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == sorted(
        f"报告{s}" for s in (".json", ".md", ".html", ".xlsx")
    ), "no temporary file left behind"
    with pytest.raises(InputError):
        write_report(docs, findings, decisions, tmp_path / "报告.doc")


def test_labels_are_chinese() -> None:
    assert SEVERITY_LABEL == {"error": "错误", "warning": "警告", "info": "提示"}
    assert KIND_LABEL["self_evaluation"] == "绩效自评表"


def test_cli_report_includes_database_decisions(tmp_path: Path) -> None:
    pytest.importorskip("jixiao.checks")
    from jixiao.checks import run_checks
    from jixiao.cli import main

    docs = list(seed_documents())
    found = run_checks(docs)
    keys = decision_keys(found)
    db = tmp_path / "d.sqlite"
    with DecisionStore(db) as store:
        store.record(found[0], "confirmed", note="CLI 导出检查", key=keys[0])
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["report", *map(str, SEEDS), "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    body = json.loads(out.read_text(encoding="utf-8"))
    assert len(body["findings"]) == len(found)
    noted = [r for r in body["findings"] if r["note"] == "CLI 导出检查"]
    assert len(noted) == 1 and noted[0]["decision"] == "confirmed" and noted[0]["check"] == found[0].check
    bad = CliRunner().invoke(main, ["report", str(SEEDS[0]), "--out", str(tmp_path / "r.doc")])
    assert bad.exit_code != 0
