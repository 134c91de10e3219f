"""The widgets of the review screen, by area: project list (left), and on the right the
finding under review, the form's findings, the form (header and funds, goals, indicators)
and the declared-vs-evaluated comparison. They draw what ``ReviewState`` says; the app
moves the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable, Static

from ..models import Document, Form, Indicator
from ..render import fmt_value
from ..report.data import FindingRow, ProjectRow, lines_text
from ..report.evidence import Evidence, FormRef
from ..zh import DECISION_LABEL, KIND_TAG, SEVERITY_LABEL, STATUS_LABEL, UNDECIDED_LABEL, check_label
from .pairs import Pair
from .state import ReviewState
from .views import (
    OTHER_CELL,
    SEVERITY_STYLE,
    UNSAVED_LABEL,
    UNSAVED_STYLE,
    finding_panel,
    form_header,
    goal_texts,
    indicator_columns,
    indicator_rows,
    progress_text,
    unread_text,
)

# project list columns: (title, cell width)
_PROJECT_COLS: tuple[tuple[str, int], ...] = (("项目", 26), ("类", 4), ("错", 3), ("警", 3), ("提", 3), ("进度", 7))


def _pad(text: Text, width: int) -> Text:
    text = text.copy()
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


def project_line(p: ProjectRow, pending: bool = False) -> Text:
    """One row of the project list: name, kind, counts by severity, progress; while the
    form is still being checked, '…' instead of counts and progress."""

    def count(sev: str) -> Text:
        if pending:
            return Text("…", style="dim")
        n = p.counts.get(sev, 0)
        return Text(str(n) if n else "·", style=OTHER_CELL[sev] if n else "dim")

    cells = [
        Text(p.name),
        Text(KIND_TAG.get(p.form.kind, ""), style="dim"),
        count("error"),
        count("warning"),
        count("info"),
        Text("检查中", style="dim") if pending else progress_text(p.decided, p.total),
    ]
    return Text(" ").join(_pad(c, w) for c, (_, w) in zip(cells, _PROJECT_COLS))


def project_header() -> Text:
    styles = ("bold", "bold", SEVERITY_STYLE["error"], SEVERITY_STYLE["warning"], SEVERITY_STYLE["info"], "bold")
    return Text(" ").join(_pad(Text(t, style=st), w) for (t, w), st in zip(_PROJECT_COLS, styles))


class ProjectList(ScrollView, can_focus=True):
    """Every project (form): kind, finding counts by severity, review progress.

    A virtual list (only the rows on screen are drawn), so 1,000 or 10,000 forms open as
    fast as ten. Moving the cursor by key or mouse posts ``Highlighted``; Enter ``Selected``.
    """

    DEFAULT_CSS = """
    ProjectList { height: 1fr; }
    ProjectList > .project-list--cursor { background: $block-cursor-blurred-background; }
    ProjectList:focus > .project-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"project-list--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "上", show=False),
        Binding("down", "cursor(1)", "下", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "cursor(-1000000000)", show=False),
        Binding("end", "cursor(1000000000)", show=False),
        Binding("enter", "select", "选择", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        ref: FormRef

    @dataclass
    class Selected(Message):
        ref: FormRef

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.projects: list[ProjectRow] = []
        self._index: dict[FormRef, int] = {}
        self._lines: dict[int, Text] = {}  # drawn rows, until their project changes
        self.pending: set[FormRef] = set()  # forms still being checked (the loader's set)
        self.cursor = 0

    # -- content
    def fill(self, projects: Sequence[ProjectRow]) -> None:
        self.projects = list(projects)
        self._index = {p.ref: i for i, p in enumerate(self.projects)}
        self._lines.clear()
        self.cursor = min(self.cursor, max(0, len(self.projects) - 1))
        self.virtual_size = Size(sum(w + 1 for _, w in _PROJECT_COLS), len(self.projects))
        self.refresh()

    def refresh_project(self, p: ProjectRow) -> None:
        i = self._index.get(p.ref)
        if i is not None:
            self._lines.pop(i, None)
            self.refresh_line(i)

    def show(self, p: ProjectRow) -> None:
        """Put the cursor on a project (the state already knows; no message)."""
        i = self._index.get(p.ref)
        if i is not None and i != self.cursor:
            self._move(i)

    @property
    def current(self) -> ProjectRow | None:
        return self.projects[self.cursor] if 0 <= self.cursor < len(self.projects) else None

    def row_text(self, i: int) -> Text:
        if i not in self._lines:
            p = self.projects[i]
            self._lines[i] = project_line(p, p.ref in self.pending)
        return self._lines[i]

    # -- drawing
    def refresh_line(self, i: int) -> None:
        y = i - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        i = y + self.scroll_offset.y
        width = self.size.width
        if i >= len(self.projects):
            return Strip.blank(width, self.rich_style)
        segments = list(self.row_text(i).render(self.app.console, end=""))
        strip = Strip(segments).crop(self.scroll_offset.x, self.scroll_offset.x + width)
        strip = strip.extend_cell_length(width).apply_style(self.rich_style)
        if i == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("project-list--cursor"))
        return strip

    # -- moving
    def _move(self, i: int) -> None:
        if not self.projects:
            return
        i = max(0, min(len(self.projects) - 1, i))
        old, self.cursor = self.cursor, i
        self.refresh_line(old)
        top, h = self.scroll_offset.y, max(1, self.size.height)
        if i < top:
            self.scroll_to(y=i, animate=False, immediate=True)
        elif i >= top + h:
            self.scroll_to(y=i - h + 1, animate=False, immediate=True)
        self.refresh_line(i)

    def _moved(self, i: int) -> None:
        before = self.cursor
        self._move(i)
        if self.cursor != before and self.current is not None:
            self.post_message(self.Highlighted(self.current.ref))

    def action_cursor(self, delta: int) -> None:
        self._moved(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._moved(self.cursor + direction * max(1, self.size.height - 1))

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current.ref))

    def on_click(self, event: events.Click) -> None:
        self._moved(event.y + self.scroll_offset.y)

    def on_resize(self) -> None:
        self.refresh()


class FindingPanel(Static):
    """The finding under review and the reviewer's decision."""

    DEFAULT_CSS = "FindingPanel { border: round $accent; padding: 0 1; height: auto; }"

    def show(self, state: ReviewState) -> None:
        pos, total = state.position()
        row = state.row
        unsaved = row is not None and row.key in state.unsaved
        self.update(finding_panel(row, pos, total, state.filters.describe(), unsaved))


MESSAGE_CHARS = 24  # of a finding's message in the form's finding list (the panel above has it all)


class FindingTable(DataTable[Text]):
    """The visible findings of the form on screen; the cursor is the finding under review."""

    DEFAULT_CSS = "FindingTable { height: auto; max-height: 9; margin-top: 1; }"

    def on_mount(self) -> None:
        self.cursor_type = "row"
        # the decision second: the message is cut to fit, the decision must always show
        self.add_column("严重", key="sev")
        self.add_column("结论", key="decision")
        self.add_column("检查项", key="check")
        self.add_column("说明", key="message")
        self.add_column("行", key="lines")

    def fill(self, state: ReviewState, positions: Sequence[int]) -> None:
        self.clear()
        for pos in positions:
            r = state.data.findings[pos]
            msg = r.finding.message
            self.add_row(
                Text(SEVERITY_LABEL.get(r.finding.severity, ""), style=OTHER_CELL.get(r.finding.severity, "")),
                decision_cell(r, r.key in state.unsaved),
                Text(check_label(r.finding.check)),
                Text(msg if len(msg) <= MESSAGE_CHARS else msg[: MESSAGE_CHARS - 1] + "…"),
                Text(_short_lines(r.finding.lines), style="dim"),
                key=str(pos),
            )
        if state.current is not None and str(state.current) in self.rows:
            self.move_cursor(row=self.get_row_index(str(state.current)))


DECISION_CELL: dict[str, str] = {"confirmed": "bold red", "dismissed": "bold green"}


def _short_lines(lines: Sequence[int], most: int = 12) -> str:
    """Source lines for a narrow column: '25, 26, 27, 30' becomes '25, 26, 27…'."""
    text = lines_text(lines)
    cut = text.rfind(",", 0, most)
    return text if len(text) <= most or cut < 0 else text[:cut] + "…"


def decision_cell(r: FindingRow, unsaved: bool = False) -> Text:
    """The decision column; ``unsaved``: decided on screen, not in the database yet."""
    value = r.decision_value
    t = Text(DECISION_LABEL.get(value or "", UNDECIDED_LABEL), style=DECISION_CELL.get(value or "", "dim"))
    if r.note:
        t.append(" 注", style="magenta")
    if unsaved:
        t.append(" ").append(UNSAVED_LABEL, style=UNSAVED_STYLE)
    return t


class FormHeader(Static):
    DEFAULT_CSS = "FormHeader { height: auto; margin-top: 1; }"

    _shown: tuple[FormRef, frozenset[str]] | None = None

    def show(self, p: ProjectRow, current: Evidence | None) -> None:
        fields = frozenset(current.fields if current else ())
        if self._shown == (p.ref, fields):
            return  # moving between findings of one form redraws only what changes
        self._shown = (p.ref, fields)
        self.update(form_header(p, set(fields)))


class UnreadPanel(Static):
    """The lines inside the form on screen that no reader could place; hidden when none."""

    DEFAULT_CSS = "UnreadPanel { height: auto; margin-top: 1; border: round magenta; padding: 0 1; }"

    _shown: int | None = None

    def show(self, form: Form) -> None:
        if self._shown == id(form):
            return
        self._shown = id(form)
        self.display = bool(form.unread)
        if form.unread:
            self.border_title = f"未读取的行（{len(form.unread)}）"
            self.border_subtitle = "在表内但没有读入任何栏目，请对照原文"
            self.update(unread_text(form))


class GoalCompare(Horizontal):
    """Goal and completion (or total and annual goal) side by side, copied parts marked."""

    DEFAULT_CSS = """
    GoalCompare { height: auto; margin-top: 1; }
    GoalCompare > Static { width: 1fr; height: auto; border: round $panel-lighten-2; padding: 0 1; }
    GoalCompare > Static.evidence { border: round $error; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="goal-left")
        yield Static(id="goal-right")

    _shown: tuple[int, frozenset[str]] | None = None

    def show(self, form: Form, current: Evidence | None) -> None:
        fields = frozenset(current.fields if current else ())
        if self._shown == (id(form), fields):
            return
        self._shown = (id(form), fields)
        left, right, caption = goal_texts(form)
        a = self.query_one("#goal-left", Static)
        b = self.query_one("#goal-right", Static)
        if form.kind == "self_evaluation":
            a.border_title, b.border_title = "预期目标", "实际完成情况"
        else:
            a.border_title, b.border_title = "项目总目标", "年度总体目标"
        b.border_subtitle = caption
        fields = current.fields if current else set()
        a.set_class("goal.expected" in fields or "goal.overall" in fields, "evidence")
        b.set_class(
            "goal.actual" in fields or ("goal.expected" in fields and form.kind != "self_evaluation"), "evidence"
        )
        a.update(left if left.plain else Text("（未填写）", style="dim"))
        b.update(right if right.plain else Text("（未填写）", style="dim"))


class IndicatorTable(DataTable[Text]):
    """The indicator table, target vs actual vs weight/score; finding cells highlighted."""

    DEFAULT_CSS = "IndicatorTable { height: auto; margin-top: 1; }"

    def on_mount(self) -> None:
        self.cursor_type = "cell"

    _form: int | None = None
    _rows: list[list[Text]] = []  # noqa: RUF012 - replaced, never mutated in place

    def show(self, form: Form, current: tuple[Evidence, str] | None, others: Sequence[tuple[Evidence, str]]) -> None:
        rows = indicator_rows(form, current, others)
        if self._form == id(form) and len(rows) == len(self._rows):
            # same form, another finding: restyle only the cells whose highlight changed
            for r, (new, old) in enumerate(zip(rows, self._rows)):
                for c, (a, b) in enumerate(zip(new, old)):
                    if a.style != b.style:
                        self.update_cell_at(Coordinate(r, c), a)
            self._rows = rows
            return
        self._form, self._rows = id(form), rows
        self.clear(columns=True)
        self.add_column("行", key="line")
        for c, h in indicator_columns(form):
            self.add_column(h, key=c)
        for i, row in enumerate(rows):
            self.add_row(*row, key=str(i))

    def column_of(self, form: Form, name: str) -> int:
        names = ["line", *(c for c, _ in indicator_columns(form))]
        return names.index(name) if name in names else 0


class ReconcilePanel(Static):
    """Declared targets next to the evaluated ones, for the pair the form on screen is in."""

    DEFAULT_CSS = "ReconcilePanel { height: auto; margin-top: 1; border: round $panel-lighten-2; padding: 0 1; }"

    STATUS_STYLE: ClassVar[dict[str, str]] = {
        "matched": "green",
        "changed": "yellow",
        "dropped": "red",
        "added": "cyan",
    }

    def show(self, ref: FormRef, pairs: Sequence[Pair], docs: Sequence[Document]) -> bool:
        """Draw the comparison; answers False (and hides) when the form is in no pair."""
        pair = next((p for p in pairs if ref in (p.declared, p.evaluated)), None)
        self.display = pair is not None
        if pair is None:
            return False
        declared = _indicators(docs, pair.declared)
        evaluated = _indicators(docs, pair.evaluated)
        t = Table(expand=True, show_edge=False)
        for h in ("状态", "申报指标", "申报指标值", "自评指标", "自评指标值", "自评完成值"):
            t.add_column(h)
        for ind in pair.indicators:
            status = str(ind.get("status"))
            label, style = STATUS_LABEL.get(status, status), self.STATUS_STYLE.get(status, "")
            dn, en = ind.get("declared"), ind.get("evaluated")
            dv = declared.get(dn) if dn else None
            ev = evaluated.get(en) if en else None
            t.add_row(
                Text(label, style=style),
                dn or "",
                ind.get("declared_target") or (fmt_value(dv.target) if dv and dv.target else ""),
                en or "",
                Text(
                    ind.get("evaluated_target") or (fmt_value(ev.target) if ev and ev.target else ""),
                    style=style if ind.get("status") == "changed" else "",
                ),
                ind.get("actual") or (fmt_value(ev.actual) if ev and ev.actual else ""),
            )
        score = f"{pair.score:.2f}" if isinstance(pair.score, int | float) else "?"
        self.border_title = (
            f"申报与自评对照：{pair.declared_name or '—'} ↔ {pair.evaluated_name or '—'}（匹配度 {score}）"
        )
        self.update(t)
        return True


def _indicators(docs: Sequence[Document], ref: FormRef | None) -> dict[str, Indicator]:
    if ref is None:
        return {}
    return {i.name: i for i in docs[ref.doc].forms[ref.form].indicators}
