"""Review decisions: one row per finding, written the moment the reviewer decides.

Durability first: one transaction per decision, committed before ``record`` returns, so a
session killed mid-way (SIGKILL, a closed terminal) loses nothing that was decided (on
SQLite: WAL journal and ``synchronous=FULL``, see ``backend``). Every change is also
appended to ``events``, with who made it, so a reviewer can see who changed what (and a
mistaken overwrite can be undone by hand).

Decisions are keyed by ``decision_key``: what the finding is about (check, file name,
project, form kind, and the message with its numbers masked), not where it sits. Editing the
document moves line numbers and changes figures, and the decision must follow the finding as
long as it still exists. Schema changes are Alembic revisions (``migrate``).

The store is shared by the terminal session (worker threads) and the web page (a thread
pool); on SQLite one connection is guarded by a lock, on PostgreSQL a pool serves them.

A database another program holds locked (a second reviewer, a backup) is waited for
``JIXIAO_DB_BUSY_MS`` milliseconds (default 10 000), then a write fails with
``StoreWriteError`` (``busy``). A caller that cannot write a change keeps it and, if it must
give up, hands it to ``keep_unsaved``: a small JSON file beside the database
(``<db>.unsaved.json``; for a server store, in jixiao's home folder) whose changes the next
``DecisionStore`` on that database writes.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import threading
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, exc, func, insert, select, text, update

from ..errors import InputError
from ..models import Finding
from . import backend, migrate
from .backend import BUSY_MESSAGE, StoreWriteError, Target
from .keys import decision_key
from .records import DECISION_VALUES, Change, Decision, DecisionValue, Opinion, PendingChange, blank, now
from .schema import audit, cache, decisions, events, opinions
from .sidecar import read_unsaved, unsaved_path, write_unsaved

# on opening, the changes of an earlier session's sidecar are written with at most this wait
RECOVER_BUSY_MS = 2_000
USER_ENV = "JIXIAO_USER"
# who the current request or task writes as (the web page's logged-in reviewer): one store
# serves every reviewer of a team server; unset, a store writes as its own ``user``
ACTING_USER: ContextVar[str | None] = ContextVar("jixiao_acting_user", default=None)

_UNSET = object()
_DECISION_COLUMNS = (
    "key",
    "decision",
    "reason",
    "note",
    "decided_at",
    "decided_by",
    "noted_by",
    "noted_at",
    "conflict",
    "check_id",
    "source",
    "project",
    "kind",
    "severity",
    "message",
    "lines",
)


class _Probed(Exception):
    """Raised inside the write probe's transaction to roll it back."""


def default_user() -> str | None:
    """Who a session writes as: ``JIXIAO_USER``, else the name the user logged in with."""
    name = os.environ.get(USER_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container with an arbitrary uid)
        return None


def _server_sidecar_base(target: Target) -> Path:
    from ..config import home

    safe = re.sub(r"[^\w.-]+", "_", target.display.split("://", 1)[-1])
    return home() / "unsaved" / safe


class DecisionStore:
    """The decisions of a review: a SQLite file (created on first use) or a PostgreSQL
    database (a URL, or ``JIXIAO_DATABASE_URL``).

    Opening it brings the schema up to date and writes what an earlier session left in the
    sidecar (``keep_unsaved``); what still cannot be written is in ``unsaved``, for the
    caller to keep trying (``recover`` False: leave the sidecar alone). ``user`` is who the
    changes are written as (default: ``default_user``)."""

    def __init__(self, path: str | Path | None, *, recover: bool = True, user: str | None = None) -> None:
        self.target = backend.resolve(path)
        self.user = user if user is not None else default_user()
        self.busy_ms = backend.busy_ms()
        self.session = uuid.uuid4().hex[:12]
        self.unsaved: list[PendingChange] = []  # sidecar changes still not written
        self.recovered = 0  # sidecar changes written on opening
        self.warnings: list[str] = []
        self._adopted: set[str] = set()  # ids of the sidecar changes this store took over
        self._memory = self.target.memory
        self._closed = False
        if self.target.is_server:
            self.path = _server_sidecar_base(self.target)
        else:
            assert self.target.path is not None
            self.path = self.target.path
            try:
                if not self._memory:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise InputError(
                    f"{path}: 无法创建审核数据库：{self.path.parent} 不是可写的文件夹 ({e.strerror or e})；"
                    "请用 --db 指定可写的位置"
                ) from e
        self.engine = backend.open_engine(self.target, self.busy_ms)
        try:
            self.applied = migrate.upgrade(self.engine)
        except exc.DBAPIError as e:
            self.engine.dispose()
            raise backend.open_error(self.target, e) from e
        # SQLite: one connection, one writer at a time; PostgreSQL: the pool is thread-safe
        self._lock: Any = threading.RLock() if not self.target.is_server else contextlib.nullcontext()
        if recover and not self._memory:
            try:
                self._recover()
            except BaseException:
                self.engine.dispose()
                raise

    @property
    def name(self) -> str:
        """The store as a message names it: the file, or the server and database."""
        return self.target.display

    @property
    def writer(self) -> str | None:
        """Who a change made now is written as."""
        return ACTING_USER.get() or self.user

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- connections
    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self._lock, self.engine.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self, wait_ms: int | None = None) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite) … ``COMMIT``; a database
        error (locked, read-only, full, a server gone) becomes ``StoreWriteError`` and
        nothing of the transaction is written."""
        if self._closed:
            raise StoreWriteError(f"{self.name}: 审核数据库已关闭")
        with self._lock:
            try:
                with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
                    if wait_ms is not None:
                        self._set_wait(conn, wait_ms)
                    try:
                        with conn.begin():
                            if wait_ms is not None and self.dialect == "postgresql":
                                conn.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
                            yield conn
                    finally:
                        if wait_ms is not None:
                            self._set_wait(conn, self.busy_ms)
            except exc.DBAPIError as e:
                if backend.is_busy(e):
                    raise StoreWriteError(
                        f"{self.name}: {BUSY_MESSAGE}，等待 {(wait_ms if wait_ms is not None else self.busy_ms) / 1000:g} 秒后仍未能写入",
                        busy=True,
                    ) from e
                if self.target.is_server and (e.connection_invalidated or isinstance(e, exc.OperationalError)):
                    reason = " ".join(str(e.orig).split())[:200]
                    raise StoreWriteError(f"{self.name}: 无法连接数据库服务器，未能写入 ({reason})") from e
                raise StoreWriteError(f"{self.name}: 无法写入审核数据库 ({e.orig})") from e

    def _set_wait(self, conn: Connection, ms: int) -> None:
        if self.dialect == "sqlite":  # on the driver's connection: no SQLAlchemy transaction begins
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            dbapi.execute(f"PRAGMA busy_timeout={int(ms)}")

    # -- what earlier sessions could not write
    def _recover(self) -> None:
        try:
            changes = read_unsaved(self.path)
        except InputError as e:  # a damaged sidecar must not keep the reviewer out
            self.warnings.append(str(e))
            return
        if not changes:
            return
        self._adopted |= {c.id for c in changes}
        wait = min(self.busy_ms, RECOVER_BUSY_MS)
        while changes:
            try:
                self._apply(changes[0], wait_ms=wait)
            except StoreWriteError:
                break
            changes.pop(0)
            self.recovered += 1
        self.unsaved = changes
        if self.recovered:
            try:
                self.keep_unsaved(changes)
            except OSError:
                pass  # written again next time: the same changes, and never over a newer decision

    @property
    def unsaved_path(self) -> Path | None:
        return None if self._memory else unsaved_path(self.path)

    def keep_unsaved(self, changes: Sequence[PendingChange]) -> Path | None:
        """Keep ``changes`` (everything this store still owes the database, in order) in the
        sidecar, beside those of other sessions; with none, drop this store's own (and the
        file when nothing is left). Answers the sidecar's path. Raises ``OSError``."""
        path = self.unsaved_path
        if path is None:
            return None
        try:
            others = [c for c in read_unsaved(self.path) if c.session != self.session and c.id not in self._adopted]
        except InputError:
            if not changes:
                return path
            # never write over a file nobody could read: set it aside for a person to look at
            path.replace(path.with_name(f"{path.name}.{datetime.now():%Y%m%d-%H%M%S}.bad"))
            others = []
        mine = [
            c if c.session or c.id in self._adopted else c.model_copy(update={"session": self.session}) for c in changes
        ]
        if self.target.is_server:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_unsaved(self.path, [*others, *mine], database=self.name)
        return path

    def check_writable(self) -> None:
        """Raise ``InputError`` when no decision could ever be written here (a read-only file
        or folder, a read-only server account); a database only locked for now passes."""
        try:
            with self.transaction(wait_ms=0) as conn:
                conn.execute(delete(cache).where(cache.c.key == "_write_probe"))
                conn.execute(insert(cache).values(key="_write_probe", data=b"", used_at=now()))
                raise _Probed  # written: roll it back
        except _Probed:
            pass
        except StoreWriteError as e:
            if not e.busy:
                why = e.__cause__.orig if isinstance(e.__cause__, exc.DBAPIError) else e
                raise InputError(
                    f"{self.name}: 审核数据库只读，无法保存审核结论 ({why})；请检查文件及所在文件夹的权限，"
                    "或用 --db 指定可写的位置"
                ) from e

    # -- context management
    def close(self) -> None:
        with self._lock:
            self._closed = True
            self.engine.dispose()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading
    def get(self, finding: Finding, *, key: str | None = None) -> Decision | None:
        k = key or decision_key(finding)
        with self.reading() as conn:
            row = conn.execute(select(*_cols()).where(decisions.c.key == k)).first()
        return _row_to_decision(row) if row else None

    def all(self) -> dict[str, Decision]:
        # insertion order (SQLite's rowid; PostgreSQL has none: first decided first)
        order = text("rowid") if self.dialect == "sqlite" else decisions.c.decided_at
        with self.reading() as conn:
            rows = conn.execute(select(*_cols()).order_by(order, decisions.c.key)).all()
        return {r[0]: _row_to_decision(r) for r in rows}

    def many(self, keys: Iterable[str]) -> dict[str, Decision]:
        """The decisions of ``keys`` only (a page of one batch in a store of many: not ``all``)."""
        wanted = sorted(set(keys))
        out: dict[str, Decision] = {}
        with self.reading() as conn:
            for i in range(0, len(wanted), 500):  # SQLite's bound-parameter limit, with room
                rows = conn.execute(select(*_cols()).where(decisions.c.key.in_(wanted[i : i + 500]))).all()
                out.update((r[0], _row_to_decision(r)) for r in rows)
        return out

    def for_run(self, findings: Sequence[Finding], sources: Iterable[str]) -> dict[str, Decision]:
        """What a page of one run shows: the decisions of its findings, and those of its
        documents whose finding has since gone (stale); not the other runs of a shared store."""
        from .keys import decision_keys

        out = self.many(decision_keys(findings))
        names = sorted({s for s in sources if s})
        if names:
            with self.reading() as conn:
                rows = conn.execute(select(*_cols()).where(decisions.c.source.in_(names))).all()
            for r in rows:
                out.setdefault(r[0], _row_to_decision(r))
        return out

    def history(self, finding: Finding | None = None, *, key: str | None = None) -> list[dict[str, str | None]]:
        """Every change, oldest first (of one finding, or of all)."""
        k = key or (decision_key(finding) if finding is not None else None)
        q = select(events.c.key, events.c.decision, events.c.reason, events.c.note, events.c.at, events.c.by)
        if k is not None:
            q = q.where(events.c.key == k)
        with self.reading() as conn:
            rows = conn.execute(q.order_by(events.c.id)).all()
        return [dict(zip(("key", "decision", "reason", "note", "at", "by"), r)) for r in rows]

    def count(self) -> int:
        with self.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())

    # -- writing
    def record(
        self,
        finding: Finding,
        decision: DecisionValue | None,
        reason: str | None = None,
        note: str | None = None,
        *,
        key: str | None = None,
    ) -> Decision:
        """Set the decision (and its reason) of a finding; ``decision=None`` undoes it.

        ``note`` None keeps the note already written (deciding does not erase a note);
        use ``set_note`` to change or clear it. Committed before returning.
        """
        if decision is not None and decision not in DECISION_VALUES:
            raise ValueError(f"decision must be one of {DECISION_VALUES} or None, not {decision!r}")
        return self._write(finding, key, decision=decision, reason=blank(reason), note=_UNSET if note is None else note)

    def set_note(self, finding: Finding, note: str | None, *, key: str | None = None) -> Decision:
        """Write (or with '' / None, clear) the note of a finding, keeping its decision."""
        return self._write(finding, key, decision=_UNSET, reason=_UNSET, note=blank(note))

    def apply(self, change: PendingChange) -> Decision:
        """Write a change kept while the database could not be written; a decision stored
        after the change was made (by another session meanwhile) is newer and stays."""
        return self._apply(change)

    def _apply(self, change: PendingChange, wait_ms: int | None = None) -> Decision:
        after = change.made_at or None
        if change.what == "note":
            return self._write(
                change.finding,
                change.key,
                decision=_UNSET,
                reason=_UNSET,
                note=blank(change.text),
                after=after,
                wait_ms=wait_ms,
            )
        if change.decision is not None and change.decision not in DECISION_VALUES:
            raise ValueError(f"decision must be one of {DECISION_VALUES} or None, not {change.decision!r}")
        return self._write(
            change.finding,
            change.key,
            decision=change.decision,
            reason=blank(change.text),
            note=_UNSET,
            after=after,
            wait_ms=wait_ms,
        )

    def forget(self, keys: Iterable[str]) -> int:
        """Delete decisions (e.g. of findings that no longer exist); answers how many."""
        n = 0
        with self.transaction() as conn:
            for k in keys:
                n += conn.execute(delete(decisions).where(decisions.c.key == k)).rowcount
        return n

    def _write(
        self,
        finding: Finding,
        key: str | None,
        *,
        decision: object,
        reason: object,
        note: object,
        after: str | None = None,
        wait_ms: int | None = None,
    ) -> Decision:
        k = key or decision_key(finding)
        stamp = now()
        by = self.writer
        with self.transaction(wait_ms) as conn:
            if self.dialect == "postgresql":  # one writer per finding at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": k})
            row = conn.execute(select(*_cols()).where(decisions.c.key == k)).first()
            old = _row_to_decision(row) if row else Decision(key=k)
            if after is not None and old.decided_at is not None and old.decided_at > after:
                return old  # decided again since (another session): the newer word stays
            new = Decision.model_validate(
                {
                    "key": k,
                    "decision": old.decision if decision is _UNSET else decision,
                    "reason": old.reason if reason is _UNSET else reason,
                    "note": old.note if note is _UNSET else note,
                    # the last change (a kept change: when the reviewer made it), as before accounts
                    "decided_at": after or stamp,
                    "decided_by": old.decided_by if decision is _UNSET else by,
                    "noted_by": old.noted_by if note is _UNSET else by,
                    "noted_at": old.noted_at if note is _UNSET else after or stamp,
                    "check": finding.check,
                    "source": finding.source,
                    "project": finding.project,
                    "kind": finding.kind,
                    "severity": finding.severity,
                    "message": finding.message,
                    "lines": list(finding.lines),
                }
            )
            if decision is not _UNSET and by is not None:
                new.conflict = self._hold_opinion(conn, k, by, new, after or stamp)
            else:
                new.conflict = old.conflict
            values = _decision_values(new)
            if row is None:
                conn.execute(insert(decisions).values(values))
            else:
                conn.execute(update(decisions).where(decisions.c.key == k).values(values))
            conn.execute(
                insert(events).values(key=k, decision=new.decision, reason=new.reason, note=new.note, at=stamp, by=by)
            )
            changed = [
                {"key": k, "field": f, "old": getattr(old, f), "new": getattr(new, f), "by": by, "at": stamp}
                for f in ("decision", "reason", "note")
                if getattr(old, f) != getattr(new, f)
            ]
            if changed:
                conn.execute(insert(audit), changed)
        return new

    @staticmethod
    def _hold_opinion(conn: Connection, key: str, user: str, new: Decision, at: str) -> bool:
        """Keep ``user``'s own decision of ``key`` beside the others'; answers whether the
        reviewers holding one now disagree."""
        conn.execute(delete(opinions).where(opinions.c.key == key, opinions.c.user_name == user))
        if new.decision is not None:
            conn.execute(
                insert(opinions).values(key=key, user_name=user, decision=new.decision, reason=new.reason, at=at)
            )
        held = conn.execute(select(opinions.c.decision).where(opinions.c.key == key).distinct()).all()
        return len(held) > 1

    # -- who said what
    def opinions(self, key: str) -> list[Opinion]:
        """Each reviewer's standing decision of a finding, oldest first."""
        q = select(opinions.c.user_name, opinions.c.decision, opinions.c.reason, opinions.c.at).where(
            opinions.c.key == key
        )
        with self.reading() as conn:
            rows = conn.execute(q.order_by(opinions.c.at, opinions.c.user_name)).all()
        return [Opinion(user=r[0], decision=r[1], reason=r[2], at=r[3]) for r in rows]

    def all_opinions(self, keys: Iterable[str] | None = None) -> dict[str, list[Opinion]]:
        q = select(opinions.c.key, opinions.c.user_name, opinions.c.decision, opinions.c.reason, opinions.c.at)
        if keys is not None:
            q = q.where(opinions.c.key.in_(list(keys)))
        out: dict[str, list[Opinion]] = {}
        with self.reading() as conn:
            for r in conn.execute(q.order_by(opinions.c.key, opinions.c.at, opinions.c.user_name)):
                out.setdefault(r[0], []).append(Opinion(user=r[1], decision=r[2], reason=r[3], at=r[4]))
        return out

    def audit(self, keys: Iterable[str] | None = None) -> list[Change]:
        """The audit trail, oldest first: every field changed, from what to what, by whom."""
        q = select(audit.c.key, audit.c.field, audit.c.old, audit.c.new, audit.c.by, audit.c.at)
        if keys is not None:
            q = q.where(audit.c.key.in_(list(keys)))
        with self.reading() as conn:
            rows = conn.execute(q.order_by(audit.c.id)).all()
        return [Change(key=r[0], field=r[1], old=r[2], new=r[3], by=r[4], at=r[5]) for r in rows]

    def conflicts(self) -> dict[str, Decision]:
        """The findings reviewers disagree on."""
        return {k: d for k, d in self.all().items() if d.conflict}

    # -- the run cache (documents, findings): compressed JSON by content key. Only a speed-up:
    # a store that is closed, locked or read-only answers "not cached" and keeps nothing
    def cache_get(self, key: str) -> bytes | None:
        if self._closed:
            return None
        try:
            with self.reading() as conn:
                row = conn.execute(select(cache.c.data).where(cache.c.key == key)).first()
        except exc.DBAPIError:
            return None
        if row is None:
            return None
        try:
            return zlib.decompress(row[0])
        except zlib.error:
            return None

    def cache_put(self, key: str, data: bytes) -> None:
        with contextlib.suppress(StoreWriteError), self.transaction() as conn:
            conn.execute(delete(cache).where(cache.c.key == key))
            conn.execute(insert(cache).values(key=key, data=zlib.compress(data, 1), used_at=now()))

    def cache_keep(self, keys: Iterable[str]) -> None:
        """Drop every cache entry but ``keys`` (the current run's)."""
        keep = list(keys)
        with contextlib.suppress(StoreWriteError), self.transaction() as conn:
            conn.execute(delete(cache).where(cache.c.key.not_in(keep)))


def _cols() -> list[Any]:
    return [decisions.c[c] for c in _DECISION_COLUMNS]


def _decision_values(d: Decision) -> dict[str, Any]:
    return {
        "key": d.key,
        "decision": d.decision,
        "reason": d.reason,
        "note": d.note,
        "decided_at": d.decided_at,
        "decided_by": d.decided_by,
        "noted_by": d.noted_by,
        "noted_at": d.noted_at,
        "conflict": int(d.conflict),
        "check_id": d.check,
        "source": d.source,
        "project": d.project,
        "kind": d.kind,
        "severity": d.severity,
        "message": d.message,
        "lines": json.dumps(d.lines),
    }


def _row_to_decision(row: Sequence[Any]) -> Decision:
    data = {("check" if c == "check_id" else c): v for c, v in zip(_DECISION_COLUMNS, row)}
    data["lines"] = json.loads(str(data["lines"])) if data["lines"] else []
    return Decision.model_validate(data)
