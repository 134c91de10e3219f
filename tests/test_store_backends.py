"""The store's one interface on both backends: sessions sharing a store, writers at once,
a locked database, kept changes, and a store that cannot be reached.

Tests taking ``store_url`` run on SQLite and, with ``JIXIAO_TEST_PG_URL``, on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jixiao.errors import ConfigError, InputError
from jixiao.models import Finding
from jixiao.store import DecisionStore, PendingChange, StoreWriteError, decision_key, read_unsaved
from store_backends import PG_URL, needs_pg, pg_schema, store_url
from test_review_support import SEEDS

__all__ = ["store_url"]  # a fixture, imported for pytest


def _finding(n: int = 0, **kw: object) -> Finding:
    base: dict[str, object] = {
        "check": "vague-actual",
        "severity": "warning",
        "project": f"项目{n}",
        "kind": "self_evaluation",
        "message": "只写了达成指标",
        "lines": [10 + n],
        "source": "/data/报表.txt",
    }
    base.update(kw)
    return Finding.model_validate(base)


def test_two_sessions_see_each_others_decisions_and_who(store_url: str) -> None:
    f = _finding()
    with DecisionStore(store_url, user="甲") as a, DecisionStore(store_url, user="乙") as b:
        a.record(f, "confirmed", reason="数值缺失")
        seen = b.get(f)
        assert seen is not None and (seen.decision, seen.decided_by) == ("confirmed", "甲")
        b.record(f, "dismissed", reason="已补充")
        assert [(h["decision"], h["by"]) for h in a.history(f)] == [("confirmed", "甲"), ("dismissed", "乙")]


def test_writers_at_once_lose_nothing_and_double_nothing(store_url: str) -> None:
    """Eight threads, each with its own session, deciding 15 findings of their own and
    toggling one shared finding: every decision is there once, every change is an event."""
    threads, per = 8, 15
    errors: list[BaseException] = []
    shared = _finding(999)

    def work(t: int) -> None:
        try:
            with DecisionStore(store_url, user=f"审核{t}") as store:
                for i in range(per):
                    store.record(_finding(t * 100 + i), "confirmed" if i % 2 else "dismissed")
                    store.record(shared, "confirmed" if (t + i) % 2 else "dismissed")
        except BaseException as e:
            errors.append(e)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    assert not errors, errors
    with DecisionStore(store_url) as store:
        got = store.all()
        assert len(got) == threads * per + 1
        history = store.history()
        assert len(history) == 2 * threads * per
        last_shared = [h for h in history if h["key"] == decision_key(shared)][-1]
        assert got[decision_key(shared)].decision == last_shared["decision"]
        assert got[decision_key(shared)].decided_by == last_shared["by"]


def test_kept_change_never_overwrites_a_newer_decision(store_url: str) -> None:
    f = _finding()
    with DecisionStore(store_url) as store:
        old = PendingChange.of_decision(f, decision_key(f), "dismissed").model_copy(
            update={"made_at": "2000-01-01T00:00:00+00:00"}
        )
        store.record(f, "confirmed")
        assert store.apply(old).decision == "confirmed"
        newer = PendingChange.of_note(f, decision_key(f), "补一句")
        assert store.apply(newer).note == "补一句"


def test_sidecar_changes_written_on_next_opening(store_url: str) -> None:
    f, g = _finding(1), _finding(2)
    with DecisionStore(store_url) as store:
        path = store.keep_unsaved(
            [
                PendingChange.of_decision(f, decision_key(f), "dismissed", "已核实"),
                PendingChange.of_decision(g, decision_key(g), "confirmed"),
            ]
        )
        assert path is not None and path.exists()
    with DecisionStore(store_url) as store:
        assert store.recovered == 2 and store.unsaved == []
        assert {k: (d.decision, d.reason) for k, d in store.all().items()} == {
            decision_key(f): ("dismissed", "已核实"),
            decision_key(g): ("confirmed", None),
        }
    assert not path.exists() and read_unsaved(str(path).removesuffix(".unsaved.json")) == []


@needs_pg
def test_postgres_row_locked_elsewhere_is_busy_and_reads_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("JIXIAO_DB_BUSY_MS", "200")
    f = _finding()
    with pg_schema() as url, DecisionStore(url) as store:
        store.record(f, "confirmed")
        raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(raw) as other:  # another program: a transaction holding the table
            other.execute("LOCK TABLE decisions IN EXCLUSIVE MODE")
            with pytest.raises(StoreWriteError, match="被占用") as e:
                store.record(f, "dismissed")
            assert e.value.busy
            assert store.all()[decision_key(f)].decision == "confirmed", "reading still works"
            other.rollback()
        assert store.record(f, "dismissed").decision == "dismissed"
        assert [h["decision"] for h in store.history(f)] == ["confirmed", "dismissed"]


# --------------------------------------------------------------------------- cannot be reached


def test_server_down_one_line_naming_the_host_not_the_password() -> None:
    with pytest.raises(InputError) as e:
        DecisionStore("postgresql://reviewer:s3cret-pw@127.0.0.1:1/jixiao")
    msg = str(e.value)
    assert "127.0.0.1:1" in msg and "s3cret-pw" not in msg and "\n" not in msg and "无法连接数据库服务器" in msg


def test_environment_url_wins_and_a_wrong_one_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIXIAO_DATABASE_URL", "mysql://u:pw@db.example/x")
    with pytest.raises(ConfigError, match="不支持的数据库") as e:
        DecisionStore(tmp_path / "d.sqlite")
    assert "pw" not in str(e.value).replace("postgresql", "")
    monkeypatch.setenv("JIXIAO_DATABASE_URL", f"sqlite:///{tmp_path}/team.sqlite")
    with DecisionStore(tmp_path / "d.sqlite") as store:
        store.record(_finding(), "confirmed")
    assert (tmp_path / "team.sqlite").exists() and not (tmp_path / "d.sqlite").exists()


@pytest.mark.parametrize("command", ["review", "report"])
def test_cli_with_a_server_down_exit_2_one_line(command: str, tmp_path: Path) -> None:
    pytest.importorskip("textual")
    env = {**os.environ, "JIXIAO_DEBUG": "", "JIXIAO_DATABASE_URL": "postgresql://reviewer:s3cret-pw@127.0.0.1:1/team"}
    args = [sys.executable, "-m", "jixiao", command, str(SEEDS[0])]
    if command == "report":
        args += ["--out", str(tmp_path / "r.xlsx")]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    assert p.returncode == 2, p.stderr
    err = p.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "127.0.0.1:1" in err and "s3cret-pw" not in err


def test_pg_url_of_the_tests_is_only_read_from_the_environment() -> None:
    assert PG_URL == os.environ.get("JIXIAO_TEST_PG_URL", "").strip()


def test_many_reads_only_the_keys_asked(store_url: str) -> None:
    with DecisionStore(store_url) as store:
        found = [_finding(i) for i in range(1200)]
        for f in found[:3]:
            store.record(f, "confirmed")
        keys = [decision_key(f) for f in found]
        assert set(store.many(keys)) == set(keys[:3]) and store.many([]) == {}
        assert set(store.many([*keys[1:], "x"])) == set(keys[1:3])


def test_for_run_reads_its_findings_and_its_documents_only(store_url: str) -> None:
    mine = [_finding(i, source="批次甲.txt") for i in range(3)]
    gone = _finding(99, source="批次甲.txt")  # a finding of this document that no longer exists
    other = _finding(7, source="批次乙.txt")
    with DecisionStore(store_url) as store:
        for f in [*mine[:2], gone, other]:
            store.record(f, "confirmed")
        got = store.for_run(mine, ["批次甲.txt"])
        assert set(got) == {decision_key(f) for f in [*mine[:2], gone]}, "not the other batch's"
