"""The browser pages: intake, reconcile intake, results, decisions, downloads.

Post/redirect/get: an upload is analysed once, saved as a run, and the browser is sent to the
run's own address, which can be reloaded, bookmarked, decided on and exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..engines import ENGINES
from ..errors import JixiaoError
from ..report import MEDIA_TYPES, render_report
from ..report.data import FindingRow, ReportData, build
from ..zh import DECISION_LABEL, UNDECIDED_LABEL
from .context import WebContext, context, load_run, page
from .errors import http_message, status_for, wants_json
from .paging import page_of_finding, paging
from .pipeline import check_run, reconcile_run
from .runs import Run
from .uploads import read_uploads, to_sources
from .views import build_page

router = APIRouter(include_in_schema=False)

# an empty file input arrives as an empty string: accepted, and skipped by read_uploads
Uploads = Annotated[list[UploadFile | str] | None, File()]
OptText = Annotated[str | None, Form()]
Engine = Annotated[str, Form()]


@router.get("/")
def intake(request: Request) -> Response:
    return page(request, "intake.html", {"text": "", "engine": "rules", "error": None})


@dataclass(frozen=True)
class Refusal:
    """Why an intake form came back: the status, the message, whether files were sent."""

    status: int
    message: str
    files: bool


def refusal(error: Exception, files: bool) -> Refusal:
    if isinstance(error, JixiaoError):
        return Refusal(status_for(error), str(error), files)
    assert isinstance(error, HTTPException)
    return Refusal(error.status_code, http_message(error.status_code, error.detail), files)


def _sent(*uploads: Uploads) -> bool:
    return any(isinstance(u, UploadFile) and u.filename for group in uploads for u in group or [])


@router.post("/analyse")
def analyse(request: Request, file: Uploads = None, text: OptText = None, engine: Engine = "rules") -> Response:
    """Check what was sent; a refusal comes back as the intake form with the reason and the
    pasted text still in it (the JSON asker gets ``{"error": ...}`` as everywhere)."""
    ctx = context(request)
    limits = ctx.settings.limits
    try:
        run = check_run(to_sources(read_uploads(file, limits), text, limits), engine)
    except (JixiaoError, HTTPException) as e:
        if wants_json(request):
            raise
        why = refusal(e, _sent(file))
        values = {"text": text or "", "engine": engine if engine in ENGINES else "rules", "error": why}
        return page(request, "intake.html", values, status=why.status)
    ctx.runs.save(run)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The JSON API, described from its OpenAPI schema on a page of our own: FastAPI's
    Swagger UI loads its scripts from a public CDN, and this page works without internet."""
    return page(
        request,
        "docs.html",
        {"endpoints": api_endpoints(request.app.openapi()), "base": str(request.base_url).rstrip("/")},
    )


def api_endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Method, path, summary, form fields and error answers of every API operation."""
    components = schema.get("components", {}).get("schemas", {})
    out: list[dict[str, Any]] = []
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            body = next(iter(content.values()), {}).get("schema", {})
            ref = str(body.get("$ref", ""))
            body = components.get(ref.rsplit("/", 1)[-1], body) if ref else body
            required = set(body.get("required", []))
            fields = [
                {
                    "name": name,
                    "required": name in required,
                    "default": prop.get("default"),
                    "choices": prop.get("enum"),
                    "description": prop.get("description", ""),
                }
                for name, prop in body.get("properties", {}).items()
            ]
            answers = [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()]
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "fields": fields,
                    "answers": answers,
                }
            )
    return out


@router.get("/reconcile")
def reconcile_intake(request: Request) -> Response:
    return page(
        request, "reconcile.html", {"declared_text": "", "evaluated_text": "", "engine": "rules", "error": None}
    )


@router.post("/reconcile")
def reconcile_submit(
    request: Request,
    declared_file: Uploads = None,
    declared_text: OptText = None,
    evaluated_file: Uploads = None,
    evaluated_text: OptText = None,
    engine: Engine = "rules",
) -> Response:
    ctx = context(request)
    try:
        run = _reconcile(ctx, declared_file, declared_text, evaluated_file, evaluated_text, engine)
    except (JixiaoError, HTTPException) as e:
        if wants_json(request):
            raise
        why = refusal(e, _sent(declared_file, evaluated_file))
        values = {
            "declared_text": declared_text or "",
            "evaluated_text": evaluated_text or "",
            "engine": engine if engine in ENGINES else "rules",
            "error": why,
        }
        return page(request, "reconcile.html", values, status=why.status)
    ctx.runs.save(run)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


def _reconcile(
    ctx: WebContext,
    declared_file: Uploads,
    declared_text: str | None,
    evaluated_file: Uploads,
    evaluated_text: str | None,
    engine: str,
) -> Run:
    limits = ctx.settings.limits
    declared = read_uploads(declared_file, limits, field="declared_file")
    evaluated = read_uploads(evaluated_file, limits, field="evaluated_file")
    if not declared and not (declared_text or "").strip():
        raise HTTPException(400, "请提供绩效目标申报表（上传文件或粘贴文字） (declared input missing)")
    if not evaluated and not (evaluated_text or "").strip():
        raise HTTPException(400, "请提供绩效自评表（上传文件或粘贴文字） (evaluated input missing)")
    if len(declared) + len(evaluated) > limits.max_files:
        raise HTTPException(413, f"文件过多（上限 {limits.max_files} 个） (too many files)")
    return reconcile_run(
        to_sources(declared, declared_text, limits, text_name="申报文本"),
        to_sources(evaluated, evaluated_text, limits, text_name="自评文本"),
        engine,
    )


@router.get("/runs/{run_id}")
def results(request: Request, run_id: str, page_number: Annotated[int, Query(alias="page")] = 1) -> Response:
    """One page of the run's forms (``?page=2``…): a large run is shown a slice at a time."""
    ctx = context(request)
    run = load_run(request, run_id)
    data = build(run.documents, run.findings, ctx.store.for_run(run.findings, [d.source for d in run.documents]))
    view = build_page(run, data, paging(data, page_number))
    return page(request, "results.html", {"view": view})


def finding_url(run_id: str, data: ReportData, pos: int) -> str:
    """The address of the page showing the finding at ``pos``, at that finding."""
    number = page_of_finding(data, pos)
    return f"/runs/{run_id}{'' if number == 1 else f'?page={number}'}#f-{pos}"


def _finding(request: Request, run_id: str, pos: int) -> tuple[Run, ReportData, FindingRow]:
    """The run and its finding at ``pos`` (the page's numbering: ``build`` orders findings the
    same way on every call). The browser names a finding, never supplies one."""
    run = load_run(request, run_id)
    data = build(
        run.documents, run.findings, context(request).store.for_run(run.findings, [d.source for d in run.documents])
    )
    if not 0 <= pos < len(data.findings):
        raise HTTPException(404, "这条问题不存在 (finding not found)")
    return run, data, data.findings[pos]


@router.get("/runs/{run_id}/findings/{pos}")
def finding_page(request: Request, run_id: str, pos: int) -> Response:
    """One finding with its reason and note fields: the page's decision form without script."""
    run, data, _ = _finding(request, run_id, pos)
    fv = build_page(run, data, paging(data, page_of_finding(data, pos))).finding(pos)
    values = {"fv": fv, "run_id": run.id, "project": fv.row.finding.project, "back": finding_url(run.id, data, pos)}
    return page(request, "finding.html", values)


@router.post("/runs/{run_id}/findings/{pos}/decide")
def decide(
    request: Request,
    run_id: str,
    pos: int,
    decision: Annotated[Literal["confirmed", "dismissed", "undo"], Form()],
    reason: OptText = None,
    note: OptText = None,
    fields: Annotated[bool, Form()] = False,
) -> Response:
    """Record one decision in the shared store. Without the reason and note fields (the buttons
    alone) what was written before stays; with them (``fields``: forms carry it, since an
    empty form field arrives as None) an empty one clears it."""
    ctx = context(request)
    run, data, row = _finding(request, run_id, pos)
    before = ctx.store.get(row.finding, key=row.key)
    if fields:
        reason, note = reason or "", note or ""
    elif reason is None:
        reason = before.reason if before else None
    value = None if decision == "undo" else decision
    ctx.store.record(row.finding, value, (reason or "")[:500] or None, key=row.key)
    if note is not None:
        ctx.store.set_note(row.finding, note[:2000], key=row.key)
    saved = ctx.store.get(row.finding, key=row.key)
    if wants_json(request):
        return JSONResponse(
            {
                "key": row.key,
                "decision": saved.decision if saved else None,
                "label": DECISION_LABEL.get((saved.decision if saved else None) or "", UNDECIDED_LABEL),
                "reason": saved.reason if saved else None,
                "note": saved.note if saved else None,
            }
        )
    return RedirectResponse(finding_url(run.id, data, pos), status_code=303)


@router.get("/runs/{run_id}/report.{fmt}")
def download(request: Request, run_id: str, fmt: str) -> Response:
    if fmt not in MEDIA_TYPES:
        raise HTTPException(404, f"不支持的导出格式 {fmt!r}，可选：xlsx、html、md、json")
    ctx = context(request)
    run = load_run(request, run_id)
    body = render_report(
        run.documents, run.findings, ctx.store.for_run(run.findings, [d.source for d in run.documents]), fmt
    )
    name = f"绩效审核结果-{run.id[:8]}.{fmt}"
    disposition = f"attachment; filename=\"jixiao-{run.id[:8]}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={"content-disposition": disposition})
