"""Rich renderables for the parts of the review screen: pure functions of the data.

Kept apart from the widgets so they can be read and tested without a running app.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..models import Form, Indicator, Value
from ..render import LAYOUT_LABEL, fmt_num, fmt_value, funds_cells
from ..report.data import FindingRow, ProjectRow, lines_text
from ..report.evidence import INDICATOR_COLUMNS, Evidence
from ..zh import KIND_LABEL, SEVERITY_LABEL, UNDECIDED_LABEL, check_label
from .textdiff import copied_spans

SEVERITY_STYLE: dict[str, str] = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
# the cells of the finding under review, and those of the form's other findings
CURRENT_CELL: dict[str, str] = {
    "error": "bold white on red3",
    "warning": "bold black on gold1",
    "info": "bold black on sky_blue1",
}
OTHER_CELL: dict[str, str] = {"error": "red", "warning": "yellow", "info": "cyan"}
COPIED_STYLE = "black on plum2"
DECISION_STYLE: dict[str, str] = {"confirmed": "bold white on dark_red", "dismissed": "bold white on dark_green"}
UNSAVED_LABEL = "未保存"
UNSAVED_STYLE = "bold black on yellow"
UNREAD_STYLE = "magenta"
MAX_UNREAD = 6  # lines shown in the side panel; the rest are counted
LOW_CONFIDENCE = 0.9


def severity_badge(severity: str) -> Text:
    return Text(f" {SEVERITY_LABEL.get(severity, severity)} ", style=f"reverse {SEVERITY_STYLE.get(severity, '')}")


def finding_panel(row: FindingRow | None, position: int, total: int, filtered: str, unsaved: bool = False) -> Text:
    """The finding under review: what, where, and what the reviewer said (``unsaved``: said,
    but not in the database yet)."""
    if row is None:
        msg = "没有符合筛选条件的问题。" if filtered else "没有发现问题。"
        return Text(msg + "  按 ? 查看按键。", style="dim")
    f = row.finding
    t = Text()
    t.append_text(severity_badge(f.severity))
    t.append(f" 问题 {position}/{total}  ", style="bold")
    t.append(check_label(f.check), style="bold")  # the Chinese name first, the id second
    t.append(f"（{f.check}）", style="dim")
    if filtered:
        t.append(f"  筛选：{filtered}", style="italic dim")
    t.append("\n")
    t.append(f"{f.project or '（文件整体）'}  {KIND_LABEL.get(f.kind or '', '')}  第 {lines_text(f.lines) or '?'} 行\n")
    t.append(f.message + "\n")
    if f.related:
        t.append("相关：" + "；".join(f.related) + "\n", style="dim")
    for ev in f.evidence[:4]:
        t.append("证据：" + ev + "\n", style="italic")
    t.append("结论：", style="bold")
    if row.decision_value:
        t.append(f" {row.decision_label} ", style=DECISION_STYLE[row.decision_value])
        if row.reason:
            t.append(f"  理由：{row.reason}")
    else:
        t.append(UNDECIDED_LABEL, style="dim")
    if unsaved:
        t.append("  ")
        t.append(f" {UNSAVED_LABEL} ", style=UNSAVED_STYLE)
        t.append(" 尚未写入数据库", style="yellow")
    if row.note:
        t.append(f"\n备注：{row.note}", style="bold magenta")
    return t


def form_header(p: ProjectRow, highlighted: set[str]) -> RenderableType:
    form = p.form
    head = Table.grid(padding=(0, 2))
    for style in ("bold cyan", "", "bold cyan", ""):
        head.add_column(style=style)

    def cell(field: str, value: str | None) -> Text:
        return Text(value or "", style="reverse" if field in highlighted else "")

    title = Text(f"{p.name}", style="bold")
    title.append(
        f"  {KIND_LABEL.get(form.kind, form.kind)}  {form.year or ''}  {PurePath(p.source).name} 第 {form.lines[0]}-{form.lines[-1]} 行",
        style="dim",
    )
    title.append("  ").append_text(reading_text(form))
    head.add_row(
        "主管部门", cell("department", form.department), "实施单位", cell("implementing_unit", form.implementing_unit)
    )
    if form.kind == "target_declaration":
        head.add_row(
            "项目性质",
            cell("project_nature", form.project_nature),
            "项目类别",
            cell("project_category", form.project_category),
        )
        head.add_row("计划开始", cell("start_date", form.start_date), "计划完成", cell("end_date", form.end_date))
    else:
        head.add_row(
            "总分",
            cell("total_score", fmt_num(form.total_score)),
            "评分等级",
            cell("grade", form.grade),
        )
    return Group(title, head, funds_table(form, "funds" in highlighted))


def reading_text(form: Form) -> Text:
    """How the form was read: layout, confidence, and 不完整 when the form is cut off."""
    t = Text(f"版式 {LAYOUT_LABEL.get(form.layout, form.layout)} · ", style="dim")
    t.append(f"置信度 {form.confidence:.0%}", style="bold yellow" if form.confidence < LOW_CONFIDENCE else "dim")
    if not form.complete:
        t.append(" ")
        t.append(" 不完整 ", style="bold white on red3")
    return t


def unread_text(form: Form, limit: int = MAX_UNREAD) -> Text:
    """The lines inside the form no reader could place: the first ``limit``, then a count."""
    t = Text()
    for u in form.unread[:limit]:
        if t:
            t.append("\n")
        t.append(f"第{u.line}行 ", style="dim")
        t.append(_short(" │ ".join(c.strip() for c in u.text.split("\t") if c.strip()), 100), style=UNREAD_STYLE)
    if len(form.unread) > limit:
        t.append(f"\n……另有 {len(form.unread) - limit} 行未读取", style="dim")
    return t


def funds_table(form: Form, highlighted: bool) -> Table:
    t = Table(
        title="项目资金（元）",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        style="red" if highlighted else "",
    )
    cols, vals = funds_cells(form)
    for c in cols:
        t.add_column(c, justify="right")
    t.add_row(*(Text(v, style="reverse" if highlighted else "") for v in vals))
    return t


def _styled(text: str, spans: Sequence[tuple[int, int]]) -> Text:
    t = Text(text)
    for a, b in spans:
        t.stylize(COPIED_STYLE, a, b)
    return t


def goal_texts(form: Form) -> tuple[Text, Text, str]:
    """Left and right goal texts with the copied parts marked, and a caption."""
    g = form.goal
    if form.kind == "self_evaluation":
        left, right = g.expected or "", g.actual or ""
        c = copied_spans(left, right)
        caption = f"实际完成情况中 {c.percent}% 的文字照抄预期目标（紫色标出）" if c.in_b else "未发现照抄"
        return _styled(left, c.in_a), _styled(right, c.in_b), caption
    left, right = g.overall or "", g.expected or ""
    c = copied_spans(left, right)
    caption = f"年度目标中 {c.percent}% 的文字与项目总目标相同" if c.in_b else ""
    return _styled(left, c.in_a), _styled(right, c.in_b), caption


def _value(v: Value | None) -> str:
    return fmt_value(v) if v is not None else ""


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _category(name: str | None) -> str:
    # '经济成本指标' -> '经济成本': the table must fit 得分 on an ordinary terminal
    return name[:-2] if name and name.endswith("指标") and len(name) > 2 else (name or "")


def indicator_cells(ind: Indicator) -> dict[str, str]:
    """Cell texts for the terminal table (shortened; the export keeps them whole)."""
    return {
        "level1": _category(ind.level1) or ind.level1_raw or "",
        "level2": _category(ind.level2) or ind.level2_raw or "",
        "name": _short(ind.name, 22),
        "target": _value(ind.target) or (ind.target.raw if ind.target else ""),
        "actual": _value(ind.actual) or (ind.actual.raw if ind.actual else ""),
        "weight": fmt_num(ind.weight),
        "score": fmt_num(ind.score),
        "deviation": _short(ind.deviation or "", 24),
    }


def indicator_columns(form: Form) -> list[tuple[str, str]]:
    if form.kind == "self_evaluation":
        return list(INDICATOR_COLUMNS)
    return [(c, h) for c, h in INDICATOR_COLUMNS if c in ("level1", "level2", "name", "target")]


def indicator_rows(
    form: Form, current: tuple[Evidence, str] | None, others: Sequence[tuple[Evidence, str]]
) -> list[list[Text]]:
    """Rows of the indicator table; cells the current finding points at stand out most."""
    cols = indicator_columns(form)
    rows: list[list[Text]] = []
    for i, ind in enumerate(form.indicators):
        values = indicator_cells(ind)
        row = [Text(str(ind.line), style="dim")]
        for c, _ in cols:
            style = ""
            for ev, sev in others:
                if c in ev.cells.get(i, ()):
                    style = OTHER_CELL.get(sev, "")
            if current and c in current[0].cells.get(i, ()):
                style = CURRENT_CELL.get(current[1], "reverse")
            row.append(Text(values[c], style=style))
        rows.append(row)
    return rows


def progress_text(decided: int, total: int) -> Text:
    if total == 0:
        return Text("—", style="dim")
    style = "green" if decided == total else ("yellow" if decided else "")
    return Text(f"{decided}/{total}", style=style)
