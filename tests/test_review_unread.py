"""The review session says how the form on screen was read: layout, confidence, 不完整, and
the lines inside it no reader could place (driven headless by Textual's Pilot)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from test_review_support import SEEDS, seed_documents, until

pytest.importorskip("textual")

from rich.console import Console

from jixiao.models import Document, UnreadLine
from jixiao.render import LAYOUT_LABEL
from jixiao.review import create_app
from jixiao.review.app import ReviewApp
from jixiao.review.views import MAX_UNREAD
from jixiao.review.widgets import FormHeader, ProjectList, UnreadPanel

SIZE = (180, 50)
STRAY = "扫描噪声 qwzx ###\t%%%"


async def _ready(app: ReviewApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: (app.ready and app.complete) or app.error is not None)
    assert app.error is None, app.error


def shown(widget: FormHeader | UnreadPanel) -> str:
    """What a widget's content says, as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def unread_panel(app: ReviewApp) -> UnreadPanel:
    return app.query_one(UnreadPanel)


async def test_file_with_an_unread_line(tmp_path: Path) -> None:
    """Seed 000 with a nonsense line in its first form: the panel shows it for that form
    only, and the header says how the form was read."""
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")
    lines.insert(7, STRAY)
    path = tmp_path / "自评.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    app = create_app([str(path)], tmp_path / "u.sqlite", findings=[])
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        st = app.state
        assert st is not None and st.selected is not None and st.selected.form == 0
        panel = unread_panel(app)
        assert panel.display
        assert panel.border_title == "未读取的行（1）"
        text = shown(panel)
        assert "第8行" in text and "扫描噪声 qwzx ### │ %%%" in text
        form = app.state.data.projects[0].form  # type: ignore[union-attr]
        assert form.confidence < 1
        header = shown(app.query_one(FormHeader))
        assert f"版式 {LAYOUT_LABEL['tabs']}" in header and f"置信度 {form.confidence:.0%}" in header
        assert "不完整" not in header
        # the next form was read whole: no panel
        app.query_one(ProjectList).focus()
        await pilot.press("down")
        assert st.selected.form == 1  # type: ignore[union-attr]
        assert not panel.display
        assert "置信度 100%" in shown(app.query_one(FormHeader))
        await pilot.press("up")
        assert panel.display and "扫描噪声" in shown(panel)
        await pilot.press("q")


async def test_many_unread_lines_are_cut_short_and_cut_off_form_is_marked(tmp_path: Path) -> None:
    form = seed_documents()[0].forms[0]
    n = MAX_UNREAD + 7
    odd = form.model_copy(
        update={
            "layout": "pdf",
            "confidence": 0.62,
            "complete": False,
            "unread": [UnreadLine(line=100 + k, text=f"残缺行{k:02d}") for k in range(n)],
        }
    )
    app = create_app([], tmp_path / "m.sqlite", documents=[Document(source="读取.txt", forms=[odd])], findings=[])
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        panel = unread_panel(app)
        assert panel.display and panel.border_title == f"未读取的行（{n}）"
        text = shown(panel)
        assert "第100行 残缺行00" in text and f"残缺行{MAX_UNREAD - 1:02d}" in text
        assert f"残缺行{MAX_UNREAD:02d}" not in text
        assert "另有 7 行未读取" in text
        header = shown(app.query_one(FormHeader))
        assert f"版式 {LAYOUT_LABEL['pdf']}" in header and "置信度 62%" in header and "不完整" in header
        await pilot.press("q")
