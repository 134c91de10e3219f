"""Every failure answers in the asker's language: JSON ``{"error": "..."}`` for the API, a
page for the browser. Bad input is a 4xx, never a 500; a 500 means a bug of ours."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ConfigError, ExtractionError, InputError, JixiaoError

log = logging.getLogger("jixiao.web")

_CJK = re.compile(r"[\u4e00-\u9fff]")

DEFAULT_MESSAGES: dict[int, str] = {
    400: "请求无效",
    403: "请求被拒绝",
    404: "页面不存在 (not found)",
    405: "不支持该请求方法 (method not allowed)",
    413: "上传内容过大 (request too large)",
    415: "不支持的文件类型 (unsupported media type)",
    422: "输入内容无法处理",
}

# Which status a deliberate jixiao error answers with: unreadable input and bad settings are
# the asker's to fix (400); readable input without a form in it is 422.
STATUS_FOR: tuple[tuple[type[JixiaoError], int], ...] = (
    (InputError, 400),
    (ConfigError, 400),
    (ExtractionError, 422),
)

ErrorPage = Callable[[Request, int, str], Response]


def status_for(error: JixiaoError) -> int:
    return next((status for cls, status in STATUS_FOR if isinstance(error, cls)), 400)


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def http_message(status: int, detail: object) -> str:
    text = str(detail or "").strip()
    default = DEFAULT_MESSAGES.get(status, "请求失败")
    if not text or text == default:
        return default
    # Starlette and the multipart parser speak English: keep their words after ours
    return text if _CJK.search(text) else f"{default}：{text}"


def _validation_message(exc: RequestValidationError) -> str:
    parts: list[str] = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        if err.get("type") == "missing":
            parts.append(f"缺少字段 {loc}")
        else:
            parts.append(f"字段 {loc} 无效：{err.get('msg', '')}")
    return "；".join(parts) or DEFAULT_MESSAGES[422]


def install(app: FastAPI, page: ErrorPage) -> None:
    """Register the handlers; ``page`` renders the browser's error page."""

    def respond(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return page(request, status, message)

    @app.exception_handler(JixiaoError)
    async def _jixiao(request: Request, exc: JixiaoError) -> Response:
        return respond(request, status_for(exc), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and "exceeded maximum size" in str(exc.detail):
            # the multipart parser's limit on a text field: the pasted text is too long
            return respond(request, 413, "粘贴的文字过长 (text field too large)")
        response = respond(request, exc.status_code, http_message(exc.status_code, exc.detail))
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, _validation_message(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return respond(request, 500, f"内部错误 (internal error): {type(exc).__name__}")
