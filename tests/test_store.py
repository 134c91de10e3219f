"""The decision store: durability settings, migrations, keys that survive an edited document."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jixiao.api import extract_text
from jixiao.models import Finding
from jixiao.report import build
from jixiao.store import MIGRATIONS, DecisionStore, decision_key, decision_keys, default_db_path, migrate
from test_review_support import SEEDS


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


def test_record_get_all_and_history(tmp_path: Path) -> None:
    f = _finding()
    with DecisionStore(tmp_path / "d.sqlite") as store:
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
        undone = store.record(f, None)
        assert undone.decision is None
        assert list(store.all()) == [decision_key(f)]
        assert [h["decision"] for h in store.history(f)] == [
            "confirmed",
            "confirmed",
            "dismissed",
            "confirmed",
            "confirmed",
            None,
        ]


def test_rejects_unknown_decision(tmp_path: Path) -> None:
    with DecisionStore(tmp_path / "d.sqlite") as store, pytest.raises(ValueError):
        store.record(_finding(), "maybe")  # type: ignore[arg-type]


def test_wal_and_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    with DecisionStore(path) as store:
        store.record(_finding(), "confirmed")
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    # another connection sees the committed row (nothing waits in a Python buffer)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT decision FROM decisions").fetchall() == [("confirmed",)]


def test_migrations_append_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "d.sqlite"
    DecisionStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [fn.__name__ for fn in MIGRATIONS]
    assert migrate(db) == [], "a migrated database is left alone"

    def m999_extra(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE extra (x)")

    monkeypatch.setattr("jixiao.store.MIGRATIONS", [*MIGRATIONS, m999_extra])
    assert migrate(db) == ["m999_extra"]
    db.close()


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


def test_edited_document_keeps_decisions_of_surviving_findings(tmp_path: Path) -> None:
    """Re-extract an edited seed: lines move, one finding disappears; the others keep their decisions."""
    checks = pytest.importorskip("jixiao.checks")
    seed = SEEDS[0]
    text = seed.read_text(encoding="utf-8")
    doc = extract_text(text, seed.name)
    found = checks.run_checks([doc])
    copies = [f for f in found if f.check == "completion-copies-goal"]
    assert len(copies) >= 2
    with DecisionStore(tmp_path / "d.sqlite") as store:
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
