"""Login for a team server: every page and API call needs a session, every post its CSRF
token, and a reviewer sees only the batches (runs) assigned to them.

On when the store is a team's (PostgreSQL) or ``jixiao serve --accounts``; off, the page is
the single reviewer's tool on 127.0.0.1 as before (``serve`` refuses any other address).

- Session: a random token in an HttpOnly, SameSite=Strict cookie; the store keeps its hash.
- CSRF: each session has a token; a post carries it as the ``csrf`` form field (auth.js
  adds it to every form of the page) or the ``X-CSRF-Token`` header, compared in constant time.
- A request without a live session: 401 JSON for the API (and fetch calls), a redirect to
  the login page for a page.
- Runs: ``/runs/<id>…`` of a batch not assigned to a reviewer answers 404, as a missing one;
  a batch a reviewer uploads is assigned to them.
- Who: decisions written during a request are signed with the logged-in name (``ACTING_USER``).
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store import DecisionStore
from ..store.accounts import Accounts, Session
from ..store.decisions import ACTING_USER
from ..zh import ACCOUNT_ROLE_LABEL, AUDIT_FIELD_LABEL

COOKIE = "jixiao_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
PUBLIC_PATHS = ("/login",)
PUBLIC_PREFIXES = ("/static/",)
_RUN_PATH = re.compile(r"^/runs/([^/]+)")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_LOGIN_REQUIRED = "需要登录 (login required)"
_CSRF_FAILED = "页面已过期或来源不明（CSRF 校验未通过），请刷新页面后重试 (CSRF check failed)"


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site only (never ``//elsewhere``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def current_session(request: Request) -> Session | None:
    """The logged-in session of a request (None: accounts are off, or a public page)."""
    return request.scope.get("jixiao.session")


def wants_json(scope: Scope) -> bool:
    if scope["path"].startswith("/api/"):
        return True
    accept = Headers(scope=scope).get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class AuthMiddleware:
    def __init__(self, app: ASGIApp, accounts: Accounts, max_body: int) -> None:
        self.app = app
        self.accounts = accounts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        session = await run_in_threadpool(self.accounts.session, request.cookies.get(COOKIE))
        if session is None:
            await self._login_first(scope, request)(scope, receive, send)
            return
        if scope["method"] in _UNSAFE:
            token, receive = await self._csrf_token(scope, receive)
            if not token or not hmac.compare_digest(token, session.csrf):
                await _refusal(scope, 403, _CSRF_FAILED)(scope, receive, send)
                return
        run = _RUN_PATH.match(path)
        if run and not await run_in_threadpool(self.accounts.may_see, session.user, run[1]):
            await _refusal(scope, 404, "找不到这次审核结果（链接有误，或未分配给您） (run not found)")(
                scope, receive, send
            )
            return
        scope["jixiao.session"] = session
        send = self._assign_uploads(scope, session, send)
        acting = ACTING_USER.set(session.user.name)
        try:
            await self.app(scope, receive, send)
        finally:
            ACTING_USER.reset(acting)

    def _login_first(self, scope: Scope, request: Request) -> Response:
        if wants_json(scope):
            return JSONResponse({"error": _LOGIN_REQUIRED, "login": "/login"}, status_code=401)
        if scope["method"] == "GET":
            here = scope["path"] + (f"?{scope['query_string'].decode()}" if scope.get("query_string") else "")
        else:  # a form posted after the session ended: back to the page it came from
            referer = request.headers.get("referer", "")
            here = re.sub(r"^https?://[^/]+", "", referer) or "/"
        return RedirectResponse(f"/login?next={quote(safe_next(here))}", status_code=303)

    async def _csrf_token(self, scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        """The token of a post (header, or the form's field) and a ``receive`` that replays
        the body the form was read from (the route reads it again)."""
        headers = Headers(scope=scope)
        token = headers.get(CSRF_HEADER)
        ctype = headers.get("content-type", "")
        if token or not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return token, receive
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if ctype.startswith("application/x-www-form-urlencoded"):
            values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
            found = values[0] if values else None
        else:
            form = await Request(scope, _replay(body)).form(max_part_size=self.max_body)
            value = form.get(CSRF_FIELD)
            found = value if isinstance(value, str) else None
            await form.close()
        return found, _replay(body)

    def _assign_uploads(self, scope: Scope, session: Session, send: Send) -> Send:
        """A batch a reviewer (or lead) uploads is theirs: the 303 to its new page assigns it."""
        if scope["method"] != "POST" or scope["path"].startswith("/runs/"):
            return send

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 303:
                location = Headers(raw=message.get("headers", [])).get("location", "")
                made = re.match(r"^/runs/([A-Za-z0-9_-]+)$", location)
                if made:
                    name = session.user.name
                    await run_in_threadpool(self.accounts.assign, made[1], name, name)
            await send(message)

        return sending


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _refusal(scope: Scope, status: int, message: str) -> Response:
    if wants_json(scope):
        return JSONResponse({"error": message}, status_code=status)
    return Response(message, status_code=status, media_type="text/plain; charset=utf-8")


def install(
    app: FastAPI, store: DecisionStore, *, enabled: bool, max_body: int, templates_env: object | None = None
) -> Accounts | None:
    """Accounts on ``app`` (call before the outer guards are added): the middleware, the
    login and team pages, and ``auth_session`` for the templates (None when off)."""
    from . import accounts_pages

    accounts = Accounts(store) if enabled else None
    app.state.accounts = accounts
    env = templates_env
    if env is not None:
        env.globals.update(  # type: ignore[attr-defined]
            auth_session=current_session if enabled else _none,
            audit_field_label=AUDIT_FIELD_LABEL,
            account_role_label=ACCOUNT_ROLE_LABEL,
        )
    if accounts is None:
        return None
    app.add_middleware(AuthMiddleware, accounts=accounts, max_body=max_body)
    app.include_router(accounts_pages.router)
    return accounts


def _none(_request: object) -> None:
    return None


def is_team_store(store: DecisionStore) -> bool:
    """A server store (PostgreSQL) is a team's: its web page always needs accounts."""
    return store.target.is_server
