"""One analysis (check or reconcile) kept as JSON in the data directory, so its page can be
reloaded, decided on and exported after the request that made it.

Run ids are made here (random, URL-safe) and checked against a strict pattern before they
touch the file system: a client never names a path.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from ..models import Document, Finding

log = logging.getLogger("jixiao.web")

_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

Role = Literal["input", "declared", "evaluated"]


class SourceText(BaseModel):
    """The text lines of one input, to show a finding's evidence lines."""

    name: str
    kind: str = "text"
    role: Role = "input"
    lines: list[str] = Field(default_factory=list)


class Run(BaseModel):
    id: str
    created: float
    mode: Literal["check", "reconcile"] = "check"
    engine: str = "rules"
    documents: list[Document] = Field(default_factory=list)
    sources: list[SourceText] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    reconcile: dict[str, Any] | None = None  # the contract's reconcile JSON
    warnings: list[str] = Field(default_factory=list)  # inputs skipped, with the reason
    seconds: float = 0.0  # time spent extracting and checking


def new_run_id() -> str:
    return secrets.token_urlsafe(18)


def valid_run_id(run_id: str) -> bool:
    return bool(_RUN_ID.fullmatch(run_id))


class RunStore:
    """Runs as ``<runs_dir>/<id>.json``; the oldest are removed beyond ``keep``. The last few
    stay in memory too: the page right after an upload need not read back what was just written.

    Safe under concurrent requests (the page's routes run in a thread pool): a lock serialises
    the in-memory list, the rename into place and the pruning; each save writes its own
    temporary file and renames it (a reader never sees half a file); a file pruned between
    being listed and being read (by this process or another ``jixiao serve`` on the same
    folder) is simply not found. The folder is 0700 and every run file 0600: they hold the
    reviewer's material, which no other local user should read.
    """

    RECENT = 8
    STALE_TMP_SECONDS = 3600.0  # a temporary file this old was left by a crash

    def __init__(self, runs_dir: Path, keep: int = 200) -> None:
        self.dir = runs_dir
        self.keep = keep
        self._recent: OrderedDict[str, Run] = OrderedDict()
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Create the folder private, and make private what an older version left readable."""
        private_dir(self.dir)
        for entry in _entries(self.dir):
            if entry.name.endswith((".json", ".tmp")):
                with contextlib.suppress(OSError):
                    os.chmod(entry.path, FILE_MODE)

    def _path(self, run_id: str) -> Path | None:
        if not valid_run_id(run_id):
            return None
        path = self.dir / f"{run_id}.json"
        # belt and braces: the pattern already forbids separators and dots
        return path if path.resolve().parent == self.dir.resolve() else None

    def save(self, run: Run) -> None:
        path = self._path(run.id)
        if path is None:
            raise ValueError(f"invalid run id {run.id!r}")
        if not self.dir.is_dir():  # removed while the server runs
            private_dir(self.dir)
        body = run.model_dump_json().encode("utf-8")
        # a name of its own (not <id>.tmp): two saves never write into one temporary file
        tmp = self.dir / f".{run.id}.{secrets.token_hex(6)}.tmp"
        try:
            write_private(tmp, body)
            with self._lock:
                os.replace(tmp, path)  # readers never see half a file
                self._recent[run.id] = run
                while len(self._recent) > self.RECENT:
                    self._recent.popitem(last=False)
                self._prune()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def load(self, run_id: str) -> Run | None:
        path = self._path(run_id)
        if path is None:
            return None
        with self._lock:
            if not path.is_file():  # pruned: gone for good, even if still in memory
                self._recent.pop(run_id, None)
                return None
            recent = self._recent.get(run_id)
        if recent is not None:
            return recent
        # read outside the lock (a run can be megabytes): the file is replaced atomically,
        # and one pruned meanwhile is not found
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return Run.model_validate_json(body)
        except ValidationError:
            log.warning("run file %s is unreadable; treated as not found", path.name)
            return None

    def _prune(self) -> None:
        """Remove the oldest runs beyond ``keep`` (with the lock held). A file that vanishes
        while being listed (another process pruned it) is skipped."""
        runs: list[tuple[float, str]] = []
        stale = now() - self.STALE_TMP_SECONDS
        for entry in _entries(self.dir):
            try:
                mtime = Path(entry.path).stat().st_mtime
            except FileNotFoundError:
                continue
            if entry.name.endswith(".json"):
                runs.append((mtime, entry.path))
            elif entry.name.endswith(".tmp") and mtime < stale:
                Path(entry.path).unlink(missing_ok=True)
        runs.sort()
        for _, old in runs[: max(0, len(runs) - self.keep)]:
            Path(old).unlink(missing_ok=True)
            self._recent.pop(Path(old).stem, None)


FILE_MODE = 0o600
DIR_MODE = 0o700


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return [e for e in it if not e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def private_dir(path: Path) -> None:
    """``path`` as a folder only its owner can open (0700), created if missing."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask; an existing one is tightened


def write_private(path: Path, body: bytes) -> None:
    """Write a new file that only its owner can read (0600, whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)


def now() -> float:
    return time.time()
