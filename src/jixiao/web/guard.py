"""Request guards for a page that runs on the reviewer's own machine.

- Host check: a web page elsewhere cannot reach 127.0.0.1 through a rebound DNS name.
- Origin check: another site cannot make the reviewer's browser post to this page (CSRF);
  a request without Origin (curl, scripts) is allowed, a cross-origin one is refused.
- Size: a request body over the limit is refused from its Content-Length before it is read,
  and while it streams in when it has none (chunked uploads).
- Headers: a strict Content-Security-Policy (no inline script at all: report text that slips
  past escaping still cannot run), no sniffing, no framing, no referrer to other sites
  ('same-origin': with 'no-referrer' Chromium sends `Origin: null` on our own forms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refuse = Callable[[Request, int, str], Response]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class BodyTooLarge(HTTPException):
    """Raised by the guarded ``receive``: inside a route the exception handlers turn it into
    the usual 413 answer; outside them the guard answers itself."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    size = f"{limit / 1048576:.0f} MB" if limit >= 1048576 else f"{limit // 1024} KB"
    return f"上传内容过大（一次最多 {size}） (request too large)"


def _hostname(host: str) -> str:
    if host.startswith("["):  # [::1]:8000
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class GuardMiddleware:
    def __init__(self, app: ASGIApp, refuse: Refuse, max_body: int, allowed_hosts: Sequence[str] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.refuse = refuse  # renders the refusal (JSON or page); runs outside the handlers
        self.allowed = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        refusal: tuple[int, str] | None = None
        if self.allowed is not None and _hostname(host).lower() not in self.allowed:
            refusal = (400, f"不接受的主机名 {host!r}，请用 http://127.0.0.1 访问 (invalid host header)")
        origin = headers.get("origin")
        if refusal is None and scope["method"] in _UNSAFE and origin is not None:
            # 'null' (sandboxed frames, file: pages) is refused too: it can be anyone
            scheme = scope.get("scheme", "http")
            if origin.rstrip("/").lower() != f"{scheme}://{host}".lower():
                refusal = (403, f"拒绝来自其他网站的请求 ({origin}) (cross-origin request refused)")
        length = headers.get("content-length", "")
        if refusal is None and length.isdigit() and int(length) > self.max_body:
            refusal = (413, too_large_message(self.max_body))
        if refusal is not None:
            response = self.refuse(Request(scope, receive), *refusal)
            await response(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CSP.encode()),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge as e:
            if started:
                raise
            response = self.refuse(Request(scope, receive), 413, str(e.detail))
            await response(scope, receive, send)
