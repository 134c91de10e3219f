"""The app factory, used by ``jixiao serve`` and by the tests alike."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.formparsers import MultiPartParser

from .. import __version__
from ..engines import ENGINES
from ..errors import InputError
from ..render import fmt_money, fmt_num, fmt_value
from ..store import DecisionStore
from ..zh import (
    CHECK_LABEL,
    DECISION_LABEL,
    KIND_LABEL,
    KIND_TAG,
    SEVERITY_LABEL,
    STATUS_LABEL,
    UNDECIDED_LABEL,
    reason_text,
)
from . import api, auth, errors, pages
from .context import WebContext
from .guard import GuardMiddleware
from .runs import RunStore, private_dir
from .settings import WebSettings
from .views import ROLE_LABEL, flag_attrs, flag_refs, value_td

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """\
jixiao（绩效）本地网页与 JSON 接口。

`POST /api/extract`、`POST /api/check`：multipart 表单，`file`（一个或多个上传文件）或 `text`（粘贴文字），
可选 `engine`（rules / llm / hybrid），返回与命令行 `--format json` 相同的 JSON。
`POST /api/reconcile`：`declared`（申报表）与 `evaluated`（自评表），各为一个文件或一段文字。
输入有误时返回 4xx 与 `{"error": "..."}`。
"""


def fmt_size(n: int) -> str:
    return f"{n / 1048576:.0f} MB" if n >= 1048576 else f"{n // 1024} KB"


def make_templates() -> Jinja2Templates:
    # Autoescape on for every template: report text is untrusted input, never marked safe.
    env = Environment(
        loader=PackageLoader("jixiao.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=fmt_money, num=fmt_num, value=fmt_value, size=fmt_size, attrs=flag_attrs, refs=flag_refs, reasons=reason_text
    )
    env.globals.update(
        version=__version__,
        engines=ENGINES,
        check_label=CHECK_LABEL,
        kind_label=KIND_LABEL,
        severity_label=SEVERITY_LABEL,
        decision_label=DECISION_LABEL,
        undecided_label=UNDECIDED_LABEL,
        kind_tag=KIND_TAG,
        status_label=STATUS_LABEL,
        role_label=ROLE_LABEL,
        value_td=value_td,
    )
    return Jinja2Templates(env=env)


def warm_up(app: FastAPI) -> None:
    """Compile every template and run the whole pipeline once on generated forms, so that the
    first upload after ``jixiao serve`` starts is as fast as the next ones (the first run
    fills regex and parser caches: ~0.3 s). Called by the command, not by tests."""
    from ..evaluation.generate import generate_forms, render_text
    from ..intake import from_text
    from ..report.data import build
    from .pipeline import check_run
    from .views import build_page

    env = app.state.ctx.templates.env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    text, _ = render_text(generate_forms(2, seed=1))
    run = check_run([from_text(text, "warm-up.txt")], "rules")
    build_page(run, build(run.documents, run.findings, {}))


def _prepare_data_dir(settings: WebSettings) -> None:
    """The data directory and what the server keeps in it, private to the user running it:
    folders 0700, files 0600 (the runs hold the reviewer's material, the database their
    decisions). A folder the user named that already exists keeps its mode (it may be a shared
    one); the default folder, and the runs folder and database inside, are the server's own."""
    data = settings.data_dir
    try:
        if not data.exists() or data == WebSettings().data_dir:
            private_dir(data)
        RunStore(settings.runs_dir).prepare()
        if settings.db_path is None:  # the database of the data directory, not a --db file
            db = settings.decisions_path
            os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))  # SQLite accepts an empty file
            for path in (db, *db.parent.glob(db.name + "-*")):  # its -wal and -shm files
                with contextlib.suppress(OSError):
                    os.chmod(path, 0o600)
    except OSError as e:
        raise InputError(f"{settings.data_dir}: 无法创建数据目录 ({e.strerror})") from e


def create_app(settings: WebSettings | None = None, *, accounts: bool | None = None) -> FastAPI:
    settings = settings or WebSettings()
    _prepare_data_dir(settings)
    limits = settings.limits
    # Uploads stay in memory (bounded by max_request_bytes) instead of spooling to the system
    # temp directory: nothing of the reviewer's material is written outside the data directory.
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, limits.max_request_bytes)
    templates = make_templates()
    store = DecisionStore(settings.decisions_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="jixiao",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a public CDN, and the page
        # must work with no internet: they are off. The schema stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
        # a pasted text is a form field: allow max_text_chars of CJK characters even when
        # url-encoded (9 bytes each); the character limit itself is checked afterwards
        form_limits={"max_part_size": limits.max_text_chars * 9},
    )
    app.state.ctx = WebContext(
        settings=settings, runs=RunStore(settings.runs_dir, limits.keep_runs), store=store, templates=templates
    )

    def error_page(request: Request, status: int, message: str) -> Response:
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message, "limits": limits}, status_code=status
        )

    def refuse(request: Request, status: int, message: str) -> Response:
        if errors.wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return error_page(request, status, message)

    errors.install(app, error_page)
    # accounts (web/auth.py): login, CSRF, batches per reviewer; on for a team store or --accounts
    team = auth.is_team_store(store) if accounts is None else accounts
    auth.install(app, store, enabled=team, max_body=limits.max_request_bytes, templates_env=templates.env)
    # the body limit is the guard's (FastAPI's own answers in plain English text)
    app.add_middleware(
        GuardMiddleware, refuse=refuse, max_body=limits.max_request_bytes, allowed_hosts=settings.allowed_hosts
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
