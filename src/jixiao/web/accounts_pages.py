"""The pages of accounts: login and logout, the team page (batches, who reviews them, the
lead's assignments and sign-off) and a batch's audit trail. Mounted only with accounts on."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..store.accounts import SESSION_TTL, Accounts, LoginRefused, Session
from .auth import COOKIE, current_session, safe_next
from .context import context, load_run, page

router = APIRouter()


def _accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


def _session(request: Request) -> Session:
    session = current_session(request)
    if session is None:  # the middleware lets no such request through
        raise HTTPException(401, "需要登录 (login required)")
    return session


def _lead(request: Request) -> Session:
    session = _session(request)
    if not session.user.is_lead:
        raise HTTPException(403, "只有负责人可以分配和签发批次 (lead only)")
    return session


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return page(request, "accounts/login.html", {"next": safe_next(next), "error": None, "name": ""})


@router.post("/login")
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        session = await run_in_threadpool(_accounts(request).login, name.strip(), password)
    except LoginRefused as e:
        status = 429 if e.locked else 401
        values = {"next": safe_next(next), "error": str(e), "name": name}
        return page(request, "accounts/login.html", values, status=status)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or bool(os.environ.get("JIXIAO_COOKIE_SECURE")),
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await run_in_threadpool(_accounts(request).logout, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _batches(request: Request, session: Session) -> list[dict[str, object]]:
    """The batches this user may see, newest first, with their names, reviewers and sign-off."""
    ctx = context(request)
    accounts = _accounts(request)
    assigned = accounts.assignments()
    if session.user.is_lead:
        files = sorted(ctx.runs.dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        ids = [p.stem for p in files]
    else:
        ids = accounts.runs_of(session.user.name)
    out: list[dict[str, object]] = []
    for run_id in ids:
        run = ctx.runs.load(run_id)
        if run is None:
            continue
        out.append(
            {
                "id": run_id,
                "names": "、".join(s.name for s in run.sources if s.role == "input") or run_id[:8],
                "findings": len(run.findings),
                "reviewers": assigned.get(run_id, []),
                "signoff": accounts.signoff(run_id),
            }
        )
    return out


@router.get("/team")
def team(request: Request) -> Response:
    session = _session(request)
    reviewers = [u for u in _accounts(request).users() if not u.is_lead] if session.user.is_lead else []
    values = {"session": session, "batches": _batches(request, session), "reviewers": reviewers}
    return page(request, "accounts/team.html", values)


@router.post("/team/assign")
def assign(
    request: Request,
    run_id: Annotated[str, Form(max_length=100)],
    user: Annotated[str, Form(max_length=64)],
    action: Annotated[str, Form(max_length=16)] = "assign",
) -> Response:
    session = _lead(request)
    load_run(request, run_id)  # 404 for a batch that does not exist
    accounts = _accounts(request)
    if accounts.user(user) is None:
        raise HTTPException(400, f"没有用户 {user}")
    if action == "remove":
        accounts.unassign(run_id, user)
    else:
        accounts.assign(run_id, user, session.user.name)
    return RedirectResponse("/team", status_code=303)


@router.post("/runs/{run_id}/signoff")
def sign_off(request: Request, run_id: str, note: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    session = _lead(request)
    load_run(request, run_id)
    _accounts(request).sign_off(run_id, session.user, (note or "").strip() or None)
    return RedirectResponse("/team", status_code=303)


@router.get("/runs/{run_id}/audit")
def audit_page(request: Request, run_id: str) -> Response:
    """A batch's audit trail: each finding someone decided or annotated, every reviewer's
    standing decision (a disagreement shown as a conflict), and every change with its old value."""
    from ..report.data import build

    ctx = context(request)
    run = load_run(request, run_id)
    data = build(run.documents, run.findings, ctx.store.for_run(run.findings, [d.source for d in run.documents]))
    keys = [row.key for row in data.findings]
    trail = ctx.store.audit(keys)
    held = ctx.store.all_opinions(keys)
    changes: dict[str, list[object]] = {}
    for change in trail:
        changes.setdefault(change.key, []).append(change)
    rows = [
        {"pos": pos, "row": row, "opinions": held.get(row.key, []), "changes": changes.get(row.key, [])}
        for pos, row in enumerate(data.findings)
        if row.key in changes or row.key in held
    ]
    values = {
        "run_id": run.id,
        "rows": rows,
        "conflicts": sum(1 for r in rows if r["row"].decision is not None and r["row"].decision.conflict),
        "signoff": _accounts(request).signoff(run.id),
    }
    return page(request, "accounts/audit.html", values)
