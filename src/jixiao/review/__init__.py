"""The terminal review session (Textual). ``create_app`` builds it for the CLI and the tests.

app = create_app(["报表.txt"])          # decisions in 报表.txt.jixiao.sqlite
app.run()
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import Document, Finding
from ..store import DecisionStore, default_db_path
from .loader import CHUNK_FORMS, FIRST_FORMS, Checker, Loading

if TYPE_CHECKING:
    from .app import ReviewApp


def create_app(
    files: Sequence[str],
    db: str | Path | None = None,
    engine: str = "rules",
    *,
    documents: Sequence[Document] | None = None,
    findings: Sequence[Finding] | None = None,
    checker: Checker | None = None,
    first_forms: int = FIRST_FORMS,
    chunk_forms: int = CHUNK_FORMS,
) -> ReviewApp:
    """The review app for ``files`` (or ready ``documents``); findings from ``findings``,
    else ``checker``, else ``jixiao.checks.run_checks``; decisions in ``db`` (default: beside
    the first input). The first screen waits for the per-form checks of ``first_forms``
    forms; the others are checked ``chunk_forms`` at a time afterwards (checkers with
    ``stages``, as the default one). Textual is imported here, not at module import.

    A database no decision could be written to (a read-only file, a folder that cannot
    hold it) raises ``InputError`` here, before any screen: one line and exit 2 from the CLI.
    One only locked for now opens; its writes wait and are retried (see ``app``)."""
    from .app import ReviewApp

    if db is None:
        first = files[0] if files else (documents[0].source if documents else "-")
        db = default_db_path(first)
    check_writable(db)
    return ReviewApp(
        Loading(
            files,
            Path(db),
            engine,
            documents=documents,
            findings=findings,
            checker=checker,
            first_forms=first_forms,
            chunk_forms=chunk_forms,
        )
    )


def check_writable(db: str | Path) -> None:
    """Raise ``InputError`` when the review database cannot be created or written."""
    with DecisionStore(db, recover=False) as store:
        store.check_writable()


__all__ = ["check_writable", "create_app"]
