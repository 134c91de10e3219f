"""The ``table`` face of ``jixiao check``: a summary first, then the findings by file and project.

The summary counts findings by severity and by check (Chinese name first, id second). Inside a
project the most severe findings come first. On a terminal the findings sit in coloured panels;
anywhere else (a pipe, a file) they are plain lines, never cut short, one fact per line so that
``grep`` finds them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..zh import SEVERITIES, check_face, check_label, kind_short_label, severity_label

if TYPE_CHECKING:
    from ..models import Finding

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
EVIDENCE_SHOWN = 6  # on a terminal; plain text shows all
NO_PROJECT = "（未识别项目）"


def _rank(severity: str) -> int:
    """0 for the most severe."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def by_project(findings: Sequence[Finding]) -> dict[tuple[str, str, str], list[Finding]]:
    """(source, project, kind) -> findings, groups in input order, most severe first inside."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.source or "", f.project or NO_PROJECT, f.kind or ""), []).append(f)
    return {k: sorted(v, key=lambda f: _rank(f.severity)) for k, v in groups.items()}


def by_check(findings: Sequence[Finding]) -> list[tuple[str, str, int]]:
    """(check, worst severity, count), most severe check first, then the most frequent."""
    counts = Counter(f.check for f in findings)
    worst: dict[str, str] = {}
    for f in findings:
        if f.check not in worst or _rank(f.severity) < _rank(worst[f.check]):
            worst[f.check] = f.severity
    return sorted(((c, worst[c], n) for c, n in counts.items()), key=lambda x: (_rank(x[1]), -x[2], x[0]))


def _summary(findings: Sequence[Finding], total_forms: int, hidden: int) -> Text:
    counts = Counter(f.severity for f in findings)
    text = Text(f"{total_forms} 张表，{len(findings)} 个问题：", style="bold")
    text.append(" · ".join(f"{severity_label(s)} {counts.get(s, 0)}" for s in SEVERITIES))
    if hidden:
        text.append(f"（另有 {hidden} 个低于 --min-severity 的未显示）", style="dim")
    return text


def _where(f: Finding) -> str:
    out = ""
    if f.lines:
        out += f" · 第 {_ranges(f.lines)} 行"
    if f.related:
        out += " · 相关：" + "、".join(f.related)
    return out


def render_findings(findings: Sequence[Finding], console: Console, total_forms: int, hidden: int = 0) -> None:
    """Summary, then findings by file and project; panels on a terminal, plain lines elsewhere."""
    if console.is_terminal:
        _render_rich(findings, console, total_forms, hidden)
    else:
        _render_plain(findings, console, total_forms, hidden)


def _render_rich(findings: Sequence[Finding], console: Console, total_forms: int, hidden: int) -> None:
    summary = _summary(findings, total_forms, hidden)
    if not findings:
        console.print(Text("未发现问题。", style="green"), summary)
        return
    console.print(summary)
    checks = Table(header_style="bold", box=None, pad_edge=False, show_edge=False)
    checks.add_column("严重程度", no_wrap=True)
    checks.add_column("检查项", overflow="fold")
    checks.add_column("编号", style="dim", overflow="fold")
    checks.add_column("问题数", justify="right", no_wrap=True)
    for check, severity, n in by_check(findings):
        checks.add_row(
            Text(severity_label(severity), style=SEVERITY_STYLE[severity]), check_label(check), check, str(n)
        )
    console.print(checks)
    source = None
    for (src, project, kind), items in by_project(findings).items():
        if src != source:
            console.rule(Text(src, style="bold"))
            source = src
        table = Table(show_header=False, box=None, pad_edge=False, expand=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        for f in items:
            body = Text(overflow="fold")
            body.append(f.message)
            body.append(f"\n{check_label(f.check)}", style="bold dim")
            body.append(f" · {f.check}{_where(f)}", style="dim")
            for e in f.evidence[:EVIDENCE_SHOWN]:
                body.append(f"\n  ┃{e}", style="italic grey50")
            if len(f.evidence) > EVIDENCE_SHOWN:
                body.append(f"\n  ┃ …（共 {len(f.evidence)} 处）", style="italic grey50")
            table.add_row(Text(severity_label(f.severity), style=SEVERITY_STYLE[f.severity]), body)
        title = f"{project} · {kind_short_label(kind)}"
        console.print(Panel(table, title=title, title_align="left", border_style=SEVERITY_STYLE[items[0].severity]))


def _render_plain(findings: Sequence[Finding], console: Console, total_forms: int, hidden: int) -> None:
    def line(text: str = "") -> None:
        console.print(text, soft_wrap=True, markup=False, highlight=False, emoji=False)

    summary = _summary(findings, total_forms, hidden).plain
    if not findings:
        line(f"未发现问题。{summary}")
        return
    line(summary)
    line("按检查项：")
    for check, severity, n in by_check(findings):
        line(f"  {severity_label(severity)}  {check_face(check)}  {n} 个")
    source = None
    for (src, project, kind), items in by_project(findings).items():
        if src != source:
            line()
            line(f"== {src} ==")
            source = src
        line(f"【{project} · {kind_short_label(kind)}】")
        for f in items:
            line(f"  {severity_label(f.severity)}  {f.message}")
            line(f"        {check_face(f.check)}{_where(f)}")
            for e in f.evidence:
                line(f"        ┃{e}")


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
