"""jixiao check FILE... [--engine] [--format table|json] [--min-severity] [--fail-on]"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from .common import echo_json, load_documents
from .options import engine_option, files_argument, format_option

if TYPE_CHECKING:
    from rich.console import Console

    from ..checks import CheckConfig
    from ..models import Document, Finding

SEVERITIES = ("info", "warning", "error")
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
KIND_LABEL = {"self_evaluation": "自评表", "target_declaration": "申报表"}


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


def render_findings(findings: Sequence[Finding], console: Console, total_forms: int, hidden: int = 0) -> None:
    """Findings grouped by file and project, coloured by severity, with the evidence quoted."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    summary = Text(f"{total_forms} 张表，{len(findings)} 个问题：")
    for s in reversed(SEVERITIES):
        summary.append(f" {SEVERITY_LABEL[s]} {counts[s]}", style=SEVERITY_STYLE[s])
    if hidden:
        summary.append(f"（另有 {hidden} 个低于 --min-severity 的未显示）", style="dim")
    if not findings:
        console.print(Text("未发现问题。", style="green"), summary)
        return
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.source or "", f.project or "（未识别项目）", f.kind or ""), []).append(f)
    source = None
    for (src, project, kind), items in groups.items():
        if src != source:
            console.rule(Text(src, style="bold"))
            source = src
        table = Table(show_header=False, box=None, pad_edge=False, expand=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        for f in items:
            badge = Text(SEVERITY_LABEL[f.severity], style=SEVERITY_STYLE[f.severity])
            body = Text(overflow="fold")
            body.append(f.message)
            body.append(f"\n{f.check}", style="dim")
            if f.lines:
                body.append(f" · 第 {_ranges(f.lines)} 行", style="dim")
            if f.related:
                body.append(" · 相关：" + "、".join(f.related), style="dim")
            for e in f.evidence[:6]:
                body.append(f"\n  ┃{e}", style="italic grey50")
            if len(f.evidence) > 6:
                body.append(f"\n  ┃ …（共 {len(f.evidence)} 处）", style="italic grey50")
            table.add_row(badge, body)
        worst = max(items, key=lambda f: SEVERITIES.index(f.severity)).severity
        title = f"{project} · {KIND_LABEL.get(kind, kind)}"
        console.print(Panel(table, title=title, title_align="left", border_style=SEVERITY_STYLE[worst]))
    console.print(summary)


def _ranges(lines: Sequence[int]) -> str:
    """[5, 6, 7, 10] -> '5–7、10'."""
    out: list[str] = []
    start = prev = lines[0]
    for n in [*lines[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return "、".join(out)
