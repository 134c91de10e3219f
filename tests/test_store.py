"""The decision store: durability settings, migrations, keys that survive an edited document.

Tests taking ``store_url`` run on SQLite and, with ``JIXIAO_TEST_PG_URL``, on PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from jixiao.api import extract_text
from jixiao.models import Finding
from jixiao.report import build
from jixiao.store import DecisionStore, decision_key, decision_keys, default_db_path
from jixiao.store.migrate import current, revisions, upgrade
from store_backends import store_url
from test_review_support import SEEDS

__all__ = ["store_url"]  # a fixture, imported for pytest
BEFORE_ALEMBIC = Path(__file__).parent / "fixtures" / "store-before-alembic.sql"


def _finding(**kw: object) -> Finding:
    base: dict[str, object] = {
        "check": "score-exceeds-weight",
        "severity": "error",
        "project": "法律咨询与服务",
        "kind": "self_evaluation",
        "message": "法律培训：得分 9 超过分值 8",
        "lines": [17],
        "source": "/data/报表.txt",
    }
    base.update(kw)
    return Finding.model_validate(base)


def test_record_get_all_and_history(store_url: str) -> None:
    f = _finding()
    with DecisionStore(store_url, user="王审核") as store:
        assert store.get(f) is None
        d = store.record(f, "confirmed")
        assert (d.decision, d.reason, d.note, d.label) == ("confirmed", None, None, "确认问题")
        store.set_note(f, "  与财务科核对过  ")
        d = store.record(f, "dismissed", reason="属于合理情况")
        assert (d.decision, d.reason, d.note) == ("dismissed", "属于合理情况", "与财务科核对过"), (
            "deciding keeps the note"
        )
        d = store.record(f, "confirmed")
        assert d.reason is None, "a new decision does not inherit the old reason"
        store.set_note(f, "")
        got = store.get(f)
        assert got is not None and got.note is None and got.decision == "confirmed"
        assert got.check == f.check and got.lines == [17] and got.message == f.message
        assert got.decided_by == "王审核"
        undone = store.record(f, None)
        assert undone.decision is None
        assert list(store.all()) == [decision_key(f)]
        history = store.history(f)
        assert [h["decision"] for h in history] == [
            "confirmed",
            "confirmed",
            "dismissed",
            "confirmed",
            "confirmed",
            None,
        ]
        assert {h["by"] for h in history} == {"王审核"}


def test_rejects_unknown_decision(store_url: str) -> None:
    with DecisionStore(store_url) as store, pytest.raises(ValueError):
        store.record(_finding(), "maybe")  # type: ignore[arg-type]


def test_wal_and_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    with DecisionStore(path) as store:
        store.record(_finding(), "confirmed")
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    # another connection sees the committed row (nothing waits in a Python buffer)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT decision FROM decisions").fetchall() == [("confirmed",)]


def test_schema_versions_applied_once_in_order(store_url: str) -> None:
    with DecisionStore(store_url) as store:
        assert store.applied == list(revisions()) and revisions()[0] == "0001"
        with store.engine.connect() as conn:
            assert current(conn) == revisions()[-1]
            assert {"decisions", "events", "cache", "alembic_version"} <= set(inspect(conn).get_table_names())
    with DecisionStore(store_url) as store:
        assert store.applied == [], "a store at the newest version is left alone"
        assert upgrade(store.engine) == []


def test_store_before_alembic_keeps_every_decision(tmp_path: Path) -> None:
    """A review database written by the code before Alembic (a dump taken from it) opens
    with every decision, note, event and cache entry; new writes carry who."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_ALEMBIC.read_text(encoding="utf-8"))
        before = db.execute("SELECT key, decision, reason, note, decided_at FROM decisions ORDER BY rowid").fetchall()
        events = db.execute("SELECT key, decision, at FROM events ORDER BY id").fetchall()
    assert len(before) == 4 and len(events) == 6
    with DecisionStore(path, user="李复核") as store:
        assert store.applied == list(revisions()), "adopted by the baseline, then upgraded"
        got = store.all()
        assert [(d.key, d.decision, d.reason, d.note, d.decided_at) for d in got.values()] == before
        assert all(d.decided_by is None for d in got.values()), "nobody is made up for old rows"
        assert [(h["key"], h["decision"], h["at"]) for h in store.history()] == events
        assert store.cache_get("doc|abc") == b'{"x": 1}'
        f = _finding()
        assert got[decision_key(f)].decision == "confirmed" and got[decision_key(f)].note == "与财务科核对过"
        d = store.record(f, "dismissed", reason="复核后撤销")
        assert (d.note, d.decided_by) == ("与财务科核对过", "李复核")
        assert store.history(f)[-1]["by"] == "李复核"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM _migrations").fetchone() == (3,), "the old list is left as it was"
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(revisions()[-1],)]


def test_half_migrated_old_store_gets_its_missing_table(tmp_path: Path) -> None:
    """A store of an even older version (no cache table yet) is completed, not refused."""
    path = tmp_path / "older.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_ALEMBIC.read_text(encoding="utf-8"))
        db.execute("DROP TABLE cache")
    with DecisionStore(path) as store:
        assert len(store.all()) == 4
        store.cache_put("k", b"v")
        assert store.cache_get("k") == b"v"


def test_reads_and_writes_through_one_interface(store_url: str) -> None:
    f, g = _finding(), _finding(project="业务培训")
    with DecisionStore(store_url) as store:
        store.record(f, "confirmed")
        store.record(g, "dismissed", reason="口径不同")
        assert store.count() == 2
        assert store.forget([decision_key(f), "no-such-key"]) == 1
        assert list(store.all()) == [decision_key(g)]
        store.cache_put("a", b"1" * 1000)
        store.cache_put("a", b"2")
        store.cache_put("b", b"3")
        store.cache_keep(["b"])
        assert (store.cache_get("a"), store.cache_get("b")) == (None, b"3")
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 2


def test_default_db_path_beside_input() -> None:
    assert default_db_path("/data/a.txt") == Path("/data/a.txt.jixiao.sqlite")
    assert default_db_path("-").name == "stdin.jixiao.sqlite"


def test_key_ignores_lines_figures_and_folder() -> None:
    f = _finding()
    moved = _finding(lines=[40], message="法律培训：得分 9.5 超过分值 8.00", source="/elsewhere/报表.txt")
    assert decision_key(f) == decision_key(moved)
    for other in (
        _finding(project="业务培训"),
        _finding(check="deduction-without-reason"),
        _finding(message="法律培训次数：得分 9 超过分值 8"),
        _finding(kind="target_declaration"),
        _finding(source="/data/另一份.txt"),
    ):
        assert decision_key(other) != decision_key(f)


def test_colliding_keys_are_numbered_by_line() -> None:
    a = _finding(message="得分 9 超过分值 8", lines=[30])
    b = _finding(message="得分 7 超过分值 5", lines=[12])
    c = _finding(message="别的问题", lines=[1])
    keys = decision_keys([a, b, c])
    assert keys[1] == decision_key(b), "the first in line order keeps the plain key"
    assert keys[0] == decision_key(a) + "#2"
    assert keys[2] == decision_key(c)
    assert len(set(keys)) == 3


def test_edited_document_keeps_decisions_of_surviving_findings(store_url: str) -> None:
    """Re-extract an edited seed: lines move, one finding disappears; the others keep their decisions."""
    checks = pytest.importorskip("jixiao.checks")
    seed = SEEDS[0]
    text = seed.read_text(encoding="utf-8")
    doc = extract_text(text, seed.name)
    found = checks.run_checks([doc])
    copies = [f for f in found if f.check == "completion-copies-goal"]
    assert len(copies) >= 2
    with DecisionStore(store_url) as store:
        for f, k in zip(found, decision_keys(found)):
            store.record(f, "confirmed", key=k)
        # the edit: the first copied 实际完成情况 rewritten, and three lines inserted at the top
        lines = text.split("\n")
        row = copies[0].lines[0] - 1
        cells = lines[row].split("\t")
        goal = next(c for c in cells if c.strip() and cells.count(c) == 2)
        second = max(i for i, c in enumerate(cells) if c == goal)
        cells[second] = "全年完成法律咨询 26 次，出具审核意见 3 份，开展培训 2 次，均按期完成。"
        lines[row] = "\t".join(cells)
        edited = "\n".join(["", "（修订稿）", "", *lines])
        doc2 = extract_text(edited, seed.name)
        found2 = checks.run_checks([doc2])
        data = build([doc2], found2, store.all())
    moved = {fr.finding.check + (fr.finding.project or ""): fr for fr in data.findings}
    # every finding of the edit that existed before is still decided, though its lines moved by 3
    before = {f.check + (f.project or "") for f in found}
    survivors = [fr for key, fr in moved.items() if key in before]
    assert survivors and all(fr.decision_value == "confirmed" for fr in survivors)
    assert all(fr.finding.lines != [] for fr in survivors)
    gone = copies[0].project
    assert not any(fr.finding.check == "completion-copies-goal" and fr.finding.project == gone for fr in data.findings)
    assert any(d.check == "completion-copies-goal" and d.project == gone for d in data.stale)
