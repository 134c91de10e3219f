"""A response cache in SQLite, so a re-run of the same forms costs nothing.

Key: model + prompt version + mode + form kind + the exact text sent. Value: the validated
answer (``FormOut`` as JSON) and the tokens it cost. Nothing else is stored: no API key, no
base URL, no headers. Schema changes are an append-only list of migrations.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

from .schema import FormOut

_MIGRATIONS = [
    """CREATE TABLE responses (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        mode TEXT NOT NULL,
        created REAL NOT NULL,
        answer TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0
    )""",
]


def cache_key(model: str, prompt_version: str, mode: str, kind: str | None, text: str) -> str:
    payload = json.dumps([model, prompt_version, mode, kind or "", text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self._migrate()

    def _migrate(self) -> None:
        (done,) = self.db.execute("PRAGMA user_version").fetchone()
        for n, sql in enumerate(_MIGRATIONS[done:], start=done + 1):
            with self.db:
                self.db.execute(sql)
                self.db.execute(f"PRAGMA user_version = {n}")

    def get(self, key: str) -> tuple[FormOut, int, int] | None:
        row = self.db.execute(
            "SELECT answer, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        try:
            # no validation context: the answer was validated against this text when stored
            return FormOut.model_validate_json(row[0]), int(row[1]), int(row[2])
        except ValueError:  # an answer from an older schema: treat as a miss
            return None

    def put(
        self,
        key: str,
        *,
        model: str,
        prompt_version: str,
        mode: str,
        answer: FormOut,
        prompt_tokens: int,
        completion_tokens: int,
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    prompt_version,
                    mode,
                    time.time(),
                    answer.model_dump_json(),
                    prompt_tokens,
                    completion_tokens,
                ),
            )

    def close(self) -> None:
        self.db.close()
