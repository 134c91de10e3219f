"""Exports: every finding with its check, project, kind, severity, message, lines and the
reviewer's decision and note, as .xlsx, .html, .pdf, .md or .json.

    write_report(docs, findings, store.all(), Path("审核结果.xlsx"))
    data = render_report(docs, findings, decisions, "html")   # bytes, for a download

openpyxl is imported only for .xlsx and WeasyPrint only for .pdf, so the other formats work
without those extras. The PDF is the HTML page, printed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..errors import InputError
from ..models import Document, Finding
from ..store import Decision
from .columns import findings_table, indicators_table, projects_table
from .data import ReportData, build
from .stamps import local_time

FORMATS: dict[str, str] = {
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".md": "md",
    ".json": "json",
}
MEDIA_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}


def format_for(path: str | Path) -> str:
    """The format a file name asks for; an unknown suffix is a usage error."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: 不支持的导出格式，请使用 .xlsx、.html、.pdf、.md 或 .json")
    return fmt


def render_data(data: ReportData, fmt: str, generated_at: str | None = None) -> bytes:
    """``generated_at``: an ISO time (now when None); JSON keeps it ISO, the pages show it local."""
    stamp = generated_at or datetime.now().astimezone().isoformat(timespec="seconds")
    if fmt == "json":
        from .jsonfmt import render_json

        return render_json(data, stamp)
    shown = local_time(stamp)
    tables = [findings_table(data), projects_table(data), indicators_table(data)]
    if fmt == "xlsx":
        try:
            from .xlsx import render_xlsx
        except ImportError as e:
            raise InputError(f"导出 .xlsx 需要安装 openpyxl：pip install 'jixiao[review]'（缺少 {e.name}）") from e

        return render_xlsx(tables)
    if fmt in ("html", "pdf"):
        from .html import render_html

        page = render_html(data, tables, shown)
        if fmt == "html":
            return page
        from .pdf import render_pdf

        return render_pdf(page)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(data, tables, shown)
    raise InputError(f"不支持的导出格式 {fmt!r}，可选：xlsx、html、pdf、md、json")


def render_report(
    docs: Sequence[Document], findings: Sequence[Finding], decisions: dict[str, Decision], fmt: str
) -> bytes:
    """The report as bytes (``fmt``: xlsx, html, pdf, md or json)."""
    return render_data(build(docs, findings, decisions), fmt.lower().lstrip("."))


def write_report(
    docs: Sequence[Document], findings: Sequence[Finding], decisions: dict[str, Decision], out: Path
) -> None:
    """Write the report to ``out`` (format by suffix), atomically: a reader never sees half a file.

    The file gets the mode any new file of the user gets (0666 less the umask, as ``>`` in a
    shell would), not the 0600 of a temporary file: an export is made to be shared."""
    out = Path(out)
    write_atomic(out, render_report(docs, findings, decisions, format_for(out)))


def write_atomic(out: Path, body: bytes) -> None:
    """``body`` to ``out`` through a temporary file beside it, with the user's default mode."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(out)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_beside(out: Path) -> tuple[int, Path]:
    """A new temporary file next to ``out``, created with mode 0666 so that the kernel applies
    the umask (``tempfile.mkstemp`` would make it 0600, and ``os.replace`` keeps that)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{out.parent}: no free temporary file name")


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "ReportData",
    "build",
    "format_for",
    "render_data",
    "render_report",
    "write_atomic",
    "write_report",
]
