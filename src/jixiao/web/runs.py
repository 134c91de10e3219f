"""One analysis (check or reconcile) kept as JSON in the data directory, so its page can be
reloaded, decided on and exported after the request that made it.

Run ids are made here (random, URL-safe) and checked against a strict pattern before they
touch the file system: a client never names a path.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..models import Document, Finding

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
    stay in memory too: the page right after an upload need not read back what was just written."""

    RECENT = 8

    def __init__(self, runs_dir: Path, keep: int = 200) -> None:
        self.dir = runs_dir
        self.keep = keep
        self._recent: OrderedDict[str, Run] = OrderedDict()

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
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(run.model_dump_json(), encoding="utf-8")
        os.replace(tmp, path)  # readers never see half a file
        self._recent[run.id] = run
        while len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)
        self._prune()

    def load(self, run_id: str) -> Run | None:
        path = self._path(run_id)
        if path is None or not path.is_file():
            return None
        if run_id in self._recent:
            return self._recent[run_id]
        return Run.model_validate_json(path.read_text(encoding="utf-8"))

    def _prune(self) -> None:
        runs = sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in runs[: max(0, len(runs) - self.keep)]:
            old.unlink(missing_ok=True)


def now() -> float:
    return time.time()
