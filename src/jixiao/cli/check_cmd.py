"""jixiao check FILE... [--engine] [--format table|json] [--min-severity] [--fail-on]

Documents are read and checked one at a time (``CheckRun``): the command never holds all
of them, only the findings to show and, for the cross-document checks, a compact record
of each form."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import click

from .check_table import render_findings
from .common import iter_documents
from .options import engine_option, files_argument, format_option, jobs_option

if TYPE_CHECKING:
    from ..models import Finding
    from ..store import DecisionStore

SEVERITIES = ("info", "warning", "error")


@click.command("check")
@files_argument
@engine_option
@format_option
@jobs_option
@click.option(
    "--min-severity",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="只显示此严重程度及以上的问题",
)
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, "never"]),
    default="never",
    show_default=True,
    help="存在此严重程度及以上的问题时以退出码 1 结束（用于脚本和流水线）",
)
def command(files: tuple[str, ...], engine: str, fmt: str, jobs: int | None, min_severity: str, fail_on: str) -> None:
    """审核报表：列出抄写、雷同、计算错误、不合理指标等问题及其所在行。

    配置文件 [checks] 一节可关闭检查、调整严重程度和阈值（见 docs/checks.md）。
    """
    from ..checks import CheckConfig, CheckRun

    config = CheckConfig.load()  # a bad config file is exit 2, before reading any input
    run = CheckRun(config)
    shown = _Shown(min_severity, fail_on, as_json=fmt == "json")
    failed: list[tuple[str, str | None, list[int], str]] = []  # (source, project, lines, reason)
    with ExitStack() as opened:
        store = _team_store(opened)  # checks across years, with a team store: opened once per run
        for doc in iter_documents(files, engine, jobs):
            shown.take(run.add(doc))
            if store is not None:
                from ..checks.history import check_with_store

                shown.take(check_with_store([doc], store, config))
            failed += [(doc.source, f.project_name, list(f.lines), f.failed) for f in doc.forms if f.failed]
    shown.take(run.finish())
    if fmt == "json":
        unread = [{"source": src, "project": p, "lines": ln, "reason": why} for src, p, ln, why in failed]
        _write_json(shown.dumped(), unread)
    else:
        from rich.console import Console

        render_findings(shown.findings(), Console(), total_forms=run.forms, hidden=shown.hidden)
    for source, project, lines, why in failed[:20]:
        click.echo(f"警告：{source} 第{lines[0]}行（{project or '未识别项目'}）未能读取：{why}", err=True)
    if failed:
        # a form that could not be read is no clean result: its problems are unknown
        click.echo(f"错误：{len(failed)} 张表未能读取，检查结果不完整", err=True)
        sys.exit(1 if fail_on != "never" else 2)
    if shown.fails:
        sys.exit(1)


class _Shown:
    """The findings of a run as they come: those at or above --min-severity kept (as JSON
    text when that is the output: a few hundred bytes each, not a model), the rest counted;
    whether any reaches --fail-on."""

    def __init__(self, min_severity: str, fail_on: str, *, as_json: bool) -> None:
        from ..models import SEVERITY_RANK

        self._rank = SEVERITY_RANK
        self._floor = SEVERITY_RANK[min_severity]
        self._fail = SEVERITY_RANK.get(fail_on)  # None: never
        self._as_json = as_json
        self._kept: list[tuple[tuple[str, int, int, str], Any]] = []
        self.hidden = 0
        self.fails = False

    def take(self, findings: Sequence[Finding]) -> None:
        from ..checks.runner import finding_order

        for f in findings:
            rank = self._rank[f.severity]
            if self._fail is not None and rank >= self._fail:
                self.fails = True
            if rank < self._floor:
                self.hidden += 1
                continue
            self._kept.append((finding_order(f), f.model_dump_json() if self._as_json else f))

    def _sorted(self) -> list[Any]:
        # stable: findings with equal keys keep the order the run gave them (as run_checks)
        return [item for _, item in sorted(self._kept, key=lambda kv: kv[0])]

    def findings(self) -> list[Finding]:
        return self._sorted()

    def dumped(self) -> list[str]:
        return self._sorted()


def _write_json(findings: list[str], unread: list[dict[str, Any]]) -> None:
    """``{"findings": [...], "failed_forms": [...]}`` (the contract's), each finding as
    pydantic serialised it: no dict of the whole run is built."""
    out = sys.stdout
    if findings:
        out.write('{\n  "findings": [\n    ')
        for i, item in enumerate(findings):
            if i:
                out.write(",\n    ")
            out.write(item)
        out.write("\n  ]")
    else:
        out.write('{\n  "findings": []')
    if unread:
        out.write(',\n  "failed_forms": ')
        out.write(json.dumps(unread, ensure_ascii=False))
    out.write("\n}\n")


def _team_store(opened: ExitStack) -> DecisionStore | None:
    """With a team store (``JIXIAO_DATABASE_URL``) the store, open for the run: the store checks
    (checks/history.py) read its earlier forms and keep each document's for the next ones and
    next year's checks. None without a store."""
    from ..store import DecisionStore, url_configured

    if not url_configured():
        return None
    return opened.enter_context(DecisionStore(None, recover=False))
