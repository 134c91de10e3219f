"""The session shows its first screen before every form is checked: the list fills in as
the findings of the other forms arrive, and a decision made meanwhile is neither lost nor
put on another finding."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual")
pytest.importorskip("jixiao.checks")
from jixiao.checks import run_checks
from jixiao.checks.runner import Stage, check_stages
from jixiao.models import Document, Finding
from jixiao.review import create_app
from jixiao.review.widgets import ProjectList
from jixiao.store import decision_keys
from test_review_support import panel_text, until

generate = pytest.importorskip("jixiao.evaluation.generate")

SIZE = (180, 50)


class GatedChecks:
    """The real checks in stages; the stages after the first wait until ``go`` is set, so
    the test decides while the other forms are still 'being checked'."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def __call__(self, docs: list[Document]) -> list[Finding]:
        return run_checks(docs)

    def stages(self, docs: list[Document], *, first_forms: int, chunk_forms: int) -> Iterator[Stage]:
        stages = check_stages(docs, first_forms=first_forms, chunk_forms=chunk_forms)
        yield next(stages)
        if not self.go.wait(30):
            raise AssertionError("the test never released the later stages")
        yield from stages


def _docs() -> list[Document]:
    """Generated forms; every self-evaluation's completion copies its goal (a finding in
    the first forms and in the later ones)."""
    forms = generate.generate_forms(40, seed=11)
    for i, f in enumerate(forms):
        if f.kind == "self_evaluation":
            forms[i] = f.model_copy(update={"goal": f.goal.model_copy(update={"actual": f.goal.expected})})
    return [Document(source="批量.txt", forms=forms)]


def _rows(db: Path) -> dict[str, str | None]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT key, decision FROM decisions").fetchall())


async def test_list_fills_in_and_an_early_decision_survives(tmp_path: Path) -> None:
    docs = _docs()
    full = run_checks(docs)
    db = tmp_path / "p.sqlite"
    checks = GatedChecks()
    app = create_app([], db, documents=docs, checker=checks, first_forms=5, chunk_forms=10)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.ready or bool(app.error))
        st, loaded = app.state, app.loaded
        assert st is not None and loaded is not None
        assert not app.complete and loaded.unchecked
        # every project is listed; the unchecked ones say so instead of counts
        plist = app.query_one(ProjectList)
        assert len(plist.projects) == len(docs[0].forms)
        pending = [i for i, p in enumerate(plist.projects) if p.ref in loaded.unchecked]
        assert pending and all("检查中" in plist.row_text(i).plain for i in pending)
        assert "正在检查其余" in app.sub_title
        # the form on screen is checked, its finding under review
        assert st.selected not in loaded.unchecked
        assert st.row is not None and st.row.ref == st.selected and st.row.finding.message in panel_text(app)
        early = st.row.key
        await pilot.press("c")
        await until(pilot, lambda: app.saved >= 1)
        # a form still being checked is shown, and nothing on it can be decided yet
        plist.focus()
        await pilot.press("end")
        last = plist.projects[-1].ref
        assert st.selected == last and last in loaded.unchecked
        assert "本表正在检查" in panel_text(app)
        await pilot.press("c")
        # the rest arrives
        checks.go.set()
        await until(pilot, lambda: app.complete)
        assert sorted(r.key for r in st.data.findings) == sorted(decision_keys(full))
        pos = st.position_of(early)
        assert pos is not None and st.data.findings[pos].decision_value == "confirmed"
        assert [r.decision_value for r in st.data.findings].count("confirmed") == 1
        assert not any("检查中" in plist.row_text(i).plain for i in range(len(plist.projects)))
        assert st.selected == last, "the reviewer stays on the form they were looking at"
        assert "正在检查" not in app.sub_title and app.sub_title.startswith(f"已审 1/{len(full)}")
        await pilot.press("q")
    assert _rows(db) == {early: "confirmed"}
    assert early in decision_keys(full), "stored under the key the whole run gives that finding"

    # reopened with every finding at once: the decision is on the same finding
    app2 = create_app([], db, documents=docs, findings=full)
    async with app2.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app2.complete)
        st2 = app2.state
        assert st2 is not None
        pos = st2.position_of(early)
        assert pos is not None and st2.data.findings[pos].decision_value == "confirmed"
        assert st2.progress() == (1, len(full))
        await pilot.press("q")
