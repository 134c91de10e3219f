"""`jixiao reconcile` through click: contract JSON, the table, bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, SEEDS
from jixiao.cli import main
from jixiao.errors import ConfigError

PAIRS = FIXTURES / "pairs"
DECLARED = str(PAIRS / "01_qingpu_cdc.declared.txt")
EVALUATED = str(PAIRS / "01_qingpu_cdc.evaluated.txt")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["reconcile", *args], catch_exceptions=False)


def test_json_is_the_contract_shape() -> None:
    r = run(DECLARED, EVALUATED, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {"projects", "unmatched_declared", "unmatched_evaluated"} <= set(data)
    assert data["unmatched_declared"] == ["健康促进与宣传"]
    assert sorted(data["unmatched_evaluated"]) == ["健康宣传与促进", "应急物资储备"]
    pair = next(p for p in data["projects"] if p["declared"] == "病媒生物防制专项经费")
    assert pair["evaluated"] == "病媒生物防制" and pair["score"] >= 0.6 and "unit =" in pair["reasons"]
    assert {i["status"] for i in pair["indicators"]} == {"matched", "changed", "dropped", "added"}


def test_table_shows_pairs_side_by_side() -> None:
    r = CliRunner(env={"COLUMNS": "220"}).invoke(main, ["reconcile", DECLARED, EVALUATED], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for text in (
        "申报目标",
        "自评目标",
        "实际完成",
        "状态",
        "病媒生物防制专项经费",
        "≥24次",
        "=20次",
        "未配对的表单",
        "实施单位不同",
    ):
        assert text in r.output, text


def test_seeds_explain_why_nothing_pairs() -> None:
    evaluated, declared = (str(p) for p in SEEDS)  # 000 holds self-evaluations, 001 declarations
    r = run(declared, evaluated, "--format", "json")
    data = json.loads(r.output)
    assert data["projects"] == [] and len(data["unmatched_declared"]) == 19
    assert all(u["why"] for u in data["unpaired"])


def test_threshold_option() -> None:
    data = json.loads(run(DECLARED, EVALUATED, "--format", "json", "--threshold", "1").output)
    assert data["projects"] == [] and data["threshold"] == 1.0


def test_missing_kind_is_bad_input() -> None:
    r = CliRunner().invoke(main, ["reconcile", EVALUATED, EVALUATED])
    assert r.exit_code != 0
    assert "未找到绩效目标申报表" in str(r.exception) or "未找到绩效目标申报表" in r.output


def test_help() -> None:
    r = run("--help")
    assert r.exit_code == 0 and "DECLARED_FILE" in r.output


def test_config_file_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "jixiao.toml"
    cfg.write_text("[reconcile]\nproject_threshold = 0.99\n[reconcile.project_weights]\nname = 0.5\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_CONFIG", str(cfg))
    data = json.loads(run(DECLARED, EVALUATED, "--format", "json").output)
    assert data["threshold"] == 0.99 and len(data["projects"]) < 5


def test_bad_config_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "jixiao.toml"
    cfg.write_text("[reconcile]\nthreshhold = 0.5\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match="threshhold"):
        CliRunner().invoke(main, ["reconcile", DECLARED, EVALUATED], catch_exceptions=False)
