"""Rich terminal view of a ReconcileResult (the ``table`` format of ``jixiao reconcile``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..zh import kind_short_label, reason_text, status_label
from .result import ProjectPair, ReconcileResult

STATUS_STYLE = {"matched": "green", "changed": "yellow", "dropped": "red", "added": "cyan"}
STATUS_ORDER = ("matched", "changed", "dropped", "added")


def _money(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def pair_view(pair: ProjectPair, declared_source: str = "", evaluated_source: str = "") -> Panel:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold cyan", no_wrap=True, overflow="fold")
    head.add_column(overflow="fold")
    head.add_column(style="bold cyan", no_wrap=True, overflow="fold")
    head.add_column(overflow="fold")
    dl, el = pair.declared_lines, pair.evaluated_lines
    head.add_row("申报表", str(pair.declared), "自评表", str(pair.evaluated))
    head.add_row(
        "位置",
        f"{declared_source} 第 {dl[0]}–{dl[-1]} 行" if dl else declared_source,
        "位置",
        f"{evaluated_source} 第 {el[0]}–{el[-1]} 行" if el else evaluated_source,
    )
    head.add_row("实施单位", pair.declared_unit or "", "实施单位", pair.evaluated_unit or "")
    budget = _money(pair.evaluated_amount)
    if pair.evaluated_annual is not None and pair.evaluated_annual != pair.evaluated_amount:
        budget += f"（全年 {_money(pair.evaluated_annual)}）"
    head.add_row("申请金额（元）", _money(pair.declared_amount), "年初预算（元）", budget)
    table = Table(header_style="bold", show_lines=False, expand=True)
    table.add_column("行", justify="right", style="dim", no_wrap=True, overflow="fold")
    table.add_column("申报指标", ratio=3, min_width=8, overflow="fold")
    table.add_column("申报目标", ratio=1, min_width=6, overflow="fold")
    table.add_column("自评指标", ratio=3, min_width=8, overflow="fold")
    table.add_column("自评目标", ratio=1, min_width=6, overflow="fold")
    table.add_column("实际完成", ratio=1, min_width=6, overflow="fold")
    table.add_column("状态", ratio=1, min_width=6, overflow="fold")
    for ip in pair.indicators:
        status = Text(status_label(ip.status), style=STATUS_STYLE.get(ip.status, ""))
        if ip.changes:
            status.append(f"\n{'、'.join(ip.changes)}", style="dim")
        lines = "\n".join(str(x) for x in (ip.declared_line, ip.evaluated_line) if x)
        same_name = ip.declared == ip.evaluated
        table.add_row(
            lines,
            ip.declared or "",
            Text(ip.declared_target or "", style="yellow" if ip.status == "changed" else ""),
            "〃" if same_name else (ip.evaluated or ""),
            Text(ip.evaluated_target or "", style="yellow" if ip.status == "changed" else ""),
            ip.actual or "",
            status,
        )
    c = pair.counts
    summary = Text(" · ".join(f"{status_label(s)} {c.get(s, 0)}" for s in STATUS_ORDER), style="bold")
    why = Text(f"配对依据：{pair.explanation}\n各项比较：{reason_text(pair.reasons)}", style="dim")
    title = f"{pair.declared} ⇄ {pair.evaluated} · 得分 {pair.score:.2f}"
    return Panel(Group(head, why, table, summary), title=title, title_align="left")


def render_result(
    result: ReconcileResult,
    console: Console,
    declared_sources: Sequence[str] = (),
    evaluated_sources: Sequence[str] = (),
) -> None:
    def src(sources: Sequence[str], i: int) -> str:
        return sources[i] if i < len(sources) else ""

    n_unpaired = len(result.unpaired)
    console.print(
        Text(
            f"配对 {len(result.projects)} 个项目，未配对 {n_unpaired} 张表（阈值 {result.threshold:.2f}）", style="bold"
        )
    )
    for note in result.notes:
        console.print(Text(f"注意：{note}", style="yellow"))
    for pair in result.projects:
        console.print(
            pair_view(pair, src(declared_sources, pair.declared_index), src(evaluated_sources, pair.evaluated_index))
        )
    if not result.unpaired:
        return
    table = Table(title="未配对的表单", title_justify="left", header_style="bold", expand=True)
    table.add_column("类型", no_wrap=True, overflow="fold")
    table.add_column("项目", overflow="fold")
    table.add_column("行", no_wrap=True, style="dim", overflow="fold")
    table.add_column("实施单位", overflow="fold")
    table.add_column("原因", overflow="fold")
    for u in result.unpaired:
        lines = f"{u.lines[0]}–{u.lines[-1]}" if u.lines else ""
        reasons = u.why + (f"\n各项比较：{reason_text(u.best.reasons)}" if u.best else "")
        table.add_row(kind_short_label(u.kind), u.name or "（未识别）", lines, u.unit or "", reasons)
    console.print(table)
