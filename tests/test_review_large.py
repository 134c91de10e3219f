"""A large run in the review session: the first screen comes before every form is read
(a preview of the first file; on reopening, the first cached part), the list builds only
the rows it draws, and the rest arrives behind the first screen. No timings: what is
asserted is how much was there when the first screen was drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")
pytest.importorskip("jixiao.checks")

from textual.coordinate import Coordinate

from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.review import create_app
from jixiao.review.app import ReviewApp
from jixiao.review.cache import FIRST_PART
from jixiao.review.widgets import FindingTable, ProjectList
from jixiao.zh import DECISION_LABEL, UNDECIDED_LABEL
from test_review_support import SEEDS, panel_text, until

FORMS = 2000
SIZE = (180, 40)


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated forms in one text file; every 5th self-evaluation copies its goal."""
    forms = generate_forms(FORMS, seed=7)
    for i, f in enumerate(forms):
        if f.kind == "self_evaluation" and i % 5 == 0:
            f.goal.actual = f.goal.expected
    text, _ = render_text(forms)
    path = tmp_path_factory.mktemp("large") / "批量.txt"
    path.write_text(text, encoding="utf-8")
    return path


def drawn_rows(app: ReviewApp) -> int:
    """How many project rows the list has built so far."""
    return len(app.query_one(ProjectList)._lines)


async def test_first_screen_is_a_preview_then_every_form(large_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    app = create_app([str(large_file)], db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.ready or bool(app.error), 60)
        loaded, st, plist = app.loaded, app.state, app.query_one(ProjectList)
        assert loaded is not None and st is not None and not app.error
        # the first screen: the first file's first forms, read before the rest of it
        first = len(st.data.projects)
        assert 10 <= first < FORMS / 10
        assert loaded.reading and "正在读取" in app.sub_title
        assert st.selected is not None and st.selected in loaded.unchecked
        assert "正在读取文件" in panel_text(app), "nothing can be decided before the form is checked"
        assert drawn_rows(app) <= SIZE[1]
        # then every form, their findings, and still only the rows on screen are built
        await until(pilot, lambda: app.complete, 120)
        assert len(plist.projects) == FORMS and not loaded.reading
        assert st.data.findings and "正在" not in app.sub_title
        await pilot.pause()
        assert drawn_rows(app) <= SIZE[1]
        plist.focus()
        await pilot.press("end")
        await pilot.pause()
        assert plist.cursor == FORMS - 1 and drawn_rows(app) <= 2 * SIZE[1]
        found = len(st.data.findings)
        await until(pilot, lambda: "cached" in app.timings, 60)
        await pilot.press("q")

    # reopened: the first cached part with every finding, decidable at once
    again = create_app([str(large_file)], db)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: again.ready or bool(again.error), 60)
        loaded, st = again.loaded, again.state
        assert loaded is not None and st is not None
        assert again.loading.plan == "cache"
        assert len(st.data.projects) == FIRST_PART < FORMS
        assert not loaded.unchecked and loaded.reading
        assert len(loaded.findings) == found, "every finding of the run, from the cache"
        # findings of forms not read yet stay out of the list until their form arrives
        assert all(st.data.findings[i].ref is not None for i in st.visible)
        assert st.row is not None and "正在" not in panel_text(again)
        key = st.row.key
        await pilot.press("c")
        await until(pilot, lambda: again.saved >= 1)
        pos = st.position_of(key)
        assert pos is not None and st.data.findings[pos].decision_value == "confirmed"
        await until(pilot, lambda: again.complete, 60)
        assert len(st.data.projects) == FORMS and len(st.data.findings) == found
        pos = st.position_of(key)
        assert pos is not None and st.data.findings[pos].decision_value == "confirmed"
        await pilot.press("q")


async def test_files_without_a_form_make_one_notice(tmp_path: Path) -> None:
    names = [f"说明{i}.txt" for i in range(7)]
    for n in names:
        (tmp_path / n).write_text("这份文件只是一段说明文字，没有表格。\n", encoding="utf-8")
    files = [str(SEEDS[0]), *(str(tmp_path / n) for n in names)]
    app = create_app(files, tmp_path / "n.sqlite")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.complete or bool(app.error), 60)
        await pilot.pause()
        notices = [n.message for n in app._notifications]
        about = [m for m in notices if "未找到" in m]
        assert len(about) == 1, notices
        assert about[0].startswith("7 个文件未找到表格：说明0.txt，说明1.txt")
        assert about[0].endswith("…"), "the names after the first few are left out"
        await pilot.press("q")


async def test_finding_list_names_every_decision(tmp_path: Path) -> None:
    from test_review_support import gold_findings, seed_documents

    docs = list(seed_documents())
    app = create_app([], tmp_path / "d.sqlite", documents=docs, findings=gold_findings(tuple(docs)))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.complete)
        table = app.query_one(FindingTable)
        assert table.row_count >= 2

        def decisions() -> list[str]:
            return [str(table.get_cell_at(Coordinate(i, 1))) for i in range(table.row_count)]

        assert set(decisions()) == {UNDECIDED_LABEL}
        await pilot.press("c")
        await until(pilot, lambda: app.saved >= 1)
        assert decisions()[0] == DECISION_LABEL["confirmed"] and decisions()[1] == UNDECIDED_LABEL
        await pilot.press("q")
