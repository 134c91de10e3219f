"""The session's loader: the run cache in the review database, and what it must never do
(serve a stale or broken entry)."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from jixiao.review.loader import load, reconcile_pairs
from test_review_support import SEEDS


def _copy_seeds(tmp_path: Path) -> list[str]:
    out = []
    for p in SEEDS:
        dst = tmp_path / p.name
        shutil.copy(p, dst)
        out.append(str(dst))
    return out


def _cache_rows(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(k for (k,) in conn.execute("SELECT key FROM cache"))


def test_reopen_uses_cache_and_sees_edits(tmp_path: Path) -> None:
    pytest.importorskip("jixiao.checks")
    files = _copy_seeds(tmp_path)
    db = tmp_path / "r.sqlite"
    first = load(files, db)
    first.store.close()
    keys = _cache_rows(db)
    # per document a head and its parts (one part for a few forms), one entry for the findings
    assert len(keys) == 2 * len(files) + 1
    again = load(files, db)
    again.store.close()
    assert again.docs == first.docs and again.findings == first.findings
    assert _cache_rows(db) == keys
    # an edit of one file: that document is read again, the findings recomputed, old entries dropped
    path = Path(files[0])
    path.write_text(path.read_text(encoding="utf-8").replace("法律咨询与服务", "法律顾问服务"), encoding="utf-8")
    edited = load(files, db)
    edited.store.close()
    assert edited.docs[0].forms[0].project_name == "法律顾问服务"
    assert edited.docs[1] == first.docs[1]
    assert not any(f.project == "法律咨询与服务" for f in edited.findings)
    assert len(_cache_rows(db)) == 2 * len(files) + 1 and _cache_rows(db) != keys


def test_broken_cache_entry_is_ignored(tmp_path: Path) -> None:
    files = _copy_seeds(tmp_path)
    db = tmp_path / "r.sqlite"
    good = load(files, db, findings=[])
    good.store.close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cache SET data = ?", (zlib.compress(b'{"forms": "not a list"}'),))
    again = load(files, db, findings=[])
    again.store.close()
    assert again.docs == good.docs


def test_no_reconciliation_with_one_kind(tmp_path: Path) -> None:
    files = _copy_seeds(tmp_path)
    loaded = load(files[:1], tmp_path / "r.sqlite", findings=[])
    loaded.store.close()
    assert reconcile_pairs(loaded.docs, []) == []


def test_side_panel_reuses_the_checks_reconciliation() -> None:
    """The pairs built from the checks' own reconciliation run equal a fresh run's."""
    from jixiao.api import extract_path
    from jixiao.checks.runner import check_stages

    pairs_dir = Path(__file__).resolve().parent.parent / "fixtures" / "pairs"
    docs = [extract_path(str(p)) for p in sorted(pairs_dir.glob("01_*.txt"))]
    last = list(check_stages(docs))[-1]
    assert last.reconciled and last.reconciliation is not None
    fresh = reconcile_pairs(docs, [])
    reused = reconcile_pairs(docs, [], last.reconciliation)
    assert fresh and [(p.declared, p.evaluated, p.score, p.indicators) for p in reused] == [
        (p.declared, p.evaluated, p.score, p.indicators) for p in fresh
    ]
