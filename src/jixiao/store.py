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
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .errors import InputError
from .models import Finding
from .textnorm import key as text_key

DecisionValue = Literal["confirmed", "dismissed"]
DECISION_VALUES: tuple[str, ...] = ("confirmed", "dismissed")
DECISION_LABEL: dict[str, str] = {"confirmed": "确认问题", "dismissed": "不是问题"}

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


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
    """The decisions of one review, in one SQLite file (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit mode: transactions are explicit, one per decision
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=10000")
            migrate(self._db)
        except sqlite3.DatabaseError as e:
            raise InputError(f"{path}: 无法打开审核数据库 ({e})") from e
        self._lock = threading.Lock()

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

    def forget(self, keys: Iterable[str]) -> int:
        """Delete decisions (e.g. of findings that no longer exist); answers how many."""
        n = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for k in keys:
                    n += self._db.execute("DELETE FROM decisions WHERE key = ?", (k,)).rowcount
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return n

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

    def _write(self, finding: Finding, key: str | None, *, decision: object, reason: object, note: object) -> Decision:
        k = key or decision_key(finding)
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE key = ?", (k,)).fetchone()
                old = _row_to_decision(row) if row else Decision(key=k)
                new = Decision.model_validate(
                    {
                        "key": k,
                        "decision": old.decision if decision is _UNSET else decision,
                        "reason": old.reason if reason is _UNSET else reason,
                        "note": old.note if note is _UNSET else note,
                        "decided_at": now,
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
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
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
