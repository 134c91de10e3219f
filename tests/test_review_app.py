"""The terminal session driven headless by Textual's Pilot, on the two seed documents."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from test_review_support import SEEDS, gold_findings, panel_text, seed_documents, until

pytest.importorskip("textual")

from textual.widgets import Input, OptionList

from jixiao.models import Document, Value
from jixiao.report.evidence import FormRef
from jixiao.review import create_app
from jixiao.review.app import ReviewApp
from jixiao.review.screens import CheckPicker, HelpScreen, TextPrompt
from jixiao.review.widgets import IndicatorTable, ProjectList, ReconcilePanel
from jixiao.zh import UNDECIDED_LABEL

FILES = [str(p) for p in SEEDS]
SIZE = (180, 50)


async def _ready(app: ReviewApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """The first screen, and every finding merged into it (test_review_progressive.py is
    about the time between the two)."""
    for _ in range(1000):
        if (app.ready and app.complete) or app.error:
            return
        await pilot.pause(0.02)
    raise AssertionError("the session never showed its first screen")


async def _settle(app: ReviewApp, pilot, saved: int) -> None:  # type: ignore[no-untyped-def]
    """Wait until the writer has committed ``saved`` changes."""
    for _ in range(500):
        if app.saved >= saved:
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise AssertionError(f"only {app.saved} of {saved} changes committed")


def _rows(db: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    with sqlite3.connect(db) as conn:
        return {k: (d, r, n) for k, d, r, n in conn.execute("SELECT key, decision, reason, note FROM decisions")}


async def test_walk_decide_note_quit_and_resume(tmp_path: Path) -> None:
    """The issue's scenario, with the real checks: confirm one, dismiss one with a reason,
    note a third, quit; reopen and find the screen and the database as left."""
    pytest.importorskip("jixiao.checks")
    db = tmp_path / "review.sqlite"
    app = create_app(FILES, db)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        st = app.state
        assert st is not None and len(st.visible) >= 4
        total = len(st.data.findings)
        first, second, third = st.visible[:3]
        rows = st.data.findings
        assert st.current == first
        assert rows[first].finding.message in panel_text(app) and f"问题 1/{total}" in panel_text(app)
        # walk forward and back
        await pilot.press("n")
        assert st.current == second and f"问题 2/{total}" in panel_text(app)
        await pilot.press("p")
        assert st.current == first
        # confirm: written, and the session moves on
        await pilot.press("c")
        assert st.current == second
        # dismiss with a reason (a modal asks)
        await pilot.press("d")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "已电话核实，属于合理情况"
        await pilot.press("enter")
        assert st.current == third
        # a note on the third, without deciding it
        await pilot.press("a")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "请单位补充实际完成数值"
        await pilot.press("enter")
        await _settle(app, pilot, 3)
        assert "备注：请单位补充实际完成数值" in panel_text(app) and UNDECIDED_LABEL in panel_text(app)
        assert app.sub_title.startswith(f"已审 2/{total}")
        keys = (rows[first].key, rows[second].key, rows[third].key)
        await pilot.press("q")
    assert _rows(db) == {
        keys[0]: ("confirmed", None, None),
        keys[1]: ("dismissed", "已电话核实，属于合理情况", None),
        keys[2]: (None, None, "请单位补充实际完成数值"),
    }

    # reopen: resumes at the first undecided finding, decisions and note on screen
    app2 = create_app(FILES, db)
    async with app2.run_test(size=SIZE) as pilot:
        await _ready(app2, pilot)
        st2 = app2.state
        assert st2 is not None
        assert st2.row is not None and st2.row.key == keys[2], "resumes where the reviewer stopped"
        assert "备注：请单位补充实际完成数值" in panel_text(app2)
        await pilot.press("p")
        assert "不是问题" in panel_text(app2) and "理由：已电话核实，属于合理情况" in panel_text(app2)
        await pilot.press("p")
        assert "确认问题" in panel_text(app2)
        # the project list shows the progress of the first project
        plist = app2.query_one(ProjectList)
        p = st2.project(st2.data.findings[first].ref)
        assert p is not None
        line = plist.row_text(plist.projects.index(p)).plain
        assert f"{p.decided}/{p.total}" in line and p.decided >= 1
        # undo the confirmation: the row stays, undecided
        await pilot.press("u")
        await _settle(app2, pilot, 1)
        await pilot.press("q")
    assert _rows(db)[keys[0]] == (None, None, None)


@pytest.mark.slow
async def test_every_seed_finding_by_keyboard_and_export(tmp_path: Path) -> None:
    """Done-when: every finding of both seeds decided with the keyboard alone; the workbook holds them all."""
    openpyxl = pytest.importorskip("openpyxl")
    findings = gold_findings()
    db = tmp_path / "all.sqlite"
    app = create_app(FILES, db, findings=findings)
    async with app.run_test(size=(120, 30)) as pilot:  # a small screen: 57 decisions draw fast
        await _ready(app, pilot)
        assert app.state is not None
        n = len(app.state.data.findings)
        for i in range(n):
            await pilot.press("c" if i % 2 == 0 else "d")
            if i % 2:
                await pilot.press("enter")  # dismiss without a reason
        await _settle(app, pilot, n)
        assert app.state.progress() == (n, n)
        out = tmp_path / "导出.xlsx"
        await pilot.press("e")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = str(out)
        await pilot.press("enter")
        await until(pilot, out.exists)
        await pilot.press("q")
    rows = _rows(db)
    assert len(rows) == n and sum(d == "confirmed" for d, _, _ in rows.values()) == (n + 1) // 2
    ws = openpyxl.load_workbook(out)["问题清单"]
    col = [c.value for c in ws[1]].index("审核结论")
    decisions = [r[col].value for r in ws.iter_rows(min_row=2)]
    assert len(decisions) == n and set(decisions) == {"确认问题", "不是问题"}


async def test_filters_search_help_and_evidence(tmp_path: Path) -> None:
    findings = gold_findings()
    app = create_app(FILES, tmp_path / "f.sqlite", findings=findings)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        st = app.state
        assert st is not None
        everything = len(st.visible)
        # severity: errors and warnings, then errors only, then all again
        await pilot.press("s")
        assert all(st.data.findings[i].finding.severity != "info" for i in st.visible)
        await pilot.press("s")
        assert st.visible and all(st.data.findings[i].finding.severity == "error" for i in st.visible)
        assert "仅错误" in app.sub_title
        await pilot.press("s")
        assert len(st.visible) == everything
        # by check
        await pilot.press("f")
        assert isinstance(app.screen, CheckPicker)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("duplicate-indicator")
        await pilot.press("enter")
        assert [st.data.findings[i].finding.check for i in st.visible] == ["duplicate-indicator"]
        assert st.row is not None and st.row.finding.project == "医保监管"
        # jump to the evidence: the indicator table's cursor on the duplicated 三级指标
        await pilot.press("g")
        table = app.query_one(IndicatorTable)
        assert app.focused is table
        p = st.project(st.row.ref)
        assert p is not None
        ind = p.form.indicators[table.cursor_row]
        assert ind.line in st.row.finding.lines and table.cursor_column == table.column_of(p.form, "name")
        await pilot.press("f")
        app.screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        assert len(st.visible) == everything
        # search projects
        await pilot.press("slash")
        assert app.focused is app.query_one("#search", Input)
        await pilot.press(*"yibao")  # no match: an empty list, the form on screen stays
        assert app.query_one(ProjectList).projects == []
        app.query_one("#search", Input).value = "编外人员"
        await pilot.pause()
        names = [p.name for p in app.query_one(ProjectList).projects]
        assert names and all("编外人员" in n for n in names)
        await pilot.press("escape")
        assert len(app.query_one(ProjectList).projects) == len(st.data.projects)
        # the project list drives the form on screen
        plist = app.query_one(ProjectList)
        plist.focus()
        before = st.selected
        await pilot.press("down")
        assert st.selected != before and st.selected == plist.current.ref  # type: ignore[union-attr]
        # help
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")


async def test_declared_vs_evaluated_panel(tmp_path: Path) -> None:
    """A declaration written for the first seed project (one target changed) is shown beside
    its self-evaluation, the changed target marked. (The two seeds themselves hold no pair.)"""
    pytest.importorskip("jixiao.reconcile")
    evaluated = seed_documents()[0]
    form = evaluated.forms[0]
    inds = [i.model_copy(update={"score": None, "actual": None, "deviation": None}) for i in form.indicators]
    inds[3] = inds[3].model_copy(update={"target": Value(raw="=3.00(次)", op="=", value=3.0, unit="次")})
    declared = form.model_copy(
        update={
            "kind": "target_declaration",
            "indicators": inds,
            "total_score": None,
            "grade": None,
            "funds": form.funds.model_copy(update={"requested_total": form.funds.initial_budget}),
            "goal": form.goal.model_copy(update={"actual": None}),
        }
    )
    docs = [evaluated, Document(source="申报.txt", forms=[declared])]
    app = create_app([], tmp_path / "r.sqlite", documents=docs, findings=[])
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await until(pilot, lambda: app.loaded is not None and bool(app.loaded.pairs))
        assert app.loaded is not None and app.state is not None
        pair = app.loaded.pairs[0]
        assert (pair.declared, pair.evaluated) == (FormRef(1, 0), FormRef(0, 0))
        panel = app.query_one(ReconcilePanel)
        assert app.state.selected == FormRef(0, 0) and panel.display
        assert "申报与自评对照：法律咨询与服务 ↔ 法律咨询与服务" in str(panel.border_title)
        statuses = [i["status"] for i in pair.indicators]
        assert statuses.count("changed") == 1 and statuses.count("matched") == len(inds) - 1
        # another self-evaluation has no declaration: no panel
        plist = app.query_one(ProjectList)
        plist.focus()
        await pilot.press("down")
        assert app.state.selected == FormRef(0, 1) and not panel.display
        await pilot.press("q")


async def test_unreadable_input_ends_with_a_reason(tmp_path: Path) -> None:
    app = create_app([str(tmp_path / "没有这个文件.txt")], tmp_path / "x.sqlite", findings=[])
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
    assert app.error and "文件不存在" in app.error
    assert app.return_code == 2
