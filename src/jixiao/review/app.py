"""The terminal review session: go through every finding with the keyboard, decide, export.

Reading, checking and every database write run in worker threads, never on the event
loop. The first screen comes as soon as the documents are read, the cross-form checks run
and the first forms checked; the other forms' findings (and the declared/evaluated
reconciliation) are merged in as they are computed, the project list showing '…' for the
forms still being checked. Findings are followed by their decision key, never by their
position (which changes as findings arrive). Decisions go through one writer thread in the
order they were made, each committed in its own transaction as soon as it is made; the
screen shows a decision at once, marked 未保存 until it is in the database.

A database locked by another program (a second reviewer, a backup) holds a write up for
``JIXIAO_DB_BUSY_MS``; then the change stays pending, in order, with every change after it:
the reviewer is told, the status line counts the unsaved decisions, and the writer tries
again on the next decision and on a timer (waits doubling from ``RETRY_FIRST`` up to
``RETRY_MAX`` seconds). Meanwhile the pending changes are also kept in the sidecar beside
the database (``<db>.unsaved.json``); what is still unsaved at exit stays there, the exit
says so, and the next session on that database writes it.
"""

from __future__ import annotations

import functools
import json
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, get_current_worker

from ..errors import JixiaoError
from ..report.data import build
from ..report.evidence import INDICATOR_COLUMNS, Evidence, FormRef
from ..store import Decision, DecisionStore, DecisionValue, PendingChange, StoreWriteError
from ..zh import UNDECIDED_LABEL, check_label
from .loader import Batch, Loaded, Loading
from .pairs import Pair, reconcile_pairs
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

MAX_NOTICE_LINES = 5  # warnings or file names named in one notice; the rest are counted

F = TypeVar("F", bound=Callable[..., None])


def while_open(fn: F) -> F:
    """For what a worker hands the screen: nothing once the session is closing (quit came
    while the worker ran: the widgets may be gone already)."""

    @functools.wraps(fn)
    def run(self: ReviewApp, *args: Any) -> None:
        if self.closing:
            return
        try:
            fn(self, *args)
        except NoMatches:
            if not self.closing and self.is_running and self.screen.is_attached:
                raise

    return run  # type: ignore[return-value]


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
        Binding("right_square_bracket", "next_undecided", f"下一个{UNDECIDED_LABEL}", show=False),
        Binding("left_square_bracket", "previous_undecided", f"上一个{UNDECIDED_LABEL}", show=False),
        Binding("c", "confirm", "确认问题"),
        Binding("d", "dismiss_finding", "不是问题"),
        Binding("u", "undo", "撤销", show=False),
        Binding("a", "note", "备注"),
        Binding("g", "evidence", "证据"),
        Binding("s", "severity", "严重程度"),
        Binding("f", "check_filter", "检查项"),
        Binding("v", "undecided", UNDECIDED_LABEL, show=False),
        Binding("slash", "search", "搜索"),
        Binding("escape", "clear_search", "清除搜索", show=False),
        Binding("e", "export", "导出"),
        Binding("question_mark", "help", "帮助"),
        Binding("q", "quit", "退出"),
    ]
    # after a failed write, the writer tries again after these many seconds, doubling
    RETRY_FIRST = 1.0
    RETRY_MAX = 30.0

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
        self._writes: queue.Queue[PendingChange | None] = queue.Queue()
        # taken by the writer, not yet in the database, in order (guarded by _drain_lock)
        self._backlog: deque[PendingChange] = deque()
        self._drain_lock = threading.Lock()
        self._sidecar_written = False  # the sidecar holds changes of this session
        self._blocked: str | None = None  # why the last write failed (shown while unsaved)
        self.unsaved_path: Path | None = None  # where unsaved changes were left at exit
        self._writer: Worker[None] | None = None
        self._shown: FormRef | None = None  # the form the right pane draws
        self._no_form_told = 0  # files without a form already named in a notice
        self.closing = False  # quit came: what workers still hand the screen is dropped

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
            try:
                for batch in loading.rest():
                    if worker.is_cancelled:
                        return
                    self.call_from_thread(self._more, batch)
            except JixiaoError as e:  # no file held a form, after all
                self.call_from_thread(self._failed, str(e))
                return
            self.call_from_thread(self._complete)
        except RuntimeError:  # the app stopped meanwhile
            return
        loading.save()
        self.timings["cached"] = time.perf_counter() - self.timings["start"]

    def _failed(self, message: str) -> None:
        self.error = message
        self.exit(return_code=2, message=message)

    @while_open
    def _loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.timings.update({k: v for k, v in loaded.timings.items()})
        self.state = ReviewState(loaded.data, reading=bool(loaded.reading))
        with self._drain_lock:  # an earlier session's changes, still to write: first in line
            self._backlog.extend(loaded.unsaved)
        for change in loaded.unsaved:
            self.state.unsaved[change.key] = self.state.unsaved.get(change.key, 0) + 1
        if loaded.unsaved:
            self._blocked = "上次未能写入"
            self._sidecar_written = True
        projects = self.query_one(ProjectList)
        projects.pending = loaded.unchecked
        projects.fill(self.state.projects())
        self._writer = self._write_loop()
        self._render(force=True)
        projects.focus()
        self._warn(loaded.warnings)
        self._tell_no_form()
        self.call_after_refresh(self._first_screen)
        if loaded.complete:
            self._complete()

    @while_open
    def _more(self, batch: Batch) -> None:
        """Merge findings computed after the first screen: the reviewer stays on the same
        finding and form, decisions already made (saved or still queued) are kept."""
        loaded, st = self.loaded, self.state
        assert loaded is not None and st is not None
        projects = self.query_one(ProjectList)
        changed = bool(batch.findings)
        if batch.docs is not None:  # more documents (or more forms of one) were read
            loaded.docs, loaded.reading = batch.docs, batch.reading
            loaded.unchecked = projects.pending = set(batch.pending)
            loaded.no_form.extend(batch.no_form)
            changed = True
        self._warn(batch.warnings)
        self._tell_no_form()
        loaded.unchecked.difference_update(batch.checked)
        if batch.reconciled:
            loaded.reconciling = False
            self._reconciliation = batch.reconciliation
        if batch.findings:
            from ..checks.runner import sort_findings

            loaded.findings = sort_findings(loaded.findings + batch.findings)
        if changed:
            # what is on screen is the newest word on every finding shown so far
            decisions = dict(loaded.decisions)
            decisions.update({r.key: r.decision for r in st.data.findings if r.decision is not None})
            loaded.data = build(loaded.docs, loaded.findings, decisions)
            st.reading = bool(loaded.reading)
            st.replace(loaded.data)
        projects.fill(st.projects())
        if "first_screen" in self.timings:
            self._mark_decidable()
        if changed or st.selected in batch.checked:
            self._render(force=True)  # positions changed, or the form on screen is checked now
        else:
            self.sub_title = self._status()

    def _warn(self, warnings: Sequence[str]) -> None:
        """One notice for whatever went wrong in one go (not a stack of them)."""
        if len(warnings) == 1:
            self.notify(warnings[0], severity="warning", timeout=8)
        elif warnings:
            more = f"\n……另有 {len(warnings) - MAX_NOTICE_LINES} 条" if len(warnings) > MAX_NOTICE_LINES else ""
            self.notify(
                f"{len(warnings)} 条提示：\n" + "\n".join(warnings[:MAX_NOTICE_LINES]) + more,
                severity="warning",
                timeout=12,
            )

    def _tell_no_form(self) -> None:
        """Files that hold no form: one summary notice, once every file has been read."""
        loaded = self.loaded
        if loaded is None or loaded.reading or self._no_form_told >= len(loaded.no_form):
            return
        names = loaded.no_form[self._no_form_told :]
        self._no_form_told = len(loaded.no_form)
        shown = "，".join(names[:MAX_NOTICE_LINES]) + (" …" if len(names) > MAX_NOTICE_LINES else "")
        self.notify(f"{len(names)} 个文件未找到表格：{shown}", severity="warning", timeout=12)

    @while_open
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
        pairs = self.loading.cached_pairs()
        if pairs is None:
            pairs = reconcile_pairs(self.loaded.docs, warnings, self._reconciliation)
            if not warnings:
                self.loading.put_pairs(pairs)
        self.timings["reconcile"] = time.perf_counter() - t
        self.call_from_thread(self._reconciled, pairs, warnings)

    @while_open
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
        self._mark_decidable()

    def _mark_decidable(self) -> None:
        """Note when the first form on screen could be decided (its checks have run)."""
        st, loaded = self.state, self.loaded
        if "decidable" in self.timings or st is None or loaded is None:
            return
        if any(p.ref not in loaded.unchecked for p in st.data.projects[: len(loaded.unchecked) + 1]):
            self.timings["decidable"] = time.perf_counter() - self.timings["start"]
            self.timings["decidable_cpu"] = time.process_time() - self._cpu_start

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
            table.update_cell(str(pos), "decision", decision_cell(row, row.key in st.unsaved), update_width=True)
        self.sub_title = self._status()
        self._show_panel()

    def _status(self) -> str:
        st = self.state
        assert st is not None
        decided, total = st.progress()
        desc = st.filters.describe()
        out = f"已审 {decided}/{total}" + (f" · 筛选：{desc}" if desc else "")
        loaded = self.loaded
        if loaded is not None and loaded.reading:
            out += f" · 正在读取（{loaded.reading}）…"
        elif loaded is not None and loaded.unchecked:
            out += f" · 正在检查其余 {len(loaded.unchecked)} 个表…"
        elif loaded is not None and loaded.reconciling:
            out += " · 正在核对申报与自评…"
        if st.unsaved and self._blocked:
            out += f" · ⚠ {len(st.unsaved)} 个结论未保存（{self._blocked}，自动重试中）"
        return out

    def _pending(self) -> bool:
        """The form on screen is still being checked."""
        st, loaded = self.state, self.loaded
        return st is not None and loaded is not None and st.selected in loaded.unchecked

    def _show_panel(self) -> None:
        assert self.state is not None
        panel = self.query_one(FindingPanel)
        reading = self.loaded is not None and self.loaded.reading
        if self._pending():
            panel.update("正在读取文件，读完后检查本表，问题稍后显示…" if reading else "本表正在检查，问题稍后显示…")
        elif reading and not self.state.data.projects:  # nothing read yet (no preview: another engine)
            panel.update("正在读取文件…")
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
        change = PendingChange.of_decision(row.finding, row.key, decision, reason)
        self._queue(change)
        # shown at once (marked unsaved); the writer's stored copy replaces it a moment later
        st.apply(pos, change.applied_to(row.decision))
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
            change = PendingChange.of_note(r.finding, r.key, note)
            self._queue(change)
            self.state.apply(pos, change.applied_to(r.decision))
            self._refresh_decision(pos)

        self.push_screen(TextPrompt("备注", value=row.note, placeholder="写给自己或同事的说明"), done)

    # ------------------------------------------------------------------ writing
    def _queue(self, change: PendingChange) -> None:
        """Hand a change to the writer; it counts as unsaved until the writer has written it."""
        assert self.state is not None
        self.state.unsaved[change.key] = self.state.unsaved.get(change.key, 0) + 1
        self._writes.put(change)

    def _take(self, timeout: float) -> tuple[list[PendingChange], bool]:
        """What is queued (waiting up to ``timeout`` for the first), and whether quit came."""
        out: list[PendingChange] = []
        try:
            job = self._writes.get(timeout=timeout)
        except queue.Empty:
            return out, False
        quit_ = False
        while True:
            if job is None:
                quit_ = True
            else:
                out.append(job)
            try:
                job = self._writes.get_nowait()
            except queue.Empty:
                return out, quit_

    def _drain(self, store: DecisionStore) -> tuple[Exception | None, list[tuple[str, Decision]]]:
        """Write the backlog in order (``_drain_lock`` held); stops at the first change that
        cannot be written. Answers why (None: all written) and the stored rows written."""
        written: list[tuple[str, Decision]] = []
        while self._backlog:
            change = self._backlog[0]
            try:
                d = store.apply(change)
            except Exception as e:  # locked, read-only, a full disk: keep it, and all after it
                return e, written
            self._backlog.popleft()
            written.append((change.key, d))
        if self._sidecar_written:  # what the sidecar kept is in the database now
            try:
                store.keep_unsaved([])
                self._sidecar_written = False
            except OSError:
                pass
        return None, written

    def _keep(self, store: DecisionStore) -> tuple[Path | None, OSError | None]:
        """The backlog into the sidecar (``_drain_lock`` held): nothing decided is lost even
        if the session is killed while the database is locked."""
        try:
            path = store.keep_unsaved(list(self._backlog))
        except OSError as e:
            return store.unsaved_path, e
        self._sidecar_written = True
        return path, None

    @work(thread=True, group="writer")
    def _write_loop(self) -> None:
        """The one writer: commits each change in order, then shows the stored row.

        A change that cannot be written stays first in line (see the module docstring).
        Ends on the quit sentinel, or when the app shuts down otherwise (the worker is
        cancelled); what is still unwritten then is for ``flush_pending``."""
        assert self.loaded is not None
        store = self.loaded.store
        worker = get_current_worker()
        failures = 1 if self._backlog else 0  # an earlier session's changes: tried at once
        retry_at = 0.0
        while not worker.is_cancelled:
            # the lock only around the backlog and the store: never while waiting for the screen
            with self._drain_lock:
                new, quit_ = self._take(0.1)
                self._backlog.extend(new)
                if quit_ and failures:
                    return  # still failing: flush_pending makes the last attempt
                due = bool(new) or quit_ or time.monotonic() >= retry_at  # a new change, or the timer
                if not self._backlog or not due:
                    if quit_:
                        return
                    continue
                count = len(self._backlog)
                error, written = self._drain(store)
                sidecar, sidecar_error = self._keep(store) if error is not None else (None, None)
            for key, d in written:
                self._from_writer(self._stored, key, d)
                self.saved += 1  # counted once the screen shows it
            if error is None:
                if failures:
                    self._from_writer(self._write_recovered, count)
                failures = 0
            else:
                failures += 1
                retry_at = time.monotonic() + min(self.RETRY_MAX, self.RETRY_FIRST * 2 ** min(failures - 1, 16))
                self._from_writer(self._write_failed, error, failures == 1, sidecar, sidecar_error)
            if quit_:
                return

    def _from_writer(self, fn: Callable[..., object], *args: object, **kw: object) -> None:
        try:
            self.call_from_thread(fn, *args, **kw)
        except RuntimeError:  # the app stopped meanwhile: the row is committed all the same
            pass

    def _stored(self, key: str, decision: Decision) -> None:
        """One change is in the database: when it was the last one of its finding, the
        stored row replaces what the screen showed, and the 未保存 mark goes."""
        st = self.state
        if st is None:
            return
        left = st.unsaved.get(key, 0) - 1
        if left > 0:
            st.unsaved[key] = left  # a newer change of the same finding is still to come
        else:
            st.unsaved.pop(key, None)
        pos = st.position_of(key)
        if pos is None:
            self.sub_title = self._status()
            return
        if left <= 0:
            st.apply(pos, decision)
        self._refresh_decision(pos)

    def _write_failed(self, error: Exception, first: bool, sidecar: Path | None, sidecar_error: OSError | None) -> None:
        busy = isinstance(error, StoreWriteError) and error.busy
        self._blocked = "数据库被占用" if busy else "数据库无法写入"
        st = self.state
        n = len(st.unsaved) if st is not None else len(self._backlog)
        if st is not None:
            self.sub_title = self._status()
        why = "审核数据库被占用（可能另一位审核人或备份程序正在写入）" if busy else f"保存失败：{error}"
        if sidecar_error is not None:
            self.notify(
                f"{why}。{n} 个审核结论尚未保存，另存到 {sidecar} 也失败（{sidecar_error.strerror or sidecar_error}）；"
                "会自动重试，请先不要退出",
                severity="error",
                timeout=30,
            )
        elif first:
            where = f"，已暂存于 {sidecar.name}" if sidecar is not None else ""
            self.notify(f"{why}。{n} 个审核结论尚未保存{where}；会自动重试", severity="error", timeout=10)

    def _write_recovered(self, count: int) -> None:
        self._blocked = None
        if self.state is not None:
            self.sub_title = self._status()
        self.notify(f"数据库已可写入：{count} 个未保存的审核结论已保存", timeout=5)

    async def action_quit(self) -> None:
        """Let the writer commit what is queued, then leave."""
        self.closing = True
        if self._writer is not None:
            st = self.state
            if self._blocked and st is not None and st.unsaved:
                self.notify(f"{self._blocked}：退出前再试一次保存 {len(st.unsaved)} 个审核结论…", timeout=10)
            self._writes.put(None)
            await self._writer.wait()
        self.exit()

    def flush_pending(self) -> int:
        """After the app has stopped (however it stopped): commit what the writer did not
        get to, in this thread (one last try). Answers how many changes that was. What
        still cannot be written stays in the sidecar; ``error`` then says how many
        decisions, why, and where they are (the CLI prints it and exits with status 2)."""
        if self.loaded is None:
            return 0
        store = self.loaded.store
        with self._drain_lock:
            new, _ = self._take(0)
            self._backlog.extend(new)
            error, written = self._drain(store)
            self.saved += len(written)
            if error is not None:
                self._give_up(store, error)
        store.close()
        return len(written)

    def _give_up(self, store: DecisionStore, error: Exception) -> None:
        """At exit, the database still cannot be written: the backlog stays in the sidecar."""
        count = len({c.key for c in self._backlog})
        why = str(error) if isinstance(error, StoreWriteError) else f"{store.path}: 保存失败 ({error})"
        path, sidecar_error = self._keep(store)
        if sidecar_error is None:
            self.unsaved_path = path
            self.error = f"{why}：{count} 个审核结论未能保存，已暂存于 {path}，下次打开同一数据库时自动写入"
            return
        for change in self._backlog:  # the last place left: the terminal
            sys.stderr.write(json.dumps(change.model_dump(mode="json"), ensure_ascii=False) + "\n")
        self.error = (
            f"{why}：{count} 个审核结论未能保存，另存到 {path} 也失败"
            f"（{sidecar_error.strerror or sidecar_error}），内容已逐行打印在上方"
        )

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
        self._filtered(f"只看{UNDECIDED_LABEL}的问题" if on_ else "显示全部问题")

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
