"""jixiao check: JSON shape, table, severity filter and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEEDS
from jixiao.cli import main

SEED0 = str(SEEDS[0])


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", "check", *args], input=stdin, capture_output=True, timeout=120
    )


def test_json_is_the_contract_shape() -> None:
    res = CliRunner().invoke(main, ["check", "--format", "json", SEED0])
    assert res.exit_code == 0, res.output
    findings = json.loads(res.output)["findings"]
    assert findings
    for f in findings:
        assert {"check", "severity", "project", "kind", "message", "lines", "related"} <= set(f)
        assert f["severity"] in ("info", "warning", "error")
    copies = [f for f in findings if f["check"] == "completion-copies-goal"]
    assert {f["project"] for f in copies} >= {"法律咨询与服务", "医疗补助"}


def test_min_severity_filters_the_output() -> None:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--min-severity", "warning", SEED0])
    severities = {f["severity"] for f in json.loads(res.output)["findings"]}
    assert "info" not in severities and "warning" in severities


def test_table_groups_by_project_and_quotes_evidence() -> None:
    res = CliRunner().invoke(main, ["check", SEED0], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    out = res.output
    assert "法律咨询与服务 · 自评表" in out and "completion-copies-goal" in out
    assert "┃第26行｜法律咨询服务有责投诉率" in out  # the evidence row
    assert "个问题" in out


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_sets_the_exit_status(fail_on: str, code: int) -> None:
    """Seed 000 has warnings and infos but no error."""
    res = CliRunner().invoke(main, ["check", "--format", "json", "--fail-on", fail_on, SEED0])
    assert res.exit_code == code, res.output


def test_bad_input_exits_2_with_one_line() -> None:
    p = _run("no/such/file.txt")
    assert p.returncode == 2
    assert len(p.stderr.decode().strip().splitlines()) == 1


def test_bad_config_exits_2(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[checks]\ndisabled = ['nope']\n", encoding="utf-8")
    p = subprocess.run(
        [sys.executable, "-m", "jixiao", "check", SEED0],
        capture_output=True,
        timeout=120,
        env={**__import__("os").environ, "JIXIAO_CONFIG": str(cfg)},
    )
    assert p.returncode == 2 and "checks" in p.stderr.decode()


def test_stdin_and_exit_1_through_the_console_script() -> None:
    p = _run("--format", "json", "--fail-on", "warning", "-", stdin=SEEDS[1].read_bytes())
    assert p.returncode == 1, p.stderr.decode()
    checks = {f["check"] for f in json.loads(p.stdout)["findings"]}
    assert {"duplicate-form", "goal-reused-across-projects", "indicators-reused-across-projects"} <= checks


def test_clean_input_says_so(tmp_path: Path) -> None:
    """A run with no findings prints a short all-clear."""
    from rich.console import Console

    from jixiao.cli.check_cmd import render_findings

    console = Console(record=True, width=80)
    render_findings([], console, total_forms=3)
    assert "未发现问题" in console.export_text()
