"""The command line as users and scripts call it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import SEEDS
from jixiao.cli import COMMANDS, main


def test_every_command_is_registered_and_has_help() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        res = runner.invoke(main, [name, "--help"])
        assert res.exit_code == 0, (name, res.output)
        assert res.output.strip(), name


def test_extract_json_is_the_contract_shape() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "jixiao", "extract", "--format", "json", str(SEEDS[0])],
        capture_output=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr.decode()
    doc = json.loads(p.stdout)
    assert doc["source"] == str(SEEDS[0]) and doc["engine"] == "rules"
    form = doc["forms"][0]
    for k in (
        "kind",
        "year",
        "project_name",
        "department",
        "implementing_unit",
        "project_nature",
        "project_category",
        "start_date",
        "end_date",
        "funds",
        "goal",
        "indicators",
        "total_score",
        "grade",
        "lines",
    ):
        assert k in form
    ind = form["indicators"][0]
    assert ind == {
        **ind,
        "level1": "成本指标",
        "level2": "经济成本指标",
        "name": "医保重大决策审核意见",
        "weight": 8.0,
        "score": 8.0,
        "deviation": None,
        "line": 16,
    }
    assert ind["target"] == {"raw": "=800.00(元/件)", "op": "=", "value": 800.0, "unit": "元/件", "text": None}


def test_stdin_dash_reads_pasted_text() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "jixiao", "extract", "--format", "json", "-"],
        input=SEEDS[1].read_bytes(),
        capture_output=True,
        timeout=120,
    )
    assert p.returncode == 0
    assert len(json.loads(p.stdout)["forms"]) == 19


def test_several_files_give_documents() -> None:
    res = CliRunner().invoke(main, ["extract", "--format", "json", *map(str, SEEDS)])
    assert res.exit_code == 0
    docs = json.loads(res.output)["documents"]
    assert [len(d["forms"]) for d in docs] == [6, 19]


@pytest.mark.parametrize("seed", SEEDS, ids=["000", "001"])
def test_table_view_shows_every_form(seed: object) -> None:
    res = CliRunner().invoke(main, ["extract", str(seed)], terminal_width=200)
    assert res.exit_code == 0
    assert res.output.count("绩效") >= 6
