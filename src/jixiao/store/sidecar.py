"""Changes that could not be written to the database, kept in a small JSON file beside it
(``<db>.unsaved.json``) until the next store on that database writes them."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ..errors import InputError
from .records import PendingChange


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


def write_unsaved(db_path: str | Path, changes: Sequence[PendingChange], database: str | None = None) -> Path:
    path = unsaved_path(db_path)
    if not changes:
        path.unlink(missing_ok=True)
        return path
    body = {
        "说明": "jixiao 审核结论：写入审核数据库失败时暂存于此；下次打开同一数据库时自动写入，写入后本文件删除",
        "database": database or str(db_path),
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
