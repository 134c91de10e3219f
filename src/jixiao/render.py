"""Terminal views of the domain model (the ``table`` format of extract).

On a terminal a form is a rich panel; anywhere else (a pipe, a file) it is plain lines that
cut nothing short: one header field, goal or indicator per line, cells joined by ``｜``.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .models import Document, Form, Value
from .zh import KIND_LABEL, LAYOUT_LABEL

OP_SIGN = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def fmt_value(v: Value | None) -> str:
    if v is None:
        return ""
    if v.value is None:
        return v.text or v.raw
    num = f"{v.value:g}"
    return f"{OP_SIGN.get(v.op or '', '')}{num}{v.unit or ''}"


def fmt_money(x: float | None) -> str:
    return "" if x is None else f"{x:,.2f}"


def fmt_num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def form_view(form: Form) -> Panel:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold cyan")
    head.add_column()
    head.add_column(style="bold cyan")
    head.add_column()
    head.add_row("主管部门", form.department or "", "实施单位", form.implementing_unit or "")
    if form.kind == "target_declaration":
        head.add_row("项目性质", form.project_nature or "", "项目类别", form.project_category or "")
        head.add_row("计划开始", form.start_date or "", "计划完成", form.end_date or "")
    funds = Table(title="项目资金（元）", title_justify="left", show_edge=False, pad_edge=False)
    cols, vals = funds_cells(form)
    for col in cols:
        funds.add_column(col, justify="right")
    funds.add_row(*vals)
    goals = Table.grid(padding=(0, 2))
    goals.add_column(style="bold cyan", no_wrap=True)
    goals.add_column(overflow="fold")
    if form.goal.expected:
        goals.add_row("预期目标" if form.kind == "self_evaluation" else "年度总体目标", form.goal.expected)
    if form.goal.actual:
        goals.add_row("实际完成情况", form.goal.actual)
    if form.goal.overall:
        goals.add_row("项目总目标", form.goal.overall)
    ind = Table(show_lines=False, header_style="bold")
    scored = form.kind == "self_evaluation"
    for column in indicator_heads(scored):
        justify = "right" if column in ("行", "分值", "得分") else "left"
        ind.add_column(column, justify=justify, style="dim" if column == "行" else "", overflow="fold")
    for i in form.indicators:
        level2 = Text(i.level2 or "")
        if i.level2_raw and i.level2_raw != i.level2:
            level2.append(f"（原文：{i.level2_raw}）", style="yellow")
        row = [str(i.line), i.level1 or "", level2, i.name, fmt_value(i.target)]
        if scored:
            score = Text(
                fmt_num(i.score),
                style="red" if i.score is not None and i.weight is not None and i.score < i.weight else "",
            )
            row += [fmt_value(i.actual), fmt_num(i.weight), score, i.deviation or ""]
        ind.add_row(*row)
    parts: list[object] = [head, funds, goals, ind]
    if scored:
        parts.append(Text(f"总分 {fmt_num(form.total_score)}   评分等级 {form.grade or '—'}", style="bold"))
    for p in form.problems:
        parts.append(Text(f"⚠ {p}", style="yellow"))
    for u in form.unread[:20]:
        parts.append(Text(f"未读取 第{u.line}行：{u.text[:80]}", style="magenta"))
    if len(form.unread) > 20:
        parts.append(Text(f"……另有 {len(form.unread) - 20} 行未读取", style="magenta"))
    return Panel(Group(*parts), title=form_title(form), subtitle=form_how(form), title_align="left")


def indicator_heads(scored: bool) -> tuple[str, ...]:
    heads = ("行", "一级指标", "二级指标", "三级指标", "指标值")
    return (*heads, "实际完成值", "分值", "得分", "偏差原因") if scored else heads


def form_title(form: Form) -> str:
    return f"{KIND_LABEL[form.kind]} · {form.project_name or '（未识别项目名称）'} · {form.year or ''}"


def form_how(form: Form) -> str:
    how = f"第 {form.lines[0]}–{form.lines[-1]} 行 · 版式 {LAYOUT_LABEL.get(form.layout, form.layout)}"
    how += f" · 置信度 {form.confidence:.0%}"
    return how if form.complete else how + " · 不完整"


def form_lines(form: Form) -> list[str]:
    """A form as plain lines, nothing cut short (the face for pipes and files)."""
    out = [f"【{form_title(form)}】{form_how(form)}"]
    head = [("主管部门", form.department), ("实施单位", form.implementing_unit)]
    if form.kind == "target_declaration":
        head += [("项目性质", form.project_nature), ("项目类别", form.project_category)]
        head += [("计划开始", form.start_date), ("计划完成", form.end_date)]
    out += [f"  {k}：{v}" for k, v in head if v]
    cols, vals = funds_cells(form)
    funds = "；".join(f"{c} {v}" for c, v in zip(cols, vals) if v)
    if funds:
        out.append(f"  项目资金（元）：{funds}")
    if form.goal.expected:
        out.append(f"  {'预期目标' if form.kind == 'self_evaluation' else '年度总体目标'}：{form.goal.expected}")
    if form.goal.actual:
        out.append(f"  实际完成情况：{form.goal.actual}")
    if form.goal.overall:
        out.append(f"  项目总目标：{form.goal.overall}")
    scored = form.kind == "self_evaluation"
    if form.indicators:
        out.append("  指标：" + "｜".join(indicator_heads(scored)))
    for i in form.indicators:
        level2 = (i.level2 or "") + (f"（原文：{i.level2_raw}）" if i.level2_raw and i.level2_raw != i.level2 else "")
        row = [f"第{i.line}行", i.level1 or "", level2, i.name, fmt_value(i.target)]
        if scored:
            row += [fmt_value(i.actual), fmt_num(i.weight), fmt_num(i.score), i.deviation or ""]
        out.append("  " + "｜".join(row))
    if scored:
        out.append(f"  总分 {fmt_num(form.total_score)}；评分等级 {form.grade or '—'}")
    out += [f"  ⚠ {p}" for p in form.problems]
    out += [f"  未读取 第{u.line}行：{u.text}" for u in form.unread]
    return out


def render_document(doc: Document, console: Console) -> None:
    """Panels on a terminal; plain lines anywhere else."""
    plain = not console.is_terminal
    head = f"{doc.source}：{len(doc.forms)} 张表（引擎 {doc.engine}）"
    if plain:
        lines = [head, *(f"说明：{note}" for note in doc.notes)]
        for form in doc.forms:
            lines += form_lines(form)
        for line in lines:
            console.print(line, soft_wrap=True, markup=False, highlight=False, emoji=False)
        return
    console.print(Text(head, style="bold"))
    for note in doc.notes:
        console.print(Text(f"说明：{note}", style="cyan"))
    for form in doc.forms:
        console.print(form_view(form))


def funds_cells(form: Form) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The funds row of a form as (column heads, printed values), by the form's layout:
    shared by this table and the review session's."""
    f = form.funds
    if form.kind == "self_evaluation":
        cols = ("年初预算数", "全年预算数", "全年执行数", "财政拨款", "执行率%", "分值", "得分")
        vals = (
            fmt_money(f.initial_budget),
            fmt_money(f.annual_budget),
            fmt_money(f.executed),
            fmt_money(f.fiscal),
            fmt_num(f.execution_rate),
            fmt_num(f.weight),
            fmt_num(f.score),
        )
    else:
        cols = ("申请总额", "财政拨款", "上年结转", "其他资金")
        vals = (fmt_money(f.requested_total), fmt_money(f.fiscal), fmt_money(f.carryover), fmt_money(f.other))
    return cols, vals
