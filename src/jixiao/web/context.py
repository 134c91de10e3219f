"""What every route needs (settings, run files, decision store, templates), on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ..store import DecisionStore
from .runs import Run, RunStore
from .settings import WebSettings


@dataclass
class WebContext:
    settings: WebSettings
    runs: RunStore
    store: DecisionStore
    templates: Jinja2Templates


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def page(request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
    """A rendered template; every page also knows the limits (the intake forms show them)."""
    ctx = context(request)
    return ctx.templates.TemplateResponse(request, name, {"limits": ctx.settings.limits, **values}, status_code=status)


def load_run(request: Request, run_id: str) -> Run:
    run = context(request).runs.load(run_id)
    if run is None:
        raise HTTPException(404, "找不到这次审核结果（链接有误，或已被清理），请重新上传 (run not found)")
    return run
