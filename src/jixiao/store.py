"""Review decisions in SQLite: one row per finding, written the moment the reviewer decides.

Durability first: WAL journal, ``synchronous=FULL`` and one ``BEGIN IMMEDIATE`` transaction
per decision, so a session killed mid-way (SIGKILL, a closed terminal) loses nothing that was
decided. Every change is also appended to ``events``, so a reviewer can see who changed what
(and a mistaken overwrite can be undone by hand).

Decisions are keyed by ``decision_key``: what the finding is about (check, file name,
project, form kind, and the message with its numbers masked), not where it sits. Editing the
document moves line numbers and changes figures, and the decision must follow the finding as
long as it still exists. Schema changes go through ``MIGRATIONS``, an append-only list.

The store is shared by the terminal session (worker threads) and the web page (a thread
pool), so one connection is guarded by a lock.

A database another program holds locked (a second reviewer, a backup) is waited for
``JIXIAO_DB_BUSY_MS`` milliseconds (default 10 000), then a write fails with
``StoreWriteError`` (``busy``). A caller that cannot write a change keeps it and, if it must
give up, hands it to ``keep_unsaved``: a small JSON file beside the database
(``<db>.unsaved.json``) whose changes the next ``DecisionStore`` on that database writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError, InputError, JixiaoError
from .models import Finding
from .textnorm import key as text_key
from .zh import DECISION_LABEL

DecisionValue = Literal["confirmed", "dismissed"]
DECISION_VALUES: tuple[str, ...] = ("confirmed", "dismissed")

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

BUSY_ENV = "JIXIAO_DB_BUSY_MS"
DEFAULT_BUSY_MS = 10_000
# on opening, the changes of an earlier session's sidecar are written with at most this wait
RECOVER_BUSY_MS = 2_000
BUSY_MESSAGE = "审核数据库被占用（可能另一位审核人或备份程序正在写入）"


class StoreWriteError(JixiaoError):
    """A change could not be written: the database is locked (``busy``) or cannot be written."""

    def __init__(self, message: str, *, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


def busy_ms() -> int:
    """How long a write waits for a database another program holds locked (``JIXIAO_DB_BUSY_MS``)."""
    raw = os.environ.get(BUSY_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_MS
    try:
        ms = int(raw)
    except ValueError:
        ms = -1
    if ms < 0:
        raise ConfigError(f"{BUSY_ENV}={raw!r}: 应为毫秒数（不小于 0 的整数），例如 {DEFAULT_BUSY_MS}")
    return ms


def _is_busy(e: sqlite3.Error) -> bool:
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(e) or "busy" in str(e)


def _is_readonly(e: sqlite3.Error) -> bool:
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_READONLY
    return "readonly" in str(e)


class Decision(BaseModel):
    """What the reviewer said about one finding (``decision`` None: not decided, maybe a note)."""

    model_config = ConfigDict(extra="forbid")

    key: str
    decision: DecisionValue | None = None
    reason: str | None = None
    note: str | None = None
    decided_at: str | None = None
    # what the finding looked like when decided: lets an export show decisions whose finding
    # has since disappeared, and a reader of the database make sense of a row on its own
    check: str | None = None
    source: str | None = None
    project: str | None = None
    kind: str | None = None
    severity: str | None = None
    message: str | None = None
    lines: list[int] = []

    @property
    def label(self) -> str:
        return DECISION_LABEL.get(self.decision or "", "")


# --------------------------------------------------------------------------- keys


def _fingerprint(text: str) -> str:
    """Message text with whitespace, markup and every number folded away."""
    return _NUMBER.sub("#", text_key(text))


def decision_key(finding: Finding) -> str:
    """A stable identity of a finding across runs and edits of the document.

    Line numbers and figures are left out on purpose (they move when the document is edited);
    the file's name (not its directory), the project, the kind and the wording stay. Two
    findings of one run that still collide are told apart by ``decision_keys``.
    """
    source = PurePath(finding.source).name if finding.source else ""
    related = ",".join(sorted(_fingerprint(r) for r in finding.related))
    digest = hashlib.sha1(f"{_fingerprint(finding.message)}\x1f{related}".encode()).hexdigest()[:12]
    return "|".join([finding.check, source, finding.project or "", finding.kind or "", digest])


def decision_keys(findings: Sequence[Finding]) -> list[str]:
    """Keys for a whole run: ``decision_key``, with ``#2``, ``#3``… for findings that collide
    (same check and wording, only numbers differ), numbered in source-line order."""
    base = [decision_key(f) for f in findings]
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(base):
        groups.setdefault(k, []).append(i)
    out = list(base)
    for k, idx in groups.items():
        if len(idx) < 2:
            continue
        for n, i in enumerate(sorted(idx, key=lambda i: (findings[i].lines or [0], i)), start=1):
            out[i] = k if n == 1 else f"{k}#{n}"
    return out


def default_db_path(first_input: str) -> Path:
    """``<first input>.jixiao.sqlite`` beside the input; pasted text goes to the current folder."""
    if first_input in ("-", ""):
        return Path("stdin.jixiao.sqlite")
    return Path(f"{first_input}.jixiao.sqlite")


# --------------------------------------------------------------------------- changes not yet written


class PendingChange(BaseModel):
    """One change a reviewer made that is not in the database yet: a decision (with its
    reason) or a note. What a session keeps while the database is locked, and what the
    sidecar file holds when it had to stop before it could write them."""

    model_config = ConfigDict(extra="ignore")

    key: str
    what: Literal["decision", "note"]
    decision: DecisionValue | None = None
    text: str | None = None  # the reason of a decision, or the note
    finding: Finding
    made_at: str = ""
    session: str = ""  # which session made it (sessions sharing a database share the sidecar)
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])

    @classmethod
    def of_decision(
        cls, finding: Finding, key: str, decision: DecisionValue | None, reason: str | None = None
    ) -> PendingChange:
        return cls(key=key, what="decision", decision=decision, text=reason, finding=finding, made_at=_now())

    @classmethod
    def of_note(cls, finding: Finding, key: str, note: str | None) -> PendingChange:
        return cls(key=key, what="note", text=note, finding=finding, made_at=_now())

    def applied_to(self, old: Decision | None) -> Decision:
        """The decision as it will be once this change is written (for the screen)."""
        base = old or Decision(key=self.key)
        if self.what == "note":
            return base.model_copy(update={"note": _blank(self.text)})
        return base.model_copy(update={"decision": self.decision, "reason": _blank(self.text)})


def unsaved_path(db_path: str | Path) -> Path:
    """The sidecar beside a database: changes that could not be written to it."""
    return Path(f"{db_path}.unsaved.json")


def read_unsaved(db_path: str | Path) -> list[PendingChange]:
    """The changes in the sidecar of a database, in the order they were made ([] when none).
    An unreadable sidecar raises ``InputError`` (it is never overwritten, see ``keep_unsaved``)."""
    path = unsaved_path(db_path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise InputError(f"{path}: 无法读取未保存的审核结论 ({e.strerror or e})") from e
    try:
        data = json.loads(raw)
        return [PendingChange.model_validate(c) for c in data.get("changes", [])]
    except (ValueError, AttributeError, ValidationError) as e:
        raise InputError(f"{path}: 未保存的审核结论文件已损坏，请人工查看 ({type(e).__name__})") from e


def _write_unsaved(db_path: str | Path, changes: Sequence[PendingChange]) -> Path:
    path = unsaved_path(db_path)
    if not changes:
        path.unlink(missing_ok=True)
        return path
    body = {
        "说明": "jixiao 审核结论：写入审核数据库失败时暂存于此；下次打开同一数据库时自动写入，写入后本文件删除",
        "database": str(db_path),
        "changes": [c.model_dump(mode="json") for c in changes],
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- schema


def _m001_decisions(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE decisions (
            key TEXT PRIMARY KEY,
            decision TEXT CHECK (decision IN ('confirmed', 'dismissed')),
            reason TEXT,
            note TEXT,
            decided_at TEXT,
            check_id TEXT,
            source TEXT,
            project TEXT,
            kind TEXT,
            severity TEXT,
            message TEXT,
            lines TEXT
        )
        """
    )


def _m002_events(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            decision TEXT,
            reason TEXT,
            note TEXT,
            at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX events_key ON events (key)")


def _m003_cache(db: sqlite3.Connection) -> None:
    # extracted documents and findings of the last run, so re-opening a large review is quick;
    # never a source of truth: a wrong or missing entry only costs a re-extraction
    db.execute("CREATE TABLE cache (key TEXT PRIMARY KEY, data BLOB NOT NULL, used_at TEXT NOT NULL)")


# Append only: never edit or reorder an applied migration, add a new function instead.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_decisions, _m002_events, _m003_cache]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database has not seen; answers their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied: list[str] = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (fn.__name__, _now()))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        applied.append(fn.__name__)
    return applied


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- store

_UNSET = object()
_COLUMNS = "key, decision, reason, note, decided_at, check_id, source, project, kind, severity, message, lines"
# the Decision field of each column (``check`` is a SQL keyword-ish name, stored as check_id)
_FIELDS = tuple("check" if c == "check_id" else c for c in _COLUMNS.split(", "))


class DecisionStore:
    """The decisions of one review, in one SQLite file (created on first use).

    Opening it writes what an earlier session left in the sidecar (``keep_unsaved``); what
    still cannot be written is in ``unsaved``, for the caller to keep trying (``recover``
    False: leave the sidecar alone)."""

    def __init__(self, path: str | Path, *, recover: bool = True) -> None:
        self.path = Path(path)
        self.busy_ms = busy_ms()
        self.session = uuid.uuid4().hex[:12]
        self.unsaved: list[PendingChange] = []  # sidecar changes still not written
        self.recovered = 0  # sidecar changes written on opening
        self.warnings: list[str] = []
        self._adopted: set[str] = set()  # ids of the sidecar changes this store took over
        self._memory = str(path) == ":memory:"
        try:
            if not self._memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(
                f"{path}: 无法创建审核数据库：{self.path.parent} 不是可写的文件夹 ({e.strerror or e})；"
                "请用 --db 指定可写的位置"
            ) from e
        try:
            # autocommit mode: transactions are explicit, one per decision
            self._db = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=self.busy_ms / 1000
            )
        except sqlite3.DatabaseError as e:
            raise InputError(f"{path}: 无法打开审核数据库 ({e})；请检查文件及所在文件夹的权限") from e
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={self.busy_ms}")
            migrate(self._db)
        except sqlite3.DatabaseError as e:
            self._db.close()
            if _is_busy(e):
                raise InputError(f"{path}: {BUSY_MESSAGE}，无法打开，请稍后再试 ({e})") from e
            if _is_readonly(e):
                raise InputError(
                    f"{path}: 审核数据库只读，无法保存审核结论；请检查文件权限，或用 --db 指定可写的位置"
                ) from e
            raise InputError(f"{path}: 无法打开审核数据库 ({e})") from e
        self._lock = threading.Lock()
        if recover and not self._memory:
            try:
                self._recover()
            except BaseException:
                self._db.close()
                raise

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
        with self._lock:
            self._db.execute(f"PRAGMA busy_timeout={wait}")
        try:
            while changes:
                try:
                    self.apply(changes[0])
                except StoreWriteError:
                    break
                changes.pop(0)
                self.recovered += 1
        finally:
            with self._lock:
                self._db.execute(f"PRAGMA busy_timeout={self.busy_ms}")
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
        _write_unsaved(self.path, [*others, *mine])
        return path

    def check_writable(self) -> None:
        """Raise ``InputError`` when no decision could ever be written here (a read-only file
        or folder); a database only locked for now passes."""
        with self._lock:
            self._db.execute("PRAGMA busy_timeout=0")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR REPLACE INTO _migrations (name, applied_at) VALUES ('_write_probe', ?)", (_now(),)
                )
            except sqlite3.DatabaseError as e:
                if not _is_busy(e):
                    raise InputError(
                        f"{self.path}: 审核数据库只读，无法保存审核结论 ({e})；请检查文件及所在文件夹的权限，"
                        "或用 --db 指定可写的位置"
                    ) from e
            finally:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._db.execute(f"PRAGMA busy_timeout={self.busy_ms}")

    # -- context management
    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading
    def get(self, finding: Finding, *, key: str | None = None) -> Decision | None:
        k = key or decision_key(finding)
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE key = ?", (k,)).fetchone()
        return _row_to_decision(row) if row else None

    def all(self) -> dict[str, Decision]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM decisions ORDER BY rowid").fetchall()
        return {r[0]: _row_to_decision(r) for r in rows}

    def history(self, finding: Finding | None = None, *, key: str | None = None) -> list[dict[str, str | None]]:
        """Every change, oldest first (of one finding, or of all)."""
        k = key or (decision_key(finding) if finding is not None else None)
        sql = "SELECT key, decision, reason, note, at FROM events"
        args: tuple[str, ...] = ()
        if k is not None:
            sql += " WHERE key = ?"
            args = (k,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [dict(zip(("key", "decision", "reason", "note", "at"), r)) for r in rows]

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
        return self._write(
            finding, key, decision=decision, reason=_blank(reason), note=_UNSET if note is None else note
        )

    def set_note(self, finding: Finding, note: str | None, *, key: str | None = None) -> Decision:
        """Write (or with '' / None, clear) the note of a finding, keeping its decision."""
        return self._write(finding, key, decision=_UNSET, reason=_UNSET, note=_blank(note))

    def apply(self, change: PendingChange) -> Decision:
        """Write a change kept while the database could not be written; a decision stored
        after the change was made (by another session meanwhile) is newer and stays."""
        after = change.made_at or None
        if change.what == "note":
            return self._write(
                change.finding, change.key, decision=_UNSET, reason=_UNSET, note=_blank(change.text), after=after
            )
        if change.decision is not None and change.decision not in DECISION_VALUES:
            raise ValueError(f"decision must be one of {DECISION_VALUES} or None, not {change.decision!r}")
        return self._write(
            change.finding, change.key, decision=change.decision, reason=_blank(change.text), note=_UNSET, after=after
        )

    def forget(self, keys: Iterable[str]) -> int:
        """Delete decisions (e.g. of findings that no longer exist); answers how many."""
        n = 0
        with self._lock, self._transaction():
            for k in keys:
                n += self._db.execute("DELETE FROM decisions WHERE key = ?", (k,)).rowcount
        return n

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` … ``COMMIT``; a database error (locked, read-only, full)
        becomes ``StoreWriteError`` and nothing of the transaction is written."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            finally:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
        except sqlite3.ProgrammingError:  # closed, or a bug of ours
            raise
        except sqlite3.DatabaseError as e:
            if _is_busy(e):
                raise StoreWriteError(
                    f"{self.path}: {BUSY_MESSAGE}，等待 {self.busy_ms / 1000:g} 秒后仍未能写入", busy=True
                ) from e
            raise StoreWriteError(f"{self.path}: 无法写入审核数据库 ({e})") from e

    # -- the run cache (documents, findings): compressed JSON by content key
    def cache_get(self, key: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return zlib.decompress(row[0])
        except zlib.error:
            return None

    def cache_put(self, key: str, data: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO cache (key, data, used_at) VALUES (?, ?, ?)",
                (key, zlib.compress(data, 1), _now()),
            )

    def cache_keep(self, keys: Iterable[str]) -> None:
        """Drop every cache entry but ``keys`` (the current run's)."""
        keep = list(keys)
        with self._lock:
            marks = ",".join("?" * len(keep))
            self._db.execute(f"DELETE FROM cache WHERE key NOT IN ({marks})", keep)

    def _write(
        self,
        finding: Finding,
        key: str | None,
        *,
        decision: object,
        reason: object,
        note: object,
        after: str | None = None,
    ) -> Decision:
        k = key or decision_key(finding)
        now = _now()
        with self._lock, self._transaction():
            row = self._db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE key = ?", (k,)).fetchone()
            old = _row_to_decision(row) if row else Decision(key=k)
            if after is not None and old.decided_at is not None and old.decided_at > after:
                return old  # decided again since (another session): the newer word stays
            new = Decision.model_validate(
                {
                    "key": k,
                    "decision": old.decision if decision is _UNSET else decision,
                    "reason": old.reason if reason is _UNSET else reason,
                    "note": old.note if note is _UNSET else note,
                    "decided_at": after or now,  # a kept change: when the reviewer made it
                    "check": finding.check,
                    "source": finding.source,
                    "project": finding.project,
                    "kind": finding.kind,
                    "severity": finding.severity,
                    "message": finding.message,
                    "lines": list(finding.lines),
                }
            )
            self._db.execute(
                f"INSERT OR REPLACE INTO decisions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.key,
                    new.decision,
                    new.reason,
                    new.note,
                    new.decided_at,
                    new.check,
                    new.source,
                    new.project,
                    new.kind,
                    new.severity,
                    new.message,
                    json.dumps(new.lines),
                ),
            )
            self._db.execute(
                "INSERT INTO events (key, decision, reason, note, at) VALUES (?, ?, ?, ?, ?)",
                (k, new.decision, new.reason, new.note, now),
            )
        return new


def _blank(s: str | None) -> str | None:
    s = (s or "").strip()
    return s or None


def _row_to_decision(row: tuple[object, ...]) -> Decision:
    data = dict(zip(_FIELDS, row))
    data["lines"] = json.loads(str(data["lines"])) if data["lines"] else []
    return Decision.model_validate(data)


def decisions_for(findings: Sequence[Finding], decisions: dict[str, Decision]) -> list[Decision | None]:
    """The decision of each finding of a run (aligned with ``findings``), None when none."""
    return [decisions.get(k) for k in decision_keys(findings)]
