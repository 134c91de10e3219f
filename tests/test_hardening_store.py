"""Hardening of the review database: a database locked by another program (a second
reviewer, a backup) and one that cannot be written at all.

The lock is another connection holding ``BEGIN EXCLUSIVE``; ``JIXIAO_DB_BUSY_MS`` keeps each
wait short. Tests run as root, so "cannot write" is a database opened ``mode=ro`` or a
database whose folder is a regular file, never permission bits.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jixiao.errors import ConfigError, InputError
from jixiao.store import (
    DecisionStore,
    PendingChange,
    StoreWriteError,
    busy_ms,
    decision_key,
    read_unsaved,
    unsaved_path,
)
from test_review_support import SEEDS, gold_findings, panel_text, until
from test_store import _finding

FILES = [str(p) for p in SEEDS]
SIZE = (180, 50)
BUSY = "200"  # ms: each write waits this long for the lock, so a test takes about a second


class Lock:
    """Another program holding the database's write lock until ``release``."""

    def __init__(self, db: Path) -> None:
        self.conn: sqlite3.Connection | None = sqlite3.connect(db, isolation_level=None)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self.conn is not None:
            self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


def _rows(db: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    with sqlite3.connect(db) as conn:
        return {k: (d, r, n) for k, d, r, n in conn.execute("SELECT key, decision, reason, note FROM decisions")}


@pytest.fixture
def short_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_DB_BUSY_MS", BUSY)


# --------------------------------------------------------------------------- the store


def test_busy_timeout_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIXIAO_DB_BUSY_MS", raising=False)
    assert busy_ms() == 10_000
    for bad in ("soon", "-5", "1.5"):
        monkeypatch.setenv("JIXIAO_DB_BUSY_MS", bad)
        with pytest.raises(ConfigError, match="JIXIAO_DB_BUSY_MS"):
            busy_ms()
    monkeypatch.setenv("JIXIAO_DB_BUSY_MS", BUSY)
    db = tmp_path / "d.sqlite"
    with DecisionStore(db) as store:
        store.record(_finding(), "confirmed")
        lock = Lock(db)
        try:
            t = time.perf_counter()
            with pytest.raises(StoreWriteError, match="被占用") as e:
                store.record(_finding(), "dismissed")
            assert e.value.busy and time.perf_counter() - t < 3, "waited JIXIAO_DB_BUSY_MS, not 10 s"
            assert store.all()[decision_key(_finding())].decision == "confirmed", "reading still works"
        finally:
            lock.release()
        # nothing half-written is left behind: the next write goes through
        assert store.record(_finding(), "dismissed").decision == "dismissed"
    assert [h["decision"] for h in DecisionStore(db).history(_finding())] == ["confirmed", "dismissed"]


def test_sidecar_written_on_next_opening(tmp_path: Path, short_busy: None) -> None:
    db = tmp_path / "d.sqlite"
    f, g = _finding(), _finding(project="业务培训")
    with DecisionStore(db) as store:
        changes = [
            PendingChange.of_decision(f, decision_key(f), "dismissed", "已核实"),
            PendingChange.of_note(f, decision_key(f), "再问一次"),
            PendingChange.of_decision(g, decision_key(g), "confirmed"),
        ]
        path = store.keep_unsaved(changes)
    assert path == unsaved_path(db) and path.name == "d.sqlite.unsaved.json"
    assert [c.key for c in read_unsaved(db)] == [c.key for c in changes]
    assert json.loads(path.read_text("utf-8"))["changes"][0]["finding"]["project"] == "法律咨询与服务"
    # still locked at the next opening: it opens, and the changes stay kept
    lock = Lock(db)
    try:
        with DecisionStore(db) as store:
            assert store.recovered == 0 and len(store.unsaved) == 3
        assert len(read_unsaved(db)) == 3
    finally:
        lock.release()
    with DecisionStore(db) as store:
        assert store.recovered == 3 and store.unsaved == []
    assert not path.exists()
    assert _rows(db) == {
        decision_key(f): ("dismissed", "已核实", "再问一次"),
        decision_key(g): ("confirmed", None, None),
    }


def test_sidecar_keeps_other_sessions_and_never_overwrites_newer(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    f, g = _finding(), _finding(project="业务培训")
    a, b = DecisionStore(db), DecisionStore(db)
    try:
        a.keep_unsaved([PendingChange.of_decision(f, decision_key(f), "confirmed")])
        b.keep_unsaved([PendingChange.of_decision(g, decision_key(g), "dismissed")])
        assert {c.key for c in read_unsaved(db)} == {decision_key(f), decision_key(g)}
        a.keep_unsaved([])  # a's changes are written: b's stay
        assert [c.key for c in read_unsaved(db)] == [decision_key(g)]
        # a change kept since yesterday does not overwrite what was decided today
        old = PendingChange.of_decision(f, decision_key(f), "dismissed").model_copy(
            update={"made_at": "2000-01-01T00:00:00+00:00"}
        )
        a.record(f, "confirmed", key=decision_key(f))
        assert a.apply(old).decision == "confirmed"
        assert a.get(f, key=decision_key(f)).decision == "confirmed"  # type: ignore[union-attr]
    finally:
        a.close()
        b.close()


def test_damaged_sidecar_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    unsaved_path(db).write_text("{not json", encoding="utf-8")
    with DecisionStore(db) as store:
        assert store.warnings and "损坏" in store.warnings[0]
        f = _finding()
        store.keep_unsaved([PendingChange.of_decision(f, decision_key(f), "confirmed")])
    assert [p.name for p in tmp_path.glob("*.bad")], "the damaged file is kept for a person"
    assert len(read_unsaved(db)) == 1


# --------------------------------------------------------------------------- cannot write at all


def _read_only(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """Every connection the store opens on ``db`` is read-only (what chmod would do to a non-root user)."""
    real = sqlite3.connect

    def connect(database: str, *args: object, **kw: object) -> sqlite3.Connection:
        if str(database) == str(db):
            return real(f"file:{db}?mode=ro", *args, uri=True, **kw)  # type: ignore[arg-type]
        return real(database, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("jixiao.store.sqlite3.connect", connect)


def test_read_only_database_refused_before_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("textual")
    from jixiao.review import create_app

    db = tmp_path / "r.sqlite"
    DecisionStore(db).close()
    _read_only(monkeypatch, db)
    with pytest.raises(InputError, match="只读"):
        create_app(FILES, db, findings=[])
    # a database only locked for now is no reason to refuse
    monkeypatch.undo()
    lock = Lock(db)
    try:
        create_app(FILES, db, findings=[])
    finally:
        lock.release()


def test_read_only_database_cli_exit_2_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("textual")
    from jixiao.cli import run
    from jixiao.review.app import ReviewApp

    db = tmp_path / "r.sqlite"
    DecisionStore(db).close()
    _read_only(monkeypatch, db)

    def never(self: ReviewApp, *a: object, **kw: object) -> None:
        raise AssertionError("the session must not start")

    monkeypatch.setattr(ReviewApp, "run", never)
    monkeypatch.setattr(sys, "argv", ["jixiao", "review", FILES[0], "--db", str(db)])
    with pytest.raises(SystemExit) as e:
        run()
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("错误：") and "只读" in err and "--db" in err


def test_db_in_a_folder_that_cannot_exist_exit_2(tmp_path: Path) -> None:
    """The folder of --db is a regular file: one line, exit 2, no traceback, no session."""
    pytest.importorskip("textual")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    env = {**os.environ, "JIXIAO_DEBUG": ""}
    p = subprocess.run(
        [sys.executable, "-m", "jixiao", "review", FILES[0], "--db", str(blocker / "r.sqlite")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    err = p.stderr.strip()
    assert len(err.splitlines()) == 1 and "无法创建审核数据库" in err and "不是可写的文件夹" in err


# --------------------------------------------------------------------------- the session, locked


async def _ready(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: (app.ready and app.complete) or app.error is not None, 60)
    assert app.error is None, app.error


async def _saved(app, pilot, n: int) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: app.saved >= n, 30)
    await pilot.pause()


def _cell(app, pos: int) -> str:  # type: ignore[no-untyped-def]
    from jixiao.review.widgets import FindingTable

    table = app.query_one(FindingTable)
    return str(table.get_cell(str(pos), "decision"))


async def test_locked_decision_shown_unsaved_then_saved_on_a_timer(
    tmp_path: Path, short_busy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue: 4 decisions shown, 3 stored. Now the 4th is marked 未保存, the status line
    counts it, the reviewer is told, and it is written once the lock goes."""
    pytest.importorskip("textual")
    from jixiao.review import create_app
    from jixiao.review.app import ReviewApp

    monkeypatch.setattr(ReviewApp, "RETRY_FIRST", 0.2)
    monkeypatch.setattr(ReviewApp, "RETRY_MAX", 0.4)
    db = tmp_path / "review.sqlite"
    app = create_app(FILES, db, findings=gold_findings())
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(str(message)))
        st = app.state
        assert st is not None
        first = st.visible[:4]
        keys = [st.data.findings[i].key for i in first]
        for _ in range(3):
            await pilot.press("c")
        await _saved(app, pilot, 3)
        assert "未保存" not in app.sub_title and not st.unsaved
        lock = Lock(db)
        try:
            await pilot.press("c")  # the 4th, while another program holds the database
            await until(pilot, lambda: "未保存" in app.sub_title, 10)
            assert "1 个结论未保存" in app.sub_title and "数据库被占用" in app.sub_title
            assert any("被占用" in n and "尚未保存" in n for n in notes), notes
            await pilot.press("p")
            assert st.current == first[3] and "未保存" in panel_text(app) and "确认问题" in panel_text(app)
            assert "未保存" in _cell(app, first[3]) and "确认" in _cell(app, first[3])
            assert len(_rows(db)) == 3, "not in the database"
            kept = read_unsaved(db)
            assert [c.key for c in kept] == [keys[3]], "kept beside the database meanwhile"
            await pilot.pause(0.6)  # a few retries, still locked: nothing claims to be saved
            assert app.saved == 3 and "未保存" in panel_text(app)
        finally:
            lock.release()
        await _saved(app, pilot, 4)  # the timer's retry
        assert "未保存" not in app.sub_title and "未保存" not in panel_text(app)
        assert "未保存" not in _cell(app, first[3])
        assert any("已保存" in n for n in notes)
        assert not unsaved_path(db).exists()
        await pilot.press("q")
    assert app.flush_pending() == 0 and app.error is None
    assert {k: v[0] for k, v in _rows(db).items()} == dict.fromkeys(keys, "confirmed")


async def test_next_decision_retries_the_pending_ones_in_order(
    tmp_path: Path, short_busy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("textual")
    from jixiao.review import create_app
    from jixiao.review.app import ReviewApp

    monkeypatch.setattr(ReviewApp, "RETRY_FIRST", 600.0)  # no timer: only the next decision retries
    db = tmp_path / "review.sqlite"
    app = create_app(FILES, db, findings=gold_findings())
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        st = app.state
        assert st is not None
        a, b = st.visible[:2]
        ka, kb = st.data.findings[a].key, st.data.findings[b].key
        lock = Lock(db)
        try:
            await pilot.press("c")
            await pilot.press("p", "u")  # undone at once: both changes kept, in order
            await until(pilot, lambda: "2 个结论未保存" not in app.sub_title and "1 个结论未保存" in app.sub_title, 10)
            assert st.data.findings[a].decision_value is None and "未保存" in _cell(app, a)
            await pilot.press("c")  # decided again: tried at once, still locked
            await until(pilot, lambda: len(read_unsaved(db)) == 3, 10)
        finally:
            lock.release()
        assert app.saved == 0
        assert st.current == b
        await pilot.press("d")
        await pilot.press("enter")  # the next decision: everything pending goes first
        await _saved(app, pilot, 4)
        assert not st.unsaved and "未保存" not in app.sub_title
        await pilot.press("q")
    app.flush_pending()
    assert _rows(db) == {ka: ("confirmed", None, None), kb: ("dismissed", None, None)}
    with sqlite3.connect(db) as conn:
        events = [d for (d,) in conn.execute("SELECT decision FROM events WHERE key = ? ORDER BY id", (ka,))]
    assert events == ["confirmed", None, "confirmed"]


async def test_still_locked_at_exit_kept_in_sidecar_and_written_next_time(
    tmp_path: Path, short_busy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("textual")
    from jixiao.review import create_app
    from jixiao.review.app import ReviewApp

    monkeypatch.setattr(ReviewApp, "RETRY_FIRST", 0.2)
    db = tmp_path / "review.sqlite"
    findings = gold_findings()
    app = create_app(FILES, db, findings=findings)
    lock = Lock(db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _ready(app, pilot)
            st = app.state
            assert st is not None
            keys = [st.data.findings[i].key for i in st.visible[:2]]
            await pilot.press("c", "d")
            app.screen.query_one("Input").value = "已核实"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await until(pilot, lambda: "2 个结论未保存" in app.sub_title, 10)
            await pilot.press("q")
        assert app.flush_pending() == 0
        assert app.error is not None
        assert "2 个审核结论未能保存" in app.error and str(unsaved_path(db)) in app.error
        assert "被占用" in app.error and "下次打开" in app.error and "\n" not in app.error
        assert app.unsaved_path == unsaved_path(db)
        assert _rows(db) == {}
        assert [(c.key, c.decision, c.text) for c in read_unsaved(db)] == [
            (keys[0], "confirmed", None),
            (keys[1], "dismissed", "已核实"),
        ]

        # next time, still locked: shown as decided and unsaved, written when the lock goes
        app2 = create_app(FILES, db, findings=findings)
        async with app2.run_test(size=SIZE) as pilot:
            await _ready(app2, pilot)
            st2 = app2.state
            assert st2 is not None
            pos = st2.position_of(keys[1])
            assert pos is not None and st2.data.findings[pos].decision_value == "dismissed"
            assert set(st2.unsaved) == set(keys)
            await until(pilot, lambda: "2 个结论未保存" in app2.sub_title, 10)
            lock.release()
            await _saved(app2, pilot, 2)
            assert not st2.unsaved and "未保存" not in app2.sub_title
            await pilot.press("q")
        app2.flush_pending()
    finally:
        lock.release()
    assert _rows(db) == {keys[0]: ("confirmed", None, None), keys[1]: ("dismissed", "已核实", None)}
    assert not unsaved_path(db).exists()


async def test_sidecar_written_when_the_next_session_opens(tmp_path: Path, short_busy: None) -> None:
    """The database is free again at the next session: the kept changes go in before the
    first screen, and the reviewer is told."""
    pytest.importorskip("textual")
    from jixiao.review import create_app

    db = tmp_path / "review.sqlite"
    findings = gold_findings()
    f = findings[0]
    key = decision_key(f)
    with DecisionStore(db) as store:
        store.keep_unsaved([PendingChange.of_decision(f, key, "confirmed")])
    app = create_app(FILES, db, findings=findings)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert app.loaded is not None
        assert any("已补存" in w and "1 个" in w for w in app.loaded.warnings), app.loaded.warnings
        assert app.state is not None and not app.state.unsaved and "未保存" not in app.sub_title
        await pilot.press("q")
    app.flush_pending()
    assert _rows(db)[key][0] == "confirmed" and not unsaved_path(db).exists()
