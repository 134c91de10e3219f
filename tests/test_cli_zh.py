"""The command line speaks Chinese: click's help and usage errors, reconcile reasons, the check
table's order, and plain uncut output when stdout is not a terminal."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rich.console import Console

from conftest import SEEDS
from jixiao.cli import COMMANDS, chinese_only, main
from jixiao.cli.check_table import by_check, by_project, render_findings
from jixiao.cli.zh_click import wrap_cells, zh_message
from jixiao.models import Finding
from jixiao.zh import CHECK_LABEL, reason_text

ENGLISH = ("Usage:", "Options:", "Commands:", "Error:", "Show this message", "Try '", "default:", "[required]")


def jixiao(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args],
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["check"], "错误：缺少参数 FILE..."),
        (["check", "--bogus", "x.txt"], "错误：没有选项 --bogus"),
        (["check", "--formt", "json", "x.txt"], "是否想用 --format"),
        (["check", "--format", "xml", "x.txt"], "--format 的值无效：'xml' 不是可选值之一"),
        (["eval", "--forms", "abc"], "--forms 的值无效：'abc' 不是整数"),
        (["eval", "--forms", "0"], "0 不在范围 1<=x<=100000 内"),
        (["report", "x.txt"], "错误：缺少选项 --out"),
        (["reconcile", "a", "b", "c"], "错误：多余的参数：c"),
        (["chek"], "错误：没有命令 chek（是否想用 check？）"),
    ],
)
def test_usage_errors_are_one_chinese_line_and_exit_2(args: list[str], said: str) -> None:
    p = jixiao(*args)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], p.stderr
    assert "用法：" in lines[0]
    assert not any(word in p.stderr for word in ENGLISH), p.stderr


def test_bare_command_shows_the_chinese_help() -> None:
    p = jixiao()
    assert p.returncode == 2
    assert p.stderr.startswith("用法：") and "命令：" in p.stderr and "错误：" not in p.stderr


def test_usage_error_under_clirunner_is_chinese_too() -> None:
    res = CliRunner().invoke(main, ["check", "--nope", "x"])
    assert res.exit_code == 2
    assert res.stderr.startswith("错误：没有选项 --nope") and "Error" not in res.stderr


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_help_pages_have_no_english_words_of_click(name: str | None) -> None:
    res = CliRunner().invoke(main, [name, "--help"] if name else ["--help"], terminal_width=100)
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("用法：") and "选项：" in out and "显示本帮助并退出。" in out
    assert not any(word in out for word in ENGLISH), out
    assert "[OPTIONS]" not in out and "[选项]" in out


def test_help_wraps_by_display_width() -> None:
    res = CliRunner().invoke(main, ["eval", "--help"], terminal_width=80)
    from jixiao.cli.zh_click import cell_width

    assert max(cell_width(line) for line in res.output.splitlines()) <= 80
    assert wrap_cells("一二三四五，六七", 10) == ["一二三四", "五，六七"]  # no line starts with ，
    assert wrap_cells("see --template-forms now", 12) == ["see", "--template-forms", "now"]


def test_version_is_chinese() -> None:
    res = CliRunner().invoke(main, ["--help"])
    assert "显示版本号并退出。" in res.output


def test_click_messages_in_chinese() -> None:
    assert zh_message("'x' is not one of 'table', 'json'.") == "'x' 不是可选值之一（可选：'table', 'json'）"
    assert zh_message("Option '--out' requires an argument.") == "选项 --out 需要一个值"
    assert zh_message("File 'a.txt' does not exist.") == "文件 'a.txt' 不存在"
    assert zh_message("something click may add one day") == "something click may add one day"


def test_error_messages_lose_their_english_tags() -> None:
    assert (
        chinese_only("a.txt: 未找到绩效自评表或绩效目标申报表 (no form found)")
        == "a.txt: 未找到绩效自评表或绩效目标申报表"
    )
    assert chinese_only("x: 请使用 .xlsx 或 .json (unknown report format)") == "x: 请使用 .xlsx 或 .json"
    assert chinese_only("a (copy).txt: 文件不存在") == "a (copy).txt: 文件不存在"
    p = jixiao("extract", "-", stdin=b"hello")
    assert p.returncode == 2 and p.stderr.strip() == "错误：<stdin>: 未找到绩效自评表或绩效目标申报表"


def test_reason_text() -> None:
    assert reason_text(["name 0.86", "department =", "unit ≠"]) == "名称相似 0.86；主管部门相同；实施单位不同"
    assert reason_text(["year ?", "amount 0.95", "indicators 0.80 (4/5)"]) == (
        "年度未知；金额相似 0.95；指标重合 0.80（5 个指标中 4 个相同）"
    )
    # an indicator pair: "unit" is the measuring unit
    assert reason_text(["name 0.70", "level2 =", "level1 ≠", "unit ~", "target ="]) == (
        "名称相似 0.70；二级指标相同；一级指标不同；计量单位相近；指标值相同"
    )
    assert reason_text(["something new"]) == "something new"


def _finding(check: str, severity: str, project: str, message: str) -> Finding:
    return Finding(
        check=check, severity=severity, project=project, kind="self_evaluation", message=message, source="a.txt"
    )  # type: ignore[arg-type]


FINDINGS = [
    _finding("vague-actual", "info", "甲项目", "甲-提示"),
    _finding("completion-copies-goal", "warning", "甲项目", "甲-警告"),
    _finding("score-exceeds-weight", "error", "甲项目", "甲-错误"),
    _finding("vague-actual", "info", "乙项目", "乙-提示"),
    _finding("completion-copies-goal", "warning", "乙项目", "乙-警告"),
]


def test_check_groups_by_project_most_severe_first() -> None:
    groups = by_project(FINDINGS)
    assert [k[1] for k in groups] == ["甲项目", "乙项目"]
    assert [f.message for f in groups[("a.txt", "甲项目", "self_evaluation")]] == ["甲-错误", "甲-警告", "甲-提示"]
    assert by_check(FINDINGS) == [
        ("score-exceeds-weight", "error", 1),
        ("completion-copies-goal", "warning", 2),
        ("vague-actual", "info", 2),
    ]


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "plain"])
def test_check_table_summary_first_then_projects(terminal: bool) -> None:
    console = Console(record=True, width=120, force_terminal=terminal, color_system=None)
    render_findings(FINDINGS, console, total_forms=2, hidden=3)
    out = console.export_text()
    order = [
        "2 张表，5 个问题：错误 1 · 警告 2 · 提示 2",
        "另有 3 个",
        CHECK_LABEL["score-exceeds-weight"],
        CHECK_LABEL["completion-copies-goal"],
        CHECK_LABEL["vague-actual"],
        "甲项目 · 自评表",
        "甲-错误",
        "甲-警告",
        "甲-提示",
        "乙项目 · 自评表",
        "乙-警告",
        "乙-提示",
    ]
    at = [out.index(text) for text in order]
    assert at == sorted(at), out
    # the Chinese name first, the id second
    assert out.index(CHECK_LABEL["score-exceeds-weight"]) < out.index("score-exceeds-weight")


def _json(*args: str) -> dict:
    p = jixiao(*args, "--format", "json")
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


def test_piped_extract_cuts_nothing_short() -> None:
    """Every indicator name, target and goal of both seeds appears whole in piped table output."""
    p = jixiao("extract", *map(str, SEEDS))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "…" not in out and "╭" not in out
    docs = _json("extract", *map(str, SEEDS))["documents"]
    texts = [
        t
        for d in docs
        for f in d["forms"]
        for t in (
            f["project_name"],
            f["goal"].get("expected"),
            f["goal"].get("actual"),
            *(i["name"] for i in f["indicators"]),
            *(i["deviation"] for i in f["indicators"]),
        )
        if t
    ]
    assert len(texts) > 300
    missing = [t for t in texts if t not in out]
    assert not missing, missing[:5]


def test_piped_check_cuts_nothing_short() -> None:
    p = jixiao("check", *map(str, SEEDS))
    assert p.returncode == 0, p.stderr
    findings = _json("check", *map(str, SEEDS))["findings"]
    assert findings
    for f in findings:
        assert f["message"] in p.stdout
        for e in f.get("evidence", []):
            assert e in p.stdout
    first = p.stdout.splitlines()[0]
    assert first.startswith("25 张表，") and f"{len(findings)} 个问题" in first


def test_terminal_extract_view_folds_rather_than_cuts() -> None:
    from jixiao.api import extract_path
    from jixiao.render import render_document

    doc = extract_path(str(SEEDS[0]))
    console = Console(record=True, width=90, force_terminal=True, color_system=None)
    render_document(doc, console)
    out = console.export_text()
    assert "…" not in out
    assert out.count("主管部门") == len(doc.forms) and out.count("三级指标") == len(doc.forms)
