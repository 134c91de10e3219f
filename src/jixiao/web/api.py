"""The JSON API: the contract's JSON for extract, check and reconcile (see CONTRACT.md).

Stricter than the page: one unreadable input refuses the whole request, so a script never
mistakes a partial answer for a full one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel

from ..checks import CheckConfig, run_checks
from ..cli.common import documents_json
from ..intake import Source
from ..models import SEVERITY_RANK, Document, Finding
from ..reconcile import ReconcileResult
from .context import context
from .pipeline import extract_all, reconcile_docs
from .uploads import read_uploads, to_sources

router = APIRouter(prefix="/api", tags=["API"])


class ErrorBody(BaseModel):
    error: str


class DocumentList(BaseModel):
    documents: list[Document]


class FindingList(BaseModel):
    findings: list[Finding]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "无法读取的输入（空、编码错误、未知引擎…）"},
    413: {"model": ErrorBody, "description": "上传过大或文件过多"},
    415: {"model": ErrorBody, "description": "不支持的文件类型（按内容判断）"},
    422: {"model": ErrorBody, "description": "输入中没有绩效表单，或缺少字段"},
}

Files = Annotated[
    list[UploadFile | str] | None,
    File(description="一个或多个上传文件：txt（UTF-8/GB18030）、pdf、docx、xlsx、png、jpg"),
]
Text = Annotated[str | None, Form(description="粘贴的报表文字（与 file 二选一，也可同时提供）")]
Engine = Annotated[str, Form(description="抽取引擎：rules（默认，离线）、llm、hybrid")]
FileOrText = File(description="一个上传文件，或一段粘贴的文字")


def _sources(request: Request, files: list[UploadFile | str] | None, text: str | None) -> list[Source]:
    limits = context(request).settings.limits
    return to_sources(read_uploads(files, limits), text, limits)


def _one_input(request: Request, value: UploadFile | str, field: str, text_name: str) -> list[Source]:
    limits = context(request).settings.limits
    if isinstance(value, str):
        return to_sources([], value, limits, text_name=text_name)
    return to_sources(read_uploads([value], limits, field=field), None, limits)


@router.post(
    "/extract",
    summary="抽取：报表 → 结构化表单（与 jixiao extract --format json 相同）",
    responses={200: {"model": Document | DocumentList}, **ERRORS},
)
def extract(request: Request, file: Files = None, text: Text = None, engine: Engine = "rules") -> dict[str, Any]:
    docs, _ = extract_all(_sources(request, file, text), engine, strict=True)
    return documents_json(docs)


@router.post(
    "/check",
    summary="审核：报表 → 发现的问题（与 jixiao check --format json 相同）",
    responses={200: {"model": FindingList}, **ERRORS},
)
def check(
    request: Request,
    file: Files = None,
    text: Text = None,
    engine: Engine = "rules",
    min_severity: Annotated[Literal["info", "warning", "error"], Form(description="最低严重程度")] = "info",
) -> dict[str, Any]:
    docs, _ = extract_all(_sources(request, file, text), engine, strict=True)
    floor = SEVERITY_RANK[min_severity]
    findings = [f for f in run_checks(docs, CheckConfig.load()) if SEVERITY_RANK.get(f.severity, 0) >= floor]
    return {"findings": [f.model_dump(mode="json") for f in findings]}


@router.post(
    "/reconcile",
    summary="核对：申报表与自评表（与 jixiao reconcile --format json 相同）",
    responses={200: {"model": ReconcileResult}, **ERRORS},
)
def reconcile(
    request: Request,
    declared: Annotated[UploadFile | str, FileOrText],
    evaluated: Annotated[UploadFile | str, FileOrText],
    engine: Engine = "rules",
) -> dict[str, Any]:
    d_docs, _ = extract_all(_one_input(request, declared, "declared", "申报文本"), engine, strict=True)
    e_docs, _ = extract_all(_one_input(request, evaluated, "evaluated", "自评文本"), engine, strict=True)
    names = {"declared_file": d_docs[0].source, "evaluated_file": e_docs[0].source}
    return {**names, **reconcile_docs(d_docs, e_docs)}
