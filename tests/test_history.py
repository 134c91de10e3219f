"""The checks across years and documents against a store: planted cases found (a form of
year Y+1 carrying last year's texts; a 汇总 form whose parts were filed in another
document), silence on the seeds' ordinary forms. Runs on SQLite and, with
``JIXIAO_TEST_PG_URL``, on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jixiao.api import extract_text
from jixiao.checks import CheckConfig
from jixiao.checks.history import check_with_store, year_blind
from jixiao.checks.registry import STORE_IDS
from jixiao.store import DecisionStore
from jixiao.store.archive import FormArchive
from store_backends import store_url
from test_review_support import SEEDS

__all__ = ["store_url"]  # a fixture, imported for pytest
SELF_EVAL, DECLARATIONS = SEEDS[0], SEEDS[1]


def _doc(text: str, name: str):  # type: ignore[no-untyped-def]
    return extract_text(text, name)


def test_year_blind_masks_only_years() -> None:
    assert year_blind("2024年完成培训 3 次") == year_blind("2025年完成培训 3 次")
    assert year_blind("2024年完成培训 3 次") != year_blind("2024年完成培训 4 次")


def test_silent_on_the_seeds(store_url: str) -> None:
    docs = [_doc(p.read_text("utf-8"), p.name) for p in (SELF_EVAL, DECLARATIONS)]
    with DecisionStore(store_url) as store:
        assert check_with_store(docs, store) == []
        assert FormArchive(store, lambda f: None).count() == sum(len(d.forms) for d in docs)  # type: ignore[arg-type,return-value]
        # checked again (the same files, now kept): still nothing, and nothing kept twice
        assert check_with_store(docs, store) == []
        assert check_with_store(docs[:1], store) == [] and check_with_store(docs[1:], store) == []
        assert FormArchive(store, lambda f: None).count() == sum(len(d.forms) for d in docs)  # type: ignore[arg-type,return-value]


def test_next_year_form_with_last_years_texts_is_found(store_url: str) -> None:
    text = SELF_EVAL.read_text("utf-8")
    last_year = _doc(text, "松江-2024-自评.txt")
    copied = text.replace("2024", "2025")
    this_year = _doc(copied, "松江-2025-自评.txt")
    assert {f.year for f in this_year.forms} == {2025}
    with DecisionStore(store_url) as store:
        assert check_with_store([last_year], store) == []
        found = [f for f in check_with_store([this_year], store) if f.check == "reused-from-earlier-year"]
    first = this_year.forms[0]
    mine = [f for f in found if f.project == first.project_name and f.lines and f.lines[0] >= first.first_line]
    assert mine, found
    actual = next(f for f in mine if f.message.startswith("实际完成情况"))
    assert f"2024 年的自评表（松江-2024-自评.txt 第{first.field_lines['goal.actual'][0]}行）" in actual.message
    assert actual.lines == first.field_lines["goal.actual"]
    assert actual.related and "2024年" in actual.related[0] and actual.evidence[0].startswith("2024年｜")
    assert any(f.message.startswith("整套") for f in found), "the indicator set copied too"
    assert {f.project for f in found} <= {f.project_name for f in this_year.forms}


def test_next_year_form_rewritten_is_silent(store_url: str) -> None:
    text = SELF_EVAL.read_text("utf-8")
    last_year = _doc(text, "a-2024.txt")
    first = last_year.forms[0]
    assert first.goal.actual and first.goal.expected
    rewritten = (
        text.replace(
            first.goal.actual, "全年共办理法律咨询三十一件，出具审核意见五份，组织专题培训两场，合同审查全覆盖。"
        )
        .replace(first.goal.expected, "围绕医保基金安全开展法律服务，新增合同审查与行政复议应诉支持。")
        .replace("2024", "2025")
    )
    this_year = _doc(rewritten, "a-2025.txt")
    with DecisionStore(store_url) as store:
        check_with_store([last_year], store)
        found = check_with_store([this_year], store)
    texts = [f.message for f in found if f.project == first.project_name and not f.message.startswith("整套")]
    assert texts == [], texts


def test_summary_form_across_documents(store_url: str) -> None:
    lines = DECLARATIONS.read_text("utf-8").split("\n")
    parts = _doc("\n".join(lines[135:220]), "医保中心-项目.txt")
    summary = _doc("\n".join(lines[221:245]), "医保中心-汇总.txt")
    assert [f.project_name for f in summary.forms] == ["综合救助（医保补贴）"]
    assert len(parts.forms) == 3
    with DecisionStore(store_url) as store:
        assert [f for f in check_with_store([parts], store) if f.check == "summary-form"] == []
        found = [f for f in check_with_store([summary], store) if f.check == "summary-form"]
    (f,) = found
    assert f.project == "综合救助（医保补贴）" and f.lines == [summary.forms[0].first_line]
    assert "33,156,400" in f.message.replace("，", ",") or "33156400" in f.message.replace(",", "")
    assert "医保中心-项目.txt" in f.message and "3 张申报表" in f.message
    assert len(f.related) == 3 and all("医保中心-项目.txt 第" in r for r in f.related)


def test_disabled_in_the_config_and_listed_as_store_checks(store_url: str) -> None:
    assert "reused-from-earlier-year" in STORE_IDS
    text = SELF_EVAL.read_text("utf-8")
    cfg = CheckConfig(disabled=frozenset({"reused-from-earlier-year", "summary-form"}))
    with DecisionStore(store_url) as store:
        check_with_store([_doc(text, "x-2024.txt")], store, cfg)
        assert check_with_store([_doc(text.replace("2024", "2025"), "x-2025.txt")], store, cfg) == []


def test_check_command_runs_them_with_a_team_store(tmp_path: Path) -> None:
    """``jixiao check`` with ``JIXIAO_DATABASE_URL``: last year's file kept, this year's copy found."""
    next_year = tmp_path / "松江-2025.txt"
    next_year.write_text(SELF_EVAL.read_text("utf-8").replace("2024", "2025"), encoding="utf-8")
    env = {**os.environ, "JIXIAO_DATABASE_URL": f"sqlite:///{tmp_path}/team.sqlite", "JIXIAO_DEBUG": ""}

    def check(path: Path) -> list[dict[str, object]]:
        p = subprocess.run(
            [sys.executable, "-m", "jixiao", "check", str(path), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert p.returncode == 0, p.stderr
        return [f for f in json.loads(p.stdout)["findings"] if f["check"] == "reused-from-earlier-year"]

    assert check(SELF_EVAL) == []
    found = check(next_year)
    assert found and all(SELF_EVAL.name in str(f["message"]) for f in found)
