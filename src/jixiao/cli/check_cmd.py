"""jixiao check FILE... [--engine] [--format table|json] [--min-severity] [--fail-on]"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .check_table import render_findings
from .common import echo_json, load_documents
from .options import engine_option, files_argument, format_option

if TYPE_CHECKING:
    from ..checks import CheckConfig
    from ..models import Document, Finding

SEVERITIES = ("info", "warning", "error")


@click.command("check")
@files_argument
@engine_option
@format_option
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
def command(files: tuple[str, ...], engine: str, fmt: str, min_severity: str, fail_on: str) -> None:
    """审核报表：列出抄写、雷同、计算错误、不合理指标等问题及其所在行。

    配置文件 [checks] 一节可关闭检查、调整严重程度和阈值（见 docs/checks.md）。
    """
    from ..checks import CheckConfig, at_least, run_checks

    config = CheckConfig.load()  # a bad config file is exit 2, before reading any input
    docs = load_documents(files, engine)
    findings = run_checks(docs, config)
    findings = _with_store(docs, config, findings)  # store checks (checks/history.py)
    shown = at_least(findings, min_severity)
    if fmt == "json":
        unread = [
            {"source": d.source, "project": f.project_name, "lines": f.lines, "reason": f.failed}
            for d in docs
            for f in d.forms
            if f.failed
        ]
        echo_json(
            {"findings": [f.model_dump(mode="json") for f in shown], **({"failed_forms": unread} if unread else {})}
        )
    else:
        from rich.console import Console

        render_findings(
            shown, Console(), total_forms=sum(len(d.forms) for d in docs), hidden=len(findings) - len(shown)
        )
    failed = [(d.source, f) for d in docs for f in d.forms if f.failed]
    for source, f in failed[:20]:
        click.echo(f"警告：{source} 第{f.lines[0]}行（{f.project_name or '未识别项目'}）未能读取：{f.failed}", err=True)
    if failed:
        # a form that could not be read is no clean result: its problems are unknown
        click.echo(f"错误：{len(failed)} 张表未能读取，检查结果不完整 (forms not read)", err=True)
        sys.exit(1 if fail_on != "never" else 2)
    if fail_on != "never" and at_least(findings, fail_on):
        sys.exit(1)


def _with_store(docs: list[Document], config: CheckConfig, findings: list[Finding]) -> list[Finding]:
    """With a team store (``JIXIAO_DATABASE_URL``): the checks across years and documents, and
    this run's forms kept in the store for them."""
    from ..store import DecisionStore, url_configured

    if not url_configured():
        return findings
    from ..checks.history import check_with_store
    from ..checks.runner import sort_findings

    with DecisionStore(None, recover=False) as store:
        return sort_findings([*findings, *check_with_store(docs, store, config)])

