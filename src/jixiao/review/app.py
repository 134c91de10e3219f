"""The terminal review session: go through every finding with the keyboard, decide, export.

Reading, checking and every database write run in worker threads, never on the event
loop. The first screen comes as soon as the documents are read, the cross-form checks run
and the first forms checked; the other forms' findings (and the declared/evaluated
reconciliation) are merged in as they are computed, the project list showing '…' for the
forms still being checked. Findings are followed by their decision key, never by their
position (which changes as findings arrive). Decisions go through one writer thread in the
order they were made, each committed in its own transaction as soon as it is made; the
screen shows a decision at once.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, get_current_worker

from ..errors import JixiaoError
from ..models import Finding
from ..report.data import build, check_label
from ..report.evidence import INDICATOR_COLUMNS, Evidence, FormRef
from ..store import Decision, DecisionValue
from .loader import Batch, Loaded, Loading, Pair, reconcile_pairs
from .screens import ALL_CHECKS, CheckPicker, HelpScreen, TextPrompt
from .state import ReviewState
from .widgets import (
    FindingPanel,
    FindingTable,
    FormHeader,
    GoalCompare,
    IndicatorTable,
    ProjectList,
    ReconcilePanel,
    UnreadPanel,
    decision_cell,
    project_header,
)


@dataclass(frozen=True)
class _Write:
    """One change for the writer thread: a decision (with reason) or a note."""

    finding: Finding
    key: str  # positions change while findings arrive; the key does not
    what: str  # "decision" | "note"
    decision: DecisionValue | None = None
    text: str | None = None  # the reason, or the note


class ReviewApp(App[None]):
    TITLE = "jixiao 绩效审核"
    CSS = """
    #main { height: 1fr; }
    #left { width: 50; border-right: vkey $panel-lighten-2; }
    #search { display: none; }
    #search.shown { display: block; }
    #projects-header { height: 1; }
    #right { width: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,j", "next", "下一个"),
        Binding("p,k", "previous", "上一个"),
        Binding("right_square_bracket", "next_undecided", "下一个未处理", show=False),
        Binding("left_square_bracket", "previous_undecided", "上一个未处理", show=False),
        Binding("c", "confirm", "确认问题"),
        Binding("d", "dismiss_finding", "不是问题"),
        Binding("u", "undo", "撤销", show=False),
        Binding("a", "note", "备注"),
        Binding("g", "evidence", "证据"),
        Binding("s", "severity", "严重程度"),
        Binding("f", "check_filter", "检查项"),
        Binding("v", "undecided", "未处理", show=False),
        Binding("slash", "search", "搜索"),
        Binding("escape", "clear_search", "清除搜索", show=False),
        Binding("e", "export", "导出"),
        Binding("question_mark", "help", "帮助"),
        Binding("q", "quit", "退出"),
    ]

    def __init__(self, loading: Loading) -> None:
        """``loading``: what to read and check, and where decisions go (see ``create_app``)."""
        super().__init__()
        self.loading = loading
        self.loaded: Loaded | None = None
        self._reconciliation: Any = None  # the checks' reconciliation, reused by the side panel
        self.state: ReviewState | None = None
        self.error: str | None = None  # why loading failed (the CLI turns it into exit 2)
        self.timings: dict[str, float] = {"start": time.perf_counter()}
        self._cpu_start = time.process_time()
        self.saved = 0  # writes committed so far
        self._writes: queue.Queue[_Write | None] = queue.Queue()
        self._writer: Worker[None] | None = None
        self._shown: FormRef | None = None  # the form the right pane draws

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Input(placeholder="搜索项目：名称、部门、单位（回车返回列表，Esc 清除）", id="search")
                yield Static(project_header(), id="projects-header")
                yield ProjectList(id="projects")
            with VerticalScroll(id="right"):
                yield FindingPanel("正在读取文件并检查…", id="finding")
                yield FindingTable(id="findings")
                yield FormHeader(id="form-header")
                yield UnreadPanel(id="unread")
                yield GoalCompare(id="goals")
                yield IndicatorTable(id="indicators")
                yield ReconcilePanel(id="reconcile")
        yield Footer()

    def on_mount(self) -> None:
        files, documents = self.loading.files, self.loading.documents
        self.sub_title = f"正在读取 {len(files) or len(documents or [])} 个文件…"
        self.query_one(ReconcilePanel).display = False
        self.query_one(UnreadPanel).display = False
        self._load()

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        loading = self.loading
        try:
            loaded = loading.start()
        except JixiaoError as e:
            self.call_from_thread(self._failed, str(e))
            return
        worker = get_current_worker()
        try:
            self.call_from_thread(self._loaded, loaded)
            for batch in loading.rest():
                if worker.is_cancelled:
                    return
                self.call_from_thread(self._more, batch)
            self.call_from_thread(self._complete)
        except RuntimeError:  # the app stopped meanwhile
            return
        loading.save()

    def _failed(self, message: str) -> None:
        self.error = message
        self.exit(return_code=2, message=message)

    def _loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.timings.update({k: v for k, v in loaded.timings.items()})
        self.state = ReviewState(loaded.data)
        projects = self.query_one(ProjectList)
        projects.pending = loaded.unchecked
        projects.fill(self.state.projects())
        self._writer = self._write_loop()
        self._render(force=True)
        projects.focus()
        for w in loaded.warnings:
            self.notify(w, severity="warning", timeout=8)
        self.call_after_refresh(self._first_screen)
        if loaded.complete:
            self._complete()

    def _more(self, batch: Batch) -> None:
        """Merge findings computed after the first screen: the reviewer stays on the same
        finding and form, decisions already made (saved or still queued) are kept."""
        loaded, st = self.loaded, self.state
        assert loaded is not None and st is not None
        loaded.unchecked.difference_update(batch.checked)
        if batch.reconciled:
            loaded.reconciling = False
            self._reconciliation = batch.reconciliation
        if batch.findings:
            from ..checks.runner import sort_findings

            loaded.findings = sort_findings(loaded.findings + batch.findings)
            # what is on screen is the newest word on every finding shown so far
            decisions = dict(loaded.decisions)
            decisions.update({r.key: r.decision for r in st.data.findings if r.decision is not None})
            loaded.data = build(loaded.docs, loaded.findings, decisions)
            st.replace(loaded.data)
        self.query_one(ProjectList).fill(st.projects())
        if batch.findings or st.selected in batch.checked:
            self._render(force=True)  # positions changed, or the form on screen is checked now
        else:
            self.sub_title = self._status()

    def _complete(self) -> None:
        self.timings["all_findings"] = time.perf_counter() - self.timings["start"]
        self.timings["all_findings_cpu"] = time.process_time() - self._cpu_start
        if self.state is not None:
            self.sub_title = self._status()
        self._reconcile()

    @work(thread=True, exclusive=True, group="reconcile")
    def _reconcile(self) -> None:
        """Declared vs evaluated pairs: only a side panel, so after the first screen."""
        assert self.loaded is not None
        t = time.perf_counter()
        warnings: list[str] = []
        pairs = reconcile_pairs(self.loaded.docs, warnings, self._reconciliation)
        self.timings["reconcile"] = time.perf_counter() - t
        self.call_from_thread(self._reconciled, pairs, warnings)

    def _reconciled(self, pairs: list[Pair], warnings: list[str]) -> None:
        assert self.loaded is not None
        self.loaded.pairs = pairs
        for w in warnings:
            self.notify(w, severity="warning", timeout=8)
        st = self.state
        if st is not None and st.selected is not None:
            self.query_one(ReconcilePanel).show(st.selected, pairs, self.loaded.docs)

    def _first_screen(self) -> None:
        self.timings["first_screen"] = time.perf_counter() - self.timings["start"]
        # CPU of all threads: the time to the first screen on an otherwise idle machine
        self.timings["first_screen_cpu"] = time.process_time() - self._cpu_start

    @property
    def ready(self) -> bool:
        return "first_screen" in self.timings

    @property
    def complete(self) -> bool:
        """Every finding is known (and merged into the screen)."""
        return "all_findings" in self.timings

    # ------------------------------------------------------------------ drawing
    def _render(self, *, force: bool = False) -> None:
        st = self.state
        if st is None:
            return
        self.sub_title = self._status()
        self._show_panel()
        p = st.project(st.selected)
        if p is None:
            return
        self.query_one(ProjectList).show(p)
        row = st.row if st.row is not None and st.row.ref == p.ref else None
        current = row.evidence if row else None
        table = self.query_one(FindingTable)
        if force or self._shown != p.ref:
            table.fill(st, st.findings_of(p.ref))
            self.query_one(FormHeader).show(p, current)
            self.query_one(UnreadPanel).show(p.form)
            self.query_one(GoalCompare).show(p.form, current)
            if self.loaded is not None:
                self.query_one(ReconcilePanel).show(p.ref, self.loaded.pairs, self.loaded.docs)
            self._shown = p.ref
        else:
            self.query_one(FormHeader).show(p, current)
            self.query_one(GoalCompare).show(p.form, current)
            if st.current is not None and str(st.current) in table.rows:
                table.move_cursor(row=table.get_row_index(str(st.current)))
        others: list[tuple[Evidence, str]] = [
            (st.data.findings[i].evidence, st.data.findings[i].finding.severity) for i in p.findings if i != st.current
        ]
        cur = (row.evidence, row.finding.severity) if row else None
        self.query_one(IndicatorTable).show(p.form, cur, others)

    def _refresh_decision(self, pos: int) -> None:
        """Redraw what one decision changes: its row, its project's progress, the panel."""
        st = self.state
        if st is None:
            return
        row = st.data.findings[pos]
        p = st.project(row.ref)
        if p is not None:
            self.query_one(ProjectList).refresh_project(p)
        table = self.query_one(FindingTable)
        if str(pos) in table.rows:
            table.update_cell(str(pos), "decision", decision_cell(row))
        self.sub_title = self._status()
        self._show_panel()

    def _status(self) -> str:
        st = self.state
        assert st is not None
        decided, total = st.progress()
        desc = st.filters.describe()
        out = f"已审 {decided}/{total}" + (f" · 筛选：{desc}" if desc else "")
        loaded = self.loaded
        if loaded is not None and loaded.unchecked:
            out += f" · 正在检查其余 {len(loaded.unchecked)} 个表…"
        elif loaded is not None and loaded.reconciling:
            out += " · 正在核对申报与自评…"
        return out

    def _pending(self) -> bool:
        """The form on screen is still being checked."""
        st, loaded = self.state, self.loaded
        return st is not None and loaded is not None and st.selected in loaded.unchecked

    def _show_panel(self) -> None:
        assert self.state is not None
        panel = self.query_one(FindingPanel)
        if self._pending():
            panel.update("本表正在检查，问题稍后显示…")
        else:
            panel.show(self.state)

    # ------------------------------------------------------------------ events
    @on(ProjectList.Highlighted)
    def _project_highlighted(self, event: ProjectList.Highlighted) -> None:
        st = self.state
        if st is not None and event.ref != st.selected:
            st.select(event.ref)
            self._render()

    @on(ProjectList.Selected)
    def _project_selected(self, event: ProjectList.Selected) -> None:
        self.query_one(FindingTable).focus()

    @on(DataTable.RowHighlighted, "#findings")
    def _finding_highlighted(self, event: DataTable.RowHighlighted) -> None:
        st = self.state
        if st is None or event.cursor_row != event.data_table.cursor_row or event.row_key.value is None:
            return
        pos = int(str(event.row_key.value))
        if pos != st.current:
            st.goto(pos)
            self._render()

    @on(DataTable.RowSelected, "#findings")
    def _finding_selected(self, event: DataTable.RowSelected) -> None:
        self.action_evidence()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        st = self.state
        if st is None:
            return
        st.search = event.value
        projects = st.projects()
        self.query_one(ProjectList).fill(projects)
        if projects and all(p.ref != st.selected for p in projects):
            st.select(projects[0].ref)
        self._render()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.query_one(ProjectList).focus()

    # ------------------------------------------------------------------ moving
    def _step(self, delta: int, *, undecided: bool = False) -> None:
        st = self.state
        if st is None:
            return
        if st.step(delta, undecided=undecided) is None:
            self.notify("已经是最后一个问题" if delta > 0 else "已经是第一个问题", timeout=2)
            return
        self._render()

    def action_next(self) -> None:
        self._step(1)

    def action_previous(self) -> None:
        self._step(-1)

    def action_next_undecided(self) -> None:
        self._step(1, undecided=True)

    def action_previous_undecided(self) -> None:
        self._step(-1, undecided=True)

    def action_evidence(self) -> None:
        st = self.state
        row = st.row if st else None
        if st is None or row is None or row.ref is None:
            return
        if row.ref != st.selected:
            st.selected = row.ref
            self._render()
        right = self.query_one("#right", VerticalScroll)
        ev = row.evidence
        if ev.cells:
            i = min(ev.cells)
            order = [c for c, _ in INDICATOR_COLUMNS if c in ev.cells[i]]
            table = self.query_one(IndicatorTable)
            p = st.project(row.ref)
            assert p is not None
            table.move_cursor(row=i, column=table.column_of(p.form, order[0] if order else "name"))
            table.focus()
            right.scroll_to(y=max(0, table.virtual_region.y + i - 3), animate=False)
        elif ev.fields & {"goal.expected", "goal.actual", "goal.overall"}:
            right.scroll_to_widget(self.query_one(GoalCompare), animate=False, top=True)
        else:
            right.scroll_to_widget(self.query_one(FormHeader), animate=False, top=True)

    # ------------------------------------------------------------------ deciding
    def _decide(self, decision: DecisionValue | None, reason: str | None = None) -> None:
        st = self.state
        row = st.row if st else None
        if st is None or row is None or st.current is None or self._pending():
            self.bell()
            return
        pos = st.current
        self._writes.put(_Write(row.finding, row.key, "decision", decision, reason))
        # shown at once; the writer's stored copy replaces it a moment later
        st.apply(pos, _provisional(row.key, row.decision, decision=decision, reason=reason))
        self._refresh_decision(pos)
        if decision is None:
            return
        if st.filters.undecided_only:
            st.refilter()
            self._render()
        elif st.step(1) is not None:
            self._render()
        else:
            decided, total = st.progress()
            self.notify("全部问题已处理" if decided == total else "已经是最后一个问题", timeout=3)

    def action_confirm(self) -> None:
        self._decide("confirmed")

    def action_dismiss_finding(self) -> None:
        st = self.state
        row = st.row if st else None
        if row is None or self._pending():
            self.bell()
            return
        key = row.key

        def done(reason: str | None) -> None:
            if reason is None or self.state is None or self.state.row is None or self.state.row.key != key:
                return
            self._decide("dismissed", reason)

        self.push_screen(
            TextPrompt("不是问题：理由（可不填）", value=row.reason, placeholder="例如：已核实，属于合理情况"), done
        )

    def action_undo(self) -> None:
        self._decide(None)

    def action_note(self) -> None:
        st = self.state
        row = st.row if st else None
        if st is None or row is None or st.current is None or self._pending():
            self.bell()
            return
        key = row.key

        def done(note: str | None) -> None:
            pos = self.state.position_of(key) if self.state is not None else None
            if note is None or self.state is None or pos is None:
                return
            r = self.state.data.findings[pos]
            self._writes.put(_Write(r.finding, r.key, "note", text=note))
            self.state.apply(pos, _provisional(r.key, r.decision, note=note))
            self._refresh_decision(pos)

        self.push_screen(TextPrompt("备注", value=row.note, placeholder="写给自己或同事的说明"), done)

    @work(thread=True, group="writer")
    def _write_loop(self) -> None:
        """The one writer: commits each change in order, then shows the stored row.

        Ends on the quit sentinel, or when the app shuts down otherwise (the worker is
        cancelled); what is still queued then is committed by ``flush_pending``."""
        assert self.loaded is not None
        store = self.loaded.store
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                job = self._writes.get(timeout=0.1)
            except queue.Empty:
                continue
            if job is None:
                return
            try:
                if job.what == "note":
                    d = store.set_note(job.finding, job.text, key=job.key)
                else:
                    d = store.record(job.finding, job.decision, job.text, key=job.key)
            except Exception as e:  # a full disk must not end the session silently
                self._from_writer(self.notify, f"保存失败：{e}", severity="error", timeout=10)
                continue
            self.saved += 1
            self._from_writer(self._stored, job.key, d)

    def _from_writer(self, fn: Callable[..., object], *args: object, **kw: object) -> None:
        try:
            self.call_from_thread(fn, *args, **kw)
        except RuntimeError:  # the app stopped meanwhile: the row is committed all the same
            pass

    def _stored(self, key: str, decision: Decision) -> None:
        st = self.state
        pos = st.position_of(key) if st is not None else None
        if st is None or pos is None or self._writes.qsize():
            return  # a newer change of the same finding may be queued: keep the provisional one
        shown = st.data.findings[pos].decision
        st.apply(pos, decision)
        if shown is None or (shown.decision, shown.reason, shown.note) != (
            decision.decision,
            decision.reason,
            decision.note,
        ):
            self._refresh_decision(pos)  # only when the stored row differs from what is on screen

    async def action_quit(self) -> None:
        """Let the writer commit what is queued, then leave."""
        if self._writer is not None:
            self._writes.put(None)
            await self._writer.wait()
        self.exit()

    def flush_pending(self) -> int:
        """After the app has stopped (however it stopped): commit what the writer did not
        get to, in this thread. Answers how many changes that was."""
        if self.loaded is None:
            return 0
        store = self.loaded.store
        n = 0
        while True:
            try:
                job = self._writes.get_nowait()
            except queue.Empty:
                break
            if job is None:
                continue
            if job.what == "note":
                store.set_note(job.finding, job.text, key=job.key)
            else:
                store.record(job.finding, job.decision, job.text, key=job.key)
            n += 1
        store.close()
        return n

    # ------------------------------------------------------------------ filters
    def _filtered(self, what: str) -> None:
        st = self.state
        if st is None:
            return
        self._render(force=True)
        self.notify(what, timeout=2)

    def action_severity(self) -> None:
        if self.state is None:
            return
        sev = self.state.cycle_severity()
        label = {"info": "全部严重程度", "warning": "错误和警告", "error": "仅错误"}[sev]
        self._filtered(f"筛选：{label}")

    def action_undecided(self) -> None:
        if self.state is None:
            return
        on_ = self.state.toggle_undecided()
        self._filtered("只看未处理的问题" if on_ else "显示全部问题")

    def action_check_filter(self) -> None:
        st = self.state
        if st is None:
            return
        checks = [(c, check_label(c), n) for c, n in st.checks()]

        def done(choice: str | None) -> None:
            if choice is None or self.state is None:
                return
            self.state.set_check(None if choice == ALL_CHECKS else choice)
            self._filtered(f"检查项：{choice if choice != ALL_CHECKS else '全部'}")

        self.push_screen(CheckPicker(checks, st.filters.check), done)

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.add_class("shown")
        box.focus()

    def action_clear_search(self) -> None:
        box = self.query_one("#search", Input)
        if box.value:
            box.value = ""  # Input.Changed refills the list
        box.remove_class("shown")
        self.query_one(ProjectList).focus()

    # ------------------------------------------------------------------ help, export
    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def default_export_path(self) -> str:
        files = self.loading.files
        first = files[0] if files and files[0] != "-" else "review"
        return str(Path(first).with_suffix("")) + ".审核结果.xlsx"

    def action_export(self) -> None:
        if self.loaded is None:
            return
        if not self.loaded.complete:
            self.notify("正在检查，全部完成后再导出", timeout=3)
            return

        def done(path: str | None) -> None:
            if path:
                self._export(Path(path.strip()))

        self.push_screen(
            TextPrompt(
                "导出到文件", value=self.default_export_path(), hint="后缀决定格式：.xlsx .html .md .json；回车导出"
            ),
            done,
        )

    @work(thread=True, group="export")
    def _export(self, out: Path) -> None:
        from ..report import write_report

        assert self.loaded is not None and self.state is not None
        decisions = self.loaded.store.all()
        # what is on screen wins over what the writer has not committed yet
        decisions.update({r.key: r.decision for r in self.state.data.findings if r.decision is not None})
        try:
            write_report(self.loaded.docs, self.loaded.findings, decisions, out)
        except (JixiaoError, OSError) as e:
            self.call_from_thread(self.notify, f"导出失败：{e}", severity="error", timeout=10)
            return
        self.call_from_thread(self.notify, f"已导出：{out}", timeout=5)


class _Keep:
    """Marks a field ``_provisional`` leaves as it was."""


_KEEP = _Keep()


def _provisional(
    key: str,
    old: Decision | None,
    *,
    decision: DecisionValue | _Keep | None = _KEEP,
    reason: str | _Keep | None = _KEEP,
    note: str | _Keep | None = _KEEP,
) -> Decision:
    """The decision as the writer will store it (its stored row replaces this one)."""
    update: dict[str, object] = {}
    if not isinstance(decision, _Keep):
        update["decision"] = decision
    if not isinstance(reason, _Keep):
        update["reason"] = (reason or "").strip() or None
    if not isinstance(note, _Keep):
        update["note"] = (note or "").strip() or None
    return (old or Decision(key=key)).model_copy(update=update)
